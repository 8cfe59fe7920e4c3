"""The build, stage by stage: discover → read → render → tag → dedupe → identity → package."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from builder.cache import BuildCache, digest
from builder.collector import collector_paused, frozen_until_done
from builder.diagnostics import BuildError, Diagnostic
from builder.discover import SourceFile, discover
from builder.inputs import FileSettings, file_key, settings_key
from builder.lock import Lock, LockError, file_digest
from builder.model import Card
from builder.outputs import FileState, exclusive_build, file_state, remove_partials

if TYPE_CHECKING:  # the stages are heavy to import; a build with nothing to do needs none
    from builder.model import Note
    from builder.readers import ReadContext
    from builder.release import DeckRelease
    from builder.writers.apkg import PackageInfo


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
    write: bool = True
    """Write packages, changelogs, the lock file and the report; False works everything out
    and writes nothing (`check`, `report`, `diff`, `preview`)."""
    checks: Mapping[str, str] = field(default_factory=dict)
    """Diagnostic code → level it is reported at (`ignore` drops it), from the configuration."""
    subdecks_by_domain: bool = False
    """A card of a deck without subdecks goes into `Deck::<its exam domain>`."""
    waiting: Callable[[Path], None] = lambda folder: None
    """Told when another build holds a folder this one writes to, before waiting for it."""


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
    summary: tuple[str, ...] = ()
    """One line per package: written or unchanged, its notes, its version's changes."""
    unchanged_summary: tuple[str, ...] = ()
    """The same lines as a later build with nothing changed prints them."""
    note_count: int = 0
    """Notes in the packages (retired ones not counted)."""
    reused: bool = False
    """Nothing changed since the last build: its result was given back without any work."""
    report: Mapping[str, Any] = field(default_factory=dict)
    """The report's data (empty when the last build's result was reused)."""
    media: Mapping[str, Path] = field(default_factory=dict)
    """Stored media name → file, for every media file a note shows."""
    locked_versions: Mapping[str, str] = field(default_factory=dict)
    """Each deck's version in the lock file as the build found it."""
    lock_digest: str | None = None
    """`lock.file_digest` of the lock file as the build left it, when the build wrote it
    (or found it the same); None when not known."""
    package_keys: Mapping[Path, str] = field(default_factory=dict)
    """Each package file's `package_key`: what its bytes depend on besides its name."""


def read_sources(
    files: Sequence[SourceFile], context: ReadContext
) -> tuple[list[tuple[Card, SourceFile]], list[Diagnostic]]:
    """Every card of every file; a reader that fails on one file never stops the others."""
    from builder.files import read_file

    cards: list[tuple[Card, SourceFile]] = []
    diagnostics: list[Diagnostic] = []
    for source in files:
        found, problems = read_file(source, context)
        cards.extend((card, source) for card in found)
        diagnostics.extend(problems)
    return cards, diagnostics


def build(config: BuildConfig) -> BuildResult:
    """Run every stage; write packages unless the build failed, and always write the report.

    When nothing the build depends on changed since the last successful build into the same
    folder, and its outputs are still there as written, the last result is given back
    without loading any of the heavy stages. A build that writes holds the output folder and
    the lock file's folder for itself, so two builds never write the same files at once.
    """
    if not config.write:
        return _build(config)
    # The output folder is made first, so that every build locks that folder itself. A
    # build that found it missing would lock its parent, and one started once the first had
    # made it would lock the folder: both would run, each deleting the other's `.partial`.
    try:
        config.out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        in_the_way = [p for p in (config.out, *config.out.parents) if p.exists() and not p.is_dir()]
        why = f"{in_the_way[0]} is a file" if in_the_way else error.strerror or str(error)
        raise BuildError(f"the output folder {config.out} cannot be made: {why}") from None
    folders = [config.out, *([config.lock.parent] if config.lock is not None else [])]
    with exclusive_build(folders, config.waiting):
        remove_partials(config.out, config.lock)
        return _build(config)


