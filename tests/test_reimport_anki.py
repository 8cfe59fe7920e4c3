"""Rebuild and re-import forever without losing anything, checked with the real Anki engine.

Version 1 is imported and studied; then the notes are edited the ways a learner edits them
(an answer fixed, a question reworded, a card moved to another file and deck, a file
renamed, a card deleted, a card added) and version 2 is imported into the same collection.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from anki.collection import Collection
from anki.scheduler.v3 import CardAnswer, Scheduler

from builder.pipeline import BuildConfig, BuildResult, build
from tests.anki_import import import_package, open_collection

T1 = 1_750_000_000
T2 = int(time.time()) + 100_000
"""Version 2 is stamped in the future, so a build that stamped every note with its own time
would overwrite what the user edited in Anki today (the second trap below)."""

STREAMING = """---
cards-deck: Re-import
---
# Streaming

## What does Kinesis Data Firehose do with incoming records? #card
It buffers them and delivers batches to S3, Redshift or OpenSearch.

## Which service replays stream records for up to 365 days? #card
Kinesis Data Streams, with extended retention turned on.

## What does a Glue crawler write to the Data Catalog? #card
Table definitions: the schema, the partitions and the location in S3.

## Which per-shard limit applies to writes? #card
One MB per second or 1,000 records per second.
"""

METRICS = """---
cards-deck: Re-import
---
# Metrics

## How is precision computed? #card
TP / (TP + FP): the share of predicted positives that are right.

## How is recall computed? #card
TP / (TP + FN): the share of real positives that are found.

## What does the F1 score combine? #card
Precision and recall, as their harmonic mean.
"""

DEPLOYMENT = """---
cards-deck: Re-import
---
# Deployment

