"""Plain-text study notes (`.txt`) as a note tree.

Headings, in the order they are recognised (a line is at most 3 columns indented):
- numbered title lines: `1 Data Engineering`, `1.1 Data repositories`, `2.3.1. Pipe mode`;
  the level is the number of dotted parts. Each part has one or two digits (so `2024 Exam`
  and `192.168.0.1 …` are not headings), and the title after the number is title-like: it starts
  with a capital, a digit or an opening quote/bracket, is at most 100 characters and 16 words,
  and does not end with `.`, `,` or `;`.
- named lines: `Domain 2: Exploratory Data Analysis`, `Chapter 3 - Modeling`, `Section 4:`
  (also Part, Module, Unit, Lesson); the level is the number of dotted parts of the number,
  so usually 1 (`Section 4.2: …` is 2).
- a title-like line underlined with `===` or `---`. As in reStructuredText, the style seen
  first in the file is the upper level: one below the last numbered or named heading (level 1
  before any), the other style one further down.
- ALL-CAPS short lines (`KINESIS DATA STREAMS`) and the usual section words on a line of their
  own (`Contents`, `References:`, `Further reading`): one level below the last numbered or
  named heading (level 1 before any), so `EXAM TIPS` after `3.2 Evaluation` is its child.
- label lines, at the same level as ALL-CAPS ones: a short capitalised line (at most 8 words
  and 60 characters, no closing `.`, `,`, `;`, `:` or `!`, not indented) that stands after a
  blank line, a rule or a heading and has a list, a table or more-indented lines right below
  it (`Endpoints` over its bullets). A line ending in `:` is a lead-in sentence and stays
  text; a short line followed by an ordinary paragraph line stays that paragraph's first line.

The numbered-heading rule against numbered lists: a single number needs NO dot after it to be
a heading (`1 Data Engineering`); `1. Use dropout` and `1) Use dropout` are list items, even
when short and capitalised. Two or more dotted parts (`1.1`, `1.1.`) are always a heading
number when the title is title-like, since lists do not number items that way.

A table of contents written as numbered lines looks exactly like headings. Under a heading
titled `Contents`/`Table of contents`/`TOC`, numbered and named title lines are read as list
items (nested by their number's depth) until one repeats a number or title already listed, a
bullet or any other text appears. A title line ending in a page number after dot leaders or a
tab (`1.1 Data repositories ..... 3`) is a table-of-contents item anywhere.

Bullets: `•` `●` `►` `▸` `➢` `✓` `✔` `-` `*` `+` `–` (top), `◦` `○` `o` (second), `‣` `▪` `■`
`□` `▫` `◾` (third), and numbered `1.` `1)` `(1)` / lettered `a.` `a)` `(a)` items (ordered;
letters rank as second-level glyphs). Items nest by indentation (tab stops every 4
columns); at equal indentation the glyph's rank decides, so a flat `•`/`◦`/`‣` list nests as
written. A line right below an item continues it (wrapped text); an indented line after a
blank line is a further paragraph of the item above it; anything else after a blank line
ends the list. Lists nest at most MAX_LIST_DEPTH deep; deeper items become siblings there.

Paragraphs are runs of lines between blank lines (`Term: definition` lines stay paragraph or
list text as written). Pipe tables, `>` quotes and fenced code are kept; a paragraph of image
syntax only (`![a](x.png)`, `![[x.png]]`, `<img …>`) is an `image` block; `---`/`***` alone is a
rule. Plain text keeps its own emphasis marks; only line starts that Markdown would read as
structure (`# …`, `- …`, `1. …`, `>`) are escaped. There is no frontmatter in plain text: the
deck is the build's default.

`paragraph_block`, `table_markdown` and
`escape_line_start` are shared with the HTML builder (`tree_html.py`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from builder.discover import SourceFile
from builder.readers.note_tree import (
    Block,
    Heading,
    ListItem,
    NoteTree,
    list_markdown,
    sections_from_outline,
)

MAX_LIST_DEPTH = 16
"""Deeper items are kept as siblings at this depth, so no input nests without bound."""
MAX_TITLE_CHARS = 100
MAX_TITLE_WORDS = 16
MAX_CAPS_CHARS = 80
MAX_LABEL_CHARS = 60
MAX_LABEL_WORDS = 8
MAX_CANDIDATE_CHARS = 200
"""Longer lines are never headings; the heading patterns are not even tried on them."""

NUMBERED_HEADING_RE = re.compile(
    r"(?P<number>\d{1,2}(?:\.\d{1,2})+\.?|\d{1,2})[ \t]+(?P<rest>\S.*)"
)
NAMED_HEADING_RE = re.compile(
    r"(?P<name>(?i:domain|chapter|section|part|module|unit|lesson))[ \t]+"
    r"(?P<number>\d{1,2}(?:\.\d{1,2})*)"
    r"(?:[ \t]*[:.)\-–—][ \t]*(?P<rest>.*)|[ \t]+(?P<bare>[A-Z].*)|[ \t]*)"
)
TOC_LEADER_RE = re.compile(
    r"(?P<title>.*?\S)(?:[ \t]*(?:\.[ \t]*){3,}|[ \t]*…+|\t+|[ \t]{2,})[ \t]*(?P<page>\d{1,4})"
)
SECTION_WORD_RE = re.compile(
    r"(?i:table of contents|contents|toc|references|sources|further reading|bibliography"
    r"|see also|resources|useful links|glossary)[ \t]*:?"
)
TOC_TITLE_RE = re.compile(r"(?:\d{1,2}(?:\.\d{1,2})*\.?\s+)?(?i:table of contents|contents|toc)\W*")
UNICODE_BULLETS = {
    **dict.fromkeys("•●►▸➢✓✔", 0),
    **dict.fromkeys("◦○", 1),
    **dict.fromkeys("‣▪■□▫◾", 2),
}
BULLET_RE = re.compile(
    r"(?:(?P<glyph>[•●►▸➢✓✔◦○‣▪■□▫◾])[ \t]*|(?P<ascii>[-*+–o])[ \t]+)(?P<text>.*)"
)
ORDERED_RE = re.compile(
    r"(?:(?P<num>\d{1,3})[.)]|(?P<letter>[a-z])[.)]|\((?P<paren>\d{1,3}|[a-z])\))"
    r"[ \t]+(?P<text>\S.*)"
)
CHECKBOX_RE = re.compile(r"\[(?P<mark>[ xX])\][ \t]+")
FENCE_RE = re.compile(r"(`{3,}|~{3,})")
RULE_RE = re.compile(r"(?:[-*_][ \t]*){3,}|={3,}")
UNDERLINE_RE = re.compile(r"(?P<mark>=|-)(?P=mark){2,}")
IMAGE_ONLY_RE = re.compile(
    r"(?:\s*(?:\[?!\[[^\]\n]*\]\([^)\n]*\)(?:\]\([^)\n]*\))?|!\[\[[^\]\n]+\]\]|<img\b[^>]*>))+\s*",
    re.IGNORECASE,
)
TABLE_SEPARATOR_CELL_RE = re.compile(r":?-+:?")
LINE_START_NUMBER_RE = re.compile(r"(\d{1,9})([.)])(?=\s|$)")
LINE_START_MARK_RE = re.compile(r"(?:#{1,6}|[-+*])(?=\s|$)|>|=+\s*$|-+\s*$|(?:[-*_][ \t]*){3,}$|\|")


# --- Shared with the HTML builder -------------------------------------------------------------


def escape_line_start(line: str) -> str:
    """The line with a backslash where Markdown would otherwise start a heading, list, quote,
    table, rule or setext underline (`# of shards`, `1. in text`, `- dash`)."""
    number = LINE_START_NUMBER_RE.match(line)
    if number is not None:
        return f"{number.group(1)}\\{line[number.end(1) :]}"
    if LINE_START_MARK_RE.match(line):
        return "\\" + line
    return line


def paragraph_block(lines: Sequence[str], line: int, joiner: str = "\n") -> Block:
    """A paragraph of Markdown lines; an `image` block when it holds images only."""
    markdown = joiner.join(escape_line_start(text) for text in lines)
    kind: Literal["paragraph", "image"] = (
        "image" if IMAGE_ONLY_RE.fullmatch(markdown.replace("\\\n", " ")) else "paragraph"
    )
    return Block(kind, markdown, line)


def table_markdown(rows: Sequence[Sequence[str]]) -> str:
    """Rows (header first) as a pipe table, short rows padded with empty cells."""
    width = max((len(row) for row in rows), default=0)
    if width == 0:
        return ""

    def row_line(cells: Sequence[str]) -> str:
        padded = [*cells, *([""] * (width - len(cells)))]
        return "| " + " | ".join(padded) + " |"

    return "\n".join(
        [row_line(rows[0]), row_line(["---"] * width), *(row_line(row) for row in rows[1:])]
    )


# --- Line classification ----------------------------------------------------------------------

LineKind = Literal[
    "blank", "heading", "bullet", "rule", "text", "fence", "code", "table", "quote", "skip"
]


@dataclass(frozen=True, slots=True)
class _Line:
    kind: LineKind
    text: str = ""
    """Stripped line; for a bullet its text without the bullet; for a heading its title."""
    indent: int = 0
    level: int = 0
    """Heading level."""
    rank: int = 0
    """Bullet glyph rank: 0 top (`•`, `-`, `1.`), 1 second (`◦`, `a)`), 2 third (`‣`, `▪`)."""
    ordered: bool = False
    number: int = 1
    """Number of an ordered item written with digits."""


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A numbered or named title line, before the table-of-contents logic decides on it."""

    level: int
    number_key: str
    title_key: str
    toc_entry: bool
    """It ends with a page number after leaders."""


