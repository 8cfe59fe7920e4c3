"""Release stage: each deck's next version, every note's modification time, retired cards,
and the new lock file.

Anki matches an imported note to an existing one by GUID and updates it only when the
incoming modification time is newer. So a note keeps the time its content last changed
(from the lock file); a changed note gets a time newer than any it was shipped with; and a
card removed from the notes is shipped once more, tagged `retired`, since a package cannot
delete a note.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from json.encoder import encode_basestring, encode_basestring_ascii
from operator import attrgetter
from pathlib import Path

from builder.collector import collector_paused
from builder.lock import Lock, LockedCard, LockedDeck
from builder.model import CardKind, Note, TaggedCard
from builder.transforms.identity import Fingerprint, fingerprint
from builder.writers.notetypes import note_type_for, note_types_digest

RETIRED_TAG = "retired"
FIRST_VERSION = "1.0.0"


@dataclass(frozen=True, slots=True)
class PackagedNote:
    """A note exactly as it goes into a package."""

    guid: str
    kind: CardKind
    deck: str
    fields: tuple[str, ...]
    tags: tuple[str, ...]
    mod: int
    """Modification time: when the content last changed."""
    media: tuple[str, ...]
    """Stored names of the media files the fields show."""
    source: str
    """`path:line` it came from (its last known place, for a retired card)."""
    front: str
    """Its question as plain text, for changelogs."""

    @property
    def retired(self) -> bool:
        return RETIRED_TAG in self.tags

    @property
    def digest(self) -> str:
        return note_digest(self.kind, self.deck, self.fields, self.tags)


@dataclass(frozen=True, slots=True)
class DeckRelease:
    """One top-level deck's package: version, notes, and what changed since the last one."""

    deck: str
    version: str
    previous: str | None
    """The version this one follows; None for the first release."""
    notes: tuple[PackagedNote, ...]
    """Every note of the package (retired ones included), in package order."""
    added: tuple[str, ...]
    changed: tuple[str, ...]
    retired: tuple[str, ...]
    """GUIDs retired in this version."""
    moved: tuple[str, ...]
    """GUIDs whose deck changed (existing collections keep the old deck)."""
    note_types_mod: int
    """Modification time of the note types, newer whenever they changed."""

    @property
    def by_guid(self) -> dict[str, PackagedNote]:
        return {note.guid: note for note in self.notes}


