"""Progress of long builds: a bar in a terminal, a few plain lines in CI logs."""

from __future__ import annotations

import sys
import time
from typing import TextIO

LONG_BUILD_FILES = 200
"""Builds of fewer files are over before a bar would help."""


class TerminalProgress:
    """A tqdm bar on stderr, shown only for builds with many files."""

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self._bar: object | None = None

    def start(self, total: int) -> None:
        if total >= LONG_BUILD_FILES:
            from tqdm import tqdm

            self._bar = tqdm(
                total=total, unit="file", desc="reading", leave=False, file=self.stream
            )

    def advance(self, done: int) -> None:
        if self._bar is not None:
            self._bar.update(done)  # type: ignore[attr-defined]

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.close()  # type: ignore[attr-defined]
            self._bar = None


class LineProgress:
    """Plain lines for logs (CI): one at the start, one at each quarter, one at the end."""

    def __init__(self, stream: TextIO = sys.stderr) -> None:
        self.stream = stream
        self.total = self.done = self.reported = 0
        self.started = 0.0

    def start(self, total: int) -> None:
        self.total, self.done, self.reported = total, 0, 0
        self.started = time.monotonic()
        if total >= LONG_BUILD_FILES:
            print(f"reading {total} files", file=self.stream, flush=True)

    def advance(self, done: int) -> None:
        self.done += done
        if self.total < LONG_BUILD_FILES:
            return
        quarter = 4 * self.done // self.total
        if quarter > self.reported and self.done < self.total:
            self.reported = quarter
            print(f"  {self.done}/{self.total} files", file=self.stream, flush=True)

    def finish(self) -> None:
        if self.total >= LONG_BUILD_FILES:
            seconds = time.monotonic() - self.started
            print(f"read {self.total} files in {seconds:.1f} s", file=self.stream, flush=True)


def progress_for(stream: TextIO, *, quiet: bool) -> TerminalProgress | LineProgress | None:
    """A bar in a terminal, lines in a log, nothing when asked to be quiet."""
    if quiet:
        return None
    return TerminalProgress(stream) if stream.isatty() else LineProgress(stream)
