"""Math as MathML, converted when a page is written: the `\\(…\\)` and `\\[…\\]` that Anki
renders with MathJax are shown by the browser itself, with no script and no network.

The converter (latex2mathml) builds its output as text and does not escape what a formula
carries in `\\text{…}`, so its output is parsed as XML and written out again from an
allow-list of MathML elements and attributes. A formula that does not convert, or converts to
anything outside the list, is shown as its TeX source.
"""

from __future__ import annotations

import html
import re
from xml.etree import ElementTree

from bs4 import BeautifulSoup
from bs4.element import NavigableString
from latex2mathml.converter import convert

from builder.transforms.sanitize import FORMATTER

MATHML_NAMESPACE = "http://www.w3.org/1998/Math/MathML"

ELEMENTS = frozenset(
    {
        "math", "semantics", "annotation", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace",
        "mfrac", "msqrt", "mroot", "msub", "msup", "msubsup", "munder", "mover", "munderover",
        "mmultiscripts", "mprescripts", "none", "mtable", "mtr", "mtd", "mstyle", "mpadded",
        "mphantom", "merror", "menclose", "mfenced",
    }
)  # fmt: skip
"""Presentation MathML: what displays a formula, nothing that links or acts."""

ATTRIBUTES = frozenset(
    {
        "display", "mathvariant", "mathsize", "mathcolor", "mathbackground", "stretchy",
        "fence", "separator", "separators", "open", "close", "form", "lspace", "rspace",
        "minsize", "maxsize", "symmetric", "largeop", "movablelimits", "accent", "accentunder",
        "linethickness", "width", "height", "depth", "voffset", "scriptlevel", "displaystyle",
        "columnalign", "rowalign", "columnspacing", "rowspacing", "columnlines", "rowlines",
        "frame", "framespacing", "rowspan", "columnspan", "notation", "linebreak",
    }
)  # fmt: skip
"""Attributes kept; any other (`style`, `href`) is dropped."""

MATH = re.compile(r"\\\((.+?)\\\)|\\\[(.+?)\\\]", re.DOTALL)
"""MathJax's delimiters as Anki configures it: `\\(…\\)` inline, `\\[…\\]` displayed."""

SKIPPED_TAGS = frozenset({"code", "pre", "script", "style", "textarea", "math", "annotation"})
"""Where MathJax finds no math (its default `skipHtmlTags`), and math already converted."""

_UNKNOWN_COMMAND = re.compile(r"\\[A-Za-z]+")
"""A command the converter did not know: it copies it into the output as a symbol."""

_MATHML_TAG = re.compile(r"\{" + re.escape(MATHML_NAMESPACE) + r"\}([a-z]+)")


def _write(element: ElementTree.Element, out: list[str]) -> bool:
    """Write an element of the converter's output; False when it is not plain MathML."""
    tag = _MATHML_TAG.fullmatch(element.tag)
    if tag is None or tag.group(1) not in ELEMENTS:
        return False
    name = tag.group(1)
    text = element.text or ""
    if _UNKNOWN_COMMAND.search(text):
        return False
    attributes = "".join(
        f' {attribute}="{html.escape(value)}"'
        for attribute, value in sorted(element.attrib.items())
        if attribute in ATTRIBUTES
    )
    out.append(f"<{name}{attributes}>{html.escape(text, quote=False)}")
    if not all(_write(child, out) for child in element):
        return False
    out.append(f"</{name}>{html.escape(element.tail or '', quote=False)}")
    return True


def tex_to_mathml(tex: str, *, display: bool) -> str | None:
    """A TeX formula as a `<math>` element that keeps its source as an annotation, or None
    when it cannot be converted."""
    try:
        converted = convert(tex, display="block" if display else "inline")
    except Exception:  # the converter fails on odd input with errors of many types
        return None
    try:
        # The output starts with `<math`, so it cannot declare entities: parsing is safe.
        root = ElementTree.fromstring(converted)
    except ElementTree.ParseError:
        return None
    if root.tag != f"{{{MATHML_NAMESPACE}}}math":
        return None
    body: list[str] = []
    if not all(_write(child, body) for child in root):
        return None
    if len(root) != 1:
        body = ["<mrow>", *body, "</mrow>"]
    mode = "block" if display else "inline"
    source = html.escape(tex, quote=False)
    return (
        f'<math display="{mode}"><semantics>{"".join(body)}'
        f'<annotation encoding="application/x-tex">{source}</annotation></semantics></math>'
    )


def _replace_math(text: str) -> str:
    """Text with every formula as MathML (or marked TeX source), as HTML."""
    parts: list[str] = []
    position = 0
    for match in MATH.finditer(text):
        parts.append(html.escape(text[position : match.start()], quote=False))
        position = match.end()
        display = match.group(2) is not None
        tex = match.group(2) if display else match.group(1)
        mathml = tex_to_mathml(tex, display=display)
        if mathml is None:
            mathml = f'<span class="tex-source">{html.escape(match.group(0), quote=False)}</span>'
        parts.append(mathml)
    parts.append(html.escape(text[position:], quote=False))
    return "".join(parts)


def math_as_mathml(card_html: str) -> str:
    """Card HTML with its MathJax formulas (outside code) as MathML."""
    if "\\(" not in card_html and "\\[" not in card_html:
        return card_html
    soup = BeautifulSoup(card_html, "html.parser")
    for string in list(soup.find_all(string=MATH)):
        if type(string) is not NavigableString:
            continue  # a comment, CDATA or doctype: never shown
        if any(parent.name in SKIPPED_TAGS for parent in string.parents):
            continue
        fragment = BeautifulSoup(_replace_math(str(string)), "html.parser")
        string.replace_with(*fragment.contents)
    return soup.decode(formatter=FORMATTER)
