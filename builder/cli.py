"""Command line: `python -m builder COMMAND` (also installed as `anki-deck-builder`).

`build` writes the packages; `check`, `report`, `diff` and `preview` work everything out the
same way and write nothing but what they are for; `verify` imports a package into a scratch
collection with the official engine. Options come from the command line, else from
`[tool.builder]` in `pyproject.toml`, else their defaults.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from builder import __version__
from builder.config import find_config, load_settings
from builder.diagnostics import BuildError, Diagnostic, Severity, UsageError
from builder.discover import LOCK_FILE_NAME
from builder.pipeline import BuildConfig, BuildResult, build
from builder.progress import progress_for

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
DEFAULT_SOURCE, DEFAULT_MEDIA, DEFAULT_OUT = Path("source_notes"), Path("media"), Path("dist")
DEFAULT_DECK = "Notes"
SHOWN_PER_CODE = 5
"""Without --verbose, a code met more often than this shows this many lines and a count."""

COMMANDS: dict[str, tuple[str, str]] = {
    "build": (
        "build every deck into the output folder",
        "  python -m builder build\n"
        "  python -m builder build --source ~/vault --media ~/vault/attachments --out decks "
        "--strict",
    ),
    "check": (
        "check the notes without writing anything (for a pre-commit hook)",
        "  python -m builder check --strict\n  python -m builder check --json > problems.json",
    ),
    "report": (
        "cards per deck, domain, service, kind and source; merged duplicates; diagnostics",
        "  python -m builder report\n  python -m builder report --json | jq '.decks[0].by_domain'",
    ),
    "diff": (
        "what the next version of each deck adds, changes, moves and retires",
        '  python -m builder diff\n  python -m builder diff --markdown >> "$GITHUB_STEP_SUMMARY"',
    ),
    "preview": (
        "a static HTML page of every card, front and back, searchable, offline",
        "  python -m builder preview && xdg-open dist/preview/index.html",
    ),
}


def _common_options(parser: argparse.ArgumentParser, *, machine: bool, markdown: bool) -> None:
    """The options every build-like command takes, with no defaults of their own: a missing
    option is taken from the configuration file, then from its default."""
    parser.add_argument(
        "--source",
        action="append",
        type=Path,
        metavar="DIR",
        help="folder of notes (repeatable; default: source_notes)",
    )
    parser.add_argument(
        "--media",
        action="append",
        type=Path,
        metavar="DIR",
        help="folder of images (repeatable; default: media, if it exists)",
    )
    parser.add_argument("--out", type=Path, metavar="DIR", help="output folder (default: dist)")
    parser.add_argument(
        "--deck", metavar="NAME", help="deck for files that name none (default: Notes)"
    )
    parser.add_argument(
        "--taxonomy",
        type=Path,
        metavar="FILE",
        help="exam taxonomy as JSON (default: the built-in AWS ML Specialty one)",
    )
    parser.add_argument(
        "--lock",
        type=Path,
        metavar="FILE",
        help="lock file keeping card identities, times and versions "
        "(default: deck.lock in the first source folder; commit it)",
    )
    parser.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help="configuration file with a [tool.builder] table (default: ./pyproject.toml)",
    )
    parser.add_argument(
        "--strict",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="treat warnings as errors (exit 1; build writes no package)",
    )
    parser.add_argument(
        "--jobs", type=int, metavar="N", help="worker processes (default: one per core)"
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="read every file again instead of reusing <out>/.cache",
    )
    loudness = parser.add_mutually_exclusive_group()
    loudness.add_argument("--quiet", action="store_true", help="print only problems")
    loudness.add_argument(
        "--verbose", action="store_true", help="print every diagnostic, notes included"
    )
    if machine:
        parser.add_argument("--json", action="store_true", help="print JSON to stdout")
    if markdown:
        parser.add_argument(
            "--markdown", action="store_true", help="print Markdown (for a CI job summary)"
        )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m builder",
        description="Build Anki packages (.apkg) from study notes, Obsidian flashcards and "
        "question dumps.",
        epilog="Run 'python -m builder COMMAND --help' for a command's options and examples.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (summary, examples) in COMMANDS.items():
        sub = commands.add_parser(
            name,
            help=summary,
            description=summary[0].upper() + summary[1:] + ".",
            epilog=f"examples:\n{examples}",
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        _common_options(
            sub, machine=name in ("check", "report", "diff"), markdown=name in ("report", "diff")
        )
    verify = commands.add_parser(
        "verify",
        help="import a package into a scratch collection with the official engine",
        description="Import a package into a scratch Anki collection with the official "
        "engine (the `anki` package) and report what Anki saw.",
        epilog="examples:\n  python -m builder verify dist/aws-ml-specialty-1.0.0.apkg\n"
        "  python -m builder verify --json dist/*.apkg",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    verify.add_argument("packages", nargs="+", type=Path, metavar="PACKAGE")
    verify.add_argument("--json", action="store_true", help="print JSON to stdout")
    return parser


def _existing_folders(paths: Sequence[Path], what: str) -> tuple[Path, ...]:
    for path in paths:
        if not path.is_dir():
            problem = "does not exist" if not path.exists() else "is not a folder"
            raise UsageError(f"{what} folder '{path}' {problem}")
    return tuple(paths)


def config_from(args: argparse.Namespace, *, write: bool = True) -> BuildConfig:
    """The build configuration: the command line over the configuration file over defaults."""
    settings = load_settings(find_config(args.config, Path.cwd()))
    sources = _existing_folders(args.source or settings.sources or [DEFAULT_SOURCE], "source")
    if args.media or settings.media:
        media = _existing_folders(args.media or settings.media or (), "media")
    else:
        media = (DEFAULT_MEDIA,) if DEFAULT_MEDIA.is_dir() else ()
    out = args.out or settings.out or DEFAULT_OUT
    if out.exists() and not out.is_dir():
        raise UsageError(f"output '{out}' exists and is not a folder")
    taxonomy = args.taxonomy or settings.taxonomy
    if taxonomy is not None and not taxonomy.is_file():
        raise UsageError(f"taxonomy file '{taxonomy}' does not exist")
    lock = args.lock or settings.lock or sources[0] / LOCK_FILE_NAME
    jobs = args.jobs if args.jobs is not None else settings.jobs
    if jobs is not None and jobs < 1:
        raise UsageError(f"--jobs must be 1 or more, not {jobs}")
    strict = args.strict if args.strict is not None else bool(settings.strict)
    quiet = args.quiet or getattr(args, "json", False) or getattr(args, "markdown", False)
    return BuildConfig(
        sources,
        media,
        out,
        strict,
        args.deck or settings.deck or DEFAULT_DECK,
        taxonomy,
        lock,
        jobs=jobs,
        cache=not args.no_cache,
        progress=progress_for(sys.stderr, quiet=quiet),
        write=write,
        checks=settings.checks,
        subdecks_by_domain=bool(settings.subdecks_by_domain),
        waiting=_say_waiting,
    )


def _say_waiting(folder: Path) -> None:
    print(f"waiting for another build that is writing to {folder} …", file=sys.stderr)


def diagnostic_lines(diagnostics: Sequence[Diagnostic], *, verbose: bool, quiet: bool) -> list[str]:
    """The lines to show: errors and warnings, notes too with --verbose; without it, a code
    met many times shows its first lines and how many more there are."""
    shown = [d for d in diagnostics if d.severity is not Severity.INFO or (verbose and not quiet)]
    if verbose:
        return [str(d) for d in shown]
    lines: list[str] = []
    seen: Counter[tuple[Severity, str]] = Counter()
    for diagnostic in shown:
        key = (diagnostic.severity, diagnostic.code)
        seen[key] += 1
        if seen[key] <= SHOWN_PER_CODE:
            lines.append(str(diagnostic))
    for (severity, code), count in sorted(seen.items()):
        if count > SHOWN_PER_CODE:
            lines.append(
                f"… and {count - SHOWN_PER_CODE} more {severity}[{code}] (--verbose shows all)"
            )
    return lines


def summary_line(diagnostics: Sequence[Diagnostic]) -> str:
    """`2 errors (no-answer 2), 1 warning (missing-media 1), 233 info (duplicate 233)`."""
    parts = []
    for severity, one, many in (
        (Severity.ERROR, "error", "errors"),
        (Severity.WARNING, "warning", "warnings"),
        (Severity.INFO, "info", "info"),
    ):
        codes = Counter(d.code for d in diagnostics if d.severity is severity)
        total = sum(codes.values())
        detail = ", ".join(f"{code} {n}" for code, n in sorted(codes.items()))
        parts.append(f"{total} {one if total == 1 else many}" + (f" ({detail})" if detail else ""))
    return ", ".join(parts)


def print_diagnostics(result: BuildResult, args: argparse.Namespace) -> None:
    for line in diagnostic_lines(result.diagnostics, verbose=args.verbose, quiet=args.quiet):
        print(line, file=sys.stderr)


def print_result(result: BuildResult, args: argparse.Namespace) -> None:
    """Diagnostics to stderr, one line each; a summary to stdout."""
    print_diagnostics(result, args)
    summary = summary_line(result.diagnostics)
    if result.failed:
        print(
            f"build failed: {summary}; no package written; report: {result.report_path}",
            file=sys.stderr,
        )
        return
    if not args.quiet:
        for line in result.summary:
            print(line)
        again = "; nothing changed since the last build" if result.reused else ""
        packages = sum(not line.startswith(" ") for line in result.summary)
        print(
            f"{result.note_count} notes in {packages} package(s){again}; "
            f"{summary}; report: {result.report_path}"
        )


def run_build(args: argparse.Namespace) -> int:
    result = build(config_from(args))
    print_result(result, args)
    return EXIT_FAILED if result.failed else EXIT_OK


def run_check(args: argparse.Namespace) -> int:
    result = build(config_from(args, write=False))
    notes = sum(not n.retired for r in result.releases for n in r.notes)
    if args.json:
        counts = Counter(str(d.severity) for d in result.diagnostics)
        _print_json(
            {
                "ok": not result.failed,
                "notes": notes,
                "counts": dict(sorted(counts.items())),
                "diagnostics": [d.to_json() for d in result.diagnostics],
            }
        )
    else:
        print_diagnostics(result, args)
        verdict = "check failed" if result.failed else "check passed"
        if result.failed or not args.quiet:
            stream = sys.stderr if result.failed else sys.stdout
            print(f"{verdict}: {notes} notes; {summary_line(result.diagnostics)}", file=stream)
    return EXIT_FAILED if result.failed else EXIT_OK


def run_report(args: argparse.Namespace) -> int:
    from builder.writers.summary import report_markdown, report_text

    result = build(config_from(args, write=False))
    if args.json:
        _print_json(dict(result.report))
    else:
        print_diagnostics(result, args)
        render = report_markdown if args.markdown else report_text
        print(render(result.report), end="")
    return EXIT_FAILED if result.failed else EXIT_OK


def run_diff(args: argparse.Namespace) -> int:
    from builder.writers.summary import diff_data, diff_markdown, diff_text

    result = build(config_from(args, write=False))
    data = diff_data(result.releases, result.locked_versions)
    if args.json:
        _print_json(data)
    else:
        print_diagnostics(result, args)
        print((diff_markdown if args.markdown else diff_text)(data), end="")
    return EXIT_FAILED if result.failed else EXIT_OK


def run_preview(args: argparse.Namespace) -> int:
    from builder.writers.preview import write_preview

    config = config_from(args, write=False)
    result = build(config)
    print_diagnostics(result, args)
    page = write_preview(result.releases, result.media, config.out)
    if not args.quiet:
        cards = sum(len(r.notes) for r in result.releases)
        print(f"wrote {page} ({cards} notes); open it in a browser")
    return EXIT_OK


def run_verify(args: argparse.Namespace) -> int:
    from builder.verify import EngineMissingError, verify_package, verify_text

    reports = []
    for package in args.packages:
        if not package.is_file():
            raise UsageError(f"package '{package}' does not exist")
        try:
            reports.append(verify_package(package))
        except EngineMissingError as error:
            raise UsageError(str(error)) from None
    if args.json:
        _print_json(reports if len(reports) > 1 else reports[0])
    else:
        for report in reports:
            print(verify_text(report), end="")
    return EXIT_FAILED if any(not r["ok"] for r in reports) else EXIT_OK


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False, default=str))


RUNNERS: dict[str, Callable[[argparse.Namespace], int]] = {
    "build": run_build,
    "check": run_check,
    "report": run_report,
    "diff": run_diff,
    "preview": run_preview,
    "verify": run_verify,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit code."""
    args = _parser().parse_args(argv)
    try:
        return RUNNERS[args.command](args)
    except BrokenPipeError:  # `| head` closed the pipe: what was wanted has been printed
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
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
