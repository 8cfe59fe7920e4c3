"""One tree for study notes in any clothes: Markdown, plain text or a saved HTML article.

The study-notes card rules (`study_notes.py`) work on this tree only; each builder turns one
input kind into it. Every text in the tree is Markdown, ready for the render stage.
"""

from __future__ import annotations

from dataclasses import dataclass
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
