"""Markdown study notes as a `NoteTree`, with the structure found by mistune's block parser.

mistune decides what is a heading, a list, a table, code, math or a quote; this module only
remembers where each of its tokens came from. Every block therefore keeps the user's own
Markdown (the source lines themselves, never re-serialized from tokens) and its line in the file.

mistune parses a list item or a block quote from a child source with the container's marker and
indentation removed, one child line per file line. Each child state records which line of its
parent it starts on, so any offset maps back to a file line by walking up the states.
"""

from __future__ import annotations

import contextlib
import itertools
import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import mistune
from mistune.core import BlockState
from mistune.plugins import import_plugin
from mistune.plugins.math import math_in_list, math_in_quote
from mistune.plugins.table import table_in_list, table_in_quote
from mistune.plugins.task_lists import TASK_LIST_ITEM

from builder.block_search import LineStartBlockParser
from builder.readers.markdown_text import MarkdownDocument
from builder.readers.note_tree import (
    Block,
    BlockKind,
    Heading,
    ListItem,
    NoteTree,
    sections_from_outline,
)

Token = dict[str, Any]

PLUGINS = ("table", "math", "strikethrough", "mark", "task_lists", "footnotes")
"""mistune plugins: the render stage's Markdown dialect, plus task lists."""

# Tables and `$$` blocks inside list items and quotes, as Obsidian shows them.
_NESTED_PLUGINS = (table_in_list, table_in_quote, math_in_list, math_in_quote)

_BLOCK_KINDS: dict[str, BlockKind] = {
    "paragraph": "paragraph",
    "block_text": "paragraph",
    "footnote_def": "paragraph",
    "heading": "paragraph",
    "block_code": "code",
    "block_math": "math",
    "block_quote": "quote",
    "block_html": "html",
    "table": "table",
    "thematic_break": "rule",
    "list": "list",
}
"""mistune token type → block kind; other types (from plugins) are kept as paragraphs."""

# A marker line with nothing after the bullet: mistune starts that item's text on the next line.
# `\s` as in mistune's own test for that, so a lone no-break space counts as nothing too.
_MARKER_ONLY_RE = re.compile(r"[ \t]*(?:[*+-]|\d{1,9}[.)])\s*")
_WIKI_EMBED_RE = re.compile(r"!\[\[[^\]\n]+\]\]")
_INLINE_SPACERS = frozenset({"softbreak", "linebreak"})

_REPARSE_ALLOWANCE = 10_000
"""Characters that re-parsing lists may cost beyond twice the file, so it stays linear."""


@dataclass(slots=True)
class _Frame:
    """One running `parse_method` call on a state."""

    start: int
    """Offset where the rule matched."""
    rule: str
    """Name of the rule (`list`, `block_quote`, ...)."""
    next_item: int
    """For a list: offset of the marker line of the item whose child state comes next."""


