"""Whole builds of generated and damaged folders: `build()` never raises or hangs, no reader
fails, and the real Anki engine imports the packages with as many notes as the build reports,
each of which gives at least one card to study."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from builder.pipeline import BuildConfig, BuildResult, build
from tests.anki_import import import_package, open_collection
from tests.fuzz.documents import (
    dump_files,
    html_files,
    json_files,
    obsidian_files,
    study_files,
)
from tests.fuzz.harness import BUILD_SECONDS, examples, time_limit
from tests.fuzz.mutations import mutated_files

File = tuple[str, bytes]
BUILD_TIME = 1_700_000_000
"""Fixed, so a build never asks git or the clock."""


def build_and_import(files: list[File], seconds: float = BUILD_SECONDS) -> None:
    """Build the files as one source folder and import every package into a new collection:
    no raise, no hang, no failed reader, and Anki holds as many notes as the build reports,
    each with at least one card."""
    with tempfile.TemporaryDirectory(prefix="fuzz-build-") as folder:
        root = Path(folder)
        notes = root / "notes"
        notes.mkdir()
        for n, (name, data) in enumerate(files):
            # A sub-folder per file: media and duplicates are looked up across folders.
            (notes / f"{n}").mkdir()
            (notes / f"{n}" / name).write_bytes(data)
        config = BuildConfig(
            sources=(notes,),
            media=(),
            out=root / "dist",
            lock=root / "deck.lock",
            default_deck="Fuzz",
            build_time=BUILD_TIME,
            jobs=1,
        )
        with time_limit(seconds, "build()"):
            result = build(config)
        check_result(result)
        col = open_collection(root / "anki")
        try:
            with time_limit(seconds, "Anki import"):
                for package in result.packages:
                    import_package(col, package.path)
            assert col.note_count() == result.note_count == len(result.notes)
            for note_id in col.find_notes(""):
                note = col.get_note(note_id)
                assert note.cards(), f"Anki makes no card of note {dict(note.items())}"
        finally:
            col.close()


def check_result(result: BuildResult) -> None:
    """No reader failed, the build did not fail, and there is one package per top deck."""
    failed = [str(d) for d in result.diagnostics if d.code == "reader-failed"]
    assert not failed, failed
    # Only a failed reader or a release that already exists may fail a non-strict build.
    assert not result.failed, [str(d) for d in result.diagnostics if d.severity == "error"]
    assert len(result.packages) == len({note.card.deck.split("::")[0] for note in result.notes})


generated_file = st.one_of(obsidian_files, study_files, dump_files, json_files(), html_files())


@settings(max_examples=examples(50), deadline=timedelta(seconds=20))
@given(files=st.lists(generated_file, min_size=1, max_size=4))
def test_generated_folder_builds_and_imports(files: list[File]) -> None:
    """A folder of generated notes, cards and dumps of every format."""
    build_and_import(files)


@settings(max_examples=examples(50), deadline=timedelta(seconds=20))
@given(files=st.lists(mutated_files(), min_size=1, max_size=3))
def test_damaged_folder_builds_and_imports(files: list[File]) -> None:
    """A folder of damaged real notes, cards and dumps."""
    build_and_import(files)
