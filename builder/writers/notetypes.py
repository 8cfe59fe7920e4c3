"""The note types, read from `builder/notetypes/` (ids, fields, templates and CSS are data)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import genanki
from pygments.formatters import HtmlFormatter

from builder.model import CardKind

NOTE_TYPE_OF_KIND = {
    CardKind.BASIC: "basic",
    CardKind.REVERSED: "basic-reversed",
    CardKind.CLOZE: "cloze",
    CardKind.MULTIPLE_CHOICE: "multiple-choice",
}


@dataclass(frozen=True, slots=True)
class NoteType:
    """One Anki note type as the builder defines it."""

    key: str
    """Name in `notetypes.json`, e.g. `multiple-choice`."""
    model_id: int
    """Anki model id; frozen forever, see `notetypes.json`."""
    name: str
    """Name shown in Anki."""
    fields: tuple[str, ...]
    """Field names in order."""
    model: Any
    """The `genanki.Model`."""


def code_css() -> str:
    """Colours for highlighted code: a light theme, and a dark one in night mode."""
    light = HtmlFormatter(style="default").get_style_defs(".highlight")
    dark = HtmlFormatter(style="monokai").get_style_defs(
        [".nightMode .highlight", ".night_mode .highlight"]
    )
    return f"\n/* Code colours (Pygments) */\n{light}\n{dark}\n"


def _read(name: str) -> str:
    return resources.files("builder.notetypes").joinpath(name).read_text("utf-8")


@cache
def note_types() -> dict[str, NoteType]:
    """Every note type by key."""
    spec = json.loads(_read("notetypes.json"))
    css = _read("style.css") + code_css()
    types: dict[str, NoteType] = {}
    for key, entry in spec.items():
        if key.startswith("_"):
            continue
        templates = [
            {"name": t["name"], "qfmt": _read(t["front"]), "afmt": _read(t["back"])}
            for t in entry["templates"]
        ]
        model = genanki.Model(
            entry["id"],
            entry["name"],
            fields=[{"name": f} for f in entry["fields"]],
            templates=templates,
            css=css,
            model_type=genanki.Model.CLOZE if entry.get("cloze") else genanki.Model.FRONT_BACK,
        )
        types[key] = NoteType(key, entry["id"], entry["name"], tuple(entry["fields"]), model)
    return types


def note_type_for(kind: CardKind) -> NoteType:
    """The note type a card of this kind is packaged as."""
    return note_types()[NOTE_TYPE_OF_KIND[kind]]


def note_types_digest(kinds: Iterable[CardKind]) -> str:
    """Hash of the note types of these kinds as packaged (ids, names, fields, templates, CSS);
    it changes exactly when a package's note types do."""
    hasher = hashlib.sha256()
    for key in sorted({NOTE_TYPE_OF_KIND[kind] for kind in kinds}):
        model = note_types()[key].model
        hasher.update(
            json.dumps(
                [
                    model.model_id,
                    model.name,
                    [f["name"] for f in model.fields],
                    # Only what we define: genanki adds keys to the templates as it writes.
                    [[t["name"], t["qfmt"], t["afmt"]] for t in model.templates],
                    model.css,
                    model.model_type,
                ],
                sort_keys=True,
            ).encode()
        )
    return hasher.hexdigest()[:32]
