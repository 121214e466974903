"""Pausing Python's cyclic garbage collector around work that allocates many acyclic objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def cycle_collector_paused() -> Iterator[None]:
    """Disable the cyclic collector for the block, then restore it as it was.

    Code generation and manifest reading allocate hundreds of thousands of small
    acyclic objects; each allocation burst would set off a collection that walks
    every live object again. Reference counting frees them all the same; the few
    cycles are collected once the collector runs again.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
