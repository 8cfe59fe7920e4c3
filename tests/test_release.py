"""Versions, modification times, the lock file and reproducible packages."""

from __future__ import annotations

import dataclasses
import json
import random
import re
import subprocess
import time
import zipfile
from pathlib import Path

import pytest

from builder.lock import LOCKED_CARD_FIELDS, Lock, LockedCard, LockError
from builder.model import QA, Card, RenderedCard, SourceRef, TaggedCard
from builder.pipeline import BuildConfig, build
from builder.release import (
    _locked_current,
    _plain_front,
    build_time,
    card_digest,
    plan_releases,
)
from builder.transforms import identity
from builder.transforms.identity import assign_identities
from tests.conftest import FIXTURES

VAULT = FIXTURES / "vault"


def tagged(front: str, back: str, path: str = "a.md", context: tuple[str, ...] = ()) -> TaggedCard:
    card = Card(QA(front, back), "Deck", SourceRef(path, 1), context)
    return TaggedCard(
        RenderedCard(card, (front, back, "", str(card.source)), front),
        "modeling",
        (),
        (card.source,),
    )


def release(cards: list[TaggedCard], lock: Lock, now: int = 100) -> tuple[str, Lock]:
    notes = assign_identities(cards, lock).notes
    (deck,), new_lock = plan_releases(notes, lock, now)
    return deck.version, new_lock


CARDS = [
    tagged("What does Kinesis Data Firehose deliver to?", "S3, Redshift and OpenSearch"),
    tagged("How long can Kinesis Data Streams keep records?", "Up to 365 days"),
]


def test_versions_follow_what_changed() -> None:
    version, lock = release(CARDS, Lock())
    assert version == "1.0.0"
    assert release(CARDS, lock)[0] == "1.0.0"  # nothing changed: same version
    edited = [CARDS[0], tagged(CARDS[1].card.content.front, "365 days at most")]  # type: ignore[union-attr]
    assert release(edited, lock)[0] == "1.0.1"  # content only: patch
    assert release([*CARDS, tagged("What is a shard?", "A unit of capacity")], lock)[0] == "1.1.0"
    assert release(CARDS[:1], lock)[0] == "1.1.0"  # a card removed: minor
    other_types = Lock(
        {"Deck": dataclasses.replace(lock.decks["Deck"], note_types="from an older builder")},
        lock.cards,
    )
    assert release(CARDS, other_types)[0] == "2.0.0"  # note types changed: major


def test_mod_times_change_only_with_content() -> None:
    _, lock = release(CARDS, Lock(), now=100)
    _, again = release(CARDS, lock, now=500)
    assert {c.mod for c in again.cards.values()} == {100}
    edited = [CARDS[0], tagged(CARDS[1].card.content.front, "365 days at most")]  # type: ignore[union-attr]
    _, after = release(edited, lock, now=50)  # a clock behind the last build still moves on
    mods = sorted(c.mod for c in after.cards.values())
    assert mods == [100, 101]


def test_lock_matches_moved_renamed_edited_and_reworded_cards() -> None:
    cards = [
        tagged("Which service buffers records and writes them to S3?", "Kinesis Data Firehose"),
        tagged("How is recall computed from the confusion matrix?", "TP / (TP + FN)"),
        tagged("What does PCA do to correlated features?", "Projects them onto fewer axes"),
        tagged("What does a Glue crawler infer?", "The schema and partitions of data in S3"),
    ]
    lock = release(cards, Lock())[1]
    guids = {c.front: g for g, c in lock.cards.items()}
    changed = [
        tagged("Which service buffers records and writes them to S3?", "Amazon Data Firehose"),
        tagged("How is recall computed from a confusion matrix?", "TP / (TP + FN)"),
        tagged("What does PCA do to correlated features?", "Projects them onto fewer axes",
               path="moved/b.md", context=("Feature engineering",)),
        tagged("What does an AWS Glue crawler infer?", "The schema and partitions of data in S3",
               path="renamed.md"),
    ]  # fmt: skip
    outcome = assign_identities(changed, lock)
    assert [n.guid for n in outcome.notes] == list(guids.values())
    assert outcome.matched == ("lock-similar", "lock-similar", "lock", "lock-similar")
    unrelated = assign_identities([tagged("What is a cat?", "An animal")], lock)
    assert unrelated.notes[0].guid not in guids.values() and unrelated.matched == ("new",)


