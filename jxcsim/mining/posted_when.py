"""When a late posting is finally made: a posting finding says on which day and at what hours.

A manager reading "goods received on Fridays are posted 64 h late" asks next "so when are they
posted?" — on Monday morning is a habit (post on the next working day), spread over the next
days is a backlog. :func:`describe_postings` adds that to each posting finding, from the
window's own movements (``Observations.raw``, a case counted once): when at least ``LATER_SHARE`` of them were posted
on a later local calendar day than they moved, the finding's ``details["posted"]`` holds that
share, the weekday most of them were posted on with its share, and the shortest run of whole
hours holding ``HOURS_SHARE`` of that weekday's postings; its sentence gains one more.

>>> import pandas as pd
>>> inside = pd.DataFrame({"later_days": [3, 3, 3, 0], "posted_weekday": [0, 0, 0, 4],
...                        "posted_hour": [8, 9, 8, 17]})
>>> details, sentence = posted_when(inside)
>>> sentence
'75 % of them were posted on a later day, all on Mondays, mostly 08:00–10:00.'
>>> details["weekday"], details["weekday_share"]
(0, 0.75)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .cells import Observations
from .common import NO_LOCATION, WEEKDAY_PLURAL
from .findings import Finding

LATER_SHARE = 0.5  # the share of a window's movements posted on a later day for the sentence to say so
HOURS_SHARE = 0.8  # ... and the share of one weekday's postings the hours it names hold
MAX_HOURS = 6  # a longer run of hours is no habit of the hour: the sentence leaves the hours out


def posted_when(inside: pd.DataFrame) -> tuple[dict, str]:
    """``(details, sentence)`` for a window's movements (``later_days``, ``posted_weekday``,
    ``posted_hour``, and ``case`` when given: each case counted once, by its first movement — the
    lines of an order move and post together); ``({}, "")`` when fewer than ``LATER_SHARE`` were
    posted on a later day."""
    if "case" in inside.columns:
        inside = inside.drop_duplicates("case")
    n = len(inside)
    later = inside["later_days"].to_numpy() >= 1
    if n == 0 or later.mean() < LATER_SHARE:
        return {}, ""
    share = float(later.mean())
    days = inside.loc[later, "posted_weekday"].value_counts(sort=True)
    weekday, count = int(days.index[0]), int(days.iloc[0])
    details = {"later_share": share, "weekday": weekday, "weekday_share": count / n, "hours": None}
    sentence = f"{'All' if later.all() else _pct(share)} of them were posted on a later day"
    if count / n >= LATER_SHARE:
        hours = _shortest_run(inside.loc[later & (inside["posted_weekday"] == weekday).to_numpy(), "posted_hour"])
        if hours == [0, 1] and "hour" in inside.columns and (inside["hour"] == 0).all():
            hours = None  # dates without a time of day (every movement and posting at midnight): no hours to tell
        details["hours"] = hours
        if later.all() and count == n:
            sentence += f": on {WEEKDAY_PLURAL[weekday]}"
        else:
            sentence += f", {'all' if count == later.sum() else _pct(count / n)} on {WEEKDAY_PLURAL[weekday]}"
        if hours is not None:
            sentence += f", mostly {hours[0]:02d}:00–{hours[1]:02d}:00"
    return details, sentence + "."


def _pct(share: float) -> str:
    return f"{100 * share:.0f} %"


def _shortest_run(hours: pd.Series) -> list[int] | None:
    """The shortest run of whole hours ``[start, end)`` holding ``HOURS_SHARE`` of ``hours`` (none
    longer than ``MAX_HOURS``)."""
    counts = np.bincount(hours.to_numpy(np.int64), minlength=24)[:24]
    need = HOURS_SHARE * counts.sum()
    for width in range(1, MAX_HOURS + 1):
        sums = np.convolve(counts, np.ones(width, dtype=np.int64), mode="valid")
        if sums.max() >= need:
            start = int(np.argmax(sums))
            return [start, start + width]
    return None


def describe_postings(obs: Observations, transitions, findings: list[Finding]) -> None:
    """Add when the postings came to each posting finding of ``findings`` (in place; see the module)."""
    t_of = {tr.label: t for t, tr in enumerate(transitions) if tr.movement is not None}
    for f in findings:
        t = t_of.get(f.details.get("transition"))
        raw = obs.raw.get(t) if t is not None else None
        if raw is None or f.hours is None:
            continue
        days = [f.weekday] if f.weekday is not None else f.details.get("weekdays") or list(range(7))
        loc_key = NO_LOCATION if f.location is None else f.location
        inside = raw[(raw["loc_key"] == loc_key) & raw["weekday"].isin(days) & (raw["hour"] >= f.hours[0])
                     & (raw["hour"] < f.hours[1])]
        details, sentence = posted_when(inside)
        if details:
            f.details["posted"] = details
            f.summary = f"{f.summary} {sentence}"
