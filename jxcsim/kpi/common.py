"""What every KPI module shares: the "cannot compute" exception, column checks, time and statistics helpers.

KPIs read the canonical frame (``jxcsim.eventlog.schema``) through its ``semantic`` column only,
never through activity names or location ids, so they work on any log a profile maps.

>>> import pandas as pd
>>> duration_stats(pd.Series([0.0, 10.0, 20.0, float('nan')]))
DurationStats(n=3, mean=10.0, median=10.0, p90=18.0)
>>> duration_stats(pd.Series([], dtype=float)).mean is None
True
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..eventlog.schema import CASE, SEMANTIC, TIMESTAMP, Semantic
from ..eventlog.timezone import to_tzinfo
from ..workday import day_start_from_counts, day_start_from_week

HOUR = pd.Timedelta(hours=1)
_EPOCH = pd.Timestamp(0, tz="UTC")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class KpiUnavailable(ValueError):
    """A KPI cannot be computed from this log: a column or semantic it needs is absent.

    The message says what is missing; :func:`jxcsim.kpi.kpi_summary` reports it as the KPI's
    ``reason`` (with value ``None``) instead of failing.
    """


def clock(hour: float) -> str:
    """Hours after midnight as ``HH:MM``.

    >>> clock(16.5), clock(24)
    ('16:30', '24:00')
    """
    minutes = int(round(float(hour) * 60))
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def require_columns(frame: pd.DataFrame, columns: Iterable[str], kpi: str) -> None:
    """Raise :class:`KpiUnavailable` naming the columns of ``columns`` that ``frame`` lacks.

    >>> require_columns(pd.DataFrame({"a": [1]}), ["a", "sku"], "fill rate")
    Traceback (most recent call last):
    ...
    jxcsim.kpi.common.KpiUnavailable: fill rate needs column(s) ['sku'], which the log lacks
    """
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KpiUnavailable(f"{kpi} needs column(s) {missing}, which the log lacks")


def events(frame: pd.DataFrame, semantics: Semantic | Sequence[Semantic], kpi: str, *,
           required: bool = True) -> pd.DataFrame:
    """The rows of ``frame`` whose ``semantic`` is one of ``semantics``.

    Raises :class:`KpiUnavailable` when the frame has no ``semantic`` column, or (``required``)
    when none of its rows carries one of the semantics.
    """
    require_columns(frame, [CASE, TIMESTAMP, SEMANTIC], kpi)
    wanted = [semantics] if isinstance(semantics, Semantic) else list(semantics)
    rows = frame[frame[SEMANTIC].isin([s.value for s in wanted])]
    if required and rows.empty:
        names = " or ".join(s.value for s in wanted)
        raise KpiUnavailable(f"{kpi} needs {names} events, which the log lacks")
    return rows


def hours(ts: pd.Series) -> pd.Series:
    """Tz-aware timestamps as float hours since 1970-01-01 UTC (NaT gives NaN); unit-safe."""
    return (ts - _EPOCH) / HOUR


def local(ts: pd.Series, timezone: str | None) -> pd.Series:
    """UTC timestamps in the log's local zone (an IANA name or a fixed offset; UTC when ``None``)."""
    return ts.dt.tz_convert(to_tzinfo(timezone) if timezone else "UTC")


def local_midnights(first: pd.Timestamp, last: pd.Timestamp, timezone: str | None) -> pd.DatetimeIndex:
    """Each local midnight after ``first``'s local day up to ``last`` (UTC timestamps), as UTC. Where
    the clock skips midnight (Chile, Paraguay and Cuba spring forward at 00:00) the day starts at
    the first instant that exists, 01:00.

    >>> days = local_midnights(pd.Timestamp("2025-09-05 12:00", tz="UTC"), pd.Timestamp("2025-09-08 12:00", tz="UTC"),
    ...                        "America/Santiago")
    >>> [str(d.tz_convert("America/Santiago")) for d in days]
    ['2025-09-06 00:00:00-04:00', '2025-09-07 01:00:00-03:00', '2025-09-08 00:00:00-03:00']
    """
    zone = to_tzinfo(timezone) if timezone else "UTC"
    start, end = (t.tz_convert(zone).tz_localize(None) for t in (first, last))
    days = pd.date_range(start.normalize() + pd.Timedelta(days=1), end, freq="D")
    # a midnight that happens twice (a clock set back at 00:00) is taken the first time
    local_days = days.tz_localize(zone, nonexistent="shift_forward", ambiguous=np.ones(len(days), dtype=bool))
    return local_days.tz_convert("UTC")


