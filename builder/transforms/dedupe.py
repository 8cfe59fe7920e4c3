"""Dedupe stage: the same card found in several places becomes one note with every source."""

from __future__ import annotations

import itertools
import re
import unicodedata
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TypeVar

import numpy as np

from builder.diagnostics import Diagnostic, Severity
from builder.model import QA, CardKind, Cloze, MultipleChoice, TaggedCard
from builder.transforms.minhash import candidate_pairs, signature_matrix

T = TypeVar("T")
THOUSANDS_RE = re.compile(r"(?<=\d),(?=\d{3}\b)")


def united_tags(keep: TaggedCard, copies: Sequence[TaggedCard]) -> tuple[str, ...]:
    """Every copy's tags, but one domain: the kept card's (a card has exactly one)."""
    tags = {*keep.tags, *(t for copy in copies for t in copy.tags)}
    return tuple(sorted(t for t in tags if not t.startswith("domain::") or t in keep.tags))


PUNCTUATION_RE = re.compile(r"[^\w\s]")
ASCII_SPACED = bytes(0x20 if PUNCTUATION_RE.match(chr(byte)) else byte for byte in range(256))
"""`PUNCTUATION_RE.sub(" ", …)` for ASCII text, as a `bytes.translate` table."""


@lru_cache(maxsize=1 << 16)
def normalize_text(text: str) -> str:
    """Text reduced to what makes two cards the same: no case, width, spacing or punctuation."""
    if text.isascii():
        # The same steps, as bytes: NFKC leaves ASCII as it is and casefold is lower().
        if "," in text:
            text = THOUSANDS_RE.sub("", text)
        return " ".join(text.encode().lower().translate(ASCII_SPACED).decode().split())
    return _normalize_unicode(text)


