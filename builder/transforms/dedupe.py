"""Dedupe stage: the same card found in several places becomes one note with every source."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace

from builder.diagnostics import Diagnostic, Severity
from builder.model import TaggedCard


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
