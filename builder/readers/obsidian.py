"""Obsidian notes with flashcards-obsidian syntax: `#card` blocks, inline `::` cards, cloze."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, replace
from enum import Enum

from builder.diagnostics import Diagnostic, Severity
from builder.discover import SourceFile
from builder.model import QA, Card, Choice, Cloze, MultipleChoice, SourceRef
from builder.readers.base import ReadContext, ReadResult
from builder.readers.html_questions import is_html_page
from builder.readers.markdown_text import (
    MarkdownDocument,
    dedent_block,
    mask_inline_spans,
    parse_document,
)
from builder.readers.questions import answer_letters, match_choice

# `#card-reverse` and the hierarchical-tag spelling `#card/reverse` are the same.
CARD_TAG_RE = re.compile(r"(?<!\S)#card(?:[-/](reverse|spaced|reminder))?(?!\S)")
OTHER_TAG_RE = re.compile(r"(?<![\S])#([^\s#\d][^\s#]*)")
INLINE_CARD_RE = re.compile(r"^(?P<front>.*?\S)\s*(?P<sep>:::|::)\s*(?P<back>\S.*)$")
BLOCK_ID_RE = re.compile(r"\s\^([A-Za-z0-9][A-Za-z0-9-]*)\s*$")
ID_COMMENT_RE = re.compile(r"<!--\s*(?:anki)?ID:\s*(\d+)\s*-->", re.IGNORECASE)
# Cloze marks in the plugin's three spellings plus Anki's own.
CLOZE_RE = re.compile(
    r"==(?P<mark>[^=\n]+?)==|\{\{c(?P<anki_n>\d+)::(?P<anki>.+?)\}\}"
    r"|\{(?P<num>\d+):(?P<numbered>[^{}\n]+?)\}|\{(?P<plain>[^{}\n:]+?)\}"
)
OPTION_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)]|[A-Ha-h][.)])\s+(?:\[[ xX]\]\s+)?(?P<text>\S.*)$")
# "B", "B. Athena …", "Answer: A and C" on the back of an Obsidian question.
LETTER_ANSWER_RE = re.compile(
    r"^\s*(?:answer\s*:?\s*)?\(?(?P<letters>[A-H](?:\s*(?:,|and|&)\s*[A-H])*)\)?"
    r"(?:[.):]\s+|\s*$)(?P<rest>.*)",
    re.IGNORECASE | re.DOTALL,
)
CLAIM_HINT_RE = re.compile(r"#card|::|==")
ARN_END_RE = re.compile(r"(?:^|\s)arn:\S*$", re.IGNORECASE)
"""An ARN running up to the separator: `arn:aws:s3:::bucket` holds `:::` but is no card."""
"""What a line scoring in `claim` must hold: the tag, an inline card's separator or a cloze mark.
Masking only blanks characters out, so a line without these scores nothing."""


class Start(Enum):
    """How a `#card` block begins."""

    HEADING = "heading"
    LINE = "line"
    OWN_LINE = "own-line"
    INLINE = "inline"


@dataclass(frozen=True, slots=True)
class _Block:
    """A card's position in the file before its text is cut out."""

    kind: Start
    first: int
    """Index of the first front line."""
    marker_line: int
    """Index of the line holding `#card` (or the inline card line)."""
    reverse: bool
    skip: bool
    tags: tuple[str, ...]


class ObsidianReader:
    """Reads the flashcards-obsidian plugin's syntax; text outside card blocks is not a card."""

    name = "obsidian"

    def claim(self, source: SourceFile) -> int:
        # Most files are not Obsidian notes: one search tells, without parsing them. A saved
        # web page never is, whatever `::` its CSS (`a::before`) holds.
        if CLAIM_HINT_RE.search(source.text) is None or is_html_page(source):
            return 0
        return _claim_score(source)

    def read(self, source: SourceFile, context: ReadContext) -> ReadResult:
        doc = parse_document(source, context.default_deck)
        blocks = _find_blocks(doc)
        cards: list[Card] = []
        diagnostics: list[Diagnostic] = list(doc.diagnostics)
        used: set[int] = set()
        starts = frozenset(b.first for b in blocks)
        paths = _HeadingPaths(doc)
        for block in blocks:
            end = _block_end(doc, block, starts)
            used.update(range(block.first, end))
            if block.skip:
                continue
            card, notes = _block_card(doc, block, end, paths)
            diagnostics.extend(notes)
            if card is not None:
                cards.append(card)
        cards.extend(_cloze_cards(doc, used, paths))
        cards = _with_frontmatter_ids(cards, doc.meta.get("flashcards"))
        cards.sort(key=lambda c: c.source.line)
        return ReadResult(tuple(cards), tuple(diagnostics))


def _claim_score(source: SourceFile) -> int:
    """The claim worked out in full: 3 for each `#card` line, 2 for each inline card or cloze
    line outside code."""
    doc = parse_document(source, "")
    score = 0
    for i in range(doc.body_start, len(doc.lines)):
        if doc.in_code[i]:
            continue
        masked = mask_inline_spans(doc.lines[i])
        if card_tag(masked):
            score += 3
        elif _inline_card(masked) or ("==" in masked and CLOZE_RE.search(masked)):
            score += 2
    return score


