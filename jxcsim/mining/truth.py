"""Score findings against planted truth (``truth/planted.json`` of a simulated world): recall and false alarms.

A planted habit is *found* when a finding of its kind matches it (:func:`matches`): the same
location (when the truth names locations), a weekday among the truth's (a finding with
``weekday`` ``None`` — windows merged over several weekdays, listed in its ``details["weekdays"]``,
or every day — matches a truth covering those weekdays), and hour bounds within ``tolerance_h``
(1 h; any hours when the truth covers the whole day: a day's loads can split into windows where
the first hour's goods were picked the evening before; with a log, each bound may instead be
near that of the hours in which goods actually moved within the habit's window, and a finding
for the whole weekday — the diagnosis's day-level test — matches a habit whose hours hold at
more than ``DAY_SHARE`` (half) of that weekday's cases: the day-level test compares the day's
median lag, which only such a habit can move). The world
decides a posting as the goods move, so a habit's hours are those of the movements in the log.
An ``after_hours_backlog`` truth naming several locations needs a finding at each; a posting
habit with ``p_never > 0`` also expects an ``unposted_movement`` finding at each of its
locations — when a log is given, only where the world actually left a movement unposted for at
least ``realized_age_h`` (48 h) before the location's last posting (a small never-posted share
can leave none in a short run). With a log, a posting habit is expected at a location only when at least
``min_cases`` (4, the fewest cases any test of the diagnosis takes) cases moved there within its
weekdays and hours: a habit whose window saw almost no movements (a Saturday habit where nobody
unloads on Saturdays) is listed as ``unobservable``, not missed; so is an approver's absence
when fewer than ``min_obs`` (the diagnosis's setting, the fewest requests the approval analysis
tests an absence on) held orders were pending on its days (a firm whose orders seldom reach the
credit threshold), and an order cut-off at a location where fewer than ``min_cases`` orders came
after it or the warehouse answered less than ``SAME_DAY_SHARE`` (half) of the
earlier orders on their day (a warehouse that cannot keep up shows no cut-off: the backlog is judged
on medians, and the earlier orders' median wait is then overnight too). Where held orders meet a
cut-off of their own (``held: true``), that one is expected at a location where at least
``BACKLOG_SHARE`` (the backlog analysis's ``min_share``, 80 %) of the answered orders were held, as
only then do the bins between the two cut-offs wait overnight in the share the analysis asks; the
other is then optional, and the held one is optional elsewhere (:func:`held_share`). A truth marked ``optional`` (an
approver's absence on days another approver covers: a bottleneck only if the others cannot keep
up; hours in which drivers load and no clerk is on shift) is neither expected nor a false alarm
when found, and any window within its hours matches it (a window merged over several weekdays
when each of its weekdays matches one: :func:`covered_by_optional`). A *false alarm* is a finding of a kind that
has a truth in this scheme (posting kinds, backlogs, approvals) that matches no planted habit;
``bottleneck`` and ``rework`` findings have no planted counterpart and are only counted.

>>> from jxcsim.mining.findings import Finding, FindingKind
>>> truth = [{"name": "wed", "kind": "physical_before_book", "locations": ["A"], "weekdays": [2],
...           "hours": [13.0, 18.0], "p_never": 0.0}]
>>> f = Finding(FindingKind.PHYSICAL_BEFORE_BOOK, ["Load", "Post"], "A", 2, [14.0, 18.0], 40, 3.0, 0.1, None,
...             1e-9, [], "")
>>> score = score_findings([f], truth)
>>> score["recall"], score["false_alarms"]
(1.0, 0)
>>> weekdays = {**truth[0], "weekdays": [0, 1, 2, 3, 4]}      # a habit on every working day
>>> daily = Finding(FindingKind.PHYSICAL_BEFORE_BOOK, ["Load", "Post"], "A", None, [13.0, 18.0], 200, 3.0, 0.1,
...                 None, 1e-9, [], "", details={"weekdays": [0, 1, 2, 3, 4]})
>>> matches(daily, weekdays), matches(daily, truth[0])
(True, False)
>>> morning = Finding(FindingKind.PHYSICAL_BEFORE_BOOK, ["Load", "Post"], "A", 6, [6.0, 7.0], 80, 12.0, 0.1, None,
...                   1e-9, [], "")
>>> sunday = {**truth[0], "weekdays": [6]}
>>> matches(morning, {**sunday, "hours": [0.0, 24.0]}), matches(morning, sunday)
(True, False)
>>> late = Finding(FindingKind.PHYSICAL_BEFORE_BOOK, ["Load", "Post"], "A", 2, [13.0, 20.5], 40, 3.0, 0.1, None,
...                1e-9, [], "")
>>> matches(late, truth[0])                                   # ends 2.5 h after the planted 18:00
False
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..eventlog.schema import CASE, SEMANTIC, TIMESTAMP
from ..kpi.common import KpiUnavailable, local, time_of_day_h
from ..kpi.posting import PostedMovement, last_posting, match_postings
from ..kpi.shared import sharing
from .approval import pending_on
from .backlog import find_after_hours_backlog, order_responses
from .common import local_clock
from .diagnose import DiagnosisSettings
from .findings import Finding, FindingKind

MIN_CASES = 4  # cases moved in a habit's window for it to be expected: the fewest any test of the
#               diagnosis takes (conditioned_lags' day-level pass, max(4, min_obs // 3))
SPAN_SHARE = 0.05  # an hour holding less of a habit window's movements does not widen the hours they span
DAY_SHARE = 0.5  # a day-level finding matches a habit whose hours hold more than this share of the day's cases
BACKLOG_SHARE = inspect.signature(find_after_hours_backlog).parameters["min_share"].default  # overnight in a bin
APART_H = 2  # an edge hour of a habit's movements more than this from the next (2 empty hours) is apart
SAME_DAY_SHARE = 0.5  # a cut-off shows only where the warehouse answers at least this share of earlier orders
#                      the same day (the backlog compares medians: below half, the earlier median is overnight too)
#                       that day (the diagnosis needs earlier orders that mostly do not wait overnight)
SCORED_KINDS = frozenset({FindingKind.PHYSICAL_BEFORE_BOOK, FindingKind.LATE_POSTING, FindingKind.UNPOSTED_MOVEMENT,
                          FindingKind.AFTER_HOURS_BACKLOG, FindingKind.APPROVAL_BOTTLENECK})


def never_posted_locations(frame: pd.DataFrame, movement: str, *, min_age_h: float = 48.0) -> set[str | None]:
    """Locations with a ``movement`` ("issue", "receipt") never posted and at least ``min_age_h`` old at the
    location's last posting (as :mod:`.unposted` measures it)."""
    try:
        pairs = match_postings(frame, PostedMovement[movement.upper()])
    except KpiUnavailable:
        return set()
    age_h = (last_posting(frame)(pairs) - pairs["physical_time"]).dt.total_seconds() / 3600
    never = pairs[pairs["physical_time"].notna() & pairs["book_time"].isna() & (age_h >= min_age_h)]
    return set(never["location"]) if "location" in never.columns else ({None} if len(never) else set())


