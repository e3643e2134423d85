"""Lags conditioned on location × weekday × hour: "Wednesday 13–18 at WH-A" found, not eyeballed.

For each transition (by default goods issue and goods receipt: movement → posting, matched with
:func:`jxcsim.kpi.posting.match_postings`; or any ``(from_semantic, to_semantic)`` pair measured
within a case) every lag ``to − from`` in hours is placed in the cell (location, weekday, hour)
of its FIRST event, in the log's local time. Per location, each weekday×hour cell with at least
``min_obs`` lags is tested against the rest of that location's week (one-sided Mann–Whitney U,
"lags in the cell are larger"); p-values are adjusted with Benjamini–Hochberg over every tested
cell of every transition and location. The unit of observation is one case in one cell (its
lines averaged: the lines of an order move and post together, and counting them one by one would
fake independence), so ``min_obs`` counts cases. A cell is significant when ``q <= fdr`` and its
*median* lag is at least ``max(min_effect_h, effect_factor × the median lag of the rest of the
location's week)`` (and above it; the rest, so that a habit covering most of a location's
movements — receipts that nearly all arrive on the habit's Monday — is not measured against
itself): judged on medians, like the rank test itself, so the few lags of weeks that real ERP
logs carry cannot hide a shift of the typical case. A finding still reports the
means (``effect_h`` inside, ``baseline_h`` outside the window) and gives both medians in its
summary and ``details``.
Contiguous significant hours of one location and weekday form a window (no gap, except hours
whose median lag clears the same effect threshold without being significant — too sparse to be
tested, fewer than ``min_obs`` cases, or too few for the test: an 8-week log has lunch hours
with 4 loads in them), and grows over such hours just before or after it (a small firm's
habit: its first hour holds enough cases to be significant, the next ones a few each); the window's
effect, baseline, cases, evidence and stock impact are recomputed on its rows, and its
``q_value`` is the smallest q of its cells (``details["window_p"]`` holds a fresh Mann–Whitney
p-value of the whole window against the rest of the location's week, unadjusted).

The Mann–Whitney statistic is computed for all cells of all transitions at once
(:mod:`jxcsim.mining.cells`): lags are ranked once per transition and location and the rank sums
per cell come from a groupby; the p-value is the normal approximation with tie and continuity
correction, which is exactly what :func:`scipy.stats.mannwhitneyu` (``method="asymptotic"``)
returns. Cells or rests smaller than 8 observations fall back to
:func:`scipy.stats.mannwhitneyu` itself (the only per-cell loop).

>>> import pandas as pd
>>> rows = []
>>> for week in range(4):
...     for hour in range(8, 18):
...         for k in range(3):
...             case = f"C{week}-{hour}-{k}"
...             t = pd.Timestamp("2025-01-06 00:00", tz="UTC") + pd.Timedelta(days=7 * week + 2, hours=hour)
...             lag = 4.0 if 13 <= hour < 16 else 0.1 * k
...             rows += [(case, "Load", "physical_issue", t, "S1"),
...                      (case, "Post", "book_issue", t + pd.Timedelta(hours=lag), "S1")]
>>> frame = pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "semantic", "time:timestamp", "sku"])
>>> [(f.weekday, f.hours, f.cases) for f in conditioned_lags(frame, timezone="UTC")]
[(2, [13.0, 16.0], 36)]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from ..eventlog.schema import CASE, SEMANTIC, TIMESTAMP
from ..kpi.common import KpiUnavailable
from ..kpi.posting import PostedMovement, match_postings
from .cells import Observations, cell_tests, observations, window_p
from .common import (NO_LOCATION, WEEKDAY_PLURAL, activity_name, bh, clears_effect, clock, evidence_by_lag,
                     fmt_h, means_clause, medians_lead)
from .findings import MAX_EVIDENCE, Finding, FindingKind
from .posted_when import describe_postings

DEFAULT_MOVEMENTS = (PostedMovement.ISSUE, PostedMovement.RECEIPT)


def _kind(movement: PostedMovement | None) -> FindingKind:
    """Goods leaving before the posting is ``physical_before_book``; receipts posted late are
    ``late_posting``; a generic hand-off that waits is a ``bottleneck``."""
    if movement is None:
        return FindingKind.BOTTLENECK
    if movement in (PostedMovement.RECEIPT, PostedMovement.TRANSFER_IN, PostedMovement.RETURN_IN):
        return FindingKind.LATE_POSTING
    return FindingKind.PHYSICAL_BEFORE_BOOK
_PHRASES = {  # movement: (what the goods do, what is posted)
    PostedMovement.ISSUE: ("goods leave", "the goods issue is posted"),
    PostedMovement.RECEIPT: ("goods arrive", "the goods receipt is posted"),
    PostedMovement.TRANSFER_OUT: ("transferred goods leave", "the transfer out is posted"),
    PostedMovement.TRANSFER_IN: ("transferred goods arrive", "the transfer in is posted"),
    PostedMovement.RETURN_IN: ("returned goods arrive", "the return is posted"),
}
MAX_LISTED = 200  # movements listed in a finding's details


@dataclass(frozen=True)
class Transition:
    """One measured transition: its lags (one row each, see :func:`lag_rows`) and how to talk about it."""

    label: str
    movement: PostedMovement | None  # None for a generic (from, to) pair
    activities: list[str]
    rows: pd.DataFrame | None  # columns: case, location, first_time, lag_h, qty, sku (None: given stacked)


def _movement_rows(frame: pd.DataFrame, movement: PostedMovement) -> pd.DataFrame | None:
    try:
        pairs = match_postings(frame, movement)
    except KpiUnavailable:
        return None
    pairs = pairs[pairs["delay_h"].notna()]
    if pairs.empty:
        return None
    return lag_rows(pairs, first_time=pairs["physical_time"], lag_h=pairs["delay_h"], qty_column="physical_qty")


def _pair_rows(frame: pd.DataFrame, first: str, second: str) -> pd.DataFrame | None:
    """Each ``first`` event with the first ``second`` event at or after it in the same case."""
    extra = [c for c in ("location", "qty") if c in frame.columns]
    a = frame.loc[frame[SEMANTIC] == first, [CASE, TIMESTAMP] + extra].dropna(subset=[TIMESTAMP])
    b = frame.loc[frame[SEMANTIC] == second, [CASE, TIMESTAMP]].dropna(subset=[TIMESTAMP])
    if a.empty or b.empty:
        return None
    a = a.assign(_case=a[CASE].astype(str)).sort_values(TIMESTAMP, kind="stable")
    b = b.assign(_case=b[CASE].astype(str)).rename(columns={TIMESTAMP: "_to"}).sort_values("_to", kind="stable")
    joined = pd.merge_asof(a, b[["_case", "_to"]], left_on=TIMESTAMP, right_on="_to", by="_case",
                           direction="forward", allow_exact_matches=True)
    joined = joined[joined["_to"].notna()]
    if joined.empty:
        return None
    return lag_rows(joined, first_time=joined[TIMESTAMP],
                     lag_h=(joined["_to"] - joined[TIMESTAMP]).dt.total_seconds() / 3600, qty_column="qty")


def lag_rows(source: pd.DataFrame, *, first_time: pd.Series, lag_h: pd.Series, qty_column: str = "qty"
             ) -> pd.DataFrame:
    """The per-observation table the cell tests work on: case, location, first time, lag, qty, sku."""
    return pd.DataFrame({
        "case": source[CASE].to_numpy(),
        "location": source["location"].to_numpy() if "location" in source.columns else None,
        "first_time": first_time.reset_index(drop=True),
        "lag_h": lag_h.to_numpy(dtype=float),
        "qty": source[qty_column].to_numpy(dtype=float) if qty_column in source.columns else np.nan,
        "sku": source["sku"].to_numpy() if "sku" in source.columns else None,
    })


def _transitions(frame: pd.DataFrame, pairs) -> list[Transition]:
    out: list[Transition] = []
    if pairs is None:
        for movement in DEFAULT_MOVEMENTS:
            rows = _movement_rows(frame, movement)
            if rows is not None:
                names = [activity_name(frame, movement.physical.value), activity_name(frame, movement.book.value)]
                out.append(Transition(movement.name.lower(), movement, names, rows))
        return out
    for first, second in pairs:
        first, second = str(getattr(first, "value", first)), str(getattr(second, "value", second))
        rows = _pair_rows(frame, first, second)
        if rows is not None:
            out.append(Transition(f"{first}->{second}", None,
                                   [activity_name(frame, first), activity_name(frame, second)], rows))
    return out


def _windows(hours: list[int], bridge: set[int] = frozenset()) -> list[tuple[int, int]]:
    """Contiguous runs of sorted hours as [start, end) pairs.

    No gap is allowed between significant hours except hours in ``bridge`` (hours whose lags agree
    with the window but are too few, or too weak, to be significant), and only when a significant
    hour follows them.

    >>> _windows([13, 14, 16, 17]), _windows([13, 14, 16, 17], {15}), _windows([13], {14})
    ([(13, 15), (16, 18)], [(13, 18)], [(13, 14)])
    """
    runs: list[tuple[int, int]] = []
    for h in sorted(hours):
        if runs and runs[-1][1] <= h and all(g in bridge for g in range(runs[-1][1], h)):
            runs[-1] = (runs[-1][0], h + 1)
        else:
            runs.append((h, h + 1))
    return runs


def day_list(weekdays: list[int]) -> str:
    """``[2]`` → ``'on Wednesdays'``; ``[0, 1, 2, 3, 4]`` → ``'on Mondays–Fridays'``; all seven → ``'every day'``.

    >>> day_list([0, 2, 4]), day_list([0, 1, 2, 5]), day_list(list(range(7)))
    ('on Mondays, Wednesdays, Fridays', 'on Mondays–Wednesdays, Saturdays', 'every day')
    """
    days = sorted(set(weekdays))
    if len(days) == 7:
        return "every day"
    runs: list[list[int]] = []
    for d in days:
        if runs and d == runs[-1][-1] + 1:
            runs[-1].append(d)
        else:
            runs.append([d])
    parts = [f"{WEEKDAY_PLURAL[r[0]]}–{WEEKDAY_PLURAL[r[-1]]}" if len(r) >= 3 else ", ".join(WEEKDAY_PLURAL[d] for d in r)
             for r in runs]
    return "on " + ", ".join(parts)


def _summary(movement: PostedMovement | None, activities: list[str], location, weekdays: list[int], start: int,
             end: int, effect: float, baseline: float, cases: int,
             medians: tuple[float, float] | None = None, narrower: str = "") -> str:
    """One sentence: where and when, what waits how long against the baseline (means, and the
    medians when given), how many cases. When the means part by less than half as much as the
    medians (:func:`.common.medians_lead`: a few very long waits outside the window), the sentence
    leads with the medians, which carry the finding. ``narrower`` names the weekdays of a merged
    window whose own hours are fewer (:func:`_narrower_days`).

    >>> for part in _summary(None, ["A", "B"], "W", [0], 9, 10, 2.1, 4.1, 35, medians=(2.0, 0.9)).split("; "):
    ...     print(part)
    At W on Mondays 09:00–10:00, 'B' follows 'A' after 2.0 h in the median case (vs 0.9 h otherwise
    mean 2.1 h vs 4.1 h, the other raised by a few long waits)
    35 cases.
    """
    days = day_list(weekdays)
    where = f"At {location} {days}" if location is not None else days[0].upper() + days[1:]
    when = f"{where} {start:02d}:00–{end:02d}:00" + (f" ({narrower})" if narrower else "")
    plural = "case" if cases == 1 else "cases"
    lag, vs = f"{fmt_h(effect)} h", f"vs {fmt_h(baseline)} h otherwise"
    if medians_lead(effect, baseline, medians):
        lag = f"{fmt_h(medians[0])} h in the median case"
        vs = f"vs {fmt_h(medians[1])} h otherwise; {means_clause(effect, baseline)}"
    elif medians is not None:
        vs += f"; median {fmt_h(medians[0])} h vs {fmt_h(medians[1])} h"
    if movement is not None:
        moves, posted = _PHRASES[movement]
        return f"{when}, {moves} {lag} before {posted} ({vs}); {cases:,} {plural}."
    return f"{when}, '{activities[1]}' follows '{activities[0]}' after {lag} ({vs}); {cases:,} {plural}."


def conditioned_lags(frame: pd.DataFrame, *, timezone: str | None, pairs=None, fdr: float = 0.05,
                     min_obs: int = 10, min_effect_h: float = 0.5, effect_factor: float = 2.0,
                     daily_after: int = 3) -> list[Finding]:
    """Windows (location × weekday × hours) where a transition's lag is significantly longer.

    ``pairs=None`` measures goods issues and goods receipts (movement → posting, findings of kind
    ``physical_before_book``; a window whose mean lag is not positive — posted first even there —
    is not reported). ``pairs=[(from_semantic, to_semantic), ...]`` measures generic transitions
    within a case (kind ``bottleneck``). ``timezone`` is an IANA name or ``+08:00`` (UTC when
    ``None``). Findings are sorted by ``effect_h × cases``, largest first; see the module
    docstring for the statistics.
    """
    if frame.empty or SEMANTIC not in frame.columns:
        return []
    return find_windows(_transitions(frame, pairs), timezone=timezone, fdr=fdr, min_obs=min_obs,
                        min_effect_h=min_effect_h, effect_factor=effect_factor, daily_after=daily_after)


def find_windows(transitions: list[Transition], *, timezone: str | None, fdr: float = 0.05, min_obs: int = 10,
                 min_effect_h: float = 0.5, effect_factor: float = 2.0, daily_after: int = 3,
                 stacked: pd.DataFrame | None = None) -> list[Finding]:
    """The windows of :func:`conditioned_lags` for transitions built by the caller (one
    Benjamini–Hochberg family over all of them); see the module docstring.

    ``stacked``: every transition's lag rows in one frame with a column ``t`` (the index of the
    transition in ``transitions``), instead of each transition's ``rows``. Windows of one
    transition and location on ``daily_after`` or more weekdays in common hours become one
    (:func:`merge_daily`).
    """
    keep_raw = {i for i, tr in enumerate(transitions) if tr.movement is not None}
    if stacked is None:
        stacked = pd.concat([tr.rows.assign(t=i) for i, tr in enumerate(transitions)], ignore_index=True) \
            if transitions else pd.DataFrame()
    obs = observations(stacked, timezone, keep_raw)
    table = cell_tests(obs, by_day=False, min_obs=min_obs)
    if table.empty:
        return []
    tested = table[table["tested"]].copy()  # none in a log too sparse everywhere: the later passes still run
    tested["q"] = bh(tested["p"].to_numpy(float)) if len(tested) else np.zeros(0)
    tested["rest_median"] = _rest_medians(obs, tested, tested["q"] <= fdr, by_day=False)
    tested["significant"] = (tested["q"] <= fdr) & clears_effect(tested["median"], tested["rest_median"], min_effect_h,
                                                                 effect_factor)
    table = table.join(tested[["q", "significant"]])
    table["significant"] = table["significant"].eq(True)
    table["weekday"], table["hour"] = table["cell"] // 24, table["cell"] % 24
    findings: list[Finding] = []
    for (g, weekday), day in table.groupby(["g", "weekday"], sort=True):
        if not day["significant"].any():
            continue
        tr = transitions[int(obs.groups.at[g, "t"])]
        q_by_hour = dict(zip(day.loc[day["significant"], "hour"].astype(int), day.loc[day["significant"], "q"]))
        # gaps a window may span: hours without lags, and hours too sparse to be tested or tested without
        # reaching significance whose median lag clears the same effect (one hour of few loads, or of a
        # weaker effect, does not cut a habit in two)
        agree = day[~day["significant"]]
        clears = clears_effect(agree["median"], obs.rest_medians(agree, by_day=False), min_effect_h,
                               effect_factor) if len(agree) else np.zeros(0, dtype=bool)
        present = set(day["hour"].astype(int))
        agreeing = set(agree.loc[clears, "hour"].astype(int))
        bridge = {h for h in range(24) if h not in present} | agreeing
        for start, end in _windows(list(q_by_hour), bridge):
            # and the agreeing hours just outside it (a small firm's habit: one hour has enough cases to
            # be significant, the next ones of the habit only a few each)
            while end < 24 and end in agreeing:
                end += 1
            while start > 0 and start - 1 in agreeing:
                start -= 1
            win = obs.slice(int(g), int(weekday), start, end)
            finding = _finding(obs, int(g), tr, int(weekday), start, end, win, timezone,
                               q=float(min(q_by_hour[h] for h in range(start, end) if h in q_by_hour)))
            if finding is not None:
                finding.details["window_p"] = window_p(obs, int(g), win)
                finding.details["cells"] = [[h, float(q_by_hour[h]) if h in q_by_hour else None]
                                            for h in range(start, end)]
                findings.append(finding)
    findings = _whole_days(obs, transitions, findings, timezone=timezone, fdr=fdr, min_obs=min_obs,
                            min_effect_h=min_effect_h, effect_factor=effect_factor)
    findings = _sparse_blocks(obs, transitions, findings, timezone=timezone, fdr=fdr, min_obs=min_obs,
                              min_effect_h=min_effect_h, effect_factor=effect_factor)
    findings = merge_daily(findings, daily_after=daily_after, medians=_merged_medians(obs, transitions))
    describe_postings(obs, transitions, findings)
    findings.sort(key=lambda f: -(f.effect_h * f.cases))
    return findings


def _rest_medians(obs: Observations, table: pd.DataFrame, needed: pd.Series, *, by_day: bool) -> np.ndarray:
    """The rest medians of ``table``'s cells where ``needed`` (NaN elsewhere): only cells that passed
    the test need the effect's yardstick, and a large log has thousands that did not."""
    out = np.full(len(table), np.nan)
    mask = needed.to_numpy(bool)
    if mask.any():
        out[mask] = obs.rest_medians(table[mask], by_day=by_day)
    return out


