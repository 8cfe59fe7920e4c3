"""Tagging measured against cards we labeled by hand (`tests/fixtures/labeled/LABELING.md`).

Every input kind is in the set; most cards state no domain, so the domain is inferred.
The figures are printed at the end of every test run and must stay at or above the bar.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from builder.discover import discover
from builder.model import QA, Card, Cloze
from builder.pipeline import read_sources
from builder.readers import READERS, ReadContext, choose_reader
from builder.transforms.render import FieldRenderer, render_cards
from builder.transforms.tag import Tagger, Taxonomy, tag_cards
from tests.conftest import FIXTURES

LABELED = FIXTURES / "labeled"
DOMAIN_ACCURACY, SERVICE_PRECISION, SERVICE_RECALL = 0.90, 0.90, 0.90
RESULTS: dict[str, str] = {}
"""Printed by `pytest_terminal_summary` in conftest."""


@dataclass(frozen=True, slots=True)
class Label:
    file: str
    match: str
    domain: str
    services: frozenset[str]


def labels() -> list[Label]:
    found = []
    for path in sorted((LABELED / "labels").glob("*.json")):
        for item in json.loads(path.read_text("utf-8")):
            found.append(
                Label(item["file"], item["match"], item["domain"], frozenset(item["services"]))
            )
    return found


def front(card: Card) -> str:
    match card.content:
        case QA():
            return card.content.front
        case Cloze():
            return card.content.text
        case _:
            return card.content.question


def most_specific(services: frozenset[str]) -> frozenset[str]:
    """A parent is implied by its child: `kinesis` goes when `kinesis::data-streams` is there."""
    return frozenset(s for s in services if not any(o.startswith(s + "::") for o in services))


@pytest.fixture(scope="module")
def predictions() -> dict[tuple[str, int, str], tuple[str, frozenset[str], str]]:
    """(file, line, front) → (domain, services, input kind) for every card of the set."""
    files, _ = discover((LABELED / "notes",))
    read, _ = read_sources(files, ReadContext("Labeled"))
    cards = [card for card, _ in read]
    rendered = render_cards(cards, FieldRenderer((LABELED / "notes",), ()), [Path()] * len(cards))
    tagged = tag_cards(rendered.cards, Tagger(Taxonomy.load()))
    return {
        (t.card.source.path, t.card.source.line, front(t.card)): (
            t.domain,
            frozenset(
                tag.removeprefix("service::") for tag in t.tags if tag.startswith("service::")
            ),
            t.card.source.path.split("/")[0],
        )
        for t in tagged
    }


def test_every_card_has_exactly_one_label_and_the_set_is_big_enough(
    predictions: dict[tuple[str, int, str], tuple[str, frozenset[str], str]],
) -> None:
    all_labels = labels()
    assert len(all_labels) >= 200
    claimed: dict[tuple[str, int, str], Label] = {}
    for label in all_labels:
        hits = [k for k in predictions if k[0] == label.file and label.match in k[2]]
        assert len(hits) == 1, f"{label.file}: {label.match!r} matches {len(hits)} cards"
        assert hits[0] not in claimed, f"two labels for {hits[0]}"
        claimed[hits[0]] = label
    assert set(claimed) == set(predictions), "cards without a label"


def test_the_set_covers_every_reader_and_every_study_notes_format() -> None:
    files, _ = discover((LABELED / "notes",))
    readers = {(choose_reader(f).name, f.path.suffix) for f in files}  # type: ignore[union-attr]
    assert {name for name, _ in readers} == set(READERS)
    assert {suffix for name, suffix in readers if name == "study-notes"} == {".md", ".txt", ".html"}


def test_domain_accuracy_and_service_precision_and_recall(
    predictions: dict[tuple[str, int, str], tuple[str, frozenset[str], str]],
) -> None:
    right_domains = true_pos = false_pos = false_neg = 0
    misses: list[str] = []
    for label in labels():
        ((key, (domain, services, _)),) = [
            (k, v) for k, v in predictions.items() if k[0] == label.file and label.match in k[2]
        ]
        where = f"{key[0]}:{key[1]}"
        right_domains += domain == label.domain
        if domain != label.domain:
            misses.append(f"{where}: domain {domain}, labeled {label.domain}")
        got, want = most_specific(services), most_specific(label.services)
        true_pos += len(got & want)
        false_pos += len(got - want)
        false_neg += len(want - got)
        if got != want:
            misses.append(
                f"{where}: services extra {sorted(got - want)} missing {sorted(want - got)}"
            )
    total = len(labels())
    accuracy = right_domains / total
    precision = true_pos / max(1, true_pos + false_pos)
    recall = true_pos / max(1, true_pos + false_neg)
    RESULTS["tagging (labeled set)"] = (
        f"{total} cards: domain accuracy {accuracy:.1%}, service precision {precision:.3f}, "
        f"recall {recall:.3f} ({true_pos} right, {false_pos} extra, {false_neg} missed)"
    )
    print(RESULTS["tagging (labeled set)"])
    print("\n".join(misses))
    assert accuracy >= DOMAIN_ACCURACY, "\n".join(misses)
    assert precision >= SERVICE_PRECISION, "\n".join(misses)
    assert recall >= SERVICE_RECALL, "\n".join(misses)
