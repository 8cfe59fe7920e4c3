"""Numbered question dumps (FORMATS.md 3d and 3e), in Markdown or plain text.

    1. Which service runs SQL over files in S3 without loading them first?
        - A. Amazon EMR
        - **B. Amazon Athena**
        - C. Amazon Redshift

        <details><summary>Answer</summary>
        Correct answer: B
        Explanation: Athena is serverless and reads S3 directly.
        </details>

A question starts with its number: a numbered list item `1. stem`, `**1.** stem`, `**1. stem**`,
`Q1. stem`, or a heading `### 1. stem` (a numbered heading whose section holds numbered questions
of its own is a section title, not a question). `QUESTION 7` / `Question #7 Topic 1` headers are
exam-site exports (3b, 3c) and left to their reader. Its options are the first
list of lettered lines (`- A. text`, `A) text`, `(a) text`, `**A.** text`), else of nested
numbered lines (`1. text`), else of plain bullets; numbered and plain options are lettered A, B,
C… in order.

The answer comes from either or both of:
- bold: an option whose whole text is bold (`- **B. text**`, `- B. **text**`, `1. **text**`).
  Only the letter in bold (`**B.** text`) is how many dumps style every letter, so it is not a
  mark; nor is a bold word inside the text, nor bold on every option (that is styling).
- an answer line (`Answer:`, `Correct answer:`, `✅ Answer:`) after the options, or the content of
  a `<details>` block whose summary says "Answer": letters (`BD`, `A, C`), a letter with text
  (`B. Use …`), option numbers for numbered options, or the option's text, matched with
  `match_choice` (rewording allowed; what the answer says after naming the option becomes the
  explanation). Text that names no option is `answer-not-matched`: no card.
When two sources disagree (bold says B, the line says C) the question is reported as
`conflicting-answers` and skipped, never settled by guessing.

Not this reader's: checkbox options (`- [x]`, the checkbox reader), files with `#card`
flashcards, and numbered notes whose items have no options and no answer.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache

from builder.diagnostics import Diagnostic, Severity
from builder.discover import SourceFile
from builder.model import CHOOSE_RE, Card, choice_letter, expected_answer_count
from builder.readers.base import ReadContext, ReadResult
from builder.readers.markdown_text import (
    code_lines,
    dedent_block,
    mask_inline_spans,
    parse_document,
    parse_heading,
    starts_some_line,
)
from builder.readers.obsidian import card_tag
from builder.readers.questions import (
    PLACEHOLDER_RE,
    VOTE_SHARE_RE,
    QuestionSource,
    RawQuestion,
    answer_letters,
    community_votes_line,
    duplicate_numbers,
    match_choice,
    question_card,
)

MARKDOWN_SUFFIXES = (".md", ".markdown")
TEXT_SUFFIXES = (".txt",)

# --- where a question starts -------------------------------------------------------------------

LIST_START_RE = re.compile(r"^(?P<indent> {0,3})(?P<num>\d{1,4})[.)](?:\s+(?P<text>.*))?$")
# `Q1. stem`, `Q12: stem`, `Q3` alone. Headers spelled out (`QUESTION 7`, `Question #41 Topic 1`)
# are exam-site exports (FORMATS.md 3b/3c), read by the exam-export readers.
LABEL_START_RE = re.compile(
    r"^Q\s*\.?\s*#?\s*(?P<num>\d{1,4})(?:\s*[.):\-–]\s*|\s*$)(?P<text>.*)$", re.IGNORECASE
)
NUMBER_START_RE = re.compile(r"^(?P<num>\d{1,4})(?:[.)]\s+|[.)]?\s*$)(?P<text>.*)$")
# `**1.** stem`, `**Q1:** stem`, `**2**` (stem below).
BOLD_NUMBER_RE = re.compile(
    r"^(?P<b>\*\*|__)(?P<label>(?:Q\s*\.?\s*#?\s*)?\d{1,4}\s*[.):]?)(?P=b)"
    r"\s*[.):]?\s*(?P<text>.*)$",
    re.IGNORECASE,
)
WHOLE_BOLD_RE = re.compile(r"^(?P<b>\*\*|__)(?P<inner>(?:(?!(?P=b)).)+)(?P=b)\s*$")

# --- options -----------------------------------------------------------------------------------

CHECKBOX_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[[ xX]\]")
LETTERED_RE = re.compile(
    r"^(?P<indent>\s*)(?:[-*+•◦‣]\s+)?(?P<open>\*\*|__)?(?:\((?P<p>[A-Za-z])\)|(?P<l>[A-Za-z])[.):])"
    r"(?P<close>\*\*|__)?(?:\s+(?P<text>.*))?$"
)
NUMBERED_RE = re.compile(
    r"^(?P<indent>\s*)(?:[-*+]\s+)?(?P<open>\*\*|__)?(?P<num>\d{1,2})[.)](?P<close>\*\*|__)?"
    r"(?:\s+(?P<text>.*))?$"
)
BULLET_RE = re.compile(r"^(?P<indent>\s*)[-*+•◦‣](?:\s+(?P<text>.*))?$")
MOST_VOTED_RE = re.compile(r"\s*\(?\bmost voted\b\)?\s*$", re.IGNORECASE)

# --- answers and explanations ------------------------------------------------------------------

BOLD_MARKUP_RE = re.compile(r"\*\*|__|</?(?:b|strong)>", re.IGNORECASE)
ANSWER_LABEL_RE = re.compile(
    r"^[^\w\n]*(?:the\s+)?(?:correct|right|suggested)?\s*(?:answers?|ans)\s*(?:is)?\s*[:：]\s*"
    r"(?P<value>.*?)\s*$",
    re.IGNORECASE,
)
EXPLANATION_LABEL_RE = re.compile(
    r"^[^\w\n]*(?:explanation|reason(?:ing)?|rationale|why)\s*[:：]\s*(?P<rest>.*?)\s*$",
    re.IGNORECASE,
)
# "Correct Answer: BD Explanation: …" on one line, as a one-line <details> gives it.
INLINE_EXPLANATION_RE = re.compile(
    r"\s+(?=(?:\*\*|__)?(?:explanation|reason)\s*(?:\*\*|__)?\s*[:：])", re.IGNORECASE
)
LABEL_HEADING_RE = re.compile(
    r"^\W*(?P<label>(?:correct\s+)?answers?|solution|explanation)\W*$", re.IGNORECASE
)
DETAILS_OPEN_RE = re.compile(r"<details\b", re.IGNORECASE)
DETAILS_CLOSE_RE = re.compile(r"</details\s*>", re.IGNORECASE)
SUMMARY_RE = re.compile(r"<summary\b[^>]*>(?P<text>.*?)</summary\s*>", re.IGNORECASE | re.DOTALL)
DETAILS_TAG_RE = re.compile(r"</?details\b[^>]*>", re.IGNORECASE)
BREAK_TAG_RE = re.compile(r"<br\s*/?>|</?p\b[^>]*>", re.IGNORECASE)
ANSWER_SUMMARY_RE = re.compile(r"answer|solution", re.IGNORECASE)
# "B. Use …", "(B) …", "C, D. Because …", "BD The reason …" (several capitals: not a word).
LETTER_PREFIX_RE = re.compile(
    r"^(?:[Oo]ptions?\s+)?\(?(?P<letters>[A-Za-z](?:\s*(?:,|&|/|\band\b)\s*[A-Za-z])*)\)?"
    r"(?:\s*[.):]\s+|\s+[-–—]\s+|\s+(?=\()|\s*[.):]?\s*$)(?P<rest>.*)$"
    r"|^(?P<caps>[A-Z]{2,6})\s+(?P<caps_rest>.*)$",
    re.DOTALL,
)
NUMBER_ANSWER_RE = re.compile(
    r"^\(?(?:options?\s*)?(?P<nums>\d{1,2}(?:\s*(?:,|&|/|\band\b)\s*\d{1,2})*)\)?"
    r"(?:\s*[.):]\s+(?P<rest>.*)|\s*\.?)$",
    re.IGNORECASE | re.DOTALL,
)
PARENTHESIS_RE = re.compile(
    r"^(?P<head>[^()\n]+?)\s*\((?P<reason>[^()]*)\)[\s.]*(?P<tail>.*)$", re.DOTALL
)
REASON_CLAUSE_RE = re.compile(
    r"^(?P<head>[^\n]+?),?\s+(?P<reason>(?:because|since|as it|as they|so that)\b.*)(?P<tail>)$",
    re.DOTALL | re.IGNORECASE,
)
VOTES_RE = re.compile(r"^\s*(?:[A-Z]{1,6}\s*\(\s*\d{1,3}\s*%\s*\)\s*)+$")

# Exam-site furniture that must reach no field. Each pattern is anchored so that no line,
# however long, makes it backtrack badly.
NOISE_RES = (
    re.compile(r"^\s*(?:[-*_=]\s*){3,}$"),
    re.compile(r"^\W*(?:timestamp|selected answer)\s*:", re.IGNORECASE),
    re.compile(r"^\W*view on\b.{0,80}$", re.IGNORECASE),
    re.compile(r"^\W*\[discussion\]\([^)\s]*\)\W*$", re.IGNORECASE),
    re.compile(
        r"^\W*(?:\d{4}-\d{2}-\d{2}[ T]\d{1,2}:\d{2}(?::\d{2})?"
        r"|discussion"
        r"|(?:reveal|hide|show)\s+(?:the\s+)?(?:solution|answer)"
        r"|community vote distribution"
        r"|upvoted\s+\d+\s+times?|\d+\s+upvotes?|👍\s*\d+"
        r"|topic\s+\d+"
        r"|page\s+\d+(?:\s+of\s+\d+)?"
        r"|question\s+\d+\s+of\s+\d+"
        r")\W*$",
        re.IGNORECASE,
    ),
)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


_ANY_NOISE_RE = re.compile("|".join(f"(?:{p.pattern})" for p in NOISE_RES), re.IGNORECASE)
"""`NOISE_RES` as one pattern (the first has no letter for the case to matter): a line is
tried once rather than five times, 0.6 µs rather than 2.5 µs, for every line of a question."""


def is_noise(line: str) -> bool:
    """True for site furniture: separators, timestamps, "View on …", vote headers, page footers."""
    return bool(line.strip()) and _ANY_NOISE_RE.match(line) is not None


def _dedent(lines: Sequence[str]) -> str:
    return dedent_block(textwrap.dedent("\n".join(lines)).split("\n"))


def _strip_bold(text: str) -> tuple[str, bool]:
    """The text without a bold wrapper around all of it, and whether it had one."""
    stripped = text.strip()
    if stripped.endswith(("**.", "__.")):
        # A period after the bold: `**Amazon Athena**.`
        stripped = stripped[:-1]
    match = WHOLE_BOLD_RE.match(stripped)
    inner = match.group("inner").strip() if match else ""
    return (inner, True) if inner else (text, False)


# --- finding question blocks -------------------------------------------------------------------


@dataclass(slots=True)
class _Block:
    """A question's lines before they are taken apart."""

    start: int
    """Index of the line with the number."""
    number: str
    """The number as digits."""
    first_text: str
    """Stem text on the number's own line."""
    indent: int
    """Indent of a list item's number (0 for headings and paragraph starts)."""
    context: tuple[str, ...]
    """Heading path above the question."""
    body: list[int] = field(default_factory=list)
    """Indexes of the lines after the number's line, up to the next question."""


