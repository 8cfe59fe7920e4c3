"""Import packages into a real Anki collection, as the desktop and mobile importers do."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from anki.collection import Collection, ImportAnkiPackageRequest


@dataclass(frozen=True)
class ImportedNote:
    """What a user sees of one note after import."""

    note_type: str
    fields: dict[str, str]
    tags: tuple[str, ...]
    decks: tuple[str, ...]
    guid: str


def open_collection(folder: Path) -> Collection:
    """A fresh, empty collection in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    return Collection(str(folder / "collection.anki2"))


def import_package(col: Collection, package: Path) -> None:
    """Import with the engine's own importer and default options."""
    col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package)))


def imported_notes(col: Collection) -> list[ImportedNote]:
    """Every note in the collection with its fields, tags and the decks its cards are in."""
    notes = []
    for note_id in col.find_notes(""):
        note = col.get_note(note_id)
        decks = sorted({col.decks.name(card.did) for card in note.cards()})
        notes.append(
            ImportedNote(
                note_type=note.note_type()["name"],  # type: ignore[index]
                fields=dict(note.items()),
                tags=tuple(sorted(note.tags)),
                decks=tuple(decks),
                guid=note.guid,
            )
        )
    return notes


def count_by_type(notes: list[ImportedNote]) -> dict[str, int]:
    return dict(Counter(n.note_type for n in notes))


def media_files(col: Collection) -> list[str]:
    return sorted(p.name for p in Path(col.media.dir()).iterdir() if p.is_file())
