"""Reorder policies: how much to order given the inventory position (units).

The inventory position is what the system believes is coming or there: book stock − reserved +
on order. Both policies review periodically; the world calls :meth:`order_qty` at each review.

>>> SsPolicy(s=20, S=100).order_qty(15), SsPolicy(s=20, S=100).order_qty(25)
(85.0, 0.0)
>>> RqPolicy(r=20, Q=50).order_qty(-40)   # enough lots to lift the position above r
100.0
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol


class ReorderPolicy(Protocol):
    """Anything that turns an inventory position into an order quantity (0: no order)."""

    def order_qty(self, position: float) -> float: ...


@dataclass(frozen=True, slots=True)
class SsPolicy:
    """(s, S): when the position is at or below ``s``, order up to ``S``."""

    s: float
    S: float

    def __post_init__(self) -> None:
        if not 0 <= self.s <= self.S:
            raise ValueError(f"(s, S) needs 0 <= s <= S, got s={self.s}, S={self.S}")

    def order_qty(self, position: float) -> float:
        return float(math.ceil(self.S - position)) if position <= self.s and self.S > 0 else 0.0


@dataclass(frozen=True, slots=True)
class RqPolicy:
    """(r, Q): when the position is at or below ``r``, order whole lots of ``Q`` until it is above ``r``."""

    r: float
    Q: float

    def __post_init__(self) -> None:
        if self.r < 0 or self.Q <= 0:
            raise ValueError(f"(r, Q) needs r >= 0 and Q > 0, got r={self.r}, Q={self.Q}")

    def order_qty(self, position: float) -> float:
        if position > self.r:
            return 0.0
        lots = math.floor(round((self.r - position) / self.Q, 9)) + 1
        return float(lots * self.Q)
