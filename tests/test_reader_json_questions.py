"""JSON question dumps become multiple-choice cards; other JSON is left alone, bad JSON reported.

Each fixture under `fixtures/dumps/json/` sits beside `<name>.expected.json`;
tests/test_golden_readers.py checks those golden files and `make golden` rewrites them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builder.model import MultipleChoice
from builder.readers import ReadContext, ReadResult
from builder.readers.json_questions import JsonQuestionReader
from builder.readers.study_notes import StudyNotesReader
from tests.golden import fixture_source
from tests.helpers import question_text, source

READER = JsonQuestionReader()
FOLDER = Path(__file__).parent / "fixtures" / "dumps" / "json"
NOT_QUESTIONS = FOLDER / "app-settings.json"
CASES = sorted(
    path
    for path in FOLDER.iterdir()
    if path.suffix in (".json", ".jsonl")
    and not path.name.endswith(".expected.json")
    and path != NOT_QUESTIONS
)


def read(text: str, name: str = "dump.json") -> ReadResult:
    return READER.read(source(text, name), ReadContext("D"))


def only_question(text: str) -> MultipleChoice:
    (card,) = read(text).cards
    assert isinstance(card.content, MultipleChoice)
    return card.content


def test_every_fixture_is_claimed_and_the_config_file_is_not() -> None:
    for path in CASES:
        assert READER.claim(fixture_source(path)) >= 5, path.name
    assert READER.claim(fixture_source(NOT_QUESTIONS)) == 0


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# Kinesis\n- **Shard**: 1 MB/s in\n",
        "[[Kinesis]] notes: a shard takes 1 MB/s in.\n",
        '{"name": "deck", "version": 3, "options": {"strict": true}}',
        '{"faq": [{"question": "Where are notes kept?", "answer": "In the vault."}]}',
        '[{"text": "hello", "options": ["--verbose", "--quiet"]}]',
        "[1, 2, 3]",
    ],
)
def test_json_that_holds_no_questions_is_not_claimed(text: str) -> None:
    assert READER.claim(source(text, "data.json")) == 0


def test_claim_is_five_per_question_and_beats_the_study_notes_fallback() -> None:
    text = json.dumps(
        [
            {"question": f"Which option is number {n}?", "choices": ["one", "two"], "answer": "A"}
            for n in range(3)
        ]
    )
    file = source(text, "dump.json")
    assert READER.claim(file) == 15
    assert READER.claim(file) > StudyNotesReader().claim(file)


def test_invalid_json_is_one_diagnostic_with_line_and_column() -> None:
    text = '[\n  {"question": "Which?", "choices": {"A": "x", "B": "y"} "answer": "A"}\n]\n'
    file = source(text, "dump.json")
    assert READER.claim(file) == 5
    result = READER.read(file, ReadContext("D"))
    assert result.cards == ()
    (problem,) = result.diagnostics
    assert (problem.line, problem.code) == (2, "invalid-json")
    assert "line 2, column 58" in problem.message


def test_a_bad_json_lines_line_costs_only_that_line() -> None:
    good = '{"question": "Which one?", "choices": {"A": "x", "B": "y"}, "answer": "B"}'
    result = read(f"{good}\n{{broken\n{good}\n", "dump.jsonl")
    assert [card.source.line for card in result.cards] == [1, 3]
    assert [(d.line, d.code) for d in result.diagnostics] == [(2, "invalid-json")]


def test_choice_map_out_of_order_is_shown_in_letter_order() -> None:
    content = only_question(
        '{"question": "Which stores features?", '
        '"choices": {"C": "Neo", "A": "Feature Store", "B": "Ground Truth"}, "answer": "a"}'
    )
    assert [c.text for c in content.choices] == ["Feature Store", "Ground Truth", "Neo"]
    assert content.answer_letters == ("A",)


@pytest.mark.parametrize(
    ("answer", "letters"),
    [
        ('"BD"', ("B", "D")),
        ('"B,D"', ("B", "D")),
        ('"b and d"', ("B", "D")),
        ('["B", "D"]', ("B", "D")),
        ('"Correct Answer: BD"', ("B", "D")),
    ],
)
def test_answer_letters_in_every_written_form(answer: str, letters: tuple[str, ...]) -> None:
    content = only_question(
        '{"question": "Which two? (Choose two.)", "choices": ["w", "x", "y", "z"], '
        f'"answer": {answer}}}'
    )
    assert content.answer_letters == letters


def test_choice_objects_with_flags_and_a_worded_answer() -> None:
    flagged = only_question(
        '{"stem": "Which?", "choices": [{"letter": "A", "text": "EMR", "is_correct": false},'
        ' {"letter": "B", "text": "Athena", "is_correct": true}]}'
    )
    assert flagged.answer_letters == ("B",)
    worded = only_question(
        '{"question": "Which runs serverless SQL?", "choices": ["Amazon EMR", "Amazon Athena"],'
        ' "answer": "Amazon Athena. It needs no cluster."}'
    )
    assert worded.answer_letters == ("B",)
    assert worded.explanation == "It needs no cluster."


def test_html_values_become_markdown_and_no_tag_is_left() -> None:
    content = only_question(
        '{"question": "<p>First line<br>second <b>bold</b> line</p><script>x()</script>",'
        ' "choices": {"A": "<code>max_depth</code>", "B": "B. plain &amp; simple"},'
        ' "answer": "A", "explanation": "<ul><li>one</li><li>two</li></ul>"}'
    )
    assert content.question == "First line\nsecond **bold** line"
    assert [c.text for c in content.choices] == ["`max_depth`", "plain & simple"]
    assert content.explanation == "- one\n- two"


def test_discussion_threads_never_reach_the_card_and_a_short_note_does() -> None:
    thread = [{"poster": "p", "content": "Selected Answer: A\nlong argument"}] * 3
    text = json.dumps(
        [
            {"question": "One?", "choices": ["x", "y"], "answer": "A", "discussion": thread},
            {"question": "Two?", "choices": ["x", "y"], "answer": "A", "comments": "Short."},
            {"question": "Three?", "choices": ["x", "y"], "answer": "A", "comments": "z" * 400},
        ]
    )
    first, second, third = read(text).cards
    assert "argument" not in question_text(first)
    assert isinstance(second.content, MultipleChoice)
    assert second.content.explanation == "Short."
    assert "zzz" not in question_text(third)


@pytest.mark.parametrize(
    "votes",
    [
        '["C (71%)", "B (29%)"]',
        '"C (71%) B (29%)"',
        '{"C": 71, "B": 29}',
        '{"C": "71%", "B": "29%"}',
        '{"C": 22, "B": 9}',
        '[{"voted_answers": "C", "vote_count": 22}, {"voted_answers": "B", "vote_count": 9}]',
    ],
)
def test_vote_distribution_becomes_a_community_votes_line(votes: str) -> None:
    content = only_question(
        '{"question": "Which?", "choices": ["a", "b", "c"], "answer": "C",'
        f' "explanation": "Because.", "answers_community": {votes}}}'
    )
    assert content.explanation == "Because.\n\nCommunity votes: C 71%, B 29%"


def test_community_vote_answers_a_question_the_site_left_unanswered() -> None:
    content = only_question(
        '{"question": "Which?", "choices": ["a", "b"], "answer": "", "most_voted": "B"}'
    )
    assert content.answer_letters == ("B",)


def test_line_numbers_are_where_each_question_object_starts() -> None:
    text = (
        '{"data": [\n'
        '  {"question": "One?", "choices": ["x", "y"], "answer": "A"},\n'
        "\n"
        '  {\n    "question": "Two {braces} in \\"text\\"?",\n'
        '    "choices": [{"text": "x"}, {"text": "y"}], "answer": "B"\n  }\n'
        "]}"
    )
    assert [card.source.line for card in read(text).cards] == [2, 4]
    minified = json.dumps([{"question": "One?", "choices": ["x", "y"], "answer": "A"}] * 2)
    assert [card.source.line for card in read(minified).cards] == [1, 1]


def test_numbers_repeat_across_topics_without_a_duplicate_warning() -> None:
    question = {"question_text": "Which?", "choices": {"A": "x", "B": "y"}, "answer": "A"}
    text = json.dumps(
        [
            question | {"question_id": 1, "topic": "1"},
            question | {"question_id": 1, "topic": "2"},
            question | {"question_id": 1, "topic": "2"},
        ]
    )
    codes = [(d.line, d.code, d.message) for d in read(text).diagnostics]
    assert len(codes) == 1
    assert codes[0][1] == "duplicate-question-number"
    assert "1 (topic 2)" in codes[0][2]


def test_an_opaque_id_is_not_a_question_number() -> None:
    question = {"id": "Xk2fQw9LmA7pRt3sUv1b", "question": "Which?", "choices": ["x", "y"]}
    (problem,) = read(json.dumps([question | {"answer": ""}])).diagnostics
    assert problem.message.startswith("question has no answer")


@pytest.mark.parametrize(
    "text",
    [
        "{",
        "[" * 100_000,
        '{"a":' * 50_000,
        "[" + "9" * 5000 + "]",
        "\ufeff[]",
        '{"question": 1, "choices": 2}',
        '{"question": "x", "choices": {"A": {"text": null}, "B": [1]}, "answer": 5}',
        '{"question": "x", "choices": [null, true, {"letter": 3}], "answer": [null, 1]}',
        '{"question": "x", "choices": {"A": "a", "B": "b"}, "answers_community": [{}, 3]}',
        '[{"question": "Ã¢â‚¬Å“quotedÃ¢â‚¬", "choices": ["ÐšÐ¼", "b"], "answer": "A"}]',
        '{"question": "<p><<<", "choices": ["<", "&#xZZ;"], "answer": "A"}\n{"x": ]',
        "[" + '{"question": "q", "choices": ["a", "b"]},' * 200 + "1]",
    ],
)
def test_no_input_makes_the_reader_raise(text: str) -> None:
    file = source(text, "dump.json")
    READER.claim(file)
    READER.read(file, ReadContext("D"))
