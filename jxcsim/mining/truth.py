"""Score findings against planted truth (``truth/planted.json`` of a simulated world): recall and false alarms.

A planted habit is *found* when a finding of its kind matches it (:func:`matches`): the same
location (when the truth names locations), a weekday among the truth's (a finding with
``weekday`` ``None`` — windows merged over several weekdays, listed in its ``details["weekdays"]``,
or every day — matches a truth covering those weekdays), and hour bounds within ``tolerance_h``
(1 h; any hours when the truth covers the whole day: a day's loads can split into windows where
the first hour's goods were picked the evening before; for ``physical_before_book`` the window
may end up to ``LOAD_LAG_H`` (3 h) later still, as the habit is planted on the pick's end and the
log shows the load, which waits for a free driver). An ``after_hours_backlog`` truth naming
several locations needs a finding at each; a
posting habit with ``p_never > 0`` also expects an ``unposted_movement`` finding at each of its
locations — when a log is given, only where the world actually left a movement unposted for at
least ``realized_age_h`` (48 h) before the log ends (a small never-posted share can leave none
in a short run). A *false alarm* is a finding of a kind that has a truth in this scheme (posting kinds,
backlogs, approvals) that matches no planted habit; ``bottleneck`` and ``rework`` findings have
no planted counterpart and are only counted.

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
>>> queued = Finding(FindingKind.PHYSICAL_BEFORE_BOOK, ["Load", "Post"], "A", 2, [13.0, 20.5], 40, 3.0, 0.1, None,
...                  1e-9, [], "")
>>> matches(queued, truth[0]), matches(queued, {**truth[0], "kind": "late_posting"})  # loads wait for drivers
(True, False)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from ..eventlog.schema import TIMESTAMP
from ..kpi.common import KpiUnavailable
from ..kpi.posting import PostedMovement, match_postings
from .findings import Finding, FindingKind

LOAD_LAG_H = 3.0  # how much later an issue habit's window may end in the log than planted (the driver queue)
SCORED_KINDS = frozenset({FindingKind.PHYSICAL_BEFORE_BOOK, FindingKind.LATE_POSTING, FindingKind.UNPOSTED_MOVEMENT,
                          FindingKind.AFTER_HOURS_BACKLOG, FindingKind.APPROVAL_BOTTLENECK})


def never_posted_locations(frame: pd.DataFrame, movement: str, *, min_age_h: float = 48.0) -> set[str | None]:
    """Locations with a ``movement`` ("issue", "receipt") never posted and at least ``min_age_h`` old at the log's end."""
    try:
        pairs = match_postings(frame, PostedMovement[movement.upper()])
    except KpiUnavailable:
        return set()
    age_h = (frame[TIMESTAMP].max() - pairs["physical_time"]).dt.total_seconds() / 3600
    never = pairs[pairs["physical_time"].notna() & pairs["book_time"].isna() & (age_h >= min_age_h)]
    return set(never["location"]) if "location" in never.columns else ({None} if len(never) else set())


def expectations(planted: Iterable[dict[str, Any]], frame: pd.DataFrame | None = None, *,
                 realized_age_h: float = 48.0) -> list[dict[str, Any]]:
    """One expectation per (habit, location) a finding must match; never-posted shares add their own."""
    out = []
    for habit in planted:
        locations = habit.get("locations") or [None]
        per_location = habit["kind"] in ("after_hours_backlog", "physical_before_book", "late_posting")
        for location in (locations if per_location else [None]):
            out.append({**habit, "location": location})
        if habit.get("p_never"):
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
    if hours is not None and not (hours[0] <= 0 and hours[1] >= 24):  # a habit all day: any window of the day
        if finding.hours is None:
            return False
        # an issue habit is planted on the pick's end and the log shows the load, which follows as soon as a
        # driver is free: with a queue of drivers the window's end comes later
        late = LOAD_LAG_H if expected["kind"] == "physical_before_book" else 0.0
        end = finding.hours[1] - hours[1]
        if abs(finding.hours[0] - hours[0]) > tolerance_h or not -tolerance_h <= end <= tolerance_h + late:
            return False
    return True


def score_findings(findings: list[Finding], planted: Iterable[dict[str, Any]], *, frame: pd.DataFrame | None = None,
                   tolerance_h: float = 1.0) -> dict[str, Any]:
    """Recall over the expectations, the false alarms, and what was found for each planted habit.

    ``frame`` (the simulated log) makes the never-posted expectations depend on what happened.
    """
    expected = expectations(planted, frame)
    hits, misses = [], []
    for e in expected:
        found = [f for f in findings if matches(f, e, tolerance_h=tolerance_h)]
        (hits if found else misses).append({"name": e["name"], "kind": e["kind"], "location": e.get("location"),
                                            "found": [f.summary for f in found]})
    alarms = [f for f in findings if f.kind in SCORED_KINDS
              and not any(matches(f, e, tolerance_h=tolerance_h) for e in expected)]
    return {"expected": len(expected), "found": len(hits), "recall": len(hits) / len(expected) if expected else None,
            "false_alarms": len(alarms), "false_alarm_summaries": [f.summary for f in alarms],
            "unscored": sum(f.kind not in SCORED_KINDS for f in findings), "hits": hits, "misses": misses}
