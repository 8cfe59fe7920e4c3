"""Small builders of in-memory input for unit tests."""

from __future__ import annotations

import struct
import subprocess
import sys
import zlib
from pathlib import Path

from builder.discover import SourceFile
from builder.model import Card, MultipleChoice
from builder.readers import ReadContext, Reader
from builder.readers.note_tree import Section


def source(text: str, name: str = "note.md", root: Path = Path("/notes")) -> SourceFile:
    """A decoded source file that exists only in memory."""
    return SourceFile(root, root / name, name, text)


def read(reader: Reader, text: str, name: str = "note.md") -> list[Card]:
    """The cards a reader finds in the text."""
    return list(reader.read(source(text, name), ReadContext("Default Deck")).cards)


def headings(section: Section) -> list[tuple[int, str, int]]:
    """(level, title, line) of every heading, depth first."""
    found: list[tuple[int, str, int]] = []
    stack = list(reversed(section.children))
    while stack:
        current = stack.pop()
        found.append((current.level, current.title, current.line))
        stack.extend(reversed(current.children))
    return found


def question_text(card: Card) -> str:
    """Stem, explanation and every choice of a multiple-choice card, one per line."""
    assert isinstance(card.content, MultipleChoice)
    content = card.content
    return "\n".join([content.question, content.explanation, *(c.text for c in content.choices)])


def run_builder(
    *args: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m builder ARGS` run as a user runs it, in `cwd`."""
    return subprocess.run(
        [sys.executable, "-m", "builder", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env=env,
    )


def tiny_png(row: bytes = b"\x00\x00") -> bytes:
    """A valid 1×1 greyscale PNG: `row` is its one scanline (filter byte, pixel)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    pixels = zlib.compress(row)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
