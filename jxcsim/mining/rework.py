"""Rework loops: an activity done again after other work in the same case.

Events are ordered by time within their case — within case × ``line`` when the log has lines
(events without a line form the case's own sequence), so the lines of one order picked one after
the other are not rework. An occurrence is *rework* when the same activity happened before in
that sequence with at least one other activity in between (``A → B → A``; a plain ``A → A``
repeat is not a loop), and not for another delivery when the log names deliveries (a backordered
line shipped later is picked and delivered again, in a shipment of its own). One finding per activity whose rework touches at least ``min_cases``
cases and ``min_share`` of the cases doing that activity. ``activities`` is ``[B, A]``: the
activity most often just before the repeat, then the repeated one. ``effect_h`` is the mean
duration (first to last event) of the cases with the loop, ``baseline_h`` that of the other
cases doing the activity; the comparison is descriptive (``q_value`` is ``None``). One loop
repeats all its activities (``A → B → A → B``): findings whose cases overlap by at least
``same_loop`` (Jaccard) are one loop, reported once with the other repeated activities in
``details["also_repeated"]``.

>>> import pandas as pd
>>> rows, t0 = [], pd.Timestamp("2025-01-06 09:00", tz="UTC")
>>> for i in range(40):
...     steps = ["Check", "Fix", "Check", "Ship"] if i % 4 == 0 else ["Check", "Ship"]
...     rows += [(f"C{i}", a, t0 + pd.Timedelta(hours=i + 2 * k)) for k, a in enumerate(steps)]
>>> frame = pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp"])
>>> [(f.activities, f.cases, f.effect_h, f.baseline_h) for f in find_rework(frame)]
[(['Fix', 'Check'], 10, 6.0, 2.0)]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..eventlog.schema import ACTIVITY, CASE, TIMESTAMP
from .common import fmt_h, plural
from .findings import MAX_EVIDENCE, Finding, FindingKind


def rework_occurrences(frame: pd.DataFrame) -> pd.DataFrame:
    """Every rework occurrence: case, activity, the activity just before it, time, and how many
    events lay between it and the previous occurrence."""
    cols = [CASE, ACTIVITY, TIMESTAMP] + [c for c in ("line", "delivery") if c in frame.columns]
    rows = frame[cols].dropna(subset=[TIMESTAMP]).copy()
    rows["_case"] = rows[CASE].astype(str)
    group_keys = ["_case"]
    if "line" in rows.columns:
        rows["_line"] = rows["line"].astype(str).where(rows["line"].notna(), "")
        group_keys.append("_line")
    rows = rows.sort_values(group_keys + [TIMESTAMP], kind="stable")
    rows["_seq"] = rows.groupby(group_keys, sort=False).ngroup()
    rows["_pos"] = np.arange(len(rows))
    rows["_prev_act"] = rows.groupby("_seq", sort=False)[ACTIVITY].shift()
    same = ["_seq", ACTIVITY]
    if "delivery" in rows.columns:  # the same step for the next shipment of the order is no rework
        rows["_delivery"] = rows["delivery"].astype(str).where(rows["delivery"].notna(), "")
        same.append("_delivery")
    previous = rows.groupby(same, sort=False, observed=True)["_pos"].shift()
    between = rows["_pos"] - previous - 1
    loop = rows[between.fillna(-1) >= 1]
    return pd.DataFrame({"case": loop["_case"].to_numpy(), "activity": loop[ACTIVITY].astype(str).to_numpy(),
                         "before": loop["_prev_act"].astype(str).to_numpy(), "time": loop[TIMESTAMP].to_numpy(),
                         "between": between[loop.index].astype(int).to_numpy()})


def find_rework(frame: pd.DataFrame, *, min_cases: int = 10, min_share: float = 0.05,
                same_loop: float = 0.8) -> list[Finding]:
    """One ``rework`` finding per activity that loops back often enough (see the module docstring)."""
    if frame.empty:
        return []
    loops = rework_occurrences(frame)
    if loops.empty:
        return []
    cases = frame[CASE].astype(str)
    span = frame.groupby(cases, sort=False)[TIMESTAMP].agg(["min", "max"])
    duration_h = (span["max"] - span["min"]).dt.total_seconds() / 3600
    doing = pd.DataFrame({"case": cases.to_numpy(), "activity": frame[ACTIVITY].astype(str).to_numpy()}).drop_duplicates()
    with_activity = doing.groupby("activity")["case"].nunique()
    findings = []
    for activity, occ in loops.groupby("activity", sort=True):
        looping = pd.unique(occ["case"])
        total = int(with_activity.get(activity, 0))
        if len(looping) < min_cases or total == 0 or len(looping) / total < min_share:
            continue
        others = doing.loc[(doing["activity"] == activity) & ~doing["case"].isin(looping), "case"]
        effect = float(duration_h.reindex(looping).mean())
        baseline = float(duration_h.reindex(others).mean()) if len(others) else float("nan")
        before = str(occ["before"].mode().iloc[0])
        repeats = occ.groupby("case").size().sort_values(ascending=False, kind="stable")
        share = len(looping) / total
        vs = f" vs {fmt_h(baseline)} h without" if len(others) else ""
        findings.append(Finding(
            kind=FindingKind.REWORK, activities=[before, activity], location=None, weekday=None, hours=None,
            cases=int(len(looping)), effect_h=effect, baseline_h=baseline, stock_impact_qty=None, q_value=None,
            evidence=[str(c) for c in repeats.index[:MAX_EVIDENCE]],
            summary=(f"'{activity}' is done again after '{before}' in {plural(len(looping), 'case')} "
                     f"({share:.0%} of the cases doing it); those cases take {fmt_h(effect)} h{vs}."),
            case_ids=tuple(str(c) for c in looping),
            details={"repeats": int(len(occ)), "share_of_cases": share, "cases_with_activity": total,
                     "returns_from": {str(k): int(v) for k, v in occ["before"].value_counts().head(5).items()},
                     "also_repeated": []}))
    return _one_per_loop(findings, same_loop)


def _one_per_loop(findings: list[Finding], same_loop: float) -> list[Finding]:
    kept: list[tuple[Finding, set[str]]] = []
    for f in sorted(findings, key=lambda f: -f.cases):
        cases = set(f.case_ids)
        twin = next((k for k, kc in kept if len(cases & kc) / len(cases | kc) >= same_loop), None)
        if twin is None:
            kept.append((f, cases))
        else:
            twin.details["also_repeated"].append(f.activities[1])
    return [f for f, _ in kept]
