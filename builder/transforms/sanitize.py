"""Allow-list HTML sanitizer: what is left can only format text, never run or fetch anything."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Comment, Tag
from bs4.builder import HTMLTreeBuilder
from bs4.dammit import EntitySubstitution
from bs4.formatter import HTMLFormatter

ALLOWED_TAGS: dict[str, frozenset[str]] = {
    **{
        name: frozenset()
        for name in (
            "p",
            "br",
            "hr",
            "b",
            "strong",
            "i",
            "em",
            "u",
            "s",
            "del",
            "ins",
            "mark",
            "sub",
            "sup",
            "kbd",
            "blockquote",
            "ul",
            "li",
            "thead",
            "tbody",
            "tr",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "dl",
            "dt",
            "dd",
            "table",
            "caption",
            "figure",
            "figcaption",
            "details",
            "summary",
        )
    },
    "a": frozenset({"href", "title"}),
    "img": frozenset({"src", "alt", "title", "width", "height"}),
    "ol": frozenset({"start", "type"}),
    "th": frozenset({"align", "colspan", "rowspan"}),
    "td": frozenset({"align", "colspan", "rowspan"}),
    "span": frozenset({"class"}),
    "div": frozenset({"class"}),
    "pre": frozenset({"class"}),
    "code": frozenset({"class"}),
}
"""Tags kept, each with the attributes it may keep."""

DROPPED_WITH_CONTENT = frozenset(
    {
        "script",
        "style",
        "iframe",
        "object",
        "embed",
        "svg",
        "math",
        "form",
        "input",
        "button",
        "select",
        "textarea",
        "audio",
        "video",
        "source",
        "track",
        "link",
        "meta",
        "base",
        "frame",
        "frameset",
        "applet",
        "template",
        "noscript",
        "canvas",
    }
)
"""Tags removed together with what they contain (their content is code or a form, not text)."""

SAFE_LINK_SCHEMES = frozenset({"http", "https", "mailto"})

# HTML5 void tags (`<br>`), and only &, < and > escaped: "›" stays readable in the card editor.
FORMATTER = HTMLFormatter(
    entity_substitution=EntitySubstitution.substitute_xml,
    void_element_close_prefix="",
    empty_attributes_are_booleans=True,
)


def _safe_href(url: str) -> bool:
    scheme = urlsplit(url.strip()).scheme.lower()
    return scheme in SAFE_LINK_SCHEMES or (not scheme and url.strip().startswith("#"))


def _safe_src(url: str) -> bool:
    """Only media stored in the package: a bare file name, no scheme, no folder."""
    parts = urlsplit(url.strip())
    return (
        not parts.scheme and not parts.netloc and "/" not in url and "\\" not in url and bool(url)
    )


def sanitize_html(html: str) -> str:
    """The HTML with every tag, attribute and URL outside the allow-list removed."""
    if "<" not in html:
        return html
    simple = _sanitize_simple(html)
    return simple if simple is not None else _sanitize_with_soup(html)


def plain_text(html: str) -> str:
    """The text of an HTML fragment, words separated by single spaces: what
    `BeautifulSoup(html, "html.parser").get_text(" ")` gives, with its whitespace collapsed."""
    simple = _plain_text_simple(html)
    return simple if simple is not None else _plain_text_with_soup(html)


def _sanitize_with_soup(html: str) -> str:
    """`sanitize_html` for any HTML: parsed by BeautifulSoup, cleaned and written back."""
    soup = BeautifulSoup(html, "html.parser")
    # Comments show nothing and may carry a source's markers (`<!--ID: n-->`): never keep them.
    for comment in soup.find_all(string=lambda text: isinstance(text, Comment)):
        comment.extract()
    # Remove whole subtrees first, outermost only (a tag inside a removed one goes with it);
    # checking `Tag.decomposed` in the loop below instead would be quadratic on deep nesting.
    for tag in soup.find_all(list(DROPPED_WITH_CONTENT)):
        if isinstance(tag, Tag) and not any(p.name in DROPPED_WITH_CONTENT for p in tag.parents):
            tag.decompose()
    for tag in soup.find_all(True):
        if not isinstance(tag, Tag):
            continue
        name = tag.name.lower()
        allowed = ALLOWED_TAGS.get(name)
        if allowed is None:
            tag.unwrap()
            continue
        for attribute in list(tag.attrs):
            if attribute.lower() not in allowed:
                del tag[attribute]
        href = tag.get("href")
        if isinstance(href, str) and not _safe_href(href):
            del tag["href"]
        src = tag.get("src")
        if name == "img" and not (isinstance(src, str) and _safe_src(src)):
            tag.decompose()
    return soup.decode(formatter=FORMATTER)


def _plain_text_with_soup(html: str) -> str:
    """`plain_text` for any HTML."""
    return " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())


# The fast path. Nearly every field is mistune's or Pygments' output, or this module's own:
# well-formed, allowed tags only, text escaped. Parsing such HTML with BeautifulSoup only to
# write it back changed in a few known ways costs more than the rest of rendering, so HTML
# written in a small, regular subset is cleaned by a regular-expression tokenizer that gives
# the very same string as BeautifulSoup (html.parser, then FORMATTER) would. Anything outside
# the subset -- a comment, a declaration, an unknown or upper-case tag, a tag left open or
# closed out of order, an attribute dropped or unquoted, a URL refused, an entity other than
# the few below, a `<` or `&` standing alone -- goes to BeautifulSoup as before.
# tests/test_sanitize_fast_path.py compares both paths on every field of the reference notes
# and on generated input.

_SIMPLE_TAG_RE = re.compile(r'<(/?)([a-z][a-z0-9]*)((?: [a-z]+="[^"<>]*")*)( ?/)?>')
"""A tag in the subset: lower case, attributes double-quoted and separated by one space."""

_PLAIN_TAG_RE = re.compile(r"""</?([a-z][a-z0-9]*)(?: [a-z]+(?:="[^"<>]*"|='[^'<>]*')?)* ?/?>""")
"""A tag as the fast plain-text path accepts it: also single-quoted and bare attributes, as
BeautifulSoup writes them (`title='a "b"'`, `alt`)."""

