"""What the analyses share: activity names, case milestones, one-sided tests, FDR control, wording.

>>> import numpy as np
>>> bh(np.array([0.01, 0.04, 0.03, 0.5])).round(4).tolist()
[0.04, 0.0533, 0.0533, 0.5]
>>> fmt_h(-0.04), WEEKDAY_PLURAL[2]
('0.0', 'Wednesdays')
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd
from scipy import stats

from ..eventlog.schema import ACTIVITY, CASE, SEMANTIC, TIMESTAMP
from ..eventlog.timezone import local_times
from ..kpi.common import clock  # noqa: F401  (the analyses' clock, shared with the KPIs)
from ..kpi.shared import shared

WEEKDAY_PLURAL = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")
NO_LOCATION = "\0none"  # group key standing for "the log has no location for these rows"


@shared
def activity_name(frame: pd.DataFrame, semantic: str) -> str:
    """The log's own name for ``semantic`` (its most frequent activity), or the semantic itself."""
    names = frame.loc[frame[SEMANTIC] == semantic, ACTIVITY]
    return str(names.mode().iloc[0]) if len(names) else semantic


def has_semantics(frame: pd.DataFrame, *semantics: str) -> bool:
    """True when the frame has a ``semantic`` column holding every one of ``semantics``."""
    present = _semantics_present(frame)
    return present is not None and all(s in present for s in semantics)


@shared
def _semantics_present(frame: pd.DataFrame) -> frozenset | None:
    if SEMANTIC not in frame.columns or frame.empty:
        return None
    return frozenset(frame[SEMANTIC].dropna().unique())


def first_per_case(frame: pd.DataFrame, semantics: Iterable[str], *, columns: Iterable[str] = ()) -> pd.DataFrame:
    """Per case (index), the first event whose semantic is one of ``semantics``.

    Columns: ``time`` (UTC), ``activity`` and each of ``columns`` the frame has.

    >>> from jxcsim.kpi.example import example_log
    >>> first_per_case(example_log(), ["credit_hold"]).index.tolist()
    ['SO-2']
    """
    wanted = [c for c in columns if c in frame.columns]
    rows = frame.loc[frame[SEMANTIC].isin(list(semantics)), [CASE, TIMESTAMP, ACTIVITY] + wanted]
    rows = rows.sort_values(TIMESTAMP, kind="stable").drop_duplicates(CASE, keep="first")
    out = rows.set_index(CASE).rename(columns={TIMESTAMP: "time", ACTIVITY: "activity"})
    out.index = out.index.astype(str)
    return out


_QUARTER_NS = 15 * 60 * 10**9  # every UTC offset in use, and every DST switch, falls on a quarter hour
_DAY_NS = 86_400 * 10**9


