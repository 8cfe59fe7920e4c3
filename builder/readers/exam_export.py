"""Question dumps exported from exam-practice sites, as plain text (FORMATS.md 3b) or Markdown (3c).

A text export (usually `.txt`, sometimes pasted into a `.md`) starts each question with a
header line such as `Question #7 Topic 1`, `QUESTION 7` or `NEW QUESTION 7 - (Topic 1)`:

    Question #7 Topic 1
    A team retrains an XGBoost model nightly and wants to cut training cost. What should it do?
    A. Use a larger instance
    B. Use managed Spot training with checkpoints Most Voted
    Correct Answer: B
    Community vote distribution
    B (88%) A (12%)

A Markdown export starts each question with a heading:

    ## Exam AWS Certified Machine Learning - Specialty topic 1 question 7 discussion
    A team retrains an XGBoost model nightly ... What should it do?
    **A:** Use a larger instance
    **B:** Use managed Spot training with checkpoints
    **Answer: B**
    **Timestamp: 2024-05-02 10:00:00**
    [View on ExamTopics](https://example.com/q7)
    ----------------------------------------

Both readers cut the file into one block per question and share the block grammar: choices
written `A.`, `A)`, `(A)`, `A:`, `**A:**`, `**A.**` or `- A.`, possibly over several lines;
answers labelled `Correct Answer:`, `Answer:` or `Suggested Answer:` (the first two win over the
third); explanation lines after the answer; community vote shares, kept as a
`Community votes: B 88%, A 12%` line of the explanation. Site noise (timestamps, links to the
discussion, separators, "Reveal Solution", vote headers, the "Actual exam question from"
preamble, page headers and footers, the discussion comments) reaches no field. The parts go to
`questions.question_card`, which checks them and reports what is wrong.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from typing import NamedTuple

from builder.diagnostics import Diagnostic, Severity
from builder.discover import SourceFile
from builder.readers.base import ReadContext, ReadResult
from builder.readers.markdown_text import (
    code_lines,
    parse_document,
    parse_heading,
    starts_some_line,
)
from builder.readers.questions import (
    VOTE_SHARE_RE,
    QuestionSource,
    RawQuestion,
    answer_letters,
    community_votes_line,
    match_choice,
    question_cards,
    without_most_voted,
)

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
STRUCTURED_SUFFIXES = frozenset({".json", ".html", ".htm"})
"""JSON and HTML dumps have readers of their own, even when a line inside looks like a header."""

BOLD = r"(?:\*\*|__)"
LETTER_LIST = r"[A-Z](?:(?:\s*(?:,|;|/|&|\+|\band\b)\s*|\s+)?[A-Z])*"
"""`B`, `BD`, `B, D`, `B and D`, `B/D`."""

QUESTION_HEADER_RE = re.compile(
    rf"^{BOLD}?\s*(?:new\s+)?question\s*(?:#|no\.?|number)?\s*:?\s*(?P<number>\d{{1,5}})"
    rf"(?:\s+of\s+\d+)?\s*{BOLD}?"
    r"(?:\s*[-–,]?\s*\(?\s*topic\s*#?\s*:?\s*(?P<topic>\d+)\s*\)?)?"
    rf"\s*{BOLD}?(?:(?:\s*[:.)\-–]\s*|\s+(?=[A-Z(]))(?P<rest>.*))?$",
    re.IGNORECASE,
)
"""`Question #41 Topic 1`, `QUESTION 41`, `NEW QUESTION 41 - (Topic 1)`, `Question 41: stem …`.

