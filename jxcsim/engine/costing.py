"""Inventory costing per SKU: first-in-first-out and moving (weighted) average.

Both methods take receipts ``receipt(q, c)`` (quantity ``q`` at unit cost ``c``) and price
issues ``issue(q)``, returning the cost of goods issued (COGS). Value is conserved:
sum of received ``q * c`` = sum of COGS + remaining stock value (up to float rounding).

- **FIFO**: stock is a queue of layers ``(q_i, c_i)``; an issue consumes the oldest layers
  first, so COGS = sum of ``q_taken_i * c_i`` and what remains is the most recent receipts.
- **Moving average**: one average unit cost ``c_bar = V / Q`` (stock value over quantity),
  recomputed at each receipt; an issue of ``q`` costs ``q * c_bar``. Issuing the whole stock
  costs exactly ``V``, so no value dust is left on an empty shelf.

Textbook check: receive 100 @ 10 and 50 @ 12, issue 120.

>>> fifo, avg = FifoCost("A-1"), MovingAverageCost("A-1")
>>> for cost in (fifo, avg):
...     cost.receipt(100, 10.0)
...     cost.receipt(50, 12.0)
>>> fifo.issue(120), round(avg.issue(120), 9)
(1240.0, 1280.0)
>>> fifo.value, round(avg.value, 9)
(360.0, 320.0)
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from .errors import InsufficientStock
from .quantity import from_units, to_units

__all__ = ["CostFlow", "CostLayer", "CostingMethod", "FifoCost", "MovingAverageCost"]


class CostingMethod(str, Enum):
    """How issued goods are valued: the method's name, and its cost flow (:meth:`flow`).

    >>> type(CostingMethod("fifo").flow("A-1")).__name__, CostingMethod.MOVING_AVERAGE.value
    ('FifoCost', 'moving_average')
    """

    MOVING_AVERAGE = "moving_average"  # 移动加权平均: the stock's average unit cost, recomputed at each receipt
    FIFO = "fifo"  # 先进先出: the oldest receipts' costs first

    def flow(self, sku: str) -> FifoCost | MovingAverageCost:
        """An empty cost flow of this method for ``sku``."""
        return FifoCost(sku) if self is CostingMethod.FIFO else MovingAverageCost(sku)


class CostFlow(Protocol):
    """What a costing method offers (for code that does not care which one it is)."""

    sku: str

    def receipt(self, qty: float, unit_cost: float) -> None: ...
    def issue(self, qty: float) -> float: ...
    @property
    def on_hand(self) -> float: ...
    @property
    def value(self) -> float: ...


@dataclass(frozen=True, slots=True)
class CostLayer:
    """A FIFO layer: ``qty`` still on hand from one receipt at ``unit_cost``.

    >>> layer = CostLayer(qty=30.0, unit_cost=12.0)
    >>> layer.qty * layer.unit_cost
    360.0
    """

    qty: float
    unit_cost: float


@dataclass(slots=True)
class _Layer:
    units: int
    unit_cost: float


def _positive_units(qty: float) -> int:
    units = to_units(qty)
    if units <= 0:
        raise ValueError(f"qty must be positive (after rounding to the quantum), got {qty!r}")
    return units


def _check_cost(unit_cost: float) -> float:
    cost = float(unit_cost)
    if not math.isfinite(cost) or cost < 0:
        raise ValueError(f"unit_cost must be a finite number >= 0, got {unit_cost!r}")
    return cost


class FifoCost:
    """First-in-first-out costing of one SKU.

    >>> fifo = FifoCost("A-1")
    >>> fifo.receipt(10, 2.0); fifo.receipt(10, 3.0)
    >>> fifo.issue(15), fifo.layers
    (35.0, (CostLayer(qty=5.0, unit_cost=3.0),))
    """

    def __init__(self, sku: str = "") -> None:
        self.sku = sku
        self._layers: deque[_Layer] = deque()   # oldest first
        self._units = 0

    def receipt(self, qty: float, unit_cost: float) -> None:
        """Add a layer of ``qty`` at ``unit_cost``."""
        units, cost = _positive_units(qty), _check_cost(unit_cost)
        self._layers.append(_Layer(units, cost))
        self._units += units

    def issue(self, qty: float) -> float:
        """Take ``qty`` from the oldest layers; return its cost. :class:`InsufficientStock` if short."""
        units = _positive_units(qty)
        if units > self._units:
            raise InsufficientStock(self.sku, self.on_hand, from_units(units), what="costed stock")
        cogs = 0.0
        left = units
        while left:
            layer = self._layers[0]
            take = min(left, layer.units)
            cogs += from_units(take) * layer.unit_cost
            layer.units -= take
            left -= take
            if not layer.units:
                self._layers.popleft()
        self._units -= units
        return cogs

    @property
    def on_hand(self) -> float:
        """Quantity in stock."""
        return from_units(self._units)

    @property
    def value(self) -> float:
        """Stock value: sum over layers of ``qty * unit_cost``."""
        return math.fsum(from_units(layer.units) * layer.unit_cost for layer in self._layers)

    @property
    def layers(self) -> tuple[CostLayer, ...]:
        """Remaining layers, oldest first."""
        return tuple(CostLayer(from_units(layer.units), layer.unit_cost) for layer in self._layers)


class MovingAverageCost:
    """Moving-average costing of one SKU: ``c_bar = V / Q`` after every receipt.

    >>> avg = MovingAverageCost("A-1")
    >>> avg.receipt(10, 2.0); avg.receipt(10, 3.0)
    >>> avg.unit_cost, avg.issue(4), avg.issue(16)
    (2.5, 10.0, 40.0)
    """

    def __init__(self, sku: str = "") -> None:
        self.sku = sku
        self._units = 0
        self._value = 0.0

    def receipt(self, qty: float, unit_cost: float) -> None:
        """Add ``qty`` at ``unit_cost``; the average moves towards ``unit_cost``."""
        units, cost = _positive_units(qty), _check_cost(unit_cost)
        self._units += units
        self._value += from_units(units) * cost

    def issue(self, qty: float) -> float:
        """Take ``qty`` at the current average cost; the last unit takes the remaining value."""
        units = _positive_units(qty)
        if units > self._units:
            raise InsufficientStock(self.sku, self.on_hand, from_units(units), what="costed stock")
        if units == self._units:
            cogs, self._value = self._value, 0.0
        else:
            cogs = self._value * (units / self._units)
            self._value -= cogs
        self._units -= units
        return cogs

    @property
    def on_hand(self) -> float:
        """Quantity in stock."""
        return from_units(self._units)

    @property
    def value(self) -> float:
        """Stock value ``V``."""
        return self._value

    @property
    def unit_cost(self) -> float:
        """Average unit cost ``V / Q`` (``nan`` with nothing in stock)."""
        return self._value / from_units(self._units) if self._units else math.nan
