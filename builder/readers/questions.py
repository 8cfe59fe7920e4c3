"""Shared by every question-dump reader: turn what a dump says into a checked multiple-choice card.

Readers only find the parts (stem, lettered choices, answer letters, explanation); this module
decides whether they make a card that is right, and reports with file and line when they do not.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from builder.diagnostics import Diagnostic, Severity
from builder.model import Card, Choice, MultipleChoice, SourceRef, expected_answer_count

PLACEHOLDER_RE = re.compile(
    r"^\W*(?:tbd|todo|placeholder|question( text)?( here)?|lorem ipsum.*|\.\.\.|…|n/?a|xxx+)\W*$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class RawQuestion:
    """A question as a dump states it, before any checking."""

    stem: str
    """The question text (Markdown)."""
    choices: tuple[tuple[str, str], ...]
    """(letter as written, text) in source order; letters may be out of order."""
    answer: str
    """The answer as written: letters such as `B`, `BD`, `A, C`, or empty when none was found."""
    line: int
    """1-based line where the question starts."""
    explanation: str = ""
    """Why the answer is right, and community votes when the dump has them (Markdown)."""
    number: str | None = None
    """The question's number in the dump, as written, for duplicate-number checks."""
    context: tuple[str, ...] = ()
    """Headings or section fields around the question (`Domain 3: Modeling`), outermost first."""


@dataclass(frozen=True, slots=True)
class QuestionSource:
    """Where the questions of one file go."""

    path: str
    """File path as shown to the user."""
    deck: str
    """Deck for the cards."""
    tags: tuple[str, ...] = ()
    """Tags for every card of the file."""


def answer_letters(answer: str) -> tuple[str, ...]:
    """`"BD"`, `"B, D"`, `"b and d"` → `("B", "D")`; order kept, repeats dropped.

    Anything that is not just letters (an answer given as text) gives `()`: readers match
    text answers to choices themselves.
    """
    text = answer.strip().rstrip(".")
    if re.fullmatch(r"[A-Z]{1,8}|[a-z]", text):
        letters = list(text.upper())
    else:
        parts = [p for p in re.split(r"\s*(?:,|;|/|&|\+|\band\b|\s)\s*", text) if p]
        if not parts or not all(re.fullmatch(r"[A-Za-z]", p) for p in parts):
            return ()
        letters = [p.upper() for p in parts]
    return tuple(dict.fromkeys(letters))


def question_card(
    raw: RawQuestion, source: QuestionSource, context: Sequence[str] = ()
) -> tuple[Card | None, list[Diagnostic]]:
    """A checked multiple-choice card, or None and the reason, with file and line."""
    problems: list[Diagnostic] = []

    def problem(code: str, message: str, severity: Severity = Severity.WARNING) -> None:
        problems.append(Diagnostic(source.path, raw.line, severity, code, message))

    label = f"question {raw.number}" if raw.number else "question"
    stem = raw.stem.strip()
    if not stem:
        problem("no-stem", f"{label} has no text; skipped")
        return None, problems
    if PLACEHOLDER_RE.match(stem):
        problem("placeholder-question", f"{label} is a placeholder ('{stem[:40]}'); skipped")
        return None, problems
    if len(raw.choices) < 2:
        problem("too-few-choices", f"{label} has {len(raw.choices)} choice(s); skipped")
        return None, problems
    letters = [letter.strip().upper() for letter, _ in raw.choices]
    if len(set(letters)) != len(letters):
        problem("duplicate-choice-letter", f"{label} lists a choice letter twice; skipped")
        return None, problems
    empty = [
        letter for letter, (_, text) in zip(letters, raw.choices, strict=True) if not text.strip()
    ]
    if empty:
        problem("empty-choice", f"{label}: choice {', '.join(empty)} has no text; skipped")
        return None, problems
    given = answer_letters(raw.answer)
    if not given:
        problem("no-answer", f"{label} has no answer; skipped rather than packaged without one")
        return None, problems
    unknown = [letter for letter in given if letter not in letters]
    if unknown:
        problem(
            "unknown-answer-letter",
            f"{label}: answer {', '.join(unknown)} is not one of the choices "
            f"{', '.join(letters)}; skipped",
        )
        return None, problems
    expected = expected_answer_count(stem)
    if expected is not None and expected != len(given):
        problem(
            "answer-count-mismatch",
            f"{label} asks for {expected} answers but the dump gives {len(given)} "
            f"({', '.join(given)}); check the card",
        )
    # Choices are shown in letter order, whatever order the dump listed them in.
    ordered = sorted(zip(letters, (text for _, text in raw.choices), strict=True))
    choices = tuple(Choice(text.strip(), letter in given) for letter, text in ordered)
    card = Card(
        MultipleChoice(stem, choices, raw.explanation.strip()),
        source.deck,
        SourceRef(source.path, raw.line),
        tuple(context) or raw.context,
        source.tags,
    )
    return card, problems