def _build(config: BuildConfig) -> BuildResult:
    lock_bytes = _read_lock(config.lock)
    files, diagnostics = discover(config.sources)
    settings = FileSettings(
        config.sources,
        config.media,
        config.default_deck,
        config.taxonomy,
        config.subdecks_by_domain,
    )
    config_key = settings_key(settings)
    keys = [file_key(config_key, source) for source in files]
    if config.cache and config.write:
        key = _build_key(config, config_key, file_digest(lock_bytes), keys)
        reused = last_build(config.out, key)
        if reused is not None:
            return reused
    # What the lock file and `process_files` load is kept through the build, in no cycle:
    # frozen for the collector, whose later collections would look at all of it again
    # (0.1 s for the 100k cards of a lock file), and unfrozen when the build is done.
    with frozen_until_done():
        # A damaged lock file stops the build before anything is written.
        lock = Lock()
        if lock_bytes is not None and config.lock is not None:
            with collector_paused(freeze=True):
                lock = Lock.parse(lock_bytes, config.lock)
        del lock_bytes  # a large deck's lock file is 100 MB: kept only as its cards' lines
        from builder import stages

        result = stages.run(config, settings, lock, files, diagnostics, keys)
    if not result.failed and config.cache and config.write:
        # The key of the tree as this build leaves it: with the lock file it wrote, hashed
        # from the lines it wrote rather than read back (120 MB for 100k cards).
        written = result.lock_digest
        if written is None:
            written = file_digest(_read_lock(config.lock))
        record_build(config.out, _build_key(config, config_key, written, keys), result)
    return result


def _build_key(config: BuildConfig, config_key: str, lock_digest: str, keys: Sequence[str]) -> str:
    """Everything a build's outputs depend on, as one key; `lock_digest` is the lock
    file's `file_digest`."""
    return digest(
        config_key,
        lock_digest,
        repr((config.strict, config.build_time, str(config.out), sorted(config.checks.items()))),
        *keys,
    )


def _read_lock(path: Path | None) -> bytes | None:
    if path is None:
        return None
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        raise LockError(f"{path}: cannot be read: {error}") from None


def record_build(out: Path, key: str, result: BuildResult) -> None:
    """Remember a successful build, so the same inputs next time need no work, and which
    package files it left as they should be, so a deck nothing changed in keeps its own."""
    outputs: dict[str, FileState | None] = {}
    packages: dict[str, str] = {}
    for package in result.packages:
        # As the build wrote or checked it: a file put in its place since is not trusted,
        # and one that changed while it was compared (None) matches nothing next time.
        outputs[str(package.path)] = package.state
        if package.state is not None and package.path in result.package_keys:
            packages[str(package.path)] = result.package_keys[package.path]
    outputs[str(result.report_path)] = file_state(result.report_path)
    record = {
        "key": key,
        "outputs": outputs,
        "packages": packages,
        "report": result.report_path,
        "summary": result.unchanged_summary,
        "notes": result.note_count,
        "diagnostics": result.diagnostics,
    }
    BuildCache(out).put("build", "last", record)


def last_build(out: Path, key: str) -> BuildResult | None:
    """The last build's result when its inputs were these and its outputs are untouched."""
    record = BuildCache(out).get("build", "last")
    if not isinstance(record, dict) or record.get("key") != key:
        return None
    try:
        if not all(_untouched(Path(name), state) for name, state in record["outputs"].items()):
            return None
        summary = record["summary"]
        return BuildResult(
            (), (), (), record["diagnostics"], False, record["report"], summary, summary,
            record["notes"], reused=True,
        )  # fmt: skip
    except (KeyError, TypeError, ValueError, AttributeError):  # a record of another shape
        return None


def kept_packages(out: Path, keys: Mapping[Path, str]) -> dict[Path, FileState]:
    """The package files among `keys` (file → its `package_key`) that the last successful
    build into `out` wrote or checked with the same key, untouched since (with that state):
    their bytes are the ones this build would make, so they need not be made again."""
    record = BuildCache(out).get("build", "last")
    kept: dict[Path, FileState] = {}
    try:
        recorded, outputs = record["packages"], record["outputs"]
        for path, key in keys.items():
            state = outputs.get(str(path))
            if recorded.get(str(path)) == key and _untouched(path, state):
                kept[path] = state
    except (KeyError, TypeError, ValueError, AttributeError):  # none, or of another shape
        return {}
    return kept


def _untouched(path: Path, state: object) -> bool:
    """The file is there in the state recorded."""
    try:
        return file_state(path) == state
    except OSError:
        return False
