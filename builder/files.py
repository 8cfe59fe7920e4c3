"""The per-file stages (read → render → tag), cached by content and run in parallel.

What a file gives depends only on the file and the configuration, so each file is worked on
alone: in worker processes when there is enough to do, with the same code and in the same
order as a single process, so the results are identical. An unchanged file is taken from the
cache and never read again.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, replace

import numpy as np

from builder.cache import BuildCache
from builder.collector import collector_paused
from builder.diagnostics import Diagnostic, Severity
from builder.discover import SourceFile
from builder.inputs import FileSettings
from builder.model import Card, TaggedCard
from builder.readers import ReadContext, claim_file
from builder.record import Record
from builder.release import card_digest
from builder.transforms.dedupe import card_sides, duplicate_key, pair_hashes
from builder.transforms.identity import Fingerprint, fingerprint, identity_key, new_guid
from builder.transforms.render import FieldRenderer, render_cards
from builder.transforms.tag import Tagger, Taxonomy, tag_cards
from builder.transforms.visible import blank_side

READER_FAILED = "reader-failed"
PARALLEL_MIN_FILES = 16
"""Fewer files than this are not worth starting worker processes for."""


@dataclass(frozen=True, slots=True)
class CardFeatures(Record):
    """What the later stages compare cards by, worked out with the card (in parallel, and
    cached with it) rather than for every card of the tree on every build."""

    duplicate_key: tuple[str, str]
    sides: tuple[str, ...]
    fingerprint: Fingerprint
    pair_hash_bytes: bytes
    """The card's `pair_hashes` as the bytes of their uint64 array: a cached entry loads
    bytes several times faster than an array, and they take less memory."""
    identity_key: tuple[str, ...]
    """`identity.identity_key` of the card: what an exact match in the lock file compares."""
    new_guid: str
    """`identity.new_guid` of its identity key: its GUID when it is new and no other card
    has that GUID."""
    digest: str
    """`release.card_digest` of the card as this stage leaves it: its note's digest unless
    a merge with a duplicate changes its tags."""

    @property
    def pair_hashes(self) -> np.ndarray:
        """The hashed word pairs of the card's sides, sorted (`dedupe.pair_hashes`); a
        read-only view of the bytes, made when asked for."""
        return np.frombuffer(self.pair_hash_bytes, dtype=np.uint64)


@dataclass(frozen=True, slots=True)
class FileOutcome(Record):
    """A file's tagged cards and the problems met reading and rendering it."""

    cards: tuple[TaggedCard, ...]
    diagnostics: tuple[Diagnostic, ...]
    features: tuple[CardFeatures, ...] = ()
    """One per card, in the same order."""
    failed: bool = False
    """The file's reader failed: the cards the lock file has from it are kept as they were
    rather than retired, so a file that cannot be read this time loses nothing."""


def read_file(source: SourceFile, context: ReadContext) -> tuple[list[Card], list[Diagnostic]]:
    """A file's cards; a reader that fails is reported with the cause and gives none."""
    reader, failures = claim_file(source)
    if failures:
        # A reader that fails while sniffing the file may well be the one it was for: no other
        # reader's guess at it is trusted, and the lock's cards from it are kept.
        failed, error = failures[0]
        return [], [_reader_failed(source, failed.name, error)]
    if reader is None:
        return [], [
            Diagnostic(
                source.display_path,
                0,
                Severity.WARNING,
                "no-reader",
                "no reader understands this file; it gives no cards",
            )
        ]
    try:
        result = reader.read(source, context)
    except Exception as error:
        return [], [_reader_failed(source, reader.name, error)]
    diagnostics = list(result.diagnostics)
    if not result.cards and source.text.strip():
        diagnostics.append(
            Diagnostic(
                source.display_path,
                0,
                Severity.INFO,
                "no-cards",
                f"read as {reader.name}; no cards found",
            )
        )
    return list(result.cards), diagnostics


def _reader_failed(source: SourceFile, reader: str, error: Exception) -> Diagnostic:
    return Diagnostic(
        source.display_path,
        0,
        Severity.WARNING,
        READER_FAILED,
        f"the {reader} reader failed: {type(error).__name__}: {error}; the cards the lock "
        "file has from this file are kept as they were",
    )


