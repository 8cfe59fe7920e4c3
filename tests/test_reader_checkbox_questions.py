"""Checkbox dumps become multiple-choice cards; bad questions are reported, not packaged."""

from __future__ import annotations

from builder.model import Choice, MultipleChoice
from builder.readers import ReadContext, choose_reader
from builder.readers.checkbox_questions import CheckboxQuestionReader
from tests.helpers import source

READER = CheckboxQuestionReader()


def test_question_with_explanation() -> None:
    text = (
        "# Set\n### Which service is serverless SQL on S3?\n- [ ] EMR\n- [x] Athena\n"
        "- [ ] Redshift\n\nExplanation: Athena needs no cluster.\n"
    )
    result = READER.read(source(text), ReadContext("D"))
    (card,) = result.cards
    assert card.content == MultipleChoice(
        "Which service is serverless SQL on S3?",
        (Choice("EMR", False), Choice("Athena", True), Choice("Redshift", False)),
        "Athena needs no cluster.",
    )
    assert card.content.answer_letters == ("B",)
    assert card.context == ("Set",)
    assert card.source.line == 2


def test_several_right_answers_and_stem_paragraph() -> None:
    text = (
        "### Question 4\nA team needs two things. (Choose two.)\n- [X] one\n- [ ] two\n"
        "- [x] three\n"
    )
    (card,) = READER.read(source(text), ReadContext("D")).cards
    assert isinstance(card.content, MultipleChoice)
    assert card.content.question == "A team needs two things. (Choose two.)"
    assert card.content.answer_letters == ("A", "C")


def test_no_answer_and_empty_choice_are_diagnosed_and_skipped() -> None:
    text = "### Unanswered?\n- [ ] a\n- [ ] b\n\n### Empty choice?\n- [x] a\n- [ ] \n"
    result = READER.read(source(text), ReadContext("D"))
    assert result.cards == ()
    assert [(d.line, d.code) for d in result.diagnostics] == [(1, "no-answer"), (5, "empty-choice")]


def test_checklist_under_a_heading_is_not_a_question() -> None:
    checklist = "### Before the exam\n- [x] Read the EMR notes\n- [ ] Practise Spot nodes\n"
    assert READER.claim(source(checklist)) == 0
    reader = choose_reader(source(checklist))
    assert reader is not None and reader.name == "study-notes"


def test_todo_list_without_heading_is_not_a_question() -> None:
    todo = "Things to do:\n- [x] buy milk\n- [ ] study\n"
    assert READER.claim(source(todo)) == 0
    reader = choose_reader(source(todo))
    assert reader is not None and reader.name == "study-notes"
