"""Note types are frozen, offline and script-free; packages never overwrite a different release."""

from __future__ import annotations

import re
from pathlib import Path

from builder.model import QA, Card, RenderedCard, SourceRef, TaggedCard
from builder.transforms.identity import assign_identities
from builder.writers.apkg import slugify, stable_id, write_package
from builder.writers.notetypes import note_types

# Changing any of these forces a full sync on every user's phone: never edit this table.
FROZEN = {
    "basic": (1448822966, ("Front", "Back", "Context", "Source")),
    "basic-reversed": (1677021260, ("Front", "Back", "Context", "Source")),
    "cloze": (1822204242, ("Text", "Extra", "Context", "Source")),
    "multiple-choice": (
        1250221445,
        ("Question", "Choices", "Answer", "Explanation", "Context", "Source"),
    ),
}


def test_model_ids_and_fields_never_change() -> None:
    assert {k: (t.model_id, t.fields) for k, t in note_types().items()} == FROZEN


def test_templates_need_no_script_and_no_network() -> None:
    for note_type in note_types().values():
        model = note_type.model
        texts = [model.css] + [t[side] for t in model.templates for side in ("qfmt", "afmt")]
        for text in texts:
            assert "<script" not in text.lower()
            assert not re.search(r"https?://|@import|url\(", text)
    css = note_types()["basic"].model.css
    assert ".nightMode" in css and ".mc-back li.choice.right" in css


def note(front: str) -> list:  # type: ignore[type-arg]
    card = Card(QA(front, "answer"), "My Deck::Sub", SourceRef("a.md", 1))
    return list(
        assign_identities(
            [
                TaggedCard(
                    RenderedCard(card, (front, "answer", "", "a.md:1"), front),
                    "modeling",
                    (),
                    (card.source,),
                )
            ]
        ).notes
    )


def test_same_content_is_kept_and_new_content_gets_a_new_file(tmp_path: Path) -> None:
    first = write_package("My Deck", note("Q1"), tmp_path)
    assert first.written and first.path.name.startswith("my-deck-0.1.0+")
    before = first.path.read_bytes()
    again = write_package("My Deck", note("Q1"), tmp_path)
    assert (again.path, again.written) == (first.path, False)
    assert first.path.read_bytes() == before
    changed = write_package("My Deck", note("Q1 edited"), tmp_path)
    assert changed.written and changed.path != first.path
    assert first.path.read_bytes() == before
    assert not list(tmp_path.glob(".*partial"))


def test_names_and_ids_are_stable() -> None:
    assert slugify("AWS ML Specialty – 2026") == "aws-ml-specialty-2026"
    assert stable_id("deck", "A::B") == stable_id("deck", "A::B") != stable_id("deck", "A::C")
    assert (1 << 30) <= stable_id("x") < (1 << 31)