def indent_width(line: str) -> int:
    """Columns of leading spaces and tabs; a tab moves to the next multiple of 4."""
    prefix = line[: len(line) - len(line.lstrip(" \t"))]
    return len(prefix.expandtabs(4)) if "\t" in prefix else len(prefix)


def _title_like(text: str, *, capital: bool = True) -> bool:
    if not text or len(text) > MAX_TITLE_CHARS or len(text.split()) > MAX_TITLE_WORDS:
        return False
    if text.endswith((".", ",", ";")) and not text.endswith("..."):
        return False
    return not capital or text[0].isupper() or text[0].isdigit() or text[0] in "\"'“‘([*`"


def _candidate(stripped: str) -> _Candidate | None:
    """A numbered (`1.1 Data repositories`) or named (`Domain 2: EDA`) title line."""
    if len(stripped) > MAX_CANDIDATE_CHARS:
        return None
    leader = TOC_LEADER_RE.fullmatch(stripped)
    text = leader.group("title") if leader is not None else stripped
    named = NAMED_HEADING_RE.fullmatch(text)
    if named is not None:
        rest = (named.group("rest") or named.group("bare") or "").strip()
        if rest and not _title_like(rest, capital=False):
            return None
        number = named.group("number")
        key = f"{named.group('name').lower()} {number}"
        return _Candidate(number.count(".") + 1, key, rest.lower(), leader is not None)
    numbered = NUMBERED_HEADING_RE.fullmatch(text)
    if numbered is None:
        return None
    rest = numbered.group("rest").strip()
    if not _title_like(rest):
        return None
    number = numbered.group("number").rstrip(".")
    return _Candidate(number.count(".") + 1, number, rest.lower(), leader is not None)


