"""The sanitizer's and plain text's fast paths give exactly what BeautifulSoup gives.

`sanitize_html` and `plain_text` skip BeautifulSoup for HTML in a small regular subset. Every
string the fast path accepts must come out byte for byte as from the BeautifulSoup path, and
the fast path must accept what the build really feeds it, or it is no faster.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from bs4.exceptions import ParserRejectedMarkup

from builder.discover import discover
from builder.files import read_file
from builder.model import QA, Card, RenderedCard, SourceRef
from builder.readers import ReadContext
from builder.transforms import render
from builder.transforms.render import FieldRenderer, render_cards
from builder.transforms.sanitize import (
    ALLOWED_TAGS,
    _plain_text_simple,
    _plain_text_with_soup,
    _sanitize_simple,
    _sanitize_with_soup,
    plain_text,
    sanitize_html,
)
from tests.conftest import FIXTURES, REPO

TREES = [REPO / "source_notes", *sorted(p for p in FIXTURES.iterdir() if p.is_dir())]


def check_sanitize(html: str) -> bool:
    """Whether the fast path took the HTML; if it did, its output is BeautifulSoup's."""
    fast = _sanitize_simple(html)
    if fast is None:
        return False
    assert fast == _sanitize_with_soup(html), html
    return True


def check_plain(html: str) -> bool:
    """Whether the fast path took the HTML; if it did, its text is BeautifulSoup's."""
    fast = _plain_text_simple(html)
    if fast is None:
        return False
    assert fast == _plain_text_with_soup(html), html
    return True


@dataclass(frozen=True, slots=True)
class Rendered:
    """Every card of the starter notes and of the test fixtures, rendered, and every string
    the render stage gave `sanitize_html` and `plain_text` on the way."""

    cards: list[RenderedCard]
    sanitized: list[str]
    plain: list[str]


@pytest.fixture(scope="module")
def rendered() -> Rendered:
    cards: list[RenderedCard] = []
    sanitized: list[str] = []
    plain: list[str] = []

    def recording(log: list[str], function: Callable[[str], str]) -> Callable[[str], str]:
        def record(html: str) -> str:
            log.append(html)
            return function(html)

        return record

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(render, "sanitize_html", recording(sanitized, sanitize_html))
        patch.setattr(render, "plain_text", recording(plain, plain_text))
        for tree in TREES:
            files, _ = discover([tree])
            renderer = FieldRenderer([tree], [REPO / "media"])
            for source in files:
                found, _ = read_file(source, ReadContext("Default"))
                outcome = render_cards(found, renderer, [source.path.parent] * len(found))
                cards.extend(outcome.cards)
    # The render stage knows the text of plain lines and choice lists without asking
    # `plain_text`: every shown field is checked, as well as what it was asked.
    plain.extend(field for card in cards for field in card.fields[:-2])
    return Rendered(cards, sanitized, plain)


def test_rendered_fields_are_identical_and_mostly_fast(rendered: Rendered) -> None:
    markup = [html for html in rendered.sanitized if "<" in html]
    assert len(markup) >= 300 and len(rendered.plain) >= 2000
    fast = sum(check_sanitize(html) for html in markup)
    # Only the hostile fixture's scripts, comments and refused URLs, and a task list's
    # checkbox, need BeautifulSoup.
    assert fast >= 0.9 * len(markup)
    assert all(check_plain(html) for html in rendered.plain)


def test_cards_plain_text_is_as_before(rendered: Rendered) -> None:
    """As the render stage worked it out before `plain_text`: all fields parsed, joined."""
    for card in rendered.cards:
        text = " ".join(BeautifulSoup(f, "html.parser").get_text(" ") for f in card.fields[:-2])
        assert card.plain_text == " ".join(text.split())


def test_fast_path_takes_common_html() -> None:
    for html in [
        "<strong>Bold</strong> q",
        "<p>a &amp; b &lt; c &gt; d</p>\n<ul>\n<li>x</li>\n</ul>",
        '<img src="chart-0a1b.png" alt="">',
        '<img src="c.png" alt="a &quot;b&quot;" />line<br/>break<br />',
        '<a href="https://docs.aws.amazon.com/" title="it&#39;s">docs</a>',
        '<div class="highlight"><pre><span></span><span class="n">x</span>\n\n</pre></div>',
        '<ol start="3"><li><code class="language-python">a &gt; b</code></li></ol>',
    ]:
        assert check_sanitize(html), html
        assert check_plain(html), html
        assert check_plain(sanitize_html(html)), html


