"""Approval bottlenecks explained by a resource's weekly absence.

An approval is a request (``credit_hold``, ``po_created``, ``return_requested``) followed in its
case by the first decision (``credit_approved``/``credit_rejected``, ``po_approved``,
``return_approved``). Its wait (hours) is placed on the local weekday of the request; each
weekday with at least ``min_obs`` requests is tested against the rest of the week (one-sided
Mann–Whitney, Benjamini–Hochberg over every approval kind and weekday). The minimum effect is
judged on medians: the weekday's median wait must be at least ``max(min_effect_h, effect_factor
× the median of the other days)`` — waits include nights and weekends, so a few Friday requests
decided on Monday dominate the means. ``effect_h`` and ``baseline_h`` are still the means.

A significant weekday is an ``approval_bottleneck`` when the decisions are made by resources
(``org:resource``) that are absent that weekday: a *decider* makes at least ``min_decider_share``
of the decisions, and is *absent* on a weekday when it did anything at all (any activity) in at
most ``max_presence`` of the log's weeks on that weekday while present in at least half of the
weeks on its working weekdays. A significant weekday without such an explanation is reported as
a plain ``bottleneck``. ``hours`` is ``None`` (the whole day).

>>> import pandas as pd
>>> rows, t0 = [], pd.Timestamp("2025-01-06 09:00", tz="UTC")
>>> for week in range(6):
...     for day in range(5):
...         for k in range(4):
...             t = t0 + pd.Timedelta(days=7 * week + day, hours=2 * k)
...             wait = 24.0 + k if day == 1 else 1.0 + 0.1 * k   # Tuesday holds wait for Wednesday
...             rows += [(f"S{week}{day}{k}", "Hold", "credit_hold", t, "system"),
...                      (f"S{week}{day}{k}", "Approve", "credit_approved", t + pd.Timedelta(hours=wait), "Chen")]
>>> frame = pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "semantic", "time:timestamp",
...                                      "org:resource"])
>>> [(f.kind.value, f.weekday, f.details["absent"]) for f in find_approval_bottlenecks(frame, timezone="UTC")]
[('approval_bottleneck', 1, ['Chen'])]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..eventlog.schema import CASE, RESOURCE, SEMANTIC, TIMESTAMP
from .common import (
    WEEKDAY_PLURAL,
    activity_name,
    bh,
    clears_effect,
    evidence_by_lag,
    first_per_case,
    fmt_h,
    has_semantics,
    local_clock,
    mwu_greater,
    plural,
)
from .findings import MAX_EVIDENCE, Finding, FindingKind

APPROVALS = {  # request semantic: decision semantics
    "credit_hold": ("credit_approved", "credit_rejected"),
    "po_created": ("po_approved",),
    "return_requested": ("return_approved",),
}
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def resource_presence(frame: pd.DataFrame, *, timezone: str | None) -> pd.DataFrame:
    """Share of the log's weeks in which each resource did anything, per local weekday.

    Rows: resources; columns: 0–6 (Mon = 0). A week counts for a weekday when the log covers that
    date (between its first and last event).

    >>> from jxcsim.kpi.example import example_log
    >>> resource_presence(example_log(), timezone="Asia/Shanghai").shape[1]
    7
    """
    if RESOURCE not in frame.columns or frame.empty:
        return pd.DataFrame(columns=range(7))
    rows = frame[[RESOURCE, TIMESTAMP]].dropna()
    day, _, _ = local_clock(rows[TIMESTAMP], timezone)
    seen = pd.DataFrame({"resource": rows[RESOURCE].astype(str).to_numpy(), "day": day}).drop_duplicates()
    seen["weekday"] = (seen["day"] + 3) % 7
    worked = seen.groupby(["resource", "weekday"]).size().unstack("weekday").reindex(columns=range(7)).fillna(0)
    span = np.arange(day.min(), day.max() + 1)
    covered = pd.Series((span + 3) % 7).value_counts().reindex(range(7)).fillna(0)
    return worked / covered.where(covered > 0)


def _absent(presence: pd.DataFrame, resources: list[str], weekday: int, max_presence: float) -> list[str]:
    out = []
    for resource in resources:
        if resource not in presence.index:
            continue
        row = presence.loc[resource]
        working = row[row > max_presence]
        if row.get(weekday, np.nan) <= max_presence and len(working) and working.median() >= 0.5:
            out.append(resource)
    return out


def _requests(frame: pd.DataFrame, request: str, decisions: tuple[str, ...], timezone: str | None) -> pd.DataFrame:
    asked = first_per_case(frame, [request], columns=["location"])
    decided = frame[frame[SEMANTIC].isin(decisions)][[CASE, TIMESTAMP] + ([RESOURCE] if RESOURCE in frame.columns
                                                                             else [])].copy()
    decided[CASE] = decided[CASE].astype(str)
    merged = decided.merge(asked[["time"]], left_on=CASE, right_index=True)
    merged = merged[merged[TIMESTAMP] >= merged["time"]].sort_values(TIMESTAMP, kind="stable")
    first = merged.drop_duplicates(CASE).set_index(CASE)
    out = asked.join(first.drop(columns="time"), how="inner")
    out["wait_h"] = (out[TIMESTAMP] - out["time"]).dt.total_seconds() / 3600
    out["weekday"] = local_clock(out["time"], timezone)[1]
    return out


def find_approval_bottlenecks(frame: pd.DataFrame, *, timezone: str | None, min_obs: int = 10, fdr: float = 0.05,
                              min_effect_h: float = 0.5, effect_factor: float = 2.0, min_decider_share: float = 0.2,
                              max_presence: float = 0.1) -> list[Finding]:
    """Weekdays whose requests wait significantly longer for a decision (see the module docstring)."""
    resources_known = RESOURCE in frame.columns and bool(frame[RESOURCE].notna().any())
    tests = []
    for request, decisions in APPROVALS.items():
        if not has_semantics(frame, request) or not any(has_semantics(frame, d) for d in decisions):
            continue
        waits = _requests(frame, request, decisions, timezone)
        if len(waits) < 2:
            continue
        counts = waits["weekday"].value_counts()
        for weekday, n in counts.items():
            inside = waits["weekday"] == weekday
            if n < min_obs or inside.all():
                continue
            mine, rest = waits.loc[inside, "wait_h"], waits.loc[~inside, "wait_h"]
            p = mwu_greater(mine.to_numpy(float), rest.to_numpy(float))
            tests.append((request, decisions, int(weekday), waits, float(mine.mean()), float(rest.mean()),
                          float(mine.median()), float(rest.median()), p))
    if not tests:
        return []
    q_values = bh(np.array([t[-1] for t in tests]))
    presence = resource_presence(frame, timezone=timezone) if resources_known else pd.DataFrame()
    findings = []
    for (request, decisions, weekday, waits, effect, baseline, median, median_rest, p), q in zip(tests, q_values):
        if q > fdr or not clears_effect(median, median_rest, min_effect_h, effect_factor):
            continue
        win = waits[waits["weekday"] == weekday]
        deciders: list[str] = []
        if resources_known and RESOURCE in waits.columns:
            shares = waits[RESOURCE].dropna().astype(str).value_counts(normalize=True)
            deciders = [str(r) for r, s in shares.items() if s >= min_decider_share]
        absent = _absent(presence, deciders, weekday, max_presence) if len(presence) else []
        decision_names = [activity_name(frame, d) for d in decisions if has_semantics(frame, d)]
        names = [activity_name(frame, request), decision_names[0]]
        day = WEEKDAY_PLURAL[weekday]
        text = (f"Cases reaching '{names[0]}' on {day} wait {fmt_h(effect)} h for '{names[1]}' "
                f"(vs {fmt_h(baseline)} h on other days); {plural(len(win), 'case')}")
        if absent:
            who = ", ".join(absent)
            share = float(waits[RESOURCE].astype(str).isin(absent).mean())
            text += f": {who}, who {'makes' if len(absent) == 1 else 'make'} {share:.0%} of the decisions, never works on {day}."
        else:
            text += "."
        location = None
        if "location" in win.columns and win["location"].nunique() == 1:
            location = str(win["location"].iloc[0])
        findings.append(Finding(
            kind=FindingKind.APPROVAL_BOTTLENECK if absent else FindingKind.BOTTLENECK,
            activities=names, location=location, weekday=weekday, hours=None, cases=int(len(win)), effect_h=effect,
            baseline_h=baseline, stock_impact_qty=None, q_value=float(q),
            evidence=evidence_by_lag(pd.Series(win.index), win["wait_h"], MAX_EVIDENCE), summary=text,
            case_ids=tuple(str(c) for c in win.index),
            details={"request": request, "decisions": list(decisions), "absent": absent, "deciders": deciders,
                     "presence": {r: [None if pd.isna(v) else float(v) for v in presence.loc[r]]
                                  for r in deciders if r in presence.index},
                     "median_h": median, "median_other_days_h": median_rest, "p": float(p),
                     "timezone": timezone or "UTC"}))
    return findings
