"""Each reader fixture gives exactly the cards in its golden file (`make golden` rewrites them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.golden import expected_path, golden_cases, read_fixture


@pytest.mark.parametrize("path", golden_cases(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_matches_golden_file(path: Path) -> None:
    """The registry picks the expected reader by sniffing, and it reads exactly the golden cards."""
    expected = json.loads(expected_path(path).read_text(encoding="utf-8"))
    assert read_fixture(path) == expected
