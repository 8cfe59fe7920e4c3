"""The build cache: what each file gave last time, so an unchanged file is never read again.

An entry is keyed by the file's content and path, the builder's own code and everything in the
configuration that changes what a file gives (roots, default deck, taxonomy, the media
files' names, sizes and times). Each entry carries a checksum of its payload; an entry that
is missing, truncated, corrupt or from another builder is ignored and rebuilt, never trusted.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import zlib
from pathlib import Path
from typing import Any

from builder.outputs import PARTIAL_SUFFIX

CACHE_DIR = ".cache"


def digest(*parts: str | bytes) -> str:
    """A hex SHA-256 of the parts, each length-prefixed so no two lists collide."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


def _builder_code() -> str:
    """A digest of the builder's own files (code, note types, taxonomy): an entry written by
    any other code, even under the same version number, is never read."""
    package = Path(__file__).parent
    files = sorted(p for p in package.rglob("*") if p.is_file() and p.suffix != ".pyc")
    return digest(*(f"{p.relative_to(package)}" for p in files), *(p.read_bytes() for p in files))


BUILDER_CODE = _builder_code()
HEADER = b"deckcache4" + BUILDER_CODE.encode() + b"\n"
"""Every entry starts with this: another format or builder is never read."""


def _checksum(payload: bytes | memoryview) -> bytes:
    """Catches an entry damaged on disk (truncated, a byte changed). CRC-32, not a
    cryptographic hash: no one who can write the cache needs to forge one (a pickle can run
    any code), and a large tree's entries (300 MB) are checked in a third of the time."""
    return zlib.crc32(payload).to_bytes(4, "big")


class BuildCache:
    """Entries under `<out>/.cache/`; a disabled cache finds nothing and keeps nothing."""

    def __init__(self, out_dir: Path, *, enabled: bool = True) -> None:
        self.root = out_dir / CACHE_DIR
        self.enabled = enabled

    def _path(self, kind: str, key: str) -> str:
        # A plain string, not a `Path`: a large tree's build asks for thousands.
        return os.path.join(self.root, kind, key[:2], f"{key}.pickle")

    def get(self, kind: str, key: str) -> Any:
        """The value stored under the key, or None when there is none to trust."""
        if not self.enabled:
            return None
        try:
            with open(self._path(kind, key), "rb") as file:
                data = file.read()
        except OSError:
            return None
        # A view, not a copy: a large tree's entries are hundreds of megabytes in all.
        view = memoryview(data)
        checksum, payload = view[len(HEADER) : len(HEADER) + 4], view[len(HEADER) + 4 :]
        if not data.startswith(HEADER) or _checksum(payload) != checksum:
            return None
        try:
            return pickle.loads(payload)
        except Exception:  # a payload that passed its checksum but does not load: rebuild
            return None

    def put(self, kind: str, key: str, value: Any) -> None:
        """Store a value; a cache that cannot be written only makes the next build slower."""
        if self.enabled:
            self.put_payload(kind, key, pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))

    def put_payload(self, kind: str, key: str, payload: bytes) -> None:
        """Store a value already pickled."""
        if not self.enabled:
            return
        data = HEADER + _checksum(payload) + payload
        path = Path(self._path(kind, key))
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f".{path.name}.{os.getpid()}{PARTIAL_SUFFIX}")
            partial.write_bytes(data)
            os.replace(partial, path)
        except OSError:
            pass

    def prune(self, kind: str, keep: set[str]) -> None:
        """Delete the entries of a kind whose keys are not in `keep`."""
        if not self.enabled:
            return
        # `os.scandir`, not `Path.glob`: a large tree has thousands of entries.
        try:
            folders = [entry.path for entry in os.scandir(self.root / kind) if entry.is_dir()]
        except OSError:
            return
        for folder in folders:
            with os.scandir(folder) as entries:
                stale = [
                    entry.path
                    for entry in entries
                    if entry.name.endswith(".pickle") and entry.name[: -len(".pickle")] not in keep
                ]
            for path in stale:
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(path)
