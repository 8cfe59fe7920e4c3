"""Study notes without card syntax: Markdown, plain text or saved web articles become cards.

Each kind of file becomes the same note tree (`note_tree.py`, built by `tree_markdown`,
`tree_text` and `tree_html`), and one set of card rules (`study_rules.py`) turns the tree into
atomic cards with their heading path as context.
"""

from __future__ import annotations

import re

from builder.diagnostics import Diagnostic
from builder.discover import SourceFile
from builder.readers.base import ReadContext, ReadResult
from builder.readers.markdown_text import parse_document
from builder.readers.note_tree import NoteTree
from builder.readers.study_rules import cards_from_tree
from builder.readers.tree_html import html_tree
from builder.readers.tree_markdown import markdown_tree
from builder.readers.tree_text import text_tree

MARKDOWN_SUFFIXES = frozenset({".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
# A .txt file written in Markdown is read as Markdown: it has at least two ATX headings
# (one "# of shards" line in a text note is not one).
MARKDOWN_HEADING_RE = re.compile(r"^#{1,6}[ \t]+[A-Z0-9]", re.MULTILINE)
MIN_MARKDOWN_HEADINGS = 2
HTML_CONTENT_RE = re.compile(r"<(?:h[1-6]|p|li|article)\b", re.IGNORECASE)


class StudyNotesReader:
    """The fallback for notes: any Markdown or text file, and HTML pages with article content."""

    name = "study-notes"

    def claim(self, source: SourceFile) -> int:
        suffix = source.path.suffix.lower()
        if suffix in HTML_SUFFIXES:
            return 1 if HTML_CONTENT_RE.search(source.text) else 0
        return 1 if suffix in MARKDOWN_SUFFIXES or suffix == ".txt" else 0

    def read(self, source: SourceFile, context: ReadContext) -> ReadResult:
        suffix = source.path.suffix.lower()
        problems: tuple[Diagnostic, ...] = ()
        tree: NoteTree
        if suffix in HTML_SUFFIXES:
            tree = html_tree(source, context.default_deck)
        elif (
            suffix in MARKDOWN_SUFFIXES
            or len(MARKDOWN_HEADING_RE.findall(source.text)) >= MIN_MARKDOWN_HEADINGS
        ):
            doc = parse_document(source, context.default_deck)
            tree, problems = markdown_tree(doc), doc.diagnostics
        else:
            tree = text_tree(source, context.default_deck)
        cards, diagnostics = cards_from_tree(tree, source.display_path)
        return ReadResult(tuple(cards), (*problems, *diagnostics))