@dataclass(frozen=True, slots=True)
class _Lines:
    """A file's lines with what the scanners need to know about each."""

    lines: tuple[str, ...]
    """Every line, tabs expanded."""
    start: int
    """Index of the first line after the frontmatter."""
    in_code: tuple[bool, ...]
    """Inside fenced code or math."""
    in_details: tuple[bool, ...]
    """Inside a closed `<details>` block (its tag lines included)."""


def details_ends(lines: Sequence[str], skip: Sequence[bool]) -> list[int | None]:
    """Per line: the index of the line closing the `<details>` it opens, None if none or never.

    One pass: with `depth[k]` the nesting before line k, the block opened on line i closes on
    the line before the first later k whose depth is back at `depth[i]` or below.
    """
    depth = [0]
    for line, skipped in zip(lines, skip, strict=True):
        change = 0
        if not skipped:
            change = len(DETAILS_OPEN_RE.findall(line)) - len(DETAILS_CLOSE_RE.findall(line))
        depth.append(depth[-1] + change)
    back: list[int | None] = [None] * len(depth)
    waiting: list[int] = []
    for k, level in enumerate(depth):
        while waiting and level <= depth[waiting[-1]]:
            back[waiting.pop()] = k
        waiting.append(k)
    ends: list[int | None] = []
    for i, line in enumerate(lines):
        closes_at = back[i]
        opens = not skip[i] and DETAILS_OPEN_RE.search(line) is not None
        ends.append(closes_at - 1 if opens and closes_at is not None else None)
    return ends


