"""Approval bottlenecks explained by a resource's weekly absence.

An approval is a request (``credit_hold``, ``po_created``, ``return_requested``) followed in its
case by the first decision (``credit_approved``/``credit_rejected``, ``po_approved``,
``return_approved``); its wait is decision − request, in hours.

*Who decides, and when are they away.* A *decider* makes at least ``min_decider_share`` of a
kind's decisions. From every event of the log (:func:`resource_presence`), a decider is *absent*
on a weekday when it did anything at all on that weekday in at most ``max_presence`` of the
log's weeks while present in at least half of the weeks on its working days — and the process
runs that day (requests of that kind are raised on it in at least half of the weeks), which tells
a personal absence from a weekend. A part-timer, away on most of the days the process is active
(some request raised or decision made in more than ``max_presence`` of the weeks), as a weekend
approver is, is counted away only on days nobody else decides either: its other days off are its
usual week, and whoever decides on them is no absence's stand-in.

*What the absence costs.* A request is *pending on* an absence day when that weekday falls
between its request and its decision (local calendar days, both included: a Monday-afternoon
request decided on Wednesday was pending on Tuesday). Waits of requests pending on the absence
day are tested against the requests pending on no *uncovered* absence day — a weekday on which
nobody decides, as when the only approver is away (one-sided Mann–Whitney, Benjamini–Hochberg
over every approval kind and absence; with two such days, the other day's requests would inflate
the baseline). Waits are compared in the process's own time: the hours of local days on which
nothing of the kind happens (no request raised and no decision made in more than
``max_presence`` of the weeks: a weekend) are not counted, so a Friday request decided on Monday
waited as long as a Tuesday request decided on Wednesday, and an absence next to the weekend (an
approver who never works on Fridays or Mondays) is measured like one mid-week. The minimum
effect is judged on medians (``max(min_effect_h, effect_factor ×`` the others' median``)``), and
for an uncovered absence on means too (either suffices: when the approvals queue anyway, a lost
day shows in the mean before it doubles the median; where another decider stands in, the
stricter median alone); ``effect_h`` and ``baseline_h`` are the means. The finding's ``weekday``
is the absence day (``hours`` ``None``).

Without resources, or for slow weekdays no absence explains, each weekday's requests are tested
against the rest of the week the same way and a significant one is a plain ``bottleneck``
(weekday of the request).

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

from collections.abc import Iterable

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
    return _weekly_share(pd.DataFrame({"who": rows[RESOURCE].astype(str).to_numpy(), "day": day}), day.min(),
                         day.max())


def _weekly_share(seen: pd.DataFrame, first_day: int, last_day: int) -> pd.DataFrame:
    """Per ``who``, the share of weeks (between two day numbers) with a row on each weekday."""
    seen = seen.drop_duplicates()
    seen = seen.assign(weekday=(seen["day"] + 3) % 7)
    worked = seen.groupby(["who", "weekday"]).size().unstack("weekday").reindex(columns=range(7)).fillna(0)
    span = np.arange(first_day, last_day + 1)
    covered = pd.Series((span + 3) % 7).value_counts().reindex(range(7)).fillna(0)
    return worked / covered.where(covered > 0)


def _requests(frame: pd.DataFrame, request: str, decisions: tuple[str, ...], timezone: str | None) -> pd.DataFrame:
    """Per decided request (index = case): request and decision time, decider, wait, local days."""
    asked = first_per_case(frame, [request], columns=["location"])
    decided = frame[frame[SEMANTIC].isin(decisions)][[CASE, TIMESTAMP] + ([RESOURCE] if RESOURCE in frame.columns
                                                                             else [])].copy()
    decided[CASE] = decided[CASE].astype(str)
    merged = decided.merge(asked[["time"]], left_on=CASE, right_index=True)
    merged = merged[merged[TIMESTAMP] >= merged["time"]].sort_values(TIMESTAMP, kind="stable")
    first = merged.drop_duplicates(CASE).set_index(CASE)
    out = asked.join(first.drop(columns="time"), how="inner")
    out["wait_h"] = (out[TIMESTAMP] - out["time"]).dt.total_seconds() / 3600
    out["day"], out["weekday"], hour = local_clock(out["time"], timezone)
    out["start_h"] = out["day"] * 24.0 + hour  # local wall-clock hours since 1970-01-01 00:00
    out["decision_day"], _, hour = local_clock(out[TIMESTAMP], timezone)
    out["end_h"] = out["decision_day"] * 24.0 + hour
    return out


def _hours_since_epoch_on(local_h: np.ndarray, weekdays: Iterable[int]) -> np.ndarray:
    """Hours from 1970-01-01 00:00 (local, a Thursday) to ``local_h`` that fall on ``weekdays``
    (negative before it); the difference of two of them is the hours between on those weekdays."""
    day = np.floor_divide(local_h, 24.0)
    total = np.zeros(len(local_h))
    for d in weekdays:
        first = (d - 3) % 7  # the first day number with weekday d
        total += 24.0 * np.floor_divide(day - first + 6, 7)  # whole such days before ``day``
        total += np.where((day + 3) % 7 == d, local_h - 24.0 * day, 0.0)  # ``day`` itself, if it is one
    return total


def hours_on_weekdays(start_h: np.ndarray, end_h: np.ndarray, weekdays: Iterable[int]) -> np.ndarray:
    """Hours of each span [start_h, end_h] (local hours since 1970-01-01 00:00) that fall on ``weekdays``.

    >>> import numpy as np
    >>> friday_noon = 24.0 * 1 + 12                          # 1970-01-02 was a Friday
    >>> hours_on_weekdays(np.array([friday_noon]), np.array([friday_noon + 72]), [5, 6]).tolist()  # to Monday
    [48.0]
    """
    weekdays = list(weekdays)
    return _hours_since_epoch_on(np.asarray(end_h, float), weekdays) - _hours_since_epoch_on(
        np.asarray(start_h, float), weekdays)


def pending_on(waits: pd.DataFrame, weekday: int) -> np.ndarray:
    """Whether a local day with ``weekday`` falls between each request and its decision (inclusive);
    ``waits`` has the request's local ``day`` and ``weekday`` and the ``decision_day``."""
    first = (weekday - waits["weekday"].to_numpy()) % 7  # days from the request to the first such day
    return first <= (waits["decision_day"] - waits["day"]).to_numpy()