def _caps_heading(stripped: str) -> bool:
    """A short ALL-CAPS line (`KINESIS DATA STREAMS`), not a formula (`TP / (TP + FP)`)."""
    if len(stripped) > MAX_CAPS_CHARS or not (stripped[0].isalpha() or stripped[0].isdigit()):
        return False
    if any(char in stripped for char in "=|{}<>") or stripped.endswith((".", ",", ";")):
        return False
    if any(char.islower() for char in stripped):
        return False
    return any(len(word) >= 3 for word in re.findall(r"[^\W\d_]+", stripped))


def _label_like(stripped: str) -> bool:
    """Short enough and title-like enough to label what follows it."""
    return (
        len(stripped) <= MAX_LABEL_CHARS
        and len(stripped.split()) <= MAX_LABEL_WORDS
        and not stripped.endswith((":", "!"))
        and _title_like(stripped)
    )


def _opens_block(lines: Sequence[str], indents: Sequence[int], index: int, indent: int) -> bool:
    """Whether the line at `index` starts a list or table, or is indented deeper than `indent`."""
    if index >= len(lines):
        return False
    below = lines[index].strip()
    if not below:
        return False
    return indents[index] > indent or below.startswith("|") or _bullet(below, 0) is not None


def _bullet(stripped: str, indent: int) -> _Line | None:
    ordered = ORDERED_RE.fullmatch(stripped)
    if ordered is not None:
        num = ordered.group("num") or ordered.group("paren")
        digits = num is not None and num.isdigit()
        return _Line(
            "bullet",
            ordered.group("text").strip(),
            indent,
            rank=0 if digits else 1,
            ordered=True,
            number=int(num) if num is not None and digits else 1,
        )
    bullet = BULLET_RE.fullmatch(stripped)
    if bullet is None:
        return None
    glyph = bullet.group("glyph")
    rank = UNICODE_BULLETS[glyph] if glyph else (1 if bullet.group("ascii") == "o" else 0)
    return _Line("bullet", bullet.group("text").strip(), indent, rank=rank)


