"""The preview page: every card front and back, grouped by deck, with its media, the same
bytes every time (the browser test checks what a reader sees)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, Tag

from builder.model import CardKind
from builder.pipeline import BuildConfig, BuildResult, build
from builder.release import DeckRelease, PackagedNote
from builder.writers.preview import scope_css, write_preview
from tests.conftest import FIXTURES


@pytest.fixture(scope="module")
def vault(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    out = tmp_path_factory.mktemp("vault-dist")
    return build(BuildConfig(sources=(FIXTURES / "vault",), media=(), out=out))


def media_of(result: BuildResult) -> dict[str, Path]:
    """Stored media names and their files, as the build gives them to the package writer."""
    return {m.stored_name: m.path for n in result.notes for m in n.tagged.rendered.media}


def page(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text("utf-8"), "html.parser")


def text_at(node: Tag, selector: str) -> str:
    """The text of the first element the CSS selector finds; it must find one."""
    found = node.select_one(selector)
    assert found is not None, selector
    return found.get_text()


def articles(soup: BeautifulSoup) -> list[Tag]:
    return [a for a in soup.find_all("article", class_="pv-card") if isinstance(a, Tag)]


def test_every_card_is_shown_front_and_back_grouped_by_deck(
    vault: BuildResult, tmp_path: Path
) -> None:
    soup = page(write_preview(vault.releases, media_of(vault), tmp_path))
    cards = articles(soup)
    # 9 basic notes, 2 reversed notes of 2 cards, a cloze note of 2 clozes, 2 questions.
    assert len(cards) == 9 + 2 * 2 + 2 + 2 == 17
    for card in cards:
        front, back = card.find_all("div", class_="card")
        assert front.get_text(strip=True) and back.get_text(strip=True)
    decks = [h.get_text(" ", strip=True) for h in soup.select("section.pv-deck > h2")]
    assert decks == [
        "Fixture Deck::Modeling 5 cards",
        "Fixture Deck::Questions 2 cards",
        "Fixture Deck::Streaming 10 cards",
    ]
    assert "17 cards from 14 notes in 3 decks" in text_at(soup, ".pv-summary")
    reversed_cards = [c for c in cards if text_at(c, ".pv-kind") == "reversed"]
    assert [text_at(c, ".pv-label") for c in reversed_cards[:2]] == [
        "card 1 of 2",
        "card 2 of 2",
    ]


def test_cloze_cards_hide_their_own_cloze_only(vault: BuildResult, tmp_path: Path) -> None:
    soup = page(write_preview(vault.releases, media_of(vault), tmp_path))
    clozes = [c for c in articles(soup) if "cloze" in text_at(c, ".pv-kind")]
    fronts = [c.find_all("div", class_="card")[0].get_text(" ", strip=True) for c in clozes]
    assert "up to [...] or 900 seconds" in fronts[0]
    assert "up to 128 MiB or [...] before" in fronts[1]


def test_images_are_copied_beside_the_page_and_math_is_mathml(
    vault: BuildResult, tmp_path: Path
) -> None:
    media = media_of(vault)
    (stale := tmp_path / "preview" / "media" / "old-0123.png").parent.mkdir(parents=True)
    stale.write_bytes(b"from an earlier preview")
    soup = page(write_preview(vault.releases, media, tmp_path))
    (image,) = soup.find_all("img")
    (name,) = media
    assert image["src"] == f"media/{name}"
    assert (tmp_path / "preview" / "media" / name).read_bytes() == media[name].read_bytes()
    assert not stale.exists()
    (formula,) = soup.find_all("math")
    assert formula.find("mfrac") is not None and "\\(" not in soup.get_text()


def test_same_input_gives_the_same_bytes_written_atomically(
    vault: BuildResult, tmp_path: Path
) -> None:
    first = write_preview(vault.releases, media_of(vault), tmp_path / "a").read_bytes()
    again = write_preview(vault.releases, media_of(vault), tmp_path / "a")
    assert again.read_bytes() == first
    assert write_preview(vault.releases, media_of(vault), tmp_path / "b").read_bytes() == first
    assert not [p for p in tmp_path.rglob("*") if p.name.endswith(".partial")]


def test_retired_notes_are_marked_and_counted(vault: BuildResult, tmp_path: Path) -> None:
    (release,) = vault.releases
    notes = list(release.notes)
    notes[0] = dataclasses.replace(notes[0], tags=(*notes[0].tags, "retired"))
    retired_release = dataclasses.replace(release, notes=tuple(notes))
    soup = page(write_preview([retired_release], media_of(vault), tmp_path))
    marked = soup.select("article.pv-is-retired")
    assert len(marked) == 1 and marked[0].select_one(".pv-retired-badge") is not None
    assert "1 of them retired" in text_at(soup, ".pv-summary")
    assert soup.select_one("#pv-retired option[value=only]") is not None


def test_tag_filter_offers_every_tag_and_parent_with_its_card_count(
    vault: BuildResult, tmp_path: Path
) -> None:
    soup = page(write_preview(vault.releases, media_of(vault), tmp_path))
    options = {o["value"]: o.get_text() for o in soup.select("#pv-tag option")}
    assert options[""] == "All tags"
    modeling = [a for a in articles(soup) if "domain::modeling" in str(a["data-tags"]).split()]
    assert (
        options["domain::modeling"]
        == f"domain::modeling ({len(modeling)})"
        == ("domain::modeling (6)")
    )
    assert options["service::sagemaker"].startswith("service::sagemaker (")
    assert "service::sagemaker::random-cut-forest" in options


def test_note_type_css_applies_inside_card_boxes_only() -> None:
    css = """/* c */
.card { color: red; }
.card > * { margin: 0; }
.nightMode .card, .night_mode .card { color: white; }
img, .cloze:not(.x, .y) { max-width: 100%; }
@media (max-width: 600px) { hr#answer { border: 0; } }
.mc-back li.choice.right .letter::after { content: " \\2713 {"; }
"""
    assert scope_css(css, ".card.s") == (
        ".card.s { color: red; }\n"
        ".card.s > * { margin: 0; }\n"
        ".card.s .nightMode .card, .card.s .night_mode .card { color: white; }\n"
        ".card.s img, .card.s .cloze:not(.x, .y) { max-width: 100%; }\n"
        "@media (max-width: 600px) {\n.card.s hr#answer { border: 0; }\n}\n"
        '.card.s .mc-back li.choice.right .letter::after { content: " \\2713 {"; }\n'
    )


def test_a_note_with_an_unknown_image_never_points_outside_the_page(tmp_path: Path) -> None:
    note = PackagedNote(
        "g1",
        CardKind.BASIC,
        "D",
        ("Q", '<img src="gone.png" alt="x">', "", "a.md"),
        (),
        1,
        ("gone.png",),
        "a.md:1",
        "Q",
    )
    release = DeckRelease("D", "1.0.0", None, (note,), (), (), (), (), 1)
    soup = page(write_preview([release], {}, tmp_path))
    assert not soup.find_all("img")
    assert text_at(soup, ".pv-missing-media") == "[missing image gone.png]"