def time_of_day_h(local_ts: pd.Series) -> pd.Series:
    """Hours since local midnight, with minutes and seconds (16:30 gives 16.5)."""
    return local_ts.dt.hour + local_ts.dt.minute / 60 + local_ts.dt.second / 3600


def workday_start(hours: Iterable[float] | np.ndarray, weekdays: Iterable[int] | np.ndarray | None = None) -> float:
    """The hour of day at which a working day starts for work done at local times of day ``hours``
    (on local ``weekdays``, Mon = 0, one per hour): midnight (0.0) where work is quiet at midnight
    (a day shift, an evening shift ending at 23:00; with ``weekdays``, unless most working days run
    across it), else the middle of the longest run of quiet hours (a night warehouse picking
    20:00-06:00 starts its day at 13:00), so that "the next day" means the next shift, not the next
    calendar day (:func:`jxcsim.workday.day_start_from_week`, as the world's calendars decide it).

    >>> day = [8.5, 9.0, 13.2, 17.9] * 10
    >>> night = [20.5, 22.0, 23.9, 0.5, 1.2, 3.0, 5.5] * 10
    >>> workday_start(day), workday_start(night), workday_start([])
    (0.0, 13.0, 0.0)
    >>> workday_start(day * 5 + [22.5, 23.5, 0.5], [d for d in range(5) for _ in day] + [6, 6, 0])  # one Sunday night
    0.0
    """
    values = np.asarray(list(hours) if not isinstance(hours, np.ndarray) else hours, dtype=float)
    keep = np.isfinite(values)
    hour = np.floor(values[keep]).astype(np.int64) % 24
    if weekdays is None:
        counts = np.bincount(hour, minlength=24) if hour.size else np.zeros(24)
        return day_start_from_counts(counts.tolist())
    days = np.asarray(list(weekdays) if not isinstance(weekdays, np.ndarray) else weekdays, dtype=np.int64)
    if days.shape != values.shape:
        raise ValueError(f"workday_start: {days.size} weekdays for {values.size} hours")
    week = np.bincount(days[keep] % 7 * 24 + hour, minlength=7 * 24) if hour.size else np.zeros(7 * 24)
    return day_start_from_week(week.reshape(7, 24).tolist())


def share(mask: pd.Series | np.ndarray) -> float | None:
    """Share of True values; ``None`` when there are no values."""
    arr = np.asarray(mask, dtype=bool)
    return float(arr.mean()) if arr.size else None


@dataclass(frozen=True)
class DurationStats:
    """Count, mean, median and 90th percentile (linear interpolation) of a set of durations.

    The unit is the caller's (hours or days, named where the stats are used); all but ``n``
    are ``None`` when there are no values.
    """

    n: int
    mean: float | None
    median: float | None
    p90: float | None

    def as_dict(self, unit: str) -> dict[str, Any]:
        """``{"n": .., "mean_<unit>": .., "median_<unit>": .., "p90_<unit>": ..}``.

        >>> DurationStats(1, 2.0, 2.0, 2.0).as_dict("h")
        {'n': 1, 'mean_h': 2.0, 'median_h': 2.0, 'p90_h': 2.0}
        """
        return {"n": self.n, f"mean_{unit}": self.mean, f"median_{unit}": self.median, f"p90_{unit}": self.p90}


def duration_stats(values: pd.Series | np.ndarray) -> DurationStats:
    """:class:`DurationStats` of ``values`` (NaN values are left out)."""
    arr = np.asarray(values, dtype=float)
    arr = arr[~np.isnan(arr)]
    if arr.size == 0:
        return DurationStats(0, None, None, None)
    return DurationStats(int(arr.size), float(arr.mean()), float(np.median(arr)), float(np.percentile(arr, 90)))


def jsonable(value: Any) -> Any:
    """``value`` with numpy scalars turned into Python ones and NaN/NaT into ``None`` (recursively).

    >>> jsonable({"a": np.float64("nan"), "b": [np.int64(3)], "c": pd.NaT})
    {'a': None, 'b': [3], 'c': None}
    """
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, pd.DataFrame):
        return [jsonable(r) for r in value.reset_index().to_dict(orient="records")]
    if isinstance(value, pd.Series):
        return jsonable(value.to_dict())
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else value.isoformat()
    if value is None or value is pd.NaT or value is pd.NA:
        return None
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer, int)):
        return int(value)
    if isinstance(value, (np.floating, float)):
        return None if math.isnan(value) else float(value)
    return value