def habit_window(frame: pd.DataFrame, habit: dict[str, Any], location: str | None, *,
                 timezone: str | None) -> tuple[int, list[float] | None, dict[int, float]]:
    """What the log shows of a posting habit's window: how many cases had goods moved (the habit's
    movement, at ``location`` when given) on its weekdays within its hours, in the log's local
    time, and posted in the log — how many lags the habit could lengthen —; the whole hours those
    movements spanned (from the first to the last hour holding at least ``SPAN_SHARE``, 5 %, of
    them, leaving out an edge hour of fewer than ``MIN_CASES`` apart from the rest by two hours or
    more without any; ``None`` without any); and per weekday of the habit, the share of that day's cases that
    moved within the hours (weekdays without any left out).

    >>> import pandas as pd
    >>> log = pd.DataFrame({"case:concept:name": ["S1", "S1", "S2", "S1", "S2"],
    ...                     "semantic": ["physical_issue"] * 3 + ["book_issue"] * 2, "location": ["A"] * 5,
    ...                     "time:timestamp": pd.to_datetime(["2025-01-08 06:00", "2025-01-08 06:30",
    ...                                                        "2025-01-08 12:00", "2025-01-08 09:00",
    ...                                                        "2025-01-08 15:00"], utc=True)})
    >>> habit = {"movement": "issue", "weekdays": [2], "hours": [13.0, 18.0]}   # Wednesday 13-18 in Shanghai
    >>> habit_window(log, habit, "A", timezone="Asia/Shanghai")               # 14:00-14:30 local; S2 at 20:00
    (1, [14.0, 15.0], {2: 0.5})
    """
    kind = PostedMovement[habit.get("movement", "issue").upper()]
    semantic = frame[SEMANTIC].astype(str) if SEMANTIC in frame.columns else pd.Series("", index=frame.index)
    posted = set(frame.loc[(semantic == kind.book.value).to_numpy(), CASE])  # a lag needs the posting in the log
    moved = frame[(semantic == kind.physical.value).to_numpy() & frame[CASE].isin(posted).to_numpy()]
    if location is not None and "location" in moved.columns:
        moved = moved[moved["location"] == location]
    if moved.empty:
        return 0, None, {}
    when = local(moved[TIMESTAMP], timezone)
    hours = time_of_day_h(when)
    low, high = habit.get("hours") or (0.0, 24.0)
    weekday = when.dt.weekday.to_numpy()
    inside_hours = ((hours >= low) & (hours < high)).to_numpy()
    case = moved[CASE].to_numpy()
    shares = {}  # per weekday of the habit: the share of that day's cases moved within the hours
    for day in habit.get("weekdays") or range(7):
        on_day = weekday == day
        if on_day.any():
            shares[int(day)] = len(set(case[on_day & inside_hours])) / len(set(case[on_day]))
    inside = np.isin(weekday, list(habit.get("weekdays") or range(7))) & inside_hours
    if not inside.any():
        return 0, None, shares
    per_hour = when.dt.hour[inside].value_counts()
    busy = sorted(int(h) for h in per_hour.index[per_hour >= SPAN_SHARE * per_hour.sum()])  # stragglers do not
    # stretch the span, nor do a few movements at its edge apart from the rest (two early loads, then hours of none)
    while len(busy) > 1 and busy[1] - busy[0] > APART_H and per_hour[busy[0]] < MIN_CASES:
        busy.pop(0)
    while len(busy) > 1 and busy[-1] - busy[-2] > APART_H and per_hour[busy[-1]] < MIN_CASES:
        busy.pop()
    return int(len(set(case[inside]))), [float(busy[0]), float(busy[-1] + 1)], shares


