"""Saved exam web pages become multiple-choice cards; site noise never reaches a card.

Each fixture under `fixtures/dumps/html/` sits beside `<name>.expected.json`;
tests/test_golden_readers.py checks those golden files and `make golden` rewrites them.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from builder.model import MultipleChoice
from builder.readers import ReadContext, ReadResult
from builder.readers.html_questions import HtmlQuestionReader, html_to_markdown
from builder.readers.study_notes import StudyNotesReader
from tests.golden import expected_path, fixture_source
from tests.helpers import question_text, source

READER = HtmlQuestionReader()
FOLDER = Path(__file__).parent / "fixtures" / "dumps" / "html"
ARTICLE = FOLDER / "study-article.html"
CASES = sorted(path for path in FOLDER.glob("*.html") if path != ARTICLE)


def read(html: str) -> ReadResult:
    return READER.read(source(html, "page.html"), ReadContext("D"))


def only_question(html: str) -> MultipleChoice:
    (card,) = read(html).cards
    assert isinstance(card.content, MultipleChoice)
    return card.content


def card_block(body: str, *, answer: str = "", item_classes: str = "", header: str = "") -> str:
    """An exam-site question card with four choices; `item_classes` maps letters to classes."""
    classes = dict(pair.split("=") for pair in item_classes.split()) if item_classes else {}
    items = "".join(
        f'<li class="multi-choice-item {classes.get(letter, "")}">'
        f'<span class="multi-choice-letter" data-choice-letter="{letter}">{letter}.</span>'
        f" Option {letter.lower()}</li>"
        for letter in "ABCD"
    )
    revealed = (
        '<p class="card-text question-answer"><strong>Correct Answer:</strong>'
        f'<span class="correct-answer-box"><span class="correct-answer">{answer}</span></span></p>'
    )
    return (
        f'<div class="card exam-question-card"><div class="card-header">{header}</div>'
        f'<div class="card-body question-body"><p class="card-text">{body}</p>'
        f'<div class="question-choices-container"><ul>{items}</ul></div>{revealed}</div></div>'
    )


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_site_noise_never_reaches_a_card(path: Path) -> None:
    noise = re.compile(
        r"Reveal Solution|Hide Solution|Show Answer|Discussion|upvoted|Most Voted|Topic \d|"
        r"Question #|Sign in|Sponsored|Selected Answer|ago\b|Posted|Community vote distribution|"
        r"Correct Answer|Suggested Answer|[<>]|^-{3,}$",
        re.M,
    )
    result = READER.read(fixture_source(path), ReadContext("D"))
    for card in result.cards:
        assert noise.search(question_text(card)) is None, question_text(card)


def test_every_fixture_is_claimed_and_the_article_is_not() -> None:
    for path in CASES:
        file = fixture_source(path)
        cards = json.loads(expected_path(path).read_text(encoding="utf-8"))["cards"]
        assert READER.claim(file) >= 5 * max(1, len(cards))
        assert READER.claim(file) > StudyNotesReader().claim(file)
    assert READER.claim(fixture_source(ARTICLE)) == 0


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("# Notes\n\nA. first\nB. second\n", "notes.md"),
        ("<ul><li>A. first point</li><li>B. second point</li></ul>", "notes.md"),
        ("<html><body><p>Which one? Nobody knows.</p></body></html>", "page.html"),
        ("<ol type='A'><li>Intro</li><li>Setup</li></ol>", "page.html"),
        ("", "page.html"),
    ],
)
def test_pages_without_question_blocks_are_not_claimed(text: str, name: str) -> None:
    assert READER.claim(source(text, name)) == 0


def test_revealed_answer_wins_over_marked_choices_and_votes() -> None:
    html = card_block(
        "Which one?",
        answer="B",
        item_classes="C=correct-hidden",
        header="Question #3",
    ).replace("Option d", 'Option d <span class="most-voted-answer-badge">Most Voted</span>')
    content = only_question(html)
    assert content.answer_letters == ("B",)
    assert [c.text for c in content.choices] == ["Option a", "Option b", "Option c", "Option d"]


def test_marked_choice_then_most_voted_badge_then_tally_answer() -> None:
    marked = card_block("Which?", item_classes="A=correct-hidden D=correct-hidden")
    assert only_question(marked).answer_letters == ("A", "D")
    badge = card_block("Which?").replace(
        "Option c", 'Option c <span class="badge most-voted-answer-badge">Most Voted</span>'
    )
    assert only_question(badge).answer_letters == ("C",)
    tally = card_block("Which?").replace(
        '<div class="question-choices-container">',
        '<div class="voted-answers-tally d-none"><script type="application/json">'
        '[{"voted_answers": "B", "vote_count": 3, "is_most_voted": true},'
        ' {"voted_answers": "A", "vote_count": 1, "is_most_voted": false}]</script></div>'
        '<div class="question-choices-container">',
    )
    content = only_question(tally)
    assert content.answer_letters == ("B",)
    assert content.explanation == "Community votes: B 75%, A 25%"


def test_block_without_any_answer_is_reported_at_its_line() -> None:
    html = "<html>\n<body>\n" + card_block("Which?", header="Question #7 Topic 2") + "\n</body>"
    result = read(html)
    assert result.cards == ()
    assert [(d.line, d.code) for d in result.diagnostics] == [(3, "no-answer")]
    assert "question 7" in result.diagnostics[0].message


def test_plain_page_with_headings_lettered_items_and_answer_lines() -> None:
    html = (
        "<html><body>\n<h1>Quiz</h1>\n<h3>Question 1</h3>\n<p>Which is serverless?</p>\n"
        "<ul><li>A) EMR</li><li>B) Athena</li></ul>\n<p>Answer: B</p>\n"
        "<h3>Question 2</h3>\n<p>Which streams to S3?</p>\n"
        '<ol type="A"><li>Firehose</li><li>Snowball</li></ol>\n'
        "<p>Answer: Firehose. It buffers and delivers.</p>\n</body></html>"
    )
    first, second = read(html).cards
    assert (first.source.line, second.source.line) == (3, 7)
    assert isinstance(first.content, MultipleChoice)
    assert isinstance(second.content, MultipleChoice)
    assert first.content.question == "Which is serverless?"
    assert first.content.answer_letters == ("B",)
    assert [c.text for c in second.content.choices] == ["Firehose", "Snowball"]
    assert second.content.answer_letters == ("A",)
    assert second.content.explanation == "It buffers and delivers."


def test_questions_as_items_of_an_outer_list() -> None:
    item = (
        '<li class="multi-choice-item {cls}"><span data-choice-letter="{letter}">{letter}.</span>'
        " {text}</li>"
    )
    questions = "".join(
        f"<li>\n<p>Question {n}</p><p>{stem}</p><ul>"
        + item.format(cls="correct" if right == "A" else "", letter="A", text=a)
        + item.format(cls="correct" if right == "B" else "", letter="B", text=b)
        + "</ul></li>\n"
        for n, stem, a, b, right in (
            (1, "Which is serverless?", "EMR", "Athena", "B"),
            (2, "Which streams to S3?", "Firehose", "Snowball", "A"),
        )
    )
    cards = read(f"<html><body>\n<ol class='questions'>\n{questions}</ol></body></html>").cards
    assert [card.source.line for card in cards] == [3, 5]
    assert [c.content.answer_letters for c in cards if isinstance(c.content, MultipleChoice)] == [
        ("B",),
        ("A",),
    ]


def test_html_to_markdown_keeps_breaks_and_marks_and_drops_scripts() -> None:
    soup = BeautifulSoup(
        "<div><p>One<br>two <strong>bold</strong> <em> it </em></p>"
        "<script>alert(1)</script><!-- comment --><p>&lt;tag&gt; <code>x_y</code>"
        '<img src="https://example.com/a.png" alt="chart"></p><pre>a\n  b</pre></div>',
        "html.parser",
    )
    assert html_to_markdown(soup) == (
        "One\ntwo **bold** *it*\n\n&lt;tag> `x_y`![chart](https://example.com/a.png)"
        "\n\n```\na\n  b\n```"
    )


@pytest.mark.parametrize(
    "html",
    [
        "<",
        "<html><<<>>><li>A. x</li>",
        "<![CDATA[ x ]]><!DOCTYPE><?xml?>",
        "<div>" * 10_000 + card_block("Deep?", answer="A") + "</div>" * 10_000,
        "<li class='multi-choice-item'>A. x</li>" * 3,
        "<ul><li data-choice-letter=''>x</li><li data-choice-letter='??'>y</li></ul>",
        card_block("\x00\x01 Ã¢â‚¬Å“mojibakeÃ¢â‚¬ ÐšÐ¼", answer="Z"),
        "<div class='voted-answers-tally'><script>[{]</script></div>" + card_block("x"),
        "<ol type='A'><li></li><li><ol type='A'><li>n</li><li>m</li></ol></li></ol>",
    ],
)
def test_no_input_makes_the_reader_raise(html: str) -> None:
    file = source(html, "page.html")
    READER.claim(file)
    READER.read(file, ReadContext("D"))


def test_an_explanation_that_starts_with_capitals_is_not_read_as_answer_letters() -> None:
    html = card_block("Which precision?", answer="A").replace(
        "</span></span></p>",
        '</span></span><span class="answer-description">TP = 45 and FP = 15, so precision is '
        "0.75.</span></p>",
    )
    content = only_question(html)
    assert content.answer_letters == ("A",)
    assert "TP = 45 and FP = 15" in content.explanation


def test_page_headings_above_a_question_become_its_context() -> None:
    page = (
        "<html><body><h1>Practice set</h1><h2>Domain 3: Modeling</h2>"
        + card_block("Which metric?", answer="A", header="<h3>Question #1</h3>")
        + "<h2>Domain 4: ML Implementation and Operations</h2>"
        + card_block("Which endpoint?", answer="B", header="<h3>Question #2</h3>")
        + "</body></html>"
    )
    first, second = read(page).cards
    assert first.context == ("Practice set", "Domain 3: Modeling")
    assert second.context == ("Practice set", "Domain 4: ML Implementation and Operations")


def test_class_names_match_in_any_case_except_the_revealed_answer() -> None:
    """Header, choice and vote classes match whatever their case; the revealed answer's class
    only as the site writes it. Pinned so that no rewrite of the searches changes a card."""
    for header_class in ("card-header", "Card-Header", "CARD-HEADER"):
        html = card_block("Which one?", answer="B", header="Question #5 Topic 2")
        (card,) = read(html.replace('"card-header"', f'"{header_class}"')).cards
        assert isinstance(card.content, MultipleChoice)
        assert "Question" not in question_text(card)
    answer_box = (
        '<p class="card-text question-answer"><strong>Correct Answer:</strong>'
        '<span class="correct-answer-box"><span class="correct-answer"></span></span></p>'
    )
    for answer_class, letters in (("correct-answer", ("C",)), ("Correct-Answer", None)):
        html = card_block("Which one?").replace(
            answer_box, f'<div>Because. <span class="{answer_class}">C</span></div>'
        )
        cards = read(html).cards
        found = [c.content.answer_letters for c in cards if isinstance(c.content, MultipleChoice)]
        assert found == ([letters] if letters else [])


def test_a_choice_takes_its_letter_from_its_own_marker_not_a_nested_list() -> None:
    item = (
        '<li class="multi-choice-item {cls}"><span class="multi-choice-letter" '
        'data-choice-letter="{letter}">{letter}.</span> {text}</li>'
    )
    inner = '<ul><li><span data-choice-letter="Q">Q.</span> inner</li></ul>'
    html = (
        '<div class="card exam-question-card"><div class="card-header">Question #2</div>'
        '<div class="card-body question-body"><p>Pick one</p><ul>'
        + item.format(cls="", letter="A", text="Outer a" + inner)
        + item.format(cls="correct-hidden", letter="B", text="Outer b")
        + "</ul></div></div>"
    )
    content = only_question(html)
    assert content.answer_letters == ("B",)
    assert [c.text for c in content.choices] == ["Outer a\n\n- inner", "Outer b"]
