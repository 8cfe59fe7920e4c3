"""Every stage of a build after discovery: read, render and tag each file (cached, in
parallel), merge duplicates, give identities, plan releases, and write packages, changelogs,
the lock file and the report."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from builder.cache import BuildCache
from builder.collector import collector_paused
from builder.config import IGNORE
from builder.diagnostics import Diagnostic, Severity, fails_build
from builder.discover import SourceFile
from builder.files import CardFeatures, FileOutcome, default_jobs, process_files
from builder.inputs import FileSettings
from builder.lock import Lock, lines_digest
from builder.model import TaggedCard
from builder.pipeline import BuildConfig, BuildResult, NoProgress, kept_packages
from builder.release import DeckRelease, build_time, plan_releases
from builder.transforms.dedupe import merge_duplicates, merge_near_duplicates
from builder.transforms.identity import Fingerprint, assign_identities
from builder.transforms.tag import Tagger, Taxonomy
from builder.writers.apkg import (
    PackageInfo,
    ReleaseExistsError,
    package_key,
    package_path,
    preparing,
    slugify,
    write_prepared,
)
from builder.writers.changelog import write_changelog
from builder.writers.report import REPORT_NAME, build_report, write_report


def run(
    config: BuildConfig,
    settings: FileSettings,
    lock: Lock,
    files: list[SourceFile],
    diagnostics: list[Diagnostic],
    keys: list[str],
) -> BuildResult:
    """Run every stage; write packages unless the build failed, and always write the report."""
    cache = BuildCache(config.out, enabled=config.cache)
    progress = config.progress or NoProgress()
    progress.start(len(files))
    outcomes = process_files(
        files, keys, settings, cache, jobs=config.jobs or default_jobs(), progress=progress.advance
    )
    progress.finish()
    # The later stages make objects that are kept to the end or freed by their count of
    # references, not cycles to collect. With the collector running, its full collections
    # went over them again and again as they grew: paused, a rebuild of 100k cards after
    # one change took 1.4 s less (three paired runs: 12.1–12.9 s → 10.9–11.6 s), with the
    # same peak memory. Frozen at the end, what they made is not looked at by the first
    # collection once the collector is back (0.1 s at 100k cards), and is unfrozen with the
    # rest when the build is done (`frozen_until_done`).
    with collector_paused(freeze=True):
        return _after_files(config, lock, files, outcomes, diagnostics)


def _after_files(
    config: BuildConfig,
    lock: Lock,
    files: list[SourceFile],
    outcomes: list[FileOutcome],
    diagnostics: list[Diagnostic],
) -> BuildResult:
    """Every stage after the per-file one: duplicates, identities, releases, and the writes."""
    tagged = [card for outcome in outcomes for card in outcome.cards]
    diagnostics += [d for outcome in outcomes for d in outcome.diagnostics]

    # Features by card: a merged card is a new object, but its rendered card is the same one.
    features = {
        id(card.rendered): feature
        for outcome in outcomes
        for card, feature in zip(outcome.cards, outcome.features, strict=True)
    }

    def feature(card: TaggedCard) -> CardFeatures:
        return features[id(card.rendered)]

    def fingerprint_of(card: TaggedCard) -> Fingerprint:
        return feature(card).fingerprint

    # The cards as the per-file stage gave them: a merged card is another object, whose
    # tags (part of its digest) may differ.
    unmerged = {id(card.rendered): card for card in tagged}

    def digest_of(card: TaggedCard) -> str | None:
        return feature(card).digest if unmerged[id(card.rendered)] is card else None

    tagger = Tagger(Taxonomy.load(config.taxonomy))
    deduped = merge_duplicates(tagged, lambda card: feature(card).duplicate_key)
    near = merge_near_duplicates(
        deduped.cards,
        lambda text: {s.id for s in tagger.services_in(text)},
        lambda card: feature(card).sides,
        lambda card: feature(card).pair_hashes,
    )

    identified = assign_identities(
        near.cards,
        lock,
        fingerprint_of,
        lambda card: feature(card).identity_key,
        lambda card: feature(card).new_guid,
    )
    diagnostics += [*deduped.diagnostics, *near.diagnostics, *identified.diagnostics]
    now = config.build_time if config.build_time is not None else build_time(config.sources[0])
    held = frozenset(
        source.display_path
        for source, outcome in zip(files, outcomes, strict=True)
        if outcome.failed
    )
    releases, new_lock = plan_releases(identified.notes, lock, now, fingerprint_of, held, digest_of)

    diagnostics = leveled(diagnostics, config.checks)
    diagnostics += name_clashes(releases, config.out)  # as release-exists: never lowered
    failed = fails_build(diagnostics, strict=config.strict)
    packages: list[PackageInfo] = []
    media = {m.stored_name: m.path for n in identified.notes for m in n.tagged.rendered.media}
    lock_lines: list[bytes | memoryview] = []
    lock_digest: str | None = None
    lock_saved = False
    package_keys = {
        package_path(config.out, r): package_key(r, new_lock.decks[r.deck].package, media)
        for r in releases
    }
    if not failed and config.write:
        # A deck's package that the last build left as this one would make it (a deck
        # nothing changed in) is kept without being made again to be compared.
        kept = kept_packages(config.out, package_keys) if config.cache else {}
        # Every package is worked out, and checked against released versions, before
        # anything is written. The lock file goes first: a build killed after it leaves
        # packages the next build writes again byte for byte, from the lock's times.
        # The packages are zipped in the background while the lock file's lines are made,
        # and written when no file is there that could refuse a package.
        with preparing(releases, media, config.out, kept) as prepared_packages:
            if config.lock is not None:
                lock_lines = new_lock.lines()
            if config.lock is not None and not any(
                path.exists() for path in package_keys if path not in kept
            ):
                lock_digest = _save_lock(new_lock, config.lock, lock_lines, diagnostics)
                lock_saved = True
            try:
                prepared = prepared_packages()
            except ReleaseExistsError as error:
                diagnostics.append(
                    Diagnostic(str(error.path), 0, Severity.ERROR, "release-exists", str(error))
                )
                failed = True
            except OSError as error:  # a media file that went or became unreadable
                where = str(error.filename or config.out)
                message = f"cannot be read ({error.strerror or error}); no package is written"
                diagnostics.append(Diagnostic(where, 0, Severity.ERROR, "package-failed", message))
                failed = True
    if not failed and config.write:
        if config.lock is not None and not lock_saved:
            lock_digest = _save_lock(new_lock, config.lock, lock_lines, diagnostics)
        packages = write_prepared(prepared)
        for release in releases:
            write_changelog(release, new_lock, config.out)
    report = build_report(identified.notes, releases, packages, diagnostics, failed=failed)
    report_path = write_report(report, config.out) if config.write else config.out / REPORT_NAME
    return BuildResult(
        identified.notes,
        tuple(packages),
        tuple(releases),
        tuple(sorted(diagnostics)),
        failed,
        report_path,
        tuple(package_lines(packages, releases, as_unchanged=False)),
        tuple(package_lines(packages, releases, as_unchanged=True)),
        sum(not n.retired for p in packages for n in p.notes),
        report=report,
        media=media,
        locked_versions={deck: entry.version for deck, entry in lock.decks.items()},
        lock_digest=lock_digest,
        package_keys=package_keys,
    )


def name_clashes(releases: Sequence[DeckRelease], out: Path) -> list[Diagnostic]:
    """An error for each top-level deck whose name gives the file name of another's
    package (`Cafe` and `Café` are both `cafe-<version>.apkg`): one package would be
    written over the other, and one deck's release lost."""
    first: dict[str, DeckRelease] = {}
    clashes = []
    for release in releases:
        slug = slugify(release.deck)
        other = first.setdefault(slug, release)
        if other is not release:
            message = (
                f"the decks {other.deck!r} and {release.deck!r} are both packaged as "
                f"{slug}-<version>.apkg, and one would be written over the other: rename one"
            )
            path = str(package_path(out, release))
            clashes.append(Diagnostic(path, 0, Severity.ERROR, "deck-name-clash", message))
    return clashes