def _answered_at(frame: pd.DataFrame, location: str | None, timezone: str | None) -> pd.DataFrame | None:
    """The answered orders (:func:`.backlog.order_responses`) received at ``location`` (all of them in a
    log without locations); None without any answered order."""
    orders = order_responses(frame, timezone=timezone)
    if orders is not None and location is not None and orders["location"].notna().any():
        orders = orders[orders["location"] == location]
    return orders


def backlog_cases(frame: pd.DataFrame, location: str | None, cutoff: float, *,
                  timezone: str | None) -> tuple[int, float | None, int]:
    """What the log shows of an order cut-off at ``location``: the orders received after ``cutoff``
    (local hour) that the warehouse answered, the share of those received before it answered on the
    same working day (None without any; a night warehouse's day: :func:`.backlog.order_responses`) — a
    warehouse that cannot keep up answers even the morning's orders the next day, and then no cut-off
    is visible —, and the most orders received in one half hour after it (the backlog analysis tests
    half hours of ``min_obs`` orders or more).

    >>> import pandas as pd
    >>> log = pd.DataFrame({"case:concept:name": ["A", "A", "B", "B"], "location": ["W"] * 4,
    ...                     "concept:name": ["In", "Pick"] * 2, "semantic": ["order_received", "pick"] * 2,
    ...                     "time:timestamp": pd.to_datetime(["2025-01-06 09:00", "2025-01-06 10:00",
    ...                                                        "2025-01-06 19:00", "2025-01-07 08:00"], utc=True)})
    >>> backlog_cases(log, "W", 17.0, timezone="UTC")
    (1, 1.0, 1)
    """
    orders = _answered_at(frame, location, timezone)
    if orders is None:
        return 0, None, 0
    before = orders["day_h"] < (cutoff - orders["day_start_h"]) % 24  # into the warehouse's working day
    same_day = float(1.0 - orders.loc[before, "overnight"].mean()) if before.any() else None
    half_hours = (orders.loc[~before, "day_h"] * 2).astype(int).value_counts()
    return int((~before).sum()), same_day, int(half_hours.max()) if len(half_hours) else 0