class _PositionedState(BlockState):
    """mistune's block state that tags tokens with offsets and knows its place in the file."""

    def __init__(self, parent: Any | None = None) -> None:
        super().__init__(parent)
        self.frames: list[_Frame] = []
        self.base_line = 0
        """Line of the parent's source (of the note body for a top state) this source starts on."""
        self.opening_line = 0
        """Line of the parent's source holding the item's bullet or the quote's first `>`."""
        self.registry: dict[int, _PositionedState] = (
            parent.registry if isinstance(parent, _PositionedState) else {}
        )
        """Child states by the id of their token list (a container token's `children`)."""
        self._line_starts: list[int] | None = None

    @property
    def line_starts(self) -> list[int]:
        """Offset of each line of the source, computed once (the source never changes)."""
        if self._line_starts is None:
            self._line_starts = [0, *(m.end() for m in re.finditer("\n", self.src))]
        return self._line_starts

    def line_index(self, offset: int) -> int:
        """0-based line of this state's source holding the offset."""
        return max(bisect_right(self.line_starts, offset) - 1, 0)

    def line_offset(self, index: int) -> int:
        """Offset where a 0-based line of this state's source starts."""
        starts = self.line_starts
        return starts[min(max(index, 0), len(starts) - 1)]

    def child_state(self, src: str, lazy_line_starts: set[int] | None = None) -> BlockState:
        child = super().child_state(src, lazy_line_starts)
        if isinstance(child, _PositionedState):
            opening, skip = self._child_origin()
            child.opening_line = opening
            child.base_line = opening + skip
            self.registry[id(child.tokens)] = child
        return child

    def _child_origin(self) -> tuple[int, int]:
        """(opening line, lines skipped before the child's first line) of a new child state."""
        if not self.frames:
            return self.line_index(self.cursor), 0
        frame = self.frames[-1]
        if frame.rule != "list":
            return self.line_index(frame.start), 0
        start = frame.next_item
        # mistune has already read the next item's marker line: it is the one before the cursor.
        frame.next_item = self.src.rfind("\n", 0, max(self.cursor - 1, 0)) + 1
        marker_line = self.src[start : self.find_line_end_at(start)]
        skip = 1 if _MARKER_ONLY_RE.fullmatch(marker_line) else 0
        return self.line_index(start), skip

    def append_token(self, token: Token) -> None:
        # Only the indented-code shortcut appends outside `parse_method`, at its own start.
        token.setdefault("_cursor", self.cursor)
        super().append_token(token)

    def add_paragraph(self, text: str) -> None:
        last = self.last_token()
        super().add_paragraph(text)
        token = self.tokens[-1]
        if token is not last:
            token["_start"] = self.cursor
        token["_end"] = self.cursor + len(text)

    def append_paragraph(self) -> int | None:
        end = super().append_paragraph()
        if end is not None:
            self.tokens[-1]["_end"] = end
        return end


class _PositionedBlockParser(LineStartBlockParser):
    """mistune's block parser; every token made by a rule gets the rule's start and end."""

    state_cls = _PositionedState

    def parse_method(self, m: re.Match[str], state: BlockState) -> int | None:
        if not isinstance(state, _PositionedState):
            return super().parse_method(m, state)
        start = m.start()
        state.frames.append(_Frame(start, m.lastgroup or "", start))
        before = len(state.tokens)
        try:
            end = super().parse_method(m, state)
        finally:
            state.frames.pop()
        # New tokens sit after `before`: mistune inserts a list or quote only ahead of a token
        # the same call appended (the block that ended it).
        for token in state.tokens[before:]:
            if "_start" not in token:
                token["_start"] = start
                token["_end"] = end
        if m.lastgroup == "ref_footnote" and end:
            # The footnotes plugin keeps definitions out of the tokens; they are text to keep.
            state.tokens.append({"type": "footnote_def", "_start": start, "_end": end})
        return end


def _new_markdown() -> mistune.Markdown:
    plugins = [import_plugin(name) for name in PLUGINS]
    markdown = mistune.Markdown(renderer=None, block=_PositionedBlockParser(), plugins=plugins)
    for plugin in _NESTED_PLUGINS:
        markdown.use(plugin)
    return markdown


_MARKDOWN = _new_markdown()


def markdown_tree(doc: MarkdownDocument) -> NoteTree:
    """The document as a tree of sections and blocks; frontmatter is left out, lines count it."""
    body = "\n".join(line.removesuffix("\r") for line in doc.lines[doc.body_start :])
    builder = _TreeBuilder(len(body))
    state = builder.parse(body, doc.body_start)
    return NoteTree(sections_from_outline(builder.events(state)), doc.deck, doc.tags)


