"""The lock file (`deck.lock`): each card's GUID, fingerprints, modification time and last
packaged content, and each deck's released version.

It is the memory that lets a card keep its identity when its text is edited, reworded, moved
or its file renamed, and lets a note keep its modification time while unchanged. It is
committed beside the notes, so it is written to be read in a diff: a header line, then one
JSON line per card, sorted by GUID, so one changed card is one changed line.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from builder.diagnostics import BuildError
from builder.outputs import same_bytes, write_atomically

LOCK_FORMAT = 1
HEADER_KEY = "deck-lock"


class LockError(BuildError):
    """The lock file cannot be trusted; the build stops rather than give every card a new id."""


@dataclass(frozen=True, slots=True)
class LockedCard:
    """What the lock remembers of one card."""

    guid: str
    kind: str
    """Card kind (`basic`, `reversed`, `cloze`, `multiple-choice`)."""
    deck: str
    source: str
    """`path:line` it was last read from."""
    context: str
    """Heading path, ` › ` between headings."""
    front: str
    """Normalized question text, for matching a reworded card."""
    back: str
    """Normalized answer text, for matching a card whose question changed."""
    digest: str
    """Hash of everything packaged for the note; a change means a new modification time."""
    mod: int
    """Modification time packaged for the note (seconds since the epoch)."""
    fields: tuple[str, ...]
    """Packaged fields, so a card removed from the notes can still be shipped as retired."""
    tags: tuple[str, ...]
    media: tuple[str, ...] = ()
    """Stored names of the media the fields show."""
    marker: str | None = None
    """The explicit identity marker in the source, if any."""
    retired: str | None = None
    """The deck version in which the card was first shipped as retired."""
    line: str | None = field(default=None, init=False, compare=False, repr=False)
    """The line it was read from, written back as it was when nothing changed; not an
    argument, so a copy made with `dataclasses.replace` never carries a stale line."""

    def to_json(self) -> str:
        if self.line is not None:
            return self.line
        # Field by field: dataclasses.asdict deep-copies every value and took 0.3 ms a card.
        data = {name: getattr(self, name) for name in LOCKED_CARD_FIELDS}
        data = {k: v for k, v in data.items() if v not in (None, ())}
        return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @staticmethod
    def from_json(data: object, where: str, line: str | None = None) -> LockedCard:
        card = LockedCard._from_json(data, where)
        object.__setattr__(card, "line", line)
        return card

    @staticmethod
    def _from_json(data: object, where: str) -> LockedCard:
        if not isinstance(data, dict):
            raise LockError(f"{where}: expected an object")
        try:
            return LockedCard(
                guid=_text(data, "guid", where),
                kind=_text(data, "kind", where),
                deck=_text(data, "deck", where),
                source=_text(data, "source", where),
                context=_text(data, "context", where, allow_empty=True),
                front=_text(data, "front", where, allow_empty=True),
                back=_text(data, "back", where, allow_empty=True),
                digest=_text(data, "digest", where),
                mod=_int(data, "mod", where),
                fields=_texts(data, "fields", where),
                tags=_texts(data, "tags", where, required=False),
                media=_texts(data, "media", where, required=False),
                marker=_optional_text(data, "marker", where),
                retired=_optional_text(data, "retired", where),
            )
        except KeyError as missing:
            raise LockError(f"{where}: missing key {missing}") from None


LOCKED_CARD_FIELDS = tuple(name for name in LockedCard.__dataclass_fields__ if name != "line")


@dataclass(frozen=True, slots=True)
class LockedDeck:
    """What the lock remembers of one top-level deck."""

    version: str
    """The deck's current released version."""
    note_types: str
    """Hash of the note types the package uses; a change is a major version."""
    note_types_mod: int
    """When the note types last changed, packaged as their modification time."""
    package: str
    """Hash of the package content (GUIDs, fields, tags, mods) of this version."""
    previous: str | None = None
    """The version this one follows."""
    added: tuple[str, ...] = ()
    """GUIDs added in this version (kept so its changelog can be written again)."""
    changed: tuple[str, ...] = ()
    retired: tuple[str, ...] = ()
    moved: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Lock:
    """The whole lock file."""

    decks: Mapping[str, LockedDeck] = field(default_factory=dict)
    cards: Mapping[str, LockedCard] = field(default_factory=dict)
    """By GUID."""

    def render(self) -> str:
        """The file's text: a header line, then one line per card sorted by GUID."""
        header = {
            HEADER_KEY: LOCK_FORMAT,
            "note": "written by anki-deck-builder: commit it with the notes; do not edit",
            "decks": {
                name: {k: v for k, v in asdict(deck).items() if v not in (None, (), [])}
                for name, deck in sorted(self.decks.items())
            },
        }
        lines = [json.dumps(header, ensure_ascii=False, sort_keys=True, separators=(",", ":"))]
        lines += [self.cards[guid].to_json() for guid in sorted(self.cards)]
        return "\n".join(lines) + "\n"

    @staticmethod
    def parse(text: str, path: Path) -> Lock:
        """Read a lock file's text; anything unexpected is a LockError naming the line."""
        if "\n<<<<<<< " in f"\n{text}" or "\n>>>>>>> " in f"\n{text}":
            raise LockError(
                f"{path}: has merge-conflict markers; resolve them by taking one side whole "
                "(git checkout --ours/--theirs) and build again"
            )
        lines = text.splitlines()
        if not lines:
            raise LockError(f"{path}: is empty")
        header = _json_line(lines[0], f"{path}:1")
        if not isinstance(header, dict) or header.get(HEADER_KEY) != LOCK_FORMAT:
            raise LockError(f"{path}:1: not a deck.lock header (format {LOCK_FORMAT})")
        decks_data = header.get("decks", {})
        if not isinstance(decks_data, dict):
            raise LockError(f"{path}:1: 'decks' must be an object")
        decks = {}
        for name, data in decks_data.items():
            where = f"{path}:1: deck '{name}'"
            if not isinstance(data, dict):
                raise LockError(f"{where}: expected an object")
            try:
                decks[name] = LockedDeck(
                    version=_text(data, "version", where),
                    note_types=_text(data, "note_types", where),
                    note_types_mod=_int(data, "note_types_mod", where),
                    package=_text(data, "package", where),
                    previous=_optional_text(data, "previous", where),
                    added=_texts(data, "added", where, required=False),
                    changed=_texts(data, "changed", where, required=False),
                    retired=_texts(data, "retired", where, required=False),
                    moved=_texts(data, "moved", where, required=False),
                )
            except KeyError as missing:
                raise LockError(f"{where}: missing key {missing}") from None
        cards: dict[str, LockedCard] = {}
        numbered = [(n, line) for n, line in enumerate(lines[1:], start=2) if line.strip()]
        try:
            # One parse for the whole file (a parse per line took seconds for 100k cards)...
            values = json.loads("[" + ",".join(line for _, line in numbered) + "]")
        except json.JSONDecodeError:
            # ...and line by line only to say which line is broken.
            values = [_json_line(line, f"{path}:{n}") for n, line in numbered]
        for (number, line), value in zip(numbered, values, strict=True):
            where = f"{path}:{number}"
            card = LockedCard.from_json(value, where, line)
            if card.guid in cards:
                raise LockError(f"{where}: GUID {card.guid} appears twice")
            cards[card.guid] = card
        return Lock(decks, cards)

    @staticmethod
    def load(path: Path) -> Lock:
        """The lock at `path`; an empty one when the file does not exist yet."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return Lock()
        except (OSError, UnicodeDecodeError) as error:
            raise LockError(f"{path}: cannot be read: {error}") from None
        return Lock.parse(text, path)

    def save(self, path: Path) -> bool:
        """Write atomically; False (and nothing written) when the file already says the same."""
        data = self.render().encode("utf-8")
        if same_bytes(path, data):
            return False
        write_atomically(path, data)
        return True


def _json_line(line: str, where: str) -> object:
    try:
        return json.loads(line)
    except json.JSONDecodeError as error:
        raise LockError(
            f"{where}: not valid JSON ({error.msg}); the lock file was edited or truncated. "
            f"Restore it from version control (git checkout -- {where.rsplit(':', 1)[0]}) and "
            "build again"
        ) from None


def _text(data: Mapping[str, object], key: str, where: str, *, allow_empty: bool = False) -> str:
    value = data[key]
    if not isinstance(value, str) or (not allow_empty and not value):
        raise LockError(f"{where}: '{key}' must be a non-empty string")
    return value


def _optional_text(data: Mapping[str, object], key: str, where: str) -> str | None:
    return _text(data, key, where) if key in data else None


def _int(data: Mapping[str, object], key: str, where: str) -> int:
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise LockError(f"{where}: '{key}' must be a whole number")
    return value


def _texts(
    data: Mapping[str, object], key: str, where: str, *, required: bool = True
) -> tuple[str, ...]:
    if not required and key not in data:
        return ()
    value = data[key]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise LockError(f"{where}: '{key}' must be a list of strings")
    return tuple(value)
