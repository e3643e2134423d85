"""Memory settings for jxcsim's heavy work: numpy's transparent-huge-page hint off, and pyarrow's
buffers from the system allocator (each restored after).

**numpy's hint.** numpy asks the kernel for transparent huge pages (``madvise(MADV_HUGEPAGE)``) on
every array of 4 MiB or more. Where the kernel compacts memory to honour the hint (``defrag`` set
to ``madvise``, the default of many distributions) or the machine is a VM whose host backs its
memory in small pages, the first touch of such an array costs far more than in small pages: on the
2-core Firecracker VM of ``benchmarks/README.md``, touching 88 MiB took 0.58 s in huge pages
against 0.05 s in 4 KiB pages. Reading a log, simulating and diagnosing write each large array
once and read it a few times, where huge pages save next to nothing.

**pyarrow's pool.** pyarrow allocates from mimalloc by default; on the same VM reading the
benchmark's 1M-row CSV took 4.5-5.5 s with it and 2.2 s with the system allocator (glibc), and a
diagnosis of that log 16.1 s against 12.3-13.1 s.

:func:`heavy_work` applies both around a piece of work (``read_event_log``, ``diagnose_log``);
:func:`use_for_process` applies them for the rest of a process (the ``jxcsim`` command, the demo).
Either leaves a setting alone that the environment chose (``NUMPY_MADVISE_HUGEPAGE``,
``ARROW_DEFAULT_MEMORY_POOL``). The explicit :func:`numpy_huge_pages` and
:func:`arrow_memory_pool` set one each, whatever the environment says. The settings are the
process's: blocks in several threads at once may leave the last one's setting behind (either
setting is safe, only its speed differs).

>>> with numpy_huge_pages(False) as previous:
...     inside = huge_pages_hint()
>>> inside, huge_pages_hint() == previous
(False, True)
>>> with arrow_memory_pool("system"):
...     import pyarrow as pa
...     pa.default_memory_pool().backend_name
'system'
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

NUMPY_HINT_ENV = "NUMPY_MADVISE_HUGEPAGE"  # numpy reads it at import: the user's own choice of the hint
ARROW_POOL_ENV = "ARROW_DEFAULT_MEMORY_POOL"  # pyarrow reads it at import: the user's own choice of pool
ARROW_POOL = "system"  # the pool heavy work uses (see the module docstring)


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


def _arrow_pool(name: str) -> Any:
    """pyarrow's memory pool called ``name`` (``system``, ``mimalloc``, ``jemalloc``); ValueError naming
    the pools when there is none of that name in this pyarrow."""
    import pyarrow as pa

    makers = {"system": pa.system_memory_pool, "mimalloc": pa.mimalloc_memory_pool,
              "jemalloc": pa.jemalloc_memory_pool}
    try:
        return makers[name]()
    except (KeyError, NotImplementedError):
        raise ValueError(f"no pyarrow memory pool {name!r} here; use one of {sorted(makers)}") from None


@contextmanager
def arrow_memory_pool(name: str = ARROW_POOL) -> Iterator[str]:
    """pyarrow's default memory pool set to ``name`` inside the block (buffers made there keep their
    pool after it), the previous pool restored on leaving it; yields the previous pool's name."""
    import pyarrow as pa

    previous = pa.default_memory_pool()
    pa.set_memory_pool(_arrow_pool(name))
    try:
        yield previous.backend_name
    finally:
        pa.set_memory_pool(previous)


@contextmanager
def heavy_work() -> Iterator[None]:
    """Both settings of the module docstring inside the block, each unless the environment chose it."""
    with ExitStack() as stack:
        if NUMPY_HINT_ENV not in os.environ:
            stack.enter_context(numpy_huge_pages(False))
        if ARROW_POOL_ENV not in os.environ:
            stack.enter_context(arrow_memory_pool(ARROW_POOL))
        yield


def use_for_process() -> None:
    """:func:`heavy_work`'s settings for the rest of this process (a command's or a script's)."""
    if NUMPY_HINT_ENV not in os.environ:
        set_huge_pages_hint(False)
    if ARROW_POOL_ENV not in os.environ:
        import pyarrow as pa

        pa.set_memory_pool(_arrow_pool(ARROW_POOL))