def held_share(frame: pd.DataFrame, location: str | None, *, timezone: str | None) -> float | None:
    """The share of the orders answered at ``location`` (as :func:`backlog_cases` counts them) that
    were held at the credit check (None without any answered order).

    >>> import pandas as pd
    >>> log = pd.DataFrame({"case:concept:name": ["A", "A", "A", "B", "B"], "location": ["W"] * 5,
    ...                     "concept:name": ["In", "Hold", "Pick", "In", "Pick"],
    ...                     "semantic": ["order_received", "credit_hold", "pick", "order_received", "pick"],
    ...                     "time:timestamp": pd.to_datetime(["2025-01-06 09:00", "2025-01-06 09:10",
    ...                                                        "2025-01-06 12:00", "2025-01-06 10:00",
    ...                                                        "2025-01-06 11:00"], utc=True)})
    >>> held_share(log, "W", timezone="UTC")
    0.5
    """
    orders = _answered_at(frame, location, timezone)
    if orders is None or orders.empty:
        return None
    held = frame.loc[(frame[SEMANTIC].astype(str) == "credit_hold").to_numpy(), CASE].astype(str).unique()
    return float(orders.index.astype(str).isin(held).mean())


def approval_cases(frame: pd.DataFrame, weekdays: Iterable[int], *, timezone: str | None) -> int:
    """Held orders pending (held, not yet decided; undecided ones to the log's end) on some local day
    that falls on one of ``weekdays``: how many an approver's absence on those days could hold up.

    >>> import pandas as pd
    >>> log = pd.DataFrame({"case:concept:name": ["S1", "S1", "S2", "S2"],
    ...                     "semantic": ["credit_hold", "credit_approved", "credit_hold", "credit_approved"],
    ...                     "time:timestamp": pd.to_datetime(["2025-01-06 10:00", "2025-01-08 09:00",
    ...                                                        "2025-01-09 10:00", "2025-01-09 12:00"], utc=True)})
    >>> approval_cases(log, [1], timezone="UTC"), approval_cases(log, [3], timezone="UTC")  # Mon-Wed; Thu
    (1, 1)
    """
    if SEMANTIC not in frame.columns:
        return 0
    semantic = frame[SEMANTIC].astype(str)
    held = frame[(semantic == "credit_hold").to_numpy()].groupby(CASE)[TIMESTAMP].min()
    if held.empty:
        return 0
    decided = frame[semantic.isin(["credit_approved", "credit_rejected"]).to_numpy()].groupby(CASE)[TIMESTAMP].min()
    until = decided.reindex(held.index).fillna(frame[TIMESTAMP].max())
    day, weekday, _ = local_clock(held, timezone)
    waits = pd.DataFrame({"day": day, "weekday": weekday, "decision_day": local_clock(until, timezone)[0]})
    pending = np.zeros(len(held), dtype=bool)
    for d in set(weekdays):
        pending |= pending_on(waits, d)  # as the approval analysis counts a request pending on a day
    return int(pending.sum())


def expectations(planted: Iterable[dict[str, Any]], frame: pd.DataFrame | None = None, *,
                 timezone: str | None = None, realized_age_h: float = 48.0,
                 min_cases: int = MIN_CASES, min_obs: int = DiagnosisSettings.min_obs) -> list[dict[str, Any]]:
    """One expectation per (habit, location) a finding must match; never-posted shares add their own.

    With ``frame`` (the log, local time in ``timezone``), a posting habit at a location carries the
    ``"cases"`` moved in its window, the ``"moved_hours"`` they spanned and their ``"day_share"``
    of the weekdays' cases (:func:`habit_window`);
    with fewer than ``min_cases`` cases it comes out ``"unobservable": True``; an order cut-off is
    unobservable unless some half hour after it holds ``min_obs`` orders (the diagnosis's setting:
    sparser half hours are bridged, never tested); a never-posted expectation is made only where a
    movement was left unposted.
    """
    if frame is not None:
        with sharing(frame):  # the truths ask the same of the log (order responses, postings)
            return _expectations(list(planted), frame, timezone, realized_age_h, min_cases, min_obs)
    return _expectations(list(planted), frame, timezone, realized_age_h, min_cases, min_obs)


