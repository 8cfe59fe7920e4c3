"""A deterministic generator of realistic note trees of any size, for `make bench`.

Every input kind the builder reads, in realistic file sizes (about 50 cards a file), with
images, and with overlap: about 3% of the questions reappear reworded in another dump, as
they do when learners collect dumps from several sites. The same seed and size always give
the same bytes.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path

SERVICES = [
    "Amazon S3", "Kinesis Data Streams", "Kinesis Data Firehose", "AWS Glue", "Amazon EMR",
    "Amazon Athena", "Amazon Redshift", "SageMaker", "SageMaker Debugger", "Model Monitor",
    "Data Wrangler", "Ground Truth", "Amazon Comprehend", "Amazon Rekognition", "CloudWatch",
    "AWS Lambda", "Step Functions", "Feature Store", "XGBoost", "DeepAR", "BlazingText",
    "Random Cut Forest", "Amazon QuickSight", "AWS KMS", "Amazon Personalize", "Amazon Forecast",
]  # fmt: skip
TOPICS = [
    "partitioning", "imputation", "one-hot encoding", "regularization", "early stopping",
    "class imbalance", "feature scaling", "cross-validation", "endpoint autoscaling",
    "data drift", "shard capacity", "columnar storage", "batch inference", "tokenization",
    "hyperparameter tuning", "confusion matrix", "learning rate", "dropout", "encryption at rest",
    "canary deployment", "schema inference", "late-arriving records", "outlier removal",
]  # fmt: skip
WORDS = [
    "records",
    "batch",
    "stream",
    "latency",
    "throughput",
    "schema",
    "partition",
    "feature",
    "label",
    "model",
    "metric",
    "training",
    "inference",
    "endpoint",
    "bucket",
    "table",
    "column",
    "row",
    "query",
    "cluster",
    "instance",
    "job",
    "pipeline",
    "cost",
    "budget",
    "accuracy",
    "recall",
    "precision",
    "window",
    "buffer",
    "region",
    "account",
    "role",
    "policy",
    "key",
    "dataset",
    "sample",
    "noise",
    "bias",
    "variance",
    "gradient",
    "epoch",
    "layer",
    "tensor",
    "vector",
    "cache",
    "replica",
    "retention",
    "shard",
    "consumer",
    "producer",
    "checkpoint",
    "artifact",
    "container",
    "image",
    "registry",
    "alarm",
    "dashboard",
    "trend",
    "seasonality",
    "forecast",
    "anomaly",
    "threshold",
    "score",
    "rank",
    "embedding",
    "token",
    "vocab",
]
DECKS = ["Data Engineering", "Exploratory Data Analysis", "Modeling", "ML Operations"]
CARDS_PER_FILE = 50


class Writer:
    """Random but reproducible text, and a running count of cards."""

    def __init__(self, seed: int) -> None:
        self.random = random.Random(seed)
        self.serial = 0
        self.questions: list[tuple[str, list[str], int, str]] = []
        """Questions written so far, some of which reappear reworded in other dumps."""

    def words(self, low: int, high: int) -> str:
        return " ".join(self.random.choice(WORDS) for _ in range(self.random.randint(low, high)))

    def fact(self) -> str:
        self.serial += 1
        service, topic = self.random.choice(SERVICES), self.random.choice(TOPICS)
        return f"{service} {topic} {self.words(4, 10)} (case {self.serial})"

    def question(self) -> tuple[str, list[str], int, str]:
        if self.questions and self.random.random() < 0.03:
            stem, choices, right, why = self.random.choice(self.questions)
            return stem.replace(",", "").lower(), choices, right, ""  # a reworded copy
        stem = f"A team works with {self.fact()}. Which approach meets the requirement?"
        choices = [f"Use {self.random.choice(SERVICES)} with {self.words(3, 7)}" for _ in range(4)]
        right = self.random.randrange(4)
        why = f"Because {self.words(8, 20)}."
        found = (stem, choices, right, why)
        self.questions.append(found)
        return found


def study_notes(w: Writer, n: int) -> str:
    lines = [f"# {w.random.choice(DECKS)}", ""]
    for i in range(n):
        if i % 10 == 0:
            lines += [f"## {w.random.choice(TOPICS).title()} {w.serial}", ""]
        if i % 5 == 4:
            lines += [f"### {w.fact()}", "", f"{w.words(10, 30)}.", ""]
        else:
            lines.append(f"- **{w.fact()}**: {w.words(6, 18)}")
        if i % 25 == 0:
            lines += ["", f"![diagram](diagram-{w.random.randrange(20)}.png)", ""]
    return "\n".join(lines) + "\n"


def obsidian(w: Writer, n: int) -> str:
    lines = ["---", f"cards-deck: Synthetic::{w.random.choice(DECKS)}", "---", ""]
    for i in range(n):
        kind = i % 4
        if kind == 0:
            lines += [f"## What about {w.fact()}? #card", f"{w.words(8, 25)}.", ""]
        elif kind == 1:
            lines += [f"{w.fact()}::{w.words(5, 12)}", ""]
        elif kind == 2:
            lines += [f"The ==answer {w.serial}== is {w.fact()} because {w.words(5, 10)}.", ""]
        else:
            lines += [f"{w.fact()}:::{w.words(3, 8)}", ""]
    return "\n".join(lines) + "\n"


def checkbox(w: Writer, n: int) -> str:
    lines = [f"# Practice {w.serial}", ""]
    for _ in range(n):
        stem, choices, right, why = w.question()
        lines.append(f"### {stem}")
        lines += [f"- [{'x' if k == right else ' '}] {c}" for k, c in enumerate(choices)]
        lines += ["", f"Explanation: {why}" if why else "", ""]
    return "\n".join(lines) + "\n"


def numbered(w: Writer, n: int) -> str:
    lines = [f"# Set {w.serial}", ""]
    for number in range(1, n + 1):
        stem, choices, right, _ = w.question()
        lines += [f"{number}. {stem}"]
        lines += [f"   {'ABCD'[k]}. {c}" for k, c in enumerate(choices)]
        lines += ["", f"Answer: {'ABCD'[right]}", ""]
    return "\n".join(lines) + "\n"


def text_export(w: Writer, n: int) -> str:
    lines = []
    for number in range(1, n + 1):
        stem, choices, right, why = w.question()
        lines += [f"Question #{number} Topic 1", "", stem, ""]
        lines += [f"    {'ABCD'[k]}. {c}" for k, c in enumerate(choices)]
        lines += ["", f"Correct Answer: {'ABCD'[right]}", why, ""]
    return "\n".join(lines) + "\n"


def json_bank(w: Writer, n: int) -> str:
    items = []
    for number in range(1, n + 1):
        stem, choices, right, why = w.question()
        items.append(
            {
                "number": number,
                "question": stem,
                "choices": {"ABCD"[k]: c for k, c in enumerate(choices)},
                "answer": "ABCD"[right],
                "explanation": why,
            }
        )
    return json.dumps(items, indent=2) + "\n"


def html_page(w: Writer, n: int) -> str:
    blocks = []
    for number in range(1, n + 1):
        stem, choices, right, why = w.question()
        items = "".join(
            f'<li class="multi-choice-item"><span class="multi-choice-letter" '
            f'data-choice-letter="{"ABCD"[k]}">{"ABCD"[k]}.</span> {c}</li>'
            for k, c in enumerate(choices)
        )
        blocks.append(
            f'<div class="card exam-question-card"><div class="card-header">Question #{number}'
            f'</div><div class="card-body question-body"><p class="card-text">{stem}</p>'
            f'<div class="question-choices-container"><ul>{items}</ul></div>'
            f'<p class="card-text question-answer"><strong>Correct Answer:</strong> '
            f'<span class="correct-answer-box"><span class="correct-answer">{"ABCD"[right]}'
            f'</span></span> <span class="answer-description">{why}</span></p></div></div>'
        )
    return (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Practice exam</title></head>"
        "<body><h1>Practice exam</h1>\n" + "\n".join(blocks) + "\n</body></html>\n"
    )


KINDS: list[tuple[str, str, Callable[[Writer, int], str]]] = [
    ("notes", "md", study_notes),
    ("cards", "md", obsidian),
    ("checkbox", "md", checkbox),
    ("numbered", "md", numbered),
    ("export", "txt", text_export),
    ("bank", "json", json_bank),
    ("page", "html", html_page),
]

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8cfc0f01f0005000201a2dd2ca60000000049454e44ae426082"
)


def generate(root: Path, cards: int, seed: int = 1) -> int:
    """Write a tree of about `cards` cards under `root`; returns the number of files."""
    writer = Writer(seed)
    images = root / "images"
    images.mkdir(parents=True, exist_ok=True)
    for n in range(20):
        (images / f"diagram-{n}.png").write_bytes(PNG + n.to_bytes(2, "big"))
    files = max(1, round(cards / CARDS_PER_FILE))
    for index in range(files):
        name, suffix, make = KINDS[index % len(KINDS)]
        folder = root / DECKS[index % len(DECKS)].lower().replace(" ", "-") / f"part-{index // 50}"
        folder.mkdir(parents=True, exist_ok=True)
        text = make(writer, CARDS_PER_FILE)
        (folder / f"{name}-{index}.{suffix}").write_text(text, encoding="utf-8")
    return files