def test_fast_path_leaves_unusual_html_to_beautifulsoup() -> None:
    for html in [
        "a<!-- ID: 1 -->b",
        "<P>upper</P>",
        "<script>x</script>",
        "<b>open",
        "<b><i>crossed</b></i>",
        "a &nbsp; b",
        "a & b",
        "1 < 2",
        '<a href="javascript:alert(1)">x</a>',
        '<img src="https://tracker.test/p.gif">',
        '<span class="a  b">x</span>',
        '<span class="a" class="b">x</span>',
        "<span class=a>x</span>",
        '<div style="x">d</div>',
        "<p/>",
        "</br>",
        "<img>",
        '<img alt="x"/>',
        '</p class="x">',
    ]:
        assert _sanitize_simple(html) is None, html
        # Text without a tag is left as it is, before either path.
        assert sanitize_html(html) == (_sanitize_with_soup(html) if "<" in html else html)
    for html in ["a<!-- c -->b", "<script>x</script>y", "<rt>r</rt>", "a &nbsp; b", "1 < 2"]:
        assert _plain_text_simple(html) is None, html
        assert plain_text(html) == _plain_text_with_soup(html)


# Generated HTML: `clean` is only what the fast path is meant to take; otherwise anything
# from mistune-like output to markup a hand or a hostile file might write.

CLEAN_TEXTS = ["word", "two words", " ", "  \n ", "\n", "\t", "a &amp; b", "1 &lt; 2", "x &gt; y"]
CLEAN_TEXTS += ["&quot;q&quot;", "it&#39;s", "&#x27;", "x > y", "é ü", "a\xa0b", "&amp;lt;", "\r\n"]
CLEAN_TEXTS += ["\x0c ", "\x0b", " \u2003 "]
MESSY_TEXTS = ["&nbsp;", "&copy;", "a & b", "&#8594;", "&AMP;", "&amp", "&#39", "1 < 2", "<", "&"]
MESSY_TEXTS += ["<!-- c -->", "<!DOCTYPE html>", "<![CDATA[x]]>", "<?php x?>", "</>", "< p>"]
CLEAN_VALUES = ["x", "two words", "a &amp; b", "a&quot;b", "it&#39;s", "a&#x27;b&quot;c", "ß"]
CLEAN_VALUES += ["1 &lt; 2 &gt; 0", "", "x\xa0y", "line\nbreak"]
MESSY_VALUES = ["a  b", " a", "a\tb", "a ", "a\xa0b", "&nbsp;", "a&b", "a<b", "a>b", "&copy;"]
CLEAN_HREFS = ["#top", "https://e.test/?a=1&amp;b=2", "mailto:a@b.test", "http://x.test/a b"]
MESSY_HREFS = ["javascript:alert(1)", "data:text/html,x", "", "/local", "JaVaScRiPt:x", " #x"]
CLEAN_SRCS = ["x.png", "chart-0a1b.png", "a b.jpg", "x&amp;y.png"]
MESSY_SRCS = ["../x.png", "dir/x.png", "https://t.test/p.gif", "", "a\\b.png", "c:x.png"]
MESSY_TAGS = ["script", "style", "iframe", "blink", "font", "rt", "textarea", "input", "svg"]
MESSY_TAGS += ["P", "Em", "BR", "x-y", "title"]
MESSY_ATTRIBUTES = ["style", "onclick", "id", "HREF", "data-x", "src", "alt"]
VOID = ("br", "hr", "img")


def attribute_value(rng: random.Random, name: str, clean: bool) -> str:
    messy = not clean and rng.random() < 0.3
    if name == "href":
        return rng.choice(MESSY_HREFS if messy else CLEAN_HREFS)
    if name == "src":
        return rng.choice(MESSY_SRCS if messy else CLEAN_SRCS)
    if name == "class":
        words = rng.sample(
            ["n", "highlight", "choice", "right", "a&amp;b", "k-x"], rng.randint(1, 3)
        )
        return rng.choice([*MESSY_VALUES, ""]) if messy else " ".join(words)
    return rng.choice(MESSY_VALUES if messy else CLEAN_VALUES)