class _TreeBuilder:
    """Turns mistune's positioned tokens into headings and blocks."""

    def __init__(self, size: int) -> None:
        self._reparse_budget = 2 * size + _REPARSE_ALLOWANCE

    def parse(self, text: str, first_line: int) -> _PositionedState:
        """Parse text that starts on the given 0-based file line."""
        state = _PositionedState()
        state.base_line = first_line
        state.process(text if text.endswith("\n") else text + "\n")
        # Hostile input mistune cannot finish: keep the tokens it has made so far.
        with contextlib.suppress(Exception):
            _MARKDOWN.block.parse(state)
        return state

    def events(self, state: _PositionedState) -> list[Heading | Block]:
        """Headings and top-level blocks of a top state, in order."""
        found: list[Heading | Block] = []
        tokens = state.tokens
        for token, (start, end) in zip(tokens, _spans(tokens, state), strict=True):
            try:
                found.extend(self._token_events(token, state, start, end))
            except Exception:
                # A token shaped in a way this code did not foresee: keep its text anyway.
                markdown = _source(state.src, start, end)
                if markdown.strip():
                    found.append(Block("paragraph", markdown, _file_line(state, start)))
        return found

    def _token_events(
        self, token: Token, state: _PositionedState, start: int, end: int
    ) -> list[Heading | Block]:
        kind = token.get("type")
        if kind == "blank_line":
            return []
        if kind == "heading":
            return [_heading(token, state, start)]
        cuts = self._lazy_cuts(token, state, start, end) if kind == "list" else []
        if not cuts:
            return [_block(token, state, start, end)]
        found: list[Heading | Block] = []
        for part_start, part_end in itertools.pairwise([start, *cuts, end]):
            part = self.parse(
                state.src[part_start:part_end], state.base_line + state.line_index(part_start)
            )
            found.extend(self.events(part))
        return found

    def _lazy_cuts(self, token: Token, state: _PositionedState, start: int, end: int) -> list[int]:
        """Offsets of tables and `$$` blocks written at the list's own indentation.

        mistune reads such a block as a lazy continuation of the item above it; the writer put
        it at the margin, so the list is cut there and each piece is read again on its own.
        """
        if self._reparse_budget < end - start:
            return []
        margin = _indent_width(state.src[start : state.find_line_end_at(start)])
        cuts: list[int] = []
        for child, tok, index in _list_descendants(token, state.registry):
            # The first token of an item starts on the bullet's line, never a margin line.
            if index == 0 or tok.get("type") not in ("table", "block_math"):
                continue
            top_line = _file_line(child, _int(tok.get("_start"), 0)) - 1 - state.base_line
            offset = state.line_offset(top_line)
            line = state.src[offset : state.find_line_end_at(offset)]
            if (cuts[-1] if cuts else start) < offset < end and _indent_width(line) <= margin:
                cuts.append(offset)
        if cuts:
            self._reparse_budget -= end - start
        return cuts


def _list_descendants(
    token: Token, registry: dict[int, _PositionedState]
) -> Iterator[tuple[_PositionedState, Token, int]]:
    """(item state, token, index in the item) for every token inside the list's items."""
    for item in token.get("children", ()):
        children = item.get("children", [])
        child = registry.get(id(children))
        if child is None:
            continue
        for index, tok in enumerate(children):
            yield child, tok, index
            if tok.get("type") == "list":
                yield from _list_descendants(tok, registry)


def _heading(token: Token, state: _PositionedState, start: int) -> Heading:
    text = str(token.get("text", ""))
    # A setext heading may run over several lines; its title is one line.
    title = " ".join(part.strip() for part in text.splitlines() if part.strip())
    level = int(token.get("attrs", {}).get("level", 1))
    return Heading(title, level, _file_line(state, start))


def _block(token: Token, state: _PositionedState, start: int, end: int) -> Block:
    kind = _BLOCK_KINDS.get(str(token.get("type")), "paragraph")
    markdown = _source(state.src, start, end)
    line = _file_line(state, start)
    if kind == "list":
        attrs = token.get("attrs", {})
        items = tuple(_list_items(token, state, line))
        return Block("list", markdown, line, items=items, ordered=bool(attrs.get("ordered")))
    if kind == "table":
        return Block("table", markdown, line, rows=_table_rows(token))
    if kind in ("paragraph", "html") and _only_images(markdown, state):
        return Block("image", markdown, line)
    return Block(kind, markdown, line)


