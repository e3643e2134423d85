"""Never-posted movements: goods that moved and were not posted by the end of the log.

A movement still unposted near the end of the log may just be pending; it counts only when its
location went on posting for a grace period after it: its age is measured to the last posting
of any kind at that location (the log's end without a location), so a Friday-evening load at a
warehouse whose clerks are gone until Monday is not lost in a log that ends on Sunday. ``grace_h`` fixes it; by default it is the larger of
24 h, the 99th percentile of the posting delays of that kind of movement, and the longest delay
seen for movements of that kind at the same location on the same local weekday (when there are
at least 3): where receipts of a Friday are posted on Monday, a Friday receipt still unposted on
Sunday night is pending, not lost. A finding's ``effect_h`` is its smallest grace period (the lag
is at least that long); the grace of each movement and the mean time the movements stayed
unposted are in ``details``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..eventlog.schema import CASE, SEMANTIC
from ..eventlog.timezone import local_times
from ..kpi.common import KpiUnavailable
from ..kpi.posting import PostedMovement, last_posting, match_postings, pending_grace
from .common import activity_name, plural
from .findings import MAX_EVIDENCE, Finding, FindingKind


def find_unposted(frame: pd.DataFrame, *, timezone: str | None, grace_h: float | None = None) -> list[Finding]:
    """One finding per movement kind and location with movements never posted.

    >>> from jxcsim.kpi.example import example_log
    >>> [f.summary for f in find_unposted(example_log(), timezone="Asia/Shanghai", grace_h=1)][:1]  # doctest: +ELLIPSIS
    ['1 goods issue movement... was never posted...']
    """
    if SEMANTIC not in frame.columns or frame.empty:
        return []
    posted_until = last_posting(frame)
    findings: list[Finding] = []
    for movement in (PostedMovement.ISSUE, PostedMovement.RECEIPT, PostedMovement.TRANSFER_OUT,
                     PostedMovement.TRANSFER_IN, PostedMovement.RETURN_IN):
        try:
            pairs = match_postings(frame, movement)
        except KpiUnavailable:
            continue
        moved = pairs[pairs["physical_time"].notna()]
        if moved.empty:
            continue
        grace_of = pending_grace(moved, timezone) if grace_h is None else pd.Series(float(grace_h), index=moved.index)
        age_h = (posted_until(moved) - moved["physical_time"]).dt.total_seconds() / 3600
        never = moved[moved["book_time"].isna() & (age_h >= grace_of)]
        if never.empty:
            continue
        names = [activity_name(frame, movement.physical.value), activity_name(frame, movement.book.value)]
        groups = never.groupby("location", dropna=False) if "location" in never.columns else [(None, never)]
        for location, rows in groups:
            location = None if location is None or pd.isna(location) else str(location)
            qty = float(rows["physical_qty"].sum()) if "physical_qty" in rows.columns else None
            local = local_times(rows["physical_time"], timezone)
            listing = pd.DataFrame({"case": rows[CASE].astype(str), "sku": rows["sku"].astype(str),
                                    "qty": rows["physical_qty"] if "physical_qty" in rows.columns else np.nan,
                                    "moved_at": local.dt.strftime("%Y-%m-%d %H:%M")})
            what = "goods issue" if movement is PostedMovement.ISSUE else movement.name.lower().replace("_", " ")
            where = f" at {location}" if location else ""
            qty_text = f" ({qty:,.0f} units)" if qty is not None else ""
            grace = float(grace_of[rows.index].min())
            cases = int(rows[CASE].nunique())
            in_cases = f" in {plural(cases, 'case')}" if cases != len(rows) else ""  # lines of fewer orders
            listing["unposted_h"] = age_h[rows.index].round(1).to_numpy()  # to the location's last posting
            listing["grace_h"] = grace_of[rows.index].round(1).to_numpy()
            findings.append(Finding(
                kind=FindingKind.UNPOSTED_MOVEMENT, activities=names, location=location, weekday=None, hours=None,
                cases=cases, effect_h=grace, baseline_h=0.0,
                stock_impact_qty=qty, q_value=None, evidence=list(rows[CASE].astype(str).unique()[:MAX_EVIDENCE]),
                summary=f"{plural(len(rows), what + ' movement')}{in_cases}{where}{qty_text} "
                        f"{'was' if len(rows) == 1 else 'were'} never posted (still unposted {grace:.0f} h or more "
                        "after the goods moved).",
                details={"movement": movement.name.lower(), "grace_h": grace,
                         "mean_hours_unposted": float(age_h[rows.index].mean()),
                         "movements": listing.head(200).to_dict("records")}))
    return findings
