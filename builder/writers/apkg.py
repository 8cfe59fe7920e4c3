"""Package writer: one `.apkg` per top-level deck and version, byte-reproducible and atomic.

The same notes, lock file and build time give the same bytes: note and card ids come from
GUIDs, every note carries its own modification time, media are stored in name order, and
the ZIP entries have fixed times and attributes. A released version is never overwritten
with different content, and a file of it with the same content in other bytes is kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import shutil
import sqlite3
import struct
import sys
import tempfile
import unicodedata
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from itertools import chain, repeat
from operator import attrgetter, itemgetter, methodcaller
from pathlib import Path
from typing import Any

import genanki
from genanki.apkg_col import APKG_COL
from genanki.apkg_schema import APKG_SCHEMA

from builder.cache import BUILDER_CODE
from builder.model import CardKind
from builder.outputs import FileState, file_state, same_bytes, write_atomically
from builder.release import DeckRelease, PackagedNote
from builder.writers.notetypes import note_type_for

ZIP_EARLIEST = 315_532_800
"""1980-01-01, the earliest time a ZIP entry can carry."""
COLLECTION = "collection.anki2"
"""The package's entry that holds the collection."""
ZIP_LEVEL = 1
"""zlib's fastest level: the collection of 100k cards (117 MB) is zipped in 0.46 s rather
than 1.4 s at the default level 6, into 24 MB rather than 19 MB."""


class ReleaseExistsError(Exception):
    """A package of this version already exists with other content."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True, slots=True)
class PackageInfo:
    """One package the build wrote (or found already written with the same content)."""

    deck: str
    """Top-level deck name."""
    slug: str
    """Deck name as a file name."""
    version: str
    """The deck's version, as in the file name."""
    path: Path
    """The `.apkg` file."""
    notes: tuple[PackagedNote, ...]
    """Notes in the package, retired ones included."""
    written: bool
    """False when the package already existed with the same content and was kept as it was."""
    state: FileState | None = None
    """The file's `file_state` as the build wrote it or found it the same; None when not
    known (it changed while it was compared)."""


def slugify(name: str) -> str:
    """`AWS ML Specialty` → `aws-ml-specialty`."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-") or "deck"


def stable_id(*parts: str) -> int:
    """An Anki object id derived from names, the same in every build."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return (1 << 30) + int.from_bytes(digest[:4], "big") % (1 << 30)


def object_id(*parts: str) -> int:
    """A note or card id derived from its GUID: in the range of Anki's millisecond ids, so it
    sorts like one, and the same in every build. Anki gives an imported note a new id when
    this one is taken in the collection."""
    digest = hashlib.sha256("\x1f".join(parts).encode()).digest()
    return 1_000_000_000_000 + int.from_bytes(digest[:8], "big") % 900_000_000_000


_DIGEST = methodcaller("digest")
_FIRST_EIGHT = struct.Struct(">Q").unpack_from
"""The first eight bytes of a digest as a big-endian number, as `object_id` reads them."""


def _object_ids(keys: Iterable[tuple[str, ...]]) -> list[int]:
    """`object_id(*key)` for each key, the same numbers made in bulk: the joining, encoding,
    hashing and reading of each digest run in C (`map`), where a call per key took twice
    the time for the 180k notes and cards of a 100k-card deck."""
    digests = map(_DIGEST, map(hashlib.sha256, map(str.encode, map("\x1f".join, keys))))
    return [1_000_000_000_000 + n % 900_000_000_000 for (n,) in map(_FIRST_EIGHT, digests)]


def unique_ids(keys: Sequence[tuple[str, ...]], id_of: Callable[..., int] = object_id) -> list[int]:
    """`id_of(*key)` for each key, made unique: an id is the primary key of its table.

    Ids are hashes into 900 billion values: in about one deck of 100k cards in a hundred,
    two notes or two cards would share one, and every build of that deck would fail. Of
    the keys that share an id, the first in key order keeps it; each other one takes
    `id_of(*key, "1")` (or "2", …), the first of them that no key has. Every id no other
    key shares stays what it always was; Anki finds an imported note by its GUID, whatever
    its id."""
    ids = _object_ids(keys) if id_of is object_id else [id_of(*key) for key in keys]
    if len(set(ids)) == len(ids):
        return ids
    if len(set(keys)) != len(keys):
        twice = sorted(key for key, n in Counter(keys).items() if n > 1)[0]
        raise ValueError(f"two notes or cards of one package have the same key: {twice}")
    shared = {i for i, n in Counter(ids).items() if n > 1}
    taken = set(ids)
    kept: set[int] = set()
    for index in sorted((i for i, one in enumerate(ids) if one in shared), key=keys.__getitem__):
        if ids[index] not in kept:
            kept.add(ids[index])
            continue
        n = 1
        while (other := id_of(*keys[index], str(n))) in taken:
            n += 1
        ids[index] = other
        taken.add(other)
    return ids


