"""The Obsidian reader on the plugin's card forms, written as our own small notes."""

from __future__ import annotations

import pytest

from builder.model import QA, Choice, Cloze, MultipleChoice
from builder.readers import ReadContext, choose_reader
from builder.readers.markdown_text import MarkdownDocument
from builder.readers.obsidian import ObsidianReader, to_anki_cloze
from tests.helpers import read, source

READER = ObsidianReader()


def qa(text: str) -> list[tuple[str, str, bool]]:
    cards = read(READER, text)
    assert all(isinstance(c.content, QA) for c in cards), cards
    return [
        (c.content.front, c.content.back, c.content.reversed)
        for c in cards
        if isinstance(c.content, QA)
    ]


def test_heading_card_back_runs_to_next_heading() -> None:
    text = "# Topic\n## What is a shard? #card\nA unit of capacity.\n\nIt has limits.\n## Next\nx\n"
    assert qa(text) == [("What is a shard?", "A unit of capacity.\n\nIt has limits.", False)]


def test_plain_line_card_back_ends_at_blank_line() -> None:
    text = "## Checks\nWhich mode streams from S3? #card\nPipe mode.\n\nNot part of the card.\n"
    assert qa(text) == [("Which mode streams from S3?", "Pipe mode.", False)]


def test_card_alone_on_line_takes_front_back_to_heading() -> None:
    text = (
        "## Intro\nSome text.\nWhat is Pipe mode?\n#card\nStreaming from S3.\n\nMore.\n## Other\n"
    )
    # The heading is part of the front.
    assert qa(text) == [
        ("Intro\nSome text.\nWhat is Pipe mode?", "Streaming from S3.\n\nMore.", False)
    ]


def test_question_with_options_becomes_multiple_choice() -> None:
    text = (
        "##### Which service runs serverless SQL over files in S3?\n- Redshift\n- Athena\n- EMR\n"
        "#card\nAthena. It is Presto/Trino under the hood, billed per TB scanned.\n\n## Next\n"
    )
    (card,) = read(READER, text)
    assert card.content == MultipleChoice(
        "Which service runs serverless SQL over files in S3?",
        (Choice("Redshift", False), Choice("Athena", True), Choice("EMR", False)),
        "It is Presto/Trino under the hood, billed per TB scanned.",
    )


def test_question_answered_by_letters_or_rewording() -> None:
    lettered = "## Pick two\n- KDS\n- Firehose\n- MSK\n#card\nA and C: both keep records.\n"
    (card,) = read(READER, lettered)
    assert isinstance(card.content, MultipleChoice)
    assert card.content.answer_letters == ("A", "C")
    assert card.content.explanation == "both keep records."
    reworded = "## Fix overfitting?\n1. Add layers\n2. Use dropout\n#card\nuse dropout layers\n"
    (card,) = read(READER, reworded)
    assert isinstance(card.content, MultipleChoice)
    assert card.content.answer_letters == ("B",)


def test_unmatched_answer_stays_basic_with_an_info_note() -> None:
    text = "## Which one?\n- Alpha\n- Beta\n#card\nNeither, it is Gamma.\n"
    result = READER.read(source(text), ReadContext("D"))
    (card,) = result.cards
    assert isinstance(card.content, QA)
    assert [(d.line, d.severity, d.code) for d in result.diagnostics] == [
        (1, "info", "unmatched-answer")
    ]


def test_card_alone_on_line_after_blank_line() -> None:
    assert qa("Intro.\n\nQuestion\n#card\nAnswer") == [("Question", "Answer", False)]


def test_a_heading_back_stops_at_the_next_card() -> None:
    text = "## One #card\nfirst answer\nTwo? #card\nsecond answer\n"
    assert qa(text) == [("One", "first answer", False), ("Two?", "second answer", False)]


def test_reverse_spaced_and_reminder() -> None:
    assert qa("## T #card/reverse\nd\n## S #card/spaced\nx\n") == [("T", "d", True)]
    text = (
        "## Spot training #card-reverse\nSpare capacity.\n## Read later #card-spaced\nx\n"
        "## Ping #card-reminder\ny\n"
    )
    assert qa(text) == [("Spot training", "Spare capacity.", True)]


def test_inline_cards_with_optional_spaces_and_reverse() -> None:
    text = "a::b\n\nc :: d\n\ne:: f\n\ng ::h\n\nterm:::definition\n"
    assert qa(text) == [
        ("a", "b", False),
        ("c", "d", False),
        ("e", "f", False),
        ("g", "h", False),
        ("term", "definition", True),
    ]


def test_nothing_in_code_or_math_is_a_card() -> None:
    text = (
        "```java\nx::y #card\n```\nnot `a :: b` here\n\n$$3::4$$\n\nmath $3::4$ inline\n\n"
        "`==` and `==`\n"
    )
    assert read(READER, text) == []


