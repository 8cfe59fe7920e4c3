"""What a build's output depends on, as keys: the configuration, each file, the whole tree.

Light on purpose (no parsing or rendering imports), so an unchanged tree is recognised
before anything heavy is loaded.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from builder.cache import BUILDER_CODE, digest
from builder.discover import SourceFile
from builder.transforms.media import MEDIA_SUFFIXES


@dataclass(frozen=True, slots=True)
class FileSettings:
    """The configuration a file's cards depend on."""

    sources: tuple[Path, ...]
    media: tuple[Path, ...]
    default_deck: str
    taxonomy: Path | None
    subdecks_by_domain: bool = False
    """A card of a deck without subdecks goes into `Deck::<its domain>`."""


def media_signature(roots: Sequence[Path]) -> str:
    """Names, sizes and times of every media file under the roots: a change to any of them
    can change how a card renders. The change time too: an image overwritten with as many
    bytes and its modification time set back (`cp -p`, `rsync -t`) still has a new one, and
    its new bytes need a new stored name."""
    entries = []
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.suffix.lower() in MEDIA_SUFFIXES and path.is_file():
                stat = path.stat()
                entries.append(f"{path}\t{stat.st_size}\t{stat.st_mtime_ns}\t{stat.st_ctime_ns}")
    return digest(*entries)


def settings_key(settings: FileSettings) -> str:
    """Everything in the configuration that changes what a file gives."""
    taxonomy = settings.taxonomy.read_bytes() if settings.taxonomy else b"built-in"
    return digest(
        BUILDER_CODE,
        json.dumps([str(p) for p in settings.sources]),
        json.dumps([str(p) for p in settings.media]),
        settings.default_deck,
        taxonomy,
        media_signature([*settings.sources, *settings.media]),
        *(["subdecks by domain"] if settings.subdecks_by_domain else []),
    )


def file_key(config_key: str, source: SourceFile) -> str:
    """What one file gives depends on this: the configuration, its place and its text."""
    return digest(config_key, str(source.root), source.display_path, source.text)
