"""The fast alias search finds exactly what the first, simple one found.

`ReferenceMatcher` is the search as it was before it was made fast: every text tokenized with
match objects, every word looked up as written and lowercased, every name compared word by
word. `ReferenceTagger` is the tagger as it was, on the reference search, with no text
searched once for two uses and nothing cached. The fast and the reference ones run on the
labeled set's texts and cards, on adversarial strings and on random ones, and must agree.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import pytest

from builder.discover import discover
from builder.model import (
    QA,
    Card,
    Choice,
    MultipleChoice,
    RenderedCard,
    SourceRef,
    TaggedCard,
)
from builder.pipeline import read_sources
from builder.readers import ReadContext
from builder.transforms.render import FieldRenderer, render_cards
from builder.transforms.tag import (
    UNCLASSIFIED,
    AliasMatcher,
    Domain,
    Service,
    Tagger,
    Taxonomy,
    Words,
    _words,
    domain_parts,
    tagging_text,
)
from tests.conftest import FIXTURES

TOKEN_RE = re.compile(r"[A-Za-z0-9]+")
SPACE_RE = re.compile(r"[\s-]+")
TAXONOMY = Taxonomy.load()
T = TypeVar("T")
Reference = tuple[str, tuple[str, ...], tuple[str | None, ...], bool, bool, T]
"""name, tokens, separators, exact, plural, value"""


class ReferenceMatcher(AliasMatcher[T]):
    """The alias search before it was made fast, kept to compare with."""

    def __init__(self, names: Sequence[tuple[str, T]]) -> None:
        self._first: dict[str, list[Reference[T]]] = {}  # by first token as written
        for name, value in sorted(names, key=lambda e: (-len(e[0]), e[0])):
            found = list(TOKEN_RE.finditer(name))
            exact = name.isupper() or len(name) <= 4
            plural = not exact and name.endswith("s") and not name.endswith("ss")
            separators = tuple(
                None if not gap.strip() else gap
                for gap in (name[a.end() : b.start()] for a, b in itertools.pairwise(found))
            )
            tokens = tuple(t.group() if exact else t.group().lower() for t in found)
            alias = (name, tokens, separators, exact, plural, value)
            keys = {tokens[0]}
            if plural and len(tokens) == 1:
                keys.add(tokens[0][:-1])
            for key in keys:
                self._first.setdefault(key, []).append(alias)

    def find(self, text: str | Words) -> list[tuple[int, str, T]]:
        text = text.text if isinstance(text, Words) else text
        words = list(TOKEN_RE.finditer(text))
        found: list[tuple[int, str, T]] = []
        index = 0
        while index < len(words):
            token = words[index].group()
            exact_hits = self._first.get(token, [])
            folded = self._first.get(token.lower(), []) if token.lower() != token else []
            candidates = (
                sorted([*exact_hits, *folded], key=lambda a: (-len(a[0]), a[0]))
                if exact_hits and folded
                else exact_hits or folded
            )
            for _, tokens, separators, exact, plural, value in candidates:
                end = index + len(tokens)
                if end <= len(words) and _matches(
                    tokens, separators, exact, plural, text, words, index
                ):
                    start = words[index].start()
                    found.append((start, text[start : words[end - 1].end()].lower(), value))
                    index = end
                    break
            else:
                index += 1
        return found


def _matches(
    tokens: tuple[str, ...],
    separators: tuple[str | None, ...],
    exact: bool,
    plural: bool,
    text: str,
    words: list[re.Match[str]],
    start: int,
) -> bool:
    last = len(tokens) - 1
    for k, want in enumerate(tokens):
        word = words[start + k].group()
        got = word if exact else word.lower()
        if got != want and not (k == last and plural and got == want[:-1]):
            return False
        if k:
            gap = text[words[start + k - 1].end() : words[start + k].start()]
            separator = separators[k - 1]
            if not (SPACE_RE.fullmatch(gap) if separator is None else gap == separator):
                return False
    return True


class ReferenceTagger:
    """The tagger before it was made fast: every text searched on its own, nothing cached."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.services = ReferenceMatcher([(a, s) for s in taxonomy.services for a in s.aliases])
        self.domain_names = ReferenceMatcher([(a, d) for d in taxonomy.domains for a in d.aliases])
        self.terms = ReferenceMatcher([(t, d) for d in taxonomy.domains for t in d.terms])

    def services_in(self, text: str) -> list[Service]:
        found: dict[str, Service] = {}
        for _, _, service in self.services.find(text):
            found.setdefault(service.id, service)
        return list(found.values())

    def stated_domain(self, card: Card) -> Domain | None:
        places = [
            *reversed(card.context),
            *reversed(card.deck.split("::")),
            *reversed(Path(card.source.path).parts),
        ]
        for place in places:
            found = self.domain_names.find(place.replace("-", " ").replace("_", " "))
            if found:
                return found[0][2]
        return None

    def inferred_domain(self, parts: list[tuple[str, float]], services: list[Service]) -> str:
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

        for n, (text, weight) in enumerate(parts):
            for position, _, service in self.services.find(text):
                if service.id in counted:
                    vote(service.id, service.domain, weight * service.vote, (n, position))
            for position, written, domain in self.terms.find(text):
                vote(f"term:{written}", domain.id, weight, (n, position))
        if not score:
            return UNCLASSIFIED
        return min(score, key=lambda d: (-score[d], first[d]))

    def tag(self, rendered: RenderedCard) -> TaggedCard:
        card = rendered.card
        services = self.services_in(tagging_text(card))
        if isinstance(card.content, MultipleChoice):
            question = card.content
            right = self.services_in(
                _words(question.question, *(c.text for c in question.choices if c.correct))
            )
            wrong = self.services_in(_words(*(c.text for c in question.choices if not c.correct)))
            only_wrong = {s.id for s in wrong} - {s.id for s in right}
            services = [s for s in services if s.id not in only_wrong]
        stated = self.stated_domain(card)
        domain = stated.id if stated else self.inferred_domain(domain_parts(card), services)
        tags = {*card.tags, f"domain::{domain}", *(f"service::{s.id}" for s in services)}
        return TaggedCard(rendered, domain, tuple(sorted(tags)), (card.source,))


