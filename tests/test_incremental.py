"""Parallel builds give the same package as one process; the cache is used only when it can
be trusted; a build with nothing to do does nothing."""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path

import pytest

from builder.cache import CACHE_DIR, BuildCache
from builder.lock import file_digest
from builder.pipeline import BuildConfig, BuildResult, build
from tests.helpers import tiny_png
from tests.synthetic import generate


@pytest.fixture(scope="module")
def tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("synthetic")
    generate(root, 1000)  # 20 files of every kind: enough to start worker processes
    return root


def run(tree: Path, out: Path, **options: object) -> BuildResult:
    config = BuildConfig(
        (tree,), (tree / "images",), out, default_deck="Synthetic", build_time=1_700_000_000
    )
    result = build(BuildConfig(**{**_fields(config), **options}))  # type: ignore[arg-type]
    assert not result.failed, result.diagnostics
    return result


def _fields(config: BuildConfig) -> dict[str, object]:
    return {name: getattr(config, name) for name in config.__dataclass_fields__}


def package_bytes(result: BuildResult) -> bytes:
    (package,) = result.packages
    return package.path.read_bytes()


def test_parallel_and_single_process_builds_are_identical(tree: Path, tmp_path: Path) -> None:
    single = run(tree, tmp_path / "one", jobs=1, cache=False)
    parallel = run(tree, tmp_path / "two", jobs=2, cache=False)
    assert package_bytes(single) == package_bytes(parallel)
    assert single.diagnostics == parallel.diagnostics
    assert len(single.notes) > 800


def test_cache_reuse_is_identical_and_corrupt_entries_are_rebuilt(
    tree: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    first = package_bytes(run(tree, out, jobs=1))
    entries = sorted((out / CACHE_DIR / "file").rglob("*.pickle"))
    assert len(entries) == 20
    entries[0].write_bytes(entries[0].read_bytes()[:100])  # truncated
    entries[1].write_bytes(entries[1].read_bytes().replace(b"Kinesis", b"Kinesia"))  # altered
    (out / CACHE_DIR / "build").rename(out / "old-record")  # force the stages to run
    # Had a damaged entry been trusted, the package would differ and the build would stop
    # rather than overwrite the release.
    repaired = run(tree, out, jobs=1)
    assert package_bytes(repaired) == first
    assert len(sorted((out / CACHE_DIR / "file").rglob("*.pickle"))) == 20


def test_nothing_to_do_is_noticed_and_any_change_is_not_missed(tree: Path, tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("## What is a shard? #card\nA unit of capacity.\n")
    out, lock = tmp_path / "out", notes / "deck.lock"
    first = run(notes, out, lock=lock)
    assert not first.reused and first.note_count == 1
    # The build's key is recorded with the hash of the lock's lines, not of the file read
    # back: they must be the file's bytes exactly.
    assert first.lock_digest == file_digest(lock.read_bytes())
    again = run(notes, out, lock=lock)
    assert again.reused and again.note_count == 1
    assert again.summary == first.unchanged_summary
    (notes / "b.md").write_text("## What is a partition key? #card\nIt picks the shard.\n")
    (notes / "a.md").write_text("## What is a shard? #card\nA unit of stream capacity.\n")
    changed = run(notes, out, lock=lock)
    assert not changed.reused and changed.note_count == 2
    assert changed.lock_digest == file_digest(lock.read_bytes())
    assert changed.releases[0].version == "1.1.0"
    entries = sorted(p.stem for p in (out / CACHE_DIR / "file").rglob("*.pickle"))
    assert len(entries) == 2  # one per file: the entry of a.md before its change is gone
    changed.packages[0].path.unlink()  # an output gone: the build must run again
    rebuilt = run(notes, out, lock=lock)
    assert not rebuilt.reused and rebuilt.packages[0].path.exists()


def test_a_record_of_another_shape_is_not_trusted(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("## What is a shard? #card\nA unit of capacity.\n")
    out = tmp_path / "out"
    run(notes, out)
    cache = BuildCache(out)
    record = cache.get("build", "last")
    del record["summary"]  # as an older builder might have written it
    cache.put("build", "last", record)
    again = run(notes, out)
    assert not again.reused and again.note_count == 1


def test_an_image_overwritten_with_its_size_and_time_kept_is_packaged_anew(
    tmp_path: Path,
) -> None:
    """`cp -p` or `rsync -t` can put new bytes in an image and set its old modification time
    back: the cache must still see the change (its change time is new), give the image a
    new stored name, and package the new bytes."""
    notes = tmp_path / "notes"
    notes.mkdir()
    image = notes / "diagram.png"
    image.write_bytes(tiny_png(b"\x00\x00"))
    (notes / "a.md").write_text("## What does the diagram show? #card\n![d](diagram.png)\n")
    out, lock = tmp_path / "out", notes / "deck.lock"
    first = run(notes, out, lock=lock)
    before = image.stat()
    new = tiny_png(b"\x00\x01")
    assert len(new) == before.st_size and new != image.read_bytes()
    image.write_bytes(new)
    os.utime(image, ns=(before.st_atime_ns, before.st_mtime_ns))
    second = run(notes, out, lock=lock, build_time=1_700_000_100)
    assert not second.reused and second.releases[0].version == "1.0.1"
    with zipfile.ZipFile(second.packages[0].path) as package:
        (name,) = json.loads(package.read("media")).values()
        assert package.read("0") == new
    with zipfile.ZipFile(first.packages[0].path) as package:
        assert name not in json.loads(package.read("media")).values()