@dataclass(slots=True)
class _Toc:
    """A table of contents being read: the numbers and titles it has listed."""

    numbers: set[str] = field(default_factory=set)
    titles: set[str] = field(default_factory=set)

    def repeats(self, candidate: _Candidate) -> bool:
        return candidate.number_key in self.numbers or (
            bool(candidate.title_key) and candidate.title_key in self.titles
        )

    def add(self, candidate: _Candidate) -> None:
        self.numbers.add(candidate.number_key)
        if candidate.title_key:
            self.titles.add(candidate.title_key)


def classify_lines(lines: Sequence[str]) -> list[_Line]:
    """What each line is, in one pass (the table-of-contents and heading levels need the lines
    before it)."""
    out: list[_Line] = []
    base = 0  # level of the last numbered or named heading
    underline_styles: list[str] = []
    toc: _Toc | None = None
    fence: str | None = None
    skip = False
    indents = [indent_width(line) for line in lines]
    for i, raw in enumerate(lines):
        if skip:
            out.append(_Line("skip"))
            skip = False
            continue
        stripped = raw.strip()
        indent = indents[i]
        if fence is not None:
            closes = stripped.startswith(fence) and set(stripped) == {fence[0]}
            out.append(_Line("fence" if closes else "code", raw))
            fence = None if closes else fence
            continue
        if not stripped:
            out.append(_Line("blank"))
            continue
        shallow = indent <= 3
        fence_match = FENCE_RE.match(stripped) if shallow else None
        if fence_match is not None:
            fence = fence_match.group(1)
            out.append(_Line("fence", raw, indent))
            toc = None
            continue
        below = lines[i + 1].strip() if i + 1 < len(lines) and indents[i + 1] <= 3 else ""
        underline = UNDERLINE_RE.fullmatch(below)
        candidate = _candidate(stripped) if shallow else None
        line: _Line | None = None
        if shallow and RULE_RE.fullmatch(stripped):
            line = _Line("rule", stripped)
        elif stripped.startswith("|") and stripped.count("|") >= 2:
            line = _Line("table", stripped, indent)
        elif stripped.startswith(">"):
            line = _Line("quote", stripped, indent)
        elif candidate is not None:
            if candidate.toc_entry or (toc is not None and not toc.repeats(candidate)):
                if toc is not None:
                    toc.add(candidate)
                out.append(_Line("bullet", stripped, 4 * (candidate.level - 1)))
                continue
            line = _Line("heading", stripped, level=min(candidate.level, 6))
            base = line.level
            skip = underline is not None
        if line is None:
            line = _bullet(stripped, indent)
        if line is None and shallow:
            if underline is not None and _title_like(stripped, capital=False):
                style = underline.group("mark")
                if style not in underline_styles:
                    underline_styles.append(style)
                depth = underline_styles.index(style) + 1
                line = _Line("heading", stripped, level=min(base + depth, 6))
                skip = True
            elif (
                _caps_heading(stripped)
                or SECTION_WORD_RE.fullmatch(stripped)
                or (
                    indent == 0
                    and (not out or out[-1].kind in ("blank", "heading", "skip", "rule"))
                    and _label_like(stripped)
                    and _opens_block(lines, indents, i + 1, indent)
                )
            ):
                line = _Line("heading", stripped, level=min(base + 1, 6))
        if line is None:
            line = _Line("text", stripped, indent)
        toc = None
        if line.kind == "heading" and TOC_TITLE_RE.fullmatch(line.text):
            toc = _Toc()
        out.append(line)
    return out