class FileWorker:
    """Reads, renders and tags files with one configuration."""

    def __init__(self, settings: FileSettings) -> None:
        self.settings = settings
        self.renderer = FieldRenderer(settings.sources, settings.media)
        self.tagger = Tagger(Taxonomy.load(settings.taxonomy))
        self.domain_names = {d.id: d.name for d in self.tagger.taxonomy.domains}

    def process(self, source: SourceFile) -> FileOutcome:
        # A parse tree (saved pages, HTML values) is thousands of objects in reference cycles:
        # while one was built and read, the collector went over it again and again, promoting
        # it to where only a full collection frees it (150-250 µs of a saved page's 730 µs a
        # card, 10-20 µs of a text card's 190). Paused for the file, the first collection
        # after it frees that file's dead trees in one pass; at most one file's garbage waits.
        with collector_paused():
            return self._process(source)

    def _process(self, source: SourceFile) -> FileOutcome:
        cards, diagnostics = read_file(source, ReadContext(self.settings.default_deck))
        tagged: list[TaggedCard] = []
        features: list[CardFeatures] = []
        for card in cards:
            # One card the later stages cannot handle is reported and left out; its
            # neighbours are built as usual.
            try:
                rendered = render_cards([card], self.renderer, [source.path.parent])
                blank = blank_side(rendered.cards[0])
                if blank is not None:
                    diagnostics.append(
                        Diagnostic(
                            card.source.path,
                            card.source.line,
                            Severity.WARNING,
                            "blank-side",
                            f"{blank} once rendered; the card is left out",
                        )
                    )
                    continue
                (one,) = tag_cards(rendered.cards, self.tagger)
                if self.settings.subdecks_by_domain:
                    one = self._in_domain_subdeck(one)
                sides = card_sides(one)
                key = identity_key(one)
                feature = CardFeatures(
                    duplicate_key(one),
                    sides,
                    fingerprint(one),
                    pair_hashes(sides).tobytes(),
                    key,
                    new_guid(key),
                    card_digest(one),
                )
            except Exception as error:
                diagnostics.append(
                    Diagnostic(
                        card.source.path,
                        card.source.line,
                        Severity.WARNING,
                        "card-failed",
                        f"this card could not be built ({type(error).__name__}: {error}); "
                        "it is left out and the rest of the file is built",
                    )
                )
                continue
            tagged.append(one)
            features.append(feature)
            diagnostics.extend(rendered.diagnostics)
        failed = any(d.code == READER_FAILED for d in diagnostics)
        return FileOutcome(tuple(tagged), tuple(diagnostics), tuple(features), failed)

    def _in_domain_subdeck(self, card: TaggedCard) -> TaggedCard:
        """`Deck` → `Deck::Modeling`; a deck the notes already split into subdecks is kept."""
        deck = card.card.deck
        name = self.domain_names.get(card.domain)
        if "::" in deck or name is None:
            return card
        moved = replace(card.rendered, card=replace(card.card, deck=f"{deck}::{name}"))
        return replace(card, rendered=moved)


_WORKER: tuple[FileWorker, BuildCache] | None = None


def _start_worker(settings: FileSettings, cache: BuildCache) -> None:
    global _WORKER
    _WORKER = (FileWorker(settings), cache)


def _process_chunk(chunk: list[tuple[SourceFile, str]]) -> list[bytes]:
    """Each file's outcome, pickled once: stored in the cache here, in the worker, and
    unpickled by the main process, which would otherwise pickle it again to store it."""
    assert _WORKER is not None
    worker, cache = _WORKER
    payloads = []
    for source, key in chunk:
        payload = pickle.dumps(worker.process(source), protocol=pickle.HIGHEST_PROTOCOL)
        cache.put_payload("file", key, payload)
        payloads.append(payload)
    return payloads


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def process_files(
    files: Sequence[SourceFile],
    keys: Sequence[str],
    settings: FileSettings,
    cache: BuildCache,
    *,
    jobs: int,
    progress: Callable[[int], None],
) -> list[FileOutcome]:
    """Every file's outcome, in file order: from the cache (under its key, see `file_key`),
    else worked out (in parallel when `jobs` > 1 and there are enough files) and stored."""
    with collector_paused(freeze=True):
        outcomes: list[FileOutcome | None] = [cache.get("file", key) for key in keys]
    todo = [i for i, outcome in enumerate(outcomes) if not isinstance(outcome, FileOutcome)]
    progress(len(files) - len(todo))
    if jobs > 1 and len(todo) >= PARALLEL_MIN_FILES:
        size = max(1, min(32, len(todo) // (jobs * 4)))
        chunks = [todo[n : n + size] for n in range(0, len(todo), size)]
        context = multiprocessing.get_context(
            "fork" if "fork" in multiprocessing.get_all_start_methods() else None
        )
        with ProcessPoolExecutor(
            jobs, mp_context=context, initializer=_start_worker, initargs=(settings, cache)
        ) as pool:
            work = [[(files[i], keys[i]) for i in chunk] for chunk in chunks]
            for chunk, payloads in zip(chunks, pool.map(_process_chunk, work), strict=True):
                with collector_paused(freeze=True):
                    for index, payload in zip(chunk, payloads, strict=True):
                        outcomes[index] = pickle.loads(payload)
                progress(len(chunk))
    elif todo:
        worker = FileWorker(settings)
        for index in todo:
            outcomes[index] = worker.process(files[index])
            cache.put("file", keys[index], outcomes[index])
            progress(1)
    # Entries of files that changed or went away would only pile up.
    cache.prune("file", set(keys))
    return [outcome for outcome in outcomes if outcome is not None]
