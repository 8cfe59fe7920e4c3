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
from builder.readers import ReadContext, choose_reader

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN_FOLDERS = ("obsidian", "dumps/*", "notes/*")
"""Fixture folders whose files are compared with golden files (glob patterns under fixtures/)."""


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


def read_fixture(path: Path) -> dict[str, Any]:
    """What the pipeline's reader choice makes of one fixture file: the reader and its output."""
    source = fixture_source(path)
    reader = choose_reader(source)
    if reader is None:
        return {"reader": None, "cards": [], "diagnostics": []}
    result = reader.read(source, ReadContext("Default"))
    return {
        "reader": reader.name,
        "cards": [card_json(card) for card in result.cards],
        "diagnostics": [{"line": d.line, "code": d.code} for d in result.diagnostics],
    }


def golden_cases() -> list[Path]:
    """Every fixture file in the golden folders (expected files themselves excluded)."""
    return sorted(
        path
        for pattern in GOLDEN_FOLDERS
        for folder in FIXTURES.glob(pattern)
        for path in folder.iterdir()
        if path.is_file() and not path.name.endswith(".expected.json")
    )


def expected_path(path: Path) -> Path:
    return path.with_suffix(".expected.json")


def main() -> int:
    for path in golden_cases():
        data = read_fixture(path)
        expected_path(path).write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
        print(
            f"wrote {expected_path(path).relative_to(FIXTURES)}: {data['reader']}, "
            f"{len(data['cards'])} cards"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
