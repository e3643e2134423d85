"""Cost of goods sold from a log's postings, valued by the engine's costing (moving average or FIFO).

The book movements are replayed in time order per SKU × location through
:class:`jxcsim.engine.MovingAverageCost` or :class:`jxcsim.engine.FifoCost`: a posted goods
receipt (``book_receipt``) adds ``qty`` at its ``price`` (the purchase unit cost), a posted goods
issue (``book_issue``) takes ``qty`` out at the method's cost, which is the cost of goods sold.
Stock adjustments (signed ``qty``), customer returns (``return_book_in``) and transfers
(``transfer_book_out`` at the source, ``transfer_book_in`` at the destination at the cost it
left with, matched by case + SKU) move value too. What the stock was worth before the log
begins is ``opening`` (quantity and unit cost per SKU × location); without it the first
receipts are the first layers.

An issue larger than the stock known at that moment (the log starts mid-way, or posts an issue
before its receipt) takes what is there, and the rest is valued at the last unit cost seen for
that SKU × location (else the SKU's standard cost, else left unvalued); that quantity is
reported as ``beyond_stock_qty`` and carries no negative stock. Movements with a location
missing are valued as one location per SKU.

>>> f = pd.DataFrame({CASE: ["P1", "P2", "S1"], SEMANTIC: ["book_receipt", "book_receipt", "book_issue"],
...                   TIMESTAMP: pd.to_datetime(["2025-01-06 09:00", "2025-01-07 09:00", "2025-01-08 09:00"], utc=True),
...                   "sku": "A", "location": "W", "qty": [100.0, 50.0, 120.0], "price": [10.0, 12.0, None]})
>>> fifo, avg = cost_of_goods(f, "fifo"), cost_of_goods(f, "moving_average")
>>> fifo.cogs, round(avg.cogs, 6), fifo.closing_value, round(avg.closing_value, 6)
(1240.0, 1280.0, 360.0, 320.0)
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..engine import CostingMethod, FifoCost, MovingAverageCost
from ..eventlog.schema import CASE, SEMANTIC, TIMESTAMP, Semantic
from .common import KpiUnavailable, require_columns

_EPS = 1e-6  # quantities below a micro-unit (the engine's resolution) are nothing
_RANK = {Semantic.BOOK_RECEIPT.value: 0, Semantic.RETURN_BOOK_IN.value: 0, Semantic.ADJUSTMENT.value: 1,
         Semantic.TRANSFER_BOOK_OUT.value: 2, Semantic.TRANSFER_BOOK_IN.value: 3, Semantic.BOOK_ISSUE.value: 4}


_IN = {Semantic.BOOK_RECEIPT.value, Semantic.RETURN_BOOK_IN.value, Semantic.TRANSFER_BOOK_IN.value}
_OUT = {Semantic.BOOK_ISSUE.value, Semantic.TRANSFER_BOOK_OUT.value}
_VALUED = _IN | _OUT | {Semantic.ADJUSTMENT.value}


@dataclass(frozen=True)
class CostOfGoods:
    """The cost of goods sold and the closing stock value of one costing run (see :func:`cost_of_goods`).

    ``by_product`` per SKU: ``issued_qty``, ``cogs``, ``unit_cost`` (cogs ÷ issued qty),
    ``closing_qty``, ``closing_value``; ``unit_costs`` the same unit costs as a mapping.
    """

    method: str
    cogs: float
    issued_qty: float
    closing_value: float
    beyond_stock_qty: float
    unvalued_qty: float
    n_receipts_without_price: int
    in_transit_value: float  # transfers posted out and not yet in: value on the road, in no closing stock
    by_product: pd.DataFrame = field(compare=False, repr=False)

    @property
    def unit_costs(self) -> dict[str, float]:
        costed = self.by_product["unit_cost"].dropna()
        return {str(sku): float(cost) for sku, cost in costed.items()}


class _Books:
    """The cost flows of every SKU × location and what the run has seen."""

    def __init__(self, method: CostingMethod, standard: Mapping[str, float] | None):
        self.method = method
        self.flows: dict[tuple[str, str], FifoCost | MovingAverageCost] = {}
        self.last_cost: dict[tuple[str, str], float] = {}
        self.standard = standard or {}
        self.issued: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])  # sku -> [qty, cogs]
        self.beyond = self.unvalued = 0.0

    def flow(self, key: tuple[str, str]) -> FifoCost | MovingAverageCost:
        if key not in self.flows:
            self.flows[key] = self.method.flow(key[0])
        return self.flows[key]

    def current_cost(self, key: tuple[str, str]) -> float | None:
        flow = self.flow(key)
        if flow.on_hand > _EPS:
            return flow.value / flow.on_hand
        return self.last_cost.get(key, self.standard.get(key[0]))

    def receive(self, key: tuple[str, str], qty: float, unit_cost: float | None) -> None:
        cost = unit_cost if unit_cost is not None else self.current_cost(key)
        if cost is None:
            self.unvalued += qty
            return
        self.flow(key).receipt(qty, cost)
        self.last_cost[key] = cost

    def take(self, key: tuple[str, str], qty: float) -> float | None:
        """Take ``qty`` out; its cost (None when nothing could value it)."""
        flow = self.flow(key)
        here = min(qty, max(0.0, flow.on_hand))
        cost = flow.issue(here) if here > _EPS else 0.0
        rest = qty - here
        if rest > _EPS:
            self.beyond += rest
            unit = self.last_cost.get(key, self.standard.get(key[0]))
            if unit is None:
                self.unvalued += rest
                return cost if here > _EPS else None
            cost += rest * unit
        return cost


def cost_of_goods(frame: pd.DataFrame, method: CostingMethod | str = CostingMethod.MOVING_AVERAGE, *,
                  opening: Mapping[tuple[str, str], tuple[float, float]] | None = None,
                  standard_costs: Mapping[str, float] | None = None) -> CostOfGoods:
    """Value a log's book movements with ``method``; the cost of goods sold is that of ``book_issue``.

    ``opening``: (sku, location) → (quantity, unit cost) on hand before the log's first event;
    ``standard_costs``: SKU → unit cost, used only where the log gives none (a receipt without
    a price and no stock to take a cost from, an issue beyond the stock known). Raises
    :class:`KpiUnavailable` when the log has no ``sku``/``qty`` columns or no posted issue.
    """
    method = CostingMethod(method)
    require_columns(frame, ["sku", "qty"], "cost of goods sold")
    semantic = frame[SEMANTIC].astype(str)
    rows = frame[semantic.isin(_VALUED).to_numpy() & frame["sku"].notna().to_numpy()
                 & frame["qty"].notna().to_numpy()]
    if not (rows[SEMANTIC].astype(str) == Semantic.BOOK_ISSUE.value).any():
        raise KpiUnavailable("no posted goods issue (book_issue) with a SKU and a quantity")
    rows = rows[rows["qty"].astype(float).abs().to_numpy() >= _EPS]
    # at one instant: receipts, adjustments, transfers out, transfers in (after their out), then issues
    rank = rows[SEMANTIC].astype(str).map(_RANK).to_numpy()
    order = np.lexsort((np.arange(len(rows)), rank, rows[TIMESTAMP].array.asi8))
    rows = rows.iloc[order]
    books = _Books(method, standard_costs)
    for (sku, loc), (qty, unit_cost) in (opening or {}).items():
        if qty > _EPS:
            books.receive((str(sku), str(loc)), float(qty), float(unit_cost))
    prices = rows["price"] if "price" in rows.columns else pd.Series(np.nan, index=rows.index)
    locations = rows["location"] if "location" in rows.columns else pd.Series(None, index=rows.index, dtype=object)
    transfers: dict[tuple[str, str], deque[tuple[float, float]]] = defaultdict(deque)  # (case, sku) -> (qty, unit cost)
    no_price = 0
    for case, kind, sku, qty, price, loc in zip(rows[CASE].astype(str), rows[SEMANTIC].astype(str),
                                                rows["sku"].astype(str), rows["qty"].astype(float), prices,
                                                locations, strict=True):
        key = (sku, "" if pd.isna(loc) else str(loc))
        if kind == Semantic.ADJUSTMENT.value:
            if qty > 0:
                books.receive(key, qty, None)
            else:
                books.take(key, -qty)
        elif kind == Semantic.BOOK_RECEIPT.value:
            known = not pd.isna(price)
            no_price += not known
            books.receive(key, qty, float(price) if known else None)
        elif kind == Semantic.RETURN_BOOK_IN.value:
            books.receive(key, qty, None)
        elif kind == Semantic.TRANSFER_BOOK_IN.value:
            on_way = transfers[(case, sku)]
            books.receive(key, qty, on_way.popleft()[1] if on_way else None)
        else:
            cost = books.take(key, qty)
            if kind == Semantic.TRANSFER_BOOK_OUT.value:
                if cost is not None:
                    transfers[(case, sku)].append((qty, cost / qty))
            elif cost is not None:
                issued = books.issued[sku]
                issued[0] += qty
                issued[1] += cost
    in_transit = sum(q * c for on_way in transfers.values() for q, c in on_way)  # out posted, in not yet
    result = _result(method, books, no_price, in_transit)
    if result.issued_qty <= _EPS:
        raise KpiUnavailable(f"no posted issue could be valued ({books.unvalued:g} units issued with no receipt "
                             f"price, opening stock or standard cost to value them)")
    return result


def _result(method: CostingMethod, books: _Books, no_price: int, in_transit: float) -> CostOfGoods:
    closing: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for (sku, _), flow in books.flows.items():
        closing[sku][0] += flow.on_hand
        closing[sku][1] += flow.value
    skus = sorted(set(books.issued) | set(closing))
    table = pd.DataFrame({
        "issued_qty": [books.issued[s][0] if s in books.issued else 0.0 for s in skus],
        "cogs": [books.issued[s][1] if s in books.issued else 0.0 for s in skus],
        "closing_qty": [closing[s][0] if s in closing else 0.0 for s in skus],
        "closing_value": [closing[s][1] if s in closing else 0.0 for s in skus],
    }, index=pd.Index(skus, name="sku"))
    table.insert(2, "unit_cost", table["cogs"] / table["issued_qty"].where(table["issued_qty"] > _EPS))
    table = table.sort_values("cogs", ascending=False, kind="stable")
    return CostOfGoods(method=method.value, cogs=float(table["cogs"].sum()),
                       issued_qty=float(table["issued_qty"].sum()), closing_value=float(table["closing_value"].sum()),
                       beyond_stock_qty=books.beyond, unvalued_qty=books.unvalued,
                       n_receipts_without_price=no_price, in_transit_value=in_transit, by_product=table)
