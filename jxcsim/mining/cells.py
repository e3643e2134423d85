"""The vectorised core of the conditioned-lag analyses: observations, cell tests, window statistics.

One table holds every observation of every transition: one row per (transition, location,
case, local weekday, local hour) with the case's mean lag there (:func:`observations`). A
*group* is one transition at one location; its lags are ranked once, so the one-sided
Mann–Whitney statistic of any set of cells against the rest of the group follows from rank sums
(:func:`mwu_greater`). Rows are sorted by group, weekday and hour, so the rows of any run of
hours of one weekday — a window — are one contiguous slice (:meth:`Observations.slice`).

>>> import numpy as np
>>> from scipy import stats
>>> x = np.array([5.0, 6.0, 7.0, 1.0, 2.0, 2.0, 3.0, 4.0, 0.5, 1.5])
>>> r = stats.rankdata(x)
>>> p = mwu_greater(r[:3].sum(), 3, 10, tie_term(x))
>>> bool(np.isclose(p, stats.mannwhitneyu(x[:3], x[3:], alternative="greater", method="asymptotic").pvalue))
True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..eventlog.timezone import local_times
from .common import NO_LOCATION, local_clock, local_weekday_hour

EXACT_BELOW = 8  # scipy's own threshold for its exact test: smaller samples go to scipy
_HOURS = 168  # weekday × hour cells per group


def tie_term(values: np.ndarray) -> float:
    """Σ (t³ − t) over groups of tied values (the Mann–Whitney variance correction)."""
    _, counts = np.unique(values, return_counts=True)
    return float((counts.astype(float) ** 3 - counts).sum())


def mwu_greater(rank_sum, n1, n, ties):
    """One-sided Mann–Whitney p-values (sample 1 greater) from the rank sum of sample 1 within a
    pooled sample of ``n``: normal approximation with tie and continuity correction (what
    :func:`scipy.stats.mannwhitneyu` returns with ``method="asymptotic"``); element-wise."""
    rank_sum, n1, n, ties = (np.asarray(v, dtype=float) for v in (rank_sum, n1, n, ties))
    n2 = n - n1
    u1 = rank_sum - n1 * (n1 + 1) / 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = np.sqrt(n1 * n2 / 12.0 * ((n + 1) - ties / (n * (n - 1))))
        z = (u1 - n1 * n2 / 2.0 - 0.5) / sigma
    return np.where(sigma > 0, stats.norm.sf(z), 1.0)


@dataclass
class Observations:
    """Every observation of every transition (see the module docstring)."""

    rows: pd.DataFrame  # t, loc_key, g, case, weekday, hour, lag_h, rank, impact, n_rows; sorted by g, weekday, hour
    groups: pd.DataFrame  # per g: t, loc_key, n, sum, ties
    raw: dict[int, pd.DataFrame]  # per transition kept raw: its rows before the per-case aggregation

    def slice(self, g: int, weekday: int, start: int, end: int) -> pd.DataFrame:
        """The rows of group ``g`` on ``weekday`` in hours ``[start, end)``."""
        lo, hi = np.searchsorted(self._keys, [g * _HOURS + weekday * 24 + start, g * _HOURS + weekday * 24 + end])
        return self.rows.iloc[lo:hi]

    def group(self, g: int) -> pd.DataFrame:
        lo, hi = np.searchsorted(self._keys, [g * _HOURS, (g + 1) * _HOURS])
        return self.rows.iloc[lo:hi]

    def rest_median(self, g: int, weekday: int, start: int, end: int) -> float:
        """Median lag of group ``g`` outside ``weekday`` hours ``[start, end)``."""
        lo, hi = np.searchsorted(self._keys, [g * _HOURS, (g + 1) * _HOURS])
        a, b = np.searchsorted(self._keys, [g * _HOURS + weekday * 24 + start, g * _HOURS + weekday * 24 + end])
        lags = self.rows["lag_h"].to_numpy()
        rest = np.concatenate([lags[lo:a], lags[b:hi]])
        return float(np.median(rest)) if len(rest) else float("nan")

    def cells(self, *, by_day: bool, block: tuple[int, int] | None = None) -> np.ndarray:
        """Each row's cell: its weekday (``by_day``), else weekday × 24 + hour, or with ``block``
        (width, offset) weekday × 24 + the first hour of its block of ``width`` hours starting at
        ``offset`` (the hours before ``offset`` a block of their own); in the rows' order."""
        key = (by_day, block)
        if key not in self._cells:
            weekday = self.rows["weekday"].to_numpy(np.int64)
            hour = self.rows["hour"].to_numpy(np.int64)
            if block is not None:
                width, offset = block
                hour = np.clip((hour - offset) // width * width + offset, 0, None)
            self._cells[key] = weekday if by_day else weekday * 24 + hour
        return self._cells[key]

    def rest_medians(self, table: pd.DataFrame, *, by_day: bool, block: tuple[int, int] | None = None) -> np.ndarray:
        """:func:`rest_medians` of the cells of ``table`` (``g``, ``cell``, as :func:`cell_tests` gives them)."""
        return rest_medians(self.rows, self.cells(by_day=by_day, block=block), table, sorted_groups=self._sorted_groups)

    def __post_init__(self) -> None:
        self._sorted_groups: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # filled by rest_medians, once a group
        self._cells: dict[tuple, np.ndarray] = {}  # each row's cell, per (by_day, block)
        self._keys = (self.rows["g"].to_numpy(np.int64) * _HOURS + self.rows["weekday"].to_numpy(np.int64) * 24
                      + self.rows["hour"].to_numpy(np.int64))


def observations(stacked: pd.DataFrame, timezone: str | None, keep_raw: set[int] = frozenset()) -> Observations:
    """Build the observation table from lag rows (``t`` — the transition —, ``case``,
    ``location``, ``first_time``, ``lag_h``, ``qty`` and optionally ``sku``); the transitions in
    ``keep_raw`` also keep their rows before aggregation, with the local time of the first event
    as ``moved_at`` text, and the local weekday and hour of the second (``posted_weekday``,
    ``posted_hour``) and how many local calendar days after the first it came (``later_days``)."""
    if stacked.empty:
        empty = pd.DataFrame(columns=["t", "loc_key", "g", "case", "weekday", "hour", "lag_h", "rank", "impact",
                                      "n_rows"])
        return Observations(empty, pd.DataFrame(columns=["t", "loc_key", "n", "sum", "ties"]), {})
    t_idx = stacked["t"].to_numpy(np.int64)
    first = pd.Series(pd.to_datetime(stacked["first_time"], utc=True).array)
    weekday, hour = local_weekday_hour(first, timezone)
    lag = stacked["lag_h"].to_numpy(float)
    qty = stacked["qty"].to_numpy(float) if "qty" in stacked.columns else np.full(len(stacked), np.nan)
    impact = qty * np.clip(lag, 0, None)
    case_codes, case_values = pd.factorize(stacked["case"])
    locations = stacked["location"] if "location" in stacked.columns else pd.Series(None, index=stacked.index)
    loc_codes, loc_values = pd.factorize(locations.astype(object).where(locations.notna(), NO_LOCATION), sort=True)
    loc_values = np.asarray(loc_values, dtype=object)
    case_values = np.asarray(case_values, dtype=object)
    raw = {}
    for t in keep_raw:
        mine = np.flatnonzero(t_idx == t)
        moved_day = local_clock(first.iloc[mine], timezone)[0]
        posted_day, posted_weekday, posted_hour = local_clock(
            first.iloc[mine] + pd.to_timedelta(np.round(np.nan_to_num(lag[mine]) * 3600, 3), unit="s"), timezone)
        raw[t] = pd.DataFrame({"case": case_values[case_codes[mine]], "loc_key": loc_values[loc_codes[mine]],
                               "weekday": weekday[mine], "hour": hour[mine], "lag_h": lag[mine],
                               "sku": stacked["sku"].to_numpy()[mine] if "sku" in stacked.columns else None,
                               "qty": qty[mine],
                               "moved_at": local_times(first.iloc[mine], timezone).dt.strftime("%Y-%m-%d %H:%M")
                               .to_numpy(),
                               "posted_weekday": posted_weekday, "posted_hour": np.floor(posted_hour).astype(np.int64),
                               "later_days": posted_day - moved_day})
    # one unit per case and cell: the lines of one order move and post together, so counting them
    # one by one would fake independence (and a 5-line order would weigh 5 times). Sorting on
    # (group, cell, case) makes each unit one run and leaves the units in group-cell order.
    n_loc, n_case = max(len(loc_values), 1), max(len(case_values), 1)
    group_code = t_idx * n_loc + loc_codes
    key = (group_code * _HOURS + weekday * 24 + hour) * n_case + case_codes
    order = np.argsort(key, kind="stable")
    key = key[order]
    starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
    counts = np.diff(np.append(starts, len(key)))
    has_impact = ~np.isnan(impact[order])
    first_rows = order[starts]
    lag_mean = np.add.reduceat(lag[order], starts) / counts
    impact_n = np.add.reduceat(has_impact.astype(np.int64), starts)
    impact_sum = np.add.reduceat(np.where(has_impact, impact[order], 0.0), starts)
    gc = group_code[first_rows]
    g = np.concatenate([[0], np.cumsum(gc[1:] != gc[:-1])])
    rank, ties_by_g = _ranks(g, lag_mean)
    rows = pd.DataFrame({"t": t_idx[first_rows], "loc_key": loc_values[loc_codes[first_rows]], "g": g,
                         "case": case_values[case_codes[first_rows]], "weekday": weekday[first_rows],
                         "hour": hour[first_rows], "lag_h": lag_mean, "rank": rank,
                         "impact": np.where(impact_n > 0, impact_sum, np.nan), "n_rows": counts})
    gstart = np.flatnonzero(np.concatenate([[True], g[1:] != g[:-1]]))
    groups = pd.DataFrame({"t": rows["t"].to_numpy()[gstart], "loc_key": rows["loc_key"].to_numpy()[gstart],
                           "n": np.diff(np.append(gstart, len(g))), "sum": np.add.reduceat(lag_mean, gstart),
                           "ties": ties_by_g})
    return Observations(rows, groups, raw)


def _ranks(g: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Average ranks of ``values`` within each group ``g`` (0, 1, ... in order), and per group the
    tie term Σ (t³ − t)."""
    order = np.lexsort((values, g))
    gs, vs = g[order], values[order]
    new_block = np.concatenate([[True], (gs[1:] != gs[:-1]) | (vs[1:] != vs[:-1])])
    block_start = np.flatnonzero(new_block)
    block_len = np.diff(np.append(block_start, len(vs)))
    group_first = np.flatnonzero(np.concatenate([[True], gs[1:] != gs[:-1]]))
    offset = np.repeat(group_first, np.diff(np.append(group_first, len(gs))))
    position = np.arange(len(vs)) - offset  # 0-based position within the group
    block_of = np.cumsum(new_block) - 1
    avg = position[block_start] + (block_len + 1) / 2.0  # average 1-based rank of each block
    ranks = np.empty(len(vs))
    ranks[order] = avg[block_of]
    block_group = gs[block_start]
    ties = np.bincount(block_group, weights=block_len.astype(float) ** 3 - block_len, minlength=int(g.max()) + 1)
    return ranks, ties


def _kth_of_rest(ordered: np.ndarray, taken: np.ndarray, k: int) -> float:
    """The ``k``-th smallest (0-based) of ``ordered`` (sorted) without the positions ``taken`` (sorted)."""
    candidates = np.arange(k, k + len(taken) + 1)  # the answer's position: k plus the taken ones before it
    kept = candidates + 1 - np.searchsorted(taken, candidates, side="right")  # untaken values up to each
    return float(ordered[candidates[np.argmax(kept >= k + 1)]])


def rest_medians(rows: pd.DataFrame, cells: np.ndarray, table: pd.DataFrame, *,
                 sorted_groups: dict[int, tuple[np.ndarray, np.ndarray]] | None = None) -> np.ndarray:
    """Per row of ``table`` (``g``, ``cell``): the median lag of its group outside that cell.

    ``rows`` are sorted by group and cell (``cells``: each row's cell), as :class:`Observations`
    keeps them; each group's lags are sorted once, and a cell's rest median follows from the
    positions of the cell's lags in that order (no copy of the group per cell). ``sorted_groups``
    keeps the sorted groups between calls.

    >>> rows = pd.DataFrame({"g": [0, 0, 0, 0, 0], "lag_h": [9.0, 8.0, 1.0, 2.0, 3.0]})
    >>> rest_medians(rows, np.array([0, 0, 1, 1, 1]), pd.DataFrame({"g": [0, 0], "cell": [0, 1]})).tolist()
    [2.0, 8.5]
    """
    g = rows["g"].to_numpy(np.int64)
    lags = rows["lag_h"].to_numpy(float)
    bounds = np.searchsorted(g, np.arange(int(g.max()) + 2)) if len(g) else np.zeros(1, dtype=np.int64)
    out = np.full(len(table), np.nan)
    sorted_groups = {} if sorted_groups is None else sorted_groups
    table_cells = zip(table["g"].to_numpy(np.int64), table["cell"].to_numpy(np.int64), strict=True)
    for i, (group, cell) in enumerate(table_cells):
        if group not in sorted_groups:
            lo, hi = bounds[group], bounds[group + 1]
            order = np.argsort(lags[lo:hi], kind="stable")
            position = np.empty(hi - lo, dtype=np.int64)
            position[order] = np.arange(hi - lo)
            sorted_groups[group] = (lags[lo:hi][order], position)
        ordered, position = sorted_groups[group]
        group_cells = cells[bounds[group]:bounds[group + 1]]
        a, b = np.searchsorted(group_cells, [cell, cell + 1])
        rest = len(ordered) - (b - a)
        if rest > 0:
            taken = np.sort(position[a:b])
            out[i] = (_kth_of_rest(ordered, taken, (rest - 1) // 2) + _kth_of_rest(ordered, taken, rest // 2)) / 2
    return out


def cell_tests(obs: Observations, *, by_day: bool, min_obs: int, block: tuple[int, int] | None = None) -> pd.DataFrame:
    """Per group × cell (``cell`` = weekday × 24 + hour, the weekday with ``by_day``, or weekday × 24
    + the block's first hour with ``block``, see :meth:`Observations.cells`): ``n``,
    ``mean``, ``median``, ``baseline`` (mean of the rest of the group), ``rank_sum``, ``tested``
    (at least ``min_obs`` observations and a rest) and ``p`` (one-sided, NaN when untested). The
    yardstick of a cell's effect, the median of the rest of its group, is
    :meth:`Observations.rest_medians`, for the cells that need it."""
    rows = obs.rows
    if rows.empty:
        return pd.DataFrame(columns=["g", "cell", "n", "mean", "median", "baseline", "rank_sum",
                                     "tested", "p"])
    cell = obs.cells(by_day=by_day, block=block)
    table = (rows.assign(cell=cell).groupby(["g", "cell"], sort=True)
             .agg(n=("lag_h", "size"), sum=("lag_h", "sum"), rank_sum=("rank", "sum"), median=("lag_h", "median"))
             .reset_index())
    g = obs.groups.loc[table["g"]]
    n_g, sum_g, ties = g["n"].to_numpy(float), g["sum"].to_numpy(float), g["ties"].to_numpy(float)
    rest = n_g - table["n"].to_numpy(float)
    table["mean"] = table["sum"] / table["n"]
    with np.errstate(divide="ignore", invalid="ignore"):
        table["baseline"] = np.where(rest > 0, (sum_g - table["sum"].to_numpy(float)) / rest, np.nan)
    table["tested"] = (table["n"] >= min_obs) & (rest > 0) & (n_g >= 2)
    p = np.full(len(table), np.nan)
    tested = table["tested"].to_numpy()
    p[tested] = mwu_greater(table["rank_sum"].to_numpy(float)[tested], table["n"].to_numpy(float)[tested],
                            n_g[tested], ties[tested])
    small = tested & ((table["n"].to_numpy() < EXACT_BELOW) | (rest < EXACT_BELOW))
    for i in np.flatnonzero(small):  # tiny samples: let scipy pick its exact test (rare)
        lo, hi = np.searchsorted(obs.rows["g"].to_numpy(np.int64), [table.at[i, "g"], table.at[i, "g"] + 1])
        inside = cell[lo:hi] == table.at[i, "cell"]
        lags = obs.rows["lag_h"].to_numpy(float)[lo:hi]
        p[i] = stats.mannwhitneyu(lags[inside], lags[~inside], alternative="greater").pvalue
    table["p"] = p
    return table


def window_p(obs: Observations, g: int, window: pd.DataFrame) -> float:
    """One-sided Mann–Whitney p-value of ``window`` (rows of group ``g``) against the rest of the group."""
    grp = obs.groups.loc[g]
    n1 = len(window)
    if n1 < EXACT_BELOW or grp["n"] - n1 < EXACT_BELOW:
        rows = obs.group(g)
        inside = rows.index.isin(window.index)
        return float(stats.mannwhitneyu(rows["lag_h"][inside], rows["lag_h"][~inside], alternative="greater").pvalue)
    return float(mwu_greater(window["rank"].sum(), n1, grp["n"], grp["ties"]))
