"""Tag stage: one exam domain per card and a tag per AWS service it is about.

The taxonomy (domains, services, aliases) is data: `builder/data/taxonomy.json` by default.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from builder.model import QA, Card, Cloze, MultipleChoice, RenderedCard, TaggedCard

UNCLASSIFIED = "unclassified"


@dataclass(frozen=True, slots=True)
class Domain:
    """An exam domain."""

    id: str
    """Slug used in tags, e.g. `data-engineering`."""
    name: str
    """Name as the exam guide writes it."""
    weight: int
    """Share of the exam in percent."""
    aliases: tuple[str, ...]
    """How notes name the domain in headings, decks and folders."""


@dataclass(frozen=True, slots=True)
class Service:
    """An AWS service or SageMaker feature."""

    id: str
    """Tag path below `service::`, e.g. `kinesis::data-firehose`."""
    name: str
    """Official name."""
    aliases: tuple[str, ...]
    """How people write it in notes."""
    domain: str
    """Id of the domain it mostly belongs to."""


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """Domains and services of one exam, with a matcher for service aliases."""

    domains: tuple[Domain, ...]
    services: tuple[Service, ...]

    @staticmethod
    def load(path: Path | None = None) -> Taxonomy:
        """Read a taxonomy file; the built-in one when no path is given."""
        if path is None:
            text = resources.files("builder.data").joinpath("taxonomy.json").read_text("utf-8")
        else:
            text = path.read_text("utf-8")
        data = json.loads(text)
        return Taxonomy(
            tuple(
                Domain(d["id"], d["name"], int(d["weight"]), tuple(d["aliases"]))
                for d in data["domains"]
            ),
            tuple(
                Service(s["id"], s["name"], tuple(s["aliases"]), s["domain"])
                for s in data["services"]
            ),
        )


def _alias_pattern(alias: str) -> str:
    # Abbreviations are matched as written (SG is SageMaker, "sg" in prose is not);
    # names ignore case.
    escaped = re.escape(alias).replace(r"\ ", r"[\s-]+")
    if alias.isupper() or len(alias) <= 4:
        return escaped
    # Notes write "a Kinesis data stream" as often as "Kinesis Data Streams".
    if alias.endswith("s") and not alias.endswith("ss"):
        escaped += "?"
    return f"(?i:{escaped})"


class Tagger:
    """Finds a card's domain and services."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self._service_by_alias: dict[str, Service] = {}
        entries: list[tuple[str, Service]] = []
        for service in taxonomy.services:
            for alias in service.aliases:
                entries.append((alias, service))
        # Longest alias first, so "Kinesis Data Firehose" wins over "Kinesis".
        entries.sort(key=lambda e: (-len(e[0]), e[0]))
        groups = []
        for n, (alias, service) in enumerate(entries):
            self._service_by_alias[f"a{n}"] = service
            groups.append(f"(?P<a{n}>{_alias_pattern(alias)})")
        self._services_re = re.compile(
            r"(?<![A-Za-z0-9])(?:" + "|".join(groups) + r")(?![A-Za-z0-9])"
        )
        domain_groups = []
        self._domain_by_group: dict[str, Domain] = {}
        n = 0
        for domain in taxonomy.domains:
            for alias in sorted(domain.aliases, key=len, reverse=True):
                self._domain_by_group[f"d{n}"] = domain
                domain_groups.append(f"(?P<d{n}>{_alias_pattern(alias)})")
                n += 1
        self._domains_re = re.compile(
            r"(?<![A-Za-z0-9])(?:" + "|".join(domain_groups) + r")(?![A-Za-z0-9])"
        )

    def services_in(self, text: str) -> list[Service]:
        """Services named in the text, in order of first mention, each once."""
        found: dict[str, Service] = {}
        for match in self._services_re.finditer(text):
            assert match.lastgroup is not None
            service = self._service_by_alias[match.lastgroup]
            found.setdefault(service.id, service)
        return list(found.values())

    def stated_domain(self, card: Card) -> Domain | None:
        """A domain the source's structure names: nearest heading first, then deck, then path."""
        places = [
            *reversed(card.context),
            *reversed(card.deck.split("::")),
            *reversed(Path(card.source.path).parts),
        ]
        for place in places:
            match = self._domains_re.search(place.replace("-", " ").replace("_", " "))
            if match and match.lastgroup:
                return self._domain_by_group[match.lastgroup]
        return None

    def tag(self, rendered: RenderedCard) -> TaggedCard:
        """The card with its domain and tags."""
        card = rendered.card
        services = self.services_in(tagging_text(card))
        stated = self.stated_domain(card)
        if stated is not None:
            domain = stated.id
        elif services:
            votes = Counter(s.domain for s in services)
            best = max(votes.values())
            domain = next(s.domain for s in services if votes[s.domain] == best)
        else:
            domain = UNCLASSIFIED
        tags = {*card.tags, f"domain::{domain}", *(f"service::{s.id}" for s in services)}
        return TaggedCard(rendered, domain, tuple(sorted(tags)), (card.source,))


def tagging_text(card: Card) -> str:
    """The text whose services the card is about; wrong choices do not count."""
    match card.content:
        case QA():
            parts: Sequence[str] = (card.content.front, card.content.back)
        case Cloze():
            parts = (card.content.text, card.content.extra)
        case MultipleChoice():
            right = [c.text for c in card.content.choices if c.correct]
            parts = (card.content.question, *right, card.content.explanation)
    # Runs of spaces (deep indentation) only slow the alias search down; words are what count.
    return " ".join(" ".join(parts).split())


def tag_cards(cards: Sequence[RenderedCard], tagger: Tagger) -> list[TaggedCard]:
    """Tag every card."""
    return [tagger.tag(card) for card in cards]