def _normalize_unicode(text: str) -> str:
    """`normalize_text` step by step, for any text."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = THOUSANDS_RE.sub("", text)  # 500,000 is 500000
    text = PUNCTUATION_RE.sub(" ", text)
    return " ".join(text.split())


def duplicate_key(card: TaggedCard) -> tuple[str, str]:
    """Cards with equal keys are duplicates: same kind, same words."""
    return card.card.kind.value, normalize_text(card.rendered.plain_text)


@dataclass(frozen=True, slots=True)
class DedupeOutcome:
    """Cards without duplicates, and a note of every merge."""

    cards: tuple[TaggedCard, ...]
    diagnostics: tuple[Diagnostic, ...]


def merge_duplicates(
    cards: Sequence[TaggedCard],
    key_of: Callable[[TaggedCard], tuple[str, str]] = lambda card: duplicate_key(card),
) -> DedupeOutcome:
    """Merge cards with equal keys into the first one: tags and sources are united."""
    merged: dict[tuple[str, str], TaggedCard] = {}
    diagnostics: list[Diagnostic] = []
    for card in cards:
        key = key_of(card)
        first = merged.get(key)
        if first is None:
            merged[key] = card
            continue
        merged[key] = replace(
            first,
            tags=united_tags(first, [card]),
            sources=(*first.sources, *card.sources),
        )
        source = card.card.source
        diagnostics.append(
            Diagnostic(
                source.path,
                source.line,
                Severity.INFO,
                "duplicate",
                f"same card as {first.sources[0]}; merged into it",
            )
        )
    return DedupeOutcome(tuple(merged.values()), tuple(diagnostics))


NEAR_DUPLICATE_JACCARD = 0.7
"""Each side of two cards must share at least this share of word 3-grams to be one card..."""
REWORDED_WORDS, REWORDED_JACCARD = 0.8, 0.4
"""...or this share of its words, with word order mostly kept (3-grams), when a few words
were swapped for others (a 40-word stem with three words changed keeps only 0.55 of 3-grams)."""
COMMON_SHINGLE_CARDS = 20
"""A word pair found on more cards than this (or 0.5% of them) is left out of the LSH."""
LSH_ROWS = 3
"""Candidate pairs come from MinHash LSH over the sides' word pairs, 3 rows a band (pairs
half alike are found 94% of the time); each candidate is then checked side by side."""
CLOZE_ANSWER_RE = re.compile(r"\{\{c\d+::(.*?)(?:::[^{}]*)?\}\}", re.S)
NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
DECISIVE_TOKEN_RE = re.compile(rf"\b[A-Z][A-Z0-9]+\b|{NUMBER_RE.pattern}")


def _decisive(text: str) -> set[str]:
    """Abbreviations and numbers: one of them decides the fact (TP/(TP+FP) vs TP/(TP+FN))."""
    return {_compact(token) for token in DECISIVE_TOKEN_RE.findall(text)}


def _compact(token: str) -> str:
    return normalize_text(token).replace(" ", "")


def _vocabulary(text: str) -> frozenset[str]:
    """Words, and numbers written whole (`0.5` as one token), in normalized form."""
    return _words(text) | {_compact(n) for n in NUMBER_RE.findall(text)}


def _tokens_agree(a: str, b: str) -> bool:
    """No abbreviation or number was swapped for another (FP for FN, 30 days for 90); one
    copy may add one ("an ML engineer" for "a data scientist"), whatever the case."""
    return not (_decisive(a) - _vocabulary(b) and _decisive(b) - _vocabulary(a))


def pair_hashes(sides: tuple[str, ...]) -> np.ndarray:
    """The hashed word pairs of a card's sides: what near-duplicate candidates are found by.

    Word pairs are selective enough that cards merely sharing common words are not candidates,
    loose enough that a copy with a few words swapped still is. A text of one word gives that
    word. Hashed as `minhash.shingle_hashes` does (the CRC-32 of the UTF-8 text, sorted).
    Normalized text is words between single spaces, and UTF-8 puts no space byte inside a
    character, so its bytes split into the words' bytes.

    The sides are normalized one by one: the words are the same (no step reaches over the
    space between two sides: NFKC composes nothing with a space, the thousands separator
    needs digits on both sides of its comma, the other steps go character by character),
    and the question's normalized text is already in `normalize_text`'s cache (from
    `fingerprint`). Pairs are built and hashed by `map`, in C. Both took pair_hashes from
    16.2 to 14.3 µs a card (before, each word's CRC-32 was continued with the next word in
    a Python loop, and the sides were normalized again joined)."""
    words = " ".join(map(normalize_text, sides)).encode().split()
    if len(words) < 2:
        hashes = {zlib.crc32(word) for word in words}
    else:
        hashes = set(map(zlib.crc32, map(b" ".join, itertools.pairwise(words))))
    found = np.fromiter(hashes, dtype=np.uint64, count=len(hashes))
    found.sort()
    return found


@lru_cache(maxsize=1 << 18)
def _words(text: str) -> frozenset[str]:
    return frozenset(normalize_text(text).split())


def _similar(a: str, b: str) -> bool:
    """One side of two cards says the same in nearly the same words."""
    if a == b:
        # The usual case for the right answers and choices of two copies of a question:
        # 3-grams alike by definition, without working out those of a long list of choices.
        return True
    three = _jaccard(_shingles(a), _shingles(b))
    if three >= NEAR_DUPLICATE_JACCARD:
        return True
    return three >= REWORDED_JACCARD and _jaccard(_words(a), _words(b)) >= REWORDED_WORDS


@lru_cache(maxsize=1 << 18)
def _shingles(text: str) -> frozenset[tuple[str, ...]]:
    """Word 3-grams, as tuples of words (joining them into strings cost more than the rest);
    a text of fewer words is one shorter tuple, so never equal to a 3-gram."""
    words = normalize_text(text).split()
    if len(words) < 3:
        return frozenset({tuple(words)})
    return frozenset(zip(words, words[1:], words[2:], strict=False))


def _jaccard(a: frozenset[T], b: frozenset[T]) -> float:
    shared = len(a & b)
    union = len(a) + len(b) - shared
    return shared / union if union else 1.0


def card_sides(card: TaggedCard) -> tuple[str, ...]:
    """The parts of a card that must each match (a card is not its own reverse); an
    explanation or extra is not one of them."""
    content = card.card.content
    match content:
        case QA():
            return (content.front, content.back)
        case Cloze():
            hidden = sorted(normalize_text(h) for h in CLOZE_ANSWER_RE.findall(content.text))
            return (content.text, " | ".join(hidden))
        case MultipleChoice():
            right = sorted(normalize_text(c.text) for c in content.choices if c.correct)
            every = sorted(normalize_text(c.text) for c in content.choices)
            return (content.question, " | ".join(right), " | ".join(every))
    raise AssertionError(content)  # pragma: no cover - Content is a closed union


ServicesOf = Callable[[str], set[str]]
"""The services a text names (the tagger's alias search)."""


def near_duplicates(a: TaggedCard, b: TaggedCard, services_of: ServicesOf | None = None) -> bool:
    """Same fact in other words: same kind, same services on the sides, same numbers and
    abbreviations, and every side (front and back, or stem, right answers and choices) worded
    nearly alike. Services come from the sides, not the explanation, which one copy may lack."""
    return _near(a, b, card_sides(a), card_sides(b), services_of)


def _near(
    a: TaggedCard,
    b: TaggedCard,
    sides_a: tuple[str, ...],
    sides_b: tuple[str, ...],
    services_of: ServicesOf | None,
) -> bool:
    kind = a.card.kind
    return kind == b.card.kind and _alike(a, b, sides_a, sides_b, kind, services_of)


def _alike(
    a: TaggedCard,
    b: TaggedCard,
    sides_a: tuple[str, ...],
    sides_b: tuple[str, ...],
    kind: CardKind,
    services_of: ServicesOf | None,
) -> bool:
    """`_near` for two cards of one kind."""
    if (kind is CardKind.MULTIPLE_CHOICE or kind is CardKind.CLOZE) and sides_a[1] != sides_b[1]:
        return False  # other right answers or other hidden words: another fact
    for side_a, side_b in zip(sides_a, sides_b, strict=True):
        if not _similar(side_a, side_b):
            return False
    text_a, text_b = " ".join(sides_a), " ".join(sides_b)
    if not _tokens_agree(text_a, text_b):
        return False
    if services_of is not None:
        # A subset, not equality: a lowercased copy loses abbreviations such as SG and VPC.
        named_a, named_b = services_of(text_a), services_of(text_b)
        return named_a <= named_b or named_b <= named_a
    return {t for t in a.tags if t.startswith("service::")} == {
        t for t in b.tags if t.startswith("service::")
    }


def _group_numbers(kinds: Sequence[CardKind], sides: Sequence[tuple[str, ...]]) -> np.ndarray:
    """Each card's LSH group: only cards of one kind, and for questions and clozes only those
    with the same right answers or hidden words, can be near-duplicates, so LSH never pairs
    the others.

    A group is a number for this run only: the index of the first card with the card's
    (kind, right answers), so equal exactly for equal values. `_spread` makes it a bucket
    key's first value. A SHA-256 of each card's values, as before, took 0.085 s for 100k
    cards; this takes 0.011 s (a dict a kind, keyed by the text alone: a key with the kind in
    it is hashed by `Enum.__hash__`, in Python). The candidates depend only on which cards
    share a group."""
    firsts: dict[CardKind, dict[str, int]] = {kind: {} for kind in CardKind}
    answered = CardKind.MULTIPLE_CHOICE, CardKind.CLOZE  # looked up once, not once a card
    numbers = [
        firsts[kind].setdefault(card[1] if kind in answered else "", index)
        for index, (kind, card) in enumerate(zip(kinds, sides, strict=True))
    ]
    return np.array(numbers, dtype=np.intp)


def _candidates(
    hashes: Sequence[np.ndarray], groups: np.ndarray, limit: int
) -> list[tuple[int, int]]:
    """`candidate_pairs` of the cards' signatures (of their `_rare_pairs`) in their `groups`
    (`_group_numbers`), with LSH run only over the cards that share a group.

    A card alone in its group, such as a question whose right answers no other question has
    (71k of 89.5k cards in the synthetic 100k deck), is never a candidate (but through a
    64-bit collision of bucket keys, and `_alike` would turn that pair down): it gets neither
    a signature nor bucket keys, which took this from 0.35 to 0.15 s there. The pairs are
    the same, in the same order, as the cards left keep their order."""
    paired = np.flatnonzero(np.bincount(groups)[groups] > 1)
    kept, sizes = _rare_pairs(hashes, limit, paired)
    signatures = signature_matrix(kept, sizes)
    del kept
    keys = _spread(groups[paired].astype(np.uint64))
    index = paired.tolist()
    return [(index[i], index[j]) for i, j in candidate_pairs(signatures, keys, LSH_ROWS)]


def _spread(values: np.ndarray) -> np.ndarray:
    """SplitMix64's finalizer: a bijection of 64-bit numbers that sends 0, 1, 2… far apart."""
    with np.errstate(over="ignore"):
        mixed = values + np.uint64(0x9E3779B97F4A7C15)
        mixed = (mixed ^ (mixed >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        mixed = (mixed ^ (mixed >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return mixed ^ (mixed >> np.uint64(31))


SLOT_BITS = 20
"""`_among` looks values up in a table of 2**20 slots (4 MB), by their low 20 bits."""


def _among(values: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    """Which of the 32-bit `values` are in `chosen` (sorted, distinct): `np.isin`, but in two
    lookups of a table by the values' low bits rather than a search in `chosen` for each
    value (in a large deck, millions of values and thousands chosen)."""
    mask = np.uint32((1 << SLOT_BITS) - 1)
    # A slot holds the one chosen value with its low bits, else a value without them.
    table = np.arange(1 << SLOT_BITS, dtype=np.uint32) ^ np.uint32(1)
    slots = chosen & mask
    table[slots] = chosen
    low = values & mask
    found = table[low] == values
    used, count = np.unique(slots, return_counts=True)
    if (count > 1).any():
        # Slots shared by several chosen values: a search for the values that fall in them.
        crowded = np.zeros(1 << SLOT_BITS, dtype=bool)
        crowded[used[count > 1]] = True
        where = np.flatnonzero(crowded[low])
        near = np.minimum(np.searchsorted(chosen, values[where]), chosen.size - 1)
        found[where] = chosen[near] == values[where]
    return found  # type: ignore[no-any-return]


def _rare_pairs(
    hashes: Sequence[np.ndarray], limit: int, among: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """The cards' word pairs without those found on more than `limit` cards, one card after
    another, and how many each card keeps; a card made only of common pairs keeps them all.
    Only the cards `among` (their indexes, in order) when given, but pairs are counted on
    every card.

    Pair hashes are CRC-32 values, so they are worked on as 32-bit numbers: half the memory."""
    sizes = np.fromiter(map(len, hashes), dtype=np.intp, count=len(hashes))
    every = np.concatenate([*hashes, np.zeros(0, np.uint32)], dtype=np.uint32, casting="same_kind")
    # A card's pairs are distinct, so a pair's count is the number of cards it is on.
    values, counts = np.unique(every, return_counts=True)
    common = values[counts > limit]
    if among is not None:
        chosen = np.zeros(sizes.size, dtype=bool)
        chosen[among] = True
        every, sizes = every[np.repeat(chosen, sizes)], sizes[among]
    rare = ~_among(every, common)
    filled = np.flatnonzero(sizes)
    starts = np.cumsum(sizes) - sizes
    some_rare = np.logical_or.reduceat(rare, starts[filled]) if filled.size else rare
    keep = rare | np.repeat(~some_rare, sizes[filled])
    kept = np.zeros(sizes.size, dtype=np.intp)
    kept[filled] = np.add.reduceat(keep, starts[filled], dtype=np.intp) if filled.size else 0
    return every[keep], kept


def _richer(a: TaggedCard, b: TaggedCard) -> TaggedCard:
    return b if len(b.rendered.plain_text) > len(a.rendered.plain_text) else a


def merge_near_duplicates(
    cards: Sequence[TaggedCard],
    services_of: ServicesOf | None = None,
    sides_of: Callable[[TaggedCard], tuple[str, ...]] = lambda card: card_sides(card),
    hashes_of: Callable[[TaggedCard], np.ndarray] | None = None,
) -> DedupeOutcome:
    """Merge reworded copies of the same card, found by MinHash LSH (no all-pairs comparison).

    The richest wording is kept, with the union of tags and every source. `hashes_of` gives a
    card's 32-bit pair hashes, as `pair_hashes` does.
    """
    sides = [sides_of(card) for card in cards]
    # The sides, not the explanation: one copy may explain and the other not.
    hashes = [
        hashes_of(card) if hashes_of else pair_hashes(card_sides)
        for card, card_sides in zip(cards, sides, strict=True)
    ]
    kinds = [card.rendered.card.kind for card in cards]
    # Word pairs on most cards ("which service", "a company wants") only make every templated
    # question a candidate of every other; what a copy shares with its original is rarer.
    limit = max(COMMON_SHINGLE_CARDS, len(cards) // 200)
    pairs = _candidates(hashes, _group_numbers(kinds, sides), limit)
    del hashes
    group_of = list(range(len(cards)))

    def find(i: int) -> int:
        while group_of[i] != i:
            group_of[i] = group_of[group_of[i]]
            i = group_of[i]
        return i

    joined: set[int] = set()
    for first, second in pairs:
        kind = kinds[first]
        if kind is kinds[second] and _alike(
            cards[first], cards[second], sides[first], sides[second], kind, services_of
        ):
            group_of[find(second)] = find(first)
            joined.update((first, second))
    in_groups = sorted(joined)
    groups: dict[int, list[int]] = {}
    for index in in_groups:
        groups.setdefault(find(index), []).append(index)
    merged: list[TaggedCard] = []
    diagnostics: list[Diagnostic] = []
    # Groups in order of their first member, so the deck keeps the sources' order; the cards
    # between them, merged with none, as they are.
    done = 0
    for index in in_groups:
        merged.extend(cards[done:index])
        done = index + 1
        members = groups[find(index)]
        if members[0] != index:
            continue
        keep = cards[index]
        for member in members[1:]:
            keep = _richer(keep, cards[member])
        copies = [cards[i] for i in members if cards[i] is not keep]
        if not copies:
            merged.append(keep)
            continue
        sources = (*keep.sources, *(s for copy in copies for s in copy.sources))
        tags = united_tags(keep, copies)
        merged.append(replace(keep, tags=tags, sources=sources))
        for copy in copies:
            source = copy.card.source
            diagnostics.append(
                Diagnostic(
                    source.path,
                    source.line,
                    Severity.INFO,
                    "near-duplicate",
                    f"same card as {keep.card.source} in other words; merged into it",
                )
            )
    merged.extend(cards[done:])
    return DedupeOutcome(tuple(merged), tuple(diagnostics))