class _Kind:
    """One approval kind's requests and names."""

    def __init__(self, frame: pd.DataFrame, request: str, decisions: tuple[str, ...], waits: pd.DataFrame,
                 max_presence: float = 0.1):
        self.request, self.decisions, self.waits = request, decisions, waits
        names = [activity_name(frame, d) for d in decisions if has_semantics(frame, d)]
        self.names = [activity_name(frame, request), names[0]]
        first, last = int(waits["day"].min()), int(waits["decision_day"].max())
        raised = _weekly_share(pd.DataFrame({"who": "requests", "day": waits["day"].to_numpy()}), first, last)
        decided = _weekly_share(pd.DataFrame({"who": "decisions", "day": waits["decision_day"].to_numpy()}), first,
                                last)
        raised_on, decided_on = raised.loc["requests"], decided.loc["decisions"]
        self.runs = {d for d in range(7) if raised_on.get(d, 0) >= 0.5}  # the process runs that day
        self.undecided = {d for d in range(7) if not decided_on.get(d, 0) > max_presence}  # nobody decides then
        # days on which nothing of this kind happens (a weekend): their hours are not counted in a wait
        self.idle = sorted(d for d in self.undecided if not raised_on.get(d, 0) > max_presence)
        # the wait in the process's time: the hours on days it does not run are not counted
        start, end = waits["start_h"].to_numpy(float), waits["end_h"].to_numpy(float)
        idle_h = hours_on_weekdays(start, end, self.idle)  # in wall-clock hours, as the span itself
        self.working_h = np.maximum(end - start - idle_h, 0.0)


def _absences(kind: _Kind, presence: pd.DataFrame, min_decider_share: float, max_presence: float
              ) -> dict[int, list[str]]:
    """Absence weekday → the deciders away that day (only days the process runs)."""
    shares = kind.waits[RESOURCE].dropna().astype(str).value_counts(normalize=True) \
        if RESOURCE in kind.waits.columns else pd.Series(dtype=float)
    active = set(range(7)) - set(kind.idle)  # days something of the kind happens (raised or decided)
    out: dict[int, list[str]] = {}
    for who, share in shares.items():
        if share < min_decider_share or who not in presence.index:
            continue
        row = presence.loc[who]
        working = row[row > max_presence]
        if not len(working) or working.median() < 0.5:
            continue
        off = {d for d in active if row.get(d, np.nan) <= max_presence}  # the decider's days away
        # a part-timer (away on most of the days the process is active, as a weekend approver is) is away
        # as every week: only a day nobody else decides on counts as its absence
        days = off & kind.runs if len(off) <= len(active) / 2 else off & kind.runs & kind.undecided
        for d in sorted(days):
            out.setdefault(d, []).append(str(who))
    return out


