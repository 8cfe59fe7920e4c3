"""Note types are frozen, offline and script-free; packages never overwrite a different release."""

from __future__ import annotations

import io
import re
import sqlite3
import zipfile
from pathlib import Path

import pytest

from builder.lock import Lock
from builder.model import QA, Card, CardKind, RenderedCard, SourceRef, TaggedCard
from builder.release import DeckRelease, PackagedNote, plan_releases
from builder.transforms.identity import assign_identities
from builder.writers.apkg import (
    ReleaseExistsError,
    _card_ordinals,
    _object_ids,
    _same_rows,
    card_ordinals,
    object_id,
    package_bytes,
    preparing,
    same_content,
    slugify,
    stable_id,
    unique_ids,
    write_releases,
)
from builder.writers.notetypes import note_type_for, note_types
from tests.anki_import import import_package, imported_notes, open_collection

# Changing any of these forces a full sync on every user's phone: never edit this table.
FROZEN = {
    "basic": (1448822966, ("Front", "Back", "Context", "Source")),
    "basic-reversed": (1677021260, ("Front", "Back", "Context", "Source")),
    "cloze": (1822204242, ("Text", "Extra", "Context", "Source")),
    "multiple-choice": (
        1250221445,
        ("Question", "Choices", "Answer", "Explanation", "Context", "Source"),
    ),
}


def test_model_ids_and_fields_never_change() -> None:
    assert {k: (t.model_id, t.fields) for k, t in note_types().items()} == FROZEN


def test_templates_need_no_script_and_no_network() -> None:
    for note_type in note_types().values():
        model = note_type.model
        texts = [model.css] + [t[side] for t in model.templates for side in ("qfmt", "afmt")]
        for text in texts:
            assert "<script" not in text.lower()
            assert not re.search(r"https?://|@import|url\(", text)
    css = note_types()["basic"].model.css
    assert ".nightMode" in css and ".mc-back li.choice.right" in css


def release(front: str, back: str = "answer", lock: Lock | None = None) -> tuple[DeckRelease, Lock]:
    card = Card(QA(front, back), "My Deck::Sub", SourceRef("a.md", 1))
    tagged = TaggedCard(
        RenderedCard(card, (front, back, "", "a.md:1"), front), "modeling", (), (card.source,)
    )
    lock = lock or Lock()
    notes = assign_identities([tagged], lock).notes
    (deck,), new_lock = plan_releases(notes, lock, 1_700_000_000)
    return deck, new_lock


def test_same_content_is_kept_and_a_release_is_never_overwritten(tmp_path: Path) -> None:
    first, lock = release("Q1")
    written = write_releases([first], {}, tmp_path)[0]
    assert written.written and written.path.name == "my-deck-1.0.0.apkg"
    before = written.path.read_bytes()
    again = write_releases([release("Q1")[0]], {}, tmp_path)[0]
    assert (again.path, again.written) == (written.path, False)
    # The same version with other content (the lock was reverted): refused, file untouched.
    with pytest.raises(ReleaseExistsError, match="never overwritten"):
        write_releases([release("Q1", "edited answer")[0]], {}, tmp_path)[0]
    assert written.path.read_bytes() == before
    edited, _ = release("Q1", "edited answer", lock)
    assert edited.version == "1.0.1" and edited.changed
    assert write_releases([edited], {}, tmp_path)[0].path.name == "my-deck-1.0.1.apkg"
    assert not list(tmp_path.glob(".*partial"))


def rezipped(
    package: bytes, tmp_path: Path, sql: str = "", extra: dict[str, bytes] | None = None
) -> bytes:
    """The package zipped again at another level, its collection first run through `sql` and
    VACUUM with another page size (other bytes, laid out anew), with `extra` entries."""
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        entries = {name: archive.read(name) for name in archive.namelist()}
    scratch = tmp_path / "rewritten.anki2"
    scratch.write_bytes(entries["collection.anki2"])
    db = sqlite3.connect(scratch)
    try:
        db.executescript(f"{sql}; PRAGMA page_size = 1024;")
        db.commit()
        db.execute("VACUUM")
    finally:
        db.close()
    entries["collection.anki2"] = scratch.read_bytes()
    scratch.unlink()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in {**entries, **(extra or {})}.items():
            archive.writestr(name, data)
    return out.getvalue()


