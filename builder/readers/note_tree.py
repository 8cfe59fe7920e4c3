"""One tree for study notes in any clothes: Markdown, plain text or a saved HTML article.

The study-notes card rules (`study_notes.py`) work on this tree only; each builder turns one
input kind into it. Every text in the tree is Markdown, ready for the render stage.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

BlockKind = Literal["paragraph", "list", "table", "code", "math", "quote", "html", "image", "rule"]


@dataclass(frozen=True, slots=True)
class ListItem:
    """One item of a list."""

    text: str
    """The item's own first paragraph (Markdown, no bullet), e.g. `**Shard**: 1 MB/s in`."""
    line: int
    """1-based line the item starts on."""
    children: tuple[Block, ...] = ()
    """Blocks nested in the item: sub-lists, further paragraphs, code."""
    checked: bool | None = None
    """Task-list state (`- [x]`), None for an ordinary item."""


@dataclass(frozen=True, slots=True)
class Block:
    """A block of a section's body."""

    kind: BlockKind
    """What the block is; `image` is a paragraph holding only images."""
    markdown: str
    """The whole block as Markdown (a list with its bullets, a table with its pipes)."""
    line: int
    """1-based line the block starts on."""
    items: tuple[ListItem, ...] = ()
    """For a list: its top-level items."""
    ordered: bool = False
    """For a list: numbered."""
    rows: tuple[tuple[str, ...], ...] = ()
    """For a table: the header row first, then body rows; cells as Markdown."""


@dataclass(frozen=True, slots=True)
class Section:
    """A heading and what belongs to it."""

    title: str
    """Heading text (Markdown inline); empty for the document's root."""
    level: int
    """Heading level 1-6; 0 for the root, which holds text before the first heading."""
    line: int
    """1-based line of the heading (1 for the root)."""
    blocks: tuple[Block, ...] = ()
    """Body between the heading and its first sub-heading."""
    children: tuple[Section, ...] = ()
    """Sub-sections, in order."""


@dataclass(frozen=True, slots=True)
class NoteTree:
    """A study-notes file as a tree."""

    root: Section
    """Level-0 section: the whole document."""
    deck: str
    """Deck named by the file (`cards-deck:` frontmatter), else the build's default."""
    tags: tuple[str, ...] = ()
    """Tags for every card of the file."""


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading met while reading a file from top to bottom."""

    title: str
    """Heading text, Markdown inline."""
    level: int
    """1-6."""
    line: int
    """1-based line of the heading."""


@dataclass(slots=True)
class _SectionDraft:
    title: str
    level: int
    line: int
    blocks: list[Block] = field(default_factory=list)
    children: list[_SectionDraft] = field(default_factory=list)

    def freeze(self) -> Section:
        # Levels are 0-6 and strictly increase downwards, so this recursion is at most 7 deep.
        return Section(
            self.title,
            self.level,
            self.line,
            tuple(self.blocks),
            tuple(child.freeze() for child in self.children),
        )


def sections_from_outline(outline: Iterable[Heading | Block]) -> Section:
    """The root section of headings and blocks met in document order: a heading holds the blocks
    after it, and the headings after it with a deeper level, up to the next heading at its own
    level or above (a level 3 right under a level 1 is the level 1's child)."""
    root = _SectionDraft("", 0, 1)
    stack = [root]
    for entry in outline:
        if isinstance(entry, Heading):
            level = min(max(entry.level, 1), 6)
            while stack[-1].level >= level:
                stack.pop()
            draft = _SectionDraft(entry.title, level, entry.line)
            stack[-1].children.append(draft)
            stack.append(draft)
        else:
            stack[-1].blocks.append(entry)
    return root.freeze()


def list_markdown(items: Sequence[ListItem], ordered: bool, start: int = 1) -> str:
    """A list as Markdown: `- ` or `N. ` bullets, continuation lines and nested blocks indented
    under their item, a blank line before a nested paragraph, code block or table."""
    lines: list[str] = []
    for n, item in enumerate(items):
        marker = f"{start + n}." if ordered else "-"
        pad = " " * max(4, len(marker) + 1)
        box = "" if item.checked is None else ("[x] " if item.checked else "[ ] ")
        text_lines = item.text.split("\n")
        lines.append(f"{marker} {box}{text_lines[0]}".rstrip())
        lines.extend(pad + line if line else "" for line in text_lines[1:])
        previous: str | None = None
        for child in item.children:
            if child.kind != "list" or (previous is not None and previous != "list"):
                lines.append("")
            lines.extend(pad + line if line else "" for line in child.markdown.split("\n"))
            previous = child.kind
    return "\n".join(lines)