def package_path(out_dir: Path, release: DeckRelease) -> Path:
    return out_dir / f"{slugify(release.deck)}-{release.version}.apkg"


def card_ordinals(model: Any, note: PackagedNote) -> list[int]:
    """The cards a note has, as genanki decides them: for a front/back type, each template
    whose required fields are filled (the type's `req`, computed once); for a cloze type,
    genanki itself counts the cloze numbers."""
    if model.model_type == genanki.Model.CLOZE:
        shape = genanki.Note(model=model, fields=list(note.fields), guid=note.guid)
        return [card.ord for card in shape.cards]
    return [
        ordinal
        for ordinal, mode, required in model._req
        if (any if mode == "any" else all)(note.fields[i] for i in required)
    ]


NOTE_ROW = "INSERT INTO notes VALUES(?,?,?,?,-1,?,?,?,0,0,'')"
CARD_ROW = "INSERT INTO cards VALUES(?,?,?,?,?,-1,0,0,0,0,0,0,0,0,0,0,0,'')"
"""The columns the same in every row (usn -1, a new card never reviewed) are constants of
the statement rather than parameters: stored as the same integers and empty text, without
binding 13 values per card (at 100k cards the cards went in 15% faster)."""

SCRATCH_PRAGMAS = (
    "PRAGMA journal_mode=MEMORY",
    "PRAGMA synchronous=OFF",
    "PRAGMA cache_size=-262144",
)
"""The collection is a scratch file read back once written: no journal file, no flush to
disk, and its pages kept in memory (up to 256 MiB) rather than spilled to the file and read
back while the rows go in; at 100k cards each of these saved a good part of the insert
time. None is stored in the file or changes its bytes: the header says rollback journal
either way, and the change counter counts the same transactions."""


def _note_rows(
    notes: Sequence[PackagedNote], ids: Sequence[int], models: Mapping[CardKind, Any]
) -> Iterator[tuple[Any, ...]]:
    """The notes' rows, made one at a time as SQLite takes them (`ids` are their note ids,
    `models` the note type of each kind); the columns the same in every row are in the
    statement (`NOTE_ROW`)."""
    of_kind = {kind: (model.model_id, model.sort_field_index) for kind, model in models.items()}
    for note, note_id in zip(notes, ids, strict=True):
        model_id, sort_field = of_kind[note.kind]
        tags = " " + " ".join(note.tags) + " "  # as genanki formats them
        fields = note.fields
        yield note_id, note.guid, model_id, note.mod, tags, "\x1f".join(fields), fields[sort_field]


def _card_ordinals(
    notes: Sequence[PackagedNote], models: Mapping[CardKind, Any]
) -> list[Sequence[int]]:
    """`card_ordinals` of each note. A front/back type's cards depend only on which fields
    are filled: they are worked out once per kind and such shape, not once per note (88k
    notes of a 100k-card deck had 8 shapes)."""
    cloze = {kind for kind, model in models.items() if model.model_type == genanki.Model.CLOZE}
    by_shape: dict[tuple[CardKind, tuple[bool, ...]], Sequence[int]] = {}
    ordinals: list[Sequence[int]] = []
    for note in notes:
        if note.kind in cloze:  # genanki counts the cloze numbers of each note
            ordinals.append(card_ordinals(models[note.kind], note))
            continue
        shape = (note.kind, tuple(map(bool, note.fields)))
        if (known := by_shape.get(shape)) is None:
            known = by_shape[shape] = card_ordinals(models[note.kind], note)
        ordinals.append(known)
    return ordinals


