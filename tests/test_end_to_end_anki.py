"""Build the fixture vault and import the package into a real Anki collection."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from anki.collection import Collection

from builder.pipeline import BuildConfig, BuildResult, build
from tests.anki_import import count_by_type, import_package, imported_notes, media_files
from tests.conftest import FIXTURES

VAULT = FIXTURES / "vault"


@pytest.fixture
def built(tmp_path: Path) -> BuildResult:
    return build(BuildConfig(sources=(VAULT,), media=(), out=tmp_path / "dist"))


def test_fixture_vault_imports_with_every_note_type(
    built: BuildResult, collection: Collection
) -> None:
    assert not built.failed
    assert len(built.packages) == 1
    import_package(collection, built.packages[0].path)
    notes = imported_notes(collection)

    assert count_by_type(notes) == {
        "Deck Builder: Basic": 9,
        "Deck Builder: Basic (and reversed card)": 2,
        "Deck Builder: Cloze": 1,
        "Deck Builder: Multiple choice": 2,
    }
    # The reversed notes make two cards each, the cloze note one per deletion.
    assert collection.card_count() == 9 + 2 * 2 + 2 + 2
    decks = {deck for note in notes for deck in note.decks}
    assert decks == {"Fixture Deck::Streaming", "Fixture Deck::Modeling", "Fixture Deck::Questions"}


def test_fields_tags_and_media_as_a_user_sees_them(
    built: BuildResult, collection: Collection
) -> None:
    import_package(collection, built.packages[0].path)
    notes = {
        n.fields.get("Front") or n.fields.get("Text") or n.fields["Question"]: n
        for n in imported_notes(collection)
    }

    retention = notes["How long does a Kinesis data stream keep records by default?"]
    assert retention.fields["Back"] == "24 hours, extendable to 365 days."
    assert retention.fields["Context"] == "Streaming ingestion"
    assert retention.fields["Source"] == "decks/streaming.md"
    assert {
        "fixture",
        "streaming",
        "domain::data-engineering",
        "service::kinesis::data-streams",
    } <= set(retention.tags)

    firehose = notes["Which Firehose feature converts JSON to Parquet?"]
    assert "formats" in firehose.tags
    assert firehose.fields["Context"] == "Streaming ingestion › Quick checks"

    precision = notes["Precision"]
    assert r"\(\frac{TP}{TP+FP}\)" in precision.fields["Back"]
    assert 'src="matrix-' in precision.fields["Back"]
    assert precision.fields["Context"] == "Modeling › Metrics"
    assert "domain::modeling" in precision.tags
    stored = media_files(collection)
    assert len(stored) == 1 and stored[0].startswith("matrix-") and stored[0].endswith(".svg")
    assert stored[0] in precision.fields["Back"]

    rmse = notes["RMSE"]
    assert rmse.fields["Back"] == "square root of the mean squared error; punishes large misses."
    assert rmse.fields["Context"] == "Modeling › Metrics › Classic losses"

    cloze = next(n for n in notes.values() if n.note_type == "Deck Builder: Cloze")
    assert cloze.fields["Text"] == (
        "A Firehose stream buffers up to {{c1::128 MiB}} or {{c2::900 seconds}} before it delivers."
    )

    two = notes[
        "Which two services can run SQL on data in S3 without loading it first? (Choose two.)"
    ]
    assert two.fields["Answer"] == "A, C"
    assert two.fields["Choices"].count('class="choice right"') == 2
    assert "Amazon Redshift Spectrum" in two.fields["Choices"]
    rcf = notes[
        "Which SageMaker algorithm detects anomalies in a stream of numbers without labels?"
    ]
    assert rcf.fields["Answer"] == "B"
    assert rcf.fields["Explanation"].startswith("Random Cut Forest scores each point")
    assert "service::sagemaker::random-cut-forest" in rcf.tags
    # XGBoost is only a wrong choice: the card is not about it.
    assert "service::sagemaker::xgboost" not in rcf.tags


def test_unanswered_question_is_reported_not_packaged(built: BuildResult) -> None:
    codes = [(d.path, d.line, d.code) for d in built.diagnostics]
    assert ("decks/questions.md", 20, "no-answer") in codes
    questions = [n.card for n in built.notes if n.card.kind.value == "multiple-choice"]
    assert all("nobody answered" not in str(q.content) for q in questions)


def test_report_counts_every_deck_kind_domain_and_source(built: BuildResult) -> None:
    report = json.loads(built.report_path.read_text())
    assert report["ok"] is True
    (deck,) = report["decks"]
    assert deck["deck"] == "Fixture Deck"
    assert deck["package"] == built.packages[0].path.name
    assert deck["notes"] == 14
    assert deck["by_kind"] == {"basic": 9, "cloze": 1, "multiple-choice": 2, "reversed": 2}
    assert deck["by_source"] == {
        "decks/notes.md": 5,
        "decks/questions.md": 2,
        "decks/streaming.md": 7,
    }
    assert sum(deck["by_domain"].values()) == 14
    assert {
        "path": "decks/questions.md",
        "line": 20,
        "severity": "warning",
        "code": "no-answer",
        "message": report["diagnostics"][0]["message"],
    } in report["diagnostics"]


def test_strict_build_fails_on_the_warning_and_writes_no_package(tmp_path: Path) -> None:
    result = build(BuildConfig(sources=(VAULT,), media=(), out=tmp_path / "dist", strict=True))
    assert result.failed
    assert result.packages == ()
    assert not list((tmp_path / "dist").glob("*.apkg"))
    assert json.loads(result.report_path.read_text())["ok"] is False


def without_css(html: str) -> str:
    """Card HTML as Anki renders it, without the note type's inline <style> block."""
    return re.sub(r"<style>.*?</style>", "", html, flags=re.DOTALL)


def test_anki_renders_multiple_choice_with_right_answers_marked_on_the_back_only(
    built: BuildResult, collection: Collection
) -> None:
    import_package(collection, built.packages[0].path)
    (note_id,) = collection.find_notes('"Answer:A, C"')
    (card,) = collection.get_note(note_id).cards()
    front, back = without_css(card.question()), without_css(card.answer())
    # Front: stem and every lettered choice, no answer shown.
    assert "Which two services can run SQL" in front
    assert all(f'<span class="letter">{letter}</span>' in front for letter in "ABCD")
    assert '<div class="mc mc-front">' in front and "mc-back" not in front
    assert "Answer:" not in front
    # Back: the same choices inside the container whose CSS marks the right ones.
    assert '<div class="mc mc-back">' in back and "<b>A, C</b>" in back
    assert back.count('class="choice right"') == 2
    css = card.note_type()["css"]
    assert ".mc-back li.choice.right" in css and ".mc-front li.choice.right" not in css


def test_anki_renders_reversed_and_cloze_cards(built: BuildResult, collection: Collection) -> None:
    import_package(collection, built.packages[0].path)
    (reversed_id,) = collection.find_notes('"Front:Partition key"')
    first, second = collection.get_note(reversed_id).cards()
    assert "Partition key" in first.question() and "Kinesis hashes" not in first.question()
    assert "Kinesis hashes" in second.question() and "Partition key" not in second.question()
    (cloze_id,) = collection.find_notes('"note:Deck Builder: Cloze"')
    c1, c2 = collection.get_note(cloze_id).cards()
    assert "128 MiB" not in c1.question() and "900 seconds" in c1.question()
    assert "128 MiB" in c1.answer()
    assert "900 seconds" not in c2.question() and "128 MiB" in c2.question()
