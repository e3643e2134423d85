"""Process health of sales orders: time per step, delivery cycle, evening-order response, credit wait.

A *sales-order case* is a case with an ``order_received`` event. Its milestones (first or last
time of a semantic, :func:`order_milestones`) bound the steps managers know from the field:

====================  =========================================  ==============================
step                  from                                       to
====================  =========================================  ==============================
order_review          first ``order_received``                   credit cleared (*)
availability_check    credit cleared                             first ``allocate``/``backorder``
shipping_preparation  first ``allocate``                         first ``physical_issue``
delivery              first ``physical_issue``                   first ``deliver``
invoicing             last ``deliver``                           last ``invoice``
settlement            last ``invoice``                           last ``payment``
====================  =========================================  ==============================

(*) credit cleared = the last ``credit_check``/``credit_approved``; for an order held
(``credit_hold``) only the last ``credit_approved`` clears it; a rejected order (a
``credit_rejected`` with no later approval) is never cleared. Cases lacking either end of a step
are left out of that step and counted.

>>> from jxcsim.kpi.example import example_log
>>> t = process_health(example_log())
>>> t.loc["order_review", ["n_cases", "mean_h", "share_blocked"]].to_dict()
{'n_cases': 2.0, 'mean_h': 8.875, 'share_blocked': 0.0}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

import pandas as pd

from ..eventlog.schema import CASE, SEMANTIC, TIMESTAMP, Semantic
from .common import (HOUR, WEEKDAYS, DurationStats, duration_stats, events, local, share, time_of_day_h,
                     workday_start)
from .shared import shared

BLOCKED_AFTER_H = 24.0
SETTLEMENT_BLOCKED_AFTER_H = 30 * 24.0  # payment terms run for weeks: a payment is late after 30 days (net 30)
CUTOFF_H = 16.5
S = Semantic


class Step(Enum):
    """A step of the sales-order process, bounded by two milestones (see the module docstring)."""

    ORDER_REVIEW = ("order_review", "received", "credit_cleared")
    AVAILABILITY_CHECK = ("availability_check", "credit_cleared", "first_allocate_or_backorder")
    SHIPPING_PREPARATION = ("shipping_preparation", "first_allocate", "first_physical_issue")
    DELIVERY = ("delivery", "first_physical_issue", "first_deliver")
    INVOICING = ("invoicing", "last_deliver", "last_invoice")
    SETTLEMENT = ("settlement", "last_invoice", "last_payment")

    @property
    def label(self) -> str:
        return self.value[0]

    @property
    def bounds(self) -> tuple[str, str]:
        """Names of the milestones (columns of :func:`order_milestones`) that start and end the step."""
        return self.value[1], self.value[2]


_FIRST = {"received": S.ORDER_RECEIVED, "first_allocate": S.ALLOCATE,
          "first_physical_issue": S.PHYSICAL_ISSUE, "first_deliver": S.DELIVER, "first_pick": S.PICK}
_LAST = {"last_deliver": S.DELIVER, "last_invoice": S.INVOICE, "last_payment": S.PAYMENT}
_NEEDED = (S.ORDER_RECEIVED, S.CREDIT_CHECK, S.CREDIT_HOLD, S.CREDIT_APPROVED, S.CREDIT_REJECTED, S.ALLOCATE,
           S.BACKORDER, S.PICK, S.PHYSICAL_ISSUE, S.DELIVER, S.INVOICE, S.PAYMENT)


@shared
def order_milestones(frame: pd.DataFrame) -> pd.DataFrame:
    """Per sales-order case (index), the UTC time of each milestone (NaT when it did not happen).

    Columns: ``received``, ``credit_cleared``, ``first_allocate``, ``first_allocate_or_backorder``,
    ``first_pick``, ``first_physical_issue``, ``first_deliver``, ``last_deliver``,
    ``last_invoice``, ``last_payment``, plus ``held`` and ``rejected`` (bool).

    >>> from jxcsim.kpi.example import example_log
    >>> m = order_milestones(example_log())
    >>> str(m.loc["SO-2", "credit_cleared"]), bool(m.loc["SO-2", "held"])
    ('2025-01-07 02:15:00+00:00', True)
    """
    rows = events(frame, _NEEDED, "process health")
    received = rows[rows[SEMANTIC].eq(S.ORDER_RECEIVED.value)]
    if received.empty:
        events(frame, S.ORDER_RECEIVED, "process health")  # raises, naming what is missing
    rows = rows[rows[CASE].isin(received[CASE].unique())]
    grouped = rows.groupby([CASE, SEMANTIC], sort=False, observed=True)[TIMESTAMP]
    first = grouped.min().unstack(SEMANTIC)
    last = grouped.max().unstack(SEMANTIC)
    nat = pd.Series(pd.NaT, index=first.index, dtype=rows[TIMESTAMP].dtype)

    def col(table: pd.DataFrame, semantic: Semantic) -> pd.Series:
        return table[semantic.value] if semantic.value in table.columns else nat

    out = pd.DataFrame(index=first.index)
    for name, semantic in _FIRST.items():
        out[name] = col(first, semantic)
    for name, semantic in _LAST.items():
        out[name] = col(last, semantic)
    either = pd.concat([col(first, S.ALLOCATE), col(first, S.BACKORDER)], axis=1)
    out["first_allocate_or_backorder"] = either.min(axis=1)
    approved, checked, rejected = col(last, S.CREDIT_APPROVED), col(last, S.CREDIT_CHECK), col(last, S.CREDIT_REJECTED)
    out["held"] = col(first, S.CREDIT_HOLD).notna()
    out["rejected"] = rejected.notna() & ~(approved > rejected)
    cleared = pd.concat([checked, approved], axis=1).max(axis=1).where(~out["held"], approved)
    out["credit_cleared"] = cleared.where(~out["rejected"])
    out.index.name = CASE
    return out


def step_durations(milestones: pd.DataFrame) -> pd.DataFrame:
    """Hours per step (columns, :class:`Step` labels) per case; NaN where a bound is missing."""
    return pd.DataFrame({step.label: (milestones[step.bounds[1]] - milestones[step.bounds[0]]) / HOUR
                         for step in Step}, index=milestones.index)


def process_health(frame: pd.DataFrame, *, blocked_after_h: float | Mapping[str, float] | None = None
                   ) -> pd.DataFrame:
    """The managers' per-step table: one row per :class:`Step` (index = its label).

    Columns: ``n_cases`` (cases with both bounds), ``n_excluded`` (sales-order cases lacking a
    bound), ``mean_h``, ``median_h``, ``p90_h``, ``share_blocked`` (share of the cases whose step
    took longer than ``blocked_after_h``: a number for every step, or a mapping step label -> hours
    over the defaults, which are 24 h for the office steps and 30 days for ``settlement``),
    ``blocked_after_h`` and ``n_negative`` (cases whose end came before its start).

    >>> from jxcsim.kpi.example import example_log
    >>> t = process_health(example_log(), blocked_after_h={"settlement": 96})
    >>> cols = ["n_cases", "n_excluded", "mean_h", "share_blocked"]
    >>> t.loc[["invoicing", "settlement"], cols]  # doctest: +NORMALIZE_WHITESPACE
                n_cases  n_excluded  mean_h  share_blocked
    step
    invoicing         2           0    18.0            0.0
    settlement        1           1    72.0            0.0
    """
    durations = step_durations(order_milestones(frame))
    rows = []
    for step in Step:
        usual = SETTLEMENT_BLOCKED_AFTER_H if step is Step.SETTLEMENT else BLOCKED_AFTER_H
        limit = (usual if blocked_after_h is None else blocked_after_h.get(step.label, usual)
                 if isinstance(blocked_after_h, Mapping) else float(blocked_after_h))
        values = durations[step.label].dropna()
        stats = duration_stats(values)
        rows.append({"step": step.label, "n_cases": stats.n, "n_excluded": int(len(durations) - stats.n),
                     "mean_h": stats.mean, "median_h": stats.median, "p90_h": stats.p90,
                     "share_blocked": share(values > limit), "blocked_after_h": float(limit),
                     "n_negative": int((values < 0).sum())})
    return pd.DataFrame(rows).set_index("step")


def delivery_cycle(frame: pd.DataFrame) -> DurationStats:
    """Days from the first ``order_received`` to the last ``deliver`` of each sales order.

    >>> from jxcsim.kpi.example import example_log
    >>> delivery_cycle(example_log())
    DurationStats(n=2, mean=1.125, median=1.125, p90=1.7916666666666667)
    """
    m = order_milestones(frame)
    return duration_stats((m["last_deliver"] - m["received"]) / pd.Timedelta(days=1))


def evening_response(frame: pd.DataFrame, *, timezone: str | None, cutoff_h: float = CUTOFF_H) -> pd.DataFrame:
    """Hours from order receipt to the first ``pick``: orders received at/after the cut-off vs the rest.

    An order is an *evening* order when its first ``order_received`` is at or after ``cutoff_h``
    (local time of day, 16.5 = 16:30) and before the warehouse's day ends — midnight, unless it
    picks around midnight (a night shift), when its day starts in the middle of its longest quiet
    run of hours (:func:`.common.workday_start` of the first picks' hours at the order's location: a
    01:00 cut-off of a warehouse picking 20:00-06:00 makes the orders of 01:00-13:00 its evening's);
    otherwise *daytime*. Rows
    ``evening``/``daytime``; columns ``n_orders``, ``n_without_pick`` (left out of the stats),
    ``mean_h``, ``median_h``, ``p90_h``; ``attrs["day_start_h"]``: the hour each location's working
    day starts (where the evening ends).

    >>> from jxcsim.kpi.example import example_log
    >>> t = evening_response(example_log(), timezone="Asia/Shanghai")
    >>> t[["n_orders", "mean_h"]]  # doctest: +NORMALIZE_WHITESPACE
             n_orders  mean_h
    period
    evening         1    18.5
    daytime         1     2.0
    """
    m = order_milestones(frame)
    start, by_location = _day_starts(frame, m, timezone)
    into_day = (time_of_day_h(local(m["received"], timezone)) - start) % 24  # hours into the working day
    evening = into_day >= ((cutoff_h - start) % 24 if cutoff_h < 24 else 24.0)  # 24:00: no evening
    response = (m["first_pick"] - m["received"]) / HOUR
    rows = []
    for name, mask in (("evening", evening), ("daytime", ~evening)):
        stats = duration_stats(response[mask])
        rows.append({"period": name, "n_orders": int(mask.sum()), "n_without_pick": int(mask.sum() - stats.n),
                     **{k: v for k, v in stats.as_dict("h").items() if k != "n"}})
    table = pd.DataFrame(rows).set_index("period")
    table.attrs["day_start_h"] = by_location
    return table


def _day_starts(frame: pd.DataFrame, m: pd.DataFrame, timezone: str | None) -> tuple[pd.Series, dict[str, float]]:
    """Per order (``m``'s index), the hour its warehouse's day starts (:func:`.common.workday_start` of
    the first picks' hours and weekdays at the order's location; all locations' together where an
    order has none), and that hour per location (``{}`` for a log without locations)."""
    picks = local(m["first_pick"].dropna(), timezone)
    hours, weekdays = time_of_day_h(picks), picks.dt.weekday
    pooled = workday_start(hours.to_numpy(float), weekdays.to_numpy()) if len(hours) else 0.0
    if "location" not in frame.columns:
        return pd.Series(pooled, index=m.index), {}
    received = frame[frame[SEMANTIC].astype(str) == "order_received"]
    where = received.groupby(CASE, observed=True, sort=False)["location"].first().reindex(m.index)
    starts = {}
    for loc in where.dropna().unique():
        at = hours.index.isin(where.index[where == loc])
        starts[loc] = workday_start(hours[at].to_numpy(float), weekdays[at].to_numpy())
    return where.map(starts).astype(float).fillna(pooled), {str(k): float(v) for k, v in starts.items()}


@dataclass(frozen=True)
class CreditWait:
    """Hours from the first ``credit_hold`` of a case to the first decision after it."""

    stats: DurationStats
    n_holds: int
    n_pending: int
    n_approved: int
    n_rejected: int
    by_weekday: pd.DataFrame


def credit_wait(frame: pd.DataFrame, *, timezone: str | None) -> CreditWait:
    """Credit wait: first ``credit_hold`` → first ``credit_approved``/``credit_rejected`` at or after it.

    Holds with no decision by the end of the log are ``n_pending`` (left out of the stats).
    ``by_weekday``: per local weekday of the hold (Mon..Sun), ``n`` decided holds and mean/median
    /p90 hours.

    >>> from jxcsim.kpi.example import example_log
    >>> w = credit_wait(example_log(), timezone="Asia/Shanghai")
    >>> w.stats.mean, w.n_approved, int(w.by_weekday.loc["Mon", "n"])
    (17.0, 1, 1)
    """
    holds = events(frame, S.CREDIT_HOLD, "credit wait")
    held = holds.groupby(CASE, sort=False)[TIMESTAMP].min().rename("hold")
    decisions = events(frame, (S.CREDIT_APPROVED, S.CREDIT_REJECTED), "credit wait", required=False)
    decisions = decisions[[CASE, TIMESTAMP, SEMANTIC]].merge(held, left_on=CASE, right_index=True)
    decisions = decisions[decisions[TIMESTAMP] >= decisions["hold"]].sort_values(TIMESTAMP, kind="stable")
    first = decisions.drop_duplicates(CASE).set_index(CASE)
    table = held.to_frame().join(first[[TIMESTAMP, SEMANTIC]])
    table["wait_h"] = (table[TIMESTAMP] - table["hold"]) / HOUR
    table["weekday"] = local(table["hold"], timezone).dt.weekday
    decided = table.dropna(subset=["wait_h"])
    by_day = []
    for day, name in enumerate(WEEKDAYS):
        stats = duration_stats(decided.loc[decided["weekday"] == day, "wait_h"])
        by_day.append({"weekday": name, **stats.as_dict("h")})
    return CreditWait(stats=duration_stats(decided["wait_h"]), n_holds=int(len(table)),
                      n_pending=int(len(table) - len(decided)),
                      n_approved=int(decided[SEMANTIC].eq(S.CREDIT_APPROVED.value).sum()),
                      n_rejected=int(decided[SEMANTIC].eq(S.CREDIT_REJECTED.value).sum()),
                      by_weekday=pd.DataFrame(by_day).set_index("weekday"))
