"""`make bench`: build synthetic trees of 1k, 10k and 100k cards and time every kind of build.

For each size: a full build (empty cache, no lock), a no-op rebuild, a rebuild after one file
changed, peak memory, cards per second, and the time genanki alone takes to write the same
number of notes (the floor). Each build runs in its own process, as a user runs it. Prints a
table and writes `dist/bench.json`.

    python -m tests.bench [SIZE ...] [--out DIR] [--work DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.synthetic import generate

SIZES = (1_000, 10_000, 100_000)
FLOOR_SCRIPT = """
import sys, time, genanki
from builder.writers.notetypes import note_types
model = note_types()["basic"].model
n = int(sys.argv[1])
start = time.perf_counter()
deck = genanki.Deck(2059400110, "Floor")
for i in range(n):
    deck.add_note(genanki.Note(model=model, guid=f"g{i}", fields=[
        f"Question {i} about Kinesis Data Streams shard capacity and partition keys?",
        f"Answer {i}: one MB per second or 1,000 records per second per shard.", "Ctx", "a.md"]))
genanki.Package(deck).write_to_file(sys.argv[2], timestamp=1)
print(time.perf_counter() - start)
"""


def timed(command: list[str], cwd: Path) -> tuple[float, float, str]:
    """(seconds, peak resident memory in MB, stdout) of a command run in its own process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    # ru_maxrss is the largest child so far, in kB on Linux; report this run's when it grew.
    return seconds, max(peak, before) / 1024, done.stdout


def build_command(tree: Path, out: Path) -> list[str]:
    return [
        sys.executable, "-m", "builder", "build", "--source", str(tree),
        "--media", str(tree / "images"), "--out", str(out), "--deck", "Synthetic", "--quiet",
    ]  # fmt: skip


def bench_size(cards: int, work: Path) -> dict[str, Any]:
    tree, out = work / f"tree-{cards}", work / f"out-{cards}"
    for path in (tree, out):
        shutil.rmtree(path, ignore_errors=True)
    files = generate(tree, cards)
    # The tree was written just now: its pages go to disk before the clock starts, not
    # while the build runs (a user's notes were not all written a second ago).
    os.sync()
    repo = Path(__file__).resolve().parent.parent
    full, peak, _ = timed(build_command(tree, out), repo)
    report = json.loads((out / "build-report.json").read_text())
    notes = report["notes"]
    os.sync()
    noop, noop_peak, _ = timed(build_command(tree, out), repo)
    changed_file = sorted(tree.rglob("cards-*.md"))[0]
    changed_file.write_text(
        changed_file.read_text() + "\nOne more fact about shards::A new answer\n", encoding="utf-8"
    )
    os.sync()
    one, one_peak, _ = timed(build_command(tree, out), repo)
    floor_done = subprocess.run(
        [sys.executable, "-c", FLOOR_SCRIPT, str(notes), str(work / "floor.apkg")],
        cwd=repo, capture_output=True, text=True, check=True,
    )  # fmt: skip
    floor = float(floor_done.stdout.strip())
    return {
        "cards": cards,
        "files": files,
        "notes": notes,
        "full_build_s": round(full, 2),
        "noop_rebuild_s": round(noop, 2),
        "one_file_changed_s": round(one, 2),
        "peak_memory_mb": round(max(peak, noop_peak, one_peak)),
        "cards_per_s": round(notes / full),
        "genanki_floor_s": round(floor, 2),
        "full_over_floor": round(full / floor, 1),
    }


COLUMNS = [
    ("cards", "cards"), ("notes", "notes"), ("full_build_s", "full s"),
    ("noop_rebuild_s", "no-op s"), ("one_file_changed_s", "1 file s"),
    ("peak_memory_mb", "peak MB"), ("cards_per_s", "cards/s"),
    ("genanki_floor_s", "floor s"), ("full_over_floor", "x floor"),
]  # fmt: skip


def table(rows: list[dict[str, Any]]) -> str:
    widths = [max(len(title), *(len(str(r[key])) for r in rows)) for key, title in COLUMNS]
    lines = ["  ".join(title.rjust(w) for (_, title), w in zip(COLUMNS, widths, strict=True))]
    for row in rows:
        cells = [str(row[key]).rjust(w) for (key, _), w in zip(COLUMNS, widths, strict=True)]
        lines.append("  ".join(cells))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.bench", description=__doc__)
    parser.add_argument("sizes", nargs="*", type=int, default=list(SIZES))
    parser.add_argument("--out", type=Path, default=Path("dist"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/deck-bench"))
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    rows = []
    for size in args.sizes:
        rows.append(bench_size(size, args.work))
        print(table(rows[-1:]) if len(rows) == 1 else table(rows).splitlines()[-1], flush=True)
    machine = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cores": len(os.sched_getaffinity(0)),
        "cpu": platform.processor() or platform.machine(),
    }
    print()
    print(table(rows))
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench.json").write_text(
        json.dumps({"machine": machine, "results": rows}, indent=2) + "\n", encoding="utf-8"
    )
    print(f"\nwrote {args.out / 'bench.json'} ({machine['cores']} cores, {machine['platform']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
