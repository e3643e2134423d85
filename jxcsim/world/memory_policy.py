"""The memory settings of a simulation run (the world's and the bare flow's): the cyclic garbage
collector, and numpy's transparent-huge-page hint.

**The collector.** A run's state only grows (ledger entries, log rows, documents) and leaves next
to no cyclic garbage, so rescanning it is wasted time. Inside :func:`run_memory` the youngest
generation is collected only after ``gen0_threshold`` new objects instead of Python's 700, and
:meth:`RunMemory.checkpoint` (called at quiet moments, e.g. after each simulated week) freezes the
survivors so that no later pass scans them.

**Huge pages.** numpy's transparent-huge-page hint is off during a run (see :mod:`jxcsim.memory`
for why: a run writes each large array, the log's columns, once), unless the environment chose it
(``NUMPY_MADVISE_HUGEPAGE``) or the caller does (``huge_pages``). pyarrow's pool is left alone: the
run itself makes no Arrow buffers.

Leaving the block restores the collector's thresholds and numpy's hint and unfreezes; nothing is
leaked. The bare SimPy flow in ``benchmarks/`` runs under the same settings, so the two are
compared on equal terms.

>>> import gc
>>> before = gc.get_threshold()
>>> with run_memory() as run:
...     gc.get_threshold()[0] >= GEN0_THRESHOLD
...     run.checkpoint()
True
>>> gc.get_threshold() == before, gc.get_freeze_count()
(True, 0)
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext

from ..memory import NUMPY_HINT_ENV, numpy_huge_pages

GEN0_THRESHOLD = 100_000  # objects allocated between collections of the youngest generation during a run


class RunMemory:
    """The handle :func:`run_memory` yields."""

    __slots__ = ()

    @staticmethod
    def checkpoint() -> None:
        """Freeze every object alive now (the collector never scans them again during the run)."""
        gc.freeze()


@contextmanager
def run_memory(gen0_threshold: int = GEN0_THRESHOLD, *, huge_pages: bool | None = None) -> Iterator[RunMemory]:
    """Hold the cyclic collector back and set numpy's huge-page hint for a run (see the module
    docstring; ``huge_pages`` None: off unless the environment chose); both restored on exit."""
    thresholds = gc.get_threshold()
    try:
        gc.set_threshold(max(thresholds[0], gen0_threshold), *thresholds[1:])
        if huge_pages is None and NUMPY_HINT_ENV not in os.environ:
            huge_pages = False
        with numpy_huge_pages(huge_pages) if huge_pages is not None else nullcontext():
            yield RunMemory()
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
