"""Question dumps exported as JSON (FORMATS.md 3f): a list of questions, a page object with
the list under a key (`"questions"`, `"items"`, `"data"`, or deeper, as in
`{"pageProps": {"questions": [...]}}`), or JSON Lines with one question per line.

    [
      {"question_number": 12,
       "question_text": "Which service runs SQL on files in S3?<br>(Choose one.)",
       "choices": {"B": "Amazon Athena", "A": "Amazon EMR"},
       "answer": "B",
       "explanation": "Athena needs no cluster.",
       "answers_community": ["B (90%)", "A (10%)"],
       "discussion": [{"poster": "…", "content": "…"}]}
    ]

Keys seen in real exports are all understood: the stem as `question`, `question_text`,
`stem`, `body` or `text`; choices as a letter map in any order, a list of strings (`"A. …"`
or bare), or a list of objects with a letter, a text and an `is_correct` flag; the answer as
letters (`"BD"`, `"B,D"`, `["B", "D"]`) or as a choice's text, under `answer`, `answers`,
`correct_answer`, `correct`, `answer_letters`; an optional explanation, number, topic and
vote distribution ("Community votes: B 90%, A 10%" in the explanation). Values holding HTML
become Markdown-ish text. Comment threads are never put on a card; a short note is kept.

A file is claimed only when it holds such questions: a JSON config file is left to others.
Invalid JSON gives one diagnostic at the line and column the parser reports (JSON Lines: one
per bad line, the other lines are read).
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from builder.diagnostics import Diagnostic, Severity
from builder.discover import SourceFile
from builder.model import choice_letter
from builder.readers.base import ReadContext, ReadResult
from builder.readers.html_questions import (
    ANSWER_LABEL_RE,
    CHOICE_PREFIX_RE,
    drop_noise,
    fragment_to_markdown,
    tally_votes,
    text_answer,
    top_voted,
    topic_numbers,
    vote_shares_from_counts,
    vote_shares_from_text,
    with_votes,
    without_most_voted,
)
from builder.readers.questions import (
    QuestionSource,
    RawQuestion,
    answer_letters,
    question_cards,
)

STEM_KEYS = ("question_text", "questiontext", "question", "stem", "prompt", "body", "text")
WEAK_STEM_KEYS = frozenset({"prompt", "body", "text"})
"""Stem keys common outside question dumps too: such an object must also give an answer."""
CHOICE_KEYS = ("choices", "options", "answer_options", "answeroptions", "alternatives", "answers")
ANSWER_KEYS = (
    "answer_letters",
    "correct_answers",
    "correct_answer",
    "correctanswers",
    "correctanswer",
    "correct",
    "answer",
    "answers",
    "answer_et",
    "right_answer",
)
VOTED_KEYS = ("most_voted", "mostvoted", "most_voted_answer", "community_answer")
VOTE_KEYS = (
    "answers_community",
    "community_votes",
    "community_vote_distribution",
    "vote_distribution",
    "voted_answers",
    "votes",
)
EXPLANATION_KEYS = ("explanation", "answer_description", "answerdescription", "rationale")
NOTE_KEYS = ("discussion", "comments", "notes")
NUMBER_KEYS = ("question_number", "questionnumber", "number", "question_id", "questionid", "id")
TOPIC_KEYS = ("topic", "topic_number")
SECTION_KEYS = ("domain", "section", "category", "subject", "topic")
"""Fields that name the part of the exam a question belongs to; they become its context."""
IMAGE_KEYS = ("question_images", "questionimages")
CHOICE_TEXT_KEYS = ("text", "value", "content", "choice", "option", "answer", "body", "label")
CHOICE_LETTER_KEYS = ("letter", "key", "label", "id", "option")
CHOICE_FLAG_KEYS = ("is_correct", "iscorrect", "correct", "is_answer", "isanswer")

JSON_SUFFIXES = frozenset({".json", ".jsonl", ".ndjson"})
MAX_NOTE_CHARS = 300
"""A discussion longer than this (or a list of comments) is dropped, never put on a card."""
MAX_DEPTH = 6
"""How deep in a page object the list of questions is looked for."""
LETTER_KEY_RE = re.compile(r"\(?([A-Za-z])[.):]?|(?:option|choice|answer)[\s_-]?([A-Za-z])", re.I)
ID_NUMBER_RE = re.compile(r"#?\s*[A-Za-z]{0,3}\s*-?\s*\d{1,6}[a-z]?")
DUMP_SNIFF_RE = re.compile(r'"(?:question|question_text|questionText|stem)"\s*:')
CHOICES_SNIFF_RE = re.compile(r'"(?:choices|options|answers)"\s*:')
NEXT_BRACE_RE = re.compile(r'(?:"[^"\\]*(?:\\.[^"\\]*)*"|[^"{}]++)*+([{}])', re.S)
"""Everything up to the next brace outside a string, and the brace. One match a brace rather
than one a string and brace (a third of reading a JSON file went to going over its tokens);
possessive, so a match that fails does not try each way of splitting the text first. For
text of a decoded value only: every string there is closed."""


class JsonObject(dict[str, Any]):
    """A decoded JSON object that knows the line its `{` is on."""

    __slots__ = ("line",)
    line: int

    def __init__(self, pairs: list[tuple[str, Any]]) -> None:
        super().__init__(pairs)
        self.line = 0


@dataclass(frozen=True, slots=True)
class JsonProblem:
    """A part of the file that is not valid JSON."""

    line: int
    """Line the parser stopped at."""
    message: str
    """What the parser said, with line and column."""


@dataclass(frozen=True, slots=True)
class JsonQuestions:
    """What one JSON file holds."""

    questions: tuple[RawQuestion, ...]
    """Every question-like object, in file order."""
    problems: tuple[JsonProblem, ...]
    """Where the file is not valid JSON."""
    sniffed: bool
    """The raw text names question and choice keys (so a broken file is still ours)."""
    json_lines: bool = False
    """The file is JSON Lines: a bad line costs only that line."""


def _looks_like_json_lines(text: str) -> bool:
    """Several lines that each hold a whole value (a broken line or two allowed); a
    pretty-printed document has lines like `{`, `"key": 1,` and `}` instead."""
    lines = [line.strip() for line in text.lstrip("\ufeff").split("\n") if line.strip()]
    whole = [line for line in lines if line[0] in "{[" and line[-1] in "}]"]
    if len(lines) < 2 or len(whole) < 2:
        return False
    if len(whole) == len(lines):
        return True
    try:
        first = json.loads(lines[0])
    except (ValueError, RecursionError):
        return False
    return isinstance(first, (dict, list)) and 3 * len(whole) >= 2 * len(lines)


def _parse(text: str) -> tuple[list[Any], list[JsonProblem], bool]:
    """Every top-level JSON value in the text, each object knowing its line."""
    newlines = [m.start() for m in re.finditer("\n", text)]

    def line_of(offset: int) -> int:
        return bisect.bisect_left(newlines, offset) + 1

    created: list[JsonObject] = []

    def make_object(pairs: list[tuple[str, Any]]) -> JsonObject:
        obj = JsonObject(pairs)
        created.append(obj)
        return obj

    decoder = json.JSONDecoder(object_pairs_hook=make_object)
    values: list[Any] = []
    problems: list[JsonProblem] = []

    def decode_at(start: int) -> int | None:
        """Decode one value at `start`; its end, or None (and a problem) when it is invalid."""
        created.clear()
        try:
            value, end = decoder.raw_decode(text, start)
        except json.JSONDecodeError as error:
            problems.append(
                JsonProblem(
                    error.lineno, f"{error.msg} (line {error.lineno}, column {error.colno})"
                )
            )
            return None
        except (ValueError, RecursionError) as error:  # huge numbers, absurd nesting
            line = line_of(start)
            problems.append(JsonProblem(line, f"{error or type(error).__name__} (line {line})"))
            return None
        # Objects are created as their `}` is read, so the k-th closing brace (outside
        # strings) belongs to the k-th object created.
        opens: list[int] = []
        lines: list[int] = []
        position = start
        while (found := NEXT_BRACE_RE.match(text, position, end)) is not None:
            position = found.end()
            if found.group(1) == "{":
                opens.append(found.start(1))
            elif opens:
                lines.append(line_of(opens.pop()))
        for obj, line in zip(created, lines, strict=False):
            obj.line = line
        values.append(value)
        return end

    start = 1 if text.startswith("\ufeff") else 0
    if _looks_like_json_lines(text):
        offset = start
        for raw_line in text[start:].split("\n"):
            stripped = raw_line.lstrip()
            if stripped.strip():
                begin = offset + len(raw_line) - len(stripped)
                end = decode_at(begin)
                if end is not None and text[end : offset + len(raw_line)].strip():
                    line = line_of(begin)
                    problems.append(JsonProblem(line, f"extra data after the value (line {line})"))
            offset += len(raw_line) + 1
        return values, problems, True
    position = start
    while True:
        while position < len(text) and text[position] in " \t\r\n":
            position += 1
        if position >= len(text):
            break
        end = decode_at(position)
        if end is None:
            break
        position = end
    if not values and not problems:
        problems.append(JsonProblem(1, "the file is empty"))
    return values, problems, False


def _lowered(obj: JsonObject) -> dict[str, Any]:
    """The object's keys in lower case (exports spell `questionText`, `answer_ET`, …)."""
    lowered: dict[str, Any] = {}
    for key, value in obj.items():
        lowered.setdefault(key.lower(), value)
    return lowered