def test_a_release_with_the_same_content_in_other_bytes_is_kept(tmp_path: Path) -> None:
    """A package of this version made by another builder, SQLite or zlib (other layout, other
    compression) is the same release: kept as it is, neither refused nor rewritten."""
    first, _ = release("Q1")
    ours = package_bytes(first, {})
    theirs = rezipped(ours, tmp_path)
    assert theirs != ours and same_content(tmp_path / "nothing.apkg", ours) is False
    path = tmp_path / "my-deck-1.0.0.apkg"
    path.write_bytes(theirs)
    assert same_content(path, ours)
    kept = write_releases([first], {}, tmp_path)[0]
    assert (kept.path, kept.written) == (path, False)
    assert path.read_bytes() == theirs


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE notes SET flds = flds || 'x'",
        "UPDATE notes SET tags = ' other '",
        "UPDATE cards SET did = did + 1",
        "UPDATE col SET models = replace(models, 'Front', 'Fronts')",
        "INSERT INTO graves VALUES (0, 1, 0)",
        "DROP INDEX ix_cards_sched",
        "CREATE TABLE extra (x)",
    ],
)
def test_a_release_with_other_content_is_refused_whatever_its_bytes(
    tmp_path: Path, sql: str
) -> None:
    first, _ = release("Q1")
    ours = package_bytes(first, {})
    path = tmp_path / "my-deck-1.0.0.apkg"
    path.write_bytes(rezipped(ours, tmp_path, sql))
    assert not same_content(path, ours)
    with pytest.raises(ReleaseExistsError, match="never overwritten"):
        write_releases([first], {}, tmp_path)


