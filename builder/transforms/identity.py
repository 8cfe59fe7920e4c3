"""Identity stage: a GUID per note that stays the same from build to build.

In order: an explicit marker in the source (`^block-id`, `<!--ID: …-->`, the flashcards
frontmatter map); else the GUID the lock file recorded for the same card, found the way git
finds renames: exactly first (same kind, question and answer: a card moved to another
section or file, or a renamed file), then by similarity (an edited answer, a reworded
question); else a new GUID from the card's kind, heading path and question.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import genanki
import numpy as np

from builder.collector import collector_paused
from builder.diagnostics import Diagnostic, Severity
from builder.lock import Lock, LockedCard
from builder.model import QA, Cloze, MultipleChoice, Note, TaggedCard
from builder.record import Record
from builder.transforms.dedupe import normalize_text
from builder.transforms.minhash import LshIndex, signature

FINGERPRINT_CHARS = 2000
"""Fingerprint texts are cut here: enough to tell cards apart, and the lock stays small."""
MAX_CANDIDATES = 50
"""Lock entries scored per card at most, those sharing the most LSH bands first."""
CANDIDATE_ROWS = 2
"""MinHash LSH with 2 rows a band finds lock entries 40% alike 99.6% of the time; each
candidate is then scored."""
CONTEXT_SEPARATOR = " › "


@dataclass(frozen=True, slots=True)
class Fingerprint(Record):
    """What identifies a card to a learner, normalized for comparison."""

    kind: str
    front: str
    back: str
    context: str
    path: str


def fingerprint(card: TaggedCard) -> Fingerprint:
    """The card's question and answer as normalized text, and where it sits."""
    source_card = card.card
    content = source_card.content
    match content:
        case QA():
            front, back = content.front, content.back
        case Cloze():
            front, back = content.text, content.extra
        case MultipleChoice():
            front = content.question
            back = " | ".join(c.text for c in content.choices if c.correct)
    return Fingerprint(
        source_card.kind.value,
        normalize_text(front)[:FINGERPRINT_CHARS],
        normalize_text(back)[:FINGERPRINT_CHARS],
        CONTEXT_SEPARATOR.join(source_card.context),
        source_card.source.path,
    )


def identity_key(card: TaggedCard) -> tuple[str, ...]:
    """The values a new card's GUID is computed from."""
    source_card = card.card
    if source_card.marker:
        return ("marker", source_card.marker)
    match source_card.content:
        case QA():
            question = source_card.content.front
            family = "qa"
        case Cloze():
            question = source_card.content.text
            family = "cloze"
        case MultipleChoice():
            question = source_card.content.question
            family = "mc"
    context = normalize_text(" / ".join(source_card.context))
    return ("card", family, context, normalize_text(question))


def new_guid(key: tuple[str, ...]) -> str:
    """The GUID a card with this `identity_key` gets when no other card has it."""
    return genanki.guid_for(*key)  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class IdentityOutcome:
    """Notes with GUIDs, how each was found, and the cards whose identity is ambiguous."""

    notes: tuple[Note, ...]
    diagnostics: tuple[Diagnostic, ...]
    matched: tuple[str, ...] = ()
    """Per note: `marker`, `lock`, `lock-similar` or `new`."""


def _words(text: str) -> set[str]:
    return set(text.split())


def _jaccard(a: str, b: str) -> float:
    words_a, words_b = _words(a), _words(b)
    if not words_a and not words_b:
        return 1.0
    return len(words_a & words_b) / len(words_a | words_b)


def match_score(card: Fingerprint, entry: LockedCard) -> float | None:
    """How surely a locked card is this card (0–1), or None when it cannot be.

    The question counts most: a card whose question is unchanged is the same card with an
    edited answer; a reworded question must keep most words and most of its answer.
    """
    if card.kind != entry.kind:
        return None
    front = 1.0 if card.front == entry.front else _jaccard(card.front, entry.front)
    back = 1.0 if card.back == entry.back else _jaccard(card.back, entry.back)
    answer_words = len(_words(card.back))
    if not (
        front == 1.0
        or (front >= 0.6 and back >= 0.5)
        or (back == 1.0 and answer_words >= 3 and front >= 0.4)
    ):
        return None
    entry_path = entry.source.rsplit(":", 1)[0]
    place = 1.0 if card.context == entry.context else 0.5 if card.path == entry_path else 0.0
    return 0.6 * front + 0.3 * back + 0.1 * place


def _distance(card: Fingerprint, entry: LockedCard) -> tuple[bool, bool]:
    """How far a locked card sits from this one: other heading, other file."""
    return card.context != entry.context, card.path != entry.source.rsplit(":", 1)[0]


def _signature(front: str, back: str) -> np.ndarray:
    return signature(_words(front) | _words(back))


