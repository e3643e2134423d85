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
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import numpy as np

_NAMESPACE = 0x6A786373  # "jxcs": keeps named children apart from SeedSequence.spawn's numbered ones


def _key(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode("utf-8")).digest()[:8], "little")


def named_streams(rng: np.random.Generator) -> Callable[[str], np.random.Generator]:
    """A function giving the generator of each named source of randomness; the same ``rng`` seed
    and name always give the same stream, and streams of different names are independent."""
    seq = getattr(rng.bit_generator, "seed_seq", None)
    if not isinstance(seq, np.random.SeedSequence):  # a generator made from another kind of seed
        seq = np.random.SeedSequence(int(rng.integers(2**63)))
    kind = type(rng.bit_generator)

    def stream(name: str) -> np.random.Generator:
        child = np.random.SeedSequence(seq.entropy, spawn_key=(*seq.spawn_key, _NAMESPACE, _key(name)),
                                       pool_size=seq.pool_size)
        return np.random.Generator(kind(child))

    return stream
