from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from anki.collection import Collection

from builder.pipeline import BuildConfig, BuildResult, build
from tests.anki_import import open_collection

FIXTURES = Path(__file__).parent / "fixtures"
REPO = Path(__file__).parent.parent


@pytest.fixture
def collection(tmp_path: Path) -> Iterator[Collection]:
    """A fresh Anki collection, closed after the test."""
    col = open_collection(tmp_path / "anki")
    yield col
    col.close()


@pytest.fixture(scope="session")
def starter(tmp_path_factory: pytest.TempPathFactory) -> BuildResult:
    """The shipped starter deck, built strictly once for every test that reads it."""
    return build(
        BuildConfig(
            (REPO / "source_notes",),
            (REPO / "media",),
            tmp_path_factory.mktemp("starter-dist"),
            strict=True,
            default_deck="AWS ML Specialty",
        )
    )


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the figures measuring tests leave behind (e.g. tagging accuracy)."""
    from tests.test_tag_accuracy import RESULTS

    for name, figures in RESULTS.items():
        terminalreporter.write_line(f"{name}: {figures}")