def _finding(obs: Observations, g: int, tr: Transition, weekday: int, start: int, end: int, win: pd.DataFrame,
             timezone: str | None, *, q: float) -> Finding | None:
    """The finding for the rows ``win`` of group ``g`` (None for a posting window posted first on average)."""
    grp = obs.groups.loc[g]
    n_win = len(win)
    effect = float(win["lag_h"].mean())
    baseline = float((grp["sum"] - win["lag_h"].sum()) / (grp["n"] - n_win)) if grp["n"] > n_win else float("nan")
    median, rest_median = float(win["lag_h"].median()), obs.rest_median(g, weekday, start, end)
    if tr.movement is not None and median <= 0:
        return None
    loc_key = grp["loc_key"]
    location = None if loc_key == NO_LOCATION else str(loc_key)
    cases = pd.unique(win["case"])
    # phantom stock only where goods moved before their posting: a hand-off's quantity × wait is no stock
    impact = float(win["impact"].sum()) if tr.movement is not None and win["impact"].notna().any() else None
    return Finding(
        kind=_kind(tr.movement), activities=list(tr.activities), location=location, weekday=weekday,
        hours=[float(start), float(end)], cases=int(len(cases)), effect_h=effect, baseline_h=baseline,
        stock_impact_qty=impact, q_value=q, evidence=evidence_by_lag(win["case"], win["lag_h"], MAX_EVIDENCE),
        summary=_summary(tr.movement, tr.activities, location, [weekday], start, end, effect, baseline,
                         int(len(cases)), medians=(median, rest_median)),
        case_ids=tuple(str(c) for c in cases),
        details={"transition": tr.label, "movement": None if tr.movement is None else tr.movement.name.lower(),
                 "median_h": median, "median_otherwise_h": rest_median,
                 "n_obs": int(n_win), "n_rows": int(win["n_rows"].sum()),
                 "timezone": timezone or "UTC",
                 **_movements(obs.raw.get(int(grp["t"])), loc_key, weekday, start, end)})


