"""Inputs at and past the limits, built together: a file too large to be notes, a binary file
named `.md`, a megabyte on one line, lists nested thousands deep, thousands of images, deep
JSON and HTML, broken encodings, and a single file of thousands of cards, with the hostile
corpus and every fuzz reproducer in `tests/fixtures/bad/`. The build finishes,
says what it skipped and why, packages every good card, and Anki imports the package."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest
from anki.collection import Collection

from builder.discover import MAX_FILE_BYTES
from builder.pipeline import BuildConfig, BuildResult, build
from tests.anki_import import import_package, imported_notes
from tests.conftest import FIXTURES
from tests.helpers import tiny_png

CARDS_IN_ONE_FILE = 5_000
IMAGES = 1_500


def write_limits(notes: Path) -> None:
    """One file per limit, each of our own making."""
    limits = notes / "limits"
    limits.mkdir(parents=True)
    (limits / "too-large.md").write_text("## Q #card\nA\n" * (MAX_FILE_BYTES // 12 + 1))
    (limits / "binary.md").write_bytes(bytes(range(256)) * 400)
    (limits / "long-line.md").write_text(
        "## What does one very long line hold? #card\n" + "shard " * 200_000 + "\n"
    )
    (limits / "nested.md").write_text(
        "## How deep can a list go? #card\n"
        + "".join("  " * depth + "- level\n" for depth in range(1_000))
    )
    (limits / "many-cards.md").write_text(
        "".join(
            f"## Stream fact {n} #card\nShard {n} takes 1 MB/s of writes.\n\n"
            for n in range(CARDS_IN_ONE_FILE)
        )
    )
    images = notes / "images"
    images.mkdir()
    png = tiny_png()
    for n in range(IMAGES):
        (images / f"dot-{n}.png").write_bytes(png + n.to_bytes(4, "big"))  # distinct files
    (limits / "images.md").write_text(
        "".join(
            f"## Which dot is number {n}? #card\n![dot](../images/dot-{n}.png)\n\n"
            for n in range(IMAGES)
        )
        + "## A picture that is not there #card\n![gone](../images/missing.png)\n"
    )
    (limits / "deep.json").write_text("[" * 50_000 + "]" * 50_000)
    (limits / "deep.html").write_text(
        "<html><body>" + "<div>" * 5_000 + "Question 1: x?" + "</div>" * 5_000 + "</body></html>"
    )
    (limits / "latin1.md").write_bytes(
        "## Qu'est-ce qu'un fragment ? #card\nUne unité de débit du flux.\n".encode("latin-1")
    )
    (limits / "nul.md").write_bytes(b"## Q with a NUL #card\nAn answer\x00 with a NUL byte.\n")
    (limits / "empty.md").write_text("")
    (limits / "only-spaces.md").write_text("   \n\t\n")
    (limits / "crlf-bom.md").write_bytes(
        "\ufeff## What ends each line here? #card\r\nA carriage return, a line feed.\r\n".encode()
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[BuildResult, Path]:
    notes = tmp_path_factory.mktemp("bad") / "notes"
    write_limits(notes)
    os.symlink(FIXTURES / "hostile", notes / "hostile")
    # The fuzz tests' reproducers, stored as `name.md.bad` so no other test reads them.
    (notes / "bad").mkdir()
    for reproducer in sorted((FIXTURES / "bad").glob("*.bad")):
        (notes / "bad" / reproducer.stem).write_bytes(reproducer.read_bytes())
    out = notes.parent / "out"
    result = build(BuildConfig((notes,), (), out, lock=notes.parent / "deck.lock"))
    return result, out


def test_the_build_finishes_and_says_what_it_skipped(built: tuple[BuildResult, Path]) -> None:
    result, _ = built
    assert not result.failed, [str(d) for d in result.diagnostics if d.severity != "info"]
    codes = {(d.path, d.code) for d in result.diagnostics}
    assert ("limits/too-large.md", "file-too-large") in codes
    assert ("limits/binary.md", "binary-file") in codes
    assert ("limits/nul.md", "binary-file") in codes  # a NUL byte: not text, not guessed at
    assert ("limits/latin1.md", "not-utf8") in codes
    assert ("limits/images.md", "missing-media") in codes
    assert not [d for d in result.diagnostics if d.code in ("reader-failed", "card-failed")]


def test_every_good_card_is_packaged_with_nothing_empty(built: tuple[BuildResult, Path]) -> None:
    result, _ = built
    notes = [n for p in result.packages for n in p.notes if not n.retired]
    by_file = Counter(n.source.rpartition(":")[0] for n in notes)
    assert by_file["limits/many-cards.md"] == CARDS_IN_ONE_FILE
    assert by_file["limits/images.md"] == IMAGES + 1
    for name in ("long-line.md", "nested.md", "latin1.md", "crlf-bom.md"):
        assert by_file[f"limits/{name}"] == 1, name
    assert "\x00" not in "".join(f for n in notes for f in n.fields)
    for note in notes:
        assert note.fields[0].strip(), f"{note.source}: empty first field"
    media = {m for n in notes for m in n.media}
    assert len(media) >= IMAGES


def test_anki_imports_the_package(built: tuple[BuildResult, Path], tmp_path: Path) -> None:
    result, _ = built
    col = Collection(str(tmp_path / "collection.anki2"))
    try:
        for package in result.packages:
            import_package(col, package.path)
        imported = imported_notes(col)
        assert len(imported) == sum(not n.retired for p in result.packages for n in p.notes)
        stored = {p.name for p in Path(col.media.dir()).iterdir()}
        assert len(stored) >= IMAGES
    finally:
        col.close()


def test_the_report_lists_every_problem(built: tuple[BuildResult, Path]) -> None:
    _, out = built
    report = json.loads((out / "build-report.json").read_text())
    paths = {d["path"] for d in report["diagnostics"]}
    assert {"limits/too-large.md", "limits/binary.md"} <= paths