def _details_flags(lines: Sequence[str], in_code: Sequence[bool]) -> tuple[bool, ...]:
    flags = [False] * len(lines)
    ends = details_ends(lines, in_code)
    i = 0
    while i < len(lines):
        end = ends[i]
        if end is None:
            # Not an opening, or never closed: then only its own line counts, so it cannot
            # swallow the file.
            flags[i] = flags[i] or (not in_code[i] and DETAILS_OPEN_RE.search(lines[i]) is not None)
            i += 1
            continue
        for j in range(i, end + 1):
            flags[j] = True
        i = end + 1
    return tuple(flags)


def _marked_start(text: str) -> tuple[str, str] | None:
    """(number, stem text) when a paragraph or heading text starts a question by its number."""
    text = text.strip()
    bold = BOLD_NUMBER_RE.match(text)
    if bold is not None:
        digits = re.search(r"\d+", bold.group("label"))
        if digits is not None:
            return digits.group(0), bold.group("text").strip()
    whole = WHOLE_BOLD_RE.match(text)
    if whole is not None:
        text = whole.group("inner").strip()
    match = LABEL_START_RE.match(text)
    if match is not None:
        return match.group("num"), match.group("text").strip()
    return None


def _heading_start(title: str) -> tuple[str, str] | None:
    started = _marked_start(title)
    if started is not None:
        return started
    whole = WHOLE_BOLD_RE.match(title.strip())
    inner = whole.group("inner").strip() if whole else title.strip()
    match = NUMBER_START_RE.match(inner)
    return (match.group("num"), match.group("text").strip()) if match else None


def _paragraph_start(line: str) -> tuple[str, str] | None:
    """A marked start written as a paragraph line: `**1.** …`, `**1. …**`, `Q1. …`."""
    if _indent(line) > 3:
        return None
    stripped = line.strip()
    # Every marked start opens with bold markup or a `Q` (the patterns below): a test that
    # spares most lines of a file four patterns.
    if not stripped.startswith(("**", "__", "Q", "q")):
        return None
    started = _marked_start(stripped)
    if started is not None:
        return started
    whole = WHOLE_BOLD_RE.match(stripped)
    if whole is not None:
        match = NUMBER_START_RE.match(whole.group("inner").strip())
        if match is not None and match.group("text").strip():
            return match.group("num"), match.group("text").strip()
    return None


def _list_blocks(doc: _Lines, body: Sequence[int], context: tuple[str, ...]) -> list[_Block]:
    """Split lines into list-style questions: `1. stem` at the left, options nested deeper."""
    blocks: list[_Block] = []
    current: _Block | None = None
    for i in body:
        line = doc.lines[i]
        if not doc.in_code[i] and not doc.in_details[i]:
            match = LIST_START_RE.match(line)
            if match is not None and (current is None or _indent(line) <= current.indent):
                current = _Block(
                    i,
                    match.group("num"),
                    (match.group("text") or "").strip(),
                    _indent(line),
                    context,
                )
                blocks.append(current)
                continue
        if current is not None:
            current.body.append(i)
    return blocks