Only the spelled-out word: `Q1.` labels and `1.` lists are numbered dumps (FORMATS.md 3d), read by
the numbered-questions reader."""
EXAM_HEADING_RE = re.compile(
    r"\btopic\s*#?\s*(?P<topic>\d+)\s*[-,:]?\s*question\s*#?\s*(?P<number>\d+)\b", re.IGNORECASE
)
"""The title exam sites give a discussion page: `Exam … topic 1 question 12 discussion`."""
PREAMBLE_RE = re.compile(r"^actual exam question from\b", re.IGNORECASE)
"""First line of the block a discussion page puts above the stem (vendor, exam, numbers)."""
QUESTION_NUMBER_LINE_RE = re.compile(r"^question\s*#\s*:\s*(?P<number>\d+)\s*$", re.IGNORECASE)
TOPIC_LINE_RE = re.compile(
    r"^topic\s*#?\s*:?\s*(?P<topic>\d+)\s*(?:[-–,:]\s*[^.?!]*)?$", re.IGNORECASE
)
ALL_QUESTIONS_RE = re.compile(r"^\[all\b[^\]]*\bquestions\]", re.IGNORECASE)

CHOICE_RE = re.compile(
    rf"^(?:[-*+]\s+)?{BOLD}?\s*"
    rf"(?:\((?P<paren>[A-Z])\)|(?P<letter>[A-Z]){BOLD}?\s*[.):])"
    rf"\s*{BOLD}?(?:\s+(?P<text>.*))?$"
)
"""`A. text`, `A) text`, `(A) text`, `A: text`, `**A:** text`, `**A.** text`, `- A. text`."""
MOST_VOTED_RE = re.compile(r"\s*(?:🗳️?\s*)?\bmost voted\b\s*$", re.IGNORECASE)


ANSWER_RE = re.compile(
    rf"^(?:[-*+]\s+)?{BOLD}?\s*(?:(?P<suggested>suggested)\s+|correct\s+|right\s+)?"
    rf"(?:answers?(?:\s*\(s\))?|ans)\s*{BOLD}?\s*[:：]\s*(?P<value>.*)$",
    re.IGNORECASE,
)
"""`Correct Answer: C`, `Answer: BD`, `**Answer: BC**`, `**Correct Answer:** B`, `Suggested …`."""
ANSWER_PREFIX_RE = re.compile(r"^(?:correct|answers?)\s*:\s*", re.IGNORECASE)
"""A second label inside the value, as in `**Answer: Correct: BD**`."""
LETTERS_RE = re.compile(rf"^(?P<letters>{LETTER_LIST})(?![A-Za-z0-9])(?P<rest>.*)$")
LETTERS_ONLY_RE = re.compile(rf"^{LETTER_LIST}\.?$")
EXPLANATION_LABEL_RE = re.compile(
    rf"^{BOLD}?\s*(?:explanation(?:\s*/\s*reference)?|answer\s+description|rationale)\s*"
    rf"{BOLD}?\s*:\s*{BOLD}?\s*",
    re.IGNORECASE,
)

VOTES_HEADER_RE = re.compile(rf"^{BOLD}?\s*community vote distribution\b", re.IGNORECASE)
VOTES_LINE_RE = re.compile(r"^(?:(?:[A-Z]{1,8}\s*\(\d{1,3}\s*%\)|other)[\s,;]*)+$", re.IGNORECASE)

SEPARATOR_RE = re.compile(r"^(?:-{3,}|_{3,}|\*{3,}|={3,})$")
DISCUSSION_START_RE = re.compile(
    r"^(?:comments?\s*(?::.*)?|highly voted\b.*|most recent|selected answer\s*:.*|"
    r"\S+\s+(?:\d+|an?)\s+(?:year|month|week|day|hour|minute)s?"
    r"(?:,\s*(?:\d+|an?)\s+\w+)?\s+ago)$",
    re.IGNORECASE,
)
"""Where the site's discussion begins (comments, a commenter and a time): nothing after it, up to
the next question, is kept."""
SITE_ACTION = (
    r"(?:reveal solution|hide solution|show (?:suggested )?answer|hide (?:suggested )?answer|"
    r"discussion(?:\s+\d+)?|report|custom view settings|🗳️?)"
)
SITE_ACTIONS_LINE_RE = re.compile(rf"^(?:{SITE_ACTION}[\s|·•]*)+$", re.IGNORECASE)
LEADING_SITE_ACTIONS_RE = re.compile(
    rf"^(?:{SITE_ACTION}(?!\w)\s*)+(?=(?:suggested\s+|correct\s+)?answer)", re.IGNORECASE
)
"""Button labels the page copy glued in front of the answer line."""
NOISE_RES = (
    re.compile(rf"^{BOLD}?\s*timestamp\s*:.*$", re.IGNORECASE),
    re.compile(r"^\[(?:view on|view discussion|discussion|open in)\b[^\]]*\](?:\([^)]*\))?$", re.I),
    re.compile(r"^(?:upvoted\s+\d+\s+times?|\d+\s+upvotes?|upvote\s*\(\d+\))$", re.IGNORECASE),
    re.compile(r"^page\s+\d+(?:\s*(?:of|/)\s*\d+)?$", re.IGNORECASE),
    re.compile(r"^viewing (?:page|questions)\b.*$", re.IGNORECASE),
    re.compile(r"^(?:https?://)?(?:www\.)?examtopics\.com\S*$", re.IGNORECASE),
    re.compile(r"^it certification guaranteed,? the easy way!?$", re.IGNORECASE),
    re.compile(r"^section\s*:\s*\(?none\)?$", re.IGNORECASE),
    ALL_QUESTIONS_RE,
    re.compile(
        rf"^{BOLD}?(?:explanation(?:\s*/\s*reference)?|answer description){BOLD}?\s*:?{BOLD}?$",
        re.IGNORECASE,
    ),
)
"""Whole lines the sites add that say nothing about the question."""
NOISE_LINE_RE = re.compile(
    "|".join(f"(?:{pattern.pattern})" for pattern in (SITE_ACTIONS_LINE_RE, *NOISE_RES)),
    re.IGNORECASE,
)
"""`SITE_ACTIONS_LINE_RE` and `NOISE_RES` as one pattern (all are case-blind and anchored at
both ends): one search of a line instead of eleven, which were a tenth of a text card's CPU."""
DETAILS_RE = re.compile(r"<\s*(?:details|summary)\b", re.IGNORECASE)
"""`<details><summary>Answer</summary>` dumps (FORMATS.md 3e) belong to another reader."""
TEXT_HEADER_HINT_RE = re.compile(
    r"\n[^\S\n]*(?:(?:\*\*|__)[^\S\n]*)?(?:new[^\S\n]+|actual exam )?question", re.IGNORECASE
)
"""How every line starting a text export's question begins (`QUESTION_HEADER_RE`,
`PREAMBLE_RE`), for `starts_some_line`: a file without such a line is no text export."""
HEADING_HINT_RE = re.compile(r"\n {0,3}#[^\n]*question", re.IGNORECASE)
"""A heading naming a question, as every Markdown export's question heading does."""

