"""The cycle collector, paused while a stage makes many objects that it keeps.

A large build holds millions of objects (cards, lock entries), none of them in a reference
cycle. Python's cycle collector runs every few hundred new objects and, every so often,
looks at every object the process holds: in a 100k-card build that was a third of the time
of reading the lock file and of planning releases, and most of the time of loading the cache.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator


@contextlib.contextmanager
def collector_paused(*, freeze: bool = False) -> Iterator[None]:
    """No cyclic collection while the block runs.

    With `freeze`, everything alive when the block ends is frozen (`gc.freeze`): what a
    stage loaded is kept through the build, so later collections looking at it once more
    would find nothing to free (a frozen object is still freed as usual once nothing refers
    to it). Freezing before the collector is back also spares the collection its return
    would start at once. `frozen_until_done` unfreezes it.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if freeze:
                gc.freeze()
            gc.enable()


@contextlib.contextmanager
def frozen_until_done() -> Iterator[None]:
    """Whatever `collector_paused(freeze=True)` froze inside the block is unfrozen when the
    block ends, even on an error: in a process that builds again, what is left of this
    build is then looked at, and freed, as usual."""
    try:
        yield
    finally:
        gc.unfreeze()