def _with_frontmatter_ids(cards: list[Card], id_map: object) -> list[Card]:
    """Cards named in the plugin's `flashcards:` frontmatter map keep the id it records.

    The map's keys are card anchors (`q-1a2b`, already the card's marker) or card fronts; a
    card found by its front gets the recorded id as its identity marker.
    """
    if not isinstance(id_map, dict):
        return cards
    by_key = {str(key).strip(): str(value).strip() for key, value in id_map.items()}
    updated = []
    for card in cards:
        front = card.content.front if isinstance(card.content, QA) else None
        if card.marker is None and front is not None and by_key.get(front.strip()):
            card = replace(card, marker=by_key[front.strip()])
        updated.append(card)
    return updated


def _inline_card(masked_line: str) -> re.Match[str] | None:
    # Most lines have no `::`: the test costs 0.1 µs, the pattern 3 µs a line.
    if "::" not in masked_line or "{{c" in masked_line:
        return None
    if masked_line.lstrip().startswith(("#", ">", "|")):
        return None
    match = INLINE_CARD_RE.match(masked_line)
    if match is not None and ARN_END_RE.search(match.group("front")):
        return None  # `arn:aws:s3:::bucket` is an S3 ARN, not a card
    return match


def card_tag(masked_line: str) -> re.Match[str] | None:
    """`CARD_TAG_RE` in the line; most lines have no `#card`, which a substring test tells
    in 0.1 µs rather than the pattern's 2 µs."""
    return CARD_TAG_RE.search(masked_line) if "#card" in masked_line else None


def _strip_tags(text: str) -> tuple[str, tuple[str, ...]]:
    """Text without `#card…` and other `#tags`, and the other tags."""
    text = CARD_TAG_RE.sub("", text)
    tags = tuple(m.group(1) for m in OTHER_TAG_RE.finditer(text))
    return OTHER_TAG_RE.sub("", text).strip(), tags


def _find_blocks(doc: MarkdownDocument) -> list[_Block]:
    blocks: list[_Block] = []
    for i in range(doc.body_start, len(doc.lines)):
        if doc.in_code[i]:
            continue
        line = doc.lines[i]
        masked = mask_inline_spans(line)
        tag = card_tag(masked)
        if tag is None:
            if _inline_card(masked) and not doc.heading(i):
                blocks.append(_Block(Start.INLINE, i, i, False, False, ()))
            continue
        variant = tag.group(1)
        reverse, skip = variant == "reverse", variant in ("spaced", "reminder")
        _, tags = _strip_tags(masked)
        if doc.heading(i):
            blocks.append(_Block(Start.HEADING, i, i, reverse, skip, tags))
        elif _strip_tags(masked)[0]:
            blocks.append(_Block(Start.LINE, i, i, reverse, skip, tags))
        else:
            first = i
            while first - 1 >= doc.body_start and doc.lines[first - 1].strip():
                first -= 1
                if doc.heading(first):
                    break
            blocks.append(_Block(Start.OWN_LINE, first, i, reverse, skip, tags))
    return blocks


def _block_end(doc: MarkdownDocument, block: _Block, starts: frozenset[int]) -> int:
    """Index one past the block's last line."""
    if block.kind is Start.INLINE:
        return block.marker_line + 1
    end = block.marker_line + 1
    while end < len(doc.lines):
        if end in starts or doc.heading(end):
            break
        if block.kind is Start.LINE and not doc.lines[end].strip():
            break
        end += 1
    return end


def _take_markers(lines: list[str]) -> str | None:
    """Remove identity markers from the lines (in place) and return the first one."""
    marker: str | None = None
    for n, line in enumerate(lines):
        for regex in (ID_COMMENT_RE, BLOCK_ID_RE):
            found = regex.search(line)
            if found:
                marker = marker or found.group(1)
                line = regex.sub("", line).rstrip()
        lines[n] = line
    return marker


class _HeadingPaths:
    """The heading path above any line, from one walk of the document's headings (walking
    from the top for every card was quadratic: 10,000 cards in one file took minutes).

    A card's own heading and earlier card headings are questions, not sections, so they are
    never part of a path.
    """

    def __init__(self, doc: MarkdownDocument) -> None:
        self._doc = doc
        self._lines: list[int] = []
        """Line indexes of the headings, in order."""
        self._after: list[tuple[tuple[int, str], ...]] = []
        """The path once each heading is taken in (a card heading only closes sections)."""
        path: list[tuple[int, str]] = []
        for i in range(doc.body_start, len(doc.lines)):
            heading = doc.heading(i)
            if heading is None:
                continue
            level, text = heading
            path = [p for p in path if p[0] < level]
            if not card_tag(mask_inline_spans(text)):
                path.append((level, _strip_tags(text)[0]))
            self._lines.append(i)
            self._after.append(tuple(path))

    def above(self, before: int) -> tuple[str, ...]:
        """Heading path above line index `before`: the headings that enclose it."""
        n = bisect.bisect_left(self._lines, before)
        path = list(self._after[n - 1]) if n else []
        heading = self._doc.heading(before) if before >= self._doc.body_start else None
        if heading is not None:  # a heading on the line itself closes sections, opens none
            path = [p for p in path if p[0] < heading[0]]
        return tuple(text for _, text in path if text)