PREAMBLE_LOOKAHEAD = 10
"""Lines after `Actual exam question from` that may still be the site's preamble."""
PREAMBLE_MAX_LINE = 100
"""A longer line is the stem, not the exam's name."""
MAX_SYNTAX_LINE = 2000
"""A longer line is only ever content: no header, choice or answer is that long, and the patterns
need not then guard against pathological input."""
CLAIM_PER_QUESTION = 5


class _State(Enum):
    """Which part of a question the block parser is in."""

    STEM = "stem"
    CHOICES = "choices"
    AFTER = "after"


class _Line(NamedTuple):
    """One line of the file. (A named tuple rather than a frozen dataclass: one is built for
    every line of every file read, and a tuple is built in a quarter of the time.)"""

    number: int
    """1-based line number."""
    text: str
    """The line as written."""
    literal: bool = False
    """Inside fenced code or math: content, never syntax."""
    heading: str | None = None
    """The heading's text when the line is a Markdown heading."""


@dataclass(frozen=True, slots=True)
class _Header:
    """What a question's header line says."""

    number: str | None
    """Question number, as written."""
    topic: str | None
    """Topic number, as written."""
    first: str = ""
    """Stem text written on the header line itself."""


@dataclass(frozen=True, slots=True)
class _Block:
    """The lines of one question, from its header up to the next question's."""

    line: int
    """1-based line of the header."""
    header: _Header
    """What the header says."""
    lines: tuple[_Line, ...]
    """The lines after the header."""