def test_build_time_from_source_date_epoch_then_last_commit_then_clock(tmp_path: Path) -> None:
    assert build_time(tmp_path, {"SOURCE_DATE_EPOCH": "1234567890"}) == 1234567890
    repo = tmp_path / "repo"
    repo.mkdir()
    env = {"GIT_COMMITTER_DATE": "2001-09-09T01:46:40Z", "GIT_AUTHOR_DATE": "2001-09-09T01:46:40Z"}
    for args in (["init", "-q"], ["commit", "-q", "--allow-empty", "-m", "notes"]):
        subprocess.run(
            ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
            cwd=repo, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **env}, check=True,
        )  # fmt: skip
    assert build_time(repo, {}) == 1_000_000_000
    assert abs(build_time(tmp_path / "not-a-repo", {}) - time.time()) < 60


def test_same_tree_and_epoch_give_byte_identical_compressed_packages(tmp_path: Path) -> None:
    paths = []
    for n in range(2):
        result = build(BuildConfig((VAULT,), (FIXTURES / "vault",), tmp_path / f"out{n}",
                                   build_time=1_700_000_000))  # fmt: skip
        paths.append(result.packages[0].path)
    assert paths[0].read_bytes() == paths[1].read_bytes()
    with zipfile.ZipFile(paths[0]) as archive:
        infos = archive.infolist()
        assert [i.filename for i in infos][:2] == ["collection.anki2", "media"]
        assert {i.compress_type for i in infos} == {zipfile.ZIP_DEFLATED}
        assert len({i.date_time for i in infos}) == 1


