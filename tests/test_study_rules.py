"""Card rules over a note tree, whatever clothes the notes came in."""

from __future__ import annotations

from builder.model import QA
from builder.readers.note_tree import Block, ListItem, NoteTree, Section
from builder.readers.study_rules import MAX_BACK_ITEMS, cards_from_tree, clean_title, term_card


def tree(*sections: Section) -> NoteTree:
    return NoteTree(Section("", 0, 1, (), sections), "Deck", ("t",))


def bullets(*texts: str, line: int = 10) -> Block:
    items = tuple(ListItem(text, line + n) for n, text in enumerate(texts))
    return Block("list", "\n".join(f"- {t}" for t in texts), line, items)


def qa(found: NoteTree) -> list[tuple[str, str, tuple[str, ...], int]]:
    cards, _ = cards_from_tree(found, "n.md")
    return [
        (c.content.front, c.content.back, c.context, c.source.line)
        for c in cards
        if isinstance(c.content, QA)
    ]


def test_definition_forms() -> None:
    assert term_card(ListItem("**Shard**: 1 MB/s in", 1)) == ("Shard", "1 MB/s in")
    assert term_card(ListItem("**Shard:** 1 MB/s in", 1)) == ("Shard", "1 MB/s in")
    assert term_card(ListItem("**Shard** – 1 MB/s in", 1)) == ("Shard", "1 MB/s in")
    assert term_card(ListItem("Retention: 24 hours", 1)) == ("Retention", "24 hours")
    assert term_card(ListItem("**Note** that shards cost money.", 1)) is None
    assert term_card(ListItem("See https://example.com for more", 1)) is None
    nested = ListItem("**Kinesis**", 1, (bullets("shards", "retention"),))
    assert term_card(nested) == ("Kinesis", "- shards\n- retention")
    short = ListItem("Data Streams", 1, (bullets("shards"),))
    assert term_card(short) == ("Data Streams", "- shards")


def test_term_list_heading_body_and_context() -> None:
    kinesis = Section("Kinesis", 2, 3, (bullets("**Shard**: 1 MB/s", "Retention: 24 h"),))
    firehose = Section("1.2 Firehose", 2, 20, (Block("paragraph", "Buffers then delivers.", 21),))
    notes = tree(Section("Data Engineering", 1, 1, (), (kinesis, firehose)))
    assert qa(notes) == [
        ("Shard", "1 MB/s", ("Data Engineering", "Kinesis"), 10),
        ("Retention", "24 h", ("Data Engineering", "Kinesis"), 11),
        ("Firehose", "Buffers then delivers.", ("Data Engineering",), 20),
    ]


def test_mostly_definitions_make_atomic_cards_and_keep_the_rest() -> None:
    mixed = bullets("**Shard**: 1 MB/s in", "Retention: 24 hours", "Consume it with the KCL.")
    assert qa(tree(Section("Kinesis", 2, 2, (mixed,)))) == [
        ("Shard", "1 MB/s in", ("Kinesis",), 10),
        ("Retention", "24 hours", ("Kinesis",), 11),
        ("Kinesis", "- Consume it with the KCL.", (), 2),
    ]
    plain = bullets("**Shard**: 1 MB/s in", "Consume it with the KCL.", "Scale by resharding.")
    assert [front for front, *_ in qa(tree(Section("Kinesis", 2, 2, (plain,))))] == ["Kinesis"]


def test_what_gives_no_card() -> None:
    toc = bullets("[Intro](#intro)", "[Kinesis](#kinesis)")
    links = bullets("[AWS docs](https://docs.aws.amazon.com)", "<https://example.com>")
    image = Block("image", "![diagram](d.png)", 5)
    todo = Block("list", "- [ ] read", 7, (ListItem("read", 7, checked=False),))
    intro = Block("paragraph", "Table of contents:", 2)
    notes = tree(
        Section("Title", 1, 1, (intro, bullets("[A](#a)"))),
        Section("Contents", 2, 2, (bullets("[A](#a)"),)),
        Section("Guide", 1, 3, (toc, links, image, todo), (Section("Empty", 2, 9),)),
        Section("References", 2, 12, (Block("paragraph", "Smith 2020.", 13),)),
    )
    assert qa(notes) == []


def test_image_joins_the_text_of_its_section() -> None:
    body = (Block("paragraph", "Counts of TP, FP, FN, TN.", 3), Block("image", "![m](m.png)", 5))
    assert qa(tree(Section("Confusion matrix", 2, 2, body))) == [
        ("Confusion matrix", "Counts of TP, FP, FN, TN.\n\n![m](m.png)", (), 2)
    ]


def test_small_table_gives_a_card_per_row() -> None:
    table = Block(
        "table",
        "| Metric | Formula |\n|---|---|\n| Precision | TP/(TP+FP) |\n| Recall | TP/(TP+FN) |",
        4,
        rows=(("Metric", "Formula"), ("Precision", "TP/(TP+FP)"), ("Recall", "TP/(TP+FN)")),
    )
    assert qa(tree(Section("Metrics", 2, 3, (table,)))) == [
        ("Precision", "TP/(TP+FP)", ("Metrics", "Metric"), 4),
        ("Recall", "TP/(TP+FN)", ("Metrics", "Metric"), 4),
    ]


def test_long_list_is_split_into_numbered_parts() -> None:
    many = bullets(*(f"fact number {n}" for n in range(30)))
    found = qa(tree(Section("Limits", 2, 2, (many,))))
    assert [front for front, _, _, _ in found] == ["Limits (1/3)", "Limits (2/3)", "Limits (3/3)"]
    assert all(back.count("\n- ") + 1 <= MAX_BACK_ITEMS for _, back, _, _ in found)
    assert found[1][1].startswith("- fact number 10")


def test_unsplittable_back_is_reported_with_line() -> None:
    essay = Block("paragraph", "word " * 400, 6)
    cards, problems = cards_from_tree(tree(Section("Essay", 2, 5, (essay,))), "n.md")
    assert len(cards) == 1
    assert [(p.line, p.code) for p in problems] == [(5, "back-too-long")]


def test_clean_title() -> None:
    assert clean_title("1.1 Data repositories") == "Data repositories"
    assert clean_title("Domain 2: Exploratory Data Analysis") == "Exploratory Data Analysis"
    assert clean_title("3. Modeling (36%)") == "Modeling (36%)"
    assert clean_title("2024") == "2024"
