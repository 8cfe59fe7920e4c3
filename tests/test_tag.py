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
    assert tagged(QA("EMRFS consistency", "x"))[1] == []


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