# --- Lists ------------------------------------------------------------------------------------


@dataclass(slots=True)
class _ParagraphDraft:
    lines: list[str]
    line: int

    def freeze(self) -> Block:
        return paragraph_block(self.lines, self.line)


@dataclass(slots=True)
class _ItemDraft:
    parts: list[str]
    line: int
    key: tuple[int, int]
    """(indentation, glyph rank): an item nests under the open item with a smaller key."""
    children: list[_ListDraft | _ParagraphDraft] = field(default_factory=list)

    def freeze(self) -> ListItem:
        text = " ".join(part for part in self.parts if part)
        checked: bool | None = None
        box = CHECKBOX_RE.match(text)
        if box is not None:
            checked = box.group("mark") != " "
            text = text[box.end() :]
        return ListItem(
            escape_line_start(text),
            self.line,
            tuple(child.freeze() for child in self.children),
            checked,
        )


@dataclass(slots=True)
class _ListDraft:
    ordered: bool
    line: int
    start: int
    items: list[_ItemDraft] = field(default_factory=list)

    def freeze(self) -> Block:
        # Recursion follows list nesting, which MAX_LIST_DEPTH bounds.
        items = tuple(item.freeze() for item in self.items)
        markdown = list_markdown(items, self.ordered, self.start)
        return Block("list", markdown, self.line, items, self.ordered)