def find_approval_bottlenecks(frame: pd.DataFrame, *, timezone: str | None, min_obs: int = 10, fdr: float = 0.05,
                              min_effect_h: float = 0.5, effect_factor: float = 2.0, min_decider_share: float = 0.2,
                              max_presence: float = 0.1) -> list[Finding]:
    """Absences that make approvals wait, and slow weekdays no absence explains (see the module docstring)."""
    resources_known = RESOURCE in frame.columns and bool(frame[RESOURCE].notna().any())
    presence = resource_presence(frame, timezone=timezone) if resources_known else pd.DataFrame()
    tests = []  # (kind, absence weekday or None, request weekday or None, inside, compared, absent, uncovered)
    for request, decisions in APPROVALS.items():
        if not has_semantics(frame, request) or not any(has_semantics(frame, d) for d in decisions):
            continue
        waits = _requests(frame, request, decisions, timezone)
        if len(waits) < 2:
            continue
        kind = _Kind(frame, request, decisions, waits, max_presence)
        everyone = np.ones(len(waits), dtype=bool)
        absences = _absences(kind, presence, min_decider_share, max_presence) if resources_known else {}
        pending_by_day = {d: pending_on(waits, d) for d in absences}
        explained = np.zeros(len(waits), dtype=bool)
        for pending in pending_by_day.values():
            explained |= pending
        uncovered = kind.undecided & set(absences)  # absences nobody stands in for
        stalled = np.zeros(len(waits), dtype=bool)
        for d in uncovered:
            stalled |= pending_by_day[d]
        for d, absent in sorted(absences.items()):
            # against the requests no uncovered absence touched (another such day would inflate the baseline)
            tests.append((kind, d, None, pending_by_day[d], pending_by_day[d] | ~stalled, absent, d in uncovered))
        for weekday in sorted(set(waits["weekday"])):
            raised = (waits["weekday"] == weekday).to_numpy()
            if raised.sum() and (raised & explained).sum() / raised.sum() >= 0.5:
                continue  # most of that weekday's requests wait over an absence: reported there
            tests.append((kind, None, int(weekday), raised, everyone, [], False))
    results = []
    for kind, absence, weekday, inside, compared, absent, uncovered in tests:
        mine, rest = kind.working_h[inside], kind.working_h[compared & ~inside]
        if len(mine) < min_obs or not len(rest):
            continue
        results.append((kind, absence, weekday, inside, absent, uncovered, mine, rest, mwu_greater(mine, rest)))
    if not results:
        return []
    q_values = bh(np.array([r[-1] for r in results]))
    findings = []
    for (kind, absence, weekday, inside, absent, uncovered, mine, rest, p), q in zip(results, q_values, strict=True):
        if q > fdr:
            continue
        large = clears_effect(np.median(mine), np.median(rest), min_effect_h, effect_factor)
        if uncovered:  # a day nobody decides: its mean may show it where a busy queue hides the median
            large = large or clears_effect(mine.mean(), rest.mean(), min_effect_h, effect_factor)
        if not large:
            continue
        findings.append(_finding(kind, absence, weekday, inside, absent, mine, rest, p, q, presence, timezone,
                                 uncovered))
    return findings


def _finding(kind: _Kind, absence: int | None, weekday: int | None, inside: np.ndarray, absent: list[str],
             mine: np.ndarray, rest: np.ndarray, p: float, q: float, presence: pd.DataFrame,
             timezone: str | None, uncovered: bool = False) -> Finding:
    win = kind.waits[inside]
    effect, baseline = float(mine.mean()), float(rest.mean())
    request, decision = kind.names
    idle = " and ".join(WEEKDAY_PLURAL[d] for d in kind.idle)
    not_counted = f" (not counting {idle}, when no such requests are raised)" if idle else ""
    if absence is not None:
        day = WEEKDAY_PLURAL[absence]
        share = float(kind.waits[RESOURCE].astype(str).isin(absent).mean())
        one = len(absent) == 1
        who = absent[0] if one else ", ".join(absent[:-1]) + " and " + absent[-1]
        summary = (f"'{decision}' waits {fmt_h(effect)} h for cases reaching '{request}' that are pending on "
                   f"{day} (vs {fmt_h(baseline)} h otherwise; median {fmt_h(np.median(mine))} h vs "
                   f"{fmt_h(np.median(rest))} h): {who}, who {'makes' if one else 'make'} {share:.0%} "
                   f"of the decisions, never {'works' if one else 'work'} on {day}"
                   f"{' (nobody decides then)' if uncovered else ''}; "
                   f"{plural(len(win), 'case')}{not_counted}.")
    else:
        summary = (f"Cases reaching '{request}' on {WEEKDAY_PLURAL[weekday]} wait {fmt_h(effect)} h for "
                   f"'{decision}' (vs {fmt_h(baseline)} h on other days; median {fmt_h(np.median(mine))} h vs "
                   f"{fmt_h(np.median(rest))} h); {plural(len(win), 'case')}{not_counted}.")
    location = None
    if "location" in win.columns and win["location"].nunique() == 1:
        location = str(win["location"].iloc[0])
    return Finding(
        kind=FindingKind.APPROVAL_BOTTLENECK if absence is not None else FindingKind.BOTTLENECK,
        activities=[request, decision], location=location, weekday=absence if absence is not None else weekday,
        hours=None, cases=int(len(win)), effect_h=effect, baseline_h=baseline, stock_impact_qty=None, q_value=float(q),
        evidence=evidence_by_lag(pd.Series(win.index), mine, MAX_EVIDENCE), summary=summary,
        case_ids=tuple(str(c) for c in win.index),
        details={"request": kind.request, "decisions": list(kind.decisions), "absent": absent,
                 "presence": {r: [None if pd.isna(v) else float(v) for v in presence.loc[r]]
                              for r in absent if r in presence.index},
                 "median_h": float(np.median(mine)), "median_otherwise_h": float(np.median(rest)),
                 "nobody_decides": bool(uncovered),
                 "not_counted_weekdays": kind.idle,
                 "process_runs_on": sorted(kind.runs), "p": float(p), "timezone": timezone or "UTC"})