def test_tags_deck_and_frontmatter() -> None:
    text = "---\ncards-deck: Cloud::AWS\ntags: [aws, mls]\n---\n## Q #card #extra\nA\n"
    (card,) = read(READER, text)
    assert card.deck == "Cloud::AWS"
    assert card.tags == ("aws", "mls", "extra")
    assert card.source.line == 5


def test_frontmatter_tags_as_comma_string() -> None:
    (card,) = read(READER, "---\ntags: demo, car\n---\n# Car #card\nwheels\n")
    assert card.tags == ("demo", "car")
    assert card.deck == "Default Deck"


def test_identity_markers_are_kept_and_hidden() -> None:
    text = (
        "## Q1 #card\nAnswer one ^1234567890123\n\n"
        "## Q2 #card\nAnswer two\n<!--ID: 1700000000001-->\n"
    )
    cards = read(READER, text)
    assert [c.marker for c in cards] == ["1234567890123", "1700000000001"]
    assert [c.content.back for c in cards if isinstance(c.content, QA)] == [
        "Answer one",
        "Answer two",
    ]


def test_frontmatter_flashcards_map_gives_identity() -> None:
    text = (
        "---\nflashcards:\n  What is RCF?: 1700000000042\n  q-77aa: 1700000000043\n---\n"
        "## What is RCF? #card\nAn anomaly detector.\n\n"
        "## What is KNN? #card\nNeighbours. ^q-77aa\n\n"
        "## Unmapped #card\nx\n"
    )
    assert [c.marker for c in read(READER, text)] == ["1700000000042", "q-77aa", None]


def test_context_excludes_card_headings() -> None:
    text = "# Kinesis\n## A? #card\na\n## B? #card\nb\n## Checks\nC? #card\nc\n"
    assert [c.context for c in read(READER, text)] == [
        ("Kinesis",),
        ("Kinesis",),
        ("Kinesis", "Checks"),
    ]


def test_cloze_forms() -> None:
    assert to_anki_cloze("a ==b== c ==d==") == "a {{c1::b}} c {{c2::d}}"
    assert (
        to_anki_cloze("the {2:order} of the {1:cloze}") == "the {{c2::order}} of the {{c1::cloze}}"
    )
    assert to_anki_cloze("the {plain one}") == "the {{c1::plain one}}"
    assert to_anki_cloze("keep {{c3::anki}} form") == "keep {{c3::anki}} form"
    assert to_anki_cloze("code `==x==` only") is None
    assert to_anki_cloze("no marks") is None


def test_cloze_paragraph_is_one_note() -> None:
    cards = read(READER, "## Fill\nFirehose buffers ==128 MiB==\nor ==900 s==.\n\nplain text\n")
    assert [c.content for c in cards] == [
        Cloze("Firehose buffers {{c1::128 MiB}}\nor {{c2::900 s}}.")
    ]


def test_reader_claims_files_with_card_syntax_only() -> None:
    assert READER.claim(source("## Q #card\nA\n")) > 0
    assert READER.claim(source("# Notes\n- **Term**: definition\n")) == 0
    reader = choose_reader(source("## Q #card\nA\n"))
    assert reader is not None and reader.name == "obsidian"


def test_heading_paths_in_a_long_file_are_found_in_one_walk(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each card's heading path once took a walk from the top of the file: 10,000 cards in one
    file took minutes. Counted in heading look-ups, not seconds."""
    sections = "".join(
        f"# Part {p}\n\n" + "".join(f"## Q{p}-{i} #card\nAnswer {i}.\n\n" for i in range(100))
        for p in range(20)
    )
    lines = sections.count("\n")
    calls = 0
    real = MarkdownDocument.heading

    def counted(self: MarkdownDocument, index: int) -> tuple[int, str] | None:
        nonlocal calls
        calls += 1
        return real(self, index)

    monkeypatch.setattr(MarkdownDocument, "heading", counted)
    cards = read(ObsidianReader(), sections)
    assert len(cards) == 2000
    assert cards[1999].context == ("Part 19",) and cards[0].context == ("Part 0",)
    assert calls < 10 * lines, f"{calls} heading look-ups for {lines} lines"


def test_an_arn_or_a_web_page_is_not_obsidian() -> None:
    notes = "# S3\n- **Resource**: the bucket ARN, e.g. arn:aws:s3:::training-data/*\n"
    assert ObsidianReader().claim(source(notes)) == 0
    page = "<html><style>a::before { content: '>'; }</style><body><p>Text</p></body></html>"
    assert ObsidianReader().claim(source(page, "article.html")) == 0
    assert ObsidianReader().claim(source("Shard::a unit of capacity\n")) > 0
