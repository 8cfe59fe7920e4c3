"""Anki's card template language, the part our note types use, rendered the way Anki's own
engine renders it: `{{Field}}`, `{{#Field}}…{{/Field}}`, `{{^Field}}…{{/Field}}`,
`{{FrontSide}}`, `{{cloze:Field}}` (nested clozes and hints included) and `<!-- comments -->`.

The preview shows cards without Anki, so this follows Anki's rules to the letter where they
change what is shown: which fields count as empty, how a cloze's hint is found, the markup of
active and inactive clozes, and HTML stripped inside MathJax. A test renders every card of a
built package with both and compares them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from builder.diagnostics import BuildError
from builder.writers.notetypes import NoteType


class TemplateError(BuildError):
    """A note type's template uses something this renderer does not know: an unknown field or
    filter, or a section that is not closed."""


@dataclass(frozen=True, slots=True)
class Text:
    """Template text, copied as it is (comments too, as Anki does)."""

    text: str


@dataclass(frozen=True, slots=True)
class Replacement:
    """`{{filter:Field}}`: a field's content, through its filters."""

    field: str
    filters: tuple[str, ...]
    """In the order they are applied: the one nearest the field name first."""


@dataclass(frozen=True, slots=True)
class Section:
    """`{{#Field}}…{{/Field}}`, or `{{^Field}}…{{/Field}}` when negated."""

    field: str
    negated: bool
    children: tuple[Node, ...]


Node = Text | Replacement | Section

_TOKEN = re.compile(r"\{\{(.*?)\}\}|<!--.*?-->", re.DOTALL)
# Anki's whitespace class is ASCII only: a field holding just a no-break space is not empty.
_EMPTY_FIELD = re.compile(r"(?:[ \t\n\x0b\f\r]|</?(?:br|div) ?/?>)*", re.IGNORECASE)
_CLOZE_CONDITIONAL = re.compile(r"c\d+")


def field_is_empty(html: str) -> bool:
    """Whether Anki treats a field as empty: only whitespace and empty `<br>`/`<div>` tags."""
    return _EMPTY_FIELD.fullmatch(html) is not None


@cache
def parse_template(template: str) -> tuple[Node, ...]:
    """A template as a tree of text, replacements and sections."""
    stack: list[tuple[str | None, list[Node]]] = [(None, [])]
    position = 0
    for match in _TOKEN.finditer(template):
        if match.start() > position:
            stack[-1][1].append(Text(template[position : match.start()]))
        position = match.end()
        inner = match.group(1)
        if inner is None:
            stack[-1][1].append(Text(match.group(0)))
            continue
        handle = inner.lstrip("{").strip()
        kind = handle[:1] if len(handle) >= 2 else ""
        name = handle[1:].lstrip() if kind in ("#", "^", "/") else handle
        if kind in ("#", "^"):
            stack.append((kind + name, []))
        elif kind == "/":
            opened, children = stack.pop()
            if opened is None or opened[1:] != name:
                raise TemplateError(f"{{{{/{name}}}}} closes no open section in {template!r}")
            stack[-1][1].append(Section(name, opened[0] == "^", tuple(children)))
        else:
            field, *filters = reversed(handle.split(":"))
            stack[-1][1].append(Replacement(field, tuple(filters)))
    if position < len(template):
        stack[-1][1].append(Text(template[position:]))
    if len(stack) > 1:
        raise TemplateError(f"{{{{{stack[-1][0]}}}}} is never closed in {template!r}")
    return tuple(stack[0][1])


@dataclass(frozen=True, slots=True)
class _Context:
    fields: Mapping[str, str]
    nonempty: frozenset[str]
    ordinal: int
    """The card's template ordinal (a cloze card's: its cloze number minus one)."""
    frontside: str | None
    """The rendered question while the answer is rendered; None on the question side."""


def _shown(section: Section, context: _Context) -> bool:
    if section.field in context.nonempty:
        filled = True
    elif section.field in context.fields or _CLOZE_CONDITIONAL.fullmatch(section.field):
        filled = False
    else:
        raise TemplateError(f"no field {section.field!r} for a {{{{#…}}}} section")
    return filled != section.negated


def _render_nodes(nodes: Sequence[Node], context: _Context, out: list[str]) -> None:
    for node in nodes:
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, Section):
            if _shown(node, context):
                _render_nodes(node.children, context, out)
        elif node.field == "FrontSide":
            out.append(context.frontside or "")
        elif not node.field and node.filters:
            continue  # a filter with no field adds its own text; none we know does
        elif node.field not in context.fields:
            raise TemplateError(f"no field {node.field!r} for {{{{{node.field}}}}}")
        else:
            text = context.fields[node.field]
            for name in node.filters:
                if name != "cloze":
                    raise TemplateError(f"the template filter {name!r} is not supported")
                text = cloze_filter(text, context.ordinal + 1, context.frontside is None)
            out.append(text)


def render_template(
    template: str, fields: Mapping[str, str], ordinal: int, frontside: str | None = None
) -> str:
    """One side of a card: the question when `frontside` is None, else the answer, with
    `{{FrontSide}}` standing for `frontside`."""
    nonempty = frozenset(name for name, html in fields.items() if not field_is_empty(html))
    out: list[str] = []
    _render_nodes(parse_template(template), _Context(fields, nonempty, ordinal, frontside), out)
    return "".join(out)


