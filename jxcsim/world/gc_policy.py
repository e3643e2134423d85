"""The cyclic garbage collector's settings for a simulation run (the world's and the bare flow's).

A run's state only grows (ledger entries, log rows, documents) and leaves next to no cyclic
garbage, so rescanning it is wasted time. Inside :func:`run_gc` the youngest generation is
collected only after ``gen0_threshold`` new objects instead of Python's 700, and
:meth:`RunGC.checkpoint` (called at quiet moments, e.g. after each simulated week) freezes the
survivors so that no later pass scans them. Leaving the block restores the thresholds and
unfreezes; nothing is leaked.

Only the standard library: the bare SimPy flow in ``benchmarks/`` uses the same settings, so the
two are compared on equal terms.

>>> import gc
>>> before = gc.get_threshold()
>>> with run_gc() as run:
...     gc.get_threshold()[0] >= GEN0_THRESHOLD
...     run.checkpoint()
True
>>> gc.get_threshold() == before, gc.get_freeze_count()
(True, 0)
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

GEN0_THRESHOLD = 100_000  # objects allocated between collections of the youngest generation during a run


class RunGC:
    """The handle :func:`run_gc` yields."""

    __slots__ = ()

    @staticmethod
    def checkpoint() -> None:
        """Freeze every object alive now (the collector never scans them again during the run)."""
        gc.freeze()


@contextmanager
def run_gc(gen0_threshold: int = GEN0_THRESHOLD) -> Iterator[RunGC]:
    """Hold the cyclic collector back for a run (see the module docstring); restored on exit."""
    thresholds = gc.get_threshold()
    try:
        gc.set_threshold(max(thresholds[0], gen0_threshold), *thresholds[1:])
        yield RunGC()
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
