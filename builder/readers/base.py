"""What every reader is: a claim on a file by sniffing its content, and a `read()`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from builder.diagnostics import Diagnostic
from builder.discover import SourceFile
from builder.model import Card


@dataclass(frozen=True, slots=True)
class ReadContext:
    """What readers need from the build besides the file."""

    default_deck: str
    """Deck for cards whose file names none (`cards-deck:` frontmatter)."""


@dataclass(frozen=True, slots=True)
class ReadResult:
    """The cards a reader found in one file and the problems it met."""

    cards: tuple[Card, ...]
    """Cards in source order."""
    diagnostics: tuple[Diagnostic, ...] = ()
    """Problems with the file, each with its line."""


class Reader(Protocol):
    """One input format."""

    name: str
    """Registry name, shown in the build report."""

    def claim(self, source: SourceFile) -> int:
        """How strongly the file looks like this format: 0 is "not mine", higher wins."""
        ...

    def read(self, source: SourceFile, context: ReadContext) -> ReadResult:
        """Every card in the file."""
        ...