@dataclass(frozen=True, slots=True)
class _FileTarget:
    """Deck and tags of the file (a Markdown file's frontmatter) and the frontmatter's problems."""

    deck: str | None
    """`cards-deck:`, or None for the build's default deck."""
    tags: tuple[str, ...] = ()
    """Frontmatter tags."""
    diagnostics: tuple[Diagnostic, ...] = ()
    """Problems with the frontmatter."""


@dataclass(slots=True)
class _Parts:
    """What the block parser found, before it becomes a RawQuestion."""

    number: str | None
    topic: str | None
    stem: list[str] = field(default_factory=list)
    choices: list[tuple[str, list[str]]] = field(default_factory=list)
    explanation: list[str] = field(default_factory=list)
    stated: list[str] = field(default_factory=list)
    suggested: list[str] = field(default_factory=list)
    votes: list[tuple[str, str]] = field(default_factory=list)


class _Parsed(NamedTuple):
    """A question's block and what the block parser found in it."""

    block: _Block
    parts: _Parts


@lru_cache(maxsize=4)
def _file_lines(source: SourceFile) -> tuple[tuple[_Line, ...], _FileTarget]:
    """The file's lines after any frontmatter, and where its cards go (cached: both readers'
    claims and one read need them)."""
    if source.path.suffix.lower() in MARKDOWN_SUFFIXES:
        doc = parse_document(source, "")
        texts, start, in_code = doc.lines, doc.body_start, doc.in_code
        target = _FileTarget(doc.deck or None, doc.tags, doc.diagnostics)
    else:
        texts = tuple(source.text.split("\n"))
        start, in_code = 0, code_lines(texts)
        target = _FileTarget(None)
    lines = []
    for index in range(start, len(texts)):
        text = texts[index]
        # Every heading has a "#"; most lines have none, and are spared the pattern.
        heading = None if in_code[index] or "#" not in text else parse_heading(text)
        lines.append(_Line(index + 1, text, in_code[index], heading[1] if heading else None))
    return tuple(lines), target


def _preamble_end(texts: Sequence[str], start: int) -> tuple[int, _Header]:
    """Index after the site preamble that starts at `start`, and the numbers it states."""
    end = start + 1
    number: str | None = None
    topic: str | None = None
    for index in range(start + 1, min(len(texts), start + 1 + PREAMBLE_LOOKAHEAD)):
        stripped = texts[index].strip()
        if len(stripped) > PREAMBLE_MAX_LINE:
            break
        if ALL_QUESTIONS_RE.match(stripped):
            return index + 1, _Header(number, topic)
        number_match = QUESTION_NUMBER_LINE_RE.match(stripped)
        topic_match = TOPIC_LINE_RE.match(stripped)
        if number_match:
            number, end = number_match.group("number"), index + 1
        elif topic_match:
            topic, end = topic_match.group("topic"), index + 1
        elif CHOICE_RE.match(stripped):
            break
    return end, _Header(number, topic)


def _is_noise(stripped: str) -> bool:
    return NOISE_LINE_RE.match(stripped) is not None


def _votes(stripped: str) -> list[tuple[str, str]]:
    if not VOTES_LINE_RE.match(stripped):
        return []
    return [(m.group("letters"), m.group("share")) for m in VOTE_SHARE_RE.finditer(stripped)]


def _answer_value(value: str) -> str:
    """The answer as written, without bold, the ballot-box emoji, "Most Voted" or `Correct:`."""
    value = without_most_voted(re.sub(r"🗳️?", " ", re.sub(r"\*\*|__|`", " ", value)), MOST_VOTED_RE)
    return ANSWER_PREFIX_RE.sub("", " ".join(value.split())).strip()


def _split_answer(value: str) -> tuple[str, str] | None:
    """(letters, what follows them) for `B`, `BD`, `B, D`, `B. because …`; None for text."""
    match = LETTERS_RE.match(value)
    if match is None:
        return None
    rest = match.group("rest")
    if re.match(r"\s*\w", rest) and not re.match(r"\s*[.):;,\-–—(]", rest):
        return None  # "A single endpoint", "AWS Glue": words, not letters.
    return match.group("letters"), rest.strip().lstrip(".):;,-–—").strip()


