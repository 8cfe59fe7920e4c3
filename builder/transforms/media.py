"""Find the media files cards reference, only inside the configured roots."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from builder.model import MediaFile

SVG_SCRIPT_RE = re.compile(r"<script|\son[a-z]+\s*=|javascript:|<foreignobject")
MEDIA_SUFFIXES = frozenset(
    {
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".svg",
        ".webp",
        ".bmp",
        ".avif",
        ".mp3",
        ".ogg",
        ".wav",
        ".m4a",
    }
)


@dataclass(frozen=True, slots=True)
class Lookup:
    """What became of one media reference."""

    media: MediaFile | None
    """The file, when it was found inside a root."""
    problem: str | None
    """Why it was not used, when it was not."""
    remote: bool = False
    """The reference is a web address, which is never fetched."""


class MediaLibrary:
    """Media files under the source and media roots, found the way Obsidian finds them."""

    def __init__(self, roots: Sequence[Path]) -> None:
        self._roots = tuple(root.resolve() for root in roots)
        self._by_name: dict[str, list[Path]] = {}
        for root in self._roots:
            for path in sorted(root.rglob("*")):
                if path.suffix.lower() in MEDIA_SUFFIXES and path.is_file():
                    self._by_name.setdefault(path.name.lower(), []).append(path)
        self._stored: dict[Path, MediaFile] = {}

    def _inside_roots(self, path: Path) -> bool:
        resolved = path.resolve()
        return any(resolved.is_relative_to(root) for root in self._roots)

    def _scripted_svg(self, path: Path) -> bool:
        """An SVG that carries script or event handlers: never packaged."""
        if path.suffix.lower() != ".svg":
            return False
        text = path.read_bytes()[:5_000_000].decode("utf-8", "replace").lower()
        return bool(SVG_SCRIPT_RE.search(text))

    def _media_file(self, path: Path) -> MediaFile:
        resolved = path.resolve()
        if resolved not in self._stored:
            digest = hashlib.sha256(resolved.read_bytes()).hexdigest()[:12]
            stem = re.sub(r"[^A-Za-z0-9_-]+", "-", resolved.stem).strip("-")[:40] or "media"
            name = f"{stem}-{digest}{resolved.suffix.lower()}"
            self._stored[resolved] = MediaFile(resolved, name)
        return self._stored[resolved]

    def lookup(self, reference: str, note_dir: Path) -> Lookup:
        """Resolve a reference as written in a note in `note_dir`."""
        parts = urlsplit(reference.strip())
        if parts.scheme in ("http", "https") or parts.netloc:
            return Lookup(None, "remote images are not fetched; kept as a link", remote=True)
        if parts.scheme:
            return Lookup(None, f"'{parts.scheme}:' media references are not allowed")
        name = unquote(parts.path)
        if not name:
            return Lookup(None, "empty media reference")
        pure = PurePosixPath(name.replace("\\", "/"))
        if pure.is_absolute():
            return Lookup(
                None, f"absolute media path '{name}' refused; use a path inside the notes"
            )
        candidates = [note_dir / pure, *(root / pure for root in self._roots)]
        for candidate in candidates:
            if candidate.is_file():
                if not self._inside_roots(candidate):
                    return Lookup(
                        None, f"'{name}' leads outside the source and media folders; refused"
                    )
                if self._scripted_svg(candidate):
                    return Lookup(
                        None, f"'{name}' is an SVG with script or event handlers; refused"
                    )
                return Lookup(self._media_file(candidate), None)
        if ".." in pure.parts:
            return Lookup(None, f"'{name}' leads outside the source and media folders; refused")
        found = self._by_name.get(pure.name.lower(), [])
        usable = [p for p in found if self._inside_roots(p)]
        if usable and self._scripted_svg(usable[0]):
            return Lookup(None, f"'{name}' is an SVG with script or event handlers; refused")
        if usable:
            return Lookup(self._media_file(usable[0]), None)
        return Lookup(None, f"media file '{name}' not found in the source or media folders")
