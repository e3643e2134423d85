"""Weekday × hour views of a posting lag, for the heatmaps a consultant looks at.

>>> from jxcsim.kpi.example import example_log
>>> grid = posting_lag_heatmap(example_log(), timezone="Asia/Shanghai")
>>> grid.shape, list(grid.index[:2])
((7, 24), ['Mon', 'Tue'])
"""

from __future__ import annotations

import pandas as pd

from ..eventlog.timezone import local_times
from ..kpi.posting import PostedMovement, match_postings

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def posting_lag_heatmap(frame: pd.DataFrame, *, timezone: str | None,
                        movement: PostedMovement = PostedMovement.ISSUE, location: str | None = None,
                        statistic: str = "mean") -> pd.DataFrame:
    """Posting lag (hours, posting − movement) per weekday × hour of the movement, in local time.

    ``statistic`` is ``mean``, ``median`` or ``count``; cells without movements are NaN (0 for
    count). ``location`` keeps one location when the log has them.
    """
    pairs = match_postings(frame, movement).dropna(subset=["physical_time", "delay_h"])
    if location is not None and "location" in pairs.columns:
        pairs = pairs[pairs["location"] == location]
    local = local_times(pairs["physical_time"], timezone)
    grouped = pairs.assign(weekday=local.dt.weekday, hour=local.dt.hour).groupby(["weekday", "hour"])["delay_h"]
    values = getattr(grouped, statistic)()
    grid = values.unstack("hour").reindex(index=range(7), columns=range(24))
    if statistic == "count":
        grid = grid.fillna(0).astype(int)
    grid.index = list(WEEKDAYS)
    return grid
