"""A deck nothing changed in keeps its package without it being made again: the last build
recorded what the file's bytes depend on, and the file is as that build left it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from builder.outputs import same_bytes
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


def built_once(notes: Path, out: Path) -> Path:
    """Both decks built at time 100 into `out`; the Streams package's file."""
    run(notes, out, 100)
    return out / "streams-1.0.0.apkg"


def flip_a_byte(path: Path) -> None:
    """One byte of the file changed, its size kept."""
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


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
    assert [p.written for p in first.packages] == [True, True]


def test_a_package_file_touched_since_is_made_again_and_compared(
    notes: Path, tmp_path: Path, made: list[str]
) -> None:
    out = tmp_path / "out"
    streams = built_once(notes, out)
    stat = streams.stat()
    os.utime(streams, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    edit_models(notes)
    made.clear()
    assert not run(notes, out, 200).failed
    assert made == ["Models", "Streams"]  # compared again: the same content, kept
    # A byte changed, its size and modification time as recorded (but not its change time):
    # made again, and refused as another release.
    before = streams.stat()
    flip_a_byte(streams)
    os.utime(streams, ns=(before.st_atime_ns, before.st_mtime_ns))
    edit_models(notes, "What does L1 shrink?")
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


def test_a_package_that_changed_while_it_was_compared_is_not_trusted_next_time(
    notes: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found the same, then changed before the build ended: the next build with the same
    inputs is not given back as done, and compares the file again."""
    out = tmp_path / "out"
    streams = built_once(notes, out)
    stat = streams.stat()
    os.utime(streams, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))  # compared

    def changing(path: Path, data: bytes) -> bool:
        same = same_bytes(path, data)
        if path == streams:  # what a sync client might do at that moment
            flip_a_byte(path)
        return same

    monkeypatch.setattr("builder.writers.apkg.same_bytes", changing)
    edit_models(notes)
    second = run(notes, out, 200)
    assert {p.deck: (p.written, p.state) for p in second.packages}["Streams"] == (False, None)
    monkeypatch.undo()
    again = run(notes, out, 200)
    assert not again.reused
    assert again.failed and [d.code for d in again.diagnostics] == ["release-exists"]


def test_a_release_given_other_content_is_refused_though_its_file_is_as_recorded(
    notes: Path, tmp_path: Path, made: list[str]
) -> None:
    """The lock reverted (here deleted) and a note edited: Streams 1.0.0 would now hold
    other notes. Its file is the one the last build recorded, but for other content: made
    again, compared and refused."""
    out = tmp_path / "out"
    run(notes, out, 100)
    packages = {p.name: p.read_bytes() for p in out.glob("*.apkg")}
    (notes / "deck.lock").unlink()
    streams = notes / "streams.md"
    streams.write_text(streams.read_text().replace("stream capacity", "read and write capacity"))
    made.clear()
    refused = run(notes, out, 200)
    assert refused.failed and {d.code for d in refused.diagnostics} == {"release-exists"}
    assert "Streams" in made
    assert {p.name: p.read_bytes() for p in out.glob("*.apkg")} == packages
    assert not (notes / "deck.lock").exists()


def test_a_package_file_replaced_during_a_build_is_not_trusted_by_the_next(
    notes: Path, tmp_path: Path, made: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the build records of a kept or written file is its state when it was checked
    or written: a file put in its place while the build ran is compared by the next build."""
    out = tmp_path / "out"
    streams = built_once(notes, out)
    # Another release of Streams, other content: what a sync client might bring back.
    other = tmp_path / "other"
    shutil.copytree(notes, other)
    (other / "streams.md").write_text(
        (other / "streams.md").read_text().replace("stream capacity", "shard capacity")
    )
    (other / "deck.lock").unlink()
    run(other, tmp_path / "other-out", 100)
    replacement = (tmp_path / "other-out" / "streams-1.0.0.apkg").read_bytes()
    real = apkg.collection_bytes

    def replacing(release: DeckRelease) -> bytes:
        if release.deck == "Models":  # while Streams, kept, is not looked at again
            streams.write_bytes(replacement)
        return real(release)

    monkeypatch.setattr(apkg, "collection_bytes", replacing)
    edit_models(notes)
    assert not run(notes, out, 200).failed
    edit_models(notes, "What does L1 shrink?")
    refused = run(notes, out, 300)
    assert refused.failed and [d.code for d in refused.diagnostics] == ["release-exists"]
    assert refused.diagnostics[0].path == str(streams)


def test_two_decks_with_one_file_name_stop_the_build_before_anything_is_written(
    tmp_path: Path,
) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    for name, deck in (("a.md", "Cafe"), ("b.md", "Café")):
        (notes / name).write_text(f"---\ncards-deck: {deck}\n---\n## Q in {name}? #card\nA.\n")
    out = tmp_path / "out"
    result = run(notes, out, 100, checks={"deck-name-clash": "ignore"})
    assert result.failed
    (clash,) = result.diagnostics
    assert (clash.code, clash.path) == ("deck-name-clash", str(out / "cafe-1.0.0.apkg"))
    assert "'Cafe' and 'Café' are both packaged as cafe-<version>.apkg" in clash.message
    assert not list(out.glob("*.apkg")) and not (notes / "deck.lock").exists()


def test_an_image_that_cannot_be_read_when_packaged_is_an_error_not_a_crash(
    notes: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"

    def unreadable(*args: object) -> bytes:
        raise PermissionError(13, "Permission denied", str(notes / "diagram.png"))

    monkeypatch.setattr(apkg, "_zipped", unreadable)
    result = run(notes, out, 100)
    assert result.failed and not result.packages and not list(out.glob("*.apkg"))
    (problem,) = result.diagnostics
    assert (problem.code, problem.path) == ("package-failed", str(notes / "diagram.png"))
    assert problem.message == "cannot be read (Permission denied); no package is written"
    monkeypatch.undo()
    # The lock file was written beside the zipping: the next build makes the same release.
    again = run(notes, out, 200)
    assert not again.failed and sorted(p.version for p in again.packages) == ["1.0.0", "1.0.0"]
