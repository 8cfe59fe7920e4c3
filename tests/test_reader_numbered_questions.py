"""Numbered question dumps (FORMATS.md 3d, 3e) become multiple-choice cards; bad ones are reported.

Each fixture under `fixtures/dumps/numbered/` and `fixtures/dumps/details/` sits beside
`<name>.expected.json`; tests/test_golden_readers.py checks those golden files and `make golden`
rewrites them.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.diagnostics import Severity
from builder.model import Card, MultipleChoice
from builder.readers import ReadContext, ReadResult
from builder.readers.checkbox_questions import CheckboxQuestionReader
from builder.readers.numbered_questions import NumberedQuestionReader
from builder.readers.obsidian import ObsidianReader
from builder.readers.study_notes import StudyNotesReader
from tests.golden import FIXTURES, fixture_source
from tests.helpers import source

READER = NumberedQuestionReader()
FOLDERS = ("dumps/numbered", "dumps/details")


def fixture_paths() -> list[Path]:
    return sorted(
        path
        for folder in FOLDERS
        for path in (FIXTURES / folder).iterdir()
        if path.suffix in (".md", ".txt")
    )


def read(text: str, name: str = "dump.md") -> ReadResult:
    return READER.read(source(text, name), ReadContext("D"))


def only_question(text: str) -> MultipleChoice:
    result = read(text)
    assert result.diagnostics == ()
    (card,) = result.cards
    assert isinstance(card.content, MultipleChoice)
    return card.content


def codes(result: ReadResult) -> list[tuple[int, str]]:
    return [(d.line, d.code) for d in result.diagnostics]


# --- fixtures ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", fixture_paths(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_is_claimed_over_study_notes(path: Path) -> None:
    fixture = fixture_source(path)
    assert READER.claim(fixture) > StudyNotesReader().claim(fixture)
    assert READER.claim(fixture) % 5 == 0


@pytest.mark.parametrize("path", fixture_paths(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_site_noise_reaches_a_card(path: Path) -> None:
    result = READER.read(fixture_source(path), ReadContext("Default"))
    for card in result.cards:
        assert isinstance(card.content, MultipleChoice)
        fields = [card.content.question, card.content.explanation, *card.context]
        fields += [choice.text for choice in card.content.choices]
        text = "\n".join(fields)
        for noise in ("Timestamp", "View on", "upvoted", "----", "Reveal Solution", "Topic 1"):
            assert noise not in text
        assert "<details" not in text and "<summary" not in text
        assert "Community vote distribution" not in text


# --- bold marks --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "right",
    ["- **B. Amazon Athena**", "- B. **Amazon Athena**", "- **B.** **Amazon Athena**"],
)
def test_whole_bold_option_is_the_answer(right: str) -> None:
    text = f"1. Which service runs SQL on S3?\n- A. Amazon EMR\n{right}\n- C. Amazon RDS\n"
    question = only_question(text)
    assert question.answer_letters == ("B",)
    assert [c.text for c in question.choices] == ["Amazon EMR", "Amazon Athena", "Amazon RDS"]


def test_bold_numbered_and_plain_bullet_options() -> None:
    numbered = "### 1. Which metric?\n1. Accuracy\n2. **Recall**\n3. RMSE\n"
    assert only_question(numbered).answer_letters == ("B",)
    bullets = "### 2. Which service?\n- Polly\n- **Transcribe**.\n- Lex\n"
    question = only_question(bullets)
    assert question.answer_letters == ("B",)
    assert question.choices[1].text == "Transcribe"


def test_bold_letter_alone_is_not_a_mark() -> None:
    text = "1. Which one?\n- A. Firehose\n- **B.** Data Streams\n- C. SQS\n"
    result = read(text)
    assert result.cards == ()
    assert codes(result) == [(1, "no-answer")]
    answered = only_question(text + "\nAnswer: A\n")
    assert answered.answer_letters == ("A",)
    assert answered.choices[1].text == "Data Streams"


def test_bold_inside_option_text_is_not_a_mark() -> None:
    text = "1. Which one?\n- A. Use **Kinesis** Data Streams\n- B. Use SQS\n\nAnswer: B\n"
    question = only_question(text)
    assert question.answer_letters == ("B",)
    assert question.choices[0].text == "Use **Kinesis** Data Streams"


def test_every_option_bold_is_styling_not_an_answer() -> None:
    text = "1. Which one?\n- **A. Firehose**\n- **B. Data Streams**\n"
    assert codes(read(text)) == [(1, "no-answer")]


def test_bold_and_answer_line_that_disagree_are_not_guessed() -> None:
    text = "1. Which format is columnar?\n- A. CSV\n- **B. Parquet**\n\nAnswer: A\n"
    result = read(text)
    assert result.cards == ()
    (problem,) = result.diagnostics
    assert (problem.line, problem.code, problem.severity) == (
        1,
        "conflicting-answers",
        Severity.WARNING,
    )


def test_bold_and_answer_line_that_agree() -> None:
    text = "1. Which format is columnar?\n- A. CSV\n- **B. Parquet**\n\nCorrect answer: B\n"
    assert only_question(text).answer_letters == ("B",)


# --- answer lines ------------------------------------------------------------------------------


def test_text_answer_is_matched_and_the_rest_explains() -> None:
    text = (
        "Q1. A network overfits. What helps?\na) Add layers\nb) Add dropout layers\n"
        "c) Train longer\n\nAnswer: Use dropout layers. Dropout drops units at random.\n"
    )
    question = only_question(text)
    assert question.answer_letters == ("B",)
    assert question.explanation == "Dropout drops units at random."


def test_text_answer_with_an_aside_or_a_reason() -> None:
    choices = "- A. Amazon Polly\n- B. Amazon Transcribe\n- C. Amazon Lex\n"
    aside = f"1. Speech to text?\n{choices}\nAnswer: Amazon Transcribe (Polly speaks)\n"
    assert only_question(aside).explanation == "Polly speaks"
    reason = f"1. Speech to text?\n{choices}\nAnswer: Amazon Transcribe, because it listens.\n"
    question = only_question(reason)
    assert question.answer_letters == ("B",)
    assert question.explanation == "Because it listens."


def test_text_answer_that_names_no_option_is_reported() -> None:
    text = "1. Which one?\n- A. DeepAR\n- B. BlazingText\n\nAnswer: Prophet\n"
    result = read(text)
    assert result.cards == ()
    (problem,) = result.diagnostics
    assert (problem.line, problem.code, problem.severity) == (
        1,
        "answer-not-matched",
        Severity.WARNING,
    )


@pytest.mark.parametrize(
    ("answer", "letters", "explanation"),
    [
        ("B", ("B",), ""),
        ("(B)", ("B",), ""),
        ("b", ("B",), ""),
        ("Option B", ("B",), ""),
        ("B. Amazon Athena", ("B",), ""),
        ("B. Amazon Athena. It is serverless.", ("B",), "It is serverless."),
        ("B - it is serverless", ("B",), "it is serverless"),
        ("A, C", ("A", "C"), ""),
        ("AC", ("A", "C"), ""),
    ],
)
def test_letter_answers(answer: str, letters: tuple[str, ...], explanation: str) -> None:
    text = (
        f"1. Which?\n- A. Amazon EMR\n- B. Amazon Athena\n- C. Amazon RDS\n\n**Answer:** {answer}\n"
    )
    question = only_question(text)
    assert question.answer_letters == letters
    assert question.explanation == explanation


def test_wrong_letter_is_reported_by_question_card() -> None:
    text = "1. Which?\n- A. EMR\n- B. Athena\n\nAnswer: D\n"
    assert codes(read(text)) == [(1, "unknown-answer-letter")]


def test_numbered_options_answered_by_number() -> None:
    text = "**1.** Which service?\n1. Canvas\n2. Neo\n3. Debugger\n\nAnswer: 2\n"
    assert only_question(text).answer_letters == ("B",)


def test_several_text_answers_for_choose_two() -> None:
    text = (
        "1. Which run SQL on S3 in place? (Choose two.)\n- Amazon Athena\n- Amazon DynamoDB\n"
        "- Amazon Redshift Spectrum\n- Amazon Polly\n\n"
        "Answer: Amazon Athena; Amazon Redshift Spectrum\n"
    )
    assert only_question(text).answer_letters == ("A", "C")


def test_answer_heading_and_explanation_heading() -> None:
    text = (
        "### 1. Which?\n- A. EMR\n- B. Athena\n\n#### Answer\nB\n\n#### Explanation\n"
        "Athena is serverless.\n"
    )
    question = only_question(text)
    assert question.answer_letters == ("B",)
    assert question.explanation == "Athena is serverless."


def test_unlabeled_text_after_options_is_the_explanation() -> None:
    text = "1. Which?\n    - A. EMR\n    - **B. Athena**\n\n    Athena reads S3 in place.\n"
    assert only_question(text).explanation == "Athena reads S3 in place."


def test_out_of_order_letters_are_sorted_and_lowercase_letters_kept() -> None:
    text = "1. Which?\nc) three\na) one\nb) two\n\nAnswer: c\n"
    question = only_question(text)
    assert [c.text for c in question.choices] == ["one", "two", "three"]
    assert question.answer_letters == ("C",)


# --- <details> answers -------------------------------------------------------------------------


OPTIONS = "    - A. Amazon EMR\n    - B. Amazon Athena\n    - C. Amazon RDS\n    - D. AWS Glue\n"


@pytest.mark.parametrize(
    "details",
    [
        "<details><summary>Answer</summary> Correct Answer: BD Explanation: Both are serverless."
        " </details>",
        '<details markdown="1">\n<summary>Answer</summary>\n\nCorrect Answer: BD\n\n'
        "Explanation: Both are serverless.\n\n</details>",
        "    <details markdown=1><summary markdown='span'>Answer</summary>\n"
        "      Correct answer: B, D\n      <br>Explanation: Both are serverless.\n    </details>",
        "<details><summary>Answer</summary>\n\nAnswer:\n\nB, D\n\nBoth are serverless.\n</details>",
        "<details><summary>Answer</summary>\nBD\n\nExplanation: Both are serverless.\n</details>",
    ],
)
def test_details_variants(details: str) -> None:
    text = f"1. Which two are serverless? (Choose two.)\n{OPTIONS}\n{details}\n"
    question = only_question(text)
    assert question.answer_letters == ("B", "D")
    assert question.explanation == "Both are serverless."


def test_details_with_a_text_answer() -> None:
    text = (
        f"1. Which runs SQL on S3?\n{OPTIONS}\n<details><summary>Show answer</summary>\n"
        "Amazon Athena. It reads S3 in place.\n</details>\n"
    )
    question = only_question(text)
    assert question.answer_letters == ("B",)
    assert question.explanation == "It reads S3 in place."


def test_numbers_inside_details_do_not_start_questions() -> None:
    text = (
        f"1. Which runs SQL on S3?\n{OPTIONS}\n<details><summary>Answer</summary>\n"
        "Correct answer: B\n\n1. It is serverless.\n2. It reads S3 in place.\n</details>\n"
    )
    question = only_question(text)
    assert question.explanation == "1. It is serverless.\n2. It reads S3 in place."


def test_explanation_only_details_is_not_an_answer() -> None:
    text = (
        f"1. Which runs SQL on S3?\n{OPTIONS}\n<details><summary>Explanation</summary>\n"
        "Athena is serverless.\n</details>\n"
    )
    assert codes(read(text)) == [(1, "no-answer")]


def test_unclosed_details_does_not_swallow_the_file() -> None:
    text = (
        f"1. First?\n{OPTIONS}\n<details><summary>Answer</summary>\nCorrect answer: B\n\n"
        f"2. Second?\n{OPTIONS}\nAnswer: C\n"
    )
    result = read(text)
    assert [card.source.line for card in result.cards] == [1, 10]


# --- structure ---------------------------------------------------------------------------------


def test_numbered_heading_over_numbered_questions_is_a_section() -> None:
    text = (
        "# Exam\n## 1. Data Engineering\n1. Which runs SQL on S3?\n"
        f"{OPTIONS}\n   Answer: B\n## 2. Modeling\n### 1. Which metric?\n"
        "- A. Accuracy\n- **B. Recall**\n"
    )
    result = read(text)
    assert [(c.source.line, c.context) for c in result.cards] == [
        (3, ("Exam", "1. Data Engineering")),
        (11, ("Exam", "2. Modeling")),
    ]
    assert codes(result) == [(11, "duplicate-question-number")]


def test_code_block_in_stem_is_not_options() -> None:
    text = (
        "1. What does this policy allow?\n\n```text\nA. s3:GetObject\nB. s3:PutObject\n```\n\n"
        "- A. Reading objects\n- B. Deleting buckets\n\nAnswer: A\n"
    )
    question = only_question(text)
    assert "```text\nA. s3:GetObject" in question.question
    assert [c.text for c in question.choices] == ["Reading objects", "Deleting buckets"]


def test_multi_line_stem_and_option_continuation() -> None:
    text = (
        "1. A team streams events.\n   It needs SQL on them. Which service?\n"
        "    - A. Amazon Managed Service for Apache Flink,\n      with SQL applications\n"
        "    - B. Amazon Polly\n\n    Answer: A\n"
    )
    question = only_question(text)
    assert question.question == "A team streams events.\nIt needs SQL on them. Which service?"
    assert (
        question.choices[0].text
        == "Amazon Managed Service for Apache Flink,\nwith SQL applications"
    )


def test_community_votes_are_kept_as_a_line() -> None:
    text = (
        "1. Which?\n- A. EMR\n- B. Athena\n\nAnswer: B\n\nCommunity vote distribution\n"
        "B (80%) A (20%)\n"
    )
    assert only_question(text).explanation == "Community votes: B 80%, A 20%"


def test_deck_and_tags_from_frontmatter_and_line_numbers() -> None:
    text = "---\ncards-deck: ML::Dumps\ntags: [x]\n---\n\n1. Which?\n- A. EMR\n- **B. Athena**\n"
    (card,) = read(text).cards
    assert (card.deck, card.tags, card.source.line) == ("ML::Dumps", ("x",), 6)


def test_text_file_uses_the_default_deck() -> None:
    text = "Q1. Which?\nA. EMR\nB. Athena\nAnswer: B"
    result = read(text, "dump.txt")
    (card,) = result.cards
    assert card.deck == "D"


def test_placeholder_question_is_reported() -> None:
    text = "1. TBD\n- A. ...\n- B. ...\n"
    assert codes(read(text)) == [(1, "placeholder-question")]


# --- claim -------------------------------------------------------------------------------------


def claim(text: str, name: str = "note.md") -> int:
    return READER.claim(source(text, name))


def test_claims_five_per_question() -> None:
    text = "1. Which?\n- A. EMR\n- **B. Athena**\n\n2. Which?\n- A. EMR\n- B. Athena\n\nAnswer: A\n"
    assert claim(text) == 10
    assert claim(text, "dump.txt") == 10


def test_does_not_claim_numbered_study_notes() -> None:
    facts = (
        "# Kinesis\n1. A shard takes 1 MB/s in.\n2. Retention is 24 hours by default.\n"
        "3. Firehose buffers by size or time.\n"
    )
    assert claim(facts) == 0
    nested = (
        "### 1. Storage\n- **S3**: objects\n- EFS: files\n\n### 2. Streams\n"
        "1. Kinesis Data Streams\n   - shards\n   - retention\n2. Firehose\n   - buffers\n"
        "   - **delivers to S3**\n"
    )
    assert claim(nested) == 0
    steps = (
        "## Steps\n1. Read the question.\n   a. Find the key words.\n   b. Drop wrong options.\n"
    )
    assert claim(steps) == 0


def test_does_not_claim_checkbox_dumps() -> None:
    text = "### 1. Which?\n- [ ] EMR\n- [x] Athena\n\nExplanation: serverless.\n"
    assert claim(text) == 0
    assert CheckboxQuestionReader().claim(source(text)) > 0


def test_does_not_claim_obsidian_cards() -> None:
    text = "### 1. Which runs SQL on S3?\n- A. EMR\n- **B. Athena**\n#card\nAthena.\n"
    assert claim(text) == 0
    assert ObsidianReader().claim(source(text)) > 0


def test_does_not_claim_exam_site_headers_or_other_file_kinds() -> None:
    exam_text = "QUESTION 7\nWhich?\nA. EMR\nB. Athena\nCorrect Answer: B\n"
    assert claim(exam_text, "dump.txt") == 0
    dump = "1. Which?\n- A. EMR\n- **B. Athena**\n"
    assert claim(dump, "dump.json") == 0
    assert claim(dump, "page.html") == 0


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n\n",
        "1.",
        "1.\n- A.\n- B.\nAnswer:",
        "**1.**",
        "### 1.\n<details>",
        "1. x\n<details><summary>Answer</summary>\n</details></details></details>",
        "1. x\n- A. (\n- B. )\nAnswer: ((((",
        "1. x\n- A. a\n- B. b\nAnswer: " + "A" * 5000,
        "1. x\n- A. AWSÂ data store\n- B. ג€processedג€\nAnswer: К-means",
        "---\n: [\n---\n1. x\n- A. a\n- B. b\nAnswer: A",
        "1. x\n    - A. a\n\t- B. b\n \t- C. c\nAnswer: C" + "\n" + "-" * 3000 + "x",
        "Q99999. x\n" + "- A. a\n" * 30 + "Answer: Z",
    ],
)
def test_never_raises(text: str) -> None:
    for name in ("junk.md", "junk.txt"):
        READER.claim(source(text, name))
        result = READER.read(source(text, name), ReadContext("D"))
        assert all(isinstance(card, Card) for card in result.cards)
