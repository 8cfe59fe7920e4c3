"""The Markdown tree builder: exact trees for small notes, the fixture notes, hostile input."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from builder.readers import tree_markdown
from builder.readers.markdown_text import parse_document
from builder.readers.note_tree import Block, ListItem, NoteTree, Section
from builder.readers.tree_markdown import markdown_tree
from tests.helpers import source

NOTES = Path(__file__).parent / "fixtures" / "notes" / "markdown"


def tree(text: str) -> NoteTree:
    return markdown_tree(parse_document(source(text), "Default Deck"))


def body(text: str) -> tuple[Block, ...]:
    """Blocks of a note without headings."""
    return tree(text).root.blocks


def outline(section: Section) -> list[tuple[int, str, int]]:
    """(level, title, line) of every section below this one, depth first."""
    found: list[tuple[int, str, int]] = []
    for child in section.children:
        found.append((child.level, child.title, child.line))
        found.extend(outline(child))
    return found


def all_sections(section: Section) -> Iterator[Section]:
    yield section
    for child in section.children:
        yield from all_sections(child)


def all_blocks(blocks: tuple[Block, ...]) -> Iterator[Block]:
    for block in blocks:
        yield block
        for item in block.items:
            yield from all_blocks(item.children)


def all_items(blocks: tuple[Block, ...]) -> Iterator[ListItem]:
    for block in all_blocks(blocks):
        yield from block.items


def para(markdown: str, line: int) -> Block:
    return Block("paragraph", markdown, line)


# --- sections ---------------------------------------------------------------------------------


def test_sections_nest_by_level_even_when_levels_are_skipped() -> None:
    note = tree("Intro line.\n# A\n### A.1\ntext\n## A.2\n# B\n")
    assert note.root == Section(
        "",
        0,
        1,
        (para("Intro line.", 1),),
        (
            Section(
                "A",
                1,
                2,
                (),
                (Section("A.1", 3, 3, (para("text", 4),)), Section("A.2", 2, 5)),
            ),
            Section("B", 1, 6),
        ),
    )


def test_frontmatter_is_left_out_but_counted_in_line_numbers() -> None:
    note = tree("---\ncards-deck: AWS::ML\ntags: [aws, ml]\n---\n# Kinesis\nShards.\n")
    assert note.deck == "AWS::ML"
    assert note.tags == ("aws", "ml")
    assert note.root.blocks == ()
    assert note.root.children == (Section("Kinesis", 1, 5, (para("Shards.", 6),)),)


def test_unclosed_frontmatter_is_read_as_text() -> None:
    note = tree("---\ntitle: x\n# H\n")
    assert [(b.kind, b.line) for b in note.root.blocks] == [("rule", 1), ("paragraph", 2)]
    assert outline(note.root) == [(1, "H", 3)]
    assert note.deck == "Default Deck"


def test_heading_titles_keep_numbering_and_tags_but_not_closing_hashes() -> None:
    text = (
        "# 1.1 Data repositories\n"
        "## Kinesis ##\n"
        "### What is a shard? #card\n"
        "#### Storage #aws #s3\n"
        "   ##### Indented  heading   \n"
        "######\n"
        "Domain 2: Exploratory Data Analysis\n"
        "===\n"
        "Two line\n"
        "setext heading\n"
        "---\n"
    )
    assert outline(tree(text).root) == [
        (1, "1.1 Data repositories", 1),
        (2, "Kinesis", 2),
        (3, "What is a shard? #card", 3),
        (4, "Storage #aws #s3", 4),
        (5, "Indented  heading", 5),
        (6, "", 6),
        (1, "Domain 2: Exploratory Data Analysis", 7),
        (2, "Two line setext heading", 9),
    ]


def test_card_and_tag_lines_are_plain_text() -> None:
    assert body("#card\nWhat is Pipe mode? #card\n#aws #ml\n") == (
        para("#card\nWhat is Pipe mode? #card\n#aws #ml", 1),
    )


def test_headings_in_code_or_quotes_are_not_sections() -> None:
    note = tree("```\n# not a heading\n```\n> # quoted\n")
    assert note.root.children == ()
    assert [b.kind for b in note.root.blocks] == ["code", "quote"]


# --- blocks -----------------------------------------------------------------------------------


def test_every_block_kind_with_its_own_source_and_line() -> None:
    text = (
        "A paragraph with  \n"
        "a hard break and *odd*   spacing.\n"
        "\n"
        "```python\n"
        "print('x')\n"
        "```\n"
        "\n"
        "    indented code\n"
        "\n"
        "$$\n"
        "\\frac{TP}{TP+FP}\n"
        "$$\n"
        "> A quote\n"
        "lazy line\n"
        "\n"
        "<div>\n"
        "html\n"
        "</div>\n"
        "\n"
        "***\n"
        "![diagram](img/flow.png)\n"
    )
    assert body(text) == (
        para("A paragraph with  \na hard break and *odd*   spacing.", 1),
        Block("code", "```python\nprint('x')\n```", 4),
        Block("code", "    indented code", 8),
        Block("math", "$$\n\\frac{TP}{TP+FP}\n$$", 10),
        Block("quote", "> A quote\nlazy line", 13),
        Block("html", "<div>\nhtml\n</div>", 16),
        Block("rule", "***", 20),
        Block("image", "![diagram](img/flow.png)", 21),
    )


def test_one_line_math_and_money_dollars() -> None:
    assert body("$$x^2$$\n\nCosts $$$ more.\n") == (
        Block("math", "$$x^2$$", 1),
        para("Costs $$$ more.", 3),
    )


def test_unclosed_fence_runs_to_the_end() -> None:
    assert body("text\n\n```\ncode\n# not heading\n") == (
        para("text", 1),
        Block("code", "```\ncode\n# not heading", 3),
    )


def test_table_rows_are_cells_as_markdown() -> None:
    text = "| Service | Use |\n|:---|---:|\n| **S3** | objects \\| blobs |\n| EFS | `files` |\n"
    assert body(text) == (
        Block(
            "table",
            text.rstrip("\n"),
            1,
            rows=(("Service", "Use"), ("**S3**", "objects \\| blobs"), ("EFS", "`files`")),
        ),
    )


def test_table_without_outer_pipes_after_a_paragraph() -> None:
    assert body("Speeds:\nFS | Speed\n--|--\nEFS | 1.0\n") == (
        para("Speeds:", 1),
        Block("table", "FS | Speed\n--|--\nEFS | 1.0", 2, rows=(("FS", "Speed"), ("EFS", "1.0"))),
    )


@pytest.mark.parametrize(
    "line",
    [
        "![a](x.png)",
        "![[x.png]]",
        "![[diagram.png|300]]",
        '<img src="x.png" alt="x">',
        "![a](x.png) ![[y.png]]",
        "[![badge](b.svg)](https://example.com)",
        "![a](x.png)<br>\n![b](y.png)",
    ],
)
def test_paragraphs_of_images_only_are_images(line: str) -> None:
    assert body(line) == (Block("image", line, 1),)


@pytest.mark.parametrize("line", ["See ![a](x.png)", "![a](x.png) caption", "[[Page]]", "!"])
def test_images_with_text_stay_paragraphs(line: str) -> None:
    assert body(line) == (para(line, 1),)


def test_footnote_definitions_are_kept_as_paragraphs() -> None:
    assert body("Claim.[^1]\n\n[^1]: Source, page 3.\n") == (
        para("Claim.[^1]", 1),
        para("[^1]: Source, page 3.", 3),
    )


def test_no_final_newline_and_windows_line_ends() -> None:
    assert tree("# H\r\n- a\r\n- b").root.children == (
        Section(
            "H",
            1,
            1,
            (
                Block(
                    "list",
                    "- a\n- b",
                    2,
                    items=(ListItem("a", 2), ListItem("b", 3)),
                ),
            ),
        ),
    )


def test_empty_notes() -> None:
    for text in ("", "\n\n\n", "---\ntags: x\n---\n", "   \n\t\n"):
        note = tree(text)
        assert note.root == Section("", 0, 1)


# --- lists ------------------------------------------------------------------------------------


def test_list_items_and_nested_lists() -> None:
    text = (
        "- **Shard**: 1 MB/s in\n"
        "- Retention\n"
        "  - 24 h default\n"
        "  - up to 365 days\n"
        "- Last\n"
        "  item\n"
    )
    nested = Block(
        "list",
        "- 24 h default\n- up to 365 days",
        3,
        items=(ListItem("24 h default", 3), ListItem("up to 365 days", 4)),
    )
    assert body(text) == (
        Block(
            "list",
            text.rstrip("\n"),
            1,
            items=(
                ListItem("**Shard**: 1 MB/s in", 1),
                ListItem("Retention", 2, (nested,)),
                ListItem("Last\nitem", 5),
            ),
        ),
    )


def test_loose_list_items_keep_further_paragraphs_and_code_as_children() -> None:
    text = (
        "1. First\n"
        "\n"
        "   More about first.\n"
        "\n"
        "   ```sql\n"
        "   SELECT 1;\n"
        "   ```\n"
        "2. Second\n"
        "   > quoted\n"
    )
    assert body(text) == (
        Block(
            "list",
            text.rstrip("\n"),
            1,
            ordered=True,
            items=(
                ListItem(
                    "First",
                    1,
                    (para("More about first.", 3), Block("code", "```sql\nSELECT 1;\n```", 5)),
                ),
                ListItem("Second", 8, (Block("quote", "> quoted", 9),)),
            ),
        ),
    )


def test_ordered_lists_and_bullet_changes_start_new_lists() -> None:
    blocks = body("3. three\n4. four\n- dash\n* star\n1) paren\n")
    assert [(b.kind, b.ordered, b.line, [i.text for i in b.items]) for b in blocks] == [
        ("list", True, 1, ["three", "four"]),
        ("list", False, 3, ["dash"]),
        ("list", False, 4, ["star"]),
        ("list", True, 5, ["paren"]),
    ]


def test_task_lists() -> None:
    (block,) = body("- [x] Done\n- [ ] Open\n- [X] Also done\n- Plain\n- [ ]\n")
    assert [(i.text, i.checked, i.line) for i in block.items] == [
        ("Done", True, 1),
        ("Open", False, 2),
        ("Also done", True, 3),
        ("Plain", None, 4),
        ("", False, 5),
    ]


@pytest.mark.parametrize(
    ("bullet", "next_bullet"), [("-", "-"), ("- ", "-"), ("- \u00a0", "-"), ("1.", "2.")]
)
def test_item_with_bullet_alone_on_its_line(bullet: str, next_bullet: str) -> None:
    (block,) = body(f"{bullet}\n   text below\n{next_bullet} next\n")
    assert [(i.text, i.line) for i in block.items] == [("text below", 1), ("next", 3)]


def test_tabs_and_mixed_indentation_nest() -> None:
    text = (
        "- top\n"
        "\t- tab child\n"
        "\t\t- tab grandchild\n"
        "  \t- mixed: two spaces and a tab reach the tab child's column\n"
        "    - four spaces, same column\n"
        "- second top\n"
    )
    (block,) = body(text)
    top, second = block.items
    assert (top.text, top.line, second.text, second.line) == ("top", 1, "second top", 6)
    (children,) = top.children
    assert [(i.text, i.line) for i in children.items] == [
        ("tab child", 2),
        ("mixed: two spaces and a tab reach the tab child's column", 4),
        ("four spaces, same column", 5),
    ]
    (grandchildren,) = children.items[0].children
    assert [(i.text, i.line) for i in grandchildren.items] == [("tab grandchild", 3)]


def test_ordered_item_with_tab_indented_bullets() -> None:
    (block,) = body("1. Step\n\t- detail\n\t- more\n2. Next\n")
    first, second = block.items
    assert [(i.text, i.line) for i in first.children[0].items] == [("detail", 2), ("more", 3)]
    assert (second.text, second.line) == ("Next", 4)


def test_lines_inside_quotes_and_deep_items() -> None:
    text = "> intro\n> - a\n>   - b\n\n- x\n  > - y\n  >   1. z\n"
    quote, outer = body(text)
    assert (quote.kind, quote.line, quote.markdown) == ("quote", 1, "> intro\n> - a\n>   - b")
    (inner_quote,) = outer.items[0].children
    assert (inner_quote.kind, inner_quote.line) == ("quote", 6)
    assert inner_quote.markdown == "> - y\n>   1. z"


def test_list_ended_by_heading_then_quote_ended_by_rule() -> None:
    note = tree("# A\n- a\n# B\n> q\n---\nafter\n")
    (a, b) = note.root.children
    assert a.blocks == (Block("list", "- a", 2, items=(ListItem("a", 2),)),)
    assert b.blocks == (Block("quote", "> q", 4), Block("rule", "---", 5), para("after", 6))


def test_list_then_table_at_the_margin_is_a_separate_table() -> None:
    # The shape FORMATS.md shows: no blank line between the bullets and the table.
    text = (
        "### Storage\n"
        "- **S3 Intelligent-Tiering**: moves objects between tiers.\n"
        "- EFS: shared file system.\n"
        "| File system | Relative load speed |\n"
        "|---|---|\n"
        "| EFS | 1.0 |\n"
        "- FSx: fastest.\n"
    )
    (storage,) = tree(text).root.children
    assert storage.blocks == (
        Block(
            "list",
            "- **S3 Intelligent-Tiering**: moves objects between tiers.\n"
            "- EFS: shared file system.",
            2,
            items=(
                ListItem("**S3 Intelligent-Tiering**: moves objects between tiers.", 2),
                ListItem("EFS: shared file system.", 3),
            ),
        ),
        Block(
            "table",
            "| File system | Relative load speed |\n|---|---|\n| EFS | 1.0 |",
            4,
            rows=(("File system", "Relative load speed"), ("EFS", "1.0")),
        ),
        Block("list", "- FSx: fastest.", 7, items=(ListItem("FSx: fastest.", 7),)),
    )


def test_formula_at_the_margin_after_nested_bullets_is_its_own_block() -> None:
    blocks = body("- F1\n  - harmonic mean\n$$\nF_1 = 2PR/(P+R)\n$$\n")
    assert [(b.kind, b.line) for b in blocks] == [("list", 1), ("math", 3)]
    assert blocks[1].markdown == "$$\nF_1 = 2PR/(P+R)\n$$"


def test_table_indented_under_an_item_belongs_to_the_item() -> None:
    (block,) = body("- Speeds\n  | FS | x |\n  |---|---|\n  | EFS | 1 |\n")
    (item,) = block.items
    assert item.children == (
        Block("table", "| FS | x |\n|---|---|\n| EFS | 1 |", 2, rows=(("FS", "x"), ("EFS", "1"))),
    )


def test_number_then_dashes_is_a_list_and_a_rule_not_a_heading() -> None:
    # CommonMark: a setext underline cannot follow a list item's text.
    blocks = body("1. Classification\n---\n")
    assert [(b.kind, b.line) for b in blocks] == [("list", 1), ("rule", 2)]


def test_deeply_indented_code_under_an_item() -> None:
    (block,) = body("- item\n\n      code in item\n")
    assert block.items == (ListItem("item", 1, (Block("code", "    code in item", 3),)),)


# --- the fixture notes ------------------------------------------------------------------------


def fixture(name: str) -> tuple[NoteTree, list[str]]:
    text = (NOTES / name).read_text(encoding="utf-8")
    return tree(text), text.split("\n")


def test_data_engineering_outline() -> None:
    note, _ = fixture("data-engineering.md")
    assert note.deck == "AWS ML Specialty::Data Engineering"
    assert note.tags == ("aws", "mls-c01", "domain-1")
    assert outline(note.root) == [
        (1, "Domain 1: Data Engineering", 5),
        (2, "Contents", 7),
        (2, "Storage", 15),
        (3, "Amazon S3", 17),
        (3, "File systems for training", 28),
        (3, "Data formats", 36),
        (4, "RecordIO-protobuf", 38),
        (4, "Parquet and ORC", 41),
        (2, "Streaming ingestion", 44),
        (3, "Kinesis Data Streams", 46),
        (3, "Kinesis Data Firehose", 54),
        (3, "Kinesis Data Analytics", 64),
        (2, "Batch processing", 66),
        (3, "AWS Glue", 68),
        (3, "Amazon EMR", 80),
        (2, "References", 92),
    ]
    kinds = {
        s.title: [(b.kind, b.line) for b in s.blocks] for s in all_sections(note.root) if s.blocks
    }
    assert kinds == {
        "Contents": [("list", 8)],
        "Amazon S3": [("list", 18), ("image", 26)],
        "File systems for training": [("paragraph", 29), ("table", 30)],
        "RecordIO-protobuf": [("paragraph", 39)],
        "Parquet and ORC": [("paragraph", 42)],
        "Kinesis Data Streams": [("list", 47)],
        "Kinesis Data Firehose": [("paragraph", 55), ("list", 57), ("quote", 62)],
        "AWS Glue": [("list", 69), ("paragraph", 74), ("math", 76)],
        "Amazon EMR": [("paragraph", 81), ("code", 83), ("list", 87), ("rule", 90)],
        "References": [("list", 93)],
    }


def test_data_engineering_lists() -> None:
    note, _ = fixture("data-engineering.md")
    sections = {s.title: s for s in all_sections(note.root)}
    (toc,) = sections["Contents"].blocks
    assert [i.text for i in all_items(toc.items[1].children)] == [
        "[Kinesis Data Streams](#kinesis-data-streams)",
        "[Kinesis Data Firehose](#kinesis-data-firehose)",
    ]
    s3_list = sections["Amazon S3"].blocks[0]
    classes = s3_list.items[1]
    assert (classes.text, classes.line) == ("**Storage classes**", 19)
    assert [(i.text.split(":")[0], i.line) for i in classes.children[0].items] == [
        ("Standard", 20),
        ("Standard-IA", 21),
        ("Glacier Flexible Retrieval", 22),
    ]
    glue = sections["AWS Glue"].blocks[0]
    assert glue.ordered
    assert [i.line for i in glue.items] == [69, 70, 72]
    assert glue.items[1].children[0].items == (
        ListItem("Job bookmarks remember what was already processed.", 71),
    )
    tasks = sections["Amazon EMR"].blocks[2]
    assert [(i.text, i.checked) for i in tasks.items] == [
        ("Read the EMR instance-type notes", True),
        ("Practise Spot task nodes", False),
    ]
    table = sections["File systems for training"].blocks[1]
    assert table.rows[0] == ("Source", "When to pick it", "Relative start-up time")
    assert len(table.rows) == 4


def test_model_evaluation_outline() -> None:
    note, lines = fixture("model-evaluation.md")
    assert not lines[-1].endswith("\n") and lines[-1]  # the note has no final newline
    assert outline(note.root) == [
        (1, "Model Evaluation and Tuning", 1),
        (2, "1. Classification metrics", 10),
        (3, "1.1 Confusion matrix", 12),
        (3, "1.2 Precision, recall and F1", 20),
        (3, "1.3 ROC and AUC", 29),
        (3, "When is accuracy misleading?", 39),
        (2, "2. Regression metrics", 43),
        (2, "3. Hyperparameter tuning", 52),
        (3, "Search strategies", 54),
        (3, "Automatic Model Tuning settings", 63),
        (3, "Overfitting checklist", 77),
        (3, "Empty heading", 83),
        (3, "References", 85),
    ]
    kinds = {
        s.title: [(b.kind, b.line) for b in s.blocks] for s in all_sections(note.root) if s.blocks
    }
    assert kinds == {
        "Model Evaluation and Tuning": [("paragraph", 4), ("list", 6)],
        "1.1 Confusion matrix": [("table", 13), ("image", 18)],
        "1.2 Precision, recall and F1": [("list", 21), ("math", 25)],
        "1.3 ROC and AUC": [("list", 30), ("image", 37)],
        "When is accuracy misleading?": [("paragraph", 40)],
        "2. Regression metrics": [("list", 44), ("table", 47)],
        "Search strategies": [("list", 55)],
        "Automatic Model Tuning settings": [("code", 64), ("quote", 68), ("html", 72)],
        "Overfitting checklist": [("list", 78)],
        "References": [("list", 86), ("paragraph", 89)],
    }


def test_model_evaluation_items() -> None:
    note, _ = fixture("model-evaluation.md")
    sections = {s.title: s for s in all_sections(note.root)}
    metrics = sections["1.2 Precision, recall and F1"].blocks[0]
    assert metrics.items[1] == ListItem(
        "**Recall** (sensitivity): of all real positives, the share we caught, "
        "$\\frac{TP}{TP+FN}$.\n"
        "Pick recall when a missed positive is expensive (fraud, disease screening).",
        22,
    )
    roc = sections["1.3 ROC and AUC"].blocks[0]
    assert [(i.text, i.line) for i in roc.items[1].children[0].items] == [
        ("0.5 means no better than a coin.", 33),
        ("1.0 means perfect ranking.", 34),
        ("It does not depend on the chosen threshold.", 35),
    ]
    search = sections["Search strategies"].blocks[0]
    assert [(i.line, [c.kind for c in i.children]) for i in search.items] == [
        (55, []),
        (57, ["paragraph"]),
        (60, []),
    ]


@pytest.mark.parametrize("name", ["data-engineering.md", "model-evaluation.md"])
def test_fixture_lines_point_at_the_text(name: str) -> None:
    note, lines = fixture(name)
    for section in all_sections(note.root):
        if section.level:
            assert section.title.split()[0] in lines[section.line - 1]
        for block in all_blocks(section.blocks):
            first = block.markdown.split("\n")[0].strip()
            assert first and first in lines[block.line - 1], (block.line, first)
        for item in all_items(section.blocks):
            first = item.text.split("\n")[0]
            assert first in lines[item.line - 1], (item.line, first)


# --- robustness -------------------------------------------------------------------------------

HOSTILE = [
    "- " * 2000 + "x\n",
    "".join("  " * i + "- x\n" for i in range(300)),
    ">" * 3000 + " deep\n",
    "".join("> " * i + "- x\n" for i in range(100)),
    "\t" * 500 + "- x\n" + "\t" * 1000 + "y\n",
    "[" * 5000 + "](" * 5000,
    "*" * 20000,
    "|" * 10000 + "\n" + "-|" * 5000 + "\n",
    "```" + "\n" * 1000,
    "$$\n" * 999,
    "<div>\n" * 2000,
    "\x00\x01\x02\ufeff\ud7ff\x7f" * 500,
    "-\n\n" * 1000,
    "1.\n" * 1000 + "- [x]\n" * 1000,
    "- a\n| t |\n|---|\n" * 500,
    "---\n" + "key: [\n" * 100 + "---\n# H\n",
]


@pytest.mark.parametrize("text", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_never_raises(text: str) -> None:
    note = tree(text)
    line_count = len(text.split("\n"))
    for section in all_sections(note.root):
        for block in all_blocks(section.blocks):
            assert 1 <= block.line <= line_count
        for item in all_items(section.blocks):
            assert 1 <= item.line <= line_count


def test_a_token_that_cannot_be_converted_keeps_its_text(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> Block:
        raise ValueError("unforeseen token")

    monkeypatch.setattr(tree_markdown, "_block", broken)
    note = tree("# H\n- a\n- b\n\ntext\n")
    assert note.root.children == (Section("H", 1, 1, (para("- a\n- b", 2), para("text", 5))),)


def test_parser_failure_keeps_what_was_read(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> int:
        raise RecursionError("too deep")

    monkeypatch.setitem(tree_markdown._MARKDOWN.block._methods, "block_quote", broken)
    note = tree("# H\ntext\n> quote\n# Lost\n")
    assert note.root.children == (Section("H", 1, 1, (para("text", 2),)),)


def test_random_junk_never_raises() -> None:
    pieces = ["-", "*", "+", "1.", "2)", " ", "  ", "\t", "\n", "\n\n", "#", "##", ">", "|", "`"]
    pieces += ["```", "$$", "$", "[", "]", "(", ")", "!", "<div>", "<img src=x>", "x", "===", "~"]
    pieces += ["[^1]:", "[ ]", "[x]", "\\", "é", "\x00", "---"]
    rng = random.Random(20240611)
    for _ in range(200):
        text = "".join(rng.choice(pieces) for _ in range(rng.randrange(1, 400)))
        note = tree(text)
        line_count = len(text.split("\n"))
        for section in all_sections(note.root):
            assert 1 <= section.line <= line_count
            for block in all_blocks(section.blocks):
                assert 1 <= block.line <= line_count


def test_large_note_in_bounded_time() -> None:
    unit = (
        "## Topic\n"
        "- **Term**: definition\n"
        "\t- detail\n"
        "| a | b |\n"
        "|---|---|\n"
        "| 1 | 2 |\n"
        "Para with $x$ and ![i](x.png).\n"
        "\n"
        "> quote\n"
        "```\n"
        "code\n"
        "```\n"
    )
    text = unit * 2000  # 24,000 lines
    started = time.perf_counter()
    note = tree(text)
    elapsed = time.perf_counter() - started
    assert len(note.root.children) == 2000
    last = note.root.children[-1]
    assert last.line == 1999 * 12 + 1
    assert [(b.kind, b.line - last.line) for b in last.blocks] == [
        ("list", 1),
        ("table", 3),
        ("paragraph", 6),
        ("quote", 8),
        ("code", 9),
    ]
    assert elapsed < 30
