"""Plain-text study notes become a note tree: headings, nested bullets, paragraphs, lines."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from builder.discover import decode
from builder.readers.note_tree import Block, ListItem, NoteTree, Section
from builder.readers.tree_text import MAX_LIST_DEPTH, text_tree
from tests.helpers import headings, source

FIXTURES = Path(__file__).parent / "fixtures" / "notes" / "text"


def tree(text: str) -> NoteTree:
    return text_tree(source(text, "notes.txt"), "Deck")


def outline(section: Section) -> object:
    """Headings as nested (title, level, line, block kinds, children)."""
    return (
        section.title,
        section.level,
        section.line,
        [block.kind for block in section.blocks],
        [outline(child) for child in section.children],
    )


def only_block(text: str) -> Block:
    root = tree(text).root
    assert not root.children
    assert len(root.blocks) == 1, root.blocks
    return root.blocks[0]


# --- Headings ---------------------------------------------------------------------------------


def test_numbered_headings_nest_by_their_number_and_keep_it() -> None:
    text = (
        "Intro before any heading.\n"
        "\n"
        "1 Data Engineering\n"
        "1.1 Data repositories\n"
        "S3 holds the training data.\n"
        "1.1.1 S3 storage classes\n"
        "2 Exploratory Data Analysis\n"
        "2.1.1 Skipping a level\n"
        "2.2. Trailing dot\n"
    )
    notes = tree(text)
    assert notes.deck == "Deck"
    assert notes.tags == ()
    assert outline(notes.root) == (
        "",
        0,
        1,
        ["paragraph"],
        [
            (
                "1 Data Engineering",
                1,
                3,
                [],
                [
                    (
                        "1.1 Data repositories",
                        2,
                        4,
                        ["paragraph"],
                        [("1.1.1 S3 storage classes", 3, 6, [], [])],
                    )
                ],
            ),
            (
                "2 Exploratory Data Analysis",
                1,
                7,
                [],
                [("2.1.1 Skipping a level", 3, 8, [], []), ("2.2. Trailing dot", 2, 9, [], [])],
            ),
        ],
    )
    assert notes.root.blocks[0] == Block("paragraph", "Intro before any heading.", 1)


def test_numbered_list_items_are_not_headings() -> None:
    text = (
        "1 Data Engineering\n"
        "1. Use dropout\n"
        "2) Add L2 regularisation\n"
        "\n"
        "3 shards are enough for this stream\n"
        "4 Gigabytes per record is the limit.\n"
        "2024 Exam changes\n"
        "192.168.0.1 Gateway\n"
    )
    root = tree(text).root
    assert headings(root) == [(1, "1 Data Engineering", 1)]
    # `1.`/`1)` make list items; a number without a dot makes a heading only before a
    # title-like text, and never with a part of three digits or more.
    assert root.children[0].blocks == (
        Block(
            "list",
            "1. Use dropout\n2. Add L2 regularisation",
            2,
            (ListItem("Use dropout", 2), ListItem("Add L2 regularisation", 3)),
            ordered=True,
        ),
        Block(
            "paragraph",
            "3 shards are enough for this stream\n4 Gigabytes per record is the limit.\n"
            "2024 Exam changes\n192.168.0.1 Gateway",
            5,
        ),
    )


def test_named_headings() -> None:
    text = (
        "Domain 2: Exploratory Data Analysis\n"
        "Chapter 3 - Modeling\n"
        "Section 4:\n"
        "Section 4.2: Deployment\n"
        "Module 5 Operations\n"
        "Part 2 of the exam covers tuning.\n"
    )
    root = tree(text).root
    assert headings(root) == [
        (1, "Domain 2: Exploratory Data Analysis", 1),
        (1, "Chapter 3 - Modeling", 2),
        (1, "Section 4:", 3),
        (2, "Section 4.2: Deployment", 4),
        (1, "Module 5 Operations", 5),
    ]
    assert root.children[-1].blocks == (Block("paragraph", "Part 2 of the exam covers tuning.", 6),)


def test_all_caps_lines_go_one_level_below_the_last_numbered_heading() -> None:
    text = (
        "AWS ML NOTES\n"
        "Overview paragraph.\n"
        "\n"
        "2 Modeling\n"
        "2.1 Evaluation\n"
        "EXAM TIPS\n"
        "TP / (TP + FP)\n"
        "F1 = 2PR/(P+R)\n"
        "3 Operations\n"
        "REFERENCES\n"
    )
    root = tree(text).root
    assert headings(root) == [
        (1, "AWS ML NOTES", 1),
        (1, "2 Modeling", 4),
        (2, "2.1 Evaluation", 5),
        (3, "EXAM TIPS", 6),
        (1, "3 Operations", 9),
        (2, "REFERENCES", 10),
    ]
    tips = root.children[1].children[0].children[0]
    assert tips.blocks == (Block("paragraph", "TP / (TP + FP)\nF1 = 2PR/(P+R)", 7),)


def test_underlined_headings_first_style_is_the_upper_level() -> None:
    text = (
        "Streaming\n"
        "---------\n"
        "Kinesis\n"
        "=======\n"
        "Shards scale it.\n"
        "\n"
        "Firehose\n"
        "========\n"
        "A sentence that ends with a full stop.\n"
        "---\n"
        "After the rule.\n"
    )
    root = tree(text).root
    assert outline(root) == (
        "",
        0,
        1,
        [],
        [
            (
                "Streaming",
                1,
                1,
                [],
                [
                    ("Kinesis", 2, 3, ["paragraph"], []),
                    ("Firehose", 2, 7, ["paragraph", "rule", "paragraph"], []),
                ],
            )
        ],
    )
    firehose = root.children[0].children[1]
    assert firehose.blocks[1] == Block("rule", "---", 10)


def test_underlined_headings_sit_under_the_numbered_heading_before_them() -> None:
    text = "1.2 Ingestion\nKinesis Data Streams\n====================\n- Shard: 1 MB/s\n"
    assert headings(tree(text).root) == [(2, "1.2 Ingestion", 1), (3, "Kinesis Data Streams", 2)]


def test_label_lines_over_a_list_are_headings_lead_ins_are_not() -> None:
    text = (
        "Chapter 2 - Deployment\n"
        "Endpoints\n"
        "- Real-time: lowest latency.\n"
        "- Serverless: scales to zero.\n"
        "\n"
        "Ways to pick one:\n"
        "- steady traffic\n"
        "\n"
        "SageMaker Neo\n"
        "Compiles a model for a target device.\n"
        "\n"
        "Model Monitor\n"
        "\tBaseline from the training data.\n"
    )
    root = tree(text).root
    assert headings(root) == [
        (1, "Chapter 2 - Deployment", 1),
        (2, "Endpoints", 2),
        (2, "Model Monitor", 12),
    ]
    endpoints = root.children[0].children[0]
    assert [b.kind for b in endpoints.blocks] == ["list", "paragraph", "list", "paragraph"]
    assert endpoints.blocks[1] == Block("paragraph", "Ways to pick one:", 6)
    assert endpoints.blocks[3] == Block(
        "paragraph", "SageMaker Neo\nCompiles a model for a target device.", 9
    )
    assert root.children[0].children[1].blocks == (
        Block("paragraph", "Baseline from the training data.", 13),
    )


# --- Lists ------------------------------------------------------------------------------------


def test_glyph_bullets_nest_by_glyph_when_not_indented() -> None:
    text = "• S3: object store\n◦ Standard\n‣ eleven nines\n◦ Glacier\n• EFS: shared\n"
    listed = only_block(text)
    assert listed == Block(
        "list",
        "- S3: object store\n    - Standard\n        - eleven nines\n    - Glacier\n- EFS: shared",
        1,
        (
            ListItem(
                "S3: object store",
                1,
                (
                    Block(
                        "list",
                        "- Standard\n    - eleven nines\n- Glacier",
                        2,
                        (
                            ListItem(
                                "Standard",
                                2,
                                (
                                    Block(
                                        "list", "- eleven nines", 3, (ListItem("eleven nines", 3),)
                                    ),
                                ),
                            ),
                            ListItem("Glacier", 4),
                        ),
                    ),
                ),
            ),
            ListItem("EFS: shared", 5),
        ),
    )


def test_indentation_nests_tabs_count_four_columns() -> None:
    text = (
        "- Consumers\n"
        "\t- Enhanced fan-out\n"
        "    - Shared\n"
        "  \t  - mixed: two spaces, a tab, two spaces is six columns\n"
        "- Retention\n"
        "\to Word export second level\n"
        "\t\t▪ Word export third level\n"
    )
    listed = only_block(text)
    assert [(item.text, item.line) for item in listed.items] == [("Consumers", 1), ("Retention", 5)]
    consumers = listed.items[0].children[0]
    assert [(i.text, i.line) for i in consumers.items] == [
        ("Enhanced fan-out", 2),
        ("Shared", 3),
    ]
    assert consumers.items[1].children[0].items == (
        ListItem("mixed: two spaces, a tab, two spaces is six columns", 4),
    )
    retention = listed.items[1].children[0]
    assert retention.items[0].text == "Word export second level"
    assert retention.items[0].children[0].items == (ListItem("Word export third level", 7),)
    assert listed.markdown == (
        "- Consumers\n"
        "    - Enhanced fan-out\n"
        "    - Shared\n"
        "        - mixed: two spaces, a tab, two spaces is six columns\n"
        "- Retention\n"
        "    - Word export second level\n"
        "        - Word export third level"
    )


def test_every_bullet_glyph_becomes_a_dash() -> None:
    text = "• a\n* b\n+ c\n– d\n▪ e\n●f\n"
    listed = only_block(text)
    assert [item.text for item in listed.items] == ["a", "b", "c", "d", "f"]
    assert listed.items[3].children[0].items == (ListItem("e", 5),)
    assert listed.markdown == "- a\n- b\n- c\n- d\n    - e\n- f"


def test_wrapped_lines_continue_the_item_and_indented_paragraphs_belong_to_it() -> None:
    text = (
        "• Amazon EFS: shared file system; SageMaker can train from it\n"
        "  without copying the data first.\n"
        "• FSx for Lustre: fast,\n"
        "linked to S3.\n"
        "\n"
        "  It is the fastest option.\n"
        "  Second line of that paragraph.\n"
        "\n"
        "Back to a paragraph of the section.\n"
    )
    root = tree(text).root
    listed, paragraph = root.blocks
    assert listed.items == (
        ListItem(
            "Amazon EFS: shared file system; SageMaker can train from it without copying the "
            "data first.",
            1,
        ),
        ListItem(
            "FSx for Lustre: fast, linked to S3.",
            3,
            (Block("paragraph", "It is the fastest option.\nSecond line of that paragraph.", 6),),
        ),
    )
    assert listed.markdown.endswith(
        "- FSx for Lustre: fast, linked to S3.\n\n"
        "    It is the fastest option.\n"
        "    Second line of that paragraph."
    )
    assert paragraph == Block("paragraph", "Back to a paragraph of the section.", 9)


def test_numbered_and_lettered_items() -> None:
    text = "1. Drop rows\n2. Impute the mean\na) quick\nb) biased\n3. Impute with a model\n"
    listed = only_block(text)
    assert listed.ordered
    assert listed.markdown == (
        "1. Drop rows\n2. Impute the mean\n    1. quick\n    2. biased\n3. Impute with a model"
    )
    letters = listed.items[1].children[0]
    assert letters.ordered
    assert letters.items == (ListItem("quick", 3), ListItem("biased", 4))


def test_numbering_start_is_kept_and_a_switch_of_list_kind_starts_a_new_list() -> None:
    root = tree("3. third\n4. fourth\n- a bullet\n").root
    numbered, bulleted = root.blocks
    assert (numbered.markdown, numbered.ordered, numbered.line) == ("3. third\n4. fourth", True, 1)
    assert (bulleted.markdown, bulleted.ordered, bulleted.line) == ("- a bullet", False, 3)


def test_checkbox_items() -> None:
    listed = only_block("- [ ] review Neo\n- [x] read the FAQ\n")
    assert listed.items == (
        ListItem("review Neo", 1, checked=False),
        ListItem("read the FAQ", 2, checked=True),
    )
    assert listed.markdown == "- [ ] review Neo\n- [x] read the FAQ"


def test_empty_glyph_bullet_takes_the_next_line_as_its_text() -> None:
    listed = only_block("•\nPipe mode streams from S3.\n•\nFile mode copies first.\n")
    assert listed.items == (
        ListItem("Pipe mode streams from S3.", 1),
        ListItem("File mode copies first.", 3),
    )


def test_nesting_is_capped() -> None:
    text = "\n".join(" " * n + "- level" for n in range(60))
    listed = only_block(text)
    depth = 0
    blocks: tuple[Block, ...] = (listed,)
    while blocks:
        depth += 1
        blocks = blocks[0].items[0].children if blocks[0].items else ()
    assert depth == MAX_LIST_DEPTH


# --- Other blocks -----------------------------------------------------------------------------


def test_paragraphs_split_on_blank_lines_and_term_lines_stay_as_written() -> None:
    text = "Precision: TP / (TP + FP)\nRecall: TP / (TP + FN)\n\n# of shards grows with load.\n"
    root = tree(text).root
    assert root.blocks == (
        Block("paragraph", "Precision: TP / (TP + FP)\nRecall: TP / (TP + FN)", 1),
        Block("paragraph", "\\# of shards grows with load.", 4),
    )


def test_table_quote_code_rule_and_images() -> None:
    text = (
        "| Source | Speed |\n"
        "|---|:---:|\n"
        "| S3 File mode | slow |\n"
        "| Pipe \\| FFM | fast | extra |\n"
        "> Tip: weights on production variants\n"
        "> split traffic.\n"
        "```bash\n"
        "aws s3 ls\n"
        "\n"
        "# 1 Not a heading\n"
        "```\n"
        "***\n"
        "![diagram](img/flow.png)\n"
        "\n"
        "![[pipe-mode.png]] <img src='x.png'>\n"
        "\n"
        "![inline](a.png) with words\n"
        "~~~\n"
        "never closed\n"
    )
    root = tree(text).root
    assert root.blocks == (
        Block(
            "table",
            "| Source | Speed |  |\n| --- | --- | --- |\n| S3 File mode | slow |  |\n"
            "| Pipe \\| FFM | fast | extra |",
            1,
            rows=(("Source", "Speed"), ("S3 File mode", "slow"), ("Pipe \\| FFM", "fast", "extra")),
        ),
        Block("quote", "> Tip: weights on production variants\n> split traffic.", 5),
        Block("code", "```bash\naws s3 ls\n\n# 1 Not a heading\n```", 7),
        Block("rule", "---", 12),
        Block("image", "![diagram](img/flow.png)", 13),
        Block("image", "![[pipe-mode.png]] <img src='x.png'>", 15),
        Block("paragraph", "![inline](a.png) with words", 17),
        Block("code", "~~~\nnever closed\n~~~", 18),
    )


def test_table_of_contents_lines_are_a_list_not_headings() -> None:
    text = (
        "Contents\n"
        "1 Data Engineering\n"
        "1.1 Data repositories\n"
        "\n"
        "2 Modeling\n"
        "\n"
        "1 Data Engineering\n"
        "1.1 Data repositories\n"
        "- S3\n"
    )
    root = tree(text).root
    assert headings(root) == [
        (1, "Contents", 1),
        (1, "1 Data Engineering", 7),
        (2, "1.1 Data repositories", 8),
    ]
    toc = root.children[0].blocks
    assert toc == (
        Block(
            "list",
            "- 1 Data Engineering\n    - 1.1 Data repositories\n- 2 Modeling",
            2,
            (
                ListItem(
                    "1 Data Engineering",
                    2,
                    (
                        Block(
                            "list",
                            "- 1.1 Data repositories",
                            3,
                            (ListItem("1.1 Data repositories", 3),),
                        ),
                    ),
                ),
                ListItem("2 Modeling", 5),
            ),
        ),
    )


def test_a_table_of_contents_ends_at_a_renamed_heading_once_body_text_follows() -> None:
    text = "TABLE OF CONTENTS\n1 Intro\n2 Modeling\n\n1 Introduction to the exam\nBody.\n"
    assert headings(tree(text).root) == [
        (1, "TABLE OF CONTENTS", 1),
        (1, "1 Introduction to the exam", 5),
    ]


def test_page_numbered_lines_are_contents_entries_anywhere() -> None:
    root = tree("1.1 Data repositories ........ 3\n1.2 Ingestion\t5\n").root
    assert headings(root) == []
    assert [item.text for item in root.blocks[0].items] == [
        "1.1 Data repositories ........ 3",
        "1.2 Ingestion\t5",
    ]


def test_line_starts_markdown_would_misread_are_escaped_in_items() -> None:
    listed = only_block("• # of shards\n• 1. first\n• - dash\n")
    assert [item.text for item in listed.items] == ["\\# of shards", "1\\. first", "\\- dash"]


def test_windows_line_endings_and_byte_order_mark() -> None:
    text, _ = decode("\ufeff1 Data Engineering\r\n• S3\r\n".encode())
    root = tree(text).root
    assert headings(root) == [(1, "1 Data Engineering", 1)]
    assert root.children[0].blocks[0].items == (ListItem("S3", 2),)
    assert headings(tree("\ufeff1 Data Engineering\n").root) == [(1, "1 Data Engineering", 1)]


# --- Robustness -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n\n",
        "\x00\x01\x02 binary \xff\ufffd junk",
        "```",
        "|",
        "| a |\n|",
        "•",
        "====\n----\n====",
        "1\n1.\n1.1\n1.1.\nDomain\nDomain 1",
        "\t\t\t\n \t \n",
        "- a\n\n\n\t\tparagraph\n- b\n  \n    ",
        "a)\n(b)\n1)",
        "Contents\n" + "1 X\n" * 50,
        "Title\n===\n" * 20,
        "КАФКА\nÄÖÜ ÉTÉ\nAWSÂ data store",
    ],
)
def test_hostile_input_never_raises(text: str) -> None:
    notes = tree(text)
    assert notes.root.level == 0
    assert notes.root.line == 1


def test_large_and_deep_inputs_are_read_quickly() -> None:
    lines = []
    for n in range(20_000):
        lines += [
            f"{n % 9 + 1}.{n % 7 + 1} Heading {n}",
            "• Term: definition",
            "\t◦ nested detail",
            "",
            "A paragraph line.",
        ]
    big = "\n".join(lines)  # 100,000 lines
    deep = "\n".join("\t" * n + "- x" for n in range(5_000))
    long_line = "1 " + "A" * 1_000_000
    started = time.perf_counter()
    for text in (big, deep, long_line):
        tree(text)
    assert time.perf_counter() - started < 20


# --- Fixtures ---------------------------------------------------------------------------------


def fixture_tree(name: str) -> NoteTree:
    path = FIXTURES / name
    text, _ = decode(path.read_bytes())
    return text_tree(source(text, name), "AWS ML")


def test_study_guide_fixture_outline() -> None:
    root = fixture_tree("mls-study-guide.txt").root
    assert headings(root) == [
        (1, "AWS CERTIFIED MACHINE LEARNING - SPECIALTY: STUDY NOTES", 1),
        (1, "TABLE OF CONTENTS", 6),
        (1, "1 Data Engineering", 13),
        (2, "1.1 Data repositories", 14),
        (2, "1.2 Ingestion", 31),
        (3, "Streaming services", 32),
        (4, "Kinesis Data Streams", 35),
        (4, "Kinesis Data Firehose", 43),
        (2, "1.3 Transformation", 50),
        (1, "2 Exploratory Data Analysis", 52),
        (2, "2.1 Missing data", 53),
        (2, "2.2 Feature engineering", 61),
        (2, "2.3 Imbalanced classes", 68),
        (1, "3 Modeling", 72),
        (2, "3.1 Algorithms", 73),
        (3, "3.1.1 Built-in algorithms", 74),
        (3, "3.1.2 Overfitting", 82),
        (2, "3.2 Evaluation", 90),
        (3, "EXAM TIPS", 95),
        (1, "Domain 4: Machine Learning Implementation and Operations", 100),
        (2, "Section 4.1: Deployment", 101),
        (3, "REFERENCES", 112),
    ]


def test_study_guide_fixture_blocks() -> None:
    root = fixture_tree("mls-study-guide.txt").root
    toc = root.children[1].blocks[0]
    assert [(item.text, item.line) for item in toc.items] == [
        ("1 Data Engineering ........ 2", 7),
        ("2 Exploratory Data Analysis ........ 5", 10),
        ("3 Modeling ........ 8", 11),
    ]
    repositories = root.children[2].children[0]
    assert [b.kind for b in repositories.blocks] == ["list", "paragraph", "table"]
    storage = repositories.blocks[0]
    assert [(i.text.split(":")[0], i.line) for i in storage.items] == [
        ("Amazon S3", 15),
        ("Amazon EFS", 18),
        ("Amazon FSx for Lustre", 20),
    ]
    assert storage.items[1].text.endswith("directly from it without copying the data first.")
    assert storage.items[2].children[0].items[0].line == 22
    assert repositories.blocks[2].rows[0] == ("Source", "Relative load time")
    assert len(repositories.blocks[2].rows) == 4
    streams = root.children[2].children[1].children[0].children[0]
    consumers = streams.blocks[0].items[2]
    assert consumers.text == "Consumers"
    assert [i.line for i in consumers.children[0].items] == [40, 41]
    overfitting = root.children[4].children[0].children[1]
    assert [b.kind for b in overfitting.blocks] == ["paragraph", "list", "image"]
    assert overfitting.blocks[1].markdown.startswith("1. Use dropout\n2. Add L1")
    deployment = root.children[5].children[0]
    assert [b.kind for b in deployment.blocks] == ["paragraph", "quote", "code"]
    assert root.children[2].children[2].blocks == ()  # the empty 1.3 heading


def test_word_export_fixture() -> None:
    root = fixture_tree("sagemaker-word-export.txt").root
    assert root.blocks == (
        Block("paragraph", "SageMaker in practice - notes copied out of a Word document", 1),
    )
    assert headings(root) == [
        (1, "Contents", 3),
        (1, "Chapter 1 - Training", 8),
        (2, "Hyperparameter tuning", 21),
        (1, "Chapter 2 - Deployment", 29),
        (2, "Endpoints", 30),
        (2, "Choosing an option", 36),
        (1, "Chapter 3 - Monitoring", 45),
        (2, "Model Monitor", 46),
        (2, "Clarify", 51),
        (2, "SEE ALSO", 57),
    ]
    assert [item.text for item in root.children[0].blocks[0].items] == [
        "Chapter 1 - Training",
        "Chapter 2 - Deployment",
        "Chapter 3 - Monitoring",
    ]
    training = root.children[1].blocks[0]
    assert [(i.text, i.line) for i in training.items] == [
        ("Input modes", 9),
        ("Managed Spot Training", 14),
        ("Distributed training", 17),
    ]
    modes = training.items[0].children[0]
    assert [i.line for i in modes.items] == [10, 11, 13]
    assert modes.items[1].children[0].items[0].text.startswith("Needs the RecordIO")
    tuning = root.children[1].children[0].blocks[0]
    warm = tuning.items[1].children[0]
    assert [i.line for i in warm.items] == [24, 25]
    assert warm.items[1].children[0].items == (ListItem("Limit: up to 5 parent jobs.", 26),)
