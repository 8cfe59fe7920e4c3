"""Writing the build's outputs safely: whole files only, and one build at a time.

Every output (packages, changelogs, report, lock file, preview) is written to a `.partial`
file beside it, flushed to disk and renamed over: a build killed at any moment leaves the
old file or the new one, never a part. Two builds writing the same lock file or the same
packages at once could interleave their writes; each build that writes holds an exclusive
lock on the folders it writes to. The lock is taken on the folder itself (flock on a
directory), so no lock file is ever written among the notes, and the system drops it when a
build is killed.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX: builds are not serialized
    fcntl = None  # type: ignore[assignment]

PARTIAL_SUFFIX = ".partial"


def partial_path(path: Path) -> Path:
    """Where a file is written before it is renamed into place."""
    return path.with_name(f".{path.name}{PARTIAL_SUFFIX}")


def write_atomically(path: Path, data: bytes | Iterable[bytes]) -> None:
    """Write to a temporary file beside `path`, flush it to disk, then rename it over; `data`
    is the bytes, or the bytes chunk by chunk (a large lock file is never whole in memory)."""
    partial = partial_path(path)
    with open(partial, "wb") as out:
        out.writelines([data] if isinstance(data, bytes) else data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(partial, path)


FileState = tuple[int, int, int, int]
"""A file's size, modification and change times (ns) and inode."""


def file_state(path: Path) -> FileState:
    """What tells a file from one written or replaced since: its change time cannot be set
    back (`cp -p`, `rsync -t` and `os.utime` set the modification time only), and a file
    renamed over it has another inode."""
    stat = path.stat()
    return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)


def same_bytes(path: Path, data: bytes, chunk: int = 1 << 20) -> bool:
    """The file exists and holds exactly these bytes; read a chunk at a time, never whole
    (a large deck's package or lock file is tens of megabytes)."""
    return same_chunks(path, len(data), (data[n : n + chunk] for n in range(0, len(data), chunk)))


def same_chunks(path: Path, size: int, chunks: Iterable[bytes]) -> bool:
    """The file exists, is `size` bytes long and holds these chunks, one after the other."""
    try:
        if path.stat().st_size != size:
            return False
        with open(path, "rb") as existing:
            return all(existing.read(len(chunk)) == chunk for chunk in chunks)
    except FileNotFoundError:
        return False


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
    """Delete the half-written files (`.<name>.partial`) a killed build left anywhere in the
    output folder (its cache's entries too) and beside the lock file; only those, and only
    while holding the build lock. One it may not delete is left as it is."""
    # `os.walk`, not `Path.rglob`: a large tree's cache is thousands of entries.
    found = [
        Path(folder, name)
        for folder, _, names in os.walk(out)
        for name in names
        if name.startswith(".") and name.endswith(PARTIAL_SUFFIX)
    ]
    if lock is not None:
        found.append(partial_path(lock))
    removed = []
    for partial in sorted(found):
        with contextlib.suppress(OSError):
            partial.unlink()
            removed.append(partial)
    return removed
