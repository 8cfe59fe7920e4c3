"""Failures lose nothing: a reader or a card that fails is reported and the rest is built,
two builds at once do not mix their writes, and a build killed at any moment leaves the old
files or the new ones, never a part of one."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from builder import pipeline
from builder.diagnostics import BuildError
from builder.lock import Lock
from builder.model import Card
from builder.pipeline import BuildConfig, BuildResult, build
from builder.readers.obsidian import ObsidianReader
from builder.transforms.render import FieldRenderer
from tests.conftest import FIXTURES

VAULT = FIXTURES / "vault"
EPOCH = "1700000000"


def build_vault(notes: Path, out: Path, **options: object) -> BuildResult:
    settings: dict[str, object] = {"lock": notes / "deck.lock", "jobs": 1, **options}
    return build(BuildConfig((notes,), (), out, **settings))  # type: ignore[arg-type]


def packaged(result: BuildResult) -> dict[str, tuple[str, ...]]:
    """GUID → fields of every note the build packaged, retired ones marked."""
    return {
        n.guid: (*n.fields, "retired" if n.retired else "live")
        for p in result.packages
        for n in p.notes
    }


def test_a_reader_that_fails_keeps_that_files_cards_and_builds_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = tmp_path / "notes"
    shutil.copytree(VAULT, notes)
    first = build_vault(notes, tmp_path / "out", build_time=100)
    before = packaged(first)
    streaming = {g for g, f in before.items() if "streaming.md" in f[3]}
    assert len(streaming) == 7

    real_read = ObsidianReader.read

    def failing(self: ObsidianReader, source: object, context: object) -> object:
        if str(getattr(source, "display_path", "")).endswith("streaming.md"):
            raise RuntimeError("simulated reader bug")
        return real_read(self, source, context)  # type: ignore[arg-type]

    monkeypatch.setattr(ObsidianReader, "read", failing)
    (notes / "decks" / "notes.md").write_text(
        (notes / "decks" / "notes.md").read_text() + "\n- Huber loss: squared near zero.\n"
    )
    second = build_vault(notes, tmp_path / "out", build_time=200, cache=False)
    assert not second.failed
    (problem,) = [d for d in second.diagnostics if d.code == "reader-failed"]
    assert problem.path == "decks/streaming.md" and "simulated reader bug" in problem.message
    after = packaged(second)
    # The failed file's cards ship exactly as they were: not retired, not changed.
    assert {g: after[g] for g in streaming} == {g: before[g] for g in streaming}
    (release,) = second.releases
    assert (release.version, len(release.added), release.retired) == ("1.1.0", 1, ())
    lock = Lock.load(notes / "deck.lock")
    assert all(lock.cards[g].retired is None for g in streaming)


def test_one_card_that_cannot_be_built_leaves_its_neighbours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notes = tmp_path / "notes"
    shutil.copytree(VAULT, notes)
    real_render = FieldRenderer.render

    def failing(self: FieldRenderer, card: Card, note_dir: Path) -> object:
        if "RMSE" in card.content.front if hasattr(card.content, "front") else False:
            raise ValueError("simulated render bug")
        return real_render(self, card, note_dir)

    monkeypatch.setattr(FieldRenderer, "render", failing)
    result = build_vault(notes, tmp_path / "out", build_time=100)
    assert not result.failed
    (problem,) = [d for d in result.diagnostics if d.code == "card-failed"]
    assert (problem.path, problem.line) == ("decks/notes.md", 15)
    assert "simulated render bug" in problem.message
    sources = sorted(n.source for p in result.packages for n in p.notes if "notes.md" in n.source)
    assert len(sources) == 4 and "decks/notes.md:15" not in sources
    assert result.note_count == 13
    strict = build_vault(notes, tmp_path / "strict", build_time=100, strict=True, lock=None)
    assert strict.failed


def run_build(notes: Path, out: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "builder", "build", "--source", str(notes), "--out", str(out)],
        cwd=notes.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": EPOCH},
    )


def finished(process: subprocess.Popen[str]) -> int:
    """The exit code, once the process ended (its pipes read and closed)."""
    _, stderr = process.communicate(timeout=180)
    assert process.returncode == 0, stderr
    return process.returncode


def test_a_second_build_waits_for_the_first(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    shutil.copytree(VAULT, notes)
    holder = os.open(notes, os.O_RDONLY)
    fcntl.flock(holder, fcntl.LOCK_EX)  # as a build writing this lock file would
    try:
        waiting = run_build(notes, tmp_path / "out")
        time.sleep(3)
        assert waiting.poll() is None, "the build did not wait"
        assert not (notes / "deck.lock").exists() and not list(tmp_path.glob("out/*.apkg"))
    finally:
        os.close(holder)
    _, stderr = waiting.communicate(timeout=120)
    assert waiting.returncode == 0, stderr
    assert f"waiting for another build that is writing to {notes}" in stderr
    assert (notes / "deck.lock").is_file()


def test_a_build_into_a_new_output_folder_locks_that_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The folder is made, then locked: a second build started once it exists locks the same
    folder and waits, rather than run beside the first (which would have locked the parent)."""
    notes = tmp_path / "notes"
    shutil.copytree(VAULT, notes)
    out = tmp_path / "new" / "out"
    held: list[bool] = []
    real_build = pipeline._build

    def probing(config: BuildConfig) -> BuildResult:
        probe = os.open(out, os.O_RDONLY)  # the folder exists before any stage runs
        try:
            fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
            held.append(False)
        except BlockingIOError:
            held.append(True)
        finally:
            os.close(probe)
        return real_build(config)

    monkeypatch.setattr(pipeline, "_build", probing)
    result = build_vault(notes, out, build_time=100)
    assert held == [True] and not result.failed and result.packages


