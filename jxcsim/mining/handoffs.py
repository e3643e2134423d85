"""Hand-offs: the wait between consecutive steps of a case, overall and by location × weekday × hour.

A *hand-off* is a directly-follows pair: event ``a`` then the next event ``b`` of the same case
(by completion time, ties in log order), with lag = ``b`` − ``a`` in hours (completion to
completion, as :func:`pm4py.discover_performance_dfg` measures without start times). It works
on activity names alone, so it needs no profile; repeats of one activity (``a → a``) are not
hand-offs, and a movement followed by its own posting (or the reverse) is left to the posting
analysis (:mod:`jxcsim.mining.lag`).

- :func:`find_slow_handoffs`: the hand-offs holding the most waiting time over the whole log
  (at least ``min_share`` of all waiting time), ``bottleneck`` findings without a window;
- :func:`find_handoff_windows`: every frequent hand-off conditioned on location × weekday × hour
  exactly as posting lags are (:func:`jxcsim.mining.lag.find_windows`; a pattern seen on
  ``daily_after`` or more weekdays in overlapping hours becomes one finding, ``weekday`` ``None``).

>>> from jxcsim.kpi.example import example_log
>>> pairs = directly_follows(example_log())
>>> pairs[["from", "to"]].head(2).values.tolist()
[['Po created', 'Physical receipt'], ['Physical receipt', 'Book receipt']]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..eventlog.schema import ACTIVITY, CASE, SEMANTIC, TIMESTAMP
from ..kpi.posting import PostedMovement
from ..kpi.shared import shared
from .common import fmt_h, plural
from .findings import MAX_EVIDENCE, Finding, FindingKind
from .lag import Transition, find_windows

_POSTING_PAIRS = {frozenset((m.physical.value, m.book.value)) for m in PostedMovement}


@shared
def directly_follows(frame: pd.DataFrame) -> pd.DataFrame:
    """Every hand-off: ``case``, ``from``, ``to``, ``first_time`` (UTC), ``lag_h``, ``posting``
    (a movement and its own posting, either way round) and, when the log has them, ``location``,
    ``qty``, ``sku`` (of the first event)."""
    if frame.empty:
        return pd.DataFrame(columns=["case", "from", "to", "first_time", "lag_h", "posting"])
    codes, _ = pd.factorize(frame[CASE])
    times = frame[TIMESTAMP].array
    ts = times.asi8 if hasattr(times, "asi8") else frame[TIMESTAMP].astype("int64").to_numpy()
    order = np.lexsort((np.arange(len(frame)), ts, codes))
    codes, ts = codes[order], np.asarray(ts)[order]
    same = codes[1:] == codes[:-1]
    first, second = order[:-1][same], order[1:][same]
    act_codes, act_names = pd.factorize(frame[ACTIVITY].astype(str))
    out = pd.DataFrame({
        "case": frame[CASE].to_numpy()[first], "from": act_names[act_codes[first]], "to": act_names[act_codes[second]],
        "first_time": times[first], "lag_h": (ts[1:][same] - ts[:-1][same]) / 3.6e12,
        "_edge": act_codes[first].astype(np.int64) * len(act_names) + act_codes[second],
        "posting": _posting_pairs(frame, first, second),
    })
    for col in ("location", "qty", "sku"):
        if col in frame.columns:
            out[col] = frame[col].to_numpy()[first]
    return out


def _posting_pairs(frame: pd.DataFrame, first: np.ndarray, second: np.ndarray) -> np.ndarray:
    if SEMANTIC not in frame.columns:
        return np.zeros(len(first), dtype=bool)
    sem_codes, sem_names = pd.factorize(frame[SEMANTIC].astype(object))
    n = len(sem_names) + 1
    index = {name: i for i, name in enumerate(sem_names)}
    bad = [index[a] * n + index[b] for pair in _POSTING_PAIRS for a in pair for b in pair
           if a != b and a in index and b in index]
    return np.isin(sem_codes[first].astype(np.int64) * n + sem_codes[second], bad)


def _handoffs(frame: pd.DataFrame) -> pd.DataFrame:
    pairs = directly_follows(frame)
    return pairs[(pairs["from"].to_numpy() != pairs["to"].to_numpy()) & ~pairs["posting"].to_numpy()]


def find_slow_handoffs(frame: pd.DataFrame, *, top: int = 3, min_share: float = 0.1, min_cases: int = 10
                       ) -> list[Finding]:
    """The ``top`` hand-offs with the largest total wait, each holding at least ``min_share`` of
    all waiting time between steps; ``baseline_h`` is the mean wait of every other hand-off."""
    pairs = _handoffs(frame)
    if pairs.empty:
        return []
    total = float(pairs["lag_h"].clip(lower=0).sum())
    if total <= 0:
        return []
    stats = (pairs.assign(wait=pairs["lag_h"].clip(lower=0)).groupby(["from", "to"], sort=False)
             .agg(n=("wait", "size"), cases=("case", "nunique"), sum=("wait", "sum"), mean=("wait", "mean"),
                  median=("wait", "median"), p90=("wait", lambda s: float(np.percentile(s, 90))))
             .sort_values("sum", ascending=False, kind="stable"))
    findings = []
    for (a, b), row in stats.head(top).iterrows():
        share = row["sum"] / total
        if share < min_share or row["cases"] < min_cases:
            continue
        rest_n = len(pairs) - row["n"]
        baseline = (total - row["sum"]) / rest_n if rest_n else float("nan")
        edge = pairs[(pairs["from"] == a) & (pairs["to"] == b)]
        evidence = edge.sort_values("lag_h", ascending=False, kind="stable")["case"].astype(str)
        findings.append(Finding(
            kind=FindingKind.BOTTLENECK, activities=[str(a), str(b)], location=None, weekday=None, hours=None,
            cases=int(row["cases"]), effect_h=float(row["mean"]), baseline_h=float(baseline), stock_impact_qty=None,
            q_value=None, evidence=list(pd.unique(evidence)[:MAX_EVIDENCE]),
            summary=(f"'{b}' waits for '{a}' {fmt_h(row['mean'])} h on average (median {fmt_h(row['median'])} h, "
                     f"p90 {fmt_h(row['p90'])} h) in {plural(int(row['cases']), 'case')}: {share:.0%} of all "
                     f"waiting time between steps."),
            case_ids=tuple(str(c) for c in pd.unique(edge["case"])),
            details={"scope": "whole log", "share_of_waiting": float(share), "hand_offs": int(row["n"]),
                     "median_h": float(row["median"]), "p90_h": float(row["p90"])}))
    return findings


def find_handoff_windows(frame: pd.DataFrame, *, timezone: str | None, max_edges: int = 40, min_obs: int = 10,
                         fdr: float = 0.05, min_effect_h: float = 0.5, effect_factor: float = 2.0,
                         daily_after: int = 3) -> list[Finding]:
    """Windows where a frequent hand-off waits significantly longer (see the module docstring).

    The ``max_edges`` most frequent hand-offs with at least ``4 × min_obs`` observations are tested.
    """
    pairs = _handoffs(frame)
    if pairs.empty:
        return []
    counts = pairs["_edge"].value_counts(sort=True)
    counts = counts[counts >= 4 * min_obs].head(max_edges)
    chosen = pairs[pairs["_edge"].isin(counts.index)]
    t_of = {edge: t for t, edge in enumerate(counts.index)}
    names = chosen.drop_duplicates("_edge").set_index("_edge")[["from", "to"]]
    transitions = [Transition(f"{names.at[e, 'from']}->{names.at[e, 'to']}", None,
                              [str(names.at[e, "from"]), str(names.at[e, "to"])], None) for e in counts.index]
    stacked = pd.DataFrame({"t": chosen["_edge"].map(t_of).to_numpy(), "case": chosen["case"].to_numpy(),
                            "location": chosen["location"].to_numpy() if "location" in chosen.columns else None,
                            "first_time": chosen["first_time"].array, "lag_h": chosen["lag_h"].to_numpy(float),
                            "qty": chosen["qty"].to_numpy(float) if "qty" in chosen.columns else np.nan})
    return find_windows(transitions, timezone=timezone, fdr=fdr, min_obs=min_obs, min_effect_h=min_effect_h,
                        effect_factor=effect_factor, daily_after=daily_after, stacked=stacked)