def _key_letter(key: str) -> str | None:
    match = LETTER_KEY_RE.fullmatch(key.strip())
    if match is None:
        return None
    return (match.group(1) or match.group(2)).upper()


def _is_choice_list(value: Any, key: str) -> bool:
    """A list or letter map of choices (for `answers`, not a list of answer letters)."""
    if isinstance(value, dict):
        return not value or any(_key_letter(k) for k in value)
    if not isinstance(value, list):
        return False
    if key == "answers":
        return bool(value) and all(
            isinstance(v, dict) or (isinstance(v, str) and not answer_letters(v)) for v in value
        )
    return all(isinstance(v, (str, dict, int, float)) for v in value)


def _choice_key(low: dict[str, Any]) -> str | None:
    return next((k for k in CHOICE_KEYS if k in low and _is_choice_list(low[k], k)), None)


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in ("true", "yes", "1", "y", "x")
    return value is True or (isinstance(value, int) and value == 1)


def _stem_key(low: dict[str, Any]) -> str | None:
    return next((k for k in STEM_KEYS if isinstance(low.get(k), str)), None)


def _is_question(obj: JsonObject) -> bool:
    low = _lowered(obj)
    stem_key, choice_key = _stem_key(low), _choice_key(low)
    if stem_key is None or choice_key is None:
        return False
    if stem_key not in WEAK_STEM_KEYS:
        return True
    flagged = isinstance(low[choice_key], list) and any(
        isinstance(c, dict) and any(k.lower() in CHOICE_FLAG_KEYS for k in c)
        for c in low[choice_key]
    )
    return flagged or any(k in low for k in ANSWER_KEYS if k != choice_key)