TAGGER = Tagger(TAXONOMY)
REFERENCE = ReferenceTagger(TAXONOMY)
MATCHERS: list[tuple[str, AliasMatcher[Any], AliasMatcher[Any]]] = [
    ("services", TAGGER._services, REFERENCE.services),
    ("domain names", TAGGER._domain_names, REFERENCE.domain_names),
    ("terms", TAGGER._terms, REFERENCE.terms),
]
NAMES = sorted(
    {a for s in TAXONOMY.services for a in s.aliases}
    | {a for d in TAXONOMY.domains for a in (*d.aliases, *d.terms)}
)


def labeled_cards() -> list[RenderedCard]:
    notes = FIXTURES / "labeled" / "notes"
    files, _ = discover((notes,))
    read, _ = read_sources(files, ReadContext("Labeled"))
    cards = [card for card, _ in read]
    return list(render_cards(cards, FieldRenderer((notes,), ()), [Path()] * len(cards)).cards)


def card_texts(card: Card) -> Iterator[str]:
    """Every text the tagger searches for a card."""
    yield tagging_text(card)
    yield from (text for text, _ in domain_parts(card))
    if isinstance(card.content, MultipleChoice):
        yield " ".join(c.text for c in card.content.choices if not c.correct)
    places = [*card.context, *card.deck.split("::"), *Path(card.source.path).parts]
    yield from (p.replace("-", " ").replace("_", " ") for p in places)
    yield from places


def variants(name: str) -> Iterator[str]:
    """A name as notes may write it: other case, plural or not, other separators."""
    yield from (name, name.lower(), name.upper(), name.title(), name.capitalize())
    yield from (name + "s", name + "es", name[:-1], name + "ss", name.swapcase())
    yield from (name.replace(" ", "-"), name.replace("-", " "), name.replace(" ", "  "))
    yield from (name.replace(" ", " - "), name.replace(" ", "\n"), name.replace(" ", "_"))
    yield from (name.replace(" ", "\t-"), name.replace("-", "--"), name.replace(" ", ", "))


