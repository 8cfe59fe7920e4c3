"""A deck nothing changed in keeps its package without it being made again: the last build
recorded what the file's bytes depend on, and the file is as that build left it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from builder.pipeline import BuildConfig, BuildResult, build
from builder.release import DeckRelease
from builder.writers import apkg

DECKS = {
    "streams.md": ("Streams", "## What is a shard? #card\nA unit of stream capacity.\n"),
    "models.md": ("Models", "## What does dropout fight? #card\nOverfitting.\n"),
}


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    folder = tmp_path / "notes"
    folder.mkdir()
    for name, (deck, text) in DECKS.items():
        (folder / name).write_text(f"---\ncards-deck: {deck}\n---\n{text}")
    return folder


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The decks whose collection a build makes, in order."""
    decks: list[str] = []
    real = apkg.collection_bytes

    def counting(release: DeckRelease) -> bytes:
        decks.append(release.deck)
        return real(release)

    monkeypatch.setattr(apkg, "collection_bytes", counting)
    return decks


def run(notes: Path, out: Path, when: int, **options: object) -> BuildResult:
    config = {"lock": notes / "deck.lock", "build_time": when, "jobs": 1, **options}
    return build(BuildConfig((notes,), (), out, **config))  # type: ignore[arg-type]


def edit_models(notes: Path, question: str = "What does L2 shrink?") -> None:
    path = notes / "models.md"
    path.write_text(path.read_text() + f"\n## {question} #card\nThe weights.\n")


def test_only_the_changed_decks_package_is_made_again(
    notes: Path, tmp_path: Path, made: list[str]
) -> None:
    out = tmp_path / "out"
    first = run(notes, out, 100)
    assert made == ["Models", "Streams"]
    streams = out / "streams-1.0.0.apkg"
    before = streams.read_bytes(), streams.stat().st_mtime_ns
    edit_models(notes)
    made.clear()
    second = run(notes, out, 200)
    assert made == ["Models"] and not second.failed
    by_deck = {p.deck: p for p in second.packages}
    assert (by_deck["Streams"].path, by_deck["Streams"].written) == (streams, False)
    assert (by_deck["Models"].version, by_deck["Models"].written) == ("1.1.0", True)
    assert (streams.read_bytes(), streams.stat().st_mtime_ns) == before
    assert f"unchanged {streams} (1 notes: basic 1)" in second.summary
    # The kept package is the one a build without the record makes, byte for byte.
    again = tmp_path / "again"
    shutil.copytree(notes, tmp_path / "notes-again")
    made.clear()
    fresh = run(tmp_path / "notes-again", again, 200, cache=False)
    assert sorted(made) == ["Models", "Streams"]
    assert {p.path.name: p.path.read_bytes() for p in fresh.packages} == {
        p.path.name: p.path.read_bytes() for p in second.packages
    }
    assert len(first.packages) == 2


def test_a_package_file_touched_since_is_made_again_and_compared(
    notes: Path, tmp_path: Path, made: list[str]
) -> None:
    out = tmp_path / "out"
    run(notes, out, 100)
    streams = out / "streams-1.0.0.apkg"
    stat = streams.stat()
    os.utime(streams, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    edit_models(notes)
    made.clear()
    assert not run(notes, out, 200).failed
    assert made == ["Models", "Streams"]  # compared again: the same content, kept
    # Other bytes in its place: made again, and refused as another release.
    edit_models(notes, "What does L1 shrink?")
    streams.write_bytes(b"PK\x05\x06" + bytes(18))
    made.clear()
    refused = run(notes, out, 300)
    assert refused.failed and [d.code for d in refused.diagnostics] == ["release-exists"]
    assert made == ["Models", "Streams"]


def test_without_the_cache_or_with_other_code_every_package_is_made(
    notes: Path, tmp_path: Path, made: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    run(notes, out, 100)
    edit_models(notes)
    made.clear()
    run(notes, out, 200, cache=False)
    assert made == ["Models", "Streams"]
    made.clear()
    # The build without the cache recorded nothing; the first build's record of Streams
    # still holds (the file is as it left it), Models 1.1.0 has none.
    run(notes, out, 200)
    assert made == ["Models"]
    monkeypatch.setattr(apkg, "BUILDER_CODE", "another builder")
    edit_models(notes, "What does L1 shrink?")
    made.clear()
    run(notes, out, 300)
    assert made == ["Models", "Streams"]
