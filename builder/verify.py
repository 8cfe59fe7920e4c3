"""`verify PACKAGE`: import a package into a scratch collection with the official engine
(the `anki` package, when installed) and report what Anki saw, as a user would after
File › Import: notes and cards per note type and deck, media, and cards that show nothing."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from builder.transforms.visible import shows_something


class EngineMissingError(Exception):
    """The official engine is not installed."""


def verify_package(package: Path) -> dict[str, Any]:
    """What importing the package into an empty collection gives."""
    try:
        from anki.collection import Collection, ImportAnkiPackageRequest
    except ImportError:
        raise EngineMissingError(
            "verify needs the official Anki engine: pip install anki "
            "(it is in the test extras: pip install -e '.[test]')"
        ) from None
    with tempfile.TemporaryDirectory(prefix="deck-verify-") as scratch:
        col = Collection(str(Path(scratch) / "collection.anki2"))
        try:
            try:
                col.import_anki_package(ImportAnkiPackageRequest(package_path=str(package)))
            except Exception as error:  # the engine's own refusal is the finding
                return {
                    "package": str(package),
                    "ok": False,
                    "error": f"Anki could not import it: {error}",
                }
            return _what_anki_saw(col, package)
        finally:
            col.close()


def _what_anki_saw(col: Any, package: Path) -> dict[str, Any]:
    note_types: Counter[str] = Counter()
    decks: Counter[str] = Counter()
    tags: Counter[str] = Counter()
    blank: list[str] = []
    card_count = 0
    for note_id in col.find_notes(""):
        note = col.get_note(note_id)
        note_types[note.note_type()["name"]] += 1
        tags.update(t.split("::")[0] for t in note.tags)
        for card in note.cards():
            card_count += 1
            decks[col.decks.name(card.did)] += 1
            if not shows_something(card.question()):
                blank.append(f"note {note.guid} card {card.ord + 1}")
    media = sorted(p.name for p in Path(col.media.dir()).iterdir() if p.is_file())
    notes = sum(note_types.values())
    return {
        "package": str(package),
        "ok": notes > 0 and not blank,
        "notes": notes,
        "cards": card_count,
        "note_types": dict(sorted(note_types.items())),
        "decks": dict(sorted(decks.items())),
        "tag_kinds": dict(sorted(tags.items())),
        "media": len(media),
        "blank_fronts": blank,
    }


def verify_text(report: dict[str, Any]) -> str:
    """The report for a terminal."""
    if "error" in report:
        return f"{report['package']}: FAILED: {report['error']}\n"
    verdict = "ok" if report["ok"] else "PROBLEMS"
    lines = [
        f"{report['package']}: {verdict}: Anki imported {report['notes']} notes, "
        f"{report['cards']} cards, {report['media']} media "
        f"file{'' if report['media'] == 1 else 's'}",
        "  note types: " + ", ".join(f"{k} {v}" for k, v in report["note_types"].items()),
        "  decks: " + ", ".join(f"{k} {v}" for k, v in report["decks"].items()),
    ]
    if report["notes"] == 0:
        lines.append("  the package has no notes")
    lines += [f"  shows nothing on the front: {where}" for where in report["blank_fronts"]]
    return "\n".join(lines) + "\n"