def built_once(tmp_path: Path) -> tuple[Path, Path]:
    """A folder of one note, built at time 100 into `tmp_path/out`; its lock file's path."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("## What is a shard? #card\nA unit of stream capacity.\n")
    lock_path = notes / "deck.lock"
    build(BuildConfig((notes,), (), tmp_path / "out", lock=lock_path, build_time=100))
    return notes, lock_path


def test_a_damaged_lock_file_stops_the_build_and_is_left_alone(tmp_path: Path) -> None:
    notes, lock_path = built_once(tmp_path)
    good = lock_path.read_text()
    for damaged in (
        good[: len(good) // 2],
        "<<<<<<< HEAD\n" + good + "=======\n" + good + ">>>>>>> other\n",
        good.replace('"mod":100', '"mod":"soon"'),
        "",
    ):
        lock_path.write_text(damaged)
        with pytest.raises(LockError):
            build(BuildConfig((notes,), (), tmp_path / "out2", lock=lock_path, build_time=200))
        assert lock_path.read_text() == damaged
        # Nothing written: the output folder, made before the lock was read, is empty.
        assert list((tmp_path / "out2").iterdir()) == []


def test_a_time_too_large_for_a_package_is_a_lock_error_not_a_crash(tmp_path: Path) -> None:
    notes, lock_path = built_once(tmp_path)
    good = lock_path.read_text()
    for huge in ('"mod":9223372036854775808', '"note_types_mod":99999999999999999999'):
        key = huge.split(":")[0]
        lock_path.write_text(re.sub(key + r":\d+", huge, good, count=1))
        with pytest.raises(LockError, match=r"deck.lock:\d: .*'\w+' must be a whole number from 0"):
            build(BuildConfig((notes,), (), tmp_path / "out", lock=lock_path, build_time=200))
        assert lock_path.read_text() != good


def test_a_refused_release_leaves_the_lock_file_as_it_was(tmp_path: Path) -> None:
    """The lock file is written beside the zipping only when no package file is there that
    could refuse it: a lock reverted to an older one (or deleted), with the notes edited,
    would give a released version other content; the build fails and writes no lock."""
    notes, lock_path = built_once(tmp_path)
    older = lock_path.read_text()
    (notes / "a.md").write_text("## What is a shard? #card\nA unit of read and write capacity.\n")
    second = build(BuildConfig((notes,), (), tmp_path / "out", lock=lock_path, build_time=200))
    assert [r.version for r in second.releases] == ["1.0.1"] and not second.failed
    released = {p.name: p.read_bytes() for p in (tmp_path / "out").glob("*.apkg")}
    assert sorted(released) == ["notes-1.0.0.apkg", "notes-1.0.1.apkg"]
    for reverted in (older, None):
        if reverted is None:
            lock_path.unlink()
        else:
            lock_path.write_text(reverted)
        refused = build(BuildConfig((notes,), (), tmp_path / "out", lock=lock_path, build_time=300))
        assert refused.failed
        assert [d.code for d in refused.diagnostics] == ["release-exists"]
        assert {p.name: p.read_bytes() for p in (tmp_path / "out").glob("*.apkg")} == released
        assert (lock_path.read_text() if lock_path.exists() else None) == reverted


def test_a_large_lock_file_reads_in_chunks_as_one_and_names_the_first_broken_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("builder.lock._CHUNK_LINES", 3)  # many chunks from a few cards
    cards = [tagged(f"What does service {n} do?", f"Task number {n}") for n in range(10)]
    _, lock = release(cards, Lock())
    text = lock.render()
    path = tmp_path / "deck.lock"
    parsed = Lock.parse(text.encode(), path)
    assert parsed == lock and parsed.render() == text
    lines = text.splitlines()
    # Not UTF-8, and \r\n line ends: read as they always were, as text with U+FFFD.
    odd = "\r\n".join([*lines[:4], "  ", *lines[4:]]).encode().replace(b"Task", b"T\xffsk")
    assert Lock.parse(odd, path) == Lock.parse(odd.decode("utf-8", "replace"), path)
    assert "\ufffd" in Lock.parse(odd, path).render()
    # A card that does not check out on line 3, JSON broken on line 9: line 9 is named first.
    damaged = [*lines[:2], lines[2].replace('"mod":100', '"mod":"soon"'), *lines[3:]]
    with pytest.raises(LockError, match=r"deck.lock:3: 'mod' must be a whole number"):
        Lock.parse("\n".join(damaged).encode(), path)
    damaged[8] = damaged[8][:20]
    with pytest.raises(LockError, match=r"deck.lock:9: not valid JSON"):
        Lock.parse("\n".join(damaged).encode(), path)
    damaged = [*lines[:5], lines[2], *lines[5:]]
    with pytest.raises(LockError, match=r"deck.lock:6: GUID .* appears twice"):
        Lock.parse("\n".join(damaged).encode(), path)
    assert lock.save(path) and not lock.save(path) and path.read_text() == text


def test_a_card_with_a_unicode_line_separator_keeps_a_readable_lock_file(tmp_path: Path) -> None:
    """json.dumps writes U+2028 and U+2029 raw; the lock is split at "\n" only, so the next
    build reads the line whole (split as text lines, it was "not valid JSON" on every build)."""
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text(
        "## What is a shard?\u2028Say it in one line. #card\nA unit\u2029of stream capacity.\n",
        encoding="utf-8",
    )
    lock_path = notes / "deck.lock"
    first = build(BuildConfig((notes,), (), tmp_path / "out", lock=lock_path, build_time=100))
    assert not first.failed and "\u2028" in lock_path.read_text(encoding="utf-8")
    again = build(BuildConfig((notes,), (), tmp_path / "out2", lock=lock_path, build_time=200))
    assert not again.failed
    assert [r.version for r in again.releases] == ["1.0.0"]
    assert Lock.load(lock_path).render() == lock_path.read_text(encoding="utf-8")


def test_an_unchanged_lock_entry_is_kept_only_when_every_field_is_equal() -> None:
    """plan_releases keeps the old entry (and its line) after comparing field by field: a
    field added to LockedCard and left out of that comparison would be kept stale."""
    notes = assign_identities(CARDS[:1], Lock()).notes
    (deck,), lock = plan_releases(notes, Lock(), 100)
    note, packaged = notes[0], deck.notes[0]
    old = lock.cards[note.guid]
    digest = old.digest
    assert _locked_current(old, packaged, digest, note, identity.fingerprint) is old
    for name in LOCKED_CARD_FIELDS:
        value = getattr(old, name)
        other: object = 7 if isinstance(value, int) else ("x",) if isinstance(value, tuple) else "x"
        stale = dataclasses.replace(old, **{name: other})  # type: ignore[arg-type]
        assert _locked_current(stale, packaged, digest, note, identity.fingerprint) == old, name


def test_digests_worked_out_before_plan_the_same_releases() -> None:
    """The per-file stage gives each card's digest (`digest_of`); a card it does not know
    (None: a merged one) is hashed here. Either way the releases and lock are the same."""
    notes = assign_identities(CARDS, Lock()).notes
    plain = plan_releases(notes, Lock(), 100)
    assert plan_releases(notes, Lock(), 100, digest_of=card_digest) == plain
    first = notes[0].tagged
    partly = plan_releases(
        notes, Lock(), 100, digest_of=lambda c: None if c is first else card_digest(c)
    )
    assert partly == plain


@pytest.mark.parametrize("full", [True, False])
def test_a_lock_line_is_json_dumps_of_the_fields_set(full: bool) -> None:
    """to_json builds its dict key by key: a field left out of it, or a key out of order,
    would change the lock file."""
    card = LockedCard(
        guid='g\u00e9"\\\n',
        kind="basic",
        deck="D::\u2028sub",
        source="a.md:3",
        context="A › B" if full else "",
        front='<b class="x">Q</b>\t',
        back="\x00back" if full else "",
        digest="d" * 32,
        mod=1700000000,
        fields=("f1", "f\u00e92") if full else (),
        tags=("t1", "t2") if full else (),
        media=("m.png",) if full else (),
        marker="^id" if full else None,
        retired="1.2.0" if full else None,
    )
    data = {name: getattr(card, name) for name in LOCKED_CARD_FIELDS}
    data = {k: v for k, v in data.items() if v not in (None, ())}
    expected = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    assert card.to_json() == expected
    assert set(json.loads(card.to_json())) == (
        set(LOCKED_CARD_FIELDS) if full else set(LOCKED_CARD_FIELDS) - {
            "fields", "tags", "media", "marker", "retired"
        }
    )  # fmt: skip


def test_a_card_moved_to_another_package_changes_both_versions(tmp_path: Path) -> None:
    def card(deck: str, front: str) -> TaggedCard:
        source = Card(QA(front, "an answer long enough"), deck, SourceRef("a.md", 1))
        fields = (front, "an answer long enough", "", "a.md")
        return TaggedCard(RenderedCard(source, fields, front), "modeling", (), (source.source,))

    first = [card("A", "What is one?"), card("A", "What is two?"), card("B", "What is three?")]
    notes = assign_identities(first, Lock()).notes
    _, lock = plan_releases(notes, Lock(), 100)
    moved = [card("A", "What is one?"), card("B", "What is two?"), card("B", "What is three?")]
    outcome = assign_identities(moved, lock)
    assert [n.guid for n in outcome.notes] == [n.guid for n in notes]
    releases, _ = plan_releases(outcome.notes, lock, 200)
    versions = {r.deck: (r.version, len(r.notes), len(r.moved)) for r in releases}
    assert versions == {"A": ("1.1.0", 1, 1), "B": ("1.0.1", 2, 1)}


def test_a_lock_file_that_cannot_be_written_is_a_warning_not_a_lost_build(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("## What is a shard? #card\nA unit of stream capacity.\n")
    lock_path = tmp_path / "no-such-folder" / "deck.lock"
    result = build(BuildConfig((notes,), (), tmp_path / "out", lock=lock_path, build_time=100))
    assert not result.failed and result.packages[0].path.exists()
    assert [d.code for d in result.diagnostics] == ["lock-not-written"]


def test_matching_many_changed_cards_scores_a_bounded_number_of_candidates(
    monkeypatch: pytest.MonkeyPatch,
) -> None:

    old = [
        tagged(f"What is the purpose of service number {n}?", f"It does task {n}")
        for n in range(300)
    ]
    lock = release(old, Lock())[1]
    calls = 0
    real = identity.match_score

    def counting(*args: object) -> float | None:
        nonlocal calls
        calls += 1
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(identity, "match_score", counting)
    new = [
        tagged(f"What is the purpose of tool number {n}?", f"It runs job {n}") for n in range(300)
    ]
    assign_identities(new, lock)
    assert calls <= 300 * identity.MAX_CANDIDATES


def test_a_notes_front_is_its_text_with_whitespace_collapsed_whatever_the_text() -> None:
    """_plain_front takes the text's head as it is when it is in the result's form already;
    it must give what collapsing the whitespace of the whole text gives, on every text."""
    pieces = ["word", "x", " ", "  ", "\n", "\t", "\u00a0", "\u2028", "\x1f", "é", "\u3000"]
    rng = random.Random(7)
    texts = [
        "a" * 199 + " ",
        "a" * 199 + " b",
        "a" * 199 + "  ",
        "a" * 200 + " b",
        " " + "a" * 300,
        "a " * 150,
        "word  " * 80,
        "a " * 99 + "a\nb",
        "",
        " ",
    ]
    for _ in range(3000):
        words = rng.choices(pieces, k=rng.randrange(1, 140))
        texts.append("".join(words))
    for text in texts:
        assert _plain_front(text) == " ".join(text.split())[:200], repr(text)


def test_a_lock_with_conflict_markers_or_nothing_in_it_says_so(tmp_path: Path) -> None:
    """Markers are found at the start of any line, \r\n line ends or not; marker-like text
    inside a card's line is no marker; a file of whitespace is empty."""
    _, lock = release([tagged("What is <<<<<<< a shard?", ">>>>>>> A unit")], Lock())
    text = lock.render()
    path = tmp_path / "deck.lock"
    assert Lock.parse(text.encode(), path) == lock
    header, card = text.splitlines()
    for damaged in (
        f"<<<<<<< HEAD\n{text}",
        f"{header}\n<<<<<<< HEAD\n{card}\n",
        f"{header}\r\n{card}\r\n>>>>>>> other\r\n",
        f"{header}\n{card}\n>>>>>>> ",
    ):
        with pytest.raises(LockError, match="merge-conflict markers"):
            Lock.parse(damaged.encode(), path)
    for empty in ("", " \n\t\r\n\x0b\x0c"):
        with pytest.raises(LockError, match="is empty"):
            Lock.parse(empty.encode(), path)