_SIMPLE_ATTRIBUTE_RE = re.compile(r' ([a-z]+)="([^"]*)"')

_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'", "&#x27;": "'"}
"""The references mistune, Pygments and BeautifulSoup write, and the characters html.parser
(text: BeautifulSoup's entity table; attributes: `html.unescape`) reads them as."""

_ENTITY_RE = re.compile("|".join(_ENTITIES))
_LONE_AMPERSAND_RE = re.compile(f"&(?!{'|'.join(e[1:] for e in _ENTITIES)})")
"""An `&` that does not start one of `_ENTITIES`: html.parser's handling of those varies."""

_VOID_TAGS = frozenset(filter(HTMLTreeBuilder().can_be_empty_element, ALLOWED_TAGS))
"""Allowed tags that never have content (`br`, `hr`, `img`): BeautifulSoup closes them at
once and writes them `<br>`."""

_WHITESPACE_KEPT = frozenset(HTMLTreeBuilder.DEFAULT_PRESERVE_WHITESPACE_TAGS)
"""Tags inside which BeautifulSoup keeps whitespace-only text as it is (`pre`)."""

_CLASS_WORDS_RE = re.compile(r"\S+(?: \S+)*")
"""A `class` value BeautifulSoup writes back unchanged: it splits the value into words and
joins them with one space, so `class="a  b"` would come out as `class="a b"`."""

_escape = EntitySubstitution.substitute_xml
"""FORMATTER's escaping of text and attribute values: `&`, `<` and `>` only."""


def _unescape(text: str) -> str | None:
    """Text or an attribute value with `_ENTITIES` replaced; None if it has any other `&`."""
    if "&" not in text:
        return text
    if _LONE_AMPERSAND_RE.search(text):
        return None
    return _ENTITY_RE.sub(lambda match: _ENTITIES[match.group()], text)