def _save_lock(
    lock: Lock, path: Path, lines: list[bytes | memoryview], diagnostics: list[Diagnostic]
) -> str | None:
    """Write the lock file; its `file_digest`, or None and a warning when it cannot be written."""
    try:
        lock.save(path, lines)
    except OSError as error:
        diagnostics.append(
            Diagnostic(
                str(path),
                0,
                Severity.WARNING,
                "lock-not-written",
                f"the lock file could not be written ({error.strerror or error}); the "
                "packages are built, but the next build will not remember these "
                "cards' identities: make the folder writable or pass --lock FILE",
            )
        )
        return None
    return lines_digest(lines)


def leveled(diagnostics: Sequence[Diagnostic], levels: Mapping[str, str]) -> list[Diagnostic]:
    """The diagnostics at the levels the configuration gives their codes; `ignore` drops one."""
    if not levels:
        return list(diagnostics)
    kept = []
    for diagnostic in diagnostics:
        level = levels.get(diagnostic.code)
        if level is None:
            kept.append(diagnostic)
        elif level != IGNORE:
            kept.append(replace(diagnostic, severity=Severity(level)))
    return kept


def release_summary(release: DeckRelease) -> str:
    """`version 1.2.0 (from 1.1.0): 2 added, 1 changed, 1 retired`."""
    if release.previous is None:
        return f"version {release.version} (first release)"
    counts = [
        f"{len(guids)} {what}"
        for what, guids in (
            ("added", release.added),
            ("changed", release.changed),
            ("moved", release.moved),
            ("retired", release.retired),
        )
        if guids
    ]
    changes = ", ".join(counts) or "note types changed"
    return f"version {release.version} (from {release.previous}): {changes}"


def package_lines(
    packages: Sequence[PackageInfo], releases: Sequence[DeckRelease], *, as_unchanged: bool
) -> list[str]:
    """What the command line says of each package."""
    release_of = {r.deck: r for r in releases}
    lines = []
    for package in packages:
        kinds = Counter(n.kind.value for n in package.notes)
        detail = ", ".join(f"{kind} {count}" for kind, count in sorted(kinds.items()))
        written = package.written and not as_unchanged
        state = "wrote" if written else "unchanged"
        lines.append(f"{state} {package.path} ({len(package.notes)} notes: {detail})")
        if written:
            lines.append(f"  {release_summary(release_of[package.deck])}")
    return lines
