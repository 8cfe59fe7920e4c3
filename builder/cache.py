"""The build cache: what each file gave last time, so an unchanged file is never read again.

An entry is keyed by the file's content and path, the builder's version and everything in the
configuration that changes what a file gives (roots, default deck, taxonomy, the media
files' names, sizes and times). Each entry carries a checksum of its payload; an entry that
is missing, truncated, corrupt or from another builder is ignored and rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

from builder import __version__

CACHE_DIR = ".cache"
FORMAT = b"deckcache1"


def digest(*parts: str | bytes) -> str:
    """A hex SHA-256 of the parts, each length-prefixed so no two lists collide."""
    hasher = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        hasher.update(len(data).to_bytes(8, "big"))
        hasher.update(data)
    return hasher.hexdigest()


class BuildCache:
    """Entries under `<out>/.cache/`; a disabled cache finds nothing and keeps nothing."""

    def __init__(self, out_dir: Path, *, enabled: bool = True) -> None:
        self.root = out_dir / CACHE_DIR
        self.enabled = enabled
        self.hits = 0
        self.misses = 0

    def _path(self, kind: str, key: str) -> Path:
        return self.root / kind / key[:2] / f"{key}.pickle"

    def get(self, kind: str, key: str) -> Any:
        """The value stored under the key, or None when there is none to trust."""
        if not self.enabled:
            return None
        try:
            data = self._path(kind, key).read_bytes()
        except OSError:
            self.misses += 1
            return None
        header = FORMAT + __version__.encode() + b"\n"
        checksum, payload = data[len(header) : len(header) + 32], data[len(header) + 32 :]
        if not data.startswith(header) or hashlib.sha256(payload).digest() != checksum:
            self.misses += 1
            return None
        try:
            value = pickle.loads(payload)
        except Exception:  # a payload that passed its checksum but does not load: rebuild
            self.misses += 1
            return None
        self.hits += 1
        return value

    def put(self, kind: str, key: str, value: Any) -> None:
        """Store a value; a cache that cannot be written only makes the next build slower."""
        if not self.enabled:
            return
        payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        data = FORMAT + __version__.encode() + b"\n" + hashlib.sha256(payload).digest() + payload
        path = self._path(kind, key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
            partial.write_bytes(data)
            os.replace(partial, path)
        except OSError:
            pass

    def prune(self, kind: str, keep: set[str]) -> int:
        """Delete the entries of a kind whose keys are not in `keep`; how many went."""
        if not self.enabled:
            return 0
        removed = 0
        for path in (self.root / kind).glob("*/*.pickle"):
            if path.stem not in keep:
                try:
                    path.unlink()
                    removed += 1
                except OSError:
                    pass
        return removed
