"""The lock file (`deck.lock`): each card's GUID, fingerprints, modification time and last
packaged content, and each deck's released version.

It is the memory that lets a card keep its identity when its text is edited, reworded, moved
or its file renamed, and lets a note keep its modification time while unchanged. It is
committed beside the notes, so it is written to be read in a diff: a header line, then one
JSON line per card, sorted by GUID, so one changed card is one changed line.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from operator import itemgetter
from pathlib import Path
from typing import Any

from builder.collector import collector_paused
from builder.diagnostics import BuildError
from builder.outputs import same_chunks, write_atomically

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
    line: bytes | memoryview | None = field(default=None, init=False, compare=False, repr=False)
    """The line it was read from, as UTF-8 (mostly a view into the file's bytes: no copy of
    a 100 MB file), written back as it was when nothing changed; not an argument, so a copy
    made with `dataclasses.replace` never carries a stale line."""

    def to_json(self) -> str:
        """The card's line: `json.dumps` of its fields that are not None or empty, keys
        sorted, compact separators, no ASCII escapes."""
        if self.line is not None:
            return str(self.line, "utf-8")
        # One dict, its keys put in sorted order, for an encoder made once: a dict of every
        # field, then one without the empty ones, each given to json.dumps (which makes an
        # encoder per call and sorts the keys) took 1.25 s rather than 0.8 s for the lines
        # of 100k new cards. A field added to the card must be added here.
        data: dict[str, object] = {"back": self.back, "context": self.context, "deck": self.deck}
        data["digest"] = self.digest
        if self.fields != ():
            data["fields"] = self.fields
        data["front"], data["guid"], data["kind"] = self.front, self.guid, self.kind
        if self.marker is not None:
            data["marker"] = self.marker
        if self.media != ():
            data["media"] = self.media
        data["mod"] = self.mod
        if self.retired is not None:
            data["retired"] = self.retired
        data["source"] = self.source
        if self.tags != ():
            data["tags"] = self.tags
        return "".join(_encode_in_order(data, 0))

    def encoded(self) -> bytes | memoryview:
        """`to_json` as UTF-8; the line as read when there is one, without a round trip."""
        return self.line if self.line is not None else self.to_json().encode("utf-8")

    @staticmethod
    def from_json(
        data: object, where: str, line: str | bytes | memoryview | None = None
    ) -> LockedCard:
        card = LockedCard._from_json(data, where)
        object.__setattr__(card, "line", line.encode("utf-8") if isinstance(line, str) else line)
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
_encode_in_order = c_make_encoder(None, None, encode_basestring, None, ":", ",", False, False, True)
"""`json.dumps(data, ensure_ascii=False, separators=(",", ":"))` as a list of parts, for
a dict of strings, integers and tuples of strings (keys kept in their order, no check for
cycles): the C encoder json.dumps makes for each call, made once."""


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
        return b"".join(self._chunks(self.lines())).decode("utf-8")

    def lines(self) -> list[bytes | memoryview]:
        """The file's lines, as UTF-8: the header, then the cards by GUID."""
        header = {
            HEADER_KEY: LOCK_FORMAT,
            "note": "written by anki-deck-builder: commit it with the notes; do not edit",
            "decks": {
                name: {k: v for k, v in asdict(deck).items() if v not in (None, (), [])}
                for name, deck in sorted(self.decks.items())
            },
        }
        text = json.dumps(header, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        cards = self.cards
        return [text.encode("utf-8"), *(cards[guid].encoded() for guid in sorted(cards))]

    @staticmethod
    def _chunks(lines: list[bytes | memoryview], size: int = 1 << 20) -> Iterator[bytes]:
        """The file's bytes (each line and its newline) about `size` bytes at a time: never
        the whole file at once (a large deck's is 100 MB)."""
        batch: list[bytes | memoryview] = []
        length = 0
        for line in lines:
            batch += (line, b"\n")
            length += len(line) + 1
            if length >= size:
                yield b"".join(batch)
                batch, length = [], 0
        if batch:
            yield b"".join(batch)

    @staticmethod
    def parse(text: str | bytes, path: Path) -> Lock:
        """Read a lock file (its bytes, or its text); anything unexpected is a LockError naming
        the line. Bytes that are not UTF-8 are read, and written back, as U+FFFD."""
        data = text.encode("utf-8") if isinstance(text, str) else text
        lines, others = _lines_of(data)
        # A marker starts a line, and a card's line starts with "{": only the first bytes of
        # the other lines are looked at (two searches of a 120 MB file took 0.14 s).
        if any(bytes(lines[n][:8]) in _CONFLICT_MARKERS for n in others):
            raise LockError(
                f"{path}: has merge-conflict markers; resolve them by taking one side whole "
                "(git checkout --ours/--theirs) and build again"
            )
        # `not data.strip()` without a copy of the file: isspace stops at its first "{".
        if not data or data.isspace():
            raise LockError(f"{path}: is empty")
        with collector_paused():
            return Lock._parse(lines, others, path)

    @staticmethod
    def _parse(lines: list[bytes | memoryview], others: list[int], path: Path) -> Lock:
        header = _json_line(str(lines[0], "utf-8", "replace"), f"{path}:1")
        if not isinstance(header, dict) or header.get(HEADER_KEY) != LOCK_FORMAT:
            raise LockError(f"{path}:1: not a deck.lock header (format {LOCK_FORMAT})")
        decks_data = header.get("decks", {})
        if not isinstance(decks_data, dict):
            raise LockError(f"{path}:1: 'decks' must be an object")
        decks = {}
        for name, entry in decks_data.items():
            where = f"{path}:1: deck '{name}'"
            if not isinstance(entry, dict):
                raise LockError(f"{where}: expected an object")
            try:
                decks[name] = LockedDeck(
                    version=_text(entry, "version", where),
                    note_types=_text(entry, "note_types", where),
                    note_types_mod=_int(entry, "note_types_mod", where),
                    package=_text(entry, "package", where),
                    previous=_optional_text(entry, "previous", where),
                    added=_texts(entry, "added", where, required=False),
                    changed=_texts(entry, "changed", where, required=False),
                    retired=_texts(entry, "retired", where, required=False),
                    moved=_texts(entry, "moved", where, required=False),
                )
            except KeyError as missing:
                raise LockError(f"{where}: missing key {missing}") from None
        body = lines[1:]
        numbers: Sequence[int] = range(2, len(lines) + 1)  # of the lines in `body`
        # The lines after the header that do not start as a card's (`{…`), and of them the
        # blank ones, which are skipped. Any other is none the builder writes: the file was
        # edited, and each line is then parsed on its own, so that a card split over two
        # lines and two cards joined on one, which would make as many values together, are
        # found and named.
        stray = [n for n in others if n > 0]
        blank = {n for n in stray if not bytes(lines[n]).strip()}
        edited = len(blank) < len(stray)
        del lines
        if blank:
            kept = [(n, line) for n, line in zip(numbers, body, strict=True) if n - 1 not in blank]
            body, numbers = [line for _, line in kept], [n for n, _ in kept]
            del kept
        cards: dict[str, LockedCard] = {}
        shared: dict[Any, Any] = {}
        failure: LockError | None = None
        # One json.loads per 128 lines: faster than one parse of the whole file (a parse per
        # line took seconds for 100k cards), without a copy of the file. A chunk of 128 lines
        # (180 kB for 100k synthetic cards) stays in the processor's cache while its text is
        # made, parsed and its cards checked: 0.25 s less than chunks of 4096 lines.
        for start in range(0, len(body), _CHUNK_LINES):
            end = start + _CHUNK_LINES
            chunk, values = _parse_chunk(body[start:end], numbers[start:end], path, edited)
            if failure is None:
                try:
                    _add_cards(
                        cards, zip(numbers[start:end], chunk, values, strict=True), path, shared
                    )
                except LockError as error:
                    failure = error  # a line further on that is not JSON is named first
        if failure is not None:
            raise failure
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

    def save(self, path: Path, lines: list[bytes | memoryview] | None = None) -> bool:
        """Write atomically; False (and nothing written) when the file already says the same.
        `lines` are this lock's `lines()`, when they were made already.

        Compared and written a megabyte at a time, the file's text never whole in memory.
        """
        lines = self.lines() if lines is None else lines
        if same_chunks(path, sum(map(len, lines)) + len(lines), self._chunks(lines)):
            return False
        write_atomically(path, self._chunks(lines))
        return True


def file_digest(data: bytes | None) -> str:
    """A hash of a lock file's bytes (`no lock` for none): what a build's key takes of it."""
    return "no lock" if data is None else hashlib.sha256(data).hexdigest()


def lines_digest(lines: list[bytes | memoryview]) -> str:
    """`file_digest` of the file `Lock.save` writes from these lines (each line and its
    newline), without reading it back."""
    hasher = hashlib.sha256()
    for line in lines:
        hasher.update(line)
        hasher.update(b"\n")
    return hasher.hexdigest()


_CHUNK_LINES = 128
_CONFLICT_MARKERS = (b"<<<<<<< ", b">>>>>>> ")
_REQUIRED = itemgetter(
    "guid", "kind", "deck", "source", "context", "front", "back", "digest", "mod", "fields"
)
_NO_ITEMS: list[object] = []  # never changed: what a list-valued key that is left out reads as
_ABSENT = object()  # what a key that is left out reads as, where null is wrong


def _lines_of(data: bytes) -> tuple[list[bytes | memoryview], list[int]]:
    """The file's lines, as views into `data` (no copy of a 100 MB file): split at b"\n"
    only, as the builder writes them (U+2028 or U+0085 in a card's text is written raw by
    json.dumps, and is no line break), without a "\r" a checkout may have added; and the
    index of each line that does not start with "{" (none in a lock file as written)."""
    view = memoryview(data)
    lines: list[bytes | memoryview] = []
    others: list[int] = []
    find, start, size = data.find, 0, len(data)
    while start < size:
        end = find(b"\n", start)
        end = size if end < 0 else end
        if data[start] != 0x7B:
            others.append(len(lines))
        lines.append(
            view[start : end - 1] if end > start and data[end - 1] == 0x0D else view[start:end]
        )
        start = end + 1
    return lines, others


def _parse_chunk(
    chunk: list[bytes | memoryview], numbers: Sequence[int], path: Path, by_line: bool = False
) -> tuple[list[bytes | memoryview], list[object]]:
    """The chunk's lines (as they are written back) and each line's value; a LockError
    names the first line that is not JSON. `by_line`: each line parsed on its own."""
    try:
        text = _as_array(chunk).decode("utf-8")
    except UnicodeDecodeError:
        # Not UTF-8: read as U+FFFD, as the lock's text always was, and written back so.
        chunk = [str(line, "utf-8", "replace").encode("utf-8") for line in chunk]
        text = _as_array(chunk).decode("utf-8")
    values: list[object] = []
    if not by_line:
        with contextlib.suppress(json.JSONDecodeError):
            values = json.loads(text)
    if len(values) != len(chunk):  # a broken line, or one like `1,2`: find it
        values = [
            _json_line(str(line, "utf-8"), f"{path}:{n}")
            for n, line in zip(numbers, chunk, strict=True)
        ]
    return chunk, values


def _as_array(lines: list[bytes | memoryview]) -> bytes:
    """The lines as one JSON array: `[`, the lines with "," between them, `]`; the brackets
    are added to the first and last lines rather than to a copy of the whole."""
    parts = lines.copy()
    parts[0] = b"[" + parts[0]
    parts[-1] = b"".join((parts[-1], b"]"))
    return b",".join(parts)


def _add_cards(
    cards: dict[str, LockedCard],
    numbered: Iterable[tuple[int, bytes | memoryview, object]],
    path: Path,
    shared: dict[Any, Any],
) -> None:
    """Add the card of each line to `cards`; a LockError names the first line that fails.

    A well-formed line is checked and made into its card here, in a few steps per card
    (the checks one value at a time took a second for 100k cards); any other line is left
    to LockedCard.from_json, which says what is wrong. Values that repeat from card to card
    (kind, deck, context, tags) are kept once.
    """
    setdefault = shared.setdefault
    for number, line, value in numbered:
        try:
            # The keys every card has, in one call (a `get` per key was a fifth of this);
            # a value that is not an object is a TypeError.
            guid, kind, deck, source, context, front, back, digest, mod, fields = _REQUIRED(
                value  # type: ignore[arg-type]
            )
            get = value.get  # type: ignore[attr-defined]
            tags, media = get("tags", _NO_ITEMS), get("media", _NO_ITEMS)
            marker, retired = get("marker", _ABSENT), get("retired", _ABSENT)
            if not (
                guid and kind and deck and source and digest
                and type(mod) is int and 0 <= mod <= MAX_TIME
                and type(fields) is list and type(tags) is list and type(media) is list
            ):  # fmt: skip
                raise TypeError
            # A TypeError unless every one is a string.
            "".join((guid, kind, deck, source, context, front, back, digest))
            "".join(fields), "".join(tags), "".join(media)
            if marker is _ABSENT:
                marker = None
            elif type(marker) is not str or not marker:
                raise TypeError
            if retired is _ABSENT:
                retired = None
            elif type(retired) is not str or not retired:
                raise TypeError
        except (KeyError, TypeError):
            card = LockedCard.from_json(value, f"{path}:{number}", line)
        else:
            card = LockedCard(
                guid,
                setdefault(kind, kind),
                setdefault(deck, deck),
                source,
                setdefault(context, context),
                front,
                back,
                digest,
                mod,
                tuple(fields),
                setdefault(tags := tuple(tags), tags),
                tuple(media),
                marker,
                retired,
            )
            object.__setattr__(card, "line", line)
        if cards.setdefault(card.guid, card) is not card:
            raise LockError(f"{path}:{number}: GUID {card.guid} appears twice")


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


MAX_TIME = (1 << 63) - 1
"""The largest time a package can carry: SQLite's integers are 64-bit."""


def _int(data: Mapping[str, object], key: str, where: str) -> int:
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TIME:
        raise LockError(f"{where}: '{key}' must be a whole number from 0 to {MAX_TIME}")
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
