"""The transfer review's rule on plain numbers: which transfers one SKU needs now (see
:class:`.scenario.Transfers`). No engine: the world (``transfers.planned_transfers``) and the
benchmark's bare SimPy flow feed it their own stock figures.

>>> from jxcsim.world.scenario import Transfers
>>> rules = Transfers(enabled=True, below_days=2, up_to_days=6, keep_days=8)
>>> stock = {"WH-A": 1.0, "WH-B": 200.0}
>>> plan_transfers(rules, ["WH-A", "WH-B"], {"WH-A": 10.0, "WH-B": 10.0}, stock, stock.__getitem__)
[('WH-B', 'WH-A', 59.0)]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any


def plan_transfers(rules: Any, locations: Sequence[str], rate: dict[str, float], available: dict[str, float],
                   position: Callable[[str], float]) -> list[tuple[str, str, float]]:
    """(source, destination, quantity) of each transfer the SKU needs, given per location its expected
    demand a day (``rate``), its stock available to promise (``available``: book - reserved) and its
    inventory ``position`` (book - reserved + on order + in transit).

    A location short of the SKU (available below ``below_days`` of its demand) is topped up to
    ``up_to_days``; it never gives any away, and a source keeps at least ``max(keep_days,
    below_days)`` of its own demand, so stock does not go back and forth. ``available`` is not
    changed.
    """
    available = dict(available)
    short = [loc for loc in locations if rate[loc] > 0 and available[loc] < rules.below_days * rate[loc]]
    keep = max(rules.keep_days, rules.below_days)
    out = []
    for dst in short:
        need = math.ceil(rules.up_to_days * rate[dst] - position(dst))
        spare = {src: math.floor(available[src] - keep * rate[src]) for src in locations if src not in short}
        donors = [src for src, qty in spare.items() if qty >= 1]
        if need < 1 or not donors:
            continue
        src = max(donors, key=lambda loc: (spare[loc], loc))
        qty = float(min(need, spare[src]))
        available[src] -= qty
        out.append((src, dst, qty))
    return out