## When should an endpoint use asynchronous inference? #card
For large payloads or long processing, with requests queued and results written to S3.
"""


def write_v1(notes: Path) -> None:
    notes.mkdir(parents=True, exist_ok=True)
    (notes / "streaming.md").write_text(STREAMING, encoding="utf-8")
    (notes / "metrics.md").write_text(METRICS, encoding="utf-8")
    (notes / "deploy.md").write_text(DEPLOYMENT, encoding="utf-8")


def edit_to_v2(notes: Path) -> None:
    streaming = (
        STREAMING.replace(  # an edited answer
            "It buffers them and delivers batches to S3, Redshift or OpenSearch.",
            "It buffers them, can convert them to Parquet, and delivers batches to S3.",
        )
        .replace(  # a reworded question
            "Which service replays stream records for up to 365 days?",
            "Which service can replay stream records for up to 365 days?",
        )
        .replace(  # a card moved to another file (and deck)
            "## What does a Glue crawler write to the Data Catalog? #card\n"
            "Table definitions: the schema, the partitions and the location in S3.\n\n",
            "",
        )
        .replace(  # a deleted card
            "\n## Which per-shard limit applies to writes? #card\n"
            "One MB per second or 1,000 records per second.\n",
            "",
        )
    )
    (notes / "streaming.md").write_text(streaming, encoding="utf-8")
    (notes / "catalog.md").write_text(
        "---\ncards-deck: Re-import::Catalog\n---\n# Catalog\n\n"
        "## What does a Glue crawler write to the Data Catalog? #card\n"
        "Table definitions: the schema, the partitions and the location in S3.\n",
        encoding="utf-8",
    )
    metrics = METRICS.replace(  # an added card, at the top: the cards below it move down
        "# Metrics\n",
        "# Metrics\n\n## What does the area under the ROC curve measure? #card\n"
        "How well the model ranks positives above negatives, over every threshold.\n",
    )
    (notes / "metrics.md").write_text(metrics, encoding="utf-8")
    (notes / "deploy.md").rename(notes / "inference.md")  # a renamed file


def build_at(notes: Path, out: Path, now: int) -> BuildResult:
    result = build(BuildConfig((notes,), (), out, lock=notes / "deck.lock", build_time=now))
    assert not result.failed, result.diagnostics
    return result


def study(col: Collection, count: int) -> None:
    """Answer `count` cards Good, so there is review history to lose."""
    deck_id = col.decks.id_for_name("Re-import")
    assert deck_id is not None
    col.decks.select(deck_id)
    sched = col.sched
    assert isinstance(sched, Scheduler)
    for _ in range(count):
        queued = sched.get_queued_cards(fetch_limit=1)
        (top,) = queued.cards
        card = col.get_card(top.card.id)
        card.start_timer()
        sched.answer_card(sched.build_answer(card=card, states=top.states, rating=CardAnswer.GOOD))


def snapshot(col: Collection) -> dict[str, Any]:
    """Everything a learner would miss: notes, cards with scheduling, and the review log."""
    notes = {}
    for note_id in col.find_notes(""):
        note = col.get_note(note_id)
        notes[note.guid] = {
            "id": note.id,
            "mod": note.mod,
            "fields": dict(note.items()),
            "tags": sorted(note.tags),
            "cards": [
                (c.id, col.decks.name(c.did), c.type, c.queue, c.due, c.ivl, c.factor, c.reps)
                for c in note.cards()
            ],
        }
    assert col.db is not None
    revlog = col.db.all("select id, cid, ease, ivl, type from revlog order by id")
    return {"notes": notes, "revlog": revlog}


def by_front(state: dict[str, Any], words: str) -> dict[str, Any]:
    (found,) = [n for n in state["notes"].values() if words in n["fields"]["Front"]]
    return found  # type: ignore[no-any-return]


def test_edits_update_in_place_and_keep_every_review(tmp_path: Path) -> None:
    notes, col = tmp_path / "notes", open_collection(tmp_path / "anki")
    write_v1(notes)
    v1 = build_at(notes, tmp_path / "dist", T1)
    (package_v1,) = v1.packages
    assert package_v1.path.name == "re-import-1.0.0.apkg"
    import_package(col, package_v1.path)
    study(col, 5)
    # The user fixes a typo in Anki itself; the note is unchanged in the sources.
    f1 = col.get_note(by_front(snapshot(col), "F1 score")["id"])
    f1["Back"] = "Precision and recall (harmonic mean) - my own words"
    col.update_note(f1)
    before = snapshot(col)
    assert len(before["notes"]) == 8 and len(before["revlog"]) == 5

    edit_to_v2(notes)
    v2 = build_at(notes, tmp_path / "dist", T2)
    (package_v2,) = v2.packages
    (release,) = v2.releases
    assert package_v2.path.name == "re-import-1.1.0.apkg"
    # Changed: the edited answer, the reworded question, the moved card and the renamed file
    # (its Source field names the new file).
    assert (len(release.added), len(release.changed), len(release.retired)) == (1, 4, 1)
    assert len(release.moved) == 1
    import_package(col, package_v2.path)
    after = snapshot(col)

    # One new note, nothing duplicated; the deleted card is still there, tagged retired.
    assert len(after["notes"]) == len(before["notes"]) + 1
    assert len({n["fields"]["Front"] for n in after["notes"].values()}) == len(after["notes"])
    (retired,) = [n for n in after["notes"].values() if "retired" in n["tags"]]
    assert "per-shard limit" in retired["fields"]["Front"]
    # Edited, reworded, moved and renamed cards: the same notes (ids), updated in place.
    for words in ("Kinesis Data Firehose", "up to 365 days", "Glue crawler", "asynchronous"):
        assert by_front(after, words)["id"] == by_front(before, words)["id"], words
    assert "Parquet" in by_front(after, "Kinesis Data Firehose")["fields"]["Back"]
    assert "can replay" in by_front(after, "up to 365 days")["fields"]["Front"]
    assert "inference.md" in by_front(after, "asynchronous")["fields"]["Source"]
    # Trap 1: edits must get a newer time than the last version, or Anki ignores them.
    assert by_front(after, "Kinesis Data Firehose")["mod"] > T1
    # Trap 2: unchanged notes keep their time, so an edit made in Anki is not overwritten.
    assert by_front(after, "F1 score")["fields"]["Back"].endswith("my own words")
    assert by_front(after, "precision computed")["mod"] == T1
    # Anki's importer never moves cards: the moved card keeps its old deck here.
    assert by_front(after, "Glue crawler")["cards"][0][1] == "Re-import"
    # Review history and every card's scheduling are untouched.
    assert after["revlog"] == before["revlog"]
    for guid, note in before["notes"].items():
        assert after["notes"][guid]["cards"] == note["cards"], note["fields"]["Front"]

    # Importing the same version twice changes nothing.
    import_package(col, package_v2.path)
    assert snapshot(col) == after
    # An unchanged tree builds the same bytes, and the same version.
    again = build_at(notes, tmp_path / "dist-again", T2 + 500)
    assert again.packages[0].path.read_bytes() == package_v2.path.read_bytes()
    assert again.packages[0].path.name == "re-import-1.1.0.apkg"
    col.close()


def test_a_retired_card_is_shipped_once_then_dropped(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    write_v1(notes)
    build_at(notes, tmp_path / "dist", T1)
    (notes / "deploy.md").unlink()
    v2 = build_at(notes, tmp_path / "dist", T1 + 10)
    assert v2.releases[0].version == "1.1.0"
    assert [n.retired for n in v2.releases[0].notes].count(True) == 1
    changelog = (tmp_path / "dist" / "re-import-1.1.0.changelog.md").read_text()
    assert "## Retired (1)" in changelog and "tag:retired" in changelog
    (notes / "metrics.md").write_text(METRICS.replace("harmonic mean", "harmonic mean (F1)"))
    v3 = build_at(notes, tmp_path / "dist", T1 + 20)
    assert v3.releases[0].version == "1.1.1"
    assert not any(n.retired for n in v3.releases[0].notes)
    assert len(v3.releases[0].notes) == 7