def question_cards(
    questions: Sequence[RawQuestion], source: QuestionSource
) -> tuple[list[Card], list[Diagnostic]]:
    """Every question of a file checked into cards, plus the notes on repeated numbers."""
    cards: list[Card] = []
    diagnostics: list[Diagnostic] = []
    for raw in questions:
        card, problems = question_card(raw, source)
        diagnostics.extend(problems)
        if card is not None:
            cards.append(card)
    diagnostics.extend(duplicate_numbers(questions, source.path))
    return cards, diagnostics


def duplicate_numbers(questions: Sequence[RawQuestion], path: str) -> list[Diagnostic]:
    """An info note for each question number already used earlier in the same file."""
    seen: dict[str, int] = {}
    notes = []
    for raw in questions:
        if raw.number is None:
            continue
        if raw.number in seen:
            notes.append(
                Diagnostic(
                    path,
                    raw.line,
                    Severity.INFO,
                    "duplicate-question-number",
                    f"question number {raw.number} is used again "
                    f"(first at line {seen[raw.number]}); both are read",
                )
            )
        else:
            seen[raw.number] = raw.line
    return notes


@dataclass(frozen=True, slots=True)
class ChoiceMatch:
    """Which choice a text answer names, and what the answer says beyond that."""

    index: int
    """Position of the matched choice."""
    rest: str
    """The rest of the answer (an explanation); empty when the answer was only the choice."""
    score: float
    """How closely the answer's naming part matched the choice, 0 to 1."""


MIN_MATCH_SCORE = 0.75
MIN_MATCH_MARGIN = 0.08
SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+|\n+|\s+[-–—]\s+|:\s+")


# Words that name no choice: "Amazon Transcribe" and "Transcribe" are the same answer.
FILLER_WORDS = frozenset({"amazon", "aws", "the", "a", "an", "use", "using"})


def _words(text: str) -> str:
    text = re.sub(r"[*_`~=]+", "", text).casefold()
    words = re.sub(r"[^\w\s%$.]", " ", text).replace(". ", " ").strip(" .").split()
    return " ".join(w for w in words if w not in FILLER_WORDS) or " ".join(words)


def _similarity(a: str, b: str) -> float:
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return 0.0
    ratio = SequenceMatcher(None, wa, wb, autojunk=False).ratio()
    # Every word of the choice inside the answer ("Use dropout layers" names "dropout").
    sa, sb = set(wa.split()), set(wb.split())
    contained = 0.9 if sb <= sa and len(sb) >= max(1, len(sa) // 2) else 0.0
    return max(ratio, contained)


def match_choice(answer: str, choices: Sequence[str]) -> ChoiceMatch | None:
    """The choice a free-text answer names, even reworded a little or followed by an explanation.

    None when no choice is close enough, or when two are about equally close.
    """
    answer = answer.strip()
    if not answer or not choices:
        return None
    pieces = SENTENCE_END_RE.split(answer, maxsplit=1)
    head, tail = (pieces[0], pieces[1] if len(pieces) > 1 else "")
    scored = []
    for index, choice in enumerate(choices):
        head_score = _similarity(head, choice)
        whole_score = _similarity(answer, choice)
        if whole_score > head_score:
            scored.append((whole_score, index, ""))
        else:
            scored.append((head_score, index, tail.strip()))
    scored.sort(key=lambda s: -s[0])
    best_score, best_index, rest = scored[0]
    runner_up = scored[1][0] if len(scored) > 1 else 0.0
    if best_score < MIN_MATCH_SCORE or best_score - runner_up < MIN_MATCH_MARGIN:
        return None
    return ChoiceMatch(best_index, rest, best_score)


VOTE_SHARE_RE = re.compile(r"(?P<letters>[A-Z]{1,8})\s*\(\s*(?P<share>\d{1,3})\s*%\s*\)")
"""One community vote share as exam sites print it: `C (71%)`."""


def ends_most_voted(text: str, badge: re.Pattern[str]) -> bool:
    """Whether `badge` (a reader's pattern of a "Most Voted" badge at the end of a text,
    case-blind) finds one in the text."""
    # Every such badge ends in "d" or "D" (the only characters `(?i)d` matches) before
    # whitespace: a text that does not is spared the search from every position (1.7 µs a
    # choice).
    return text.rstrip()[-1:] in ("d", "D") and badge.search(text) is not None


def without_most_voted(text: str, badge: re.Pattern[str]) -> str:
    """The text without the "Most Voted" badge `badge` finds at its end."""
    return badge.sub("", text) if ends_most_voted(text, badge) else text


def community_votes_line(shares: Sequence[tuple[str, int | str]]) -> str:
    """`"Community votes: C 71%, B 29%"`, or "" when there are no shares; kept in explanations."""
    if not shares:
        return ""
    return "Community votes: " + ", ".join(f"{letters} {share}%" for letters, share in shares)