def _insert_notes(
    cursor: sqlite3.Cursor, notes: Sequence[PackagedNote], deck_ids: Sequence[int]
) -> None:
    """Insert every note (`deck_ids` are the ids of their decks), then every card, each
    table in the order of its ids: rows that come in key order are appended to their table
    rather than put between others, which took a third less time and made the file 12%
    smaller at 100k cards than inserting each note with its cards as genanki does. The note
    rows, most of the package's bytes, are made one at a time as they go in, never all held
    at once."""
    models = {kind: note_type_for(kind).model for kind in {note.kind for note in notes}}
    guids = list(map(attrgetter("guid"), notes))
    ids = unique_ids(list(zip(repeat("note"), guids)))
    order = sorted(range(len(notes)), key=ids.__getitem__)
    in_order = list(map(notes.__getitem__, order))
    cursor.executemany(NOTE_ROW, _note_rows(in_order, list(map(ids.__getitem__, order)), models))
    # Each card as the index of its note and its ordinal, the notes in their given order.
    ordinals = _card_ordinals(notes, models)
    of_note = list(chain.from_iterable(map(repeat, range(len(notes)), map(len, ordinals))))
    card_ordinal = list(chain.from_iterable(ordinals))
    card_ids = unique_ids(
        list(zip(repeat("card"), map(guids.__getitem__, of_note), map(str, card_ordinal)))
    )
    mods = list(map(attrgetter("mod"), notes))
    cards = zip(
        card_ids,
        map(ids.__getitem__, of_note),
        map(deck_ids.__getitem__, of_note),
        card_ordinal,
        map(mods.__getitem__, of_note),
        strict=True,
    )
    # Card ids are unique: the rows sort by them alone, and by a key (not as tuples) in half
    # the time.
    cursor.executemany(CARD_ROW, sorted(cards, key=itemgetter(0)))


def _collection(release: DeckRelease, path: Path) -> None:
    """The package's collection: genanki writes the schema, decks and note types; notes and
    cards are inserted in bulk with their own modification times and GUID-derived ids
    (genanki's note-by-note writing was most of the time of a large build)."""
    by_deck: dict[str, list[PackagedNote]] = {}
    for note in release.notes:
        by_deck.setdefault(note.deck, []).append(note)
    connection = sqlite3.connect(path)
    try:
        for pragma in SCRATCH_PRAGMAS:
            connection.execute(pragma)
        cursor = connection.cursor()
        cursor.executescript(APKG_SCHEMA)
        cursor.executescript(APKG_COL)
        in_decks: list[PackagedNote] = []
        deck_ids: list[int] = []
        for name in sorted(by_deck):
            notes = by_deck[name]
            deck = genanki.Deck(stable_id("deck", name), name)
            # The deck's note types in the order its notes first use them, as genanki
            # writes them into the collection.
            for kind in dict.fromkeys(note.kind for note in notes):
                deck.add_model(note_type_for(kind).model)
            # Note types carry the time they last changed, so Anki takes a new template or CSS.
            deck.write_to_db(cursor, release.note_types_mod, iter(()))
            in_decks += notes
            deck_ids += repeat(deck.deck_id, len(notes))
        _insert_notes(cursor, in_decks, deck_ids)
        connection.commit()
    finally:
        connection.close()


def _zip_time(epoch: int) -> tuple[int, int, int, int, int, int]:
    moment = datetime.fromtimestamp(max(epoch, ZIP_EARLIEST), tz=UTC)
    return (moment.year, moment.month, moment.day, moment.hour, moment.minute, moment.second)


def _zip_entry(archive: zipfile.ZipFile, name: str, data: bytes, when: tuple[int, ...]) -> None:
    info = zipfile.ZipInfo(name, date_time=when)  # type: ignore[arg-type]
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = 0o644 << 16
    archive.writestr(info, data, compress_type=zipfile.ZIP_DEFLATED, compresslevel=ZIP_LEVEL)


def package_bytes(release: DeckRelease, media: Mapping[str, Path]) -> bytes:
    """The package file's bytes; `media` maps stored names to files (missing ones skipped)."""
    return _zipped(release, collection_bytes(release), media)


def collection_bytes(release: DeckRelease) -> bytes:
    """The bytes of the package's collection (`collection.anki2`)."""
    with tempfile.TemporaryDirectory(prefix="deckbuild-") as scratch:
        db_path = Path(scratch) / COLLECTION
        # In a thread of its own, for memory: glibc gives a thread a malloc arena of its
        # own, which hands the page cache's memory back to the system when the collection
        # is closed. Written from the main thread, the cache's ~130 MB at 100k cards stayed
        # with the process and raised the build's peak by as much.
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="collection") as worker:
            worker.submit(_collection, release, db_path).result()
        return db_path.read_bytes()


