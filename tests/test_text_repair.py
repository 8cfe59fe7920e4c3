"""Mis-decoded text is repaired before any reader sees it, and the repair is reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from builder.discover import discover
from builder.text_repair import repair_text


@pytest.mark.parametrize(
    ("damaged", "clean"),
    [
        ("AWS\u00c2\u00a0data store", "AWS data store"),
        ("AWS\u00c2 data store", "AWS data store"),
        ("the \u05d2\u20acprocessed\u05d2\u20ac data", 'the "processed" data'),
        ("it\u05d2\u20ac\u2122s", "it\u2019s"),
        ("\u041a-means clustering", "K-means clustering"),
        ("caf\u00c3\u00a9 latte", "caf\u00e9 latte"),
        ("it\u00e2\u20ac\u2122s", "it\u2019s"),
    ],
)
def test_mojibake_is_repaired(damaged: str, clean: str) -> None:
    assert repair_text(damaged) == (clean, 1)


@pytest.mark.parametrize(
    "text",
    [
        "clean text",
        "\u041f\u0440\u0438\u0432\u0435\u0442 world",
        "\u00c2ge de pierre",
        "na\u00efve caf\u00e9 \u2014 \u201cq\u201d",
    ],
)
def test_clean_text_is_left_alone(text: str) -> None:
    assert repair_text(text) == (text, 0)


def test_non_breaking_spaces_become_spaces_quietly() -> None:
    assert repair_text("10\u00a0GB") == ("10 GB", 0)


def test_files_are_repaired_on_discovery_with_a_note(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_bytes("# K\u0456nesis\r\n- **\u041a-means**: clusters\r\n".encode())
    (tmp_path / "b.md").write_bytes("\ufeff# Clean\n".encode())
    files, notes = discover([tmp_path])
    assert [f.text for f in files] == ["# Kinesis\n- **K-means**: clusters\n", "# Clean\n"]
    assert [(n.path, n.severity, n.code) for n in notes] == [("a.md", "info", "repaired-text")]
