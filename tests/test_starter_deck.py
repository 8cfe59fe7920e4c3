"""The starter deck shipped in source_notes/ builds cleanly and is worth studying."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from anki.collection import Collection

from builder.discover import discover
from builder.pipeline import BuildResult
from builder.readers import READERS, choose_reader
from tests.anki_import import count_by_type, import_package, imported_notes, media_files
from tests.conftest import REPO
from tests.test_dumps_through_anki import NOISE


def test_builds_strict_with_no_warning(starter: BuildResult) -> None:
    assert not starter.failed, [str(d) for d in starter.diagnostics]
    assert [str(d) for d in starter.diagnostics if d.severity != "info"] == []


def test_covers_every_domain_and_input_kind(starter: BuildResult) -> None:
    assert len(starter.notes) >= 150
    domains = Counter(n.tagged.domain for n in starter.notes)
    assert set(domains) == {
        "data-engineering",
        "exploratory-data-analysis",
        "modeling",
        "ml-implementation-and-operations",
    }
    assert min(domains.values()) >= 30
    readers_per_domain = Counter(
        (Path(n.card.source.path).parts[0], n.card.kind.value) for n in starter.notes
    )
    for folder in {Path(n.card.source.path).parts[0] for n in starter.notes}:
        kinds = {kind for (f, kind), count in readers_per_domain.items() if f == folder}
        assert kinds == {"basic", "reversed", "cloze", "multiple-choice"}, folder


def test_imports_into_anki_with_every_family_and_all_images(
    starter: BuildResult, collection: Collection
) -> None:
    (package,) = starter.packages
    import_package(collection, package.path)
    notes = imported_notes(collection)
    assert len(notes) == len(starter.notes)
    counts = count_by_type(notes)
    assert counts["Deck Builder: Basic"] + counts["Deck Builder: Basic (and reversed card)"] >= 100
    assert counts["Deck Builder: Cloze"] >= 15
    assert counts["Deck Builder: Multiple choice"] >= 40
    assert len(media_files(collection)) == len(list((REPO / "media").glob("*.svg")))
    for note in notes:
        first, second = list(note.fields.values())[:2]
        assert first.strip(), note
        if note.note_type != "Deck Builder: Cloze":
            assert second.strip(), note
        assert any(tag.startswith("domain::") for tag in note.tags)
        for value in note.fields.values():
            assert not NOISE.search(value), value


def test_every_domain_folder_uses_every_reader() -> None:
    files, problems = discover([REPO / "source_notes"])
    assert problems == []
    readers: dict[str, set[str]] = {}
    for source in files:
        reader = choose_reader(source)
        assert reader is not None, source.display_path
        readers.setdefault(source.display_path.split("/")[0], set()).add(reader.name)
    assert len(readers) == 4
    for folder, names in readers.items():
        assert names == set(READERS), folder
