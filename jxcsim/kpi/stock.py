"""Stock KPIs: line fill rate and backorder rate, record accuracy at counts, discrepancy by cause,
phantom-stock SKU-days and inventory days.

The first two read the event log; the last three read the ledgers: a
:class:`jxcsim.engine.Ledgers` object, or its entries as a frame (one row per entry, columns
``ledger`` ("physical"/"book"), ``sku``, ``location``, signed ``qty``, ``business_time`` in world
hours since the run's local midnight epoch; what ``jxcsim.world.simulate.ledger_frame`` gives).
Locations starting with ``@`` are virtual (supplier, customer, loss, transit) and left out of
stock figures.

>>> from jxcsim.kpi.example import example_log
>>> s = line_service(example_log())
>>> s.n_lines, s.fill_rate, s.backorder_rate
(4, 0.75, 0.25)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..engine import CUSTOMER, Cause, Ledger, Ledgers, is_virtual
from ..eventlog.schema import BOOK, CASE, COUNTED, SEMANTIC, Semantic
from .common import KpiUnavailable, events, require_columns, share

TOLERANCE = 0.02
DAY_H = 24.0
_QUANTUM = 1e-6  # the engine's quantity quantum: differences below it are zero


@dataclass(frozen=True)
class LineService:
    """Order lines that went through allocation, and how many waited for stock."""

    line_key: str
    n_lines: int
    n_filled: int
    n_backordered: int
    fill_rate: float | None
    backorder_rate: float | None


def line_service(frame: pd.DataFrame) -> LineService:
    """Fill rate and stock-out (backorder) rate at order-line level.

    An *order line* is a distinct case + ``line`` (or case + ``sku`` when the log has no
    ``line`` column) with at least one ``allocate`` or ``backorder`` event. Fill rate = share of
    lines allocated without any ``backorder`` event; backorder rate = share of lines with one
    (a line backordered and later allocated counts as backordered). The two add up to 1.

    >>> import pandas as pd
    >>> line_service(pd.DataFrame({"case:concept:name": ["1"], "semantic": ["allocate"],
    ...                            "time:timestamp": pd.to_datetime(["2025-01-06"], utc=True)}))
    Traceback (most recent call last):
    ...
    jxcsim.kpi.common.KpiUnavailable: fill rate needs a 'line' or 'sku' column, which the log lacks
    """
    key = "line" if "line" in frame.columns else "sku" if "sku" in frame.columns else None
    if key is None:
        raise KpiUnavailable("fill rate needs a 'line' or 'sku' column, which the log lacks")
    rows = events(frame, (Semantic.ALLOCATE, Semantic.BACKORDER), "fill rate")
    backordered = rows[SEMANTIC].eq(Semantic.BACKORDER.value).rename("backordered")
    lines = backordered.groupby([rows[CASE], rows[key]], dropna=False, sort=False).any()
    n, n_back = int(len(lines)), int(lines.sum())
    return LineService(line_key=key, n_lines=n, n_filled=n - n_back, n_backordered=n_back,
                       fill_rate=(n - n_back) / n, backorder_rate=n_back / n)


@dataclass(frozen=True)
class RecordAccuracy:
    """How often book stock matched the shelf when counted."""

    n_rows: int
    n_exact: int
    share_exact: float | None
    tolerance: float
    n_within: int
    share_within: float | None
    by_location: pd.DataFrame | None = field(default=None, compare=False)


def record_accuracy(frame: pd.DataFrame, *, tolerance: float = TOLERANCE) -> RecordAccuracy:
    """Record accuracy at counts: share of count rows whose book quantity matched the count.

    A count row is one ``count`` event (one SKU × location × count) with both ``counted_qty`` and
    ``book_qty``. *Exact*: equal (to the engine's quantum, 1e-6). *Within tolerance*:
    ``|counted - book| <= tolerance × |book|`` (default 2 %), so a book of 0 needs a count of 0.
    ``by_location``: the same per ``location`` (when the log has the column).

    >>> from jxcsim.kpi.example import example_log
    >>> r = record_accuracy(example_log())
    >>> r.n_rows, r.share_exact, r.share_within
    (4, 0.5, 0.75)
    """
    require_columns(frame, [COUNTED, BOOK], "record accuracy")
    rows = events(frame, Semantic.COUNT, "record accuracy")
    rows = rows[rows[COUNTED].notna() & rows[BOOK].notna()]
    if rows.empty:
        raise KpiUnavailable("record accuracy needs count events with counted and book quantities")
    gap = (rows[COUNTED].astype(float) - rows[BOOK].astype(float)).abs()
    table = pd.DataFrame({"exact": gap < _QUANTUM / 2,
                          "within": gap <= tolerance * rows[BOOK].astype(float).abs() + _QUANTUM / 2})
    by_location = None
    if "location" in rows.columns:
        grouped = table.groupby(rows["location"], sort=True)
        by_location = pd.DataFrame({"n_rows": grouped.size(), "share_exact": grouped["exact"].mean(),
                                    "share_within": grouped["within"].mean()})
    return RecordAccuracy(n_rows=int(len(table)), n_exact=int(table["exact"].sum()), share_exact=share(table["exact"]),
                          tolerance=tolerance, n_within=int(table["within"].sum()),
                          share_within=share(table["within"]), by_location=by_location)


def discrepancy_by_cause(ledgers: Ledgers, *, as_of: float | None = None,
                         known_at: float | None = None) -> dict[str, float]:
    """``book - physical`` summed over every SKU at every real location, split by cause.

    Cause values of :class:`jxcsim.engine.Cause` as keys (non-zero causes only, in the engine's
    order); the values add up to the total discrepancy. ``as_of``/``known_at`` as in
    :meth:`jxcsim.engine.Ledgers.discrepancy_by_cause`.

    >>> from jxcsim.engine import CUSTOMER, SUPPLIER, Ledgers
    >>> led = Ledgers()
    >>> _ = led.move_physical("A", 10, SUPPLIER, "WH-A", time=1.0, movement_id="PO-1")
    >>> _ = led.move_book("A", 10, SUPPLIER, "WH-A", time=1.0, movement_id="PO-1")
    >>> _ = led.move_physical("A", 4, "WH-A", CUSTOMER, time=5.0, movement_id="SO-1")
    >>> discrepancy_by_cause(led)
    {'unposted_issue': 4.0}
    """
    totals: dict[str, float] = {}
    for sku in ledgers.skus():
        for location in ledgers.locations(sku):
            if is_virtual(location):
                continue
            for cause, qty in ledgers.discrepancy_by_cause(sku, location, as_of=as_of, known_at=known_at).items():
                totals[cause.value] = totals.get(cause.value, 0.0) + qty
    return {c.value: round(totals[c.value], 6) for c in Cause if round(totals.get(c.value, 0.0), 6)}


def gross_discrepancy(ledgers: Ledgers) -> tuple[float, dict[str, float]]:
    """``|book - physical|`` summed over every SKU at every real location, and per cause the sum of
    its absolute parts: where one SKU's surplus would hide another's shortfall in the net sum.

    >>> from jxcsim.engine import SUPPLIER, Ledgers
    >>> led = Ledgers()
    >>> _ = led.move_physical("A", 4, SUPPLIER, "WH-A", time=1.0, movement_id="PO-1")   # received, not posted
    >>> _ = led.move_book("B", 4, SUPPLIER, "WH-A", time=1.0, movement_id="PO-2")       # posted, not received
    >>> by_cause = discrepancy_by_cause(led)
    >>> by_cause, sum(by_cause.values())   # nets to 0 ...
    ({'unposted_receipt': -4.0, 'posted_not_moved': 4.0}, 0.0)
    >>> gross_discrepancy(led)   # ... while 8 units are wrong
    (8.0, {'unposted_receipt': 4.0, 'posted_not_moved': 4.0})
    """
    total, by_cause = 0.0, {}
    for sku in ledgers.skus():
        for location in ledgers.locations(sku):
            if is_virtual(location):
                continue
            causes = ledgers.discrepancy_by_cause(sku, location)
            total += abs(sum(causes.values()))
            for cause, qty in causes.items():
                by_cause[cause.value] = by_cause.get(cause.value, 0.0) + abs(qty)
    return round(total, 6), {c.value: round(by_cause[c.value], 6) for c in Cause if round(by_cause.get(c.value, 0), 6)}


def _is_real(locations: pd.Series) -> np.ndarray:
    """True where a location is real (not virtual: its id does not start with ``@``); fast on repeats."""
    codes, uniques = pd.factorize(locations, use_na_sentinel=False)
    return np.array([not str(u).startswith("@") for u in uniques], dtype=bool)[codes]


def _real_entries(entries: pd.DataFrame, kpi: str) -> pd.DataFrame:
    require_columns(entries, ["ledger", "sku", "location", "qty", "business_time"], kpi)
    return entries[_is_real(entries["location"])]


def _day_index(business_time: pd.Series) -> np.ndarray:
    """The first day end (1 = hour 24, 2 = hour 48, ...) at which an entry counts; 0 for time <= 0."""
    return np.ceil(np.maximum(business_time.to_numpy(dtype=float), 0.0) / DAY_H).astype(np.int64)


def _horizon_days(entries: pd.DataFrame, horizon_h: float | None) -> int:
    end = float(entries["business_time"].max()) if horizon_h is None else float(horizon_h)
    return int(np.floor(end / DAY_H + 1e-9))


def phantom_stock_days(entries: pd.DataFrame, *, horizon_h: float | None = None) -> pd.Series:
    """Per real (sku, location), the number of day ends at which book stock exceeded the shelf.

    Day ends are world hours 24, 48, ... up to ``horizon_h`` (default: the last business time),
    i.e. local midnights when the run's epoch is one. Balances are the business-time view: every
    entry with ``business_time <= `` the day end counts, whenever it was recorded. The sum of the
    series is the *phantom-stock SKU-days* KPI. Places that never had phantom stock show 0.

    >>> e = pd.DataFrame({"ledger": ["physical", "book", "physical"], "sku": "A", "location": "W",
    ...                   "qty": [10.0, 10.0, -4.0], "business_time": [0.0, 0.0, 30.0]})
    >>> phantom_stock_days(e, horizon_h=96).to_dict()
    {('A', 'W'): 3}
    """
    real = _real_entries(entries, "phantom-stock SKU-days")
    n_days = _horizon_days(entries, horizon_h)
    day = _day_index(real["business_time"])
    keep = day <= n_days
    real, day = real[keep], day[keep]
    gap = np.where(real["ledger"].astype(str).eq(Ledger.BOOK.value), 1.0, -1.0) * real["qty"].to_numpy(dtype=float)
    units = np.rint(gap / _QUANTUM).astype(np.int64)
    steps = pd.DataFrame({"sku": real["sku"].to_numpy(), "location": real["location"].to_numpy(), "day": day,
                          "units": units}).groupby(["sku", "location", "day"], sort=True)["units"].sum().reset_index()
    steps["gap"] = steps.groupby(["sku", "location"], sort=False)["units"].cumsum()
    nxt = steps.groupby(["sku", "location"], sort=False)["day"].shift(-1).fillna(n_days + 1).to_numpy(dtype=np.int64)
    span = np.minimum(nxt, n_days + 1) - np.maximum(steps["day"].to_numpy(), 1)
    steps["days"] = np.where(steps["gap"].to_numpy() > 0, np.maximum(span, 0), 0)
    return steps.groupby(["sku", "location"], sort=True)["days"].sum().astype(np.int64)


@dataclass(frozen=True)
class InventoryDays:
    """Average stock value over cost of goods issued per day (see :func:`inventory_days`)."""

    days: float | None
    average_value: float
    cogs_per_day: float
    n_day_ends: int
    skus_without_cost: list[str]


def inventory_days(entries: pd.DataFrame, costs: Mapping[str, float], *,
                   horizon_h: float | None = None) -> InventoryDays:
    """Inventory days = average inventory value ÷ cost of goods issued per day.

    Inventory value = physical units at real locations × unit cost (``costs``: sku -> cost),
    sampled at each day end (hours 24, 48, ... up to ``horizon_h``, default the last business
    time) and averaged. Cost of goods issued = physical units reaching ``@customer`` (net of
    returns) with business time in (0, horizon] × unit cost, divided by horizon_h / 24 days.
    SKUs without a cost are left out of both and listed. ``days`` is None when nothing was issued.

    >>> e = pd.DataFrame({"ledger": "physical", "sku": "A", "location": ["@supplier", "W", "W", "@customer"],
    ...                   "qty": [-100.0, 100.0, -20.0, 20.0], "business_time": [0.0, 0.0, 36.0, 36.0]})
    >>> inventory_days(e, {"A": 2.0}, horizon_h=48).days   # (200 + 160) / 2 / (40 / 2)
    9.0
    """
    require_columns(entries, ["ledger", "sku", "location", "qty", "business_time"], "inventory days")
    physical = entries[entries["ledger"].astype(str).eq(Ledger.PHYSICAL.value)]
    end = float(entries["business_time"].max()) if horizon_h is None else float(horizon_h)
    n_days = _horizon_days(entries, end)
    if n_days < 1:
        raise KpiUnavailable("inventory days needs a horizon of at least one day")
    cost = physical["sku"].map(costs)
    missing = sorted(set(physical.loc[cost.isna(), "sku"].astype(str)))
    value = physical["qty"].to_numpy(dtype=float) * cost.fillna(0.0).to_numpy(dtype=float)
    locations = physical["location"].astype(str)
    real = _is_real(locations)
    day = _day_index(physical["business_time"])
    in_range = day <= n_days
    per_day = np.bincount(day[real & in_range], weights=value[real & in_range], minlength=n_days + 1)
    average = float(np.cumsum(per_day)[1:n_days + 1].mean())
    times = physical["business_time"].to_numpy(dtype=float)
    issued = locations.eq(str(CUSTOMER)).to_numpy() & (times > 0) & (times <= end)
    cogs_per_day = float(value[issued].sum()) / (end / DAY_H)
    return InventoryDays(days=average / cogs_per_day if cogs_per_day > 0 else None, average_value=average,
                         cogs_per_day=cogs_per_day, n_day_ends=n_days, skus_without_cost=missing)
