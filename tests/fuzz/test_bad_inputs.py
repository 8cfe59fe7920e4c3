"""The bad-input corpus (`tests/fixtures/bad/`): small made-up files, each the reproducer of a
crash, hang, empty card or wrong card the fuzz tests found. Each file goes through every reader,
the file stage and a whole build imported into Anki, with the same checks as the fuzz tests but
a tight time limit: none of these files should take a reader more than milliseconds.

Each file is stored as `<name>.bad` (`cloze-number-zero.md.bad`), an ending the build never
reads, so that tests building every fixture folder never meet them; here each is read under
its real name.

A file whose bug is not fixed yet is listed in KNOWN_BUGS and expected to fail, strictly: once
the bug is fixed the test fails until its entry is removed.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from builder.files import FileWorker
from builder.inputs import FileSettings
from builder.readers import choose_reader
from tests.conftest import FIXTURES
from tests.fuzz.harness import check_every_reader, check_file_stage, decoded
from tests.fuzz.test_fuzz_pipeline import build_and_import

BAD = FIXTURES / "bad"
CASES = sorted(BAD.glob("*.bad"))
SECONDS = 2
"""Time limit per reader, file stage and build: the slow reproducers take 4 to 8 s today."""

CRASHES_BUILD = "the reader's claim() raises, outside the try of read_file: build() raises"
RENDERS_EMPTY = "a side holds only markup that renders to nothing"
KNOWN_BUGS: dict[str, str] = {}
"""Reproducer file → what goes wrong, until it is fixed."""

NOT_OBSIDIAN = {
    "arn-in-study-notes.md": "study-notes",
    "css-pseudo-element-in-article.html": "study-notes",
}
"""Files with a `::` that is not card syntax (an S3 ARN, a CSS pseudo-element) → their reader."""
WRONG_READER = (
    "one `::` line outweighs the study-notes reader: the notes are lost, one nonsense card"
)


@pytest.fixture(scope="module")
def root() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="bad-notes-") as folder:
        yield Path(folder)


def name_of(path: Path) -> str:
    """The file's name as the build sees it: without `.bad`."""
    return path.name.removesuffix(".bad")


def case(path: Path) -> object:
    reason = KNOWN_BUGS.get(name_of(path))
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(path, id=name_of(path), marks=marks)


def test_every_known_bug_has_its_reproducer() -> None:
    names = {name_of(path) for path in CASES}
    assert set(KNOWN_BUGS) <= names and set(NOT_OBSIDIAN) <= names


@pytest.mark.parametrize("path", [case(path) for path in CASES])
def test_bad_input(path: Path, root: Path) -> None:
    """No reader raises, hangs or makes an empty card; the build imports into Anki."""
    data, name = path.read_bytes(), name_of(path)
    source = decoded(data, name, root)
    if source is not None:
        check_every_reader(source, SECONDS)
        worker = FileWorker(FileSettings((root,), (), "Fuzz", None, False))
        check_file_stage(worker, source, SECONDS)
    build_and_import([(name, data)], SECONDS * 5)


@pytest.mark.parametrize("name", sorted(NOT_OBSIDIAN))
def test_double_colon_that_is_not_a_card(name: str, root: Path) -> None:
    source = decoded((BAD / f"{name}.bad").read_bytes(), name, root)
    assert source is not None
    reader = choose_reader(source)
    assert reader is not None and reader.name == NOT_OBSIDIAN[name]
