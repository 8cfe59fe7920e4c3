"""Hypothesis profiles: `ci` (default, small and deterministic, for `make test`) and `fuzz`
(`HYPOTHESIS_PROFILE=fuzz`, `make fuzz`: random examples, FUZZ_FACTOR times as many as `ci`
(see `harness.examples`), each failure shrunk to a small reproducer)."""

from __future__ import annotations

import os
import tempfile
from datetime import timedelta
from pathlib import Path

from hypothesis import HealthCheck, Phase, settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis.database import DirectoryBasedExampleDatabase

HOME = Path(tempfile.gettempdir()) / "anki-deck-builder-hypothesis"
# Hypothesis keeps caches (and, for `fuzz`, the examples that failed) here, never in the repo.
set_hypothesis_home_dir(HOME)

SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example]

# No shrinking in `ci`: a test marked xfail for a known bug fails on its first bad example
# instead of spending minutes shrinking it, and no database: the run is the same every time.
settings.register_profile(
    "ci",
    derandomize=True,
    database=None,
    deadline=timedelta(seconds=5),
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=SLOW_OK,
    print_blob=True,
)
# Failures found while fuzzing are remembered outside the repository, and replayed first on
# the next `make fuzz`.
settings.register_profile(
    "fuzz",
    derandomize=False,
    database=DirectoryBasedExampleDatabase(HOME / "examples"),
    deadline=timedelta(seconds=5),
    suppress_health_check=SLOW_OK,
    print_blob=True,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