def _question_objects(value: Any) -> list[JsonObject]:
    """Question objects in file order: the value itself, or lists of them inside it."""
    found: list[JsonObject] = []
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, JsonObject) and _is_question(item):
            found.append(item)
            continue
        if depth >= MAX_DEPTH or not isinstance(item, (dict, list)):
            continue
        children = item.values() if isinstance(item, dict) else item
        nested = [c for c in children if isinstance(c, (dict, list))]
        stack.extend((c, depth + 1) for c in reversed(nested))
    return found


def _text(value: Any) -> str:
    """A JSON value as Markdown-ish text (HTML converted, numbers written out)."""
    if isinstance(value, str):
        return fragment_to_markdown(value)
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


def _choice_object(item: dict[str, Any]) -> tuple[str | None, str, bool]:
    """(letter, text, marked correct) of a choice written as an object."""
    low = {k.lower(): v for k, v in item.items()}
    letter = None
    letter_key = None
    for key in CHOICE_LETTER_KEYS:
        value = low.get(key)
        if isinstance(value, str) and re.fullmatch(r"\s*\(?[A-Za-z][.):]?\s*", value):
            letter, letter_key = value.strip(" ().:").upper(), key
            break
    text_key = next((k for k in CHOICE_TEXT_KEYS if k != letter_key and k in low), None)
    text = _text(low[text_key]) if text_key else ""
    flagged = any(_truthy(low.get(k)) for k in CHOICE_FLAG_KEYS)
    return letter, text, flagged