def _expectations(planted: list[dict[str, Any]], frame: pd.DataFrame | None, timezone: str | None,
                  realized_age_h: float, min_cases: int, min_obs: int) -> list[dict[str, Any]]:
    # locations where held orders meet a cut-off of their own (the other one is then optional there)
    held_apart = {loc for h in planted if h["kind"] == "after_hours_backlog" and h.get("held")
                  for loc in h.get("locations") or [None]}
    out = []
    for habit in planted:
        locations = habit.get("locations") or [None]
        per_location = habit["kind"] in ("after_hours_backlog", "physical_before_book", "late_posting")
        posting = habit["kind"] in ("physical_before_book", "late_posting")
        for location in (locations if per_location else [None]):
            expected = {**habit, "location": location}
            if habit["kind"] == "after_hours_backlog" and "held" in habit and frame is not None:
                # the held orders' cut-off is expected where they are the share of orders the backlog
                # analysis needs waiting overnight in a bin; else the other, and the held one is optional
                if habit["held"] or location in held_apart:
                    mostly_held = (held_share(frame, location, timezone=timezone) or 0.0) >= BACKLOG_SHARE
                    expected["optional"] = habit["held"] != mostly_held
            if habit["kind"] == "after_hours_backlog" and frame is not None:
                expected["cases"], expected["same_day_share"], busiest = backlog_cases(
                    frame, location, float(habit["hours"][0]), timezone=timezone)
                if busiest < min_obs or (expected["same_day_share"] or 0.0) < SAME_DAY_SHARE:
                    expected["unobservable"] = True  # too few late orders to test, or even the early ones wait
            if habit["kind"] == "approval_bottleneck" and frame is not None:
                expected["cases"] = approval_cases(frame, habit.get("weekdays") or range(7), timezone=timezone)
                # the approval analysis tests each absence day on min_obs requests pending on it
                busiest = max(approval_cases(frame, [d], timezone=timezone) for d in habit.get("weekdays") or range(7))
                if busiest < min_obs:
                    expected["unobservable"] = True  # (too few held orders waited over any of those days)
            if posting and frame is not None:
                expected["cases"], expected["moved_hours"], expected["day_share"] = habit_window(
                    frame, habit, location, timezone=timezone)
                if expected["cases"] < min_cases:
                    expected["unobservable"] = True
            out.append(expected)
        if habit.get("p_never") and not habit["name"].endswith(" (after midnight)"):  # once per split habit
            realized = None if frame is None else never_posted_locations(frame, habit.get("movement", "issue"),
                                                                         min_age_h=realized_age_h)
            for location in locations:
                if realized is not None and location not in realized:
                    continue
                out.append({"name": f"{habit['name']} (never posted)", "kind": "unposted_movement",
                            "location": location, "weekdays": None, "hours": None})
    return out


def matches(finding: Finding, expected: dict[str, Any], *, tolerance_h: float = 1.0) -> bool:
    """Whether ``finding`` is the planted pattern ``expected`` (an item of :func:`expectations`)."""
    if finding.kind.value != expected["kind"]:
        return False
    if expected.get("location") is not None and finding.location != expected["location"]:
        return False
    weekdays = expected.get("weekdays")
    if weekdays is not None:
        if finding.weekday is None:  # every day, or the weekdays a daily window was merged from
            if not set(finding.details.get("weekdays") or range(7)) <= set(weekdays):
                return False
        elif finding.weekday not in weekdays:
            return False
    hours = expected.get("hours")
    if expected["kind"] == "after_hours_backlog" and hours is not None and finding.hours is not None:
        hours = [hours[0], finding.hours[1]]  # the cut-off is the pattern; the end is where a working day ends
    if hours is not None and not (hours[0] <= 0 and hours[1] >= 24):  # a habit all day: any window of the day
        if finding.hours is None:
            return False
        if finding.details.get("granularity") == "day" and \
                (expected.get("day_share") or {}).get(finding.weekday, 0.0) > DAY_SHARE:
            return True  # the habit's hours hold most of that day's movements: the log shows it as the day
        if expected.get("optional"):  # hours in which it may happen: any window within them
            return hours[0] - tolerance_h <= finding.hours[0] and finding.hours[1] <= hours[1] + tolerance_h
        # each bound near the planted one, or near that of the hours in which goods actually moved (a
        # habit until 22:00 on a shift whose work runs out at 20:00 shows as a window ending at 20:00)
        bounds = [hours] + ([expected["moved_hours"]] if expected.get("moved_hours") else [])
        for i in (0, 1):
            if not any(abs(finding.hours[i] - b[i]) <= tolerance_h for b in bounds):
                return False
    return True