@dataclass(frozen=True, slots=True)
class CardSides:
    """A card as Anki shows it, without the note type's CSS."""

    question: str
    answer: str


def render_card(note_type: NoteType, fields: Sequence[str], ordinal: int) -> CardSides:
    """The question and answer of a note's card with this ordinal (for a cloze note type,
    the cloze number minus one)."""
    model = note_type.model
    template = model.templates[0 if model.model_type == model.CLOZE else ordinal]
    by_name = dict(zip(note_type.fields, fields, strict=True))
    question = render_template(template["qfmt"], by_name, ordinal)
    return CardSides(question, render_template(template["afmt"], by_name, ordinal, question))


# Clozes ------------------------------------------------------------------------------------

_CLOZE_TOKEN = re.compile(r"\{\{c(\d+)::|\}\}")
_MATHJAX = re.compile(r"(\\[(\[])(.*?)(\\[\])])", re.DOTALL | re.IGNORECASE)
_HTML_TAG = re.compile(
    r"<!--.*?-->|<style.*?>.*?</style>|<script.*?>.*?</script>|<.*?>", re.DOTALL | re.IGNORECASE
)
_MAX_OPEN_CLOZES = 10
"""Anki ignores the opening of a cloze nested deeper than this."""
_U16 = 65_535


@dataclass(slots=True)
class _Cloze:
    number: int
    nodes: list[str | _Cloze]
    hint: str | None = None

    def text(self) -> str:
        return "".join(node if isinstance(node, str) else node.text() for node in self.nodes)


def _parse_clozes(text: str) -> list[str | _Cloze]:
    """Text and clozes, nested; an unclosed cloze is dropped with its content, as Anki does."""
    output: list[str | _Cloze] = []
    open_clozes: list[_Cloze] = []

    def add_text(piece: str) -> None:
        if not piece:
            return
        if open_clozes:
            head, colons, hint = piece.partition("::")
            if colons:
                open_clozes[-1].hint = hint
            open_clozes[-1].nodes.append(head)
        else:
            output.append(piece)

    position = 0
    for match in _CLOZE_TOKEN.finditer(text):
        number = match.group(1)
        if number is not None and int(number) > _U16:
            continue  # not a cloze number Anki can read: plain text
        add_text(text[position : match.start()])
        position = match.end()
        if number is not None:
            if len(open_clozes) < _MAX_OPEN_CLOZES:
                open_clozes.append(_Cloze(int(number), []))
        elif open_clozes:
            closed = open_clozes.pop()
            (open_clozes[-1].nodes if open_clozes else output).append(closed)
        else:
            add_text("}}")
    add_text(text[position:])
    return output


def encode_attribute(text: str) -> str:
    """Text as an HTML attribute value, escaped as Anki escapes a cloze's `data-cloze`."""
    named = {'"': "&quot;", "&": "&amp;", "'": "&#x27;", "/": "&#x2F;", "<": "&lt;", ">": "&gt;"}
    out = []
    for char in text:
        if char in named:
            out.append(named[char])
        elif ord(char) < 256 and not (char.isascii() and char.isalnum()):
            out.append(f"&#x{ord(char):02X};")
        else:
            out.append(char)
    return "".join(out)


def _reveal(cloze: _Cloze, number: int, question: bool, out: list[str]) -> bool:
    """Write one cloze; True when it or a cloze inside it is the active one."""
    active = cloze.number == number
    found = active

    def inner(target: list[str]) -> None:
        nonlocal found
        for node in cloze.nodes:
            if isinstance(node, str):
                target.append(node)
            else:
                found |= _reveal(node, number, question, target)

    if question and active:
        hidden: list[str] = []
        inner(hidden)
        out.append(
            f'<span class="cloze" data-cloze="{encode_attribute("".join(hidden))}" '
            f'data-ordinal="{cloze.number}">[{cloze.hint if cloze.hint is not None else "..."}]'
            "</span>"
        )
    else:
        css_class = "cloze" if active else "cloze-inactive"
        out.append(f'<span class="{css_class}" data-ordinal="{cloze.number}">')
        inner(out)
        out.append("</span>")
    return found


def reveal_clozes(text: str, number: int, question: bool) -> str:
    """A cloze field on one card: cloze `number` hidden (question) or shown (answer), the
    others as plain text; empty when the field has no cloze with that number."""
    out: list[str] = []
    found = False
    for node in _parse_clozes(text):
        if isinstance(node, str):
            out.append(node)
        else:
            found |= _reveal(node, number, question, out)
    return "".join(out) if found else ""


def cloze_numbers(text: str) -> list[int]:
    """The cloze numbers a field has (0 is not one), in order."""
    numbers: set[int] = set()

    def add(nodes: Sequence[str | _Cloze]) -> None:
        for node in nodes:
            if isinstance(node, _Cloze) and node.number:
                numbers.add(node.number)
                add(node.nodes)

    add(_parse_clozes(text))
    return sorted(numbers)


def cloze_filter(text: str, number: int, question: bool) -> str:
    """`{{cloze:Field}}`: the revealed text, with markup inside MathJax stripped (MathJax
    would show it as text)."""
    return _MATHJAX.sub(
        lambda m: m.group(1) + _HTML_TAG.sub("", m.group(2)) + m.group(3),
        reveal_clozes(text, number, question),
    )
