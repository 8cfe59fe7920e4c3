"""Command line: `python -m builder build [--source DIR]... [--media DIR]... [--out DIR]`."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from builder import __version__
from builder.diagnostics import BuildError, Severity, UsageError
from builder.discover import LOCK_FILE_NAME
from builder.pipeline import BuildConfig, BuildResult, build
from builder.progress import progress_for

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DEFAULT_SOURCE, DEFAULT_MEDIA, DEFAULT_OUT = Path("source_notes"), Path("media"), Path("dist")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m builder",
        description="Build Anki packages (.apkg) from study notes, Obsidian flashcards and "
        "question dumps.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    build_parser = commands.add_parser(
        "build",
        help="build every deck into the output folder",
        description="Build every deck into the output folder.",
        epilog="examples:\n  python -m builder build\n"
        "  python -m builder build --source ~/vault --media ~/vault/attachments \\\n"
        "      --out decks --strict",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    build_parser.add_argument(
        "--source",
        action="append",
        type=Path,
        metavar="DIR",
        help="folder of notes (repeatable; default: source_notes)",
    )
    build_parser.add_argument(
        "--media",
        action="append",
        type=Path,
        metavar="DIR",
        help="folder of images (repeatable; default: media, if it exists)",
    )
    build_parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, metavar="DIR", help="output folder (default: dist)"
    )
    build_parser.add_argument(
        "--deck",
        default="Notes",
        metavar="NAME",
        help="deck for files whose frontmatter names none (default: Notes)",
    )
    build_parser.add_argument(
        "--taxonomy",
        type=Path,
        metavar="FILE",
        help="exam taxonomy (domains, services, aliases) as JSON "
        "(default: the built-in AWS ML Specialty one)",
    )
    build_parser.add_argument(
        "--lock",
        type=Path,
        metavar="FILE",
        help="lock file keeping card identities, times and versions "
        "(default: deck.lock in the first source folder; commit it)",
    )
    build_parser.add_argument(
        "--strict",
        action="store_true",
        help="treat warnings as errors (exit 1, no package written)",
    )
    build_parser.add_argument(
        "--jobs",
        type=int,
        metavar="N",
        help="worker processes for reading files (default: one per core)",
    )
    build_parser.add_argument(
        "--no-cache",
        action="store_true",
        help="read every file again instead of reusing <out>/.cache",
    )
    build_parser.add_argument("--quiet", action="store_true", help="print only problems")
    return parser


def _existing_folders(paths: Sequence[Path], what: str) -> tuple[Path, ...]:
    for path in paths:
        if not path.is_dir():
            problem = "does not exist" if not path.exists() else "is not a folder"
            raise UsageError(f"{what} folder '{path}' {problem}")
    return tuple(paths)


def config_from(args: argparse.Namespace) -> BuildConfig:
    """Check the folders named on the command line and make the build configuration."""
    sources = _existing_folders(args.source or [DEFAULT_SOURCE], "source")
    if args.media:
        media = _existing_folders(args.media, "media")
    else:
        media = (DEFAULT_MEDIA,) if DEFAULT_MEDIA.is_dir() else ()
    if args.out.exists() and not args.out.is_dir():
        raise UsageError(f"output '{args.out}' exists and is not a folder")
    if args.taxonomy is not None and not args.taxonomy.is_file():
        raise UsageError(f"taxonomy file '{args.taxonomy}' does not exist")
    lock = args.lock if args.lock is not None else sources[0] / LOCK_FILE_NAME
    if args.jobs is not None and args.jobs < 1:
        raise UsageError(f"--jobs must be 1 or more, not {args.jobs}")
    return BuildConfig(
        sources,
        media,
        args.out,
        args.strict,
        args.deck,
        args.taxonomy,
        lock,
        jobs=args.jobs,
        cache=not args.no_cache,
        progress=progress_for(sys.stderr, quiet=args.quiet),
    )


def print_result(result: BuildResult, *, quiet: bool) -> None:
    """Diagnostics to stderr, one line each; a summary to stdout."""
    for diagnostic in result.diagnostics:
        if diagnostic.severity is not Severity.INFO or not quiet:
            print(diagnostic, file=sys.stderr)
    counts = Counter(d.severity for d in result.diagnostics)
    summary = (
        f"{counts[Severity.ERROR]} errors, {counts[Severity.WARNING]} warnings, "
        f"{counts[Severity.INFO]} notes"
    )
    if result.failed:
        print(
            f"build failed ({summary}); no package written; report: {result.report_path}",
            file=sys.stderr,
        )
        return
    if not quiet:
        for line in result.summary:
            print(line)
        again = "; nothing changed since the last build" if result.reused else ""
        packages = sum(not line.startswith(" ") for line in result.summary)
        print(
            f"{result.note_count} notes in {packages} package(s){again}; "
            f"{summary}; report: {result.report_path}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        config = config_from(args)
        result = build(config)
    except UsageError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except BuildError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except OSError as error:
        print(
            f"error: {error.strerror or error}: {error.filename or ''}".rstrip(": "),
            file=sys.stderr,
        )
        return EXIT_FAILED
    print_result(result, quiet=args.quiet)
    return EXIT_FAILED if result.failed else EXIT_OK
