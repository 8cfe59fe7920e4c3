"""Render stage: Markdown fields to safe HTML, media resolved and stored under hashed names."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import mistune
from bs4 import BeautifulSoup, Tag
from mistune.inline_parser import InlineParser
from mistune.plugins import import_plugin
from mistune.plugins.math import parse_inline_math
from mistune.renderers.html import HTMLRenderer
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

from builder.block_search import LineStartBlockParser
from builder.diagnostics import Diagnostic, Severity
from builder.model import (
    NUMBER_WORDS,
    QA,
    Card,
    Cloze,
    MediaFile,
    MultipleChoice,
    RenderedCard,
    choice_letter,
    expected_answer_count,
)
from builder.transforms.media import MediaLibrary
from builder.transforms.sanitize import plain_text, sanitize_html
from builder.transforms.visible import without_controls

CONTEXT_SEPARATOR = " › "
PLUGINS = ("table", "strikethrough", "mark", "math", "footnotes", "task_lists")
CODE_FORMATTER = HtmlFormatter(cssclass="highlight")
INLINE_MATH_PATTERN = (
    r"\$\$(?P<display_math_text>(?:[^$\\]|\\.)*?)\$\$|"
    r"\$(?P<backtick_math_marker>`+)(?P<backtick_math_text>[\s\S]*?)(?P=backtick_math_marker)\$|"
    r"\$(?!\$)(?!\s)(?P<math_text>(?:[^$\\\n]|\\.)+?)(?<!\s)\$(?!\d)"
)
CODE_SPLIT_RE = re.compile(
    r"(^ {0,3}(?:`{3,}|~{3,})[^\n]*\n.*?^ {0,3}(?:`{3,}|~{3,})[ \t]*$|`+[^`\n]*`+)",
    re.DOTALL | re.MULTILINE,
)
WIKI_EMBED_RE = re.compile(r"!\[\[([^\[\]|#\n]+)(?:#[^\[\]|\n]*)?(?:\|([^\[\]\n]*))?\]\]")
# Link parts never hold a bracket or a line break: without that, `[[a[[a[[a…` with no closing
# `]]` made every `[[` scan to the end of the text (quadratic).
WIKI_LINK_RE = re.compile(r"\[\[([^\[\]|#\n]*)(?:#([^\[\]|\n]*))?(?:\|([^\[\]\n]*))?\]\]")
PLAIN_FIELD_RE = re.compile(r"(?![^_]*+_)(?:[^\W\d_]|\{)[\w .,;:?!'()/%+{}-]*+(?<! )")
"""One line of words and punctuation that means nothing to Markdown or HTML: it starts with a
letter or `{` (not a list, heading or quote), has no `*_~=$`, brackets, backticks, `&<>"`, line
breaks or trailing space. mistune and the sanitizer give such text back as it is, at ~100 µs a
call; it is most fields (94% of the synthetic deck's, most choices of a question). Braces are
plain to both: a cloze's `{{c1::…}}` takes the shortcut too.

Written for speed, as it is tried on every field: the lookahead rules out `_` first, so that
the rest is one character class (word characters, and the punctuation) with a possessive
quantifier: 0.8 µs for a 150-character question, where alternating between letters and
punctuation took 4.5 µs."""

SIMPLE_ITEM_RE = re.compile(r"- (?:\*\*([^*\n]+)\*\*: )?([^\n]+)")
"""A bullet list line `- text` or `- **label**: text`; both parts must also be plain lines
(`PLAIN_FIELD_RE`)."""
SIMPLE_IMAGE_RE = re.compile(
    r"!\[((?:[A-Za-z0-9.-]+(?: [A-Za-z0-9.-]+)*)?)\]\(([A-Za-z0-9_.-]+(?:/[A-Za-z0-9_.-]+)*)\)"
)
"""A paragraph that is one Markdown image: alt text of plain words, a path of plain names."""


def _outside_code(text: str, convert: Any) -> str:
    """Apply `convert` to the parts of Markdown text that are not code."""
    pieces = CODE_SPLIT_RE.split(text)
    return "".join(p if n % 2 else convert(p) for n, p in enumerate(pieces))


def _obsidian_links(text: str) -> str:
    """`![[x.png]]` → a Markdown image, `[[Page|alias]]` → alias, `[[Page#Part]]` → Page › Part."""

    def embed(match: re.Match[str]) -> str:
        target, alt = match.group(1).strip(), (match.group(2) or "").strip()
        if alt.isdigit():  # ![[x.png|300]] sets a width, not alt text
            alt = ""
        return f"![{alt or Path(target).stem}](<{target}>)"

    def link(match: re.Match[str]) -> str:
        page, part, alias = match.group(1), match.group(2), match.group(3)
        if alias:
            return alias.strip()
        return CONTEXT_SEPARATOR.join(x.strip() for x in (page, part) if x and x.strip())

    return WIKI_LINK_RE.sub(link, WIKI_EMBED_RE.sub(embed, text))


@dataclass(slots=True)
class _CardMedia:
    """Media state while rendering one card's fields."""

    note_dir: Path
    found: list[MediaFile] = field(default_factory=list)
    problems: list[tuple[str, bool]] = field(default_factory=list)


class _AnkiHTMLRenderer(HTMLRenderer):
    """mistune's HTML renderer with Anki's MathJax delimiters and media looked up in the roots."""

    def __init__(self, library: MediaLibrary) -> None:
        super().__init__(escape=False)
        self.library = library
        self.card_media = _CardMedia(Path("."))

    def image(self, text: str, url: str, title: str | None = None) -> str:
        lookup = self.library.lookup(url, self.card_media.note_dir)
        if lookup.media is not None:
            self.card_media.found.append(lookup.media)
            alt = html.escape(re.sub(r"<[^>]+>", "", text), quote=True)
            return f'<img src="{html.escape(lookup.media.stored_name)}" alt="{alt}">'
        self.card_media.problems.append((lookup.problem or "media not found", lookup.remote))
        label = html.escape(text or url)
        if lookup.remote:
            return f'<a href="{html.escape(url, quote=True)}">{label}</a>'
        return f"[image: {label}]"

    def block_code(self, code: str, info: str | None = None) -> str:
        """Code highlighted at build time: classes only, colours come from the note type's CSS."""
        language = (info or "").strip().split()[0] if (info or "").strip() else ""
        try:
            lexer = get_lexer_by_name(language) if language else TextLexer()
        except ClassNotFound:
            lexer = TextLexer()
        return str(highlight(code, lexer, CODE_FORMATTER))

    def inline_math(self, text: str) -> str:
        return r"\(" + html.escape(text, quote=False) + r"\)"

    def block_math(self, text: str) -> str:
        return r"<div>\[" + html.escape(text, quote=False) + r"\]</div>" + "\n"


@dataclass(frozen=True, slots=True)
class RenderOutcome:
    """Rendered cards and the problems met while rendering them."""

    cards: tuple[RenderedCard, ...]
    diagnostics: tuple[Diagnostic, ...]


class FieldRenderer:
    """Renders Markdown fields of cards; one per build, as it indexes the media roots once."""

    def __init__(self, source_roots: Sequence[Path], media_roots: Sequence[Path]) -> None:
        self._renderer = _AnkiHTMLRenderer(MediaLibrary([*source_roots, *media_roots]))
        # `mistune.create_markdown`, with the block parser that searches line starts only.
        self._markdown = mistune.Markdown(
            renderer=self._renderer,
            block=LineStartBlockParser(),
            inline=InlineParser(hard_wrap=False),
            plugins=[import_plugin(name) for name in PLUGINS],
        )
        # Money is not math: "$5 and $10" has no closing `$` (one must follow a non-space).
        self._markdown.inline.register(
            "inline_math", INLINE_MATH_PATTERN, parse_inline_math, before="codespan"
        )

    def markdown(self, text: str) -> str:
        """One field's Markdown as safe HTML, without a lone wrapping paragraph."""
        return self.field(text)[0]

    def field(self, text: str) -> tuple[str, str | None]:
        """`markdown(text)`, and its `plain_text` when the shortcut took it: a plain line is its
        own text, spaces collapsed. None when only parsing the HTML can tell."""
        if not text or PLAIN_FIELD_RE.fullmatch(text):
            return text, " ".join(text.split())
        return self.full_markdown(text), None

    def full_markdown(self, text: str) -> str:
        """`markdown` without its shortcut for plain text: mistune, then the sanitizer."""
        # Both kinds of Obsidian link start with `[[`: without one, splitting out the code
        # spans would only give the text back.
        markdown = _outside_code(text, _obsidian_links) if "[[" in text else text
        simple = _simple_blocks(markdown)
        if simple is None:
            rendered = self._markdown(markdown)
            assert isinstance(rendered, str)
        else:
            rendered = self._simple_html(simple)
        rendered = rendered.strip()
        if rendered.count("<p>") == 1 and rendered.startswith("<p>") and rendered.endswith("</p>"):
            rendered = rendered[3:-4]
        if self._may_have_html_images(markdown, rendered):
            rendered = self._html_images(rendered)
        return sanitize_html(rendered)

    def _simple_html(self, blocks: list[SimpleBlock]) -> str:
        """mistune's HTML of `_simple_blocks`' blocks: images are looked up by the renderer,
        in document order, as mistune does once it has parsed the whole text."""
        html_parts: list[str] = []
        for block in blocks:
            if isinstance(block, str):
                html_parts.append(f"<p>{block}</p>\n")
            elif isinstance(block, tuple):
                html_parts.append(f"<p>{self._renderer.image(block[0], block[1])}</p>\n")
            else:
                html_parts.append(f"<ul>\n{''.join(block)}</ul>\n")
        return "".join(html_parts)

    def _may_have_html_images(self, markdown: str, rendered: str) -> bool:
        """Whether the HTML may hold an `<img>` the note wrote as HTML.

        Markdown without a `<` holds no HTML: the only `<img>` are those the renderer made of
        Markdown images, which `_html_images` leaves as they are. It is skipped for them, as
        parsing and writing back the HTML cost ~1 ms a field with an image (20% of rendering
        the synthetic study notes). Writing back well-formed HTML (mistune's own, text
        escaped, no stray end tag) changes nothing once sanitized; writing back a note's own
        HTML may (two strings either side of an end tag BeautifulSoup drops become one)."""
        return "<img" in rendered.lower() and "<" in markdown

    def _html_images(self, html_text: str) -> str:
        """`<img src>` written as HTML in a note: looked up like Markdown images, never fetched."""
        media = self._renderer.card_media
        stored = {m.stored_name for m in media.found}
        soup = BeautifulSoup(html_text, "html.parser")
        for img in soup.find_all("img"):
            if not isinstance(img, Tag):
                continue
            src = img.get("src")
            if not isinstance(src, str) or src in stored:
                continue
            lookup = self._renderer.library.lookup(src, media.note_dir)
            if lookup.media is not None:
                media.found.append(lookup.media)
                img["src"] = lookup.media.stored_name
                continue
            media.problems.append((lookup.problem or "media not found", lookup.remote))
            alt = str(img.get("alt") or src)
            if lookup.remote:
                link = soup.new_tag("a", href=src)
                link.string = alt
                img.replace_with(link)
            else:
                img.replace_with(f"[image: {alt}]")
        return str(soup)

    def render(self, card: Card, note_dir: Path) -> tuple[RenderedCard, list[tuple[str, bool]]]:
        """The card with HTML fields; also the media problems met."""
        self._renderer.card_media = media = _CardMedia(note_dir)
        field = self.field
        context = html.escape(CONTEXT_SEPARATOR.join(card.context))
        source = html.escape(card.source.path)  # no line: a card above moving it is no change
        content = card.content
        # Each shown field's text as `plain_text` would give it, where the shortcut already
        # knows it (None: ask `plain_text`). Parsing the HTML of the choices list cost ~15 µs
        # a question, as much as the rest of rendering a question of plain lines.
        plains: tuple[str | None, ...]
        match content:
            case QA():
                (front, front_plain), (back, back_plain) = field(content.front), field(content.back)
                fields: tuple[str, ...] = (front, back, context, source)
                plains = (front_plain, back_plain)
            case Cloze():
                (text, text_plain), (extra, extra_plain) = field(content.text), field(content.extra)
                fields = (text, extra, context, source)
                plains = (text_plain, extra_plain)
            case MultipleChoice():
                question, question_plain = field(content.question)
                note = _choose_note(content)
                choices = [field(c.text) for c in content.choices]
                letters = ", ".join(content.answer_letters)
                explanation, explanation_plain = field(content.explanation)
                fields = (
                    _with_note(question, note),
                    choices_html([h for h, _ in choices], [c.correct for c in content.choices]),
                    letters,
                    explanation,
                    context,
                    source,
                )
                plains = (
                    None if question_plain is None else _joined_words(question_plain, note),
                    _choices_plain([p for _, p in choices]),
                    letters,
                    explanation_plain,
                )
        fields = tuple(without_controls(f) for f in fields)
        # Each field's words joined by single spaces, then the fields' likewise: the same as
        # collapsing the whitespace of all the fields' text joined.
        texts = (
            plain_text(f) if p is None else p for f, p in zip(fields[:-2], plains, strict=True)
        )
        plain = " ".join(text for text in texts if text)
        unique_media = tuple(dict.fromkeys(media.found))
        rendered = RenderedCard(card, fields, plain, unique_media)
        return rendered, media.problems


SimpleBlock = str | tuple[str, str] | list[str]
"""A block of `_simple_blocks`: a paragraph's text, an image's (alt, path), or the HTML of a
tight list's items."""


def _simple_blocks(markdown: str) -> list[SimpleBlock] | None:
    """The blocks of Markdown made only of plain one-line paragraphs, tight bullet lists of
    plain items (`- text`, `- **label**: text`) and one-image paragraphs, one blank line apart
    (study notes write most multi-line fields so); None for any other Markdown.

    mistune gives such text the HTML `FieldRenderer._simple_html` makes of these blocks, at
    ~300 µs a field (4% of the per-file stage): the words and punctuation of a plain line mean
    nothing to it (see `PLAIN_FIELD_RE`), a `**` before a letter or `{` opens and one before
    `: ` closes, and each `- ` line is an item of one tight list. Two lists one blank line
    apart are one loose list to mistune, whose items are paragraphs: that is left to it, as
    is any text with a blank block (three line breaks in a row, or one at either end)."""
    blocks: list[SimpleBlock] = []
    after_list = False
    for block in markdown.split("\n\n"):
        if block.startswith("- "):
            if after_list:
                return None
            items: list[str] = []
            for line in block.split("\n"):
                item = SIMPLE_ITEM_RE.fullmatch(line)
                if item is None:
                    return None
                label, text = item.groups()
                if not PLAIN_FIELD_RE.fullmatch(text):
                    return None
                if label is None:
                    items.append(f"<li>{text}</li>\n")
                elif PLAIN_FIELD_RE.fullmatch(label):
                    items.append(f"<li><strong>{label}</strong>: {text}</li>\n")
                else:
                    return None
            blocks.append(items)
            after_list = True
            continue
        after_list = False
        if PLAIN_FIELD_RE.fullmatch(block):  # no line break: one line, and not blank
            blocks.append(block)
            continue
        image = SIMPLE_IMAGE_RE.fullmatch(block)
        if image is None:
            return None
        blocks.append((image.group(1), image.group(2)))
    return blocks


def _with_note(rendered: str, note: str | None) -> str:
    return rendered if note is None else f'{rendered} <span class="choose-n">{note}</span>'


def _choose_note(question: MultipleChoice) -> str | None:
    """ "(Choose two.)" when several are right and the stem does not say how many."""
    count = sum(choice.correct for choice in question.choices)
    if count < 2 or expected_answer_count(question.question) is not None:
        return None
    words = {v: k for k, v in NUMBER_WORDS.items()}
    return f"(Choose {words.get(count, str(count))}.)"


def _joined_words(*texts: str | None) -> str:
    """Plain texts as `plain_text` gives them once tags between them part their words."""
    return " ".join(text for text in texts if text)


def choices_html(choices: Sequence[str], correct: Sequence[bool]) -> str:
    """Lettered options; right ones carry a class the back template's CSS highlights."""
    items = []
    for index, (text, right) in enumerate(zip(choices, correct, strict=True)):
        css = "choice right" if right else "choice"
        letter = choice_letter(index)
        items.append(
            f'<li class="{css}"><span class="letter">{letter}</span> '
            f'<span class="choice-text">{text}</span></li>'
        )
    return f'<ul class="choices">{"".join(items)}</ul>'


def _choices_plain(choices: Sequence[str | None]) -> str | None:
    """`plain_text` of `choices_html`, given each choice's: each letter, then its text (the
    tags around them part words). None if a choice's is not known."""
    if None in choices:
        return None
    words = (word for i, text in enumerate(choices) for word in (choice_letter(i), text))
    return _joined_words(*words)


def render_cards(
    cards: Sequence[Card], renderer: FieldRenderer, note_dirs: Sequence[Path]
) -> RenderOutcome:
    """Render every card; `note_dirs[i]` is the folder of card i's source file."""
    rendered: list[RenderedCard] = []
    diagnostics: list[Diagnostic] = []
    for card, note_dir in zip(cards, note_dirs, strict=True):
        result, problems = renderer.render(card, note_dir)
        rendered.append(result)
        for problem, remote in problems:
            severity = Severity.INFO if remote else Severity.WARNING
            code = "remote-media" if remote else "missing-media"
            diagnostics.append(
                Diagnostic(card.source.path, card.source.line, severity, code, problem)
            )
    return RenderOutcome(tuple(rendered), tuple(diagnostics))
