"""Weekday × hour views of a lag, for the heatmaps a consultant looks at.

:func:`lag_grid` places any lags on the weekday × hour of their first event (local time);
:func:`posting_lag_heatmap` does it for a movement and its posting, :func:`handoff_heatmap` for
a hand-off between two activities (:func:`jxcsim.mining.handoffs.directly_follows`).

>>> from jxcsim.kpi.example import example_log
>>> grid = posting_lag_heatmap(example_log(), timezone="Asia/Shanghai")
>>> grid.shape, list(grid.index[:2])
((7, 24), ['Mon', 'Tue'])
>>> int(handoff_heatmap(example_log(), "Allocate", "Pick", timezone="UTC", statistic="count").sum().sum())
3
"""

from __future__ import annotations

import pandas as pd

from ..kpi.common import WEEKDAYS
from ..kpi.posting import PostedMovement, match_postings
from .common import local_weekday_hour


def lag_grid(first_time: pd.Series, lag_h: pd.Series, *, timezone: str | None, statistic: str = "mean"
             ) -> pd.DataFrame:
    """Lags (hours) per weekday (rows ``Mon``..``Sun``) × hour (columns 0–23) of their first event, local time.

    ``statistic`` is ``mean``, ``median`` or ``count``; cells without lags are NaN (0 for count).
    """
    if statistic not in ("mean", "median", "count"):
        raise ValueError(f"statistic must be mean, median or count, got {statistic!r}")
    weekday, hour = local_weekday_hour(first_time, timezone) if len(first_time) else ([], [])
    lags = pd.DataFrame({"weekday": weekday, "hour": hour, "lag_h": pd.Series(lag_h).to_numpy(float)})
    values = getattr(lags.groupby(["weekday", "hour"])["lag_h"], statistic)()
    grid = values.unstack("hour").reindex(index=range(7), columns=range(24))
    if statistic == "count":
        grid = grid.fillna(0).astype(int)
    grid.index = list(WEEKDAYS)
    return grid


def posting_lag_heatmap(frame: pd.DataFrame, *, timezone: str | None,
                        movement: PostedMovement = PostedMovement.ISSUE, location: str | None = None,
                        statistic: str = "mean", pairs: pd.DataFrame | None = None) -> pd.DataFrame:
    """Posting lag (hours, posting − movement) per weekday × hour of the movement, in local time.

    ``statistic`` is ``mean``, ``median`` or ``count``; cells without movements are NaN (0 for
    count). ``location`` keeps one location when the log has them. ``pairs``: the movement's
    :func:`~jxcsim.kpi.posting.match_postings`, when the caller has it (one per location is costly).
    """
    pairs = match_postings(frame, movement) if pairs is None else pairs
    pairs = pairs.dropna(subset=["physical_time", "delay_h"])
    if location is not None and "location" in pairs.columns:
        pairs = pairs[pairs["location"] == location]
    return lag_grid(pairs["physical_time"], pairs["delay_h"], timezone=timezone, statistic=statistic)


def handoff_heatmap(frame: pd.DataFrame, source: str, target: str, *, timezone: str | None,
                    location: str | None = None, statistic: str = "mean", pairs: pd.DataFrame | None = None
                    ) -> pd.DataFrame:
    """Wait (hours) of the hand-off ``source`` → ``target`` per weekday × hour of ``source``, in local time.

    ``pairs``: the log's :func:`~jxcsim.mining.handoffs.directly_follows`, when already computed.
    """
    from .handoffs import directly_follows

    pairs = directly_follows(frame) if pairs is None else pairs
    edge = pairs[(pairs["from"] == source) & (pairs["to"] == target)]
    if location is not None and "location" in edge.columns:
        edge = edge[edge["location"] == location]
    return lag_grid(edge["first_time"], edge["lag_h"], timezone=timezone, statistic=statistic)