@dataclass(frozen=True, slots=True)
class _Segment:
    """Lines from one heading or marked question start to the next."""

    start: int | None
    """Index of the heading or marked start, None for the text before the first."""
    heading: tuple[int, str] | None
    """(level, title) when it starts at a heading."""
    marked: tuple[str, str] | None
    """(number, stem text) when its start names a question number."""
    body: tuple[int, ...]


def _segments(doc: _Lines) -> list[_Segment]:
    segments: list[_Segment] = []
    start: int | None = None
    heading: tuple[int, str] | None = None
    marked: tuple[str, str] | None = None
    body: list[int] = []
    for i in range(doc.start, len(doc.lines)):
        line = doc.lines[i]
        if doc.in_code[i] or doc.in_details[i]:
            body.append(i)
            continue
        found_heading = parse_heading(line)
        found_marked: tuple[str, str] | None = None
        if found_heading is not None:
            title = found_heading[1]
            if LABEL_HEADING_RE.match(title) or is_noise(title):
                body.append(i)
                continue
            found_marked = _heading_start(title)
        else:
            found_marked = _paragraph_start(line)
            if found_marked is None:
                body.append(i)
                continue
        segments.append(_Segment(start, heading, marked, tuple(body)))
        start, heading, marked, body = i, found_heading, found_marked, []
    segments.append(_Segment(start, heading, marked, tuple(body)))
    return segments


def _blocks(doc: _Lines) -> list[tuple[_Block, _Parts]]:
    """Every numbered question block of the file, in order, with its heading path, and what
    it says (each block is taken apart once)."""
    analysed: dict[int, _Parts] = {}  # by the block's first line: no two blocks share one

    def parts(block: _Block) -> _Parts:
        found = analysed.get(block.start)
        if found is None:
            found = analysed[block.start] = _analyse(doc, block)
        return found

    blocks: list[_Block] = []
    path: list[tuple[int, str]] = []
    for segment in _segments(doc):
        level = segment.heading[0] if segment.heading else 7
        if segment.heading is not None:
            path = [p for p in path if p[0] < level]
        above = tuple(title for _, title in path)
        titled = (*above, segment.heading[1]) if segment.heading is not None else above
        inner = _list_blocks(doc, segment.body, titled)
        if segment.start is not None and segment.marked is not None:
            number, text = segment.marked
            block = _Block(segment.start, number, text, 0, above)
            block.body.extend(segment.body)
            # A numbered heading with no question of its own, or over numbered questions, is a
            # section title ("## 1. Storage").
            if _is_candidate(parts(block)) and not any(_is_recognised(parts(b)) for b in inner):
                blocks.append(block)
                continue
        if segment.heading is not None:
            path.append((level, segment.heading[1]))
        blocks.extend(inner)
    return [(block, parts(block)) for block in blocks]


# --- taking a block apart ----------------------------------------------------------------------


class Kind(Enum):
    """How options are written."""

    LETTERED = "lettered"
    NUMBERED = "numbered"
    BULLET = "bullet"


@dataclass(frozen=True, slots=True)
class _Option:
    label: str
    """Letter or number as written; empty for a plain bullet."""
    letter: str
    """The letter the card uses: the written one, or A, B, C… in order."""
    text: str
    """Option text without its letter, bold mark removed (Markdown)."""
    bold: bool
    """The whole option was bold."""


@dataclass(frozen=True, slots=True)
class _Parts:
    """What a question block says, before its answer is resolved."""

    line: int
    number: str
    context: tuple[str, ...]
    stem: str
    kind: Kind | None
    options: tuple[_Option, ...]
    answers: tuple[tuple[str, ...], ...]
    """Each answer line's value lines."""
    after: str
    """Text between the options and the answer (an unlabeled explanation)."""
    explanation: str
    """Labeled or trailing explanation text."""
    votes: str
    """`Community votes: …` line, or empty."""
    has_details: bool
    has_checkbox: bool

    @property
    def bold_letters(self) -> tuple[str, ...]:
        """Letters of whole-bold options, unless every option is bold (styling, not a mark)."""
        marked = tuple(o.letter for o in self.options if o.bold)
        return () if len(marked) == len(self.options) else marked

    @property
    def has_evidence(self) -> bool:
        """Something says which option is right."""
        return bool(self.bold_letters or self.answers or self.has_details)

    @property
    def looks_like_question(self) -> bool:
        return "?" in self.stem or CHOOSE_RE.search(self.stem) is not None


def _option_match(kind: Kind, line: str) -> re.Match[str] | None:
    if CHECKBOX_RE.match(line):
        return None
    if kind is Kind.LETTERED:
        return LETTERED_RE.match(line)
    if kind is Kind.NUMBERED:
        return NUMBERED_RE.match(line)
    if LETTERED_RE.match(line) or NUMBERED_RE.match(line):
        return None
    return BULLET_RE.match(line)


def _is_tail_marker(line: str) -> bool:
    plain = BOLD_MARKUP_RE.sub("", line)
    heading = parse_heading(line)
    if heading is not None and LABEL_HEADING_RE.match(heading[1]):
        return True
    return bool(
        ANSWER_LABEL_RE.match(plain)
        or EXPLANATION_LABEL_RE.match(plain)
        or DETAILS_OPEN_RE.search(line)
    )


