"""The render stage's shortcut for plain fields gives exactly what mistune gives.

`FieldRenderer.markdown` returns a line of words and plain punctuation as it is, without
running mistune and the sanitizer. Every string the shortcut takes must come out byte for
byte as from the full path, and it must take most of what the build really renders.
"""

from __future__ import annotations

import random

import pytest

from builder.discover import discover
from builder.files import read_file
from builder.model import QA, Card, Choice, Cloze, MultipleChoice, RenderedCard, SourceRef
from builder.readers import ReadContext
from builder.transforms.render import PLAIN_FIELD_RE, FieldRenderer, _simple_blocks, render_cards
from builder.transforms.sanitize import plain_text
from tests.conftest import FIXTURES, REPO

TREES = [REPO / "source_notes", *sorted(p for p in FIXTURES.iterdir() if p.is_dir())]


@pytest.fixture(scope="module")
def renderer() -> FieldRenderer:
    return FieldRenderer([REPO / "source_notes"], [REPO / "media"])


def plain_of_fields(rendered: RenderedCard) -> str:
    """What a card's plain text is: its shown fields' `plain_text`, joined."""
    return " ".join(text for text in map(plain_text, rendered.fields[:-2]) if text)


def rendered_cards() -> list[RenderedCard]:
    """Every card of the starter notes and fixtures, rendered."""
    cards: list[RenderedCard] = []
    for tree in TREES:
        files, _ = discover([tree])
        renderer = FieldRenderer([tree], [REPO / "media"])
        for source in files:
            found, _ = read_file(source, ReadContext("Default"))
            cards.extend(render_cards(found, renderer, [source.path.parent] * len(found)).cards)
    return cards


def rendered_texts() -> list[str]:
    """Every Markdown text the render stage is given for the starter notes and fixtures."""
    texts: list[str] = []

    class Recording(FieldRenderer):
        def field(self, text: str) -> tuple[str, str | None]:
            texts.append(text)
            return super().field(text)

    for tree in TREES:
        files, _ = discover([tree])
        recording = Recording([tree], [REPO / "media"])
        for source in files:
            found, _ = read_file(source, ReadContext("Default"))
            render_cards(found, recording, [source.path.parent] * len(found))
    return texts


def test_real_fields_are_identical_and_mostly_shortcut(renderer: FieldRenderer) -> None:
    texts = rendered_texts()
    plain = [text for text in texts if PLAIN_FIELD_RE.fullmatch(text)]
    assert len(texts) >= 2000
    assert len(plain) >= 0.3 * len(texts)
    for text in plain:
        assert renderer.markdown(text) == renderer.full_markdown(text) == text, text


def test_generated_plain_lines_are_identical(renderer: FieldRenderer) -> None:
    """Random lines over an alphabet of plain and Markdown-significant characters."""
    rng = random.Random(20261204)
    plain = "abXYé日1 .,;:?!'()/%+-{}" + "  "
    special = plain + '*_~=$[]`&<>"#|\\@^\n\t'
    taken = 0
    for n in range(20_000):
        alphabet = special if n % 2 else plain
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 24)))
        taken += PLAIN_FIELD_RE.fullmatch(text) is not None
        assert renderer.markdown(text) == renderer.full_markdown(text), text
    assert taken >= 2_000


@pytest.mark.parametrize(
    "text",
    [
        "1. a list",
        "2) another",
        "- item",
        "# heading",
        "> quote",
        "a *b*",
        "a_b_",
        "x ~~y~~",
        "==mark==",
        "$x$ math",
        "a `code`",
        "[link](u)",
        "a & b",
        "1 < 2",
        'say "x"',
        "two\nlines",
        "trailing ",
        " leading",
        "tab\there",
        "a [[Page]]",
        "mail@example.com",
        "{{c1::x}} ",
        "a {{c1::`x`}}",
    ],
)
def test_markdown_is_not_shortcut(text: str, renderer: FieldRenderer) -> None:
    assert PLAIN_FIELD_RE.fullmatch(text) is None
    assert renderer.markdown(text) == renderer.full_markdown(text)