def start_tag(rng: random.Random, name: str, clean: bool) -> str:
    allowed = sorted(ALLOWED_TAGS.get(name, frozenset({"class"})))
    names = rng.sample(allowed, rng.randint(0, len(allowed)))
    if name == "img" and "src" not in names and (clean or rng.random() < 0.8):
        names.append("src")
    if not clean and rng.random() < 0.2:
        names.append(rng.choice(MESSY_ATTRIBUTES))
    rng.shuffle(names)
    parts = [name]
    for attribute in names:
        value = attribute_value(rng, attribute, clean)
        roll = 1.0 if clean else rng.random()
        if roll < 0.05:
            parts.append(attribute)
        elif roll < 0.1:
            parts.append(f"{attribute}='{value}'")
        elif roll < 0.15 and value and " " not in value:
            parts.append(f"{attribute}={value}")
        else:
            parts.append(f'{attribute}="{value}"')
    separator = " " if clean or rng.random() < 0.9 else rng.choice(["  ", "\n", "\t"])
    close = rng.choice(["", "/", " /"]) if name in VOID else ""
    if not clean and rng.random() < 0.05:
        close = rng.choice(["/", " ", " /"])
    return f"<{separator.join(parts)}{close}>"


def html_fragment(rng: random.Random, clean: bool, depth: int = 0) -> str:
    pieces = []
    for _ in range(rng.randint(0, 4)):
        roll = rng.random()
        if roll < 0.45 or depth >= 4:
            texts = CLEAN_TEXTS if clean or rng.random() < 0.85 else MESSY_TEXTS
            pieces.append(rng.choice(texts))
            continue
        tags = list(ALLOWED_TAGS) if clean or rng.random() < 0.85 else MESSY_TAGS
        name = rng.choice(tags)
        tag = start_tag(rng, name, clean)
        if name.lower() in VOID:
            pieces.append(tag + ("" if clean or rng.random() < 0.9 else f"</{name}>"))
            continue
        inner = html_fragment(rng, clean, depth + 1)
        end = f"</{name}>"
        if not clean:
            end = rng.choice(
                [end] * 12 + ["", f"</{name.upper()}>", "</b>", f"</{name} >", f"</{name}/>"]
            )
        pieces.append(tag + inner + end)
    return "".join(pieces)


def mutations(rng: random.Random, html: str) -> Iterator[str]:
    """The HTML changed in one place: a character inserted, deleted or changed in case."""
    for _ in range(3):
        at = rng.randrange(len(html) + 1)
        yield html[:at] + rng.choice(["<", ">", "&", '"', "'", " ", "/", "\n", "A"]) + html[at:]
        yield html[:at] + html[at + 1 :]
        yield html[:at] + html[at:].upper()


def test_generated_clean_html_is_all_fast_and_identical() -> None:
    rng = random.Random(20240611)
    fragments = [html_fragment(rng, clean=True) for _ in range(400)]
    for html in fragments:
        assert check_sanitize(html), html
        assert check_plain(html), html
        assert check_plain(sanitize_html(html)), html


def test_generated_messy_html_is_identical_when_fast() -> None:
    rng = random.Random(7)
    sanitized = plain = total = 0
    for _ in range(400):
        html = html_fragment(rng, clean=rng.random() < 0.3)
        for variant in [html, *(mutations(rng, html) if html else ())]:
            total += 1
            sanitized += check_sanitize(variant)
            plain += check_plain(variant)
            try:
                plain += check_plain(sanitize_html(variant))
            except ParserRejectedMarkup:  # html.parser gives up on some `<![...`: as before
                assert _sanitize_simple(variant) is None
    # Both paths are exercised: some inputs taken, many left to BeautifulSoup.
    assert 0.1 * total < sanitized < 0.9 * total
    assert 0.2 * total < plain < 1.8 * total


def test_mutated_rendered_fields_are_identical_when_fast(rendered: Rendered) -> None:
    rng = random.Random(3)
    markup = sorted({html for html in [*rendered.sanitized, *rendered.plain] if "<" in html})
    for html in rng.sample(markup, 150):
        for variant in mutations(rng, html):
            check_sanitize(variant)
            check_plain(variant)


def test_render_skips_empty_fields_when_joining(tmp_path: Path) -> None:
    card = Card(QA("**a**  \n b", "<p></p>"), "D", SourceRef("n.md", 1), ())
    outcome = render_cards([card], FieldRenderer([tmp_path], [tmp_path]), [tmp_path])
    assert outcome.cards[0].plain_text == "a b"
