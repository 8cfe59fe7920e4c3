"""Each reader fixture gives exactly the cards in its golden file (`make golden` rewrites them)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.golden import expected_path, golden_cases, read_fixture


@pytest.mark.parametrize(("reader", "path"), golden_cases(), ids=lambda v: getattr(v, "name", v))
def test_fixture_matches_golden_file(reader: str, path: Path) -> None:
    expected = json.loads(expected_path(path).read_text(encoding="utf-8"))
    assert read_fixture(reader, path) == expected
