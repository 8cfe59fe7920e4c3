"""Render stage: Markdown to Anki HTML, math for MathJax, media found only inside the roots."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from builder.model import QA, Card, Choice, MultipleChoice, SourceRef
from builder.transforms.render import FieldRenderer, render_cards


@pytest.fixture
def roots(tmp_path: Path) -> tuple[Path, Path]:
    notes, media = tmp_path / "notes", tmp_path / "media"
    (notes / "sub").mkdir(parents=True)
    media.mkdir()
    (media / "chart.png").write_bytes(b"\x89PNG chart")
    (notes / "sub" / "chart.png").write_bytes(b"\x89PNG another chart")
    (tmp_path / "secret.png").write_bytes(b"outside")
    return notes, media


def qa_card(front: str, back: str) -> Card:
    return Card(QA(front, back), "D", SourceRef("sub/n.md", 3), ("A", "B"))


def render_back(roots: tuple[Path, Path], back: str) -> tuple[str, list[str], list[str]]:
    notes, media = roots
    outcome = render_cards([qa_card("Q", back)], FieldRenderer([notes], [media]), [notes / "sub"])
    (card,) = outcome.cards
    return (
        card.fields[1],
        [m.stored_name for m in card.media],
        [f"{d.code}: {d.message}" for d in outcome.diagnostics],
    )


def test_fields_context_and_source(roots: tuple[Path, Path]) -> None:
    notes, media = roots
    outcome = render_cards(
        [qa_card("**Bold** q", "a *b*")], FieldRenderer([notes], [media]), [notes]
    )
    assert outcome.cards[0].fields == (
        "<strong>Bold</strong> q",
        "a <em>b</em>",
        "A › B",
        "sub/n.md",
    )
    assert outcome.cards[0].plain_text == "Bold q a b"


def test_math_becomes_mathjax_delimiters(roots: tuple[Path, Path]) -> None:
    html, _, _ = render_back(roots, "$a<b$ and\n\n$$\n\\sum x\n$$")
    assert r"\(a&lt;b\)" in html
    assert r"\[\sum x\]" in html


def test_image_next_to_the_note_wins_and_gets_a_hashed_name(roots: tuple[Path, Path]) -> None:
    html, media, problems = render_back(roots, "![c](chart.png)")
    assert problems == []
    (name,) = media
    assert name.startswith("chart-") and name.endswith(".png")
    assert f'src="{name}"' in html
    _, media_root_only, _ = render_back(roots, "![c](../../media/chart.png)")
    assert media_root_only and media_root_only[0] != name  # same file name, other content


def test_obsidian_embed_is_found_anywhere_in_the_roots(roots: tuple[Path, Path]) -> None:
    html, media, problems = render_back(
        roots, "see ![[CHART.PNG]] and [[Page|alias]] [[Other#Part]]"
    )
    assert problems == [] and len(media) == 1
    assert "alias" in html and "Other › Part" in html and "[[" not in html


def test_escapes_and_absolute_paths_are_refused(roots: tuple[Path, Path]) -> None:
    notes, _ = roots
    for reference in ("../../secret.png", str(notes.parent / "secret.png")):
        html, media, problems = render_back(roots, f"![x]({reference})")
        assert media == [] and "secret" not in html.replace(reference, "")
        assert problems and problems[0].startswith("missing-media")


def test_symlink_leading_outside_is_refused(roots: tuple[Path, Path]) -> None:
    notes, _ = roots
    os.symlink(notes.parent / "secret.png", notes / "link.png")
    _, media, problems = render_back(roots, "![x](link.png)")
    assert media == []
    assert "outside" in problems[0]


def test_missing_and_remote_images(roots: tuple[Path, Path]) -> None:
    html, media, problems = render_back(
        roots, "![gone](nothere.png) ![web](https://example.com/a.png)"
    )
    assert media == []
    assert "[image: gone]" in html
    assert '<a href="https://example.com/a.png">web</a>' in html
    assert [p.split(":")[0] for p in problems] == ["missing-media", "remote-media"]


def test_multiple_choice_fields(roots: tuple[Path, Path]) -> None:
    notes, media = roots
    card = Card(
        MultipleChoice("Which?", (Choice("`a`", False), Choice("b", True)), "Because."),
        "D",
        SourceRef("q.md", 1),
    )
    (rendered,) = render_cards([card], FieldRenderer([notes], [media]), [notes]).cards
    question, choices, answer, explanation, _, _ = rendered.fields
    assert question == "Which?" and answer == "B" and explanation == "Because."
    assert choices == (
        '<ul class="choices"><li class="choice"><span class="letter">A</span> '
        '<span class="choice-text"><code>a</code></span></li><li class="choice right">'
        '<span class="letter">B</span> <span class="choice-text">b</span></li></ul>'
    )


def test_front_says_how_many_to_choose_unless_the_stem_does(roots: tuple[Path, Path]) -> None:
    notes, media = roots
    choices = (Choice("a", True), Choice("b", False), Choice("c", True))
    silent = Card(MultipleChoice("Which apply?", choices), "D", SourceRef("q.md", 1))
    stated = Card(MultipleChoice("Which apply? (Select TWO.)", choices), "D", SourceRef("q.md", 9))
    single = Card(MultipleChoice("Which one?", choices[:2]), "D", SourceRef("q.md", 20))
    rendered = render_cards(
        [silent, stated, single], FieldRenderer([notes], [media]), [notes] * 3
    ).cards
    assert [card.fields[0] for card in rendered] == [
        'Which apply? <span class="choose-n">(Choose two.)</span>',
        "Which apply? (Select TWO.)",
        "Which one?",
    ]


def test_money_is_not_math_and_math_is_never_inside_code() -> None:
    renderer = FieldRenderer([], [])
    assert renderer.markdown("costs $5 and $10 per hour") == "costs $5 and $10 per hour"
    assert renderer.markdown("$$$ cost") == "$$$ cost"
    assert renderer.markdown("recall $\\frac{TP}{TP+FN}$") == "recall \\(\\frac{TP}{TP+FN}\\)"
    assert renderer.markdown("use `$x$` here") == "use <code>$x$</code> here"


def test_code_is_highlighted_at_build_time_with_classes_only() -> None:
    html = FieldRenderer([], []).markdown("```python\nif x < 1:\n    pass\n```")
    assert '<div class="highlight"><pre>' in html
    assert '<span class="k">if</span>' in html and "&lt;" in html
    assert "style=" not in html and "<script" not in html


def test_html_img_tags_are_resolved_like_markdown_images(roots: tuple[Path, Path]) -> None:
    html, media, problems = render_back(
        roots,
        '<img src="chart.png" onerror="x()"> <img src="https://cdn.test/p.gif" alt="pixel">'
        ' <img src="../../secret.png">',
    )
    assert len(media) == 1 and f'src="{media[0]}"' in html
    assert '<a href="https://cdn.test/p.gif">pixel</a>' in html
    assert "onerror" not in html and "secret" not in html.split("[image:")[0]
    assert [p.split(":")[0] for p in problems] == ["remote-media", "missing-media"]
