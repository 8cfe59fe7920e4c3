"""Duplicates merge into one note; every note keeps the same GUID from build to build."""

from __future__ import annotations

import json
import shutil
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
from builder.transforms.dedupe import (
    NEAR_DUPLICATE_JACCARD,
    REWORDED_JACCARD,
    REWORDED_WORDS,
    _jaccard,
    _shingles,
    _similar,
    _words,
    merge_duplicates,
    merge_near_duplicates,
)
from builder.transforms.identity import assign_identities, identity_key, new_guid


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


def test_guids_worked_out_before_are_the_ones_worked_out_here() -> None:
    """The per-file stage gives each card's new GUID (`guid_of`): the notes are the same as
    when assign_identities works them out, numbered ones and markers included."""
    cards = [
        tagged("Retention", "24 h", line=1),
        tagged("Retention", "7 days", line=8),
        tagged("Other", "B", marker="1234567890123"),
        tagged("Third", "C"),
    ]
    given = {id(card): new_guid(identity_key(card)) for card in cards}
    plain = assign_identities(cards)
    assert assign_identities(cards, None, guid_of=lambda card: given[id(card)]) == plain
    assert len({n.guid for n in plain.notes}) == len(cards)


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


def cloze(text: str, path: str = "a.md", line: int = 1) -> TaggedCard:
    card = Card(Cloze(text), "D", SourceRef(path, line))
    return TaggedCard(RenderedCard(card, (), text), "modeling", (), (card.source,))


def test_more_lookalikes_stay_apart_and_light_rewording_merges() -> None:
    apart = [
        (
            cloze("In k-fold cross-validation each part is used once as {{c1::validation}} data."),
            cloze("In k-fold cross-validation each part is used once as {{c1::test}} data."),
        ),
        (
            tagged("What is the default retention of Kinesis Data Streams?", "24 hours"),
            tagged("What is the maximum retention of Kinesis Data Streams?", "365 days"),
        ),
        (
            tagged("A stream keeps records for 30 days; what is its cost per shard?", "x y z"),
            tagged("A stream keeps records for 90 days; what is its cost per shard?", "x y z"),
        ),
        (
            tagged("Which metric matters most when false positives are costly?", "Precision"),
            tagged("Which metric matters most when false negatives are costly?", "Recall"),
        ),
    ]  # fmt: skip
    for first, second in apart:
        assert len(merge_near_duplicates([first, second]).cards) == 2, first.card.content
    same = [
        (
            cloze("Kinesis Data Streams keeps data {{c1::24 hours}} by default, up to 365 days."),
            cloze("kinesis data streams keeps data {{c1::24 hours}} by default up to 365 days"),
        ),
        (
            tagged("A data scientist must label 500,000 images cheaply. What should the team use?",
                   "Ground Truth with automated data labeling"),
            tagged("A data scientist must label 500000 images cheaply - what should the team use",
                   "Ground Truth with automated data labeling"),
        ),
    ]  # fmt: skip
    for first, second in same:
        assert len(merge_near_duplicates([first, second]).cards) == 1, first.card.content


LABELED = Path(__file__).parent / "fixtures" / "labeled" / "notes"
SWAPS = [("company", "organization"), ("wants", "needs"), ("Which", "What"), ("should", "must")]


def copied_as_checkbox_dump(bank: list[dict[str, object]]) -> str:
    """The bank's questions as another site would copy them: another format, choices in
    another order, commas dropped, a word or two swapped, every other one lowercased."""
    blocks = ["# Copied set"]
    for n, question in enumerate(bank):
        stem = str(question["question"])
        for old, new in SWAPS[n % 3 : n % 3 + 2]:
            stem = stem.replace(old, new, 1)
        stem = stem.replace(",", "").replace("?", " ?")
        stem = stem.lower() if n % 2 else stem
        choices = question["choices"]
        assert isinstance(choices, dict)
        right = set(str(question["answer"]))
        lines = [f"### {stem}"]
        for letter, text in reversed(list(choices.items())):
            lines.append(f"- [{'x' if letter in right else ' '}] {text}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def test_a_copied_question_bank_merges_into_the_original_and_nothing_else_merges(
    tmp_path: Path,
) -> None:
    notes = tmp_path / "notes"
    shutil.copytree(LABELED, notes)
    bank = json.loads((LABELED / "dumps-json" / "bank.json").read_text("utf-8"))
    (notes / "copied.md").write_text(copied_as_checkbox_dump(bank), encoding="utf-8")
    result = build(BuildConfig((notes,), (), tmp_path / "out"))
    # Every card of the labeled set is a different fact, with one label each.
    labeled_cards = sum(
        len(json.loads(path.read_text("utf-8")))
        for path in (LABELED.parent / "labels").glob("*.json")
    )
    assert len(result.notes) == labeled_cards
    merged = [n for n in result.notes if len(n.tagged.sources) > 1]
    assert len(merged) == len(bank)
    for note in merged:
        assert sorted(s.path for s in note.tagged.sources) == ["copied.md", "dumps-json/bank.json"]
        assert len([t for t in note.tagged.tags if t.startswith("domain::")]) == 1


def test_similar_is_its_definition_for_equal_and_unequal_sides() -> None:
    # `_similar` says yes to equal texts without their 3-grams: what the definition gives.
    texts = ["", " ", "One", "one", "Use S3", "use s3", "a b c", "a b c d", "c b a"]
    texts += ["use amazon s3 with shard | use glue", "use amazon s3 with shard | use emr"]
    texts += ["Which service stores objects durably at low cost for a data lake?"] * 2
    for a in texts:
        for b in texts:
            three = _jaccard(_shingles(a), _shingles(b))
            words = _jaccard(_words(a), _words(b))
            expected = three >= NEAR_DUPLICATE_JACCARD or (
                three >= REWORDED_JACCARD and words >= REWORDED_WORDS
            )
            assert _similar(a, b) == expected, (a, b)
