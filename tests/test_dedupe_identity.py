"""Duplicates merge into one note; every note keeps the same GUID from build to build."""

from __future__ import annotations

import json
from pathlib import Path

from builder.model import (
    QA,
    Card,
    Choice,
    Cloze,
    MultipleChoice,
    RenderedCard,
    SourceRef,
    TaggedCard,
)
from builder.pipeline import BuildConfig, build
from builder.transforms.dedupe import merge_duplicates, merge_near_duplicates
from builder.transforms.identity import assign_identities


def tagged(
    front: str,
    back: str,
    path: str = "a.md",
    line: int = 1,
    tags: tuple[str, ...] = (),
    context: tuple[str, ...] = (),
    marker: str | None = None,
) -> TaggedCard:
    card = Card(QA(front, back), "D", SourceRef(path, line), context, tags, marker)
    return TaggedCard(
        RenderedCard(card, (front, back), f"{front} {back}"), "modeling", tags, (card.source,)
    )


def test_same_card_in_two_files_is_merged_with_both_sources_and_tags() -> None:
    first = tagged("What is RCF?", "Anomaly detection.", "a.md", 3, ("x",))
    second = tagged("what is  RCF", "anomaly detection", "b.md", 9, ("y",))
    other = tagged("What is KNN?", "Neighbours.", "a.md", 5)
    outcome = merge_duplicates([first, second, other])
    assert [c.card.content for c in outcome.cards] == [first.card.content, other.card.content]
    merged = outcome.cards[0]
    assert merged.sources == (SourceRef("a.md", 3), SourceRef("b.md", 9))
    assert merged.tags == ("x", "y")
    (note,) = outcome.diagnostics
    assert (note.path, note.line, note.code) == ("b.md", 9, "duplicate")


def test_different_kinds_are_never_merged() -> None:
    qa = tagged("text", "more")
    cloze_card = Card(Cloze("text more"), "D", SourceRef("c.md", 1))
    cloze = TaggedCard(
        RenderedCard(cloze_card, (), "text more"), "modeling", (), (cloze_card.source,)
    )
    assert len(merge_duplicates([qa, cloze]).cards) == 2


def guid(card: TaggedCard) -> str:
    return assign_identities([card]).notes[0].guid


def test_guid_survives_answer_edit_move_and_rename_of_file() -> None:
    original = guid(tagged("What is RCF?", "Anomaly detection.", "a.md", 3, context=("Modeling",)))
    assert (
        guid(
            tagged(
                "What is RCF?",
                "Unsupervised anomaly detection.",
                "renamed.md",
                40,
                context=("Modeling",),
            )
        )
        == original
    )
    assert guid(tagged("What is RCF?", "x", context=("Data Engineering",))) != original


def test_explicit_marker_wins_over_content() -> None:
    marked = guid(tagged("Q", "A", marker="1234567890123"))
    assert marked == guid(tagged("Completely different", "B", marker="1234567890123"))
    assert marked != guid(tagged("Q", "A"))


def test_same_question_twice_gets_distinct_guids_and_a_warning() -> None:
    outcome = assign_identities(
        [tagged("Retention", "24 h", line=1), tagged("Retention", "7 days", line=8)]
    )
    assert len({n.guid for n in outcome.notes}) == 2
    (warning,) = outcome.diagnostics
    assert (warning.line, warning.code) == (8, "ambiguous-identity")


def mc(question: str, choices: list[tuple[str, bool]], path: str = "q.md") -> TaggedCard:
    card = Card(
        MultipleChoice(question, tuple(Choice(t, r) for t, r in choices)), "D", SourceRef(path, 1)
    )
    plain = " ".join([question, *(t for t, _ in choices)])
    return TaggedCard(RenderedCard(card, (), plain), "modeling", (), (card.source,))