def match_lock(
    prints: Sequence[Fingerprint | None], lock: Lock, taken: set[str]
) -> dict[int, tuple[str, str]]:
    """Card index → (GUID, how) for cards the lock knows; `None` prints are skipped.

    Exact matches first (a moved card or renamed file), then the best-scoring pairs by
    similarity, each lock entry used once. Candidates come from indexes and MinHash LSH,
    never from comparing every pair.
    """
    free = {guid: entry for guid, entry in lock.cards.items() if guid not in taken}
    found: dict[int, tuple[str, str]] = {}
    # Unsorted: of several equal entries, the choice below is by place, then GUID.
    exact: dict[tuple[str, str, str], list[LockedCard]] = {}
    for entry in free.values():
        exact.setdefault((entry.kind, entry.front, entry.back), []).append(entry)
    for index, card in enumerate(prints):
        if card is None:
            continue
        entries = exact.get((card.kind, card.front, card.back))
        if not entries:
            continue
        if len(entries) == 1:
            # The usual case, one equal entry: no choice to make.
            best = entries[0]
            del exact[(card.kind, card.front, card.back)]
        else:
            # Several equal cards: the one in the same place, then the same file.
            _, best = min(((_distance(card, e), e.guid), e) for e in entries)
            entries.remove(best)
        found[index] = (best.guid, "lock")
        del free[best.guid]
    if not free:
        return found
    by_front: dict[tuple[str, str], list[str]] = {}
    lsh: LshIndex[str] = LshIndex(rows=CANDIDATE_ROWS)
    for guid, entry in sorted(free.items()):
        by_front.setdefault((entry.kind, entry.front), []).append(guid)
        lsh.insert(guid, lsh.band_keys(_signature(entry.front, entry.back), entry.kind.encode()))
    pairs: list[tuple[float, int, str]] = []
    for index, card in enumerate(prints):
        if card is None or index in found:
            continue
        candidates = set(by_front.get((card.kind, card.front), []))
        # Templated notes can make hundreds of entries candidates; the most alike are enough,
        # and scoring them all would grow with the square of the changed cards.
        keys = lsh.band_keys(_signature(card.front, card.back), card.kind.encode())
        candidates.update(lsh.query_ranked(keys, MAX_CANDIDATES))
        for guid in sorted(candidates):
            score = match_score(card, free[guid])
            if score is not None:
                pairs.append((score, index, guid))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    for _, index, guid in pairs:
        if index in found or guid not in free:
            continue
        found[index] = (guid, "lock-similar")
        del free[guid]
    return found


def assign_identities(
    cards: Sequence[TaggedCard],
    lock: Lock | None = None,
    fingerprint_of: Callable[[TaggedCard], Fingerprint] = lambda card: fingerprint(card),
    key_of: Callable[[TaggedCard], tuple[str, ...]] = lambda card: identity_key(card),
    guid_of: Callable[[TaggedCard], str] | None = None,
) -> IdentityOutcome:
    """Every card's GUID: marker, else lock file, else new (numbered, with a warning, when
    two cards would get the same one). `guid_of` gives `new_guid` of a card's key, when
    worked out already; else it is worked out here."""
    # A note, a list or a tuple per card: with the collector running, it looked again and
    # again at what the build holds (0.1 s of 0.5 s for 100k cards).
    with collector_paused():
        return _assign_identities(cards, lock or Lock(), fingerprint_of, key_of, guid_of)


def _assign_identities(
    cards: Sequence[TaggedCard],
    lock: Lock,
    fingerprint_of: Callable[[TaggedCard], Fingerprint],
    key_of: Callable[[TaggedCard], tuple[str, ...]],
    guid_of: Callable[[TaggedCard], str] | None,
) -> IdentityOutcome:
    guids: list[str | None] = [None] * len(cards)
    how: list[str] = ["new"] * len(cards)
    diagnostics: list[Diagnostic] = []
    by_marker = {e.marker: e.guid for e in lock.cards.values() if e.marker}
    keys = [key_of(card) for card in cards]

    def base_guid(index: int) -> str:
        # From the per-file stage when it worked it out (in parallel, and cached): the hash
        # of every new card's key here took 0.3 s of this stage's 0.4 s for 100k cards.
        return guid_of(cards[index]) if guid_of is not None else new_guid(keys[index])

    first_of: dict[tuple[str, ...], int] = {}
    for index, key in enumerate(keys):
        first = first_of.setdefault(key, index)
        if first != index:
            source = cards[index].card.source
            kind = "marker" if key[0] == "marker" else "question under the same heading"
            diagnostics.append(
                Diagnostic(
                    source.path,
                    source.line,
                    Severity.WARNING,
                    "ambiguous-identity",
                    f"same {kind} as {cards[first].card.source}; reword one of them so each "
                    "keeps its review history when the other changes",
                )
            )
        elif key[0] == "marker":  # the key of a card with a marker is its marker
            guids[index] = by_marker.get(key[1]) or base_guid(index)
            how[index] = "marker"
    taken = {g for g in guids if g}
    prints = [None if guids[i] else fingerprint_of(card) for i, card in enumerate(cards)]
    for index, (guid, found_how) in match_lock(prints, lock, taken).items():
        guids[index], how[index] = guid, found_how
    used = {g for g in guids if g} | set(lock.cards)
    for index in [i for i, g in enumerate(guids) if not g]:
        key = keys[index]
        guid, n = base_guid(index), 0
        while guid in used:
            n += 1
            guid = new_guid((*key, str(n)))
        guids[index] = guid
        used.add(guid)
    notes = tuple(Note(card, guid or "") for card, guid in zip(cards, guids, strict=True))
    return IdentityOutcome(notes, tuple(diagnostics), tuple(how))
