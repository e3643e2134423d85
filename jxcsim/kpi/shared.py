"""Results that several analyses of one log need, worked out once.

A diagnosis asks the same questions of one frame many times: which semantics it holds, each
movement's postings, the order milestones, the directly-follows pairs. Inside
``with sharing(frame):`` every function wrapped with :func:`shared` returns what it computed for
that same frame object and the same arguments earlier in the block; outside such a block, or for
any other frame, it computes as usual. The frame must not change inside the block (the analyses
only read it), and callers must not modify a shared result in place.

>>> import pandas as pd
>>> calls = []
>>> @shared
... def n_rows(frame):
...     calls.append(1)
...     return len(frame)
>>> frame = pd.DataFrame({"a": [1, 2]})
>>> with sharing(frame):
...     n_rows(frame), n_rows(frame)
(2, 2)
>>> n_rows(frame), len(calls)
(2, 2)
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import pandas as pd

F = TypeVar("F", bound=Callable[..., Any])

_active: dict[int, tuple[pd.DataFrame, dict]] = {}  # id(frame) -> (the frame, its results by call)


@contextmanager
def sharing(frame: pd.DataFrame) -> Iterator[None]:
    """Share the results of :func:`shared` functions on ``frame`` until the block ends (nested
    blocks on the same frame share the outer one's)."""
    key = id(frame)
    if key in _active and _active[key][0] is frame:
        yield
        return
    _active[key] = (frame, {})
    try:
        yield
    finally:
        del _active[key]


def shared(fn: F) -> F:
    """Wrap ``fn(frame, *args, **kwargs)`` so that inside :func:`sharing` it runs once per frame and
    arguments (arguments that cannot be hashed are never shared; errors are not kept)."""
    @functools.wraps(fn)
    def wrapper(frame, *args, **kwargs):
        entry = _active.get(id(frame))
        if entry is None or entry[0] is not frame:
            return fn(frame, *args, **kwargs)
        key = (fn, args, tuple(sorted(kwargs.items())))
        try:
            hash(key)
        except TypeError:
            return fn(frame, *args, **kwargs)
        results = entry[1]
        if key not in results:
            results[key] = fn(frame, *args, **kwargs)
        return results[key]

    return wrapper  # type: ignore[return-value]