def covered_by_optional(finding: Finding, optional: list[dict[str, Any]], *, tolerance_h: float = 1.0) -> bool:
    """Whether each weekday of a finding merged over several weekdays (``weekday`` None) matches some
    optional truth: optional truths come in pieces (loads after the clerk's 16:00 on four days, and
    all day on the fifth, when the clerk is off), and a daily window may span pieces.

    >>> from jxcsim.mining.findings import Finding, FindingKind
    >>> pieces = [{"name": "x", "kind": "physical_before_book", "optional": True, "location": "A",
    ...            "weekdays": days, "hours": hours} for days, hours in (([0, 1, 3, 4], [16.0, 17.0]),
    ...                                                                   ([2], [9.0, 17.0]))]
    >>> f = Finding(FindingKind.PHYSICAL_BEFORE_BOOK, ["Load", "Post"], "A", None, [16.0, 17.0], 30, 3.0, 0.1,
    ...             None, 1e-9, [], "", details={"weekdays": [0, 1, 2]})
    >>> covered_by_optional(f, pieces), any(matches(f, e) for e in pieces)
    (True, False)
    """
    if finding.weekday is not None or not optional:
        return False
    days = finding.details.get("weekdays") or range(7)
    return all(any(matches(replace(finding, weekday=d), e, tolerance_h=tolerance_h) for e in optional) for d in days)


def score_findings(findings: list[Finding], planted: Iterable[dict[str, Any]], *, frame: pd.DataFrame | None = None,
                   timezone: str | None = None, tolerance_h: float = 1.0,
                   min_obs: int = DiagnosisSettings.min_obs) -> dict[str, Any]:
    """Recall over the expectations, the false alarms, and what was found for each planted habit.

    ``frame`` (the simulated log, local time in ``timezone``) makes the expectations depend on what
    happened (:func:`expectations`). Unobservable and optional truths are not expected; a finding
    matching one is not a false alarm (``unobservable`` and ``optional`` list them with what matched).
    Nor is a window that lies within an expected habit's hours without matching its bounds: it
    found part of the habit, which still counts as missed (``partial`` lists them). ``min_obs``: the
    diagnosis's (:class:`~jxcsim.mining.diagnose.DiagnosisSettings`).
    """
    every = expectations(planted, frame, timezone=timezone, min_obs=min_obs)
    expected = [e for e in every if not e.get("unobservable") and not e.get("optional")]
    hits, misses, unobservable, optional = [], [], [], []
    for e in every:
        found = [(rank, f) for rank, f in enumerate(findings, start=1) if matches(f, e, tolerance_h=tolerance_h)]
        item = {"name": e["name"], "kind": e["kind"], "location": e.get("location"), "weekdays": e.get("weekdays"),
                "hours": e.get("hours"), "found": [f.summary for _, f in found], "ranks": [r for r, _ in found]}
        if e.get("optional"):  # found or not, never expected: few cases change nothing
            optional.append(item)
        elif e.get("unobservable"):
            unobservable.append({**item, "cases": e["cases"]})
        else:
            (hits if found else misses).append(item)
    optional_every = [e for e in every if e.get("optional")]
    unmatched = [f for f in findings if f.kind in SCORED_KINDS
                 and not any(matches(f, e, tolerance_h=tolerance_h) for e in every)
                 and not covered_by_optional(f, optional_every, tolerance_h=tolerance_h)]
    # a window inside a habit's hours found part of it: no false alarm, though the habit counts as missed
    partial = [(f, e) for f in unmatched for e in expected
               if matches(f, {**e, "optional": True}, tolerance_h=tolerance_h)]
    alarms = [f for f in unmatched if all(f is not g for g, _ in partial)]
    return {"expected": len(expected), "found": len(hits), "recall": len(hits) / len(expected) if expected else None,
            "false_alarms": len(alarms), "false_alarm_summaries": [f.summary for f in alarms],
            "unscored": sum(f.kind not in SCORED_KINDS for f in findings), "hits": hits, "misses": misses,
            "unobservable": unobservable, "optional": optional,
            "partial": [{"name": e["name"], "location": e.get("location"), "found": f.summary,
                         "rank": next(r for r, g in enumerate(findings, start=1) if g is f)} for f, e in partial],
            "false_alarm_ranks": [next(r for r, g in enumerate(findings, start=1) if g is f) for f in alarms]}