def test_real_fields_shortcut_covers_words_and_punctuation() -> None:
    for text in [
        "Word",
        "What is 1,000 records/s (per shard)?",
        "It's 100% right; or: A/B!",
        "{{c1::Kinesis}} shards take {{c2::1 MB/s::throughput}} each.",
    ]:
        assert PLAIN_FIELD_RE.fullmatch(text), text


def test_plain_text_of_real_cards_is_that_of_their_fields() -> None:
    """The shortcut's plain text (no HTML parsed for plain fields) is `plain_text`'s."""
    cards = rendered_cards()
    assert len(cards) >= 500
    assert any(isinstance(r.card.content, MultipleChoice) for r in cards)
    for rendered in cards:
        assert rendered.plain_text == plain_of_fields(rendered), rendered.card.source


def test_plain_text_of_generated_cards_is_that_of_their_fields(renderer: FieldRenderer) -> None:
    """Random cards of every kind, fields plain or not, empty or not, with 0 to 3 right choices
    and stems that do or do not say how many to choose."""
    rng = random.Random(20261205)
    words = ["", "a", "Word two", "x  y", "(Choose two.)", "1. list", "**b**", "a & b", "é 日"]
    source = SourceRef("f.md", 1)

    def text() -> str:
        return " ".join(rng.choice(words) for _ in range(rng.randint(0, 3)))

    for n in range(3_000):
        content: QA | Cloze | MultipleChoice
        if n % 3 == 0:
            content = QA(text(), text())
        elif n % 3 == 1:
            content = Cloze(text(), text())
        else:
            choices = tuple(Choice(text(), rng.random() < 0.4) for _ in range(rng.randint(1, 5)))
            content = MultipleChoice(text(), choices, text())
        rendered, _ = renderer.render(Card(content, "D", source), REPO)
        assert rendered.plain_text == plain_of_fields(rendered), content


def rendered_alike(
    new: type[FieldRenderer], old: type[FieldRenderer], texts: list[str], back: str
) -> list[str]:
    """Each text, as a card's front, rendered by both renderers: the same fields, media and
    problems, in the same order, or the test fails on that text. The fronts rendered."""
    roots = ([REPO / "source_notes"], [REPO / "media"])
    renderers = new(*roots), old(*roots)
    fronts = []
    for text in texts:
        card = Card(QA(text, back), "D", SourceRef("f.md", 1))
        (now, now_problems), (was, was_problems) = (r.render(card, REPO) for r in renderers)
        assert (now, now_problems) == (was, was_problems), text
        fronts.append(now.fields[0])
    return fronts


class ParsingEveryImage(FieldRenderer):
    """The renderer as it was: every field with an `<img>` parsed for HTML images."""

    def _may_have_html_images(self, markdown: str, rendered: str) -> bool:
        return "<img" in rendered.lower()


def image_texts() -> list[str]:
    """Fields of the fixtures with an image, and random mixes of Markdown images (found,
    missing, remote, Obsidian embeds) with HTML images, tags, entities and Markdown."""
    texts = [text for text in rendered_texts() if "![" in text or "<img" in text.lower()]
    rng = random.Random(20261206)
    pieces = [
        "![chart](canary-deployment.svg)",
        "![[confusion-matrix.svg|300]]",
        "![a <b>](kinesis-pipeline.svg)",
        "![gone](missing.png)",
        "![r](https://example.com/a.png)",
        "<img src='skewed-distribution.svg'>",
        '<IMG SRC="gone.png" alt="x">',
        "<img>",
        "<b>",
        "</b>",
        "<p>",
        "</div>",
        "<br/>",
        "<!-- c -->",
        "<script>x</script>",
        "<a href='https://x.test'>",
        "**bold**",
        "`<img src=x>`",
        "&quot;",
        "&nbsp;",
        "&amp;",
        " & ",
        '"',
        "'",
        "\n\n",
        "\n- ",
        "\n> ",
        "word",
        " ",
        "\n\n| a | b |\n|---|---|\n| 1 | ![t](canary-deployment.svg) |\n\n",
        "[^1]\n\n[^1]: note ![f](canary-deployment.svg)\n\n",
        "\n\n```python\nx = '<img>'\n```\n\n",
        "$x < y$",
        "~~s~~ ==m== - [x] task",
        "&#60;img&#62; &lt;b&gt;",
        '[link](https://example.com "t")',
    ]
    for _ in range(3_000):
        texts.append("".join(rng.choice(pieces) for _ in range(rng.randint(1, 8))))
    return texts


