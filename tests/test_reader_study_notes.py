"""Study notes without card syntax become atomic cards with their heading path."""

from __future__ import annotations

from builder.model import QA
from builder.readers import ReadContext
from builder.readers.study_notes import StudyNotesReader
from tests.helpers import read, source

READER = StudyNotesReader()


def cards(text: str) -> list[tuple[str, str, tuple[str, ...], int]]:
    found = read(READER, text)
    return [
        (c.content.front, c.content.back, c.context, c.source.line)
        for c in found
        if isinstance(c.content, QA)
    ]


def test_definition_bullets_become_one_card_each() -> None:
    text = (
        "# Data Engineering\n## Kinesis\n### Kinesis Data Streams\n"
        "- **Shard**: 1 MB/s in, 2 MB/s out.\n- Retention: 24 hours by default.\n"
        "- **Consumer** – reads records.\n"
    )
    path = ("Data Engineering", "Kinesis", "Kinesis Data Streams")
    assert cards(text) == [
        ("Shard", "1 MB/s in, 2 MB/s out.", path, 4),
        ("Retention", "24 hours by default.", path, 5),
        ("Consumer", "reads records.", path, 6),
    ]


def test_bold_term_with_nested_bullets() -> None:
    text = "## Storage\n- **S3 classes**\n  - Standard\n  - Glacier\n- **EFS**: shared files\n"
    assert cards(text) == [
        ("S3 classes", "- Standard\n- Glacier", ("Storage",), 2),
        ("EFS", "shared files", ("Storage",), 5),
    ]


def test_heading_with_short_body_is_one_card() -> None:
    text = "# ML\n## Pipe mode\nStreams training data from S3.\n\n- no copy first\n"
    assert cards(text) == [
        ("Pipe mode", "Streams training data from S3.\n\n- no copy first", ("ML",), 2)
    ]


def test_grouping_headings_empty_sections_images_and_link_lists_give_no_card() -> None:
    text = (
        "---\ntitle: x\n---\n# Title\n## Contents\n- [Intro](#intro)\n- [More](#more)\n"
        "## Picture\n![a diagram](a.png)\n## Empty\n## Group\n### Leaf\nBody.\n"
    )
    assert [(front, context) for front, _, context, _ in cards(text)] == [
        ("Leaf", ("Title", "Group"))
    ]


def test_mixed_plain_bullets_make_one_heading_card() -> None:
    text = "## Firehose\n- buffers by size or time\n- **Lambda**: transforms records\n"
    assert cards(text) == [
        ("Firehose", "- buffers by size or time\n- **Lambda**: transforms records", (), 1)
    ]


def test_too_long_list_is_split_along_its_items() -> None:
    body = "\n".join(f"- item {n}" for n in range(20))
    result = READER.read(source(f"# Top\n\n## Long list\n{body}\n"), ReadContext("Deck"))
    assert result.diagnostics == ()
    assert [
        (c.content.front, c.source.line) for c in result.cards if isinstance(c.content, QA)
    ] == [
        ("Long list (1/2)", 3),
        ("Long list (2/2)", 3),
    ]