@dataclass(frozen=True, slots=True)
class _Run:
    first: int
    """Position (in the region) of the first option line."""
    end: int
    """Position after the last option or continuation line."""
    items: tuple[tuple[re.Match[str], tuple[str, ...]], ...]
    """Each option's match and its continuation lines."""


def _runs(kind: Kind, region: Sequence[str], skip: Sequence[bool]) -> list[_Run]:
    """Consecutive options of one kind; blank and noise lines do not break a run."""
    runs: list[_Run] = []
    items: list[tuple[re.Match[str], list[str]]] = []
    first = end = 0
    base = 0
    joined = False  # the previous line belongs to the current option, directly above

    def close() -> None:
        if items:
            runs.append(_Run(first, end, tuple((m, tuple(c)) for m, c in items)))

    for n, line in enumerate(region):
        if skip[n] or not line.strip():
            # Noise, code and blank lines neither end a run nor continue an option.
            joined = False
            continue
        match = _option_match(kind, line)
        deeper = bool(items) and _indent(line) > base and kind is not Kind.LETTERED
        if match is not None and not deeper:
            if not items:
                first, base = n, _indent(line)
            items.append((match, []))
            end, joined = n + 1, True
            continue
        if items and (joined or deeper) and not _is_tail_marker(line):
            items[-1][1].append(line)
            end = n + 1
            continue
        close()
        items, joined = [], False
    close()
    return runs


def _choose_run(region: Sequence[str], skip: Sequence[bool]) -> tuple[Kind, _Run] | None:
    for kind in (Kind.LETTERED, Kind.NUMBERED):
        for run in _runs(kind, region, skip):
            if len(run.items) >= 2:
                return kind, run
    bullets = [run for run in _runs(Kind.BULLET, region, skip) if len(run.items) >= 2]
    if not bullets:
        return None
    bold = [r for r in bullets if any(_strip_bold(m.group("text") or "")[1] for m, _ in r.items)]
    return Kind.BULLET, (bold or bullets)[-1]


def _options(kind: Kind, run: _Run) -> tuple[_Option, ...]:
    options = []
    for index, (match, more) in enumerate(run.items):
        text = match.group("text") or ""
        if more:
            text = "\n".join([text, textwrap.dedent("\n".join(more))])
        text = MOST_VOTED_RE.sub("", text.strip())
        opened, closed = "", ""
        if kind is not Kind.BULLET:
            opened, closed = match.group("open") or "", match.group("close") or ""
        if opened and not closed and text.endswith(opened):
            # `**B. Amazon Athena**`: the whole option, letter included, is bold.
            text, bold = text[: -len(opened)].strip(), True
        else:
            text, bold = _strip_bold(text)
        if kind is Kind.LETTERED:
            label = match.group("p") or match.group("l") or ""
            letter = label
        elif kind is Kind.NUMBERED:
            label, letter = match.group("num"), choice_letter(index)
        else:
            label, letter = "", choice_letter(index)
        options.append(_Option(label, letter, text, bold))
    return tuple(options)


def _details_lines(lines: Sequence[str]) -> list[str]:
    """A `<details>` block's content as lines; an "Answer" summary labels its first line."""
    html = "\n".join(lines)
    summary = SUMMARY_RE.search(html)
    answer_like = summary is not None and ANSWER_SUMMARY_RE.search(summary.group("text"))
    html = SUMMARY_RE.sub("\n", html)
    html = BREAK_TAG_RE.sub("\n", DETAILS_TAG_RE.sub("\n", html))
    content = html.split("\n")
    # The first line may hold text right after the tags; the rest keeps its relative indent.
    cut = min((_indent(x) for x in content if x.strip()), default=0)
    content = [x[cut:] if _indent(x) >= cut else x.strip() for x in content]
    if answer_like and not any(ANSWER_LABEL_RE.match(BOLD_MARKUP_RE.sub("", x)) for x in content):
        first = next((n for n, x in enumerate(content) if x.strip()), None)
        if first is not None and not EXPLANATION_LABEL_RE.match(content[first]):
            content[first] = "Answer: " + content[first].strip()
    return content


