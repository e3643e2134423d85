"""Named random streams: one generator per source of randomness, all derived from the run's generator.

A what-if changes how often some draws happen: scan-to-ship makes no posting decisions at the
loading dock, an evening pick shift picks in another order. If every source drew from one
stream, each such change would shift every later draw, and the what-if would also change which
customers order what and when. Here each source has a stream of its own, derived from the run's
generator and the source's name: the orders, each duration, each posting behaviour and habit,
each kind of yes/no decision. The same seed then gives the same demand in every scenario that
shares the demand settings (common random numbers), so a difference between two runs is the
change's, not the dice's.

>>> stream = named_streams(np.random.default_rng(7))
>>> a = stream("orders").random(3)
>>> bool((a == named_streams(np.random.default_rng(7))("orders").random(3)).all())
True
>>> bool((a == stream("duration pick_per_line").random(3)).any())
False
>>> rng = np.random.default_rng(7); first = named_streams(rng)("orders").random(3)
>>> bool((first == named_streams(rng)("orders").random(3)).any())  # the generator used again: a new run
False
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np

_NAMESPACE = 0x6A786373  # "jxcs": the first word of every named stream's spawn key


def _key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "little")


def named_streams(rng: np.random.Generator) -> Callable[[str], np.random.Generator]:
    """A function giving the generator of each named source of randomness, from four draws of ``rng``:
    a generator in the same state (``default_rng(seed)``) and a name always give the same stream, and
    streams of different names are independent."""
    # the entropy is drawn from ``rng``: a fresh generator of a seed gives the same streams every time,
    # and a generator used again (or advanced) gives new ones, as drawing from it would
    entropy = [int(x) for x in rng.integers(0, 2**63, size=4)]
    kind = type(rng.bit_generator)

    def stream(name: str) -> np.random.Generator:
        return np.random.Generator(kind(np.random.SeedSequence(entropy, spawn_key=(_NAMESPACE, _key(name)))))

    return stream