def test_a_package_with_other_entries_or_no_package_is_other_content(tmp_path: Path) -> None:
    ours = package_bytes(release("Q1")[0], {})
    path = tmp_path / "my-deck-1.0.0.apkg"
    path.write_bytes(rezipped(ours, tmp_path, extra={"0": b"an image"}))
    assert not same_content(path, ours)
    path.write_bytes(ours[: len(ours) // 2])
    assert not same_content(path, ours)
    path.write_bytes(b"not a zip")
    assert not same_content(path, ours)


def damaged(package: bytes, how: str) -> bytes:
    """The package with its collection entry damaged, the zip still readable."""
    data = bytearray(package)
    header = data.index(b"PK\x03\x04")  # the first entry is the collection
    start = header + 30 + int.from_bytes(data[header + 26 : header + 28], "little")
    if how == "data":
        data[start + 20 : start + 60] = bytes(40)  # the deflate stream, not its header
    elif how == "method":  # a compression method zipfile does not know, in both headers
        data[header + 8 : header + 10] = (99).to_bytes(2, "little")
        central = data.index(b"PK\x01\x02")
        data[central + 10 : central + 12] = (99).to_bytes(2, "little")
    else:  # the encryption flag
        data[header + 6] |= 1
        central = data.index(b"PK\x01\x02")
        data[central + 8] |= 1
    return bytes(data)


@pytest.mark.parametrize("how", ["data", "method", "encrypted"])
def test_a_damaged_release_is_refused_not_a_crash(tmp_path: Path, how: str) -> None:
    """However the file in dist/ is damaged, the build reports release-exists for it."""
    first, _ = release("Q1")
    ours = package_bytes(first, {})
    path = tmp_path / "my-deck-1.0.0.apkg"
    path.write_bytes(damaged(rezipped(ours, tmp_path), how))
    assert not same_content(path, ours)
    with pytest.raises(ReleaseExistsError, match="never overwritten"):
        write_releases([first], {}, tmp_path)


def test_rows_are_compared_with_their_types(tmp_path: Path) -> None:
    def collection(name: str, value: object) -> Path:
        path = tmp_path / name
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE t (x)")  # no type: a value keeps the type it is given
        db.execute("INSERT INTO t VALUES (?)", (value,))
        db.commit()
        db.close()
        return path

    one = collection("int.anki2", 1)
    assert _same_rows(one, collection("int-again.anki2", 1))
    for other in (1.0, "1", b"1", None):
        assert not _same_rows(one, collection(f"{other!r}.anki2", other))


def test_packages_zipped_in_the_background_are_checked_as_in_the_foreground(
    tmp_path: Path,
) -> None:
    """`preparing` gives `package_bytes`' bytes, keeps an identical released file, and
    refuses, with its path, a release that exists with other content."""
    first, _ = release("Q1")
    expected = package_bytes(first, {})
    with preparing([first], {}, tmp_path) as prepared:
        (package,) = prepared()
    assert (package.data, package.info.written) == (expected, True)
    assert package.info.path == tmp_path / "my-deck-1.0.0.apkg"
    package.info.path.write_bytes(expected)
    with preparing([first], {}, tmp_path) as prepared:
        (kept,) = prepared()
    assert (kept.data, kept.info.written, kept.info.notes) == (None, False, first.notes)
    edited = release("Q1", "edited answer")[0]
    refusal = pytest.raises(ReleaseExistsError, match="never overwritten")
    with preparing([edited], {}, tmp_path) as prepared, refusal as refused:
        prepared()
    assert refused.value.path == package.info.path


def test_names_and_ids_are_stable() -> None:
    assert slugify("AWS ML Specialty – 2026") == "aws-ml-specialty-2026"
    assert stable_id("deck", "A::B") == stable_id("deck", "A::B") != stable_id("deck", "A::C")
    assert (1 << 30) <= stable_id("x") < (1 << 31)


def test_note_and_card_ids_come_from_guids(tmp_path: Path) -> None:
    # Released packages carry these ids: they must stay object_id's of the GUIDs.
    deck, _ = release("Q1")
    with zipfile.ZipFile(io.BytesIO(package_bytes(deck, {}))) as archive:
        collection = archive.read("collection.anki2")
    # A plain rollback-journal file: the writer's scratch settings leave no trace in it.
    assert collection[18:20] == b"\x01\x01"
    (tmp_path / "c.anki2").write_bytes(collection)
    db = sqlite3.connect(tmp_path / "c.anki2")
    try:
        notes = db.execute("SELECT id, guid FROM notes").fetchall()
        cards = db.execute("SELECT id, nid, ord FROM cards").fetchall()
    finally:
        db.close()
    (note,) = deck.notes
    assert notes == [(object_id("note", note.guid), note.guid)]
    assert cards == [(object_id("card", note.guid, "0"), object_id("note", note.guid), 0)]


def test_ids_that_two_keys_would_share_are_made_unique_the_same_way_every_time() -> None:
    def clashing(*parts: str) -> int:  # every key of two parts hashes to one of two ids
        return 10 + len(parts[1]) % 2 if len(parts) == 2 else object_id(*parts)

    keys = [("note", g) for g in ("dd", "b", "a", "c", "e")]
    ids = unique_ids(keys, clashing)
    assert len(set(ids)) == len(ids) == 5
    # The first key of each shared id keeps it; the others take their key's first free
    # suffixed id; the order the keys come in changes nothing.
    assert ids[keys.index(("note", "a"))] == 11 and ids[keys.index(("note", "dd"))] == 10
    assert ids[keys.index(("note", "b"))] == object_id("note", "b", "1")
    assert dict(zip(keys, ids, strict=True)) == dict(
        zip(keys[::-1], unique_ids(keys[::-1], clashing), strict=True)
    )
    # The same key twice is two notes with one GUID: never packaged.
    with pytest.raises(ValueError, match="the same key"):
        unique_ids([("note", "a"), ("note", "a")])
    # Keys that share nothing keep their plain ids.
    plain = [("note", g) for g in ("a", "b")]
    assert unique_ids(plain) == [object_id(*key) for key in plain]


def test_ids_made_in_bulk_are_object_ids() -> None:
    keys = [("note", "a"), ("card", "a", "0"), ("card", "ü\x1fé", "12"), ("note", "")]
    assert _object_ids(keys) == [object_id(*key) for key in keys]


def test_cards_worked_out_once_per_shape_are_each_notes_own() -> None:
    kinds = [CardKind.BASIC, CardKind.REVERSED, CardKind.CLOZE, CardKind.MULTIPLE_CHOICE]
    models = {kind: note_type_for(kind).model for kind in kinds}
    notes = []
    for kind in kinds:
        size = len(models[kind].fields)
        fills = ["x", "", "{{c1::a}} {{c2::b}}", "{{c3::c}}"]
        for n in range(3 * size):
            fields = tuple(fills[(n + i * n // size) % len(fills)] for i in range(size))
            notes.append(PackagedNote(f"g{n}", kind, "D", fields, (), 1, (), "a.md:1", "x"))
    expected = [card_ordinals(models[note.kind], note) for note in notes]
    assert [list(o) for o in _card_ordinals(notes, models)] == expected
    assert {len(o) for o in expected} >= {0, 1, 2}


def test_a_deck_whose_notes_and_cards_share_ids_still_imports_every_card(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two GUIDs whose ids clash (about one 100k-card deck in a hundred) give a package with
    unique ids that Anki imports whole, rather than a build that fails."""

    def clashing(*parts: str) -> int:  # every note's id is one id, and every card's
        unsuffixed = len(parts) == (2 if parts[0] == "note" else 3)
        return 1_000_000_000_000 if unsuffixed else object_id(*parts)

    real = unique_ids
    monkeypatch.setattr("builder.writers.apkg.unique_ids", lambda keys: real(keys, clashing))
    cards = []
    for n in range(3):
        card = Card(QA(f"Q{n}", "A"), "My Deck", SourceRef("a.md", n + 1))
        rendered = RenderedCard(card, (f"Q{n}", "A", "", f"a.md:{n + 1}"), f"Q{n}")
        cards.append(TaggedCard(rendered, "modeling", (), (card.source,)))
    notes = assign_identities(cards, Lock()).notes
    (deck,), _ = plan_releases(notes, Lock(), 1_700_000_000)
    (written,) = write_releases([deck], {}, tmp_path)
    col = open_collection(tmp_path / "anki")
    try:
        import_package(col, written.path)
        seen = sorted(note.fields["Front"] for note in imported_notes(col))
        assert (seen, col.card_count()) == (["Q0", "Q1", "Q2"], 3)
    finally:
        col.close()