def _simple_text(raw: str, keep_whitespace: bool) -> str | None:
    """Text between two tags as BeautifulSoup writes it back, or None outside the subset."""
    if "<" in raw:
        return None
    text = _unescape(raw)
    if text is None:
        return None
    # BeautifulSoup replaces a string of nothing but ASCII whitespace, outside `pre`, by one
    # newline if it has one, else by one space.
    if not keep_whitespace and not text.strip(BeautifulSoup.ASCII_SPACES):
        return "\n" if "\n" in text else " "
    return _escape(text)


def _simple_start_tag(name: str, attributes: str, allowed: frozenset[str]) -> str | None:
    """A start tag as BeautifulSoup writes it back, or None if the sanitizer would change it
    (an attribute or URL refused, an image without a source) or BeautifulSoup would rewrite
    it in a way not followed here (a repeated attribute, a `class` with extra whitespace)."""
    if not attributes and name != "img":
        return f"<{name}>"
    values: dict[str, str] = {}
    for key, raw in _SIMPLE_ATTRIBUTE_RE.findall(attributes):
        value = _unescape(raw)
        if key not in allowed or key in values or value is None:
            return None
        values[key] = value
    href = values.get("href")
    if href is not None and not _safe_href(href):
        return None
    if name == "img" and not _safe_src(values.get("src", "")):
        return None
    css = values.get("class")
    if css is not None and not _CLASS_WORDS_RE.fullmatch(css):
        return None
    # Sorted by name; an empty value is written as a bare (boolean) attribute.
    written = [
        f" {key}={FORMATTER.quoted_attribute_value(_escape(value))}" if value else f" {key}"
        for key, value in sorted(values.items())
    ]
    return f"<{name}{''.join(written)}>"


def _sanitize_simple(html: str) -> str | None:
    """`sanitize_html` of HTML in the fast path's subset; None for any other HTML."""
    out: list[str] = []
    open_tags: list[str] = []
    whitespace_kept = 0  # open tags (`pre`) inside which whitespace-only text stays as it is
    position = 0
    for match in _SIMPLE_TAG_RE.finditer(html):
        start = match.start()
        if start > position:
            text = _simple_text(html[position:start], whitespace_kept > 0)
            if text is None:
                return None
            out.append(text)
        position = match.end()
        closing, name, attributes, self_closing = match.groups()
        allowed = ALLOWED_TAGS.get(name)
        if allowed is None:
            return None
        if closing:
            if attributes or self_closing or not open_tags or open_tags.pop() != name:
                return None
            if name in _WHITESPACE_KEPT:
                whitespace_kept -= 1
            out.append(match.group())
            continue
        if self_closing and name not in _VOID_TAGS:
            return None
        tag = _simple_start_tag(name, attributes, allowed)
        if tag is None:
            return None
        out.append(tag)
        if name not in _VOID_TAGS:
            open_tags.append(name)
            if name in _WHITESPACE_KEPT:
                whitespace_kept += 1
    if open_tags:
        return None
    if position < len(html):
        text = _simple_text(html[position:], False)
        if text is None:
            return None
        out.append(text)
    return "".join(out)


def _plain_text_simple(html: str) -> str | None:
    """`plain_text` of HTML with allowed tags only and `_ENTITIES` only; None for any other.

    BeautifulSoup's text is its strings joined by spaces, and its strings are the text
    between tags, references replaced; once whitespace is collapsed, that is the HTML with
    every tag replaced by a space. Nesting does not matter: html.parser keeps strings in the
    order they come whatever it makes of the tags around them. Only allowed tags are
    accepted: some others (`script`, `style`, `rt`, ...) hold strings `get_text` leaves out.
    """
    if "<" in html:
        pieces: list[str] = []
        position = 0
        for match in _PLAIN_TAG_RE.finditer(html):
            if match.group(1) not in ALLOWED_TAGS:
                return None
            pieces.append(html[position : match.start()])
            position = match.end()
        pieces.append(html[position:])
        html = " ".join(pieces)
        if "<" in html:
            return None
    text = _unescape(html)
    return None if text is None else " ".join(text.split())