def test_skipping_the_renderers_own_images_changes_nothing() -> None:
    """Fields whose only `<img>` are the renderer's own are not parsed again for HTML images:
    they come out byte for byte as when they were."""
    texts = image_texts()
    fronts = rendered_alike(FieldRenderer, ParsingEveryImage, texts, "back")
    pairs = zip(texts, fronts, strict=True)
    skipped = sum("<img" in front and "<" not in text for text, front in pairs)
    assert skipped >= 100


class WithoutSimpleBlocks(FieldRenderer):
    """The renderer without its shortcut for simple blocks: every field through mistune."""

    def full_markdown(self, text: str) -> str:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("builder.transforms.render._simple_blocks", lambda markdown: None)
            return super().full_markdown(text)


def block_texts() -> list[str]:
    """Random fields made of blocks the shortcut takes (plain lines, tight lists of plain or
    labelled items, image paragraphs) and of near misses (loose or adjacent lists, other
    bullets, emphasis and labels written otherwise, stray blank lines and spaces)."""
    rng = random.Random(20261207)
    plain = ["Word", "It's 100% (case 7): a/b", "{{c1::Kinesis}} x", "é 日 x", "a  b", "Use x."]
    odd = ["", " lead", "trail ", "1 x", "*x*", "a_b", "x & y", "<b>x</b>", "`c`", "x | y", "$m$"]
    images = [
        "![chart](canary-deployment.svg)",
        "![](kinesis-pipeline.svg)",
        "![two words](gone.png)",
        "![x](sub/dir-1/a_b.png)",
        "![a](https://example.com/a.png)",
        "![ a](canary-deployment.svg)",
        "![a_b](canary-deployment.svg)",
        "![*a*](canary-deployment.svg)",
        "![a](<canary-deployment.svg>)",
    ]

    def words() -> str:
        return rng.choice(plain if rng.random() < 0.85 else odd)

    def item() -> str:
        form = rng.random()
        if form < 0.45:
            return f"- **{words()}**: {words()}"
        if form < 0.9:
            return f"- {words()}"
        return rng.choice(
            ["-  x", "* x", "+ x", "- **x**:y", "- **x** : y", "- **x**", "-", "1. x"]
        )

    def block() -> str:
        kind = rng.random()
        if kind < 0.45:
            return "\n".join(item() for _ in range(rng.randint(1, 4)))
        if kind < 0.8:
            return words()
        if kind < 0.95:
            return rng.choice(images)
        return rng.choice(["two\nlines", "x\n- y", "- y\nx", "---", "# h", "> q", "  - x"])

    texts = []
    for _ in range(4_000):
        separators = ["\n\n"] * 12 + ["\n", "\n\n\n", "\n \n"]
        parts = [block() for _ in range(rng.randint(1, 5))]
        text = parts[0]
        for part in parts[1:]:
            text += rng.choice(separators) + part
        if rng.random() < 0.05:
            text = rng.choice(["\n", " ", "\n\n"]) + text
        texts.append(text)
    return texts


def test_simple_blocks_are_rendered_as_mistune_renders_them() -> None:
    """Fields the block shortcut takes come out byte for byte as from mistune, with the same
    media found and the same problems, in the same order."""
    texts = block_texts()
    rendered_alike(FieldRenderer, WithoutSimpleBlocks, texts, "- a\n- **b**: c")
    assert sum(_simple_blocks(text) is not None for text in texts) >= 500