ADVERSARIAL = [
    "",
    " ",
    "-",
    "s",
    "SG",
    "sg",
    "Sg",
    "SGD with momentum; sg is not it",
    "SageMakers SageMaker's sagemaker-sagemaker",
    "Amazon Kinesis Data Firehose",
    "Amazon Kinesis Data",
    "Kinesis Data Streams shards, a Kinesis data stream, Kinesis-Data-Stream",
    "Kinesis  Data\tStreams\n",
    "Kinesis_Data_Streams Kinesis.Data.Streams Kinesis/Data/Streams",
    "k-NN k NN k--NN K-NN knn KNN k-nearest neighbors k-nearest-neighbours",
    "K-Means k-means K Means kmeans k-meanss",
    "S3 Intelligent-Tiering S3 Intelligent Tiering S3 intelligent-tiering s3",
    "multi-model endpoint multi-model endpoints multi model endpoint multi-model endpointss",
    "Sequence-to-Sequence sequence to sequence seq2seq Seq2Seq",
    "EMRFS EMR emr Emr EMRs emrfs",
    "ends with an alias: Amazon SageMaker",
    "ends with a plural: Kinesis Data Streams",
    "ends with half a name: Kinesis Data",
    "Glue Glue Glue glue GLUE AWS Glue FindMatches findmatch",
    # Kelvin sign (lowercases to ASCII k), dotted capital I (lowercases to two characters).
    "\u212aDS Kinesis \u0130ndex caf\u00e9 S3\u00e9 na\u00efve XGBoost\u00e9",
    "F1 f1 F1-score imputation Imputations IMPUTATION",
    "Domain 2: Exploratory Data Analysis",
    "4-ml-implementation-and-operations",
    "Exam::Modeling",
    "data data data model model training inference batch",
    "AWS  Glue   DataBrew",
    "Amazon\u00a0SageMaker Amazon\u2003SageMaker Amazon\u2013SageMaker",
]


def random_texts(count: int, seed: int = 20240607) -> Iterator[str]:
    """Names and near-names glued with separators of every kind, in random case."""
    rng = random.Random(seed)
    words = sorted({w for n in NAMES for w in TOKEN_RE.findall(n)} | {"the", "a", "of", "s"})
    gaps = [" ", " ", " ", "-", "  ", " - ", "_", ".", "/", "\n", "\t", ", ", "--", "'s ", "\u00a0"]
    for _ in range(count):
        pieces: list[str] = []
        for _ in range(rng.randint(0, 12)):
            piece = rng.choice(NAMES) if rng.random() < 0.5 else rng.choice(words)
            roll = rng.random()
            if roll < 0.15:
                piece = piece.lower()
            elif roll < 0.25:
                piece = piece.upper()
            elif roll < 0.3:
                piece += "s"
            elif roll < 0.35:
                piece = piece.replace(" ", rng.choice(gaps))
            pieces.append(piece)
            pieces.append(rng.choice(gaps))
        if pieces and rng.random() < 0.5:
            pieces.pop()  # a name at the very end
        yield "".join(pieces)


def all_texts() -> Iterator[str]:
    for card in labeled_cards():
        yield from card_texts(card.card)
    yield from ADVERSARIAL
    for name in NAMES:
        for variant in variants(name):
            yield from (variant, f"x {variant}", f"{variant} y", f"({variant}).", f"a{variant}")
    yield from random_texts(3000)


def test_the_fast_search_finds_what_the_reference_finds() -> None:
    checked = 0
    for text in all_texts():
        split = Words(text)
        for what, fast, reference in MATCHERS:
            want = reference.find(text)
            assert fast.find(text) == want, (what, text)
            assert fast.find(split) == want, (what, text)
            checked += bool(want)
    assert checked > 5000  # the texts name things, not only miss them