def _choices(value: Any) -> tuple[list[tuple[str, str]], list[str]]:
    """(choices as (letter, text), letters the choices themselves mark correct)."""
    choices: list[tuple[str, str]] = []
    flagged: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            letter = _key_letter(key)
            if letter is None:
                continue
            if isinstance(item, dict):
                _, text, right = _choice_object(item)
                if right:
                    flagged.append(letter)
            else:
                text = _text(item)
            prefix = CHOICE_PREFIX_RE.match(text)  # {"B": "B. Use Pipe mode"}
            if prefix is not None and prefix.group(1).upper() == letter:
                text = text[prefix.end() :]
            choices.append((letter, text))
    elif isinstance(value, list):
        texts: list[tuple[str | None, str]] = []
        for item in value:
            if isinstance(item, dict):
                letter, text, right = _choice_object(item)
                texts.append((letter, text))
                if right:
                    flagged.append(letter or choice_letter(len(texts) - 1))
            else:
                text = _text(item)
                prefix = CHOICE_PREFIX_RE.match(text)
                texts.append((prefix.group(1).upper() if prefix else None, text))
        written = [letter for letter, _ in texts]
        own_letters = all(written) and len(set(written)) == len(written)
        for index, (letter, text) in enumerate(texts):
            use = letter if own_letters and letter else choice_letter(index)
            prefix = CHOICE_PREFIX_RE.match(text)
            if prefix is not None and prefix.group(1).upper() == use:
                text = text[prefix.end() :]
            choices.append((use, text))
    return [(letter, without_most_voted(text).strip()) for letter, text in choices], flagged


def _answer(value: Any, choices: Sequence[tuple[str, str]]) -> tuple[str, str]:
    """(answer letters, what a worded answer says beyond the choice it names)."""
    letters = {letter for letter, _ in choices}
    if isinstance(value, list):
        parts = [_answer(v, choices) for v in value if isinstance(v, str)]
        named = "".join(dict.fromkeys("".join(letter for letter, _ in parts)))
        return named, "\n\n".join(rest for _, rest in parts if rest)
    if not isinstance(value, str):
        return "", ""
    text = fragment_to_markdown(value)
    label = ANSWER_LABEL_RE.match(text)
    if label is not None:
        text = text[label.end() :].strip()
    if re.fullmatch(r"[A-Za-z]{1,8}", text) and set(text.upper()) <= letters:
        return text.upper(), ""
    if answer_letters(text):
        return text, ""
    prefix = CHOICE_PREFIX_RE.match(text)  # "B. Use Pipe mode"
    if prefix is not None and prefix.group(1).upper() in letters:
        return prefix.group(1).upper(), ""
    named, rest = text_answer(text, choices)
    if named:
        return named, rest
    if re.fullmatch(r"[A-Za-z]{1,8}", text):
        return text.upper(), ""  # letters, just not all among the choices: reported as such
    return "", ""


def _votes(value: Any) -> tuple[list[tuple[str, int]], str | None]:
    """A vote distribution in any of its export shapes → (shares, most-voted letters)."""
    if isinstance(value, str):
        return vote_shares_from_text(value), None
    if isinstance(value, list):
        if all(isinstance(v, str) for v in value):
            return vote_shares_from_text(" ".join(value)), None
        return tally_votes(value)
    if isinstance(value, dict):
        counts: list[tuple[str, float]] = []
        for key, count in value.items():
            if not re.fullmatch(r"[A-Za-z]{1,8}", key.strip()):
                continue
            if isinstance(count, str):
                count = count.strip().rstrip("%").strip()
                count = float(count) if re.fullmatch(r"\d+(?:\.\d+)?", count) else None
            if isinstance(count, (int, float)) and not isinstance(count, bool):
                counts.append((key.strip().upper(), float(count)))
        total = sum(c for _, c in counts)
        if 99 <= total <= 101:
            return [(letters, round(share)) for letters, share in counts], None
        return vote_shares_from_counts(counts), None
    return [], None


def _number(low: dict[str, Any]) -> str | None:
    for key in NUMBER_KEYS:
        value = low.get(key)
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            continue
        number = str(value).strip()
        if key == "id" and not ID_NUMBER_RE.fullmatch(number):
            continue  # an opaque database id is not a question number
        if number:
            return number
    return None