def _block_card(
    doc: MarkdownDocument, block: _Block, end: int, paths: _HeadingPaths
) -> tuple[Card | None, list[Diagnostic]]:
    lines = list(doc.lines[block.first : end])
    marker = _take_markers(lines)
    ref = SourceRef(doc.source.display_path, block.first + 1)
    tags = tuple(dict.fromkeys(doc.tags + block.tags))
    context = paths.above(block.first)
    if block.kind is Start.INLINE:
        match = INLINE_CARD_RE.match(lines[0])
        if match is None:  # pragma: no cover - found by the same regex on masked text
            return None, []
        front, back = match.group("front"), match.group("back")
        reverse = match.group("sep") == ":::"
    else:
        split = block.marker_line - block.first
        front_lines = lines[: split + 1]
        heading = doc.heading(block.first)
        if heading:
            front_lines[0] = heading[1]
        front_lines[-1] = _strip_tags(front_lines[-1])[0]
        front = dedent_block(front_lines)
        back = dedent_block(lines[split + 1 :])
        reverse = block.reverse
    if not front.strip() or not back.strip():
        return None, []
    if block.kind is not Start.INLINE and not reverse:
        question = _as_question(front, back)
        if isinstance(question, MultipleChoice):
            return Card(question, doc.deck, ref, context, tags, marker), []
        if question is not None:
            note = Diagnostic(
                doc.source.display_path,
                ref.line,
                Severity.INFO,
                "unmatched-answer",
                f"the answer names none of the {question} listed options; kept as a basic card",
            )
            return Card(QA(front, back), doc.deck, ref, context, tags, marker), [note]
    return Card(QA(front, back, reverse), doc.deck, ref, context, tags, marker), []


def _as_question(front: str, back: str) -> MultipleChoice | int | None:
    """A front with a list of options whose back names one of them is a multiple-choice question.

    Returns the question, or the number of options when the back names none of them, or None
    when the front has no option list.
    """
    lines = front.split("\n")
    options = [OPTION_RE.match(line) for line in lines[1:]]
    if len(options) < 2 or not all(options):
        return None
    texts = [m.group("text").strip() for m in options if m]
    stem = lines[0]
    letters = LETTER_ANSWER_RE.match(back)
    if letters:
        picked = answer_letters(letters.group("letters"))
        indexes = [ord(letter) - ord("A") for letter in picked]
        if indexes and all(i < len(texts) for i in indexes):
            choices = tuple(Choice(t, i in indexes) for i, t in enumerate(texts))
            return MultipleChoice(stem, choices, letters.group("rest").strip())
    match = match_choice(back, texts)
    if match is None:
        return len(texts)
    choices = tuple(Choice(t, i == match.index) for i, t in enumerate(texts))
    return MultipleChoice(stem, choices, match.rest)


def _cloze_cards(doc: MarkdownDocument, used: set[int], paths: _HeadingPaths) -> list[Card]:
    """A paragraph outside card blocks with cloze marks is one cloze note."""
    cards: list[Card] = []
    i = doc.body_start
    while i < len(doc.lines):
        if i in used or doc.in_code[i] or not doc.lines[i].strip() or doc.heading(i):
            i += 1
            continue
        first = i
        while (
            i < len(doc.lines)
            and doc.lines[i].strip()
            and i not in used
            and not doc.in_code[i]
            and not doc.heading(i)
        ):
            i += 1
        paragraph = list(doc.lines[first:i])
        marker = _take_markers(paragraph)
        text = to_anki_cloze("\n".join(paragraph))
        if text is not None:
            cards.append(
                Card(
                    Cloze(text),
                    doc.deck,
                    SourceRef(doc.source.display_path, first + 1),
                    paths.above(first),
                    doc.tags,
                    marker,
                )
            )
    return cards


def to_anki_cloze(text: str) -> str | None:
    """The text with every cloze mark as `{{cN::…}}`, or None when it has none.

    Marks inside inline code or math are left alone. Unnumbered marks are numbered in order.
    """
    masked = mask_inline_spans(text)
    pieces: list[str] = []
    last = 0
    counter = 0
    found = False
    for match in CLOZE_RE.finditer(masked):
        start, end = match.span()
        if match.group("anki") is not None:
            number, inner = (
                int(match.group("anki_n")),
                text[match.start("anki") : match.end("anki")],
            )
        elif match.group("numbered") is not None:
            number = int(match.group("num"))
            inner = text[match.start("numbered") : match.end("numbered")]
        else:
            group = "mark" if match.group("mark") is not None else "plain"
            counter += 1
            number, inner = counter, text[match.start(group) : match.end(group)]
        pieces.append(text[last:start])
        pieces.append(f"{{{{c{number}::{inner}}}}}")
        last = end
        found = True
    if not found:
        return None
    pieces.append(text[last:])
    return "".join(pieces)