@pytest.mark.parametrize(
    "names",
    [
        # Same name twice, one name a prefix of another, exact and folded first words.
        [("Kds", 1), ("KDS", 2), ("kds", 3), ("KDS Streams", 4), ("kds streams", 5)],
        [("Data", 1), ("data", 2), ("Data Lakes", 3), ("data lake", 4), ("Data Lakes", 5)],
        [("a-b", 1), ("a b", 2), ("A-B", 3), ("a - b", 4), ("a_b", 5), ("AB-CD EF", 6)],
        [
            ("widgets", 0),
            ("Widgets", 1),
            ("Widget", 2),
            ("widgetss", 3),
            ("Big Widgets", 4),
            ("bigs", 5),
        ],
        [("X1 Y2 Z3s", 1), ("X1", 2), ("x1 y2", 3), ("Y2 Z3", 4), ("Z3s", 5)],
    ],
)
def test_made_up_names_are_found_alike(names: list[tuple[str, int]]) -> None:
    fast, reference = AliasMatcher(names), ReferenceMatcher(names)
    rng = random.Random(len(names))
    words = [w for n, _ in names for w in TOKEN_RE.findall(n)]
    gaps = [" ", "-", " - ", "_", "  ", "\t", ".", "", "s "]
    for _ in range(3000):
        pieces = []
        for _ in range(rng.randint(1, 8)):
            word = rng.choice(words)
            word = rng.choice([word, word.lower(), word.upper(), word + "s", word[:-1] or word])
            pieces += [word, rng.choice(gaps)]
        text = "".join(pieces[: rng.choice([-1, len(pieces)])])
        assert fast.find(text) == reference.find(text), text


def test_tagging_the_labeled_set_is_the_same_card_by_card() -> None:
    cards = labeled_cards()
    assert len(cards) >= 200
    for card in cards:
        assert TAGGER.tag(card) == REFERENCE.tag(card), card.card.source


def test_adversarial_cards_are_tagged_the_same() -> None:
    fresh = Tagger(TAXONOMY)
    for n, text in enumerate(itertools.islice(random_texts(400, seed=7), 400)):
        other = ADVERSARIAL[n % len(ADVERSARIAL)]
        contents: list[QA | MultipleChoice] = [
            QA(text, other),
            MultipleChoice(
                text,
                (Choice(other, n % 2 == 0), Choice(text[::-1], True), Choice(other, False)),
                f"{other} is wrong, {text[::-1]} is right" if n % 4 else "",
            ),
        ]
        context = (other, text) if n % 3 else ()
        for content in contents:
            card = Card(content, f"Deck::{other}", SourceRef(f"{other}/n{n}.md", 1), context)
            rendered = RenderedCard(card, (), "")
            assert fresh.tag(rendered) == REFERENCE.tag(rendered), (text, other)


def test_stated_domains_are_the_same_looked_up_or_cached() -> None:
    fresh = Tagger(TAXONOMY)
    places = [*ADVERSARIAL, *(f"Part {n}: {name}" for n, name in enumerate(NAMES))]
    places += [f"Part {n}: none" for n in range(len(NAMES))]
    places += [text for card in labeled_cards() for text in card_texts(card.card)]
    rng = random.Random(3)
    for _ in range(2):  # the second time from the cache
        rng.shuffle(places)
        for n, place in enumerate(places):
            near = places[n - 1]
            for context, deck, path in [
                ((place,), "D", "n.md"),
                ((), f"D::{place}", "n.md"),
                ((), "D", f"{place}/n.md"),
                ((near, place), f"{place}::{near}", f"{near}/{place}.md"),
            ]:
                card = Card(QA("q", "a"), deck, SourceRef(path, 1), context)
                assert fresh.stated_domain(card) == REFERENCE.stated_domain(card), card


def test_a_name_running_from_one_part_into_the_next_is_found_alike() -> None:
    """The whole card is searched once; where a name spans the end of the question (or of
    the stem and right answers), each part is searched again on its own."""
    fresh = Tagger(TAXONOMY)
    pairs = [
        ("What loads streams? Amazon Kinesis", "Data Firehose, into S3"),
        ("Use AWS", "Glue DataBrew to clean data"),
        ("Amazon SageMaker", "Model Monitor watches drift in a k-means model"),
        ("imputation with Amazon", "SageMaker Data Wrangler"),
    ]
    for first, second in pairs:
        contents: list[QA | MultipleChoice] = [
            QA(first, second),
            MultipleChoice("Which one?", (Choice(first, True), Choice("Amazon S3", False)), second),
        ]
        for content in contents:
            for deck in ("Deck", "Deck::Modeling"):
                card = Card(content, deck, SourceRef("n.md", 1), ())
                rendered = RenderedCard(card, (), "")
                assert fresh.tag(rendered) == REFERENCE.tag(rendered), (first, second, deck)
