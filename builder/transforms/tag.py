"""Tag stage: one exam domain per card and a tag per AWS service it is about.

The taxonomy (domains, services, aliases) is data: `builder/data/taxonomy.json` by default.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Generic, TypeVar

from builder.diagnostics import UsageError
from builder.model import QA, Card, Cloze, MultipleChoice, RenderedCard, TaggedCard

UNCLASSIFIED = "unclassified"
SERVICE_TAG = "service::"
"""The prefix of a service's tag: `service::<id>`."""
T = TypeVar("T")


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
    terms: tuple[str, ...] = ()
    """Words that point to the domain when the source states none (`imputation`, `F1`)."""


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
    vote: float = 1.0
    """How strongly a mention points to its domain; low for services used everywhere."""


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
            return Taxonomy.parse(json.loads(text))
        try:
            return Taxonomy.parse(json.loads(path.read_text("utf-8")))
        except OSError as error:
            raise TaxonomyError(f"taxonomy file '{path}': {error.strerror or error}") from None
        except json.JSONDecodeError as error:
            raise TaxonomyError(
                f"taxonomy file '{path}': line {error.lineno}: not JSON: {error.msg}"
            ) from None
        except TaxonomyError as error:
            raise TaxonomyError(f"taxonomy file '{path}': {error}") from None

    @staticmethod
    def parse(data: object) -> Taxonomy:
        """Check and convert a taxonomy's JSON; a TaxonomyError names the key that is wrong."""
        top = _Fields(data, "the file")
        domains = []
        for n, item in enumerate(top.items("domains")):
            d = _Fields(item, f"domains[{n}]")
            domains.append(
                Domain(
                    d.text("id"),
                    d.text("name"),
                    int(d.number("weight")),
                    d.texts("aliases"),
                    d.texts("terms", required=False),
                )
            )
        known = {d.id for d in domains}
        services = []
        for n, item in enumerate(top.items("services")):
            s = _Fields(item, f"services[{n}]")
            domain = s.text("domain")
            if domain not in known:
                raise TaxonomyError(f"services[{n}].domain: '{domain}' is not a domain id")
            vote = s.number("vote", default=1.0)
            services.append(Service(s.text("id"), s.text("name"), s.texts("aliases"), domain, vote))
        if not domains:
            raise TaxonomyError("domains: at least one domain is needed")
        return Taxonomy(tuple(domains), tuple(services))


class TaxonomyError(UsageError):
    """A taxonomy file that cannot be used; the message names the key."""


class _Fields:
    """Typed access to one JSON object of a taxonomy, with errors that name the key."""

    def __init__(self, data: object, where: str) -> None:
        if not isinstance(data, dict):
            raise TaxonomyError(f"{where}: expected an object")
        self.data: dict[str, object] = data
        self.where = "" if where == "the file" else f"{where}."

    def _get(self, key: str) -> object:
        if key not in self.data:
            raise TaxonomyError(f"{self.where}{key}: missing")
        return self.data[key]

    def text(self, key: str) -> str:
        value = self._get(key)
        if not isinstance(value, str) or not value.strip():
            raise TaxonomyError(f"{self.where}{key}: expected a non-empty string")
        return value

    def number(self, key: str, default: float | None = None) -> float:
        if default is not None and key not in self.data:
            return default
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TaxonomyError(f"{self.where}{key}: expected a number")
        return float(value)

    def items(self, key: str) -> list[object]:
        value = self._get(key)
        if not isinstance(value, list):
            raise TaxonomyError(f"{self.where}{key}: expected a list")
        return value

    def texts(self, key: str, *, required: bool = True) -> tuple[str, ...]:
        if not required and key not in self.data:
            return ()
        values = self.items(key)
        if not all(isinstance(v, str) and v.strip() for v in values):
            raise TaxonomyError(f"{self.where}{key}: expected a list of non-empty strings")
        return tuple(str(v) for v in values)