def _join(lines: Sequence[str]) -> str:
    """Lines as one Markdown block: each run of blank lines becomes one, ends trimmed."""
    kept: list[str] = []
    for line in lines:
        if line.strip() or (kept and kept[-1]):
            kept.append(line.rstrip() if line.strip() else "")
    while kept and not kept[-1]:
        kept.pop()
    return "\n".join(kept)


def _words(text: str) -> str:
    return " ".join(re.sub(r"[^\w%$]+", " ", text.casefold()).split())


def _starts_choices(choice: re.Match[str]) -> bool:
    """A question's first choice is A, so a stem line such as `I. …` starts no choice list."""
    return (choice.group("paren") or choice.group("letter")) == "A"


def _parse_block(block: _Block, keep_indent: bool) -> _Parts:
    """Sort the block's lines into stem, choices, answers, explanation and votes."""
    parts = _Parts(block.header.number, block.header.topic)
    if block.header.first:
        parts.stem.append(block.header.first)
    state = _State.STEM
    in_votes = False
    texts = [line.text for line in block.lines]
    index = 0
    while index < len(block.lines):
        line = block.lines[index]
        index += 1
        text = line.text.rstrip() if keep_indent or line.literal else line.text.strip()
        stripped = ""
        if not line.literal and len(line.text) <= MAX_SYNTAX_LINE:
            stripped = (line.heading if line.heading is not None else line.text).strip()
            if not stripped:
                # No pattern below matches an empty line (each needs a character): it only
                # ends a vote list. A third of an export's lines are blank.
                in_votes = False
        if stripped:
            stripped = LEADING_SITE_ACTIONS_RE.sub("", stripped)
            if PREAMBLE_RE.match(stripped):
                index, said = _preamble_end(texts, index - 1)
                parts.number = parts.number or said.number
                parts.topic = parts.topic or said.topic
                continue
            if DISCUSSION_START_RE.match(stripped):
                break
            if SEPARATOR_RE.match(stripped):
                if parts.choices or parts.stated or parts.suggested:
                    break
                continue
            number_match = QUESTION_NUMBER_LINE_RE.match(stripped)
            topic_match = TOPIC_LINE_RE.match(stripped)
            if number_match or topic_match:
                # Only right under the header do these describe this question.
                if state is _State.STEM and not parts.stem:
                    if number_match and parts.number is None:
                        parts.number = number_match.group("number")
                    if topic_match and parts.topic is None:
                        parts.topic = topic_match.group("topic")
                continue
            if VOTES_HEADER_RE.match(stripped):
                in_votes = True
                continue
            votes = _votes(stripped)
            if votes or (in_votes and VOTES_LINE_RE.match(stripped)):
                # A bare "Other" counts only under the vote header.
                parts.votes.extend(vote for vote in votes if vote not in parts.votes)
                continue
            in_votes = False
            if _is_noise(stripped):
                continue
            answer = ANSWER_RE.match(stripped)
            if answer:
                value = _answer_value(answer.group("value"))
                if not value and index < len(texts) and LETTERS_ONLY_RE.match(texts[index].strip()):
                    # "Correct Answer:" with the letters on the next line.
                    value = texts[index].strip().rstrip(".")
                    index += 1
                (parts.suggested if answer.group("suggested") else parts.stated).append(value)
                if parts.choices:
                    state = _State.AFTER
                continue
            choice = CHOICE_RE.match(stripped)
            if choice and (
                state is _State.CHOICES or (state is _State.STEM and _starts_choices(choice))
            ):
                letter = choice.group("paren") or choice.group("letter") or ""
                parts.choices.append((letter, [choice.group("text") or ""]))
                state = _State.CHOICES
                continue
        if state is _State.STEM:
            parts.stem.append(text)
        elif state is _State.CHOICES:
            parts.choices[-1][1].append(text if line.literal else text.strip())
        else:
            label = None if line.literal else EXPLANATION_LABEL_RE.match(text.strip())
            parts.explanation.append(text.strip()[label.end() :] if label else text)
    return parts


