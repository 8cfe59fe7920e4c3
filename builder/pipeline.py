"""The build, stage by stage: discover → read → render → tag → dedupe → identity → package."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from builder.cache import BuildCache
from builder.diagnostics import Diagnostic, Severity, fails_build
from builder.discover import SourceFile, discover
from builder.files import FileSettings, default_jobs, process_files, read_file
from builder.lock import Lock
from builder.model import Card, Note
from builder.readers import ReadContext
from builder.release import DeckRelease, build_time, plan_releases
from builder.transforms.dedupe import merge_duplicates, merge_near_duplicates
from builder.transforms.identity import assign_identities
from builder.transforms.tag import Tagger, Taxonomy
from builder.writers.apkg import PackageInfo, ReleaseExistsError, write_releases
from builder.writers.changelog import write_changelog
from builder.writers.report import build_report, write_report


@dataclass(frozen=True, slots=True)
class BuildConfig:
    """Everything a build depends on besides the files themselves."""

    sources: tuple[Path, ...]
    """Folders of notes."""
    media: tuple[Path, ...]
    """Extra folders where media files are looked up."""
    out: Path
    """Where packages and the report go."""
    strict: bool = False
    """Warnings fail the build."""
    default_deck: str = "Notes"
    """Deck for files that do not name one."""
    taxonomy: Path | None = None
    """Taxonomy file; the built-in AWS ML Specialty one when None."""
    lock: Path | None = None
    """Lock file (GUIDs, modification times, versions) read and updated by the build; None
    builds without one: every deck is a first release and nothing is remembered."""
    build_time: int | None = None
    """Time stamped on changed notes; None: SOURCE_DATE_EPOCH, the last commit, or now."""
    jobs: int | None = None
    """Worker processes for reading files; None: one per core."""
    cache: bool = True
    """Reuse what unchanged files gave last time (kept in `<out>/.cache`)."""
    progress: Progress | None = None
    """Told how many files there are and how many are done."""


class Progress(Protocol):
    """Where a build reports how far it is (a progress bar in a terminal)."""

    def start(self, total: int) -> None: ...
    def advance(self, done: int) -> None: ...
    def finish(self) -> None: ...


class NoProgress:
    """Reports nothing."""

    def start(self, total: int) -> None:
        pass

    def advance(self, done: int) -> None:
        pass

    def finish(self) -> None:
        pass


@dataclass(frozen=True, slots=True)
class BuildResult:
    """What a build did."""

    notes: tuple[Note, ...]
    """Every note, in package order."""
    packages: tuple[PackageInfo, ...]
    """Packages written or kept; empty when the build failed."""
    releases: tuple[DeckRelease, ...]
    """Each deck's version, notes as packaged (retired ones included) and changes."""
    diagnostics: tuple[Diagnostic, ...]
    """Every problem found, sorted by file and line."""
    failed: bool
    """True when an error (or, under --strict, a warning) stopped the packages being written."""
    report_path: Path
    """The build report."""


def read_sources(
    files: Sequence[SourceFile], context: ReadContext
) -> tuple[list[tuple[Card, SourceFile]], list[Diagnostic]]:
    """Every card of every file; a reader that fails on one file never stops the others."""
    cards: list[tuple[Card, SourceFile]] = []
    diagnostics: list[Diagnostic] = []
    for source in files:
        found, problems = read_file(source, context)
        cards.extend((card, source) for card in found)
        diagnostics.extend(problems)
    return cards, diagnostics


def build(config: BuildConfig) -> BuildResult:
    """Run every stage; write packages unless the build failed, and always write the report."""
    # First: a damaged lock file stops the build before anything is read or written.
    lock = Lock.load(config.lock) if config.lock is not None else Lock()
    files, diagnostics = discover(config.sources)
    settings = FileSettings(config.sources, config.media, config.default_deck, config.taxonomy)
    cache = BuildCache(config.out, enabled=config.cache)
    progress = config.progress or NoProgress()
    progress.start(len(files))
    outcomes = process_files(
        files, settings, cache, jobs=config.jobs or default_jobs(), progress=progress.advance
    )
    progress.finish()
    tagged = [card for outcome in outcomes for card in outcome.cards]
    diagnostics += [d for outcome in outcomes for d in outcome.diagnostics]

    tagger = Tagger(Taxonomy.load(config.taxonomy))
    deduped = merge_duplicates(tagged)
    near = merge_near_duplicates(
        deduped.cards, lambda text: {s.id for s in tagger.services_in(text)}
    )
    identified = assign_identities(near.cards, lock)
    diagnostics += [*deduped.diagnostics, *near.diagnostics, *identified.diagnostics]
    now = config.build_time if config.build_time is not None else build_time(config.sources[0])
    releases, new_lock = plan_releases(identified.notes, lock, now)

    failed = fails_build(diagnostics, strict=config.strict)
    packages: list[PackageInfo] = []
    if not failed:
        media = {m.stored_name: m.path for n in identified.notes for m in n.tagged.rendered.media}
        try:
            packages = write_releases(releases, media, config.out)
        except ReleaseExistsError as error:
            diagnostics.append(Diagnostic("", 0, Severity.ERROR, "release-exists", str(error)))
            failed = True
    if not failed:
        for release in releases:
            write_changelog(release, new_lock, config.out)
        if config.lock is not None:
            new_lock.save(config.lock)
    report = build_report(identified.notes, releases, packages, diagnostics, failed=failed)
    report_path = write_report(report, config.out)
    return BuildResult(
        identified.notes,
        tuple(packages),
        tuple(releases),
        tuple(sorted(diagnostics)),
        failed,
        report_path,
    )
