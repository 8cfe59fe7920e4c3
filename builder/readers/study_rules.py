"""Card rules for study notes: which parts of a note tree make good atomic cards.

Rules, each with an example in the README:
- a list whose items are all definitions (`Term: definition`, `**Term**: definition`,
  `**Term** – definition`, or a bold/short term with nested bullets) gives one card per item;
- a small table gives one card per row (front: the first cell);
- any other body under a heading gives one card: front the heading, back the body (a `## Question?`
  heading is a question card this way);
- front-matter, tables of contents, link-only lists, reference and credit sections, image-only
  lines, empty sections and headings that only group sub-headings give none;
- a back over MAX_BACK_ITEMS list items or MAX_BACK_CHARS characters is split along its
  structure, or reported when it cannot be.
The heading path goes into every card's context, so a front like "Retention" is never ambiguous.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from builder.diagnostics import Diagnostic, Severity
from builder.model import QA, Card, SourceRef
from builder.readers.note_tree import Block, ListItem, NoteTree, Section, list_markdown

MAX_BACK_CHARS = 1200
MAX_BACK_ITEMS = 12
MAX_TERM_CHARS = 60
MAX_TABLE_ROWS = 15
MIN_DEFINITION_SHARE_PERCENT = 60
"""A list is read as definitions when at least this share of its items define a term."""

TERM_RE = re.compile(
    r"^(?:\*\*(?P<bold>[^*]+?)(?P<inner>:)?\*\*\s*(?P<sep>:|[–—]|-(?=\s))?"
    r"|(?P<plain>[A-Za-z0-9(][^:*`\[\]<>]{0,58}?):(?!//))\s*(?P<rest>.*)$",
    re.DOTALL,
)
SECTION_NUMBER_RE = re.compile(
    r"^(?:(?:domain|chapter|section|part|module|unit|lesson)\s+\d+(?:\.\d+)*[a-z]?\s*[:.–—-]\s*|\d+(?:\.\d+)*\.?\s+)",
    re.IGNORECASE,
)
SKIPPED_TITLE_RE = re.compile(
    r"^(?:references?|sources?|credits?|further reading|see also|bibliography|citations?"
    r"|acknowledge?ments?|(?:external |useful )?links|resources|table of contents|contents|toc"
    r"|related(?: notes| pages)?)\W*$",
    re.IGNORECASE,
)
LINK_ONLY_RE = re.compile(
    r"^\s*(?:\[[^\]]*\]\([^)]*\)|\[\[[^\]]+\]\]|<?https?://\S+>?)\s*[.,;]?\s*$"
)
ANCHOR_LINK_RE = re.compile(r"^\s*\[[^\]]*\]\(#[^)]*\)\s*$")


def clean_title(title: str) -> str:
    """A heading as a learner wants to read it: without "1.2" or "Domain 2:" numbering."""
    cleaned = SECTION_NUMBER_RE.sub("", title.strip(), count=1).strip()
    return cleaned or title.strip()


@dataclass(frozen=True, slots=True)
class RuleContext:
    """What every card made from one file shares."""

    path: str
    deck: str
    tags: tuple[str, ...]


def term_card(item: ListItem) -> tuple[str, str] | None:
    """(term, definition) when a list item defines a term, else None."""
    nested = "\n\n".join(block.markdown for block in item.children).strip()
    text = item.text.strip()
    match = TERM_RE.match(text)
    # "**Bold** words in a sentence" is emphasis, not a term: a bold term needs a separator.
    if match is not None and match.group("bold") is not None:
        separated = match.group("inner") or match.group("sep")
        if not separated and match.group("rest").strip():
            match = None
    if match is not None:
        term = (match.group("bold") or match.group("plain") or "").strip()
        definition = match.group("rest").strip()
        back = "\n\n".join(part for part in (definition, nested) if part)
        if match.group("plain") is not None and not definition:
            back = nested if nested else ""
        if term and back and len(term) <= MAX_TERM_CHARS:
            return term, back
        return None
    # A short item with nested bullets: "Kinesis Data Streams" + its facts.
    short = len(text) <= MAX_TERM_CHARS and not text.endswith((".", "!", "?"))
    if short and nested and any(block.kind == "list" for block in item.children):
        return text.strip("*_ "), nested
    return None


def _is_link_list(block: Block) -> bool:
    """A table of contents or a list of links: nothing to learn from."""
    if block.kind != "list" or not block.items:
        return False
    return all(
        LINK_ONLY_RE.match(item.text) and all(_is_link_list(c) for c in item.children)
        for item in block.items
    )


def _is_decoration(block: Block) -> bool:
    """Blocks that never make or join a card (images join one, see `_section_cards`)."""
    if block.kind == "rule":
        return True
    if block.kind == "html" and block.markdown.strip().startswith("<!--"):
        return True
    return _is_link_list(block) or (
        block.kind == "list" and all(item.checked is not None for item in block.items)
    )


def _item_count(blocks: Sequence[Block]) -> int:
    return sum(len(block.items) for block in blocks if block.kind == "list")


def _chunks(blocks: Sequence[Block]) -> list[str] | None:
    """Backs of at most MAX_BACK_ITEMS items / MAX_BACK_CHARS characters, split along blocks
    and list items; None when one indivisible block is already too long."""
    pieces: list[tuple[str, int]] = []  # (markdown, list items in it)
    for block in blocks:
        if block.kind == "list" and (
            len(block.items) > MAX_BACK_ITEMS or len(block.markdown) > MAX_BACK_CHARS
        ):
            parts = max(
                -(-len(block.items) // MAX_BACK_ITEMS), -(-len(block.markdown) // MAX_BACK_CHARS)
            )
            size = -(-len(block.items) // parts)
            for start in range(0, len(block.items), size):
                group = block.items[start : start + size]
                pieces.append((list_markdown(group, block.ordered, start + 1), len(group)))
        else:
            pieces.append((block.markdown, len(block.items)))
    backs: list[str] = []
    current: list[str] = []
    chars = items = 0
    for markdown, count in pieces:
        if len(markdown) > MAX_BACK_CHARS or count > MAX_BACK_ITEMS:
            return None
        if current and (chars + len(markdown) > MAX_BACK_CHARS or items + count > MAX_BACK_ITEMS):
            backs.append("\n\n".join(current))
            current, chars, items = [], 0, 0
        current.append(markdown)
        chars += len(markdown)
        items += count
    if current:
        backs.append("\n\n".join(current))
    return backs


def _table_cards(block: Block, titles: tuple[str, ...], rc: RuleContext) -> list[Card] | None:
    """One card per row of a small table whose first column names what each row is about."""
    if len(block.rows) < 2 or len(block.rows) - 1 > MAX_TABLE_ROWS:
        return None
    header, *body = block.rows
    if len(header) < 2 or any(len(row) < 2 for row in body):
        return None
    cards = []
    for row in body:
        front = row[0].strip()
        if not front:
            return None
        if len(header) == 2:
            back = row[1].strip()
        else:
            back = "\n".join(
                f"- **{name.strip()}**: {cell.strip()}"
                for name, cell in zip(header[1:], row[1:], strict=False)
                if cell.strip()
            )
        if not back:
            continue
        context = (*titles, clean_title(header[0])) if header[0].strip() else titles
        cards.append(
            Card(QA(front, back), rc.deck, SourceRef(rc.path, block.line), context, rc.tags)
        )
    return cards


def _section_cards(
    section: Section, titles: tuple[str, ...], rc: RuleContext
) -> tuple[list[Card], list[Diagnostic]]:
    """Cards from one section's own body (not its sub-sections)."""
    cards: list[Card] = []
    rest: list[Block] = []
    for block in section.blocks:
        if _is_decoration(block):
            # "Table of contents:" introduced what was just dropped: drop it too.
            if rest and rest[-1].kind == "paragraph" and rest[-1].markdown.rstrip().endswith(":"):
                rest.pop()
            continue
        if block.kind == "list":
            terms = [(item, term_card(item)) for item in block.items]
            defined = [(item, term) for item, term in terms if term is not None]
            # Mostly definitions: each is a card, and the odd plain bullets stay with the heading.
            if len(defined) >= max(1, -(-len(terms) * MIN_DEFINITION_SHARE_PERCENT // 100)):
                for item, term in defined:
                    cards.append(
                        Card(QA(*term), rc.deck, SourceRef(rc.path, item.line), titles, rc.tags)
                    )
                others = [item for item, term in terms if term is None]
                if others:
                    markdown = list_markdown(others, block.ordered)
                    rest.append(Block("list", markdown, others[0].line, tuple(others)))
                continue
        if block.kind == "table":
            rows = _table_cards(block, titles, rc)
            if rows is not None:
                cards.extend(rows)
                continue
        rest.append(block)
    # An image illustrates the text around it; on its own it is nothing to recall.
    if all(block.kind == "image" for block in rest) or not section.title:
        return cards, []
    front = clean_title(section.title)
    parents = titles[:-1]
    ref = SourceRef(rc.path, section.line)
    body = "\n\n".join(block.markdown for block in rest).strip()
    if len(body) <= MAX_BACK_CHARS and _item_count(rest) <= MAX_BACK_ITEMS:
        cards.append(Card(QA(front, body), rc.deck, ref, parents, rc.tags))
        return cards, []
    backs = _chunks(rest)
    if backs is None:
        problem = Diagnostic(
            rc.path,
            section.line,
            Severity.WARNING,
            "back-too-long",
            f"'{front}' has a {len(body)}-character back that cannot be split along its "
            "structure; break it up with sub-headings or lists",
        )
        cards.append(Card(QA(front, body), rc.deck, ref, parents, rc.tags))
        return cards, [problem]
    for n, back in enumerate(backs, start=1):
        cards.append(Card(QA(f"{front} ({n}/{len(backs)})", back), rc.deck, ref, parents, rc.tags))
    return cards, []


def _walk(
    section: Section, titles: tuple[str, ...], rc: RuleContext
) -> Iterator[tuple[list[Card], list[Diagnostic]]]:
    if section.title and SKIPPED_TITLE_RE.match(clean_title(section.title)):
        return
    here = (*titles, clean_title(section.title)) if section.title else titles
    yield _section_cards(section, here, rc)
    for child in section.children:
        yield from _walk(child, here, rc)


def cards_from_tree(tree: NoteTree, path: str) -> tuple[list[Card], list[Diagnostic]]:
    """Every card the rules find in a note tree, in document order."""
    rc = RuleContext(path, tree.deck, tree.tags)
    cards: list[Card] = []
    diagnostics: list[Diagnostic] = []
    for found, problems in _walk(tree.root, (), rc):
        cards.extend(found)
        diagnostics.extend(problems)
    return cards, diagnostics
