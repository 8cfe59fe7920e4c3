"""Every reader, on generated and damaged files of every format: claiming never raises, a reader
that claims a file reads it without raising and in time, and no card has an empty side.

`make test` runs a few deterministic examples of each; `make fuzz` runs many random ones.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from builder.files import FileWorker
from builder.inputs import FileSettings
from tests.fuzz.documents import (
    dump_files,
    html_files,
    json_files,
    obsidian_files,
    pathological_files,
    random_files,
    study_files,
)
from tests.fuzz.harness import check_every_reader, check_file_stage, decoded, examples
from tests.fuzz.mutations import mutated_files

File = tuple[str, bytes]
LONG_RUN_SECONDS = 5

# Known bugs, each with its reproducer in tests/fixtures/bad/ (see test_bad_inputs.py): the
# tests they make fail are expected to fail until the bugs are fixed. `make fuzz` runs them
# anyway (--runxfail), to find what else they hide.


@pytest.fixture(scope="module")
def root() -> Iterator[Path]:
    """The source folder each example's file is written into (emptied for every example)."""
    with tempfile.TemporaryDirectory(prefix="fuzz-notes-") as folder:
        yield Path(folder)


@pytest.fixture(scope="module")
def worker(root: Path) -> FileWorker:
    return FileWorker(FileSettings((root,), (), "Fuzz", None, False))


def check(file: File, root: Path) -> None:
    name, data = file
    source = decoded(data, name, root)
    if source is not None:
        check_every_reader(source)


@settings(max_examples=examples(250))
@given(file=obsidian_files)
def test_obsidian_notes(root: Path, file: File) -> None:
    """`#card` blocks, inline `::` cards, cloze marks, frontmatter, code and math."""
    check(file, root)


@settings(max_examples=examples(250))
@given(file=study_files)
def test_study_notes(root: Path, file: File) -> None:
    """Headings, definition lists, tables and numbered text headings in `.md` and `.txt`."""
    check(file, root)


@settings(max_examples=examples(200))
@given(file=dump_files)
def test_question_dumps(root: Path, file: File) -> None:
    """Checkbox, numbered, `<details>` and exam-site text and Markdown dumps."""
    check(file, root)


@settings(max_examples=examples(250))
@given(file=json_files())
def test_json_banks(root: Path, file: File) -> None:
    """JSON question banks and JSON Lines, with any keys, values and damage."""
    check(file, root)


@settings(max_examples=examples(200))
@given(file=html_files())
def test_html_pages(root: Path, file: File) -> None:
    """Saved exam pages and articles: question cards, lettered lists, random and broken markup."""
    check(file, root)


@settings(max_examples=examples(500))
@given(file=mutated_files())
def test_damaged_real_files(root: Path, file: File) -> None:
    """Each fixture and starter-deck file with lines lost or doubled, bytes changed, cut short."""
    check(file, root)


@settings(max_examples=examples(100))
@given(file=pathological_files())
def test_long_runs_of_syntax(root: Path, worker: FileWorker, file: File) -> None:
    """Thousands of `*`, `$`, `[[`, `<li>`, `A. `… on one line or many: nothing in reading or
    rendering goes quadratic or backtracks for ever (a few hundred kilobytes at most: seconds
    would be far too slow)."""
    name, data = file
    source = decoded(data, name, root)
    if source is not None:
        check_every_reader(source, LONG_RUN_SECONDS)
        check_file_stage(worker, source, LONG_RUN_SECONDS)


@settings(max_examples=examples(500))
@given(file=random_files)
def test_random_bytes_and_text(root: Path, file: File) -> None:
    """Arbitrary Unicode text or bytes under every file ending."""
    check(file, root)


any_file = st.one_of(
    obsidian_files, study_files, dump_files, json_files(), html_files(), mutated_files()
)


@settings(max_examples=examples(250))
@given(file=any_file)
def test_rendered_fields_show_something(root: Path, worker: FileWorker, file: File) -> None:
    """Read → render → tag of one file: no reader fails, and every field a user sees on a note
    (front, back, cloze deletion, question, each choice, answer) shows something after
    rendering and sanitizing, and none holds Anki's field separator."""
    name, data = file
    source = decoded(data, name, root)
    if source is not None:
        check_file_stage(worker, source)