def _tail(lines: Sequence[str]) -> tuple[list[list[str]], list[str], list[str], bool]:
    """(answers as value lines, explanation lines, vote lines, has details) of the tail."""
    flat: list[str] = []
    has_details = False
    ends: list[int | None] | None = None  # worked out at the first `<details>`: most have none
    n = 0
    while n < len(lines):
        line = lines[n]
        if DETAILS_OPEN_RE.search(line):
            if ends is None:
                ends = details_ends(lines, [False] * len(lines))
            end = ends[n]
            stop = end if end is not None else len(lines) - 1
            content = _details_lines(lines[n : stop + 1])
            flat.extend(content)
            has_details = True
            n = stop + 1
            continue
        heading = parse_heading(line)
        if heading is not None:
            label = LABEL_HEADING_RE.match(heading[1])
            if label is not None:
                word = label.group("label").lower()
                flat.append("Explanation:" if word == "explanation" else "Answer:")
                n += 1
                continue
        flat.append(line)
        n += 1

    answers: list[list[str]] = []
    explanation: list[str] = []
    votes: list[str] = []
    state = ""  # "answer": collecting the value lines; "pending": label had no value yet
    for line in flat:
        plain = BOLD_MARKUP_RE.sub("", line)
        if VOTES_RE.match(line):
            votes.append(line.strip())
            continue
        if is_noise(line):
            continue
        answer = ANSWER_LABEL_RE.match(plain)
        if answer is not None:
            value, *inline = INLINE_EXPLANATION_RE.split(answer.group("value"), maxsplit=1)
            answers.append([value.strip()] if value.strip() else [])
            state = "answer" if value.strip() else "pending"
            for rest in inline:
                label = EXPLANATION_LABEL_RE.match(BOLD_MARKUP_RE.sub("", rest))
                explanation.append(label.group("rest") if label else rest)
                state = ""
            continue
        label = EXPLANATION_LABEL_RE.match(plain)
        if label is not None:
            explanation.append(label.group("rest"))
            state = ""
            continue
        if state == "pending":
            if line.strip():
                answers[-1].append(line.strip())
                state = "answer"
            continue
        if state == "answer":
            if line.strip():
                answers[-1].append(line.strip())
                continue
            state = ""
        explanation.append(line)
    return answers, explanation, votes, has_details


def _votes_line(votes: Sequence[str]) -> str:
    shares = [(m["letters"], m["share"]) for vote in votes for m in VOTE_SHARE_RE.finditer(vote)]
    return community_votes_line(shares)


def _analyse(doc: _Lines, block: _Block) -> _Parts:
    """Stem, options, answer lines and explanation of one block."""
    region = [doc.lines[i] for i in block.body]
    code = [doc.in_code[i] for i in block.body]
    tail_at = next(
        (n for n, line in enumerate(region) if not code[n] and _is_tail_marker(line)), len(region)
    )
    head = region[:tail_at]
    skip = [code[n] or is_noise(x) or bool(VOTES_RE.match(x)) for n, x in enumerate(head)]
    has_checkbox = any(not code[n] and CHECKBOX_RE.match(x) for n, x in enumerate(head))
    chosen = _choose_run(head, skip)
    if chosen is None:
        kind: Kind | None = None
        options: tuple[_Option, ...] = ()
        stem_end = after_start = tail_at
    else:
        kind, run = chosen
        options = _options(kind, run)
        stem_end, after_start = run.first, run.end
    stem_lines = [x for n, x in enumerate(head[:stem_end]) if code[n] or not is_noise(x)]
    stem = "\n".join(p for p in (block.first_text, _dedent(stem_lines)) if p)
    after_lines = [
        x for n, x in enumerate(head[after_start:], after_start) if code[n] or not skip[n]
    ]
    votes = [x for x in head if VOTES_RE.match(x)]
    answers, explanation, tail_votes, has_details = _tail(region[tail_at:])
    return _Parts(
        line=block.start + 1,
        number=block.number,
        context=block.context,
        stem=stem,
        kind=kind,
        options=options,
        answers=tuple(tuple(a) for a in answers),
        after=_dedent(after_lines),
        explanation=_dedent(explanation),
        votes=_votes_line([*votes, *tail_votes]),
        has_details=has_details,
        has_checkbox=has_checkbox,
    )


def _is_recognised(parts: _Parts) -> bool:
    """A question this reader is sure of: options and something that says which is right."""
    if parts.has_checkbox or len(parts.options) < 2 or not parts.has_evidence:
        return False
    return parts.kind is not Kind.BULLET or parts.looks_like_question or bool(parts.answers)


def _is_candidate(parts: _Parts) -> bool:
    """A question worth a card or a diagnostic (rather than a numbered note)."""
    if parts.has_checkbox:
        return False
    if len(parts.options) >= 2 and parts.kind is not Kind.BULLET:
        return True
    if len(parts.options) >= 2 and (parts.looks_like_question or parts.has_evidence):
        return True
    return bool(parts.answers or parts.has_details or PLACEHOLDER_RE.match(parts.stem.strip()))


# --- resolving the answer ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Answer:
    letters: tuple[str, ...]
    """Upper-case letters, possibly not among the choices (question_card reports those)."""
    rest: str
    """What the answer says beyond naming the option."""


def _letters_among(letters: Sequence[str], options: Sequence[_Option]) -> bool:
    known = {o.letter.upper() for o in options}
    return bool(letters) and all(letter in known for letter in letters)


def _drop_option_text(rest: str, letters: Sequence[str], options: Sequence[_Option]) -> str:
    """`B. Amazon Athena. It is serverless` → `It is serverless` when B is Amazon Athena."""
    if not rest.strip():
        return ""
    match = match_choice(rest, [o.text for o in options])
    if match is not None and options[match.index].letter.upper() in letters:
        return match.rest
    return rest


def _split_reason(text: str, options: Sequence[_Option]) -> tuple[int, str] | None:
    """(option index, reason) for "Amazon Transcribe (Polly speaks)" or "Add X, because …".

    The aside or the clause explains; the text before it names the option.
    """
    for split in (PARENTHESIS_RE.match(text), REASON_CLAUSE_RE.match(text)):
        if split is None:
            continue
        match = match_choice(split["head"], [o.text for o in options])
        if match is not None:
            reason = split["reason"].strip()
            reason = reason[:1].upper() + reason[1:]
            rest = "\n".join(p for p in (match.rest, reason, split["tail"]) if p.strip())
            return match.index, rest
    return None