def test_an_output_folder_that_cannot_be_made_is_an_error_naming_it(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    shutil.copytree(VAULT, notes)
    (tmp_path / "taken").write_text("a file, not a folder")
    with pytest.raises(
        BuildError, match=r"the output folder .*taken/out cannot be made: .*/taken is a file"
    ):
        build_vault(notes, tmp_path / "taken" / "out")
    assert not (notes / "deck.lock").exists()


def test_two_builds_at_once_give_one_consistent_lock_file(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    shutil.copytree(FIXTURES / "dumps", notes)
    single = tmp_path / "single"
    shutil.copytree(notes, single)
    reference = run_build(single, tmp_path / "ref")
    assert finished(reference) == 0
    builds = [run_build(notes, tmp_path / f"out{n}") for n in range(3)]
    for process in builds:
        _, stderr = process.communicate(timeout=180)
        assert process.returncode == 0, stderr
    assert (notes / "deck.lock").read_bytes() == (single / "deck.lock").read_bytes()
    expected = sorted(p.name for p in (tmp_path / "ref").glob("*.apkg"))
    for n in range(3):
        assert sorted(p.name for p in (tmp_path / f"out{n}").glob("*.apkg")) == expected
    assert not list(notes.glob(".*")) and not list(tmp_path.glob("out*/.*.partial"))


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.name: p.read_bytes()
        for p in folder.iterdir()
        if p.is_file() and p.suffix in (".apkg", ".lock", ".md", ".json")
    }


def test_a_build_killed_at_any_moment_leaves_old_or_new_files(tmp_path: Path) -> None:
    """Kill a build at evenly spread moments; every file is then whole, the old one or the
    new one, and the next build finishes the job exactly as an uninterrupted one does."""
    base = tmp_path / "base"
    shutil.copytree(VAULT, base / "notes")
    assert finished(run_build(base / "notes", base / "out")) == 0
    streaming = base / "notes" / "decks" / "streaming.md"
    streaming.write_text(streaming.read_text() + "\nShards per stream by default::no fixed limit\n")

    reference = tmp_path / "reference"
    shutil.copytree(base, reference)
    started = time.perf_counter()
    assert finished(run_build(reference / "notes", reference / "out")) == 0
    duration = time.perf_counter() - started
    new = {**snapshot(reference / "out"), **snapshot(reference / "notes")}
    old = {**snapshot(base / "out"), **snapshot(base / "notes")}
    assert new["deck.lock"] != old["deck.lock"]

    kills = 12
    for n in range(kills):
        trial = tmp_path / f"trial{n}"
        shutil.copytree(base, trial)
        process = run_build(trial / "notes", trial / "out")
        # From the middle of start-up (imports) to past the end: the writes come last.
        time.sleep(duration * (0.4 + 0.7 * n / kills))
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
        for name, data in {**snapshot(trial / "out"), **snapshot(trial / "notes")}.items():
            assert data in (old.get(name), new.get(name)), f"kill {n}: {name} is a part"
            if name.endswith(".json"):
                json.loads(data)
        Lock.load(trial / "notes" / "deck.lock")  # never half-written
        finish = run_build(trial / "notes", trial / "out")
        _, stderr = finish.communicate(timeout=120)
        assert finish.returncode == 0, f"kill {n}: {stderr}"
        assert {**snapshot(trial / "out"), **snapshot(trial / "notes")} == new, f"kill {n}"
        assert not list(trial.rglob(".*.partial"))


def test_cache_entries_a_killed_build_left_half_written_are_removed(tmp_path: Path) -> None:
    """A build killed while it stored a cache entry leaves its `.partial` file: the next build
    deletes every one (no build reads them, nothing else ever would) and keeps the entries."""
    notes, out = tmp_path / "notes", tmp_path / "out"
    shutil.copytree(VAULT, notes)
    build_vault(notes, out)
    entries = sorted(p for p in (out / ".cache").rglob("*.pickle"))
    assert {p.parent.parent.name for p in entries} == {"file", "build"}
    left = [p.with_name(f".{p.name}.4242.partial") for p in (entries[0], entries[-1])]
    for partial in left:
        partial.write_bytes(b"half an entry")
    # The same inputs: the build's result is reused, and the leftovers still go.
    assert build_vault(notes, out).reused
    assert not list(out.rglob("*.partial"))
    assert sorted(p for p in (out / ".cache").rglob("*.pickle")) == entries


def test_cache_leftovers_the_build_may_not_delete_are_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A leftover it may not delete (another user's, from a container) costs nothing."""
    notes, out = tmp_path / "notes", tmp_path / "out"
    shutil.copytree(VAULT, notes)
    build_vault(notes, out)
    entry = next((out / ".cache").rglob("*.pickle"))
    partial = entry.with_name(f".{entry.name}.4242.partial")
    partial.write_bytes(b"half an entry")
    unlink = os.unlink

    def refused(path: object, *args: object, **kwargs: object) -> None:
        if str(path) == str(partial):
            raise PermissionError(13, "Permission denied", str(path))
        unlink(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr("builder.cache.os.unlink", refused)
    assert build_vault(notes, out).reused
    assert partial.exists()


def test_killed_between_the_lock_file_and_the_packages_the_next_build_writes_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The window a kill is most likely to hit on a large deck: the lock file says 1.1.0, the
    package is not written. The next build, even at another time, writes the very package an
    uninterrupted build writes."""
    for name in ("reference", "killed"):
        shutil.copytree(VAULT, tmp_path / name)
        build_vault(tmp_path / name, tmp_path / f"{name}-out", build_time=100)
        streaming = tmp_path / name / "decks" / "streaming.md"
        streaming.write_text(streaming.read_text() + "\nShards per stream::no fixed limit\n")
    reference = build_vault(tmp_path / "reference", tmp_path / "reference-out", build_time=200)
    (package,) = [p.path for p in reference.packages if p.written]

    def killed(prepared: object) -> object:
        raise KeyboardInterrupt  # as if the process died right here

    monkeypatch.setattr("builder.stages.write_prepared", killed)
    with pytest.raises(KeyboardInterrupt):
        build_vault(tmp_path / "killed", tmp_path / "killed-out", build_time=200)
    assert not (tmp_path / "killed-out" / package.name).exists()
    lock = (tmp_path / "killed" / "deck.lock").read_bytes()
    assert lock == (tmp_path / "reference" / "deck.lock").read_bytes()
    monkeypatch.undo()

    again = build_vault(tmp_path / "killed", tmp_path / "killed-out", build_time=900)
    assert not again.failed
    assert (tmp_path / "killed-out" / package.name).read_bytes() == package.read_bytes()
    assert (tmp_path / "killed" / "deck.lock").read_bytes() == lock