TOKEN_RE = re.compile(r"[A-Za-z0-9]+")
SPLIT_RE = re.compile(f"({TOKEN_RE.pattern})")
"""TOKEN_RE as a group: `split` keeps the words, between the gaps, with no match objects."""
SPACE_RE = re.compile(r"[\s-]+")
CACHE_LIMIT = 4096
"""Entries a tagger's caches hold before they start over; many cards share a heading or deck."""


class Words:
    """A text split once into its words, so that every matcher searching it shares the work."""

    __slots__ = ("lowers", "parts", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        self.parts = SPLIT_RE.split(text)
        """Gap, word, gap, …, word, gap: word `i` is `parts[2 * i + 1]`."""
        # Words are ASCII letters and digits: lowercasing them in one string changes no length.
        self.lowers = " ".join(self.parts[1::2]).lower().split(" ") if len(self.parts) > 1 else []
        """The words, lowercased."""

    @staticmethod
    def joined(first: Words, second: Words) -> Words:
        """`Words(_words(first.text, second.text))` for two texts `_words` gave, without
        splitting them again: the space between them joins no two words."""
        if not first.text:
            return second
        if not second.text:
            return first
        whole = Words.__new__(Words)
        whole.text = f"{first.text} {second.text}"
        whole.parts = [*first.parts[:-1], f"{first.parts[-1]} {second.parts[0]}", *second.parts[1:]]
        whole.lowers = first.lowers + second.lowers
        return whole


@dataclass(frozen=True, slots=True)
class _Alias(Generic[T]):
    """One name, as the tokens and separators it is matched by."""

    name: str
    tokens: tuple[str, ...]
    """Lowercased unless the name must match as written."""
    separators: tuple[str | None, ...]
    """Between tokens: None for a space (any run of spaces or hyphens), else the literal text."""
    exact: bool
    """Abbreviations match as written (SG is SageMaker, "sg" in prose is not)."""
    plural: bool
    """The final "s" is optional: notes write "a Kinesis data stream" as often as "Streams"."""
    value: T
    forms: tuple[list[str], ...]
    """The words that match, as lists to compare with a slice: the plural's form without "s"."""
    checked: bool
    """Whether words must be compared at all: the table lookup already matched one lowercased
    word, which is all a single-word name that is not exact asks."""


@dataclass(frozen=True, slots=True)
class _Candidates(Generic[T]):
    """The names that start with one word, by the word after it."""

    by_next: dict[str, list[_Alias[T]]]
    """For each second word of a name: the names of one word and those with that second
    word, in the order they are tried."""
    alone: list[_Alias[T]]
    """For any other next word, or none: the names of one word."""

    @staticmethod
    def of(aliases: list[_Alias[T]]) -> _Candidates[T]:
        """The candidates of names that start with one word, in the order they are tried."""
        alone = [a for a in aliases if len(a.tokens) == 1]
        seconds = {second for alias in aliases for second in _seconds(alias)}
        by_next = {
            second: [a for a in aliases if len(a.tokens) == 1 or second in _seconds(a)]
            for second in seconds
        }
        return _Candidates(by_next, alone)


def _seconds(alias: _Alias[T]) -> set[str]:
    """The lowercased second words a name can match."""
    return {form[1].lower() for form in alias.forms if len(form) > 1}


class AliasMatcher(Generic[T]):
    """Finds names in text, leftmost and longest first, whole words only.

    Names are looked up by their first word, lowercased, in a table, so the cost grows with
    the text, not with the number of names (a regex alternation of hundreds of names took 2 ms
    a card). Words that start no name are skipped by one set lookup each, in C. The names
    tried at a word are only those whose second word is the next one: common words start
    names ("model", "data", "feature"), and comparing each such name word by word was a
    third of the search.
    """

    def __init__(self, names: Sequence[tuple[str, T]]) -> None:
        by_first: dict[str, list[_Alias[T]]] = {}
        # Longest first, so "Kinesis Data Firehose" wins over "Kinesis". The sort is stable and
        # every list keeps this order, which is the order the candidates of a word are tried in.
        for name, value in sorted(names, key=lambda e: (-len(e[0]), e[0])):
            found = list(TOKEN_RE.finditer(name))
            if not found or found[0].start() != 0 or found[-1].end() != len(name):
                raise ValueError(f"a name must start and end with a letter or digit: {name!r}")
            exact = name.isupper() or len(name) <= 4
            plural = not exact and name.endswith("s") and not name.endswith("ss")
            separators = tuple(
                None if not gap.strip() else gap
                for gap in (name[a.end() : b.start()] for a, b in itertools.pairwise(found))
            )
            tokens = tuple(t.group() if exact else t.group().lower() for t in found)
            forms = [list(tokens)]
            if plural:
                forms.append([*tokens[:-1], tokens[-1][:-1]])
            checked = exact or len(tokens) > 1
            alias = _Alias(name, tokens, separators, exact, plural, value, tuple(forms), checked)
            keys = {tokens[0]}
            if plural and len(tokens) == 1:
                keys.add(tokens[0][:-1])
            # By the lowercased word: an exact name's case is checked when its words are.
            for key in {k.lower() for k in keys}:
                by_first.setdefault(key, []).append(alias)
        self._by_first = {key: _Candidates.of(aliases) for key, aliases in by_first.items()}

    def find(self, text: str | Words) -> list[tuple[int, str, T]]:
        """(position, text as written in lowercase, value) of every name in the text."""
        split = text if isinstance(text, Words) else Words(text)
        return located(split, self.spans(split))

    def spans(self, split: Words) -> list[tuple[int, int, T]]:
        """(first word, word after the last, value) of every name in the text: what `find`
        gives, without the positions and written forms most callers do not use."""
        table = self._by_first
        lowers = split.lowers
        starts = list(itertools.compress(itertools.count(), map(table.__contains__, lowers)))
        if not starts:
            return []
        parts, count = split.parts, len(lowers)
        found: list[tuple[int, int, T]] = []
        free = 0  # the first word no name found so far covers
        for index in starts:
            if index < free:
                continue
            candidates = table[lowers[index]]
            following = lowers[index + 1] if index + 1 < count else ""
            for alias in candidates.by_next.get(following, candidates.alone):
                end = index + len(alias.tokens)
                if end > count:
                    continue
                if alias.checked:
                    got = parts[2 * index + 1 : 2 * end : 2] if alias.exact else lowers[index:end]
                    if got not in alias.forms:
                        continue
                    if alias.separators and not _gaps_fit(alias.separators, parts, index):
                        continue
                found.append((index, end, alias.value))
                free = end
                break
        return found


def located(split: Words, spans: Sequence[tuple[int, int, T]]) -> list[tuple[int, str, T]]:
    """`AliasMatcher.find`'s (position, text as written in lowercase, value) of its spans."""
    if not spans:
        return []
    parts = split.parts
    offsets = list(itertools.accumulate(map(len, parts), initial=0))
    return [
        (offsets[2 * start + 1], "".join(parts[2 * start + 1 : 2 * end]).lower(), value)
        for start, end, value in spans
    ]


def _gaps_fit(separators: tuple[str | None, ...], parts: list[str], index: int) -> bool:
    """Whether the gaps after word `index` are the name's: spaces or hyphens, or as written."""
    for k, separator in enumerate(separators):
        gap = parts[2 * (index + k) + 2]
        if separator is None:
            if gap != " " and not SPACE_RE.fullmatch(gap):
                return False
        elif gap != separator:
            return False
    return True


Spans = list[tuple[int, int, Service]]
"""Services found in a text: `AliasMatcher.spans`."""


class Tagger:
    """Finds a card's domain and services."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self._services = AliasMatcher([(a, s) for s in taxonomy.services for a in s.aliases])
        self._domain_names = AliasMatcher([(a, d) for d in taxonomy.domains for a in d.aliases])
        self._terms = AliasMatcher([(t, d) for d in taxonomy.domains for t in d.terms])
        self._named_by: dict[str, Domain | None] = {}
        """The domain a heading, deck or folder names: cards of one file share most of them."""
        self._stated: dict[tuple[tuple[str, ...], str, str], Domain | None] = {}
        """`stated_domain` by the card's headings, deck and path."""

    def services_in(self, text: str | Words) -> list[Service]:
        """Services named in the text, in order of first mention, each once."""
        split = text if isinstance(text, Words) else Words(text)
        return _distinct(self._services.spans(split))

    def stated_domain(self, card: Card) -> Domain | None:
        """A domain the source's structure names: nearest heading first, then deck, then path."""
        key = (card.context, card.deck, card.source.path)
        try:
            return self._stated[key]
        except KeyError:
            pass
        domain = self._first_named(card)
        if len(self._stated) >= CACHE_LIMIT:
            self._stated.clear()
        self._stated[key] = domain
        return domain

    def _first_named(self, card: Card) -> Domain | None:
        """`stated_domain`, worked out: the first place that names a domain."""
        places = [
            *reversed(card.context),
            *reversed(card.deck.split("::")),
            *reversed(Path(card.source.path).parts),
        ]
        for place in places:
            domain = self._named_domain(place)
            if domain is not None:
                return domain
        return None

    def _named_domain(self, place: str) -> Domain | None:
        """The first domain one place names, if any (cached)."""
        try:
            return self._named_by[place]
        except KeyError:
            pass
        found = self._domain_names.find(place.replace("-", " ").replace("_", " "))
        domain = found[0][2] if found else None
        if len(self._named_by) >= CACHE_LIMIT:
            self._named_by.clear()
        self._named_by[place] = domain
        return domain

    def inferred_domain(
        self, parts: Sequence[tuple[str | Words, float]], services: Sequence[Service]
    ) -> str:
        """The domain the card's services and terms point to most.

        `parts` are the card's texts with their weight: what the question asks counts more than
        what the answer or explanation mentions on the way. Each service and term votes once,
        at the weight of the first part naming it; the domain named first wins a tie.
        """
        splits = [text if isinstance(text, Words) else Words(text) for text, _ in parts]
        found = [self._services.spans(split) for split in splits]
        weighted = [
            (split, weight, spans)
            for split, (_, weight), spans in zip(splits, parts, found, strict=True)
        ]
        return self._inferred(weighted, services)

    def _inferred(
        self,
        parts: Sequence[tuple[Words, float, Spans]],
        services: Sequence[Service],
    ) -> str:
        """`inferred_domain` of parts whose services are already found (`AliasMatcher.spans`)."""
        counted = {s.id for s in services}
        seen: set[str] = set()
        score: dict[str, float] = {}
        first: dict[str, tuple[int, int]] = {}

        def vote(key: str, domain_id: str, weight: float, where: tuple[int, int]) -> None:
            if key in seen:
                return
            seen.add(key)
            score[domain_id] = score.get(domain_id, 0.0) + weight
            first[domain_id] = min(first.get(domain_id, where), where)

        for n, (split, weight, spans) in enumerate(parts):
            for position, _, service in located(split, spans):
                if service.id in counted:
                    vote(service.id, service.domain, weight * service.vote, (n, position))
            for position, written, domain in self._terms.find(split):
                vote(f"term:{written}", domain.id, weight, (n, position))
        if not score:
            return UNCLASSIFIED
        return min(score, key=lambda d: (-score[d], first[d]))

    def tag(self, rendered: RenderedCard) -> TaggedCard:
        """The card with its domain and tags."""
        card = rendered.card
        # The texts searched overlap: `tagging_text` is the two `domain_parts` joined, and a
        # question's stem and right answers are its first part. Each part is split once and
        # the whole searched once for services; each part's services are the whole's, cut at
        # the first part's end (both parts are searched on their own in the rare text where
        # a name runs from one into the other). Tagging took 44 µs a card, 3/4 of them
        # questions, searching each text once for each use.
        (first_text, first_weight), (second_text, second_weight) = domain_parts(card)
        first, second = Words(first_text), Words(second_text)
        spans = self._services.spans(Words.joined(first, second))
        services = _distinct(spans)
        split_spans: tuple[Spans, Spans] | None = None
        if isinstance(card.content, MultipleChoice) and services:
            split_spans = self._split_spans(spans, first, second)
            services = self._without_wrong_choices(card.content, services, split_spans[0])
        stated = self.stated_domain(card)
        if stated:
            domain = stated.id
        else:
            if split_spans is None:
                split_spans = self._split_spans(spans, first, second)
            parts = [
                (first, first_weight, split_spans[0]),
                (second, second_weight, split_spans[1]),
            ]
            domain = self._inferred(parts, services)
        tags = {*card.tags, f"domain::{domain}", *(f"{SERVICE_TAG}{s.id}" for s in services)}
        return TaggedCard(rendered, domain, tuple(sorted(tags)), (card.source,))

    def _split_spans(self, spans: Spans, first: Words, second: Words) -> tuple[Spans, Spans]:
        """The services of `first` and of `second`, from those of the two joined (`spans`).

        The search goes left to right; until it finds a name running over the end of `first`,
        it does in the whole exactly what it does in `first` alone, and after the end of
        `first` exactly what it does in `second` alone."""
        boundary = len(first.lowers)
        if any(start < boundary < end for start, end, _ in spans):
            return self._services.spans(first), self._services.spans(second)
        return (
            [span for span in spans if span[0] < boundary],
            [(start - boundary, end - boundary, s) for start, end, s in spans if start >= boundary],
        )

    def _without_wrong_choices(
        self,
        question: MultipleChoice,
        services: Sequence[Service],
        right: Spans,
    ) -> list[Service]:
        """Drop services that only a wrong choice names: explanations say why it is wrong.

        `right` are the services of the question's stem and right answers."""
        named_right = {s.id for _, _, s in right}
        if all(s.id in named_right for s in services):
            return list(services)  # nothing a wrong choice names can be dropped
        wrong = self.services_in(_words(*(c.text for c in question.choices if not c.correct)))
        only_wrong = {s.id for s in wrong} - named_right
        return [s for s in services if s.id not in only_wrong]


def _distinct(spans: Spans) -> list[Service]:
    """The services of spans, in order of first mention, each once."""
    found: dict[str, Service] = {}
    for _, _, service in spans:
        found.setdefault(service.id, service)
    return list(found.values())


def _words(*parts: str) -> str:
    # Runs of spaces (deep indentation) only slow the alias search down; words are what count.
    return " ".join(" ".join(parts).split())


QUESTION_WEIGHT, ANSWER_WEIGHT = 2.0, 1.0
"""What a card asks says more about its domain than what its answer mentions on the way."""


def domain_parts(card: Card) -> list[tuple[str, float]]:
    """The card's texts that vote for its domain, question first, with their weights."""
    match card.content:
        case QA():
            return [
                (_words(card.content.front), QUESTION_WEIGHT),
                (_words(card.content.back), ANSWER_WEIGHT),
            ]
        case Cloze():
            return [
                (_words(card.content.text), QUESTION_WEIGHT),
                (_words(card.content.extra), ANSWER_WEIGHT),
            ]
        case MultipleChoice():
            right = [c.text for c in card.content.choices if c.correct]
            return [
                (_words(card.content.question, *right), QUESTION_WEIGHT),
                (_words(card.content.explanation), ANSWER_WEIGHT),
            ]


def tagging_text(card: Card) -> str:
    """The text whose services the card is about; wrong choices do not count."""
    match card.content:
        case QA():
            return _words(card.content.front, card.content.back)
        case Cloze():
            return _words(card.content.text, card.content.extra)
        case MultipleChoice():
            right = [c.text for c in card.content.choices if c.correct]
            return _words(card.content.question, *right, card.content.explanation)


def tag_cards(cards: Sequence[RenderedCard], tagger: Tagger) -> list[TaggedCard]:
    """Tag every card."""
    return [tagger.tag(card) for card in cards]