def _reason(text: str, options: Sequence[_Option], index: int) -> str:
    """What a text answer matched as a whole says beyond the option it names."""
    split = _split_reason(text, options)
    if split is not None and split[0] == index:
        return split[1]
    option = options[index].text.strip()
    if text.casefold().startswith(option.casefold()):
        rest = text[len(option) :].strip(" \n,;:.-–—")
        return rest[:1].upper() + rest[1:]
    return ""


def _split_answers(text: str, count: int, options: Sequence[_Option]) -> _Answer | None:
    """Several options named in one text answer, when the stem asks for that many."""
    for pattern in (r"\s*\n\s*(?:[-*+•]\s+)?|\s*;\s*", r"\s*\n\s*|\s*[;,]\s*|\s+and\s+"):
        parts = [p.strip(" -*•.") for p in re.split(pattern, text) if p.strip(" -*•.")]
        if len(parts) != count:
            continue
        found = [match_choice(p, [o.text for o in options]) for p in parts]
        indexes = [m.index for m in found if m is not None]
        if len(indexes) == count and len(set(indexes)) == count:
            letters = tuple(options[i].letter.upper() for i in sorted(indexes))
            return _Answer(letters, "")
    return None


def _resolve(value: Sequence[str], parts: _Parts) -> _Answer | None:
    """The letters one answer line names, or None when its text names no option."""
    options = parts.options
    first, more = value[0].strip(), "\n".join(value[1:])
    if parts.kind is Kind.NUMBERED:
        numbers = NUMBER_ANSWER_RE.match(first)
        by_number = {int(o.label): o.letter.upper() for o in options if o.label.isdigit()}
        if numbers is not None:
            nums = [int(n) for n in re.findall(r"\d+", numbers.group("nums"))]
            if nums and all(n in by_number for n in nums):
                letters = tuple(dict.fromkeys(by_number[n] for n in nums))
                rest = _drop_option_text(numbers.group("rest") or "", letters, options)
                return _Answer(letters, "\n".join(p for p in (rest, more) if p))
    letters = answer_letters(first)
    if _letters_among(letters, options):
        return _Answer(letters, more)
    prefix = LETTER_PREFIX_RE.match(first)
    if prefix is not None:
        named = answer_letters(prefix.group("letters") or prefix.group("caps") or "")
        if _letters_among(named, options):
            rest = prefix.group("rest") if prefix.group("letters") else prefix.group("caps_rest")
            rest = _drop_option_text(rest or "", named, options)
            return _Answer(named, "\n".join(p for p in (rest, more) if p))
    text = "\n".join(value)
    bullets = [BULLET_RE.match(line) for line in value]
    if len(value) > 1 and all(bullets):
        # An answer list, one option per bullet: each must name a different option.
        return _split_answers(text, len(value), options)
    expected = expected_answer_count(parts.stem)
    if expected is not None and expected > 1:
        several = _split_answers(text, expected, options)
        if several is not None:
            return several
    match = match_choice(text, [o.text for o in options])
    if match is not None:
        rest = match.rest or _reason(text, options, match.index)
        return _Answer((options[match.index].letter.upper(),), rest[:1].upper() + rest[1:])
    split = _split_reason(text, options)
    if split is not None:
        index, rest = split
        return _Answer((options[index].letter.upper(),), rest)
    known = {o.letter.upper() for o in options}
    # "E" when the choices end at D is a wrong letter (question_card says so); "EMR" is a word.
    if len(letters) == 1 or (letters and known & set(letters)):
        return _Answer(letters, more)
    return None


def _raw_question(parts: _Parts, path: str) -> tuple[RawQuestion | None, list[Diagnostic]]:
    """The question with its answer resolved, or None and why."""
    label = f"question {parts.number}"
    resolved: list[_Answer] = []
    for value in parts.answers:
        if not value:
            continue
        answer = _resolve(value, parts)
        if answer is None:
            return None, [
                Diagnostic(
                    path,
                    parts.line,
                    Severity.WARNING,
                    "answer-not-matched",
                    f"{label}: the answer '{value[0][:60]}' names none of the choices; skipped",
                )
            ]
        resolved.append(answer)
    sources = [set(a.letters) for a in resolved]
    if parts.bold_letters:
        sources.append({letter.upper() for letter in parts.bold_letters})
    if any(s != sources[0] for s in sources[1:]):
        said = "; ".join(", ".join(sorted(s)) for s in sources)
        return None, [
            Diagnostic(
                path,
                parts.line,
                Severity.WARNING,
                "conflicting-answers",
                f"{label}: the dump gives different answers ({said}); skipped",
            )
        ]
    if resolved:
        letters = resolved[0].letters
    else:
        letters = tuple(letter.upper() for letter in parts.bold_letters)
    explanation = "\n\n".join(
        p for p in (parts.after, *(a.rest.strip() for a in resolved), parts.explanation) if p
    )
    if parts.votes:
        explanation = "\n\n".join(p for p in (explanation, parts.votes) if p)
    raw = RawQuestion(
        stem=parts.stem,
        choices=tuple((o.letter, o.text) for o in parts.options),
        answer=", ".join(letters),
        line=parts.line,
        explanation=explanation,
        number=parts.number,
    )
    return raw, []


