"""Pausing Python's cycle collector while a bulk of acyclic objects is built.

Parsed JSON, records and budget entries hold no reference cycles; with the
collector on, its repeated passes over a growing heap (full ones included)
cost more than building the objects, and a page that reads ten years of
claim lines would pay them at random. Reference counting still frees
everything as usual; only cycle detection waits until the block ends.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block (restored on exit, exception or not)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
