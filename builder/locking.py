"""One build at a time per output folder and per lock file.

Two builds writing the same lock file or the same packages at once could interleave their
writes; each build that writes holds an exclusive lock on the folders it writes to. The
lock is taken on the folder itself (flock on a directory), so no lock file is ever written
among the notes, and the system drops it when a build is killed.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX: builds are not serialized
    fcntl = None  # type: ignore[assignment]

PARTIAL_SUFFIX = ".partial"


@contextlib.contextmanager
def exclusive_build(
    folders: Sequence[Path], waiting: Callable[[Path], None] = lambda folder: None
) -> Iterator[None]:
    """Hold an exclusive lock on every folder while the block runs (on its nearest existing
    parent when it does not exist yet: nothing is created); `waiting` is told once for each
    folder another build holds."""
    descriptors: list[int] = []
    try:
        for folder in sorted({_existing(f.resolve()) for f in folders}):  # one order
            descriptor = os.open(folder, os.O_RDONLY)
            descriptors.append(descriptor)
            if fcntl is None:
                continue
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                waiting(folder)
                fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        for descriptor in descriptors:
            os.close(descriptor)  # closing releases the lock


def _existing(folder: Path) -> Path:
    while not folder.is_dir() and folder != folder.parent:
        folder = folder.parent
    return folder


def remove_partials(out: Path, lock: Path | None) -> list[Path]:
    """Delete the half-written files (`.<name>.partial`) a killed build left in the output
    folder and beside the lock file; only those, and only while holding the build lock."""
    found = sorted(out.glob(f".*{PARTIAL_SUFFIX}")) if out.is_dir() else []
    if lock is not None:
        found.append(lock.with_name(f".{lock.name}{PARTIAL_SUFFIX}"))
    removed = []
    for partial in found:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
            removed.append(partial)
    return removed