def _zipped(release: DeckRelease, collection: bytes, media: Mapping[str, Path]) -> bytes:
    """The package: the collection, the media index and the media files, zipped."""
    names = _media_names(release, media)
    when = _zip_time(max([release.note_types_mod, *(n.mod for n in release.notes)]))
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        _zip_entry(archive, COLLECTION, collection, when)
        index = json.dumps({str(n): name for n, name in enumerate(names)})
        _zip_entry(archive, "media", index.encode(), when)
        for n, name in enumerate(names):
            _zip_entry(archive, str(n), media[name].read_bytes(), when)
    return package.getvalue()


def _media_names(release: DeckRelease, media: Mapping[str, Path]) -> list[str]:
    """The stored names of the media files the package holds, in name order."""
    return sorted({name for note in release.notes for name in note.media if name in media})


def package_key(release: DeckRelease, content: str, media: Mapping[str, Path]) -> str:
    """Everything a package's bytes depend on besides its file name: `content`, the lock
    file's hash of its notes, note types and times (`LockedDeck.package`); the media it holds
    (their stored names hash their bytes); and the code that writes it: the builder's own,
    genanki, Python (zipfile), SQLite and zlib."""
    parts = [content, _media_names(release, media), BUILDER_CODE, genanki.__version__]
    parts += [sys.version, sqlite3.sqlite_version, zlib.ZLIB_RUNTIME_VERSION]
    return hashlib.sha256(json.dumps(parts).encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class PreparedPackage:
    """A package worked out in memory and checked against what is on disk, not yet written."""

    info: PackageInfo
    data: bytes | None
    """The bytes to write; None when a file with the same content is already there."""


def same_content(path: Path, data: bytes) -> bool:
    """The package file at `path` holds what the package `data` holds, though its bytes
    differ: the same entries, the same media bytes, and a collection with the same schema
    and the same rows in every table.

    The bytes of a package depend on more than its content: on how the builder lays out the
    collection and compresses it, and on the SQLite and zlib it runs with (SQLite writes its
    own version into the file). A version released by an earlier builder, or on another
    machine, is then still the same release, and is kept as it is rather than refused."""
    try:
        with (
            zipfile.ZipFile(path) as old,
            zipfile.ZipFile(io.BytesIO(data)) as new,
            tempfile.TemporaryDirectory(prefix="deckbuild-") as scratch,
        ):
            names = sorted(old.namelist())
            if names != sorted(new.namelist()) or COLLECTION not in names:
                return False
            if any(old.read(n) != new.read(n) for n in names if n != COLLECTION):
                return False
            copies = []
            for archive, name in ((old, "old.anki2"), (new, "new.anki2")):
                copy = Path(scratch) / name
                with archive.open(COLLECTION) as entry, open(copy, "wb") as out:
                    shutil.copyfileobj(entry, out, 1 << 20)
                copies.append(copy)
            return _same_rows(*copies)
    except Exception:
        # A file it cannot read, damaged in any of the ways zipfile, zlib and SQLite report
        # (bad data, an unknown compression, an encrypted entry, a truncated database), is
        # not shown to be the same: refused as other content.
        return False


SCHEMA_QUERY = "SELECT type, name, tbl_name, sql FROM {}.sqlite_master"


def _same_rows(first: Path, second: Path) -> bool:
    """Two collections with the same schema (where each table's pages lie aside) and the
    same rows in each table, compared by SQLite itself: with their rowids, so that two equal
    rows are two rows, and each value quoted, so that 1 is not 1.0 nor '1'."""
    connection = sqlite3.connect(first)
    try:
        connection.execute("ATTACH DATABASE ? AS other", (str(second),))

        def differ(query: str) -> bool:
            main, other = query.format("main"), query.format("other")
            count = f"SELECT count(*) FROM ({main} EXCEPT {other})"
            return bool(connection.execute(count).fetchone()[0]) or bool(
                connection.execute(f"SELECT count(*) FROM ({other} EXCEPT {main})").fetchone()[0]
            )

        if differ(SCHEMA_QUERY):
            return False
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM main.sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        for table in map(_quoted, tables):
            # The schemas are the same: so are the tables' columns.
            columns = [row[1] for row in connection.execute(f"PRAGMA main.table_info({table})")]
            values = ", ".join(f"quote({_quoted(column)})" for column in columns)
            if differ(f"SELECT rowid, {values} FROM {{}}.{table}"):
                return False
        return True
    finally:
        connection.close()


def _quoted(name: str) -> str:
    """An SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def _checked(release: DeckRelease, data: bytes, out_dir: Path) -> PreparedPackage:
    """A deck's package, checked against what is on disk: an existing file with the same
    content is kept as it is, a different one is an error (a released version never
    changes)."""
    path = package_path(out_dir, release)
    if path.exists():
        before = file_state(path)
        if same_bytes(path, data) or same_content(path, data):
            # Known the same only if nothing put another file there while it was compared.
            state = before if file_state(path) == before else None
            return PreparedPackage(_info(release, out_dir, written=False, state=state), None)
        raise ReleaseExistsError(
            path,
            "this version was already released with other content, and a released version "
            "is never overwritten. "
            "Was deck.lock reverted or left uncommitted? Move the file away to build it again",
        )
    return PreparedPackage(_info(release, out_dir, written=True), data)


def _info(
    release: DeckRelease, out_dir: Path, *, written: bool, state: FileState | None = None
) -> PackageInfo:
    """What the build says of a release's package file."""
    path = package_path(out_dir, release)
    slug = slugify(release.deck)
    return PackageInfo(release.deck, slug, release.version, path, release.notes, written, state)


def prepare_release(
    release: DeckRelease, media: Mapping[str, Path], out_dir: Path
) -> PreparedPackage:
    """One deck's package in memory, checked against what is on disk (`_checked`)."""
    return _checked(release, package_bytes(release, media), out_dir)


def prepare_releases(
    releases: Sequence[DeckRelease], media: Mapping[str, Path], out_dir: Path
) -> list[PreparedPackage]:
    """Every deck's package, in deck order; raises before anything is written when one of
    them would overwrite a released version."""
    return [prepare_release(release, media, out_dir) for release in releases]


@contextlib.contextmanager
def preparing(
    releases: Sequence[DeckRelease],
    media: Mapping[str, Path],
    out_dir: Path,
    kept: Mapping[Path, FileState] | None = None,
) -> Iterator[Callable[[], list[PreparedPackage]]]:
    """`prepare_releases`, the second half of it in the background while the block runs:
    the function it gives waits for the packages (and raises its `ReleaseExistsError`).
    The `kept` package files are known to be on disk as this build would write them, in
    the state given: they are kept as they are, not made again.

    The collections are made first, before the block: the Python code making their rows
    and the block's own Python work (the lock file's lines) would only take turns on the
    interpreter lock; in a 100k-card build the collection took 3.8 s beside the lines and
    2.8 s alone. Zipping is zlib, which runs without the lock, beside the block: the build
    took 0.8 s less.
    """
    kept = kept or {}
    paths = [package_path(out_dir, release) for release in releases]
    collections = [
        b"" if path in kept else collection_bytes(release)
        for path, release in zip(paths, releases, strict=True)
    ]

    def packages() -> list[PreparedPackage]:
        prepared = []
        for n, release in enumerate(releases):
            if paths[n] in kept:
                info = _info(release, out_dir, written=False, state=kept[paths[n]])
                prepared.append(PreparedPackage(info, None))
                continue
            data = _zipped(release, collections[n], media)
            collections[n] = b""  # the uncompressed collection is most of the memory here
            prepared.append(_checked(release, data, out_dir))
        return prepared

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="packages") as pool:
        pending = pool.submit(packages)
        yield pending.result


def write_prepared(prepared: Sequence[PreparedPackage]) -> list[PackageInfo]:
    """Write the packages that are not already there."""
    written = []
    for package in prepared:
        info = package.info
        if package.data is not None:
            info.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(info.path, package.data)
            info = replace(info, state=file_state(info.path))
        written.append(info)
    return written


def write_releases(
    releases: Sequence[DeckRelease], media: Mapping[str, Path], out_dir: Path
) -> list[PackageInfo]:
    """Every deck's package, in deck order."""
    return write_prepared(prepare_releases(releases, media, out_dir))