def _read_list(lines: Sequence[_Line], start: int) -> tuple[Block, int]:
    """The list that starts at `start`, and the index of the first line after it."""
    first = lines[start]
    top = _ListDraft(first.ordered, start + 1, first.number)
    top_indent = first.indent
    stack: list[_ItemDraft] = []
    blank = False
    j = start
    while j < len(lines):
        line = lines[j]
        if line.kind == "blank":
            blank = True
        elif line.kind == "bullet":
            key = (line.indent, line.rank)
            while stack and stack[-1].key >= key:
                stack.pop()
            del stack[MAX_LIST_DEPTH - 1 :]
            if not stack:
                if top.items and top.ordered != line.ordered:
                    break  # a numbered list right after a bulleted one is a list of its own
                target = top
                top_indent = min(top_indent, line.indent)
            else:
                parent = stack[-1]
                last = parent.children[-1] if parent.children else None
                if isinstance(last, _ListDraft) and last.ordered == line.ordered:
                    target = last
                else:
                    target = _ListDraft(line.ordered, j + 1, line.number)
                    parent.children.append(target)
            item = _ItemDraft([line.text], j + 1, key)
            target.items.append(item)
            stack.append(item)
            blank = False
        elif line.kind == "text" and stack and not blank:
            # A wrapped line, at any indentation: it continues the item (or its paragraph).
            owner = stack[-1]
            last_child = owner.children[-1] if owner.children else None
            if isinstance(last_child, _ParagraphDraft):
                last_child.lines.append(line.text)
            else:
                owner.parts.append(line.text)
        elif line.kind == "text" and stack and line.indent > top_indent:
            while len(stack) > 1 and stack[-1].key[0] >= line.indent:
                stack.pop()
            stack[-1].children.append(_ParagraphDraft([line.text], j + 1))
            blank = False
        else:
            break
        j += 1
    while j > start + 1 and lines[j - 1].kind == "blank":
        j -= 1
    return top.freeze(), j


# --- Blocks -----------------------------------------------------------------------------------


def _split_row(text: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", text.strip())
    if cells and not cells[0].strip():
        cells = cells[1:]
    if cells and not cells[-1].strip() and text.rstrip().endswith("|"):
        cells = cells[:-1]
    return [cell.strip() for cell in cells]


def _table_block(rows_text: Sequence[str], line: int) -> Block:
    rows = [_split_row(text) for text in rows_text]
    if len(rows) > 1 and rows[1] and all(TABLE_SEPARATOR_CELL_RE.fullmatch(c) for c in rows[1]):
        del rows[1]
    return Block("table", table_markdown(rows), line, rows=tuple(tuple(r) for r in rows))


def _outline(lines: Sequence[str]) -> list[Heading | Block]:
    classified = classify_lines(lines)
    outline: list[Heading | Block] = []
    paragraph: list[str] = []
    paragraph_line = 0

    def flush() -> None:
        if paragraph:
            outline.append(paragraph_block(paragraph, paragraph_line))
            paragraph.clear()

    i = 0
    while i < len(classified):
        line = classified[i]
        kind = line.kind
        if kind == "text":
            if not paragraph:
                paragraph_line = i + 1
            paragraph.append(line.text)
            i += 1
            continue
        flush()
        if kind == "heading":
            outline.append(Heading(line.text, line.level, i + 1))
        elif kind == "rule":
            outline.append(Block("rule", "---", i + 1))
        elif kind == "bullet":
            block, i = _read_list(classified, i)
            outline.append(block)
            continue
        elif kind == "fence":
            end = i + 1
            while end < len(classified) and classified[end].kind == "code":
                end += 1
            closed = end < len(classified) and classified[end].kind == "fence"
            body = [classified[k].text for k in range(i, end + 1 if closed else end)]
            cut = min(line.indent, 3)
            code = [text[cut:] if text[:cut].strip() == "" else text.lstrip() for text in body]
            if not closed:
                while len(code) > 1 and not code[-1].strip():
                    code.pop()
                opener = FENCE_RE.match(code[0].strip())
                code.append(opener.group(1) if opener is not None else "```")
            outline.append(Block("code", "\n".join(code), i + 1))
            i = end + 1 if closed else end
            continue
        elif kind in ("table", "quote"):
            end = i
            while end < len(classified) and classified[end].kind == kind:
                end += 1
            texts = [classified[k].text for k in range(i, end)]
            if kind == "table":
                outline.append(_table_block(texts, i + 1))
            else:
                outline.append(Block("quote", "\n".join(texts), i + 1))
            i = end
            continue
        i += 1
    flush()
    return outline


def text_tree(source: SourceFile, default_deck: str) -> NoteTree:
    """The note tree of a plain-text study-notes file."""
    lines = source.text.removeprefix("\ufeff").split("\n")
    return NoteTree(sections_from_outline(_outline(lines)), default_deck)