def local_clock(utc: pd.Series, timezone: str | None, *, day_start_h: float | np.ndarray = 0.0
                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Local calendar day (days since 1970-01-01), weekday (Mon = 0) and time of day (hours, with
    minutes and seconds) of UTC timestamps; each distinct quarter hour is converted once (a log of
    a million events spans a few tens of thousands), so this is much faster than ``tz_convert``.
    ``day_start_h`` (one hour, or one per timestamp) makes days begin then instead of at midnight
    (a night shift's working day, :func:`jxcsim.kpi.common.workday_start`): the day, weekday and
    hours since it began of each timestamp.

    >>> ts = pd.Series(pd.to_datetime(["2025-01-05 16:10:00", "2025-01-06 01:59:30"], utc=True))
    >>> day, weekday, hour = local_clock(ts, "Asia/Shanghai")
    >>> (day[1] - day[0]).item(), weekday.tolist(), hour.round(3).tolist()
    (0, [0, 0], [0.167, 9.992])
    >>> day, weekday, hour = local_clock(ts, "Asia/Shanghai", day_start_h=13.0)   # both before Monday 13:00
    >>> weekday.tolist(), hour.round(3).tolist()
    ([6, 6], [11.167, 20.992])
    """
    values = pd.to_datetime(utc, utc=True)
    ns = values.array.asi8 if hasattr(values.array, "asi8") else values.astype("int64").to_numpy()
    quarters, inverse = np.unique(ns // _QUARTER_NS, return_inverse=True)
    stamps = pd.Series(pd.to_datetime(quarters * _QUARTER_NS, utc=True))
    local = local_times(stamps, timezone)
    offset_ns = (local.dt.tz_localize(None) - stamps.dt.tz_localize(None)).to_numpy().astype(np.int64)
    local_ns = ns + offset_ns[inverse]
    if np.any(day_start_h):
        local_ns = local_ns - (np.asarray(day_start_h, dtype=float) * 3.6e12).astype(np.int64)
    day = local_ns // _DAY_NS
    return day, (day + 3) % 7, (local_ns - day * _DAY_NS) / 3.6e12


def local_weekday_hour(utc: pd.Series, timezone: str | None) -> tuple[np.ndarray, np.ndarray]:
    """Local weekday (Mon = 0) and hour of UTC timestamps (see :func:`local_clock`).

    >>> ts = pd.Series(pd.to_datetime(["2025-01-05 16:10", "2025-01-06 01:59"], utc=True))
    >>> [a.tolist() for a in local_weekday_hour(ts, "Asia/Shanghai")]
    [[0, 0], [0, 9]]
    """
    _, weekday, hours = local_clock(utc, timezone)
    return weekday.astype(np.int64), np.floor(hours).astype(np.int64)


def mwu_greater(inside: np.ndarray, outside: np.ndarray) -> float:
    """One-sided Mann–Whitney p-value that ``inside`` tends to be larger than ``outside``."""
    if len(inside) == 0 or len(outside) == 0:
        return 1.0
    return float(stats.mannwhitneyu(inside, outside, alternative="greater").pvalue)


def bh(p: np.ndarray) -> np.ndarray:
    """Benjamini–Hochberg adjusted p-values (q-values), same order as ``p``."""
    p = np.asarray(p, dtype=float)
    n = len(p)
    if n == 0:
        return p
    order = np.argsort(p)
    ranked = p[order] * n / np.arange(1, n + 1)
    ranked = np.minimum.accumulate(ranked[::-1])[::-1]
    q = np.empty(n)
    q[order] = np.minimum(ranked, 1.0)
    return q


def clears_effect(effect_h, baseline_h, min_effect_h: float, effect_factor: float):
    """Whether a lag (the analyses pass medians) is large enough to report:
    ``effect >= max(min_effect_h, effect_factor × baseline)`` and above the baseline (element-wise for arrays).

    >>> bool(clears_effect(3.0, 1.0, 0.5, 2.0)), bool(clears_effect(1.5, 1.0, 0.5, 2.0)), bool(clears_effect(0.4, -1.0, 0.5, 2.0))
    (True, False, False)
    """
    effect, baseline = np.asarray(effect_h, dtype=float), np.asarray(baseline_h, dtype=float)
    return (effect >= np.maximum(min_effect_h, effect_factor * baseline)) & (effect > baseline)


def medians_lead(effect_h: float, baseline_h: float, medians: tuple[float, float] | None) -> bool:
    """Whether a finding's sentence should lead with its medians (which the analyses judge on): when
    the means part by less than half as much as the medians (a few very long waits outside the
    window, or a few short ones in it, hide what most cases show).

    >>> medians_lead(2.7, 2.68, (3.4, -0.2)), medians_lead(4.5, 0.3, (3.8, 0.2)), medians_lead(4.5, 0.3, None)
    (True, False, False)
    """
    return medians is not None and effect_h - baseline_h < 0.5 * (medians[0] - medians[1])


def means_clause(effect_h: float, baseline_h: float) -> str:
    """``'mean 2.2 h vs 3.3 h'`` for a sentence led by its medians, saying why the mean elsewhere is
    the higher one when it is (a few very long waits there, such as weekend ones, raise it).

    >>> means_clause(4.0, 1.0), means_clause(2.2, 3.3)
    ('mean 4.0 h vs 1.0 h', 'mean 2.2 h vs 3.3 h, the other raised by a few long waits')
    """
    text = f"mean {fmt_h(effect_h)} h vs {fmt_h(baseline_h)} h"
    return text + (", the other raised by a few long waits" if effect_h < baseline_h else "")


def fmt_h(value: float) -> str:
    """Hours with one decimal, never ``-0.0``."""
    return f"{value:.1f}".replace("-0.0", "0.0")


def evidence_by_lag(cases: pd.Series, lags: pd.Series, limit: int) -> list[str]:
    """Up to ``limit`` distinct case ids, largest lag first (stable for ties)."""
    order = np.argsort(-np.asarray(lags, dtype=float), kind="stable")
    return [str(c) for c in pd.unique(np.asarray(cases, dtype=object)[order])[:limit]]


def plural(n: int, word: str) -> str:
    """``plural(1, 'case')`` → ``'1 case'``; ``plural(3, 'case')`` → ``'3 cases'``."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"