def build_time(source: Path | None = None, environ: dict[str, str] | None = None) -> int:
    """The time a changed note is stamped with: `SOURCE_DATE_EPOCH` when set, else the time
    of the last commit of the notes' repository, else now."""
    environ = dict(os.environ) if environ is None else environ
    epoch = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return int(epoch)
    if source is not None:
        try:
            done = subprocess.run(
                ["git", "log", "-1", "--format=%ct"],
                cwd=source,
                capture_output=True,
                text=True,
                timeout=10,
                check=False,
            )
            if done.returncode == 0 and done.stdout.strip().isdigit():
                return int(done.stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    return int(time.time())


def note_digest(kind: CardKind, deck: str, fields: tuple[str, ...], tags: tuple[str, ...]) -> str:
    """Hash of everything Anki stores for a note; equal digests need no update."""
    record = [kind.value, str(note_type_for(kind).model_id), deck, *fields, "\x1e", *tags]
    # The text of json.dumps(record, ensure_ascii=False), string by string: a third less time
    # than json.dumps and its encoder set up for every note.
    text = "[" + ", ".join(map(encode_basestring, record)) + "]"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


@lru_cache(maxsize=1 << 12)
def top_deck(deck: str) -> str:
    """The package a deck goes into: its top-level parent."""
    # Cached: asked twice for every card and every lock entry, of a few distinct decks.
    return deck.split("::")[0].strip()


def bump(version: str, part: str) -> str:
    major, minor, patch = (int(x) for x in version.split("."))
    if part == "major":
        return f"{major + 1}.0.0"
    if part == "minor":
        return f"{major}.{minor + 1}.0"
    return f"{major}.{minor}.{patch + 1}"


def _plain_front(text: str) -> str:
    """The first 200 characters of `text` with each run of whitespace made one space and none
    at either end: `" ".join(text.split())[:200]`."""
    head = text[:200]
    # Most texts start as the result does: words with one space between them and no other
    # whitespace (the only whitespace `isprintable` lets through is " "). Their head is the
    # result, without a split: 0.2 s less for 100k notes.
    if head.isprintable() and "  " not in head and head[:1] != " " and head[-1:] != " ":
        return head
    # The first 400 characters hold the first 200 of the result, unless they are mostly
    # spaces; the split of a long text was most of the time of this.
    front = " ".join(text[:400].split())[:200]
    return front if len(front) == 200 or len(text) <= 400 else " ".join(text.split())[:200]


def _packaged(note: Note, mod: int) -> PackagedNote:
    rendered = note.tagged.rendered
    card = rendered.card
    media = rendered.media
    return PackagedNote(
        note.guid,
        card.kind,
        card.deck,
        rendered.fields,
        note.tagged.tags,
        mod,
        # Most cards show no media: no set to sort for them.
        tuple(sorted({m.stored_name for m in media})) if media else (),
        str(card.source),
        _plain_front(rendered.plain_text),
    )


def source_path(source: str) -> str:
    """`decks/a.md:12` → `decks/a.md`."""
    path, _, line = source.rpartition(":")
    return path if path and line.isdigit() else source


def _from_lock(entry: LockedCard) -> PackagedNote:
    return PackagedNote(
        entry.guid,
        CardKind(entry.kind),
        entry.deck,
        entry.fields,
        entry.tags,
        entry.mod,
        entry.media,
        entry.source,
        entry.front[:200],
    )


FingerprintOf = Callable[[TaggedCard], Fingerprint]
DigestOf = Callable[[TaggedCard], str | None]
"""A card's `card_digest`, when worked out already (None: not known)."""


def card_digest(card: TaggedCard) -> str:
    """The `note_digest` of the note a card makes."""
    source = card.rendered.card
    return note_digest(source.kind, source.deck, card.rendered.fields, card.tags)


def _locked(
    note: PackagedNote,
    source_note: Note | None,
    retired: str | None,
    fingerprint_of: FingerprintOf = lambda card: fingerprint(card),
    digest: str | None = None,
) -> LockedCard:
    """The lock entry of a packaged note; `digest` is its `digest` when already known."""
    if source_note is not None:
        print_ = fingerprint_of(source_note.tagged)
        front, back, context = print_.front, print_.back, print_.context
        marker = source_note.card.marker
    else:
        front, back, context, marker = note.front, "", "", None
    return LockedCard(
        guid=note.guid,
        kind=note.kind.value,
        deck=note.deck,
        source=note.source,
        context=context,
        front=front,
        back=back,
        digest=note.digest if digest is None else digest,
        mod=note.mod,
        fields=note.fields,
        tags=note.tags,
        media=note.media,
        marker=marker,
        retired=retired,
    )


@dataclass(frozen=True, slots=True)
class _DeckInput:
    """What one deck's release is planned from."""

    deck: str
    current: list[tuple[PackagedNote, LockedCard | None, LockedCard]]
    """Its notes in this build, packaged, each with its old lock entry (if any) and new one."""
    gone: list[LockedCard]
    """Lock entries of the deck that no note of this build has."""
    kept: list[LockedCard]
    """Lock entries from files whose reader failed this time: shipped as they were."""
    moved_out: list[str]
    """GUIDs the lock has in this deck that now live in another top-level deck."""
    previous: LockedDeck | None
    digests: dict[str, str]
    """Each current note's digest, by GUID (worked out once)."""


def _next_version(previous: LockedDeck | None, types_digest: str, *changes: list[str]) -> str:
    added_or_removed, changed = changes
    if previous is None:
        return FIRST_VERSION
    if previous.note_types != types_digest:
        return bump(previous.version, "major")
    if added_or_removed:
        return bump(previous.version, "minor")
    if changed:
        return bump(previous.version, "patch")
    return previous.version


def _unchanged_or(old: LockedCard | None, new: LockedCard) -> LockedCard:
    """The old entry when nothing in it changed: its line is written back as it was."""
    return old if old is not None and old == new else new


def _locked_current(
    old: LockedCard | None,
    note: PackagedNote,
    digest: str,
    source_note: Note,
    fingerprint_of: FingerprintOf,
) -> LockedCard:
    """`_unchanged_or(old, _locked(note, source_note, None, fingerprint_of))`, without making
    the new entry when the old one is equal, as for most notes of a build."""
    print_ = fingerprint_of(source_note.tagged)
    if (
        old is not None
        and old.retired is None
        and old.mod == note.mod
        and old.digest == digest
        and old.guid == note.guid
        # A CardKind is a str: equal to its value, without the enum's `value` lookup.
        and old.kind == note.kind
        and old.deck == note.deck
        and old.source == note.source
        and old.context == print_.context
        and old.front == print_.front
        and old.back == print_.back
        and old.fields == note.fields
        and old.tags == note.tags
        and old.media == note.media
        and old.marker == source_note.card.marker
    ):
        return old
    # The digest is passed on: worked out again, it was a third of this stage for a first
    # build, where no note has an old entry (0.3 s for 100k notes).
    return _unchanged_or(old, _locked(note, source_note, None, lambda card: print_, digest))


def _plan_deck(
    plan: _DeckInput, now: int, cards: dict[str, LockedCard]
) -> tuple[DeckRelease, LockedDeck]:
    previous = plan.previous
    kinds = {p.kind for p, _, _ in plan.current}
    kinds |= {CardKind(e.kind) for e in (*plan.gone, *plan.kept)}
    types_digest = note_types_digest(kinds)
    added, changed, moved = [], [], list(plan.moved_out)
    for packaged, old, _ in plan.current:
        if old is None or old.retired is not None:
            added.append(packaged.guid)
        elif old.digest != plan.digests[packaged.guid]:
            changed.append(packaged.guid)
            if old.deck != packaged.deck:
                moved.append(packaged.guid)
    newly_retired = [e for e in plan.gone if e.retired is None]
    version = _next_version(
        previous, types_digest, [*added, *(e.guid for e in newly_retired), *plan.moved_out], changed
    )
    while True:
        packaged_notes = [p for p, _, _ in plan.current]
        locked = {p.guid: entry for p, _, entry in plan.current}
        for entry in plan.kept:
            locked[entry.guid] = entry
            packaged_notes.append(_from_lock(entry))
        for entry in sorted(plan.gone, key=lambda e: e.guid):
            if entry.retired is None:
                tags = tuple(sorted({*entry.tags, RETIRED_TAG}))
                retired = replace(_from_lock(entry), tags=tags, mod=max(now, entry.mod + 1))
                locked[entry.guid] = replace(
                    _locked(retired, None, version),
                    front=entry.front,
                    back=entry.back,
                    context=entry.context,
                    marker=entry.marker,
                )
                packaged_notes.append(retired)
            elif entry.retired == version:
                # Still the version that retires it: ship it again, unchanged.
                locked[entry.guid] = entry
                packaged_notes.append(_from_lock(entry))
            # Retired in an earlier version: shipped once, now dropped.
        same = previous is not None and version == previous.version
        if previous is not None and previous.note_types == types_digest:
            note_types_mod = previous.note_types_mod
        else:
            note_types_mod = max(now, previous.note_types_mod + 1) if previous else now
        ordered = _package_order(packaged_notes)
        package_digest = _package_digest(ordered, plan.digests, types_digest, note_types_mod)
        if not same or previous is None or previous.package == package_digest:
            break
        # Whatever changed, a version never gets other content: make it the next patch.
        version = bump(version, "patch")
    cards.update(locked)
    if same and previous is not None:
        history = previous
    else:
        history = LockedDeck(
            version=version,
            note_types=types_digest,
            note_types_mod=note_types_mod,
            package="",
            previous=previous.version if previous else None,
            # A first release adds everything; its changelog just counts the cards.
            added=tuple(sorted(added)) if previous is not None else (),
            changed=tuple(sorted(changed)),
            retired=tuple(sorted(e.guid for e in newly_retired)),
            moved=tuple(sorted(moved)),
        )
    release = DeckRelease(
        plan.deck,
        version,
        history.previous,
        ordered,
        history.added,
        history.changed,
        history.retired,
        history.moved,
        note_types_mod,
    )
    return release, replace(history, package=package_digest)


def _package_order(notes: Sequence[PackagedNote]) -> tuple[PackagedNote, ...]:
    """The notes in package order: by deck, live before retired, then by GUID.

    Sorted group by group, each by its GUIDs alone: the sort of every note by a tuple key
    took twice as long (0.12 s for 100k notes)."""
    groups: dict[tuple[str, bool], list[PackagedNote]] = {}
    for note in notes:
        groups.setdefault((note.deck, note.retired), []).append(note)
    return tuple(note for key in sorted(groups) for note in sorted(groups[key], key=_guid))


_guid = attrgetter("guid")


def _package_digest(
    ordered: Sequence[PackagedNote],
    digests: Mapping[str, str],
    types_digest: str,
    note_types_mod: int,
) -> str:
    """Hash of the package content: of the text of json.dumps([[guid, mod, digest], ...,
    types_digest, note_types_mod]), made as text (a list per note cost the garbage collector
    most of a second for 100k notes). `digests` has the digest of each note of this build
    by GUID, worked out already (the others, retired or kept, are worked out here)."""
    enc = encode_basestring_ascii
    parts = [
        f"[{enc(p.guid)}, {int.__repr__(p.mod)}, {enc(digests.get(p.guid) or p.digest)}]"
        for p in ordered
    ]
    parts += (enc(types_digest), int.__repr__(note_types_mod))
    return hashlib.sha256(("[" + ", ".join(parts) + "]").encode()).hexdigest()[:32]


def plan_releases(
    notes: Sequence[Note],
    lock: Lock,
    now: int,
    fingerprint_of: FingerprintOf = lambda card: fingerprint(card),
    held: frozenset[str] = frozenset(),
    digest_of: DigestOf = lambda card: None,
) -> tuple[list[DeckRelease], Lock]:
    """Every deck's release and the lock file that records it; the cards the lock has from
    the `held` files (paths whose reader failed) are kept as they were, not retired.
    `digest_of` gives a card's `card_digest` when it is known already."""
    with collector_paused():
        return _plan_releases(notes, lock, now, fingerprint_of, held, digest_of)


def _plan_releases(
    notes: Sequence[Note],
    lock: Lock,
    now: int,
    fingerprint_of: FingerprintOf,
    held: frozenset[str],
    digest_of: DigestOf,
) -> tuple[list[DeckRelease], Lock]:
    current: dict[str, list[tuple[PackagedNote, LockedCard | None, LockedCard]]] = {}
    deck_of: dict[str, str] = {}
    digests: dict[str, str] = {}
    for note in notes:
        old = lock.cards.get(note.guid)
        card = note.card
        # Mostly worked out with the card, in parallel and cached: hashing every note's
        # fields here was a quarter of this stage, in a rebuild after one change too.
        digests[note.guid] = digest = digest_of(note.tagged) or card_digest(note.tagged)
        if old is not None and old.retired is None and old.digest == digest:
            mod = old.mod
        else:
            mod = max(now, old.mod + 1) if old is not None else now
        deck_of[note.guid] = deck = top_deck(card.deck)
        packaged = _packaged(note, mod)
        # The new lock entry right away, while the note's text is still in the processor's
        # cache from its digest (made per deck after all the notes: 0.08 s more at 100k).
        entry = _locked_current(old, packaged, digest, note, fingerprint_of)
        current.setdefault(deck, []).append((packaged, old, entry))
    gone: dict[str, list[LockedCard]] = {}
    kept: dict[str, list[LockedCard]] = {}
    moved_out: dict[str, list[str]] = {}
    for entry in lock.cards.values():
        now_in = deck_of.get(entry.guid)
        if now_in is None and entry.retired is None and source_path(entry.source) in held:
            kept.setdefault(top_deck(entry.deck), []).append(entry)
        elif now_in is None:
            gone.setdefault(top_deck(entry.deck), []).append(entry)
        elif now_in != top_deck(entry.deck) and entry.retired is None:
            moved_out.setdefault(top_deck(entry.deck), []).append(entry.guid)
    releases: list[DeckRelease] = []
    cards: dict[str, LockedCard] = {}
    decks: dict[str, LockedDeck] = {}
    for deck in sorted(set(current) | set(gone) | set(kept) | set(moved_out)):
        plan = _DeckInput(
            deck,
            current.get(deck, []),
            gone.get(deck, []),
            kept.get(deck, []),
            sorted(moved_out.get(deck, [])),
            lock.decks.get(deck),
            digests,
        )
        release, decks[deck] = _plan_deck(plan, now, cards)
        releases.append(release)
    return releases, Lock(decks, cards)