def test_reworded_copies_merge_into_the_richest_with_every_source() -> None:
    a = tagged(
        "What does Kinesis Data Firehose do with records?",
        "It buffers them and delivers batches to S3.",
        "a.md",
        3,
        ("x",),
    )
    b = tagged(
        "what does kinesis data firehose do with records",
        "It buffers them, and delivers batches to S3 or Redshift.",
        "b.md",
        7,
        ("y",),
    )
    outcome = merge_near_duplicates([a, b])
    (merged,) = outcome.cards
    assert merged.card.source == SourceRef("b.md", 7)  # the richer wording
    assert set(merged.sources) == {SourceRef("a.md", 3), SourceRef("b.md", 7)}
    assert merged.tags == ("x", "y")
    (note,) = outcome.diagnostics
    assert (note.path, note.line, note.code) == ("a.md", 3, "near-duplicate")
    assert "b.md:7" in note.message


def test_lookalikes_that_are_different_facts_stay_apart() -> None:
    pairs = [
        (tagged("Precision formula", "TP / (TP + FP)"), tagged("Recall formula", "TP / (TP + FN)")),
        (
            tagged(
                "What does Kinesis Data Streams store?",
                "Records for replay",
                tags=("service::kinesis::data-streams",),
            ),
            tagged(
                "What does Kinesis Video Streams store?",
                "Records for replay",
                tags=("service::kinesis::video-streams",),
            ),
        ),
        (
            mc(
                "Which service runs SQL on S3?", [("Athena", True), ("EMR", False), ("Glue", False)]
            ),
            mc(
                "Which service runs SQL on S3?", [("Athena", False), ("EMR", True), ("Glue", False)]
            ),
        ),
        (
            mc(
                "Which service runs SQL on S3?", [("Athena", True), ("EMR", False), ("Glue", False)]
            ),
            mc(
                "Which service runs SQL on S3?",
                [("Athena", True), ("Redshift", False), ("Lambda", False)],
            ),
        ),
        (
            tagged("Spot training", "Training on spare EC2 capacity with checkpoints."),
            tagged("Training on spare EC2 capacity with checkpoints.", "Spot training"),
        ),
    ]
    for first, second in pairs:
        assert len(merge_near_duplicates([first, second]).cards) == 2, first.card.content


def test_one_question_in_two_dump_formats_becomes_one_note_and_the_report_names_both(
    tmp_path: Path,
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "checkbox.md").write_text(
        "# Practice\n\n"
        "### A team needs streaming records delivered to Amazon S3 in batches with no servers "
        "to manage. Which service fits best?\n"
        "- [ ] Kinesis Data Streams with a consumer on EC2\n"
        "- [x] Kinesis Data Firehose\n"
        "- [ ] AWS Glue crawlers\n"
        "- [ ] Amazon EMR\n\n"
        "### Which service stores video from cameras for later ML analysis?\n"
        "- [x] Kinesis Video Streams\n"
        "- [ ] Kinesis Data Streams\n"
        "- [ ] Amazon Athena\n"
        "- [ ] AWS Glue\n",
        encoding="utf-8",
    )
    bank = [
        {
            "question": "A team needs streaming records delivered to Amazon S3 in batches, with "
            "no servers to manage - which service fits best?",
            "choices": {
                "A": "Kinesis Data Streams with a consumer on EC2",
                "B": "Kinesis Data Firehose",
                "C": "AWS Glue crawlers",
                "D": "Amazon EMR",
            },
            "answer": "B",
            "explanation": "Firehose buffers records and writes them to S3 by itself.",
        },
        {
            "question": "Which service stores records from producers for later ML analysis?",
            "choices": {
                "A": "Kinesis Video Streams",
                "B": "Kinesis Data Streams",
                "C": "Amazon Athena",
                "D": "AWS Glue",
            },
            "answer": "B",
        },
    ]
    (notes / "bank.json").write_text(json.dumps(bank, indent=2), encoding="utf-8")
    result = build(BuildConfig((notes,), (), tmp_path / "out", strict=True))
    assert not result.failed
    assert len(result.notes) == 3
    (merged,) = [n for n in result.notes if len(n.tagged.sources) == 2]
    assert "buffers records" in merged.tagged.rendered.plain_text  # the richer copy is kept
    report = json.loads(result.report_path.read_text())
    (entry,) = report["decks"][0]["merges"]
    assert {entry["kept"], *entry["merged"]} == {"checkbox.md:3", "bank.json:2"}
