"""Tag stage: domain from the source's structure or its services; services by alias."""

from __future__ import annotations

from builder.model import QA, Card, Choice, MultipleChoice, RenderedCard, SourceRef
from builder.transforms.tag import Tagger, Taxonomy

TAGGER = Tagger(Taxonomy.load())


def tagged(
    content: QA | MultipleChoice, context: tuple[str, ...] = (), deck: str = "D", path: str = "n.md"
) -> tuple[str, list[str]]:
    card = Card(content, deck, SourceRef(path, 1), context)
    result = TAGGER.tag(RenderedCard(card, (), ""))
    return result.domain, [t for t in result.tags if t.startswith("service::")]


def test_longest_alias_wins() -> None:
    _, services = tagged(QA("What does Amazon Kinesis Data Firehose do?", "Delivers to S3."))
    assert services == ["service::kinesis::data-firehose", "service::s3"]


def test_abbreviations_respect_case_and_word_boundaries() -> None:
    assert tagged(QA("SG training jobs", "x"))[1] == ["service::sagemaker"]
    assert tagged(QA("SGD with momentum", "sg is not it"))[1] == []
    assert tagged(QA("EMRFS consistency", "x"))[1] == ["service::emr"]  # EMR's file system


def test_domain_from_heading_deck_or_path_before_services() -> None:
    assert tagged(QA("Athena", "x"), context=("Domain 2: Exploratory Data Analysis",))[0] == (
        "exploratory-data-analysis"
    )
    assert tagged(QA("Athena", "x"), deck="Exam::Modeling")[0] == "modeling"
    assert tagged(QA("q", "x"), path="4-ml-implementation-and-operations/a.md")[0] == (
        "ml-implementation-and-operations"
    )
    assert tagged(QA("Kinesis Data Streams shards", "x"))[0] == "data-engineering"
    assert tagged(QA("What is a cat?", "An animal."))[0] == "unclassified"


def test_wrong_choices_do_not_tag_the_card() -> None:
    question = MultipleChoice(
        "Which finds anomalies?", (Choice("XGBoost", False), Choice("Random Cut Forest", True))
    )
    assert tagged(question)[1] == ["service::sagemaker::random-cut-forest"]


def test_an_explanation_of_why_a_choice_is_wrong_does_not_tag_its_service() -> None:
    question = MultipleChoice(
        "Which service delivers streaming records to S3 with no code?",
        (Choice("Kinesis Data Streams", False), Choice("Amazon Kinesis Data Firehose", True)),
        "Firehose writes to S3 by itself; Kinesis Data Streams would need a consumer.",
    )
    assert tagged(question)[1] == ["service::kinesis::data-firehose", "service::s3"]


def test_a_service_in_the_stem_and_a_wrong_choice_still_tags() -> None:
    question = MultipleChoice(
        "A team already uses AWS Glue. How should it find duplicate customer records?",
        (Choice("Write an AWS Glue job with custom Python", False), Choice("FindMatches", True)),
    )
    assert tagged(question)[1] == ["service::glue", "service::glue::findmatches"]


def test_aliases_as_people_write_them() -> None:
    for text, service in [
        ("IoT GreenGrass runs the model offline", "service::iot-greengrass"),
        ("KDS shards", "service::kinesis::data-streams"),
        ("KDF buffers", "service::kinesis::data-firehose"),
        ("SG endpoints", "service::sagemaker"),
        ("SageMaker Debugger rules", "service::sagemaker::debugger"),
    ]:
        assert service in tagged(QA(text, "x"))[1], text


def test_domain_inferred_from_terms_when_no_service_is_named() -> None:
    assert tagged(QA("How is the F1 score computed?", "Harmonic mean of precision and recall"))[
        0
    ] == ("modeling")
    assert tagged(QA("Median imputation", "Fills missing values with the median"))[0] == (
        "exploratory-data-analysis"
    )
    assert tagged(QA("Why store data as Parquet?", "Columnar, so queries read less"))[0] == (
        "data-engineering"
    )
    assert tagged(QA("What is a canary deployment?", "Send a little traffic first"))[0] == (
        "ml-implementation-and-operations"
    )
