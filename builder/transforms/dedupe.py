"""Dedupe stage: the same card found in several places becomes one note with every source."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace

from datasketch import MinHash, MinHashLSH

from builder.diagnostics import Diagnostic, Severity
from builder.model import QA, Cloze, MultipleChoice, TaggedCard


def normalize_text(text: str) -> str:
    """Text reduced to what makes two cards the same: no case, width, spacing or punctuation."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"[^\w\s]", " ", text)
    return " ".join(text.split())


def duplicate_key(card: TaggedCard) -> tuple[str, str]:
    """Cards with equal keys are duplicates: same kind, same words."""
    return card.card.kind.value, normalize_text(card.rendered.plain_text)


@dataclass(frozen=True, slots=True)
class DedupeOutcome:
    """Cards without duplicates, and a note of every merge."""

    cards: tuple[TaggedCard, ...]
    diagnostics: tuple[Diagnostic, ...]


def merge_duplicates(cards: Sequence[TaggedCard]) -> DedupeOutcome:
    """Merge cards with equal keys into the first one: tags and sources are united."""
    merged: dict[tuple[str, str], TaggedCard] = {}
    diagnostics: list[Diagnostic] = []
    for card in cards:
        key = duplicate_key(card)
        first = merged.get(key)
        if first is None:
            merged[key] = card
            continue
        merged[key] = replace(
            first,
            tags=tuple(sorted({*first.tags, *card.tags})),
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
"""Each side of two cards must share at least this share of word 3-grams to be one card."""
MINHASH_PERMUTATIONS = 64
LSH_THRESHOLD = 0.6
"""Candidate pairs come from MinHash LSH at this estimated similarity; each is then checked."""
DECISIVE_TOKEN_RE = re.compile(r"\b[A-Z][A-Z0-9]+\b|\d+(?:[.,]\d+)?")


def _shingles(text: str) -> set[str]:
    words = normalize_text(text).split()
    if len(words) < 3:
        return {" ".join(words)}
    return {" ".join(words[i : i + 3]) for i in range(len(words) - 2)}


def _jaccard(a: set[str], b: set[str]) -> float:
    return len(a & b) / len(a | b) if a | b else 1.0


def _sides(card: TaggedCard) -> tuple[str, ...]:
    """The parts of a card that must each match (a card is not its own reverse); an
    explanation or extra is not one of them."""
    content = card.card.content
    match content:
        case QA():
            return (content.front, content.back)
        case Cloze():
            return (content.text,)
        case MultipleChoice():
            right = sorted(normalize_text(c.text) for c in content.choices if c.correct)
            every = sorted(normalize_text(c.text) for c in content.choices)
            return (content.question, " | ".join(right), " | ".join(every))
    raise AssertionError(content)  # pragma: no cover - Content is a closed union


def _services(card: TaggedCard) -> set[str]:
    return {tag for tag in card.tags if tag.startswith("service::")}


def near_duplicates(a: TaggedCard, b: TaggedCard) -> bool:
    """Same fact in other words: same kind and services, same numbers and abbreviations, and
    every side (front and back, or stem, right answers and choices) worded nearly alike."""
    if a.card.kind != b.card.kind or _services(a) != _services(b):
        return False
    text_a, text_b = " ".join(_sides(a)), " ".join(_sides(b))
    # TP/(TP+FP) and TP/(TP+FN) differ only in a token that decides the fact.
    if set(DECISIVE_TOKEN_RE.findall(text_a)) != set(DECISIVE_TOKEN_RE.findall(text_b)):
        return False
    if isinstance(a.card.content, MultipleChoice):
        right_a, right_b = _sides(a)[1], _sides(b)[1]
        if right_a != right_b:
            return False
    return all(
        _jaccard(_shingles(x), _shingles(y)) >= NEAR_DUPLICATE_JACCARD
        for x, y in zip(_sides(a), _sides(b), strict=True)
    )


def _richer(a: TaggedCard, b: TaggedCard) -> TaggedCard:
    return b if len(b.rendered.plain_text) > len(a.rendered.plain_text) else a


def merge_near_duplicates(cards: Sequence[TaggedCard]) -> DedupeOutcome:
    """Merge reworded copies of the same card, found by MinHash LSH (no all-pairs comparison).

    The richest wording is kept, with the union of tags and every source.
    """
    lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=MINHASH_PERMUTATIONS)
    signatures = []
    for index, card in enumerate(cards):
        signature = MinHash(num_perm=MINHASH_PERMUTATIONS, seed=1)
        # The sides, not the explanation: one copy may explain and the other not.
        for shingle in sorted(_shingles(" ".join(_sides(card)))):
            signature.update(shingle.encode())
        signatures.append(signature)
        lsh.insert(str(index), signature)
    group_of = list(range(len(cards)))

    def find(i: int) -> int:
        while group_of[i] != i:
            group_of[i] = group_of[group_of[i]]
            i = group_of[i]
        return i

    for index, signature in enumerate(signatures):
        for neighbour in sorted(int(key) for key in lsh.query(signature)):
            if neighbour > index and near_duplicates(cards[index], cards[neighbour]):
                group_of[find(neighbour)] = find(index)
    groups: dict[int, list[int]] = {}
    for index in range(len(cards)):
        groups.setdefault(find(index), []).append(index)
    merged: list[TaggedCard] = []
    diagnostics: list[Diagnostic] = []
    # Groups in order of their first member, so the deck keeps the sources' order.
    for members in sorted(groups.values()):
        keep = cards[members[0]]
        for index in members[1:]:
            keep = _richer(keep, cards[index])
        copies = [cards[i] for i in members if cards[i] is not keep]
        if not copies:
            merged.append(keep)
            continue
        sources = (*keep.sources, *(s for copy in copies for s in copy.sources))
        tags = tuple(sorted({*keep.tags, *(t for copy in copies for t in copy.tags)}))
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
    return DedupeOutcome(tuple(merged), tuple(diagnostics))
