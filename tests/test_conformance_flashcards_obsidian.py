"""Conformance with the flashcards-obsidian plugin's own example notes.

The files live outside the project, in `../shared/fixtures/flashcards-obsidian/` beside the
checkout (CI has it). When the folder is absent the tests are skipped and say so; the project's
own fixtures in `tests/fixtures/obsidian/` cover the same cases and always run.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from builder.model import QA, Card, Cloze
from builder.readers import ReadContext, choose_reader
from tests.conftest import REPO
from tests.golden import fixture_source

SHARED = (
    Path(os.environ.get("SHARED_FIXTURES", REPO.parent / "shared" / "fixtures"))
    / "flashcards-obsidian"
)

pytestmark = pytest.mark.skipif(
    not SHARED.is_dir(), reason=f"SKIPPED: shared plugin fixtures not found at {SHARED}"
)


def cards(name: str) -> list[Card]:
    source = fixture_source(SHARED / name)
    reader = choose_reader(source)
    assert reader is not None and reader.name == "obsidian"
    result = reader.read(source, ReadContext("Default"))
    assert result.diagnostics == ()
    return list(result.cards)


def test_demo_gives_twelve_cards_one_reversed_with_deck_and_tags() -> None:
    found = cards("demo.md")
    assert len(found) == 12
    assert [c.kind.value for c in found].count("reversed") == 1
    assert {c.deck for c in found} == {"My Knowledge::Demo"}
    assert all(c.tags[:2] == ("demo", "car") for c in found)
    extra = [c for c in found if "open-source" in c.tags]
    assert len(extra) == 1 and isinstance(extra[0].content, QA)
    assert extra[0].content.front == "Open source development"
    fronts = [c.content.front for c in found if isinstance(c.content, QA)]
    assert fronts[:5] == [
        "Car",
        "Controls",
        "Braking",
        "Transmission",
        "_What about electric vehicles?_",
    ]
    transmission = found[3].content
    assert isinstance(transmission, QA) and "electric" not in transmission.back


def test_cloze_gives_the_four_valid_notes_only() -> None:
    found = cards("Cloze.md")
    assert [c.content for c in found] == [
        Cloze("This is a valid {{c1::cloze}} that exploits the {{c2::Obsidian Highlight}} syntax."),
        Cloze("The other mechanism is the {{c1::following one}} with these parenthesis."),
        Cloze("Moreover, the {{c2::order}} of the {{c1::cloze}} support can vary."),
        Cloze("And of course {{c1::multiple syntax}} can be {{c2::mixed}} together."),
    ]
    assert {c.deck for c in found} == {"Cloze"}


def test_inline_gives_five_cards_the_last_reversed() -> None:
    found = cards("Inline.md")
    assert [c.kind.value for c in found] == ["basic"] * 4 + ["reversed"]
    assert all(isinstance(c.content, QA) and c.content.front == "This is a valid" for c in found)
    assert {c.deck for c in found} == {"Inline"}


def test_own_line_and_heading_tag_give_one_card_each() -> None:
    for name in ("flashcard_own_line.md", "flashcard_heading_tag.md"):
        (card,) = cards(name)
        assert card.content == QA("Question", "Answer")
