"""Markdown study notes without card syntax: structure becomes cards.

First version of the rules (FORMATS.md section 2):
- a list whose items are all `Term: definition` / `**Term**: definition` / `**Term** – definition`,
  or a bold term with nested bullets, gives one card per item;
- any other short section body gives one card, front = heading, back = body;
- headings that only group sub-headings, empty sections, image-only and link-only bodies give none.
The heading path goes into the card's context so a short front like "Retention" is never ambiguous.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from builder.diagnostics import Diagnostic, Severity
from builder.discover import SourceFile
from builder.model import QA, Card, SourceRef
from builder.readers.base import ReadContext, ReadResult
from builder.readers.markdown_text import MarkdownDocument, dedent_block, parse_document

ITEM_RE = re.compile(r"^(?P<indent>[ \t]*)(?:[-*+•◦‣]|\d+[.)])[ \t]+(?P<text>.*)$")
TERM_RE = re.compile(
    r"^(?:\*\*(?P<bold>[^*]+?):?\*\*\s*(?:[:–—]|\s-\s)?|(?P<plain>[A-Za-z0-9][^:*`\[\]()<>]{0,58}?):(?!//))"
    r"\s*(?P<rest>.*)$"
)
IMAGE_ONLY_RE = re.compile(r"^\s*(!\[[^\]]*\]\([^)]*\)|!\[\[[^\]]+\]\])\s*$")
LINK_ONLY_ITEM_RE = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[[^\]]*\]\([^)]*\)\s*$")
CHECKBOX_RE = re.compile(r"^\s*[-*+]\s+\[[ xX]\]\s")
MAX_BACK_CHARS = 1200
MAX_BACK_ITEMS = 12


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and the lines up to the next heading."""

    level: int
    title: str
    line: int
    """Index of the heading line, or of the first body line when there is no heading."""
    path: tuple[str, ...]
    """Titles of the enclosing headings, outermost first, this one last."""
    body: tuple[int, ...]
    """Indexes of the body lines."""


@dataclass(frozen=True, slots=True)
class ListItem:
    first: int
    """Index of the item's first line."""
    lines: tuple[str, ...]
    """The item's lines: its own text first, then continuation and nested lines."""


def sections(doc: MarkdownDocument) -> Iterator[Section]:
    """Every heading's section, in order; text before the first heading is a title-less section."""
    path: list[tuple[int, str]] = []
    level, title, start = 0, "", doc.body_start
    body: list[int] = []
    for i in range(doc.body_start, len(doc.lines)):
        heading = doc.heading(i)
        if heading is None:
            body.append(i)
            continue
        yield Section(level, title, start, tuple(t for _, t in path), tuple(body))
        level, title = heading
        path = [p for p in path if p[0] < level] + [(level, title)]
        start, body = i, []
    yield Section(level, title, start, tuple(t for _, t in path), tuple(body))


def list_items(lines: Sequence[str]) -> tuple[list[tuple[int, list[str]]], list[int]]:
    """Top-level list items (offset, lines) and offsets of lines outside any list."""
    items: list[tuple[int, list[str]]] = []
    outside: list[int] = []
    top_indent: int | None = None
    in_item = False
    for n, line in enumerate(lines):
        match = ITEM_RE.match(line)
        indent = len(line) - len(line.lstrip()) if line.strip() else 0
        if match and (top_indent is None or indent <= top_indent):
            top_indent = indent if top_indent is None else top_indent
            items.append((n, [line]))
            in_item = True
        elif in_item and (not line.strip() or indent > (top_indent or 0) or match):
            items[-1][1].append(line)
        else:
            in_item = False
            if line.strip():
                outside.append(n)
    return items, outside


def _item_text(lines: Sequence[str]) -> tuple[str, str]:
    """The item's first line (without its bullet) and the rest, dedented."""
    match = ITEM_RE.match(lines[0])
    head = match.group("text") if match else lines[0].strip()
    rest = [line for line in lines[1:]]
    indents = [len(x) - len(x.lstrip()) for x in rest if x.strip()]
    cut = min(indents) if indents else 0
    return head, dedent_block([x[cut:] for x in rest])


def term_card(lines: Sequence[str]) -> tuple[str, str] | None:
    """(term, definition) when a list item is a definition, else None."""
    head, nested = _item_text(lines)
    match = TERM_RE.match(head)
    if match is None:
        return None
    term = (match.group("bold") or match.group("plain") or "").strip()
    definition = match.group("rest").strip()
    if match.group("bold") is None and not definition:
        return None
    if match.group("bold") is not None and not definition and not nested:
        return None
    back = "\n\n".join(part for part in (definition, nested) if part)
    return (term, back) if term and back else None


class StudyNotesReader:
    """Turns headings and definition lists of ordinary notes into atomic cards."""

    name = "study-notes"

    def claim(self, source: SourceFile) -> int:
        # The fallback for Markdown and text: any file with content is notes.
        return 1 if source.path.suffix.lower() in (".md", ".markdown", ".txt") else 0

    def read(self, source: SourceFile, context: ReadContext) -> ReadResult:
        doc = parse_document(source, context.default_deck)
        cards: list[Card] = []
        diagnostics: list[Diagnostic] = list(doc.diagnostics)
        for section in sections(doc):
            found, problems = _section_cards(doc, section)
            cards.extend(found)
            diagnostics.extend(problems)
        return ReadResult(tuple(cards), tuple(diagnostics))


def _section_cards(doc: MarkdownDocument, section: Section) -> tuple[list[Card], list[Diagnostic]]:
    body_lines = [doc.lines[i] for i in section.body]
    if not any(line.strip() for line in body_lines):
        return [], []
    path = doc.source.display_path
    items, outside = list_items(body_lines)
    terms = [(section.body[first], term_card(lines)) for first, lines in items]
    cards: list[Card] = []
    remaining = body_lines
    if terms and all(term is not None for _, term in terms):
        for first, term in terms:
            assert term is not None
            cards.append(
                Card(QA(*term), doc.deck, SourceRef(path, first + 1), section.path, doc.tags)
            )
        remaining = [body_lines[n] for n in outside]
    body = dedent_block(remaining)
    if not body or not section.title or _is_decoration(remaining):
        return cards, []
    item_count = sum(1 for line in remaining if ITEM_RE.match(line))
    if len(body) > MAX_BACK_CHARS or item_count > MAX_BACK_ITEMS:
        return cards, [
            Diagnostic(
                path,
                section.line + 1,
                Severity.WARNING,
                "section-too-long",
                f"section '{section.title}' is too long for one card "
                f"({len(body)} characters, {item_count} list items); "
                "split it under sub-headings or into Term: definition bullets",
            )
        ]
    cards.append(
        Card(
            QA(section.title, body),
            doc.deck,
            SourceRef(path, section.line + 1),
            section.path[:-1],
            doc.tags,
        )
    )
    return cards, []


def _is_decoration(lines: Sequence[str]) -> bool:
    """Image-only, link-list-only (a table of contents) or to-do bodies give no card."""
    content = [line for line in lines if line.strip()]
    return all(
        IMAGE_ONLY_RE.match(line) or LINK_ONLY_ITEM_RE.match(line) or CHECKBOX_RE.match(line)
        for line in content
    )
