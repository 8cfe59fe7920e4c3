"""The normalized card model, one type per pipeline stage.

A `Card` is what a reader found (Markdown text), a `RenderedCard` has HTML fields and resolved
media, a `TaggedCard` knows its domain, tags and every source it was merged from, and a
`Note` has the identity it is packaged under.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from builder.record import Record


class CardKind(StrEnum):
    """The four kinds of card the builder makes."""

    BASIC = "basic"
    REVERSED = "reversed"
    CLOZE = "cloze"
    MULTIPLE_CHOICE = "multiple-choice"


@dataclass(frozen=True, slots=True, order=True)
class SourceRef(Record):
    """Where a card came from."""

    path: str
    """Path of the source file relative to its source root, with `/` separators."""
    line: int
    """1-based line the card starts on."""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass(frozen=True, slots=True)
class QA(Record):
    """Question and answer (Markdown)."""

    front: str
    """The prompt."""
    back: str
    """The answer."""
    reversed: bool = False
    """Also ask back → front."""


@dataclass(frozen=True, slots=True)
class Cloze(Record):
    """Text with Anki cloze deletions `{{cN::…}}` (Markdown around them)."""

    text: str
    """The text, with every deletion already in Anki's `{{cN::…}}` form."""
    extra: str = ""
    """Shown on the back under the text."""


@dataclass(frozen=True, slots=True)
class Choice(Record):
    """One option of a multiple-choice question."""

    text: str
    """The option's text (Markdown), without its letter."""
    correct: bool
    """Whether this option is one of the right answers."""


@dataclass(frozen=True, slots=True)
class MultipleChoice(Record):
    """A question with lettered options, one or more of them right (Markdown)."""

    question: str
    """The stem."""
    choices: tuple[Choice, ...]
    """The options in the order the source gives them; lettered A, B, C… in that order."""
    explanation: str = ""
    """Why the right answers are right, when the source says."""

    @property
    def answer_letters(self) -> tuple[str, ...]:
        """The letters of the right options, e.g. `("A", "C")`."""
        return tuple(choice_letter(i) for i, c in enumerate(self.choices) if c.correct)


Content = QA | Cloze | MultipleChoice

CHOOSE_RE = re.compile(
    r"\((?:choose|select|pick)\s+(?P<n>two|three|four|five|\d)\b[^)]*\)", re.IGNORECASE
)
NUMBER_WORDS = {"two": 2, "three": 3, "four": 4, "five": 5}


def expected_answer_count(question: str) -> int | None:
    """2 for "(Choose two.)", 3 for "(Select THREE)", None when the question does not say."""
    match = CHOOSE_RE.search(question)
    if match is None:
        return None
    n = match.group("n").lower()
    return int(n) if n.isdigit() else NUMBER_WORDS[n]


def choice_letter(index: int) -> str:
    """A, B, … Z, then AA, AB … for absurdly long option lists."""
    if 0 <= index < 26:  # the usual case, looked up: working it out cost ~2 µs a choice
        return string.ascii_uppercase[index]
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


_KIND_OF_CONTENT: dict[type, CardKind] = {}
"""Filled below, once the content types exist."""


@dataclass(frozen=True, slots=True)
class Card(Record):
    """A card as a reader found it: Markdown content plus where it belongs and came from."""

    content: Content
    """What the card asks and answers."""
    deck: str
    """Full deck name, `::` between subdecks."""
    source: SourceRef
    """File and line the card starts at."""
    context: tuple[str, ...] = ()
    """Heading path above the card, outermost first."""
    tags: tuple[str, ...] = ()
    """Tags the source gives (frontmatter, `#tag` on the card line)."""
    marker: str | None = None
    """Explicit identity marker in the source (`^blockid`, `<!--ID: n-->`), if any."""

    @property
    def kind(self) -> CardKind:
        """Which of the four kinds this card is, derived from its content."""
        # A table lookup, not a match statement: this is asked millions of times in a build.
        content = self.content
        if type(content) is QA:
            return CardKind.REVERSED if content.reversed else CardKind.BASIC
        return _KIND_OF_CONTENT[type(content)]


@dataclass(frozen=True, slots=True)
class MediaFile(Record):
    """A media file a card shows, resolved inside a source or media root."""

    path: Path
    """The file on disk."""
    stored_name: str
    """The name it has in the package: content-hashed, so equal names never collide."""


@dataclass(frozen=True, slots=True)
class RenderedCard(Record):
    """A card whose fields are final HTML, in the order of its note type's fields."""

    card: Card
    """The card as read."""
    fields: tuple[str, ...]
    """HTML for each field of the note type, in note-type order."""
    plain_text: str
    """The card's question and answer as plain text, for tagging and duplicate search."""
    media: tuple[MediaFile, ...] = ()
    """Media the fields reference, by stored name."""


@dataclass(frozen=True, slots=True)
class TaggedCard(Record):
    """A rendered card with its exam domain and final tags, possibly merged from duplicates."""

    rendered: RenderedCard
    """The rendered card (of the first source, when merged)."""
    domain: str
    """Exam domain id, e.g. `data-engineering`, or `unclassified`."""
    tags: tuple[str, ...]
    """Every Anki tag the note gets, sorted."""
    sources: tuple[SourceRef, ...]
    """Every place this card was found, the first being the one whose text is used."""

    @property
    def card(self) -> Card:
        """The card as read."""
        return self.rendered.card


@dataclass(frozen=True, slots=True)
class Note(Record):
    """A card ready to package: tagged, deduplicated and with a stable identity."""

    tagged: TaggedCard
    """The card."""
    guid: str
    """Anki's note GUID; the same card gets the same GUID in every build."""

    @property
    def card(self) -> Card:
        """The card as read."""
        return self.tagged.rendered.card


_KIND_OF_CONTENT.update({Cloze: CardKind.CLOZE, MultipleChoice: CardKind.MULTIPLE_CHOICE})
