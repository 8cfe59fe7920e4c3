"""Allow-list HTML sanitizer: what is left can only format text, never run or fetch anything."""

from __future__ import annotations

from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Comment, Tag
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
