"""Question dumps written as a heading stem and a checkbox list (FORMATS.md 3a).

    ### Which service …?
    - [ ] wrong
    - [x] right

    Explanation: …

A checkbox list with no heading above it (a to-do list) is not a question.
"""

from __future__ import annotations

import re
from functools import lru_cache

from builder.diagnostics import Diagnostic
from builder.discover import SourceFile
from builder.model import Card, choice_letter
from builder.readers.base import ReadContext, ReadResult
from builder.readers.markdown_text import (
    LineSection,
    MarkdownDocument,
    dedent_block,
    line_sections,
    list_items,
    parse_document,
    starts_some_line,
)
from builder.readers.questions import QuestionSource, RawQuestion, question_card

CHECKBOX_ITEM_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[(?P<mark>[ xX])\]\s*(?P<text>.*)$")
QUESTION_LIKE_RE = re.compile(
    r"\?|\((?:choose|select)\b|^\W*(?:which|what|how|when|where|why|who|select|choose|identify)\b",
    re.IGNORECASE,
)
NUMBER_ONLY_RE = re.compile(r"^(?:question|q)?\s*#?\s*\d+\s*[.:)]?$", re.IGNORECASE)
EXPLANATION_LABEL_RE = re.compile(r"^\s*\**(?:explanation|why)\**\s*:\s*\**\s*", re.IGNORECASE)
CHECKBOX_LINE_RE = re.compile(r"\n[^\S\n]*(?:[-*+]|\d+[.)])[^\S\n]+\[[ xX]\]")
"""A line starting like a `CHECKBOX_ITEM_RE` item, for `starts_some_line`: a file without one
holds no question."""


_Parts = tuple[list[str], list[tuple[int, list[str]]], list[str]]
"""(stem lines, checkbox items, lines after the list) of a question; only ever read."""


def _question_parts(doc: MarkdownDocument, section: LineSection) -> _Parts | None:
    """(stem lines, checkbox items, lines after the list) when the section is a question,
    whether or not it asks something (`_asks`)."""
    lines = [doc.lines[i] for i in section.body]
    first_box = next((n for n, line in enumerate(lines) if CHECKBOX_ITEM_RE.match(line)), None)
    if first_box is None or not section.title:
        return None
    items, _ = list_items(lines[first_box:])
    end = first_box
    boxes: list[tuple[int, list[str]]] = []
    for offset, item_lines in items:
        if not CHECKBOX_ITEM_RE.match(item_lines[0]):
            break
        boxes.append((first_box + offset, item_lines))
        end = first_box + offset + len(item_lines)
    if len(boxes) < 2:
        return None
    return lines[:first_box], boxes, lines[end:]


def _asks(section: LineSection, parts: _Parts) -> bool:
    """A checklist under a heading ("Before the exam") is a to-do list: a question asks
    something. Once a file is a question dump, every heading + checkbox list in it is read as
    a question, so one whose stem lacks a "?" is still checked (and reported) rather than
    dropped: only the claim asks this."""
    return QUESTION_LIKE_RE.search(" ".join([section.title, *parts[0]])) is not None


@lru_cache(maxsize=4)
def _sections(source: SourceFile) -> tuple[tuple[LineSection, _Parts | None], ...]:
    """Every section of the file and its question parts, if it has some (cached: the claim
    and the read take the file apart once; the deck plays no part)."""
    doc = parse_document(source, "")
    return tuple((section, _question_parts(doc, section)) for section in line_sections(doc))


def _claim_score(source: SourceFile) -> int:
    """The claim worked out in full: 4 for each heading over a checkbox question."""
    questions = sum(
        1 for section, parts in _sections(source) if parts is not None and _asks(section, parts)
    )
    return 4 * questions


class CheckboxQuestionReader:
    """Reads `### stem` + `- [ ]`/`- [x]` questions into multiple-choice cards."""

    name = "checkbox-questions"

    def claim(self, source: SourceFile) -> int:
        # Most files hold no checkbox at all: one search tells, without parsing them.
        if not starts_some_line(CHECKBOX_LINE_RE, source.text):
            return 0
        return _claim_score(source)

    def read(self, source: SourceFile, context: ReadContext) -> ReadResult:
        doc = parse_document(source, context.default_deck)
        target = QuestionSource(doc.source.display_path, doc.deck, doc.tags)
        cards: list[Card] = []
        diagnostics: list[Diagnostic] = list(doc.diagnostics)
        for section, parts in _sections(source):
            if parts is None:
                continue
            stem_lines, boxes, after = parts
            title_is_number = NUMBER_ONLY_RE.match(section.title)
            stem_parts = [] if title_is_number else [section.title]
            choices = []
            for index, (_, item_lines) in enumerate(boxes):
                match = CHECKBOX_ITEM_RE.match(item_lines[0])
                assert match is not None
                text = dedent_block([match.group("text"), *(x.strip() for x in item_lines[1:])])
                choices.append((choice_letter(index), text, match.group("mark") != " "))
            raw = RawQuestion(
                stem="\n\n".join(p for p in (*stem_parts, dedent_block(stem_lines)) if p),
                choices=tuple((letter, text) for letter, text, _ in choices),
                answer=", ".join(letter for letter, _, right in choices if right),
                line=section.line + 1,
                explanation=EXPLANATION_LABEL_RE.sub("", dedent_block(after), count=1),
                number=section.title if title_is_number else None,
            )
            card, problems = question_card(raw, target, section.path[:-1])
            diagnostics.extend(problems)
            if card is not None:
                cards.append(card)
        return ReadResult(tuple(cards), tuple(diagnostics))