# --- the reader --------------------------------------------------------------------------------

# What `claim` searches for first: a file lacking one or the other holds no question.
QUESTION_START_HINT_RE = re.compile(
    r"\n[^\S\n]*(?:#+[^\S\n]*)?(?:(?:\*\*|__)[^\S\n]*)?(?:q(?:[^\S\n]|[.#])*)?\d", re.IGNORECASE
)
"""How every line starting a question begins, with more room, for `starts_some_line`: a list
item (`LIST_START_RE`), a paragraph or heading whose text, bold or not, starts with a number or
`Q` and a number (`BOLD_NUMBER_RE`, `LABEL_START_RE`, `NUMBER_START_RE`)."""
ANSWER_LABEL_HINT_RE = re.compile(r"ans(?:wers?)?[^\S\n]*(?:is)?[^\S\n]*[:：]", re.IGNORECASE)
"""What `ANSWER_LABEL_RE` needs, in a line without bold or tags."""
ANSWER_HEADING_HINT_RE = re.compile(
    r"\n[^\S\n]*#[^\w\n]*(?:correct[^\S\n]+)?(?:answers?|solution)", re.IGNORECASE
)
"""An answer heading (`LABEL_HEADING_RE`), for `starts_some_line`."""


def _may_mark_answers(text: str) -> bool:
    """False when nothing in the text can say which option is right: no bold (an option in
    bold, or bold inside an answer label), no `<details>` or `<b>` tag, no answer label and no
    answer heading."""
    return (
        "**" in text
        or "__" in text
        or "<" in text
        or ANSWER_LABEL_HINT_RE.search(text) is not None
        or starts_some_line(ANSWER_HEADING_HINT_RE, text)
    )


@lru_cache(maxsize=4)
def _lines(text: str, body_start: int) -> _Lines:
    """The file's lines (cached: `claim` and `read` scan them once)."""
    lines = tuple(line.expandtabs(4) for line in text.split("\n"))
    in_code = (True,) * body_start + code_lines(lines[body_start:])
    # Most files hold no `<details>`: one search of the text tells, rather than two per line.
    if DETAILS_OPEN_RE.search(text) is None:
        return _Lines(lines, body_start, in_code, (False,) * len(lines))
    return _Lines(lines, body_start, in_code, _details_flags(lines, in_code))


@lru_cache(maxsize=4)
def _questions(text: str, body_start: int) -> tuple[tuple[_Block, _Parts], ...]:
    """Every question block and what it says (cached: `claim` and `read` take them apart once;
    neither changes them)."""
    return tuple(_blocks(_lines(text, body_start)))


def _body_start(source: SourceFile) -> int:
    if source.path.suffix.lower() in MARKDOWN_SUFFIXES:
        return parse_document(source, "").body_start
    return 0


def _claim_score(source: SourceFile) -> int:
    """The claim worked out in full: 5 for each question the reader is sure of, none in a file
    with `#card` flashcards."""
    if source.path.suffix.lower() not in MARKDOWN_SUFFIXES + TEXT_SUFFIXES:
        return 0
    body_start = _body_start(source)
    if _has_card_tags(_lines(source.text, body_start)):
        return 0
    return 5 * sum(1 for _, parts in _questions(source.text, body_start) if _is_recognised(parts))


def _has_card_tags(doc: _Lines) -> bool:
    return any(
        not doc.in_code[i] and card_tag(mask_inline_spans(doc.lines[i]))
        for i in range(doc.start, len(doc.lines))
    )


class NumberedQuestionReader:
    """Reads numbered questions with bold-marked options, answer lines or `<details>` answers."""

    name = "numbered-questions"

    def claim(self, source: SourceFile) -> int:
        if source.path.suffix.lower() not in MARKDOWN_SUFFIXES + TEXT_SUFFIXES:
            return 0
        # A question the reader is sure of starts with a number and has something marking its
        # answer; most files lack one or the other, which two searches tell without parsing.
        if not starts_some_line(QUESTION_START_HINT_RE, source.text):
            return 0
        if not _may_mark_answers(source.text):
            return 0
        return _claim_score(source)

    def read(self, source: SourceFile, context: ReadContext) -> ReadResult:
        diagnostics: list[Diagnostic] = []
        if source.path.suffix.lower() in MARKDOWN_SUFFIXES:
            markdown = parse_document(source, context.default_deck)
            target = QuestionSource(source.display_path, markdown.deck, markdown.tags)
            diagnostics.extend(markdown.diagnostics)
            body_start = markdown.body_start
        else:
            target = QuestionSource(source.display_path, context.default_deck)
            body_start = 0
        cards: list[Card] = []
        questions: list[RawQuestion] = []
        found: list[Diagnostic] = []
        for _, parts in _questions(source.text, body_start):
            if not _is_candidate(parts):
                continue
            raw, problems = _raw_question(parts, target.path)
            found.extend(problems)
            if raw is None:
                questions.append(RawQuestion(parts.stem, (), "", parts.line, number=parts.number))
                continue
            questions.append(raw)
            card, problems = question_card(raw, target, parts.context)
            found.extend(problems)
            if card is not None:
                cards.append(card)
        found.extend(duplicate_numbers(questions, target.path))
        found.sort(key=lambda d: d.line)
        return ReadResult(tuple(cards), tuple(diagnostics + found))