def _list_items(token: Token, state: _PositionedState, list_line: int) -> Iterator[ListItem]:
    for item in token.get("children", ()):
        tokens = item.get("children", [])
        child = state.registry.get(id(tokens))
        if child is None:
            yield ListItem("", list_line)
            continue
        line = _file_line_of_index(state, child.opening_line)
        spans = _spans(tokens, child)
        text, checked, first = "", None, 0
        if tokens and tokens[0].get("type") in ("paragraph", "block_text"):
            text = _source(child.src, *spans[0]).strip()
            first = 1
            task = TASK_LIST_ITEM.match(text + "\n")
            if task:
                checked = task.group(1) != "[ ]"
                text = (text + "\n")[task.end() :].strip()
        children = tuple(
            _block(tok, child, start, end)
            for tok, (start, end) in zip(tokens[first:], spans[first:], strict=True)
            if tok.get("type") != "blank_line"
        )
        yield ListItem(text, line, children, checked)


def _table_rows(token: Token) -> tuple[tuple[str, ...], ...]:
    rows: list[tuple[str, ...]] = []
    for part in token.get("children", ()):
        if part.get("type") == "table_head":
            rows.append(tuple(str(cell.get("text", "")) for cell in part.get("children", ())))
        elif part.get("type") == "table_body":
            for row in part.get("children", ()):
                rows.append(tuple(str(cell.get("text", "")) for cell in row.get("children", ())))
    return tuple(rows)


def _only_images(markdown: str, state: _PositionedState) -> bool:
    """True when the Markdown shows images (`![a](x)`, `![[x]]`, `<img>`) and nothing else."""
    if "![" not in markdown and "<img" not in markdown.lower():
        return False
    found = False
    rest: list[str] = []
    for token in _MARKDOWN.inline(markdown.strip(), state.env):
        kind = token.get("type")
        if kind == "image" or (kind == "link" and _all_images(token.get("children", []))):
            found = True
        elif kind in _INLINE_SPACERS:
            rest.append(" ")
        elif kind == "text":
            rest.append(str(token.get("raw", "")))
        elif kind == "inline_html":
            tag = str(token.get("raw", "")).lower()
            if tag.startswith("<img"):
                found = True
            elif not tag.startswith("<br"):
                return False
        else:
            return False
    text, embeds = _WIKI_EMBED_RE.subn("", "".join(rest))
    return (found or embeds > 0) and not text.strip()


def _all_images(tokens: Sequence[Token]) -> bool:
    """A linked image: the link shows images only."""
    return bool(tokens) and all(token.get("type") == "image" for token in tokens)


def _spans(tokens: Sequence[Token], state: _PositionedState) -> list[tuple[int, int]]:
    """(start, end) offsets of each token in the state's source; each ends where the next begins
    at the latest, so text mistune read but made no token for is not pulled into a block."""
    size = len(state.src)
    starts: list[int] = []
    previous = 0
    for token in tokens:
        start = _int(token.get("_start"), _int(token.get("_cursor"), previous))
        previous = min(max(start, previous), size)
        starts.append(previous)
    spans: list[tuple[int, int]] = []
    for index, token in enumerate(tokens):
        start = starts[index]
        limit = starts[index + 1] if index + 1 < len(starts) else size
        end = _int(token.get("_end"), limit)
        spans.append((start, min(max(end, start), limit)))
    return spans


def _int(value: object, default: int) -> int:
    return value if isinstance(value, int) else default


def _source(src: str, start: int, end: int) -> str:
    """The source text of a block, without the blank lines after it."""
    lines = src[start:end].split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    return "\n".join(lines)


def _file_line(state: _PositionedState, offset: int) -> int:
    """1-based file line of an offset in a state's source."""
    return _file_line_of_index(state, state.line_index(offset))


def _file_line_of_index(state: _PositionedState, index: int) -> int:
    """1-based file line of a 0-based line of a state's source."""
    current = state
    while True:
        index += current.base_line
        parent = current.parent
        if not isinstance(parent, _PositionedState):
            return index + 1
        current = parent


def _indent_width(line: str) -> int:
    """Columns of leading whitespace, tabs to the next multiple of 4."""
    stripped = line.lstrip(" \t")
    return len(line[: len(line) - len(stripped)].expandtabs(4))
