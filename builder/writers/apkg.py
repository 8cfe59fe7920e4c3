"""Package writer: one `.apkg` per top-level deck, atomic, never over a different release."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import genanki

from builder.model import Note
from builder.writers.notetypes import note_type_for

BASE_VERSION = "0.1.0"


@dataclass(frozen=True, slots=True)
class PackageInfo:
    """One package the build wrote (or found already written with the same content)."""

    deck: str
    """Top-level deck name."""
    slug: str
    """Deck name as a file name."""
    version: str
    """Version written into the file name."""
    path: Path
    """The `.apkg` file."""
    notes: tuple[Note, ...]
    """Notes in the package."""
    written: bool
    """False when an identical package already existed and was kept as it was."""


def slugify(name: str) -> str:
    """`AWS ML Specialty` → `aws-ml-specialty`."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "deck"


def stable_id(*parts: str) -> int:
    """An Anki object id derived from names, the same in every build."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


def top_deck(deck: str) -> str:
    """The package a deck goes into: its top-level parent."""
    return deck.split("::")[0].strip()


def content_digest(notes: Sequence[Note]) -> str:
    """A digest of everything a package holds, so a different content never gets the same name."""
    hasher = hashlib.sha256()
    for note in notes:
        note_type = note_type_for(note.card.kind)
        record = [
            note.guid,
            str(note_type.model_id),
            note.card.deck,
            *note.tagged.rendered.fields,
            *note.tagged.tags,
        ]
        for media in note.tagged.rendered.media:
            record.append(media.stored_name)
        hasher.update(json.dumps(record, ensure_ascii=False).encode())
    return hasher.hexdigest()


def _genanki_note(note: Note) -> genanki.Note:
    note_type = note_type_for(note.card.kind)
    return genanki.Note(
        model=note_type.model,
        fields=list(note.tagged.rendered.fields),
        guid=note.guid,
        tags=list(note.tagged.tags),
    )


def write_package(deck_name: str, notes: Sequence[Note], out_dir: Path) -> PackageInfo:
    """Write the package for one top-level deck; keep an existing identical release untouched."""
    ordered = tuple(sorted(notes, key=lambda n: (n.card.deck, n.card.source, n.guid)))
    digest = content_digest(ordered)
    slug = slugify(deck_name)
    version = f"{BASE_VERSION}+{digest[:10]}"
    path = out_dir / f"{slug}-{version}.apkg"
    if path.exists():
        return PackageInfo(deck_name, slug, version, path, ordered, written=False)

    decks: dict[str, genanki.Deck] = {}
    for note in ordered:
        name = note.card.deck
        if name not in decks:
            decks[name] = genanki.Deck(stable_id("deck", name), name)
        decks[name].add_note(_genanki_note(note))
    media = sorted(
        {m.stored_name: m.path for n in ordered for m in n.tagged.rendered.media}.items()
    )

    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="deckbuild-") as scratch:
        media_paths = []
        for stored_name, source_path in media:
            target = Path(scratch) / stored_name
            shutil.copyfile(source_path, target)
            media_paths.append(str(target))
        package = genanki.Package([decks[name] for name in sorted(decks)], media_files=media_paths)
        partial = out_dir / f".{path.name}.partial"
        package.write_to_file(str(partial))
        os.replace(partial, path)
    return PackageInfo(deck_name, slug, version, path, ordered, written=True)


def write_packages(notes: Sequence[Note], out_dir: Path) -> list[PackageInfo]:
    """One package per top-level deck, in deck-name order."""
    by_deck: dict[str, list[Note]] = {}
    for note in notes:
        by_deck.setdefault(top_deck(note.card.deck), []).append(note)
    return [write_package(deck, by_deck[deck], out_dir) for deck in sorted(by_deck)]