class PlantedFileError(ValueError):
    """A planted-truth file that cannot be read or is not the form ``jxcsim simulate`` writes."""


def read_planted(path: str | Path) -> dict[str, Any]:
    """The planted truth ``jxcsim simulate`` wrote (``truth/planted.json``): its ``habits`` (each a dict
    with at least ``name`` and ``kind``) and the rest of the file (``timezone``, ``scenario``, ...).

    :class:`PlantedFileError` (naming the file and what is wrong) for a missing file, a file that
    is not JSON, or one without a list of habits.

    >>> import json, tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "planted.json").write_text(json.dumps({"timezone": "Asia/Shanghai", "habits": []}))
    >>> read_planted(d / "planted.json")["timezone"]
    'Asia/Shanghai'
    >>> _ = (d / "bad.json").write_text('{"habits": [{"kind": "late_posting"}]}')
    >>> read_planted(d / "bad.json")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    jxcsim.mining.truth.PlantedFileError: ...bad.json: habit 1 has no 'name' (each habit needs 'name' and 'kind'...
    """
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PlantedFileError(f"{path}: no such file (a run of `jxcsim simulate` writes OUT/truth/planted.json)") \
            from None
    except (OSError, UnicodeDecodeError) as exc:
        raise PlantedFileError(f"{path}: cannot be read ({exc})") from None
    except json.JSONDecodeError as exc:
        raise PlantedFileError(f"{path}: not JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None
    habits = data.get("habits") if isinstance(data, dict) else None
    if not isinstance(habits, list):
        raise PlantedFileError(f"{path}: not a planted-truth file: it needs a list under 'habits' (as "
                               "truth/planted.json of `jxcsim simulate` has)")
    kinds = sorted(k.value for k in SCORED_KINDS)
    for i, habit in enumerate(habits, start=1):
        missing = [key for key in ("name", "kind") if not isinstance(habit, dict) or key not in habit]
        if missing:
            raise PlantedFileError(f"{path}: habit {i} has no {' or '.join(map(repr, missing))} (each habit needs "
                                   "'name' and 'kind', as truth/planted.json of `jxcsim simulate` has)")
        problem = _habit_problem(habit, kinds)
        if problem:
            raise PlantedFileError(f"{path}: habit {i} ({habit['name']!r}): {problem}")
    return data


def _habit_problem(habit: dict[str, Any], kinds: list[str]) -> str | None:
    """What makes a planted habit unusable for scoring (its kind, weekdays, hours, locations), or None."""
    if habit["kind"] not in kinds:
        return f"kind {habit['kind']!r} is not one of {', '.join(map(repr, kinds))}"
    days, hours, places = habit.get("weekdays"), habit.get("hours"), habit.get("locations")
    if "hours" not in habit or "weekdays" not in habit:
        return "needs 'weekdays' and 'hours' (null for any)"
    if days is not None and not (isinstance(days, list) and all(isinstance(d, int) and 0 <= d <= 6 for d in days)):
        return f"weekdays must be a list of 0 (Monday) to 6, got {days!r}"
    if hours is not None and not (isinstance(hours, list) and len(hours) == 2
                                  and all(isinstance(h, int | float) and 0 <= h <= 48 for h in hours)):
        return f"hours must be [start, end] in hours of the day, got {hours!r}"
    if places is not None and not (isinstance(places, list) and all(isinstance(x, str) for x in places)):
        return f"locations must be a list of names, got {places!r}"
    return None
