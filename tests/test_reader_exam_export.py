"""Exam-site text and Markdown exports become checked multiple-choice cards; site noise does not.

Each fixture under `fixtures/dumps/exam-text/` and `fixtures/dumps/exam-markdown/` sits beside
`<name>.expected.json`; tests/test_golden_readers.py checks those golden files and `make golden`
rewrites them.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from builder.model import MultipleChoice
from builder.readers.base import ReadContext, ReadResult
from builder.readers.checkbox_questions import CheckboxQuestionReader
from builder.readers.exam_export import ExamMarkdownExportReader, ExamTextExportReader
from builder.readers.study_notes import StudyNotesReader
from tests.golden import fixture_source
from tests.helpers import question_text, source

TEXT = ExamTextExportReader()
MARKDOWN = ExamMarkdownExportReader()
DUMPS = Path(__file__).parent / "fixtures" / "dumps"
FOLDERS = ("exam-text", "exam-markdown")


def fixtures() -> list[Path]:
    return sorted(
        path
        for folder in FOLDERS
        for path in (DUMPS / folder).iterdir()
        if path.suffix in (".txt", ".md")
    )


def read_text(text: str, name: str = "dump.txt") -> ReadResult:
    reader = MARKDOWN if name.endswith(".md") and text.lstrip().startswith("#") else TEXT
    return reader.read(source(text, name), ReadContext("Default Deck"))


def only_question(result: ReadResult) -> MultipleChoice:
    (card,) = result.cards
    assert isinstance(card.content, MultipleChoice)
    return card.content


def codes(result: ReadResult) -> list[tuple[int, str]]:
    return [(d.line, d.code) for d in result.diagnostics]


# --- claims ---------------------------------------------------------------------------------

TEXT_DUMP = (
    "Question #41 Topic 1\n"
    "Which service runs serverless SQL over files in S3?\n"
    "A. Amazon EMR\nB. Amazon Athena\nC. Amazon Redshift\n"
    "Correct Answer: B\n"
    "Question #42 Topic 1\n"
    "Which service labels data with human workers?\n"
    "A. SageMaker Ground Truth\nB. SageMaker Neo\n"
    "Correct Answer: A\n"
)
MARKDOWN_DUMP = (
    "## Exam MLS topic 1 question 12 discussion\n"
    "Which service runs serverless SQL over files in S3?\n"
    "**A:** Amazon EMR\n**B:** Amazon Athena\n**Answer: B**\n"
    "**Timestamp: 2024-10-30 22:46:00**\n[View on ExamTopics](https://example.com/12)\n"
    "----------------------------------------\n"
)


def test_each_reader_claims_its_own_export_five_per_question() -> None:
    text, markdown = source(TEXT_DUMP, "dump.txt"), source(MARKDOWN_DUMP, "dump.md")
    assert (TEXT.claim(text), MARKDOWN.claim(text)) == (10, 0)
    assert (TEXT.claim(markdown), MARKDOWN.claim(markdown)) == (0, 5)
    assert TEXT.claim(text) > StudyNotesReader().claim(text)
    assert MARKDOWN.claim(markdown) > CheckboxQuestionReader().claim(markdown)


def test_text_export_pasted_into_markdown_is_claimed_by_content_not_ending() -> None:
    assert TEXT.claim(source(TEXT_DUMP, "notes.md")) == 10
    assert MARKDOWN.claim(source(MARKDOWN_DUMP, "export.txt")) == 5


@pytest.mark.parametrize(
    "text",
    [
        "",
        "# Kinesis\n- **Shard**: 1 MB/s in.\n",
        "### Which service is serverless SQL?\n- [ ] EMR\n- [x] Athena\n",
        "Question 1\nA plain question with no choices at all.\n",
        "1. Which is right?\n   1. Wrong\n   2. **Right**\n",
        "### Question 1\nWhich is right?\nA. one\nB. two\n"
        "<details><summary>Answer</summary>Correct Answer: B</details>\n",
        "Question 1 A. one B. two",
        "Q1. Which?\nA. one\nB. two\nAnswer: A\n",
    ],
    ids=[
        "empty",
        "notes",
        "checkbox",
        "no-choices",
        "bold-numbered",
        "details",
        "one-line",
        "q-label",
    ],
)
def test_other_formats_are_not_claimed(text: str) -> None:
    for name in ("x.md", "x.txt"):
        assert TEXT.claim(source(text, name)) == 0
        assert MARKDOWN.claim(source(text, name)) == 0


def test_json_and_html_files_are_left_to_their_readers() -> None:
    json_dump = '[\n{"question": "x"}\n]\nQuestion 1\nStem\nA. a\nB. b\nAnswer: A\n'
    assert TEXT.claim(source(json_dump, "dump.json")) == 0
    assert TEXT.claim(source(json_dump, "dump.txt")) == 0
    assert TEXT.claim(source(TEXT_DUMP, "page.html")) == 0


# --- the parts of a question ----------------------------------------------------------------


@pytest.mark.parametrize(
    "answer_line",
    [
        "Correct Answer: BD",
        "Correct Answer: BD 🗳️",
        "Answer: B, D",
        "Answer: B and D",
        "Correct Answers: B/D",
        "**Answer: BD**",
        "**Correct Answer:** BD",
        "Answer: Correct: BD",
        "Reveal Solution Hide Solution Correct Answer: BD",
        "Correct Answer:\nBD",
    ],
)
def test_answer_line_variants(answer_line: str) -> None:
    text = f"Question 7\nWhich two? (Choose two.)\nA. a\nB. b\nC. c\nD. d\n{answer_line}\n"
    result = read_text(text)
    assert only_question(result).answer_letters == ("B", "D")
    assert result.diagnostics == ()


@pytest.mark.parametrize(
    "choices",
    [
        "A. one\nB. two",
        "A) one\nB) two",
        "(A) one\n(B) two",
        "A: one\nB: two",
        "**A:** one\n**B:** two",
        "**A.** one\n**B.** two",
        "**A**: one\n**B**: two",
        "- A. one\n- B. two",
        "* **(A)** one\n* **(B)** two",
        "    A. one\n    B. two",
        "A. one\n\nB. two Most Voted",
    ],
)
def test_choice_prefixes_are_stripped(choices: str) -> None:
    content = only_question(read_text(f"QUESTION 3\nWhich?\n{choices}\nAnswer: A\n"))
    assert [c.text for c in content.choices] == ["one", "two"]


def test_choice_spanning_several_lines_keeps_them() -> None:
    text = "Question 1\nWhich?\nA. one\nB. two that goes\non and on\nC. three\nAnswer: B\n"
    content = only_question(read_text(text))
    assert [c.text for c in content.choices] == ["one", "two that goes\non and on", "three"]


def test_out_of_order_choice_letters_are_sorted_with_their_answer() -> None:
    text = "Question 1\nWhich?\nA. one\nC. three\nB. two\nAnswer: C\n"
    content = only_question(read_text(text))
    assert [c.text for c in content.choices] == ["one", "two", "three"]
    assert content.answer_letters == ("C",)


def test_a_stem_line_that_looks_like_a_choice_does_not_start_the_list() -> None:
    text = "Question 1\nConsider two facts.\nI. Shards take 1 MB/s.\nWhich holds?\nA. one\nB. two\n"
    content = only_question(read_text(text + "Answer: A\n"))
    assert content.question == "Consider two facts.\nI. Shards take 1 MB/s.\nWhich holds?"


def test_explanation_and_votes_are_kept_and_votes_are_one_line() -> None:
    text = (
        "Question #41 Topic 1\nWhich?\nA. a\nB. b\nC. c\nCorrect Answer: C\n"
        "Explanation: C is cheapest.\nReference: https://docs.aws.amazon.com/x\n"
        "Community vote distribution\nC (71%) B (29%)\nOther\n"
    )
    assert only_question(read_text(text)).explanation == (
        "C is cheapest.\nReference: https://docs.aws.amazon.com/x\n\nCommunity votes: C 71%, B 29%"
    )


def test_answer_written_as_text_names_its_choice() -> None:
    text = "Question 2\nWhich?\nA. Amazon EMR\nB. Amazon Athena\nAnswer: Amazon Athena. No servers."
    content = only_question(read_text(text))
    assert content.answer_letters == ("B",)
    assert content.explanation == "No servers."


def test_answer_line_that_repeats_the_choice_adds_no_explanation() -> None:
    text = "Question 2\nWhich?\nA. Amazon EMR\nB. Amazon Athena\nCorrect Answer: B. Amazon Athena\n"
    assert only_question(read_text(text)).explanation == ""


def test_most_voted_marker_is_never_taken_for_the_answer() -> None:
    text = "Question 9\nWhich?\nA. a Most Voted\nB. b\nCommunity vote distribution\nA (90%)\n"
    result = read_text(text)
    assert result.cards == ()
    assert codes(result) == [(1, "no-answer")]


def test_suggested_answer_is_used_when_no_other_is_given_and_loses_when_one_is() -> None:
    base = "## Question 5\nWhich?\nSuggested Answer: B 🗳️\n\nA. a\n\nB. b\n\n"
    assert only_question(read_text(base, "x.md")).answer_letters == ("B",)
    result = read_text(base + "**Answer: A**\n", "x.md")
    assert only_question(result).answer_letters == ("A",)
    assert codes(result) == [(1, "conflicting-answers")]


def test_site_noise_reaches_no_field() -> None:
    noise = [
        "Actual exam question from Amazon's AWS Certified Machine Learning - Specialty",
        "Question #: 8",
        "Topic #: 1",
        "[All AWS Certified Machine Learning - Specialty Questions]",
        "Reveal Solution Hide Solution Discussion 12",
        "Show Suggested Answer",
        "**Timestamp: 2024-10-30 22:46:00**",
        "[View on ExamTopics](https://www.examtopics.com/discussions/amazon/view/1)",
        "Community vote distribution",
        "upvoted 12 times",
        "Page 3 of 40",
        "Viewing page 2 out of 9 pages.",
    ]
    text = (
        "## Exam MLS topic 1 question 8 discussion\n"
        + "\n".join(noise[:4])
        + "\nWhich service?\n"
        + "\n".join(noise[4:7])
        + "\nA. Amazon Athena\n"
        + "\n".join(noise[7:])
        + "\nB. Amazon EMR\n**Answer: A**\n"
        + "\n".join(noise)
        + "\nComments: [{user A upvoted 3 times}]\nThe discussion says A.\n"
        + "----------------------------------------\nStray text after the separator.\n"
    )
    result = read_text(text, "export.md")
    (card,) = result.cards
    assert question_text(card) == "Which service?\n\nAmazon Athena\nAmazon EMR"
    assert result.diagnostics == ()


def test_discussion_comments_of_a_copied_page_are_dropped() -> None:
    text = (
        "Question #17 Topic 1\nWhich?\nA. a\nB. b\nCorrect Answer: B\nWhy B: it is cheaper.\n"
        "Highly Voted\nsomeone 2 years, 1 month ago\nSelected Answer: A\nA is right.\n"
        "upvoted 3 times\n"
    )
    assert only_question(read_text(text)).explanation == "Why B: it is cheaper."


# --- numbers, lines, decks ------------------------------------------------------------------


def test_numbers_repeat_across_topics_without_a_duplicate_note() -> None:
    one = "Question #{n} Topic {t}\nWhich?\nA. a\nB. b\nCorrect Answer: A\n"
    result = read_text(one.format(n=1, t=1) + one.format(n=1, t=2) + one.format(n=1, t=1))
    assert len(result.cards) == 3
    assert codes(result) == [(11, "duplicate-question-number")]


def test_topic_section_header_between_questions_is_noise() -> None:
    text = (
        "QUESTION 5\nWhich?\nA. a\nB. b\nAnswer: A\nA is right.\n\nTopic 2 - Exam B\n\n"
        "QUESTION 5\nWhich?\nA. a\nB. b\nAnswer: B\n"
    )
    result = read_text(text)
    first, second = result.cards
    assert isinstance(first.content, MultipleChoice)
    assert first.content.explanation == "A is right."
    assert second.source.line == 10
    assert codes(result) == [(10, "duplicate-question-number")]


def test_lines_count_from_the_file_start_including_frontmatter() -> None:
    text = (
        "---\ncards-deck: Exams::MLS\ntags: [mls]\n---\nNotes first.\n\n"
        "Question 1\nWhich?\nA. a\nB. b\nAnswer: A\n"
    )
    result = TEXT.read(source(text, "dump.md"), ReadContext("Default Deck"))
    (card,) = result.cards
    assert (card.source.line, card.deck, card.tags) == (7, "Exams::MLS", ("mls",))
    txt = TEXT.read(source(text, "dump.txt"), ReadContext("Default Deck"))
    assert [(c.source.line, c.deck, c.tags) for c in txt.cards] == [(7, "Default Deck", ())]


def test_unanswered_and_bad_questions_are_diagnosed_with_their_line() -> None:
    text = (
        "Question 1\nWhich?\nA. a\nB. b\n"
        "Question 2\nWhich?\nA. a\nB. b\nAnswer: E\n"
        "Question 3\nTBD\nA.\nB.\nAnswer: A\n"
        "Question 4\nWhich?\nA. a\nB.\nAnswer: A\n"
        "Question 5\nHOTSPOT -\nHot Area:\nAnswer:\n"
        "Question 6\nWhich?\nA. Amazon EMR\nB. Amazon Athena\nAnswer: a relational database\n"
    )
    result = read_text(text)
    assert result.cards == ()
    assert codes(result) == [
        (1, "no-answer"),
        (5, "unknown-answer-letter"),
        (10, "placeholder-question"),
        (15, "empty-choice"),
        (20, "too-few-choices"),
        (24, "no-answer"),
    ]


# --- robustness -----------------------------------------------------------------------------

TOKENS = [
    "Question #1 Topic 1",
    "QUESTION 2",
    "## Exam X topic 1 question 3 discussion",
    "## Question 4",
    "Actual exam question from",
    "Question #: 5",
    "Topic #: 2",
    "[All X Questions]",
    "A.",
    "A. a",
    "B) b",
    "(C) c",
    "**D:** d",
    "- E. e Most Voted",
    "Correct Answer:",
    "Correct Answer: BD",
    "Answer: Z",
    "**Answer: Correct: **",
    "Suggested Answer: A 🗳️",
    "Community vote distribution",
    "A (50%) B (50%)",
    "Other",
    "Explanation:",
    "```",
    "$$",
    "---",
    "----------------------------------------",
    "Comments:",
    "Highly Voted",
    "Reveal Solution",
    "AWSÂ data store ג€processedג€ К-means",
    "",
    "   ",
    "\t",
    "(Choose two.)",
    "<details>",
]


def test_readers_never_raise_on_scrambled_dumps() -> None:
    rng = random.Random(20240501)
    for _ in range(300):
        text = "\n".join(rng.choice(TOKENS) for _ in range(rng.randint(0, 40)))
        for name in ("x.txt", "x.md"):
            for reader in (TEXT, MARKDOWN):
                reader.claim(source(text, name))
                reader.read(source(text, name), ReadContext("D"))


@pytest.mark.parametrize("path", fixtures(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_readers_never_raise_on_a_truncated_fixture(path: Path) -> None:
    lines = fixture_source(path).text.split("\n")
    for end in range(len(lines) + 1):
        text = "\n".join(lines[:end])
        for reader in (TEXT, MARKDOWN):
            reader.claim(source(text, path.name))
            reader.read(source(text, path.name), ReadContext("D"))
