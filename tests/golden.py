"""Golden files: each reader fixture sits beside `<name>.expected.json`, the cards it must give.

`make golden` rewrites every expected file from the current readers; review the diff before
committing it.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from builder.discover import SourceFile, decode
from builder.model import QA, Card, Cloze, MultipleChoice
from builder.readers import READERS, ReadContext

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN_FOLDERS = {"obsidian": "obsidian"}
"""Fixture folder → the reader whose output its golden files record."""


def card_json(card: Card) -> dict[str, Any]:
    """A card as plain data, for comparing with a golden file."""
    data: dict[str, Any] = {"line": card.source.line, "kind": card.kind.value, "deck": card.deck}
    match card.content:
        case QA():
            data |= {"front": card.content.front, "back": card.content.back}
        case Cloze():
            data |= {"text": card.content.text}
        case MultipleChoice():
            data |= {
                "question": card.content.question,
                "choices": [c.text for c in card.content.choices],
                "answer": list(card.content.answer_letters),
                "explanation": card.content.explanation,
            }
    data |= {"context": list(card.context), "tags": list(card.tags), "marker": card.marker}
    return data


def fixture_source(path: Path) -> SourceFile:
    text, _ = decode(path.read_bytes())
    return SourceFile(path.parent, path, path.name, text)


def read_fixture(reader_name: str, path: Path) -> dict[str, Any]:
    """What the reader makes of one fixture file."""
    result = READERS[reader_name].read(fixture_source(path), ReadContext("Default"))
    return {
        "cards": [card_json(card) for card in result.cards],
        "diagnostics": [{"line": d.line, "code": d.code} for d in result.diagnostics],
    }


def golden_cases() -> list[tuple[str, Path]]:
    """(reader name, fixture path) for every fixture with a golden file."""
    cases = []
    for folder, reader in sorted(GOLDEN_FOLDERS.items()):
        for path in sorted((FIXTURES / folder).glob("*.md")):
            cases.append((reader, path))
    return cases


def expected_path(path: Path) -> Path:
    return path.with_suffix(".expected.json")


def main() -> int:
    for reader, path in golden_cases():
        data = read_fixture(reader, path)
        expected_path(path).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        print(f"wrote {expected_path(path).relative_to(FIXTURES)}: {len(data['cards'])} cards")
    return 0


if __name__ == "__main__":
    sys.exit(main())
