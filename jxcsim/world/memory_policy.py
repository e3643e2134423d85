"""The memory settings of a simulation run (the world's and the bare flow's): the cyclic garbage
collector, and numpy's transparent-huge-page hint.

**The collector.** A run's state only grows (ledger entries, log rows, documents) and leaves next
to no cyclic garbage, so rescanning it is wasted time. Inside :func:`run_memory` the youngest
generation is collected only after ``gen0_threshold`` new objects instead of Python's 700, and
:meth:`RunMemory.checkpoint` (called at quiet moments, e.g. after each simulated week) freezes the
survivors so that no later pass scans them.

**Huge pages.** numpy asks the kernel for transparent huge pages (``madvise(MADV_HUGEPAGE)``) on
every array of 4 MiB or more. Where the kernel compacts memory to honour the hint (``defrag`` set
to ``madvise``, the default of many distributions) or the machine is a VM whose host backs its
memory in small pages, a first touch of such an array costs far more than in small pages: on the
2-core Firecracker VM of ``benchmarks/README.md``, touching 88 MiB took 0.58 s in huge pages
against 0.05 s in 4 KiB pages. A run writes each large array (the log's columns) once and reads
it once, where huge pages save nothing, so the hint is off during a run (``huge_pages=False``).

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
from collections.abc import Callable, Iterator
from contextlib import contextmanager

GEN0_THRESHOLD = 100_000  # objects allocated between collections of the youngest generation during a run


class RunMemory:
    """The handle :func:`run_memory` yields."""

    __slots__ = ()

    @staticmethod
    def checkpoint() -> None:
        """Freeze every object alive now (the collector never scans them again during the run)."""
        gc.freeze()


def _numpy_huge_pages_switch() -> Callable[[bool], bool] | None:
    """numpy's setter of its huge-page hint (it returns the previous setting), or None when this
    numpy has none (numpy 2 keeps it in ``numpy._core.multiarray``, numpy 1 in ``numpy.core``)."""
    try:
        from numpy._core import multiarray
    except ImportError:  # numpy 1.x
        try:
            from numpy.core import multiarray
        except ImportError:  # no numpy at all
            return None
    return getattr(multiarray, "_set_madvise_hugepage", None)


@contextmanager
def run_memory(gen0_threshold: int = GEN0_THRESHOLD, *, huge_pages: bool = False) -> Iterator[RunMemory]:
    """Hold the cyclic collector back and set numpy's huge-page hint for a run (see the module
    docstring); both restored on exit."""
    thresholds = gc.get_threshold()
    switch = _numpy_huge_pages_switch()
    hint = None
    try:
        gc.set_threshold(max(thresholds[0], gen0_threshold), *thresholds[1:])
        if switch is not None:
            hint = switch(huge_pages)
        yield RunMemory()
    finally:
        if switch is not None and hint is not None:
            switch(hint)
        gc.set_threshold(*thresholds)
        gc.unfreeze()
