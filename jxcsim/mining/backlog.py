"""After-hours backlog: orders received after a cut-off wait for the next morning.

For every case with an ``order_received`` event, the *response* is the first event of the
first semantic of ``response`` the log has (default: ``pick``, else ``allocate``, else
``physical_issue``): when the warehouse first acts on the order. Days are the warehouse's
working days: local calendar days, unless it answers orders around midnight (a night shift), when
they begin in the middle of its longest quiet run of hours (:func:`jxcsim.kpi.common.workday_start`
of the responses' hours, per location). The receipt's time into its day is binned
(``bin_minutes``, default 30); an order waits *overnight* when its response falls on a later
day. Per location (of the receipt), the window is the latest run of bins up to the day's end
(midnight, for a day shift) in which at least ``min_share`` (80 %) of the orders wait overnight — bins with
fewer than ``min_obs`` orders are bridged — provided some earlier tested bin does not (a log in
which every order waits overnight has no cut-off). The window's response times are tested
against those of the orders received earlier in the day (one-sided Mann–Whitney,
Benjamini–Hochberg over locations; the window's median response must be at least
``max(min_effect_h, effect_factor ×`` the earlier orders' median``)``, judged on medians as
every window is, :mod:`jxcsim.mining.lag`). The test and the minimum effect take only the
orders received on a day the location's warehouse works, before another day it works (its
working weekdays: those with at least a tenth of the busiest weekday's responses), when at least
``min_obs`` of them fall on either side of the cut-off: an order of Friday morning that waits for
Monday says nothing about a cut-off, and such waits would lift the earlier orders' median. The
figures reported (``effect_h``, ``baseline_h``, cases) are those of all orders. ``weekday`` is
``None`` (every day); ``hours`` is ``[cut-off, 24)``, or ``[cut-off, day start)`` at a night
warehouse (``[1.0, 13.0]``; past midnight for a cut-off before it: ``[22.0, 13.0]``).

>>> import pandas as pd
>>> rows = []
>>> for day in range(10):
...     for minute in range(8 * 60, 22 * 60, 20):
...         t = pd.Timestamp("2025-01-06", tz="UTC") + pd.Timedelta(days=day, minutes=minute)
...         late = minute >= 17 * 60
...         pick = t.normalize() + pd.Timedelta(days=1, hours=8) if late else t + pd.Timedelta(hours=1)
...         rows += [(f"O{day}-{minute}", "Order in", "order_received", t), (f"O{day}-{minute}", "Pick", "pick", pick)]
>>> frame = pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "semantic", "time:timestamp"])
>>> [(f.kind.value, f.hours, f.cases) for f in find_after_hours_backlog(frame, timezone="UTC")]
[('after_hours_backlog', [17.0, 24.0], 150)]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..kpi.common import workday_start
from ..kpi.shared import shared
from .common import (
    NO_LOCATION,
    bh,
    clears_effect,
    clock,
    evidence_by_lag,
    first_per_case,
    fmt_h,
    has_semantics,
    local_clock,
    means_clause,
    medians_lead,
    mwu_greater,
)
from .findings import MAX_EVIDENCE, Finding, FindingKind

DEFAULT_RESPONSE = ("pick", "allocate", "physical_issue")


@shared
def order_responses(frame: pd.DataFrame, *, timezone: str | None,
                    response: Sequence[str] = DEFAULT_RESPONSE) -> pd.DataFrame | None:
    """Per order (index = case): receipt time, location, response time and semantic, lag (h),
    local time of day of the receipt (h), the hour its location's working day starts
    (``day_start_h``, :func:`jxcsim.kpi.common.workday_start` of the responses' hours: 0 unless the
    warehouse works around midnight), the receipt's hours into that day (``day_h``) and whether the
    response came on a later working day (``overnight``).

    ``None`` when the log has no ``order_received`` or none of the ``response`` semantics.
    """
    if not has_semantics(frame, "order_received"):
        return None
    chosen = next((s for s in response if has_semantics(frame, s)), None)
    if chosen is None:
        return None
    received = first_per_case(frame, ["order_received"], columns=["location"])
    answered = first_per_case(frame, [chosen])
    orders = received.join(answered[["time", "activity"]], rsuffix="_response", how="inner")
    orders = orders[orders["time_response"] >= orders["time"]]
    if orders.empty:
        return None
    day_in, _, time_in = local_clock(orders["time"], timezone)
    day_out, weekday_out, time_out = local_clock(orders["time_response"], timezone)
    # each location's working day, read off when its warehouse answers (a night warehouse's starts by day)
    places = (orders["location"].astype(object).where(orders["location"].notna(), NO_LOCATION)
              if "location" in orders.columns else pd.Series(NO_LOCATION, index=orders.index))
    start = np.zeros(len(orders))
    for _, at in places.groupby(places, sort=False).indices.items():
        start[at] = workday_start(time_out[at], weekday_out[at])
    if start.any():
        day_in, _, _ = local_clock(orders["time"], timezone, day_start_h=start)
        day_out, _, _ = local_clock(orders["time_response"], timezone, day_start_h=start)
    out = pd.DataFrame({
        "received": orders["time"], "response": orders["time_response"],
        "location": orders["location"] if "location" in orders.columns else None,
        "received_activity": orders["activity"], "response_activity": orders["activity_response"],
        "lag_h": (orders["time_response"] - orders["time"]).dt.total_seconds() / 3600,
        "time_of_day_h": time_in, "day_start_h": start, "day_h": (time_in - start) % 24,
        "overnight": day_out > day_in,
    }, index=orders.index)
    out.attrs["response_semantic"] = chosen
    return out


WORKING_SHARE = 0.1  # a weekday the warehouse works: at least this share of the busiest weekday's responses


def _one_night(rows: pd.DataFrame, timezone: str | None, min_obs: int) -> pd.DataFrame:
    """The orders of one location received on a day the warehouse works and before another it works
    (its working weekdays read off the responses): waiting overnight then means one night, not a
    weekend or a day off; all the orders when fewer than ``2 × min_obs`` such orders remain."""
    start = rows["day_start_h"].to_numpy(float)
    _, received, _ = local_clock(rows["received"], timezone, day_start_h=start)
    _, answered, _ = local_clock(rows["response"], timezone, day_start_h=start)
    per_day = np.bincount(np.asarray(answered, dtype=np.int64), minlength=7)
    working = per_day >= WORKING_SHARE * per_day.max()
    received = np.asarray(received, dtype=np.int64)
    keep = working[received] & working[(received + 1) % 7]
    return rows[keep] if keep.sum() >= 2 * min_obs else rows


def _cutoff_bin(table: pd.DataFrame, n_bins: int, min_obs: int, min_share: float) -> int | None:
    """The first bin of the latest run, ending at midnight, of bins where most orders wait overnight."""
    tested = table[table["n"] >= min_obs]
    if tested.empty:
        return None
    start = None
    for b in range(n_bins - 1, -1, -1):
        if b not in tested.index:
            continue  # sparse or empty: bridged
        if tested.at[b, "share"] >= min_share:
            start = b
        else:
            break
    if start is None or not (tested.index < start).any():
        return None
    # sparse bins just before it where most orders wait overnight too start the run (a small firm's
    # noon cut-off: three orders at 12:00, five at 12:30, ..., each all waiting a night)
    for b in range(start - 1, -1, -1):
        if b in tested.index or b not in table.index:
            break  # a tested bin, or an empty one: the run of sparse bins just before it ends
        if table.at[b, "share"] < min_share:
            break
        start = b
    return start


def find_after_hours_backlog(frame: pd.DataFrame, *, timezone: str | None, response: Sequence[str] = DEFAULT_RESPONSE,
                             bin_minutes: int = 30, min_share: float = 0.8, min_obs: int = 10, fdr: float = 0.05,
                             min_effect_h: float = 0.5, effect_factor: float = 2.0) -> list[Finding]:
    """One finding per location whose late orders wait for the next day (see the module docstring)."""
    orders = order_responses(frame, timezone=timezone, response=response)
    if orders is None:
        return []
    n_bins = (24 * 60) // bin_minutes
    orders = orders.assign(bin=np.minimum((orders["day_h"] * 60 // bin_minutes).astype(int), n_bins - 1),
                           loc_key=orders["location"].astype(object).where(orders["location"].notna(), NO_LOCATION))
    candidates = []
    for loc_key, rows in orders.groupby("loc_key", sort=True):
        table = rows.groupby("bin").agg(n=("lag_h", "size"), share=("overnight", "mean"), mean_h=("lag_h", "mean"))
        start = _cutoff_bin(table, n_bins, min_obs, min_share)
        if start is None:
            continue
        inside = rows["bin"] >= start
        win, rest = rows[inside], rows[~inside]
        effect, baseline = float(win["lag_h"].mean()), float(rest["lag_h"].mean())
        judged = _one_night(rows, timezone, min_obs)  # judged without the waits over days off
        judged_win, judged_rest = judged[judged["bin"] >= start], judged[judged["bin"] < start]
        if len(judged_win) < min_obs or len(judged_rest) < min_obs:  # too few left to judge on: all of them
            judged_win, judged_rest = win, rest
        medians = (float(judged_win["lag_h"].median()), float(judged_rest["lag_h"].median()))
        if not clears_effect(medians[0], medians[1], min_effect_h, effect_factor):
            continue
        p = mwu_greater(judged_win["lag_h"].to_numpy(float), judged_rest["lag_h"].to_numpy(float))
        candidates.append((loc_key, start, win, rest, effect, baseline, p, table, medians))
    if not candidates:
        return []
    q_values = bh(np.array([c[6] for c in candidates]))
    findings = []
    for (loc_key, start, win, rest, effect, baseline, p, table, medians), q in zip(candidates, q_values, strict=True):
        if q > fdr:
            continue
        location = None if loc_key == NO_LOCATION else str(loc_key)
        day_start = float(win["day_start_h"].iloc[0])
        cutoff = (day_start + start * bin_minutes / 60) % 24  # bins count from the working day's start
        end = day_start or 24.0  # the working day's end: midnight, or a night crew's [22:00, 13:00) past it
        names = [str(win["received_activity"].mode().iloc[0]), str(win["response_activity"].mode().iloc[0])]
        share_over = float(win["overnight"].mean())
        summary = _summary(location, cutoff, names[1], effect, baseline, medians, len(win), share_over,
                           day_start=day_start)
        bins = [{"from": clock((day_start + b * bin_minutes / 60) % 24), "orders": int(r.n),
                 "share_overnight": float(r.share), "mean_h": float(r.mean_h)} for b, r in table.iterrows()]
        findings.append(Finding(
            kind=FindingKind.AFTER_HOURS_BACKLOG, activities=names, location=location, weekday=None,
            hours=[float(cutoff), float(end)], cases=int(len(win)), effect_h=effect, baseline_h=baseline,
            stock_impact_qty=None, q_value=float(q),
            evidence=evidence_by_lag(pd.Series(win.index), win["lag_h"], MAX_EVIDENCE),
            summary=summary, case_ids=tuple(str(c) for c in win.index),
            details={"cutoff": clock(cutoff), "day_start": clock(day_start), "share_overnight": share_over,
                     "p": float(p),
                     "response_semantic": orders.attrs.get("response_semantic"), "orders_before": int(len(rest)),
                     "median_h": medians[0], "median_before_h": medians[1],
                     "bin_minutes": bin_minutes, "bins": bins, "timezone": timezone or "UTC"}))
    return findings


def _summary(location: str | None, cutoff: float, response: str, effect: float, baseline: float,
             medians: tuple[float, float], orders: int, share_over: float, *, day_start: float = 0.0) -> str:
    """The finding's sentence: means, and the medians it was judged on; led by the medians when the
    means part by less than half as much (:func:`.common.medians_lead`: a few earlier orders waiting
    over a weekend or a day off). Where the working day starts after midnight (``day_start``, a
    night warehouse's), it says where the window ends.

    >>> for part in _summary("W", 14.0, "Pick", 30.0, 34.0, (20.0, 2.0), 12, 1.0).split("; "):
    ...     print(part)
    At W, orders received after 14:00 wait 20.0 h until 'Pick' in the median case (vs 2.0 h for orders received earlier
    mean 30.0 h vs 34.0 h, the other raised by a few long waits)
    12 orders, 100% of them handled the next day or later.
    >>> _summary("N", 22.0, "Pick", 20.0, 3.0, (19.0, 2.0), 9, 1.0, day_start=13.0).split(" wait")[0]
    'At N, orders received after 22:00 (until 13:00 the next day)'
    >>> _summary("N", 1.0, "Pick", 20.0, 3.0, (19.0, 2.0), 9, 1.0, day_start=13.0).split(" wait")[0]
    'At N, orders received between 01:00 and 13:00'
    """
    where = f"At {location}, orders" if location else "Orders"
    if not day_start:
        window = f"after {clock(cutoff)}"
    elif cutoff < day_start:
        window = f"between {clock(cutoff)} and {clock(day_start)}"
    else:
        window = f"after {clock(cutoff)} (until {clock(day_start)} the next day)"
    after = f"{where} received {window} wait"
    tail = f"{orders:,} orders, {share_over:.0%} of them handled the next day or later."
    if medians_lead(effect, baseline, medians):
        return (f"{after} {fmt_h(medians[0])} h until '{response}' in the median case (vs {fmt_h(medians[1])} h for "
                f"orders received earlier; {means_clause(effect, baseline)}); {tail}")
    return (f"{after} {fmt_h(effect)} h until '{response}' (vs {fmt_h(baseline)} h for orders received earlier; "
            f"median {fmt_h(medians[0])} h vs {fmt_h(medians[1])} h); {tail}")