def _movements(raw: pd.DataFrame | None, loc_key, weekday: int, start: int, end: int,
               limit: int = MAX_LISTED) -> dict:
    """``{"movements": [...]}``: the window's movements (case, SKU, quantity, local time, lag),
    largest lag first, at most ``limit``; empty for generic transitions."""
    if raw is None:
        return {}
    inside = raw[(raw["loc_key"] == loc_key) & (raw["weekday"] == weekday) & (raw["hour"] >= start)
                 & (raw["hour"] < end)].sort_values("lag_h", ascending=False, kind="stable").head(limit)
    listing = pd.DataFrame({"case": inside["case"].astype(str), "sku": inside["sku"].astype(str),
                            "qty": inside["qty"].astype(float), "moved_at": inside["moved_at"],
                            "lag_h": inside["lag_h"].round(3)})
    return {"movements": [{k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in r.items()}
                          for r in listing.to_dict("records")]}


def _whole_days(obs: Observations, transitions: list[Transition], windows: list[Finding], *,
                timezone: str | None, fdr: float, min_obs: int, min_effect_h: float,
                effect_factor: float) -> list[Finding]:
    """Second pass for weekdays too sparse to test hour by hour (a few receipts a day, a quiet Saturday).

    Each weekday of a location is tested as one cell against the rest of its week (its own
    Benjamini–Hochberg family, at least ``max(4, min_obs // 3)`` cases per weekday, also on a
    transition busy on other days: four Saturday loads that all waited until Monday are a finding,
    and its sentence gives its case count); a
    significant weekday is reported as ``[0, 24)`` when no hour window covers it, or instead of
    its hour windows when the rest of that weekday agrees (its median lag clears the same minimum
    effect): receipts that mostly arrive at 07:00 and are all posted on Monday are a Friday habit,
    not a 07:00–08:00 one. Returns ``windows`` with the day findings merged in.
    """
    days = cell_tests(obs, by_day=True, min_obs=max(4, min_obs // 3))
    days = days[days["tested"]].copy()
    if days.empty:
        return windows
    days["q"] = bh(days["p"].to_numpy(float))
    days["rest_median"] = _rest_medians(obs, days, days["q"] <= fdr, by_day=True)
    significant = days[(days["q"] <= fdr) & clears_effect(days["median"], days["rest_median"], min_effect_h,
                                                          effect_factor)]
    out = list(windows)
    for row in significant.itertuples():
        g, weekday = int(row.g), int(row.cell)
        tr = transitions[int(obs.groups.at[g, "t"])]
        loc_key = obs.groups.at[g, "loc_key"]
        location = None if loc_key == NO_LOCATION else str(loc_key)
        hours = [f for f in out if (f.details["transition"], f.location, f.weekday) == (tr.label, location, weekday)]
        whole = obs.slice(g, weekday, 0, 24)
        if hours:
            inside = np.zeros(len(whole), dtype=bool)
            for f in hours:
                inside |= ((whole["hour"] >= f.hours[0]) & (whole["hour"] < f.hours[1])).to_numpy()
            rest = whole["lag_h"].to_numpy()[~inside]
            if len(rest) and not clears_effect(np.median(rest), float(row.rest_median), min_effect_h,
                                               effect_factor):
                continue
        finding = _finding(obs, g, tr, weekday, 0, 24, whole, timezone, q=float(row.q))
        if finding is not None:
            finding.details["granularity"] = "day"
            if hours:
                finding.details["hour_windows"] = [f.hours for f in hours]
            out = [f for f in out if f not in hours] + [finding]
    return out


BLOCK_H = 4  # the third pass's blocks of hours (and the same blocks shifted by half)
BLOCK_EFFECT = 4.0  # ... and how much stricter its minimum effect is (0.5 h and 2 x become 2 h and 8 x)


def _sparse_blocks(obs: Observations, transitions: list[Transition], windows: list[Finding], *,
                   timezone: str | None, fdr: float, min_obs: int, min_effect_h: float,
                   effect_factor: float) -> list[Finding]:
    """Third pass, for postings too sparse at a location to test hour by hour: a habit over part of a
    day (receipts of a Wednesday afternoon posted the next morning) whose cases are too few in
    each hour and too few of the day's to move its median.

    Fixed blocks of ``BLOCK_H`` hours of each weekday, and the same blocks shifted by half, are
    tested like the day cells (at least ``max(4, min_obs // 3)`` cases, their own
    Benjamini–Hochberg family, a minimum effect ``BLOCK_EFFECT`` times as strict, as so few cases
    are judged); on a weekday of a location with no finding yet, the significant blocks that
    touch become one window, cut to the runs of hours whose cases' median clears the effect (across
    hours without a case or with a single one: one movement posted first splits no habit), each
    kept when it still holds that many cases, the same hours on the other weekdays hold as many,
    and it is slower than they are (median and rank test; receipts unloaded at a shift's end wait
    overnight on any day: not a habit of one weekday). A weekday the day pass found slow as a whole
    gives way to its block windows when the rest of that day is prompt (the day pass's minimum
    effect, :func:`_rest_of_day_prompt`). Generic hand-offs are dense enough for the first pass.
    """
    min_n = max(4, min_obs // 3)
    postings = {g for g, t in obs.groups["t"].items() if transitions[int(t)].movement is not None}
    if not postings:
        return windows
    tables = []
    for offset in (0, BLOCK_H // 2):
        table = cell_tests(obs, by_day=False, min_obs=min_n, block=(BLOCK_H, offset))
        table = table[table["tested"] & table["g"].isin(postings)].copy()
        table["offset"] = offset
        tables.append(table)
    blocks = pd.concat(tables, ignore_index=True)
    if blocks.empty:
        return windows
    blocks["q"] = bh(blocks["p"].to_numpy(float))
    blocks["rest_median"] = np.nan
    for offset in (0, BLOCK_H // 2):
        mine = (blocks["offset"] == offset) & (blocks["q"] <= fdr)
        if mine.any():
            blocks.loc[mine, "rest_median"] = obs.rest_medians(blocks[mine], by_day=False, block=(BLOCK_H, offset))
    # few cases: a stricter minimum effect than the other passes'
    day_effect = (min_effect_h, effect_factor)
    min_effect_h, effect_factor = BLOCK_EFFECT * min_effect_h, BLOCK_EFFECT * effect_factor
    significant = blocks[(blocks["q"] <= fdr) & clears_effect(blocks["median"], blocks["rest_median"], min_effect_h,
                                                              effect_factor)]
    whole_days = {(f.details.get("transition"), f.location, f.weekday): f for f in windows
                  if f.details.get("granularity") == "day"}
    seen = {(f.details.get("transition"), f.location, f.weekday) for f in windows} - set(whole_days)
    out = list(windows)
    for (g, weekday), day in significant.groupby([significant["g"], significant["cell"] // 24], sort=True):
        g, weekday = int(g), int(weekday)
        tr = transitions[int(obs.groups.at[g, "t"])]
        loc_key = obs.groups.at[g, "loc_key"]
        location = None if loc_key == NO_LOCATION else str(loc_key)
        if (tr.label, location, weekday) in seen:
            continue
        found_here = []
        spans = [(int(c % 24), _block_end(int(c % 24), int(o)), float(q))
                 for c, o, q in zip(day["cell"], day["offset"], day["q"], strict=True)]
        rest = float(day["rest_median"].min())
        for start, end in _windows(sorted({h for a, b, _ in spans for h in range(a, b)})):  # blocks that touch
            q = min(q for a, b, q in spans if a < end and b > start)
            by_hour = obs.slice(g, weekday, start, end).groupby("hour")["lag_h"]
            medians, counts = by_hour.median(), by_hour.size()
            late = [int(h) for h in medians.index[clears_effect(medians, rest, min_effect_h, effect_factor)]]
            # the runs of late hours, across hours without any case or with a single one (one movement
            # posted first does not split a habit), not across hours of prompt postings
            lone = {int(h) for h in counts.index[counts <= 1]}
            for a, b in _windows(late, (set(range(24)) - {int(h) for h in medians.index}) | lone):
                found = _block_window(obs, g, tr, weekday, a, b, timezone, q=q, min_n=min_n, fdr=fdr,
                                      min_effect_h=min_effect_h, effect_factor=effect_factor)
                if found is not None:
                    found_here.append(found)
        day_finding = whole_days.get((tr.label, location, weekday))
        if day_finding is None:
            out += found_here
        elif found_here and _rest_of_day_prompt(obs, g, weekday, found_here, day_finding, *day_effect,
                                                min_n=min_n):
            out = [f for f in out if f is not day_finding] + found_here  # the day's slow part, not the whole day
    return out


def _rest_of_day_prompt(obs: Observations, g: int, weekday: int, blocks: list[Finding], day: Finding,
                        min_effect_h: float, effect_factor: float, *, min_n: int) -> bool:
    """Whether a weekday found slow as a whole (``day``) is slow only in ``blocks``: the day's cases
    outside them, at least ``min_n``, do not clear the day pass's minimum effect against the rest of
    the week (an evening habit on a day of few receipts moves the day's median; the block says
    where). Blocks holding nearly all the day's cases leave the day as it was."""
    whole = obs.slice(g, weekday, 0, 24)
    inside = np.zeros(len(whole), dtype=bool)
    for f in blocks:
        inside |= ((whole["hour"] >= f.hours[0]) & (whole["hour"] < f.hours[1])).to_numpy()
    rest = whole["lag_h"].to_numpy(float)[~inside]
    baseline = float(day.details["median_otherwise_h"])
    return len(rest) >= min_n and not bool(clears_effect(float(np.median(rest)), baseline, min_effect_h,
                                                         effect_factor))


def _block_window(obs: Observations, g: int, tr: Transition, weekday: int, start: int, end: int,
                  timezone: str | None, *, q: float, min_n: int, fdr: float, min_effect_h: float,
                  effect_factor: float) -> Finding | None:
    """The finding of a window of :func:`_sparse_blocks`, or None when it holds fewer than ``min_n``
    cases, or the same hours on the other weekdays do, or it is not slower than they are (its median
    clearing the effect against theirs, and a one-sided Mann–Whitney test at ``fdr``)."""
    win = obs.slice(g, weekday, start, end)
    if len(win) < min_n:
        return None
    # the same hours on the other weekdays: late receipts at every shift's end wait overnight on
    # any day; a weekday's habit is slower than its own hours elsewhere
    same = pd.concat([obs.slice(g, d, start, end) for d in range(7) if d != weekday])["lag_h"]
    if len(same) < min_n or not clears_effect(float(win["lag_h"].median()), float(same.median()), min_effect_h,
                                              effect_factor):
        return None
    if stats.mannwhitneyu(win["lag_h"], same, alternative="greater").pvalue > fdr:
        return None  # some of those hours' cases elsewhere wait as long
    finding = _finding(obs, g, tr, weekday, start, end, win, timezone, q=q)
    if finding is not None:
        finding.details["granularity"] = "block"
    return finding


def _block_end(start: int, offset: int) -> int:
    """The end of the block starting at ``start`` (the hours before a shifted block's first are a block)."""
    return offset if start == 0 and offset else min(24, start + BLOCK_H)


MERGE_OVERLAP = 0.5  # a weekday's window joins a daily one when they share at least this share of their hours


def _merged_medians(obs: Observations, transitions: list[Transition]):
    """A function giving the median lag of a daily window (weekday windows ``merged`` over hours
    ``[start, end)``) and that of the rest of its transition at its location."""
    group_of = {(transitions[int(t)].label, None if loc == NO_LOCATION else str(loc)): int(g)
                for g, t, loc in zip(obs.groups.index, obs.groups["t"], obs.groups["loc_key"], strict=True)}

    def medians(merged: list[Finding], start: int, end: int) -> tuple[float, float] | None:
        g = group_of.get((merged[0].details.get("transition"), merged[0].location))
        if g is None:
            return None
        rows = obs.group(g)
        weekday, hour = rows["weekday"].to_numpy(), rows["hour"].to_numpy()
        inside = np.zeros(len(rows), dtype=bool)
        for f in merged:  # each weekday's own hours (a Monday 06-10 beside Tuesday 06-08 windows: not Tuesday 08-10)
            inside |= (weekday == f.weekday) & (hour >= f.hours[0]) & (hour < f.hours[1])
        lags = rows["lag_h"].to_numpy(float)
        return (float(np.median(lags[inside])) if inside.any() else float("nan"),
                float(np.median(lags[~inside])) if (~inside).any() else float("nan"))

    return medians


def merge_daily(findings: list[Finding], *, daily_after: int = 3, medians=None) -> list[Finding]:
    """Fold windows of one transition and location seen on ``daily_after`` or more weekdays in
    common hours into one every-day finding; the rest are returned unchanged.

    A daily window starts from a run of hours covered on at least ``daily_after`` weekdays
    (longest first); the weekday windows that are about those hours (sharing at least
    ``MERGE_OVERLAP`` of the hours of the two together) are merged over the hours they cover
    together: cases and impact summed, effect and baseline averaged weighted by observations, the
    smallest q kept. A window much wider or narrower than the run (a whole-day habit on Monday
    next to a 16:00 one on other days) stays a finding of its own; the windows left may fold
    into another daily window. ``medians(merged, start, end)``, when given, gives the daily
    window's median lag and that of the rest, which its sentence then carries as a weekday
    window's does (a mean below the rest's, from a few very long waits elsewhere, would read as
    a speed-up).

    >>> f = lambda day, a, b: Finding(kind=FindingKind.BOTTLENECK, activities=["A", "B"], location="W1",
    ...     weekday=day, hours=[a, b], cases=10, effect_h=5.0, baseline_h=1.0, stock_impact_qty=None,
    ...     q_value=0.01, evidence=[], summary="", details={"transition": "A -> B"})
    >>> out = merge_daily([f(1, 0, 4), f(2, 0, 4), f(3, 0, 2), f(0, 0, 24)])
    >>> [(x.weekday, x.hours) for x in out]
    [(None, [0.0, 4.0]), (0, [0, 24])]
    """
    out: list[Finding] = []
    groups: dict[tuple, list[Finding]] = {}
    for f in findings:
        if f.weekday is None or f.hours is None:
            out.append(f)
        else:
            groups.setdefault((f.details.get("transition"), f.location), []).append(f)
    for group in groups.values():
        while (merge := _daily_merge(group, daily_after)) is not None:
            merged, start, end = merge
            group = [f for f in group if f not in merged]
            out.append(_daily(merged, start, end, None if medians is None else medians(merged, start, end)))
        out.extend(group)
    return out


def _daily_merge(group: list[Finding], daily_after: int) -> tuple[list[Finding], int, int] | None:
    """The first daily window in ``group`` (its windows, start, end), or None (see :func:`merge_daily`)."""
    runs: set[tuple[int, int]] = set()
    # the hours covered on enough weekdays, by every window and by all but the whole-day ones (a
    # Saturday's whole day would widen the run of 07:00-08:00 windows past what they share)
    for windows in (group, [f for f in group if f.hours[1] - f.hours[0] < 24]):
        cover = np.zeros(24, dtype=int)
        for f in windows:
            cover[int(f.hours[0]):int(np.ceil(f.hours[1]))] += 1
        runs.update(_windows([h for h in range(24) if cover[h] >= daily_after]))
    for run_start, run_end in sorted(runs, key=lambda r: (r[0] - r[1], r[0])):
        merged = [f for f in group if _overlap(f.hours, (run_start, run_end)) >= MERGE_OVERLAP]
        if len({f.weekday for f in merged}) >= daily_after:
            return merged, int(min(f.hours[0] for f in merged)), int(np.ceil(max(f.hours[1] for f in merged)))
    return None


def _narrower_days(merged: list[Finding], start: int, end: int) -> str:
    """The weekdays whose own window is not the merged one's ``[start, end)``, grouped by their hours
    (``'Tuesdays–Fridays only 06:00–08:00'``), for the sentence; ``''`` when every day spans it.

    >>> f = lambda day, a, b: Finding(kind=FindingKind.BOTTLENECK, activities=["A", "B"], location="W1",
    ...     weekday=day, hours=[a, b], cases=10, effect_h=5.0, baseline_h=1.0, stock_impact_qty=None,
    ...     q_value=0.01, evidence=[], summary="", details={})
    >>> _narrower_days([f(0, 6, 10), f(1, 6, 8), f(2, 6, 8), f(3, 6, 8), f(5, 7, 10)], 6, 10)
    'Tuesdays–Thursdays only 06:00–08:00; Saturdays only 07:00–10:00'
    """
    by_hours: dict[tuple[float, float], list[int]] = {}
    for f in merged:
        if (f.hours[0], f.hours[1]) != (start, end):
            by_hours.setdefault((f.hours[0], f.hours[1]), []).append(f.weekday)
    parts = sorted(by_hours.items(), key=lambda item: min(item[1]))
    return "; ".join(f"{day_list(days).removeprefix('on ')} only {clock(a)}–{clock(b)}" for (a, b), days in parts)


def _overlap(hours, run: tuple[int, int]) -> float:
    """Hours shared by a window and a run, over the hours of either (intersection over union)."""
    shared = min(hours[1], run[1]) - max(hours[0], run[0])
    return max(0.0, shared) / (max(hours[1], run[1]) - min(hours[0], run[0]))


def _daily(merged: list[Finding], start: int, end: int, medians: tuple[float, float] | None = None) -> Finding:
    weights = np.array([f.details.get("n_obs", f.cases) for f in merged], dtype=float)
    effect = float(np.average([f.effect_h for f in merged], weights=weights))
    baseline = float(np.average([f.baseline_h for f in merged], weights=weights))
    cases = tuple(dict.fromkeys(c for f in merged for c in f.case_ids))
    impacts = [f.stock_impact_qty for f in merged if f.stock_impact_qty is not None]
    first = merged[0]
    days = sorted({f.weekday for f in merged})
    movement = first.details.get("movement")
    summary = _summary(PostedMovement[movement.upper()] if movement else None, first.activities, first.location, days,
                       start, end, effect, baseline, len(cases), medians=medians,
                       narrower=_narrower_days(merged, start, end))
    evidence = list(dict.fromkeys(c for f in merged for c in f.evidence))[:MAX_EVIDENCE]
    return Finding(
        kind=first.kind, activities=list(first.activities), location=first.location, weekday=None,
        hours=[float(start), float(end)], cases=len(cases), effect_h=effect, baseline_h=baseline,
        stock_impact_qty=float(sum(impacts)) if impacts else None, q_value=min(f.q_value for f in merged),
        evidence=evidence, summary=summary, case_ids=cases,
        details={"transition": first.details.get("transition"), "movement": movement, "weekdays": days,
                 "granularity": "daily",
                 "windows": [{"weekday": f.weekday, "hours": f.hours, "cases": f.cases, "effect_h": f.effect_h,
                              "q_value": f.q_value} for f in merged],
                 "n_obs": int(weights.sum()), "timezone": first.details.get("timezone"),
                 **({} if medians is None else {"median_h": medians[0], "median_otherwise_h": medians[1]}),
                 **({"movements": sorted((m for f in merged for m in f.details.get("movements", [])),
                                         key=lambda m: -(m["lag_h"] or 0))[:MAX_LISTED]} if movement else {})})
