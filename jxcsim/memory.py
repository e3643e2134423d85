"""numpy's transparent-huge-page hint, turned off for jxcsim's heavy work (and restored after).

numpy asks the kernel for transparent huge pages (``madvise(MADV_HUGEPAGE)``) on every array of
4 MiB or more. Where the kernel compacts memory to honour the hint (``defrag`` set to
``madvise``, the default of many distributions) or the machine is a VM whose host backs its memory
in small pages, the first touch of such an array costs far more than in small pages: on the
2-core Firecracker VM of ``benchmarks/README.md``, touching 88 MiB took 0.58 s in huge pages
against 0.05 s in 4 KiB pages. Reading a log, simulating and diagnosing write each large array
once and read it a few times, where huge pages save next to nothing, so they run with the hint
off: :func:`numpy_huge_pages` around the work (``read_event_log``, ``simulate``, ``diagnose_log``),
and the ``jxcsim`` command for its whole process.

>>> with numpy_huge_pages(False) as previous:
...     inside = huge_pages_hint()
>>> inside, huge_pages_hint() == previous
(False, True)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager


def _switch() -> Callable[[bool], bool] | None:
    """numpy's setter of the hint (it returns the previous setting), or None when this numpy has none
    (numpy 2 keeps it in ``numpy._core.multiarray``, numpy 1 in ``numpy.core.multiarray``)."""
    try:
        from numpy._core import multiarray
    except ImportError:  # numpy 1.x
        try:
            from numpy.core import multiarray
        except ImportError:  # no numpy at all
            return None
    return getattr(multiarray, "_set_madvise_hugepage", None)


def huge_pages_hint() -> bool | None:
    """Whether numpy hints huge pages now (None: this numpy cannot say)."""
    switch = _switch()
    if switch is None:
        return None
    now = switch(True)
    switch(now)
    return bool(now)


def set_huge_pages_hint(enabled: bool) -> bool | None:
    """Set numpy's hint for the rest of the process; the previous setting (None: this numpy has no hint)."""
    switch = _switch()
    return None if switch is None else bool(switch(enabled))


@contextmanager
def numpy_huge_pages(enabled: bool) -> Iterator[bool | None]:
    """numpy's huge-page hint set to ``enabled`` inside the block, the previous setting (yielded;
    None when this numpy has no hint) restored on leaving it, errors included."""
    previous = set_huge_pages_hint(enabled)
    try:
        yield previous
    finally:
        if previous is not None:
            set_huge_pages_hint(previous)