def _raw_question(obj: JsonObject) -> tuple[RawQuestion, str | None]:
    """The parts of one question object, and its topic."""
    low = _lowered(obj)
    stem_key, choice_key = _stem_key(low), _choice_key(low)
    stem = _text(low.get(stem_key)) if stem_key else ""
    for key in IMAGE_KEYS:
        images = low.get(key)
        if isinstance(images, list):
            shown = [f"![]({url.strip()})" for url in images if isinstance(url, str) and url]
            stem = "\n\n".join(part for part in (stem, *shown) if part)
    choices, flagged = _choices(low.get(choice_key)) if choice_key else ([], [])
    answer, rest = "", ""
    for key in ANSWER_KEYS:
        if key == choice_key or key not in low:
            continue
        answer, rest = _answer(low[key], choices)
        if answer:
            break
    shares: list[tuple[str, int]] = []
    most_voted = None
    for key in VOTE_KEYS:
        if key in low:
            shares, most_voted = _votes(low[key])
            if shares:
                break
    voted = next(
        (_answer(low[k], choices)[0] for k in VOTED_KEYS if isinstance(low.get(k), (str, list))),
        "",
    )
    answer = answer or "".join(flagged) or voted or most_voted or top_voted(shares) or ""
    explanation = next(
        (text for k in EXPLANATION_KEYS if k in low and (text := _text(low[k])).strip()), ""
    )
    notes = [
        _text(low[k])
        for k in NOTE_KEYS
        if isinstance(low.get(k), str) and len(low[k].strip()) <= MAX_NOTE_CHARS
    ]
    explanation = drop_noise("\n\n".join(p for p in (rest, explanation, *notes) if p.strip()))
    topic = next((text for k in TOPIC_KEYS if (text := _text(low.get(k))).strip()), None)
    sections = [text.strip() for k in SECTION_KEYS if (text := _text(low.get(k))).strip()]
    raw = RawQuestion(
        stem=drop_noise(stem),
        choices=tuple(choices),
        answer=answer,
        line=obj.line or 1,
        explanation=with_votes(explanation, shares),
        number=_number(low),
        context=tuple(
            f"Topic {text}" if text.isdigit() else text for text in dict.fromkeys(sections)
        ),
    )
    return raw, topic


@lru_cache(maxsize=8)
def read_json_questions(text: str) -> JsonQuestions:
    """Every question in a JSON or JSON Lines text (cached: `claim` and `read` parse once)."""
    if text.lstrip("\ufeff \t\r\n")[:1] not in ("{", "["):
        return JsonQuestions((), (), False)
    sniffed = bool(DUMP_SNIFF_RE.search(text) and CHOICES_SNIFF_RE.search(text))
    values, problems, json_lines = _parse(text)
    found = [_raw_question(obj) for value in values for obj in _question_objects(value)]
    numbers = topic_numbers([q.number for q, _ in found], [t for _, t in found])
    questions = tuple(
        replace(q, number=number) for (q, _), number in zip(found, numbers, strict=True)
    )
    return JsonQuestions(questions, tuple(problems), sniffed, json_lines)


class JsonQuestionReader:
    """Reads question dumps exported as JSON or JSON Lines."""

    name = "json-questions"

    def claim(self, source: SourceFile) -> int:
        found = read_json_questions(source.text)
        if found.questions:
            return 5 * len(found.questions)
        # A dump with a syntax error is still a dump: claim it so the error is reported.
        broken_dump = found.problems and found.sniffed
        is_json_file = PurePosixPath(source.display_path).suffix.lower() in JSON_SUFFIXES
        return 5 if broken_dump and is_json_file else 0

    def read(self, source: SourceFile, context: ReadContext) -> ReadResult:
        path = source.display_path
        found = read_json_questions(source.text)
        diagnostics: list[Diagnostic] = []
        for problem in found.problems:
            if found.json_lines:
                consequence = "the line is skipped"
            elif found.questions:
                consequence = "the rest of the file is skipped"
            else:
                consequence = "no questions could be read"
            diagnostics.append(
                Diagnostic(
                    path,
                    problem.line,
                    Severity.WARNING,
                    "invalid-json",
                    f"not valid JSON: {problem.message}; {consequence}",
                )
            )
        cards, checked = question_cards(found.questions, QuestionSource(path, context.default_deck))
        return ReadResult(tuple(cards), (*diagnostics, *checked))