def _resolve(value: str, texts: Sequence[str], letters: Sequence[str]) -> tuple[str, str]:
    """(answer letters, explanation the answer line adds) for an answer as written."""
    split = _split_answer(value)
    if split is not None:
        found, rest = split
        given = answer_letters(found)
        repeats = len(given) == 1 and given[0] in letters
        if repeats and _words(rest) == _words(texts[letters.index(given[0])]):
            rest = ""  # The answer line only repeats the choice's text.
        return found, rest
    # An answer given as text names a choice when exactly one is close enough.
    match = match_choice(value, texts)
    if match is None:
        return value, ""
    return letters[match.index], match.rest


def _raw_question(block: _Block, parts: _Parts, path: str) -> tuple[RawQuestion, list[Diagnostic]]:
    choices = tuple(
        (letter, without_most_voted(_join(lines), MOST_VOTED_RE).strip())
        for letter, lines in parts.choices
    )
    letters = [letter for letter, _ in choices]
    texts = [text for _, text in choices]
    number = parts.number
    if number is not None and parts.topic not in (None, "1"):
        number = f"{number} (topic {parts.topic})"
    stated = next((value for value in parts.stated if value), "")
    suggested = next((value for value in parts.suggested if value), "")
    answer, rest = _resolve(stated or suggested, texts, letters)
    problems: list[Diagnostic] = []
    if stated and suggested:
        other, _ = _resolve(suggested, texts, letters)
        if sorted(answer_letters(answer)) != sorted(answer_letters(other)):
            label = f"question {number}" if number else "question"
            problems.append(
                Diagnostic(
                    path,
                    block.line,
                    Severity.WARNING,
                    "conflicting-answers",
                    f"{label}: the answer ({stated}) and the suggested answer ({suggested}) "
                    "differ; the answer is used, check the card",
                )
            )
    explanation = [part for part in (rest, _join(parts.explanation)) if part]
    if parts.votes:
        explanation.append(community_votes_line(parts.votes))
    raw = RawQuestion(
        stem=_join(parts.stem),
        choices=choices,
        answer=answer,
        line=block.line,
        explanation="\n\n".join(explanation),
        number=number,
    )
    return raw, problems


def _markdown_header(line: _Line) -> _Header | None:
    """What a question heading says, or None when the line is not one."""
    if line.literal or line.heading is None or len(line.text) > MAX_SYNTAX_LINE:
        return None
    exam = EXAM_HEADING_RE.search(line.heading)
    if exam:
        return _Header(exam.group("number"), exam.group("topic"))
    plain = QUESTION_HEADER_RE.match(line.heading)
    if plain:
        return _Header(plain.group("number"), plain.group("topic"), plain.group("rest") or "")
    return None


def _blocks(lines: Sequence[_Line], starts: Sequence[tuple[int, int, _Header]]) -> list[_Block]:
    """Blocks from (header index, index of the first content line, header) triples."""
    blocks = []
    for position, (at, content, header) in enumerate(starts):
        end = starts[position + 1][0] if position + 1 < len(starts) else len(lines)
        blocks.append(_Block(lines[at].number, header, tuple(lines[content:end])))
    return blocks


def _split_markdown(lines: Sequence[_Line]) -> list[_Block]:
    """One block per question heading."""
    starts: list[tuple[int, int, _Header]] = []
    for index, line in enumerate(lines):
        header = _markdown_header(line)
        if header is not None:
            starts.append((index, index + 1, header))
    return _blocks(lines, starts)


