"""Identity stage: a GUID per note that stays the same from build to build.

An explicit marker in the source wins. Otherwise the GUID hashes what identifies a card to a
learner, its kind, heading path and question, but not its answer, so fixing an answer keeps
the card's review history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import genanki

from builder.diagnostics import Diagnostic, Severity
from builder.model import QA, Cloze, MultipleChoice, Note, TaggedCard
from builder.transforms.dedupe import normalize_text


def identity_key(card: TaggedCard) -> tuple[str, ...]:
    """The values a card's GUID is computed from."""
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


@dataclass(frozen=True, slots=True)
class IdentityOutcome:
    """Notes with GUIDs, and the cards whose identity is ambiguous."""

    notes: tuple[Note, ...]
    diagnostics: tuple[Diagnostic, ...]


def assign_identities(cards: Sequence[TaggedCard]) -> IdentityOutcome:
    """Every card's GUID; a second card with the same key gets a numbered one, and a warning."""
    seen: dict[tuple[str, ...], int] = {}
    first_source: dict[tuple[str, ...], str] = {}
    notes: list[Note] = []
    diagnostics: list[Diagnostic] = []
    for card in cards:
        key = identity_key(card)
        count = seen.get(key, 0)
        seen[key] = count + 1
        source = card.card.source
        if count:
            kind = "marker" if key[0] == "marker" else "question under the same heading"
            diagnostics.append(
                Diagnostic(
                    source.path,
                    source.line,
                    Severity.WARNING,
                    "ambiguous-identity",
                    f"same {kind} as {first_source[key]}; reword one of them so each "
                    "keeps its review history when the other changes",
                )
            )
        else:
            first_source[key] = str(source)
        values = key if not count else (*key, str(count))
        notes.append(Note(card, genanki.guid_for(*values)))
    return IdentityOutcome(tuple(notes), tuple(diagnostics))
