"""Records come back from the build cache equal and of their own type; an entry of another
format or damaged on disk is never trusted."""

from __future__ import annotations

import copy
import gc
import pickle
from dataclasses import astuple, dataclass, fields
from pathlib import Path

import numpy as np

from builder.cache import HEADER, BuildCache
from builder.diagnostics import Diagnostic, Severity
from builder.files import CardFeatures, FileOutcome
from builder.model import (
    QA,
    Card,
    Choice,
    MediaFile,
    MultipleChoice,
    RenderedCard,
    SourceRef,
    TaggedCard,
)
from builder.record import Record
from builder.transforms.dedupe import pair_hashes
from builder.transforms.identity import Fingerprint


@dataclass(frozen=True, slots=True)
class One(Record):
    """A record of one field."""

    value: tuple[str, ...]


def outcome() -> FileOutcome:
    source = SourceRef("a/b.md", 3)
    question = MultipleChoice("Which one?", (Choice("this", True), Choice("that", False)))
    cards = tuple(
        TaggedCard(
            RenderedCard(
                Card(content, "Deck", source, ("Heading",), ("tag",), marker),
                ("<p>front</p>", "<p>back</p>"),
                "front back",
                (MediaFile(Path("/notes/images/x.png"), "x-1234.png"),),
            ),
            "modeling",
            ("domain::modeling",),
            (source,),
        )
        for content, marker in ((QA("front", "back", reversed=True), "^id"), (question, None))
    )
    sides = ("front words here", "back")
    features = tuple(
        CardFeatures(
            ("basic", "front back"),
            sides,
            Fingerprint("basic", "front", "back", "Heading", "a/b.md"),
            pair_hashes(sides).tobytes(),
            ("qa", "front words here"),
            "guid",
            "digest",
        )
        for _ in cards
    )
    problem = Diagnostic("a/b.md", 3, Severity.WARNING, "blank-side", "the back is blank")
    return FileOutcome(cards, (problem,), features, failed=True)


def test_records_round_trip_through_the_cache(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path)
    cache.put("file", "k" * 64, outcome())
    loaded = cache.get("file", "k" * 64)
    assert loaded == outcome()
    assert type(loaded.cards[0].card.content) is QA
    assert loaded.cards[0].card.content.reversed
    assert isinstance(loaded.cards[0].rendered.media[0].path, Path)
    assert loaded.diagnostics[0].severity is Severity.WARNING
    assert np.array_equal(loaded.features[0].pair_hashes, pair_hashes(("front words here", "back")))
    assert gc.isenabled()


def test_records_pickle_as_any_object(tmp_path: Path) -> None:
    one = outcome()
    assert pickle.loads(pickle.dumps(one)) == one
    assert pickle.loads(pickle.dumps(one, protocol=2)) == one


def test_entries_of_another_format_or_damaged_are_ignored(tmp_path: Path) -> None:
    cache = BuildCache(tmp_path)
    cache.put("file", "a" * 64, outcome())
    path = next((tmp_path / ".cache" / "file").rglob("*.pickle"))
    data = path.read_bytes()
    assert data.startswith(HEADER)
    path.write_bytes(data.replace(b"modeling", b"modelinh", 1))
    assert cache.get("file", "a" * 64) is None
    path.write_bytes(b"deckcache2" + data[len(b"deckcache4") :])
    assert cache.get("file", "a" * 64) is None
    path.write_bytes(data[: len(HEADER) + 2])
    assert cache.get("file", "a" * 64) is None
    path.write_bytes(data)
    assert cache.get("file", "a" * 64) == outcome()
    cache.prune("file", {"b" * 64})
    assert cache.get("file", "a" * 64) is None


def test_a_build_leaves_the_cycle_collector_as_it_found_it(tmp_path: Path) -> None:
    from builder.pipeline import BuildConfig, build

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("## What is a shard? #card\nA unit of capacity.\n")
    config = BuildConfig((notes,), (), tmp_path / "out", build_time=1_700_000_000)
    for _ in range(2):  # worked out, then from the cache
        (tmp_path / "out" / ".cache" / "build").mkdir(parents=True, exist_ok=True)
        for record in (tmp_path / "out" / ".cache" / "build").rglob("*.pickle"):
            record.unlink()  # the stages run each time
        assert not build(config).failed
        assert gc.isenabled() and gc.get_freeze_count() == 0


def test_a_record_reduces_to_its_class_and_field_values() -> None:
    """The cached getter gives what a walk over the dataclass fields gives, for records of one
    field too (an `attrgetter` of one name would give the bare value), and copies work."""
    one = One(("a", "b"))
    assert one.__reduce__() == (One, (("a", "b"),))
    assert pickle.loads(pickle.dumps(one)) == one
    assert copy.copy(one) == one and copy.deepcopy(one) == one
    for record in [outcome(), *outcome().cards, *outcome().features, outcome().diagnostics[0]]:
        cls, values = record.__reduce_ex__(5)
        assert cls is type(record)
        assert values == tuple(getattr(record, f.name) for f in fields(record))  # type: ignore[arg-type]
        assert pickle.loads(pickle.dumps(record, protocol=5)) == record
    assert astuple(one) == (("a", "b"),)