def _split_text(lines: Sequence[_Line]) -> list[_Block]:
    """One block per question header line or site preamble (`Actual exam question from`)."""
    texts = [line.text for line in lines]
    starts: list[tuple[int, int, _Header]] = []
    preamble_end = 0
    for index, line in enumerate(lines):
        if index < preamble_end or line.literal or line.heading is not None:
            continue
        if len(line.text) > MAX_SYNTAX_LINE:
            continue
        stripped = line.text.strip()
        if PREAMBLE_RE.match(stripped):
            preamble_end, header = _preamble_end(texts, index)
            starts.append((index, preamble_end, header))
            continue
        match = QUESTION_HEADER_RE.match(stripped)
        if match:
            header = _Header(match.group("number"), match.group("topic"), match.group("rest") or "")
            starts.append((index, index + 1, header))
    return _blocks(lines, starts)


@lru_cache(maxsize=8)
def _parsed(source: SourceFile, markdown: bool) -> tuple[_FileTarget, tuple[_Parsed, ...]]:
    """Where the file's cards go, and its blocks split as a Markdown export (question headings)
    or a text export (header lines), each sorted into its parts (cached: `claim` and `read`
    parse a file once; neither changes the parts)."""
    lines, target = _file_lines(source)
    blocks = _split_markdown(lines) if markdown else _split_text(lines)
    return target, tuple(
        _Parsed(block, _parse_block(block, keep_indent=markdown)) for block in blocks
    )


def _questions(parsed: Sequence[_Parsed]) -> int:
    """How many blocks a claim counts: those with a choice list that are not `<details>` dumps."""
    return sum(
        1
        for block, parts in parsed
        if len(parts.choices) >= 2 and not any(DETAILS_RE.search(line.text) for line in block.lines)
    )


def _is_structured(source: SourceFile) -> bool:
    if source.path.suffix.lower() in STRUCTURED_SUFFIXES:
        return True
    return source.text.lstrip()[:1] in ("{", "[", "<")


def _read_blocks(source: SourceFile, context: ReadContext, markdown: bool) -> ReadResult:
    file_target, parsed = _parsed(source, markdown=markdown)
    target = QuestionSource(
        source.display_path, file_target.deck or context.default_deck, file_target.tags
    )
    diagnostics: list[Diagnostic] = list(file_target.diagnostics)
    raws: list[RawQuestion] = []
    for block, parts in parsed:
        raw, problems = _raw_question(block, parts, target.path)
        raws.append(raw)
        diagnostics.extend(problems)
    cards, checked = question_cards(raws, target)
    diagnostics.extend(checked)
    diagnostics.sort(key=lambda d: d.line)
    return ReadResult(tuple(cards), tuple(diagnostics))


def _text_claim_score(source: SourceFile) -> int:
    """The text reader's claim worked out in full: 5 a question, none when the file has
    question headings (a Markdown export, for the other reader)."""
    if _is_structured(source):
        return 0
    if _questions(_parsed(source, markdown=True)[1]):
        return 0
    return CLAIM_PER_QUESTION * _questions(_parsed(source, markdown=False)[1])


def _markdown_claim_score(source: SourceFile) -> int:
    """The Markdown reader's claim worked out in full: 5 a question heading."""
    if _is_structured(source):
        return 0
    return CLAIM_PER_QUESTION * _questions(_parsed(source, markdown=True)[1])


class ExamTextExportReader:
    """Reads exam-site plain-text exports: `Question #41 Topic 1` … `Correct Answer: C`."""

    name = "exam-text-export"

    def claim(self, source: SourceFile) -> int:
        # A file with no question header is not an export: one search tells, without parsing.
        if _is_structured(source) or not starts_some_line(TEXT_HEADER_HINT_RE, source.text):
            return 0
        return _text_claim_score(source)

    def read(self, source: SourceFile, context: ReadContext) -> ReadResult:
        return _read_blocks(source, context, markdown=False)


class ExamMarkdownExportReader:
    """Reads exam-site Markdown exports: `## Exam … topic 1 question 12 discussion` headings."""

    name = "exam-markdown-export"

    def claim(self, source: SourceFile) -> int:
        # A file with no question heading is not an export: one search tells, without parsing.
        if _is_structured(source) or not starts_some_line(HEADING_HINT_RE, source.text):
            return 0
        return _markdown_claim_score(source)

    def read(self, source: SourceFile, context: ReadContext) -> ReadResult:
        return _read_blocks(source, context, markdown=True)
