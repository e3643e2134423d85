"""Pair lifecycle ``start`` and ``complete`` events into activity instances.

Pairs are formed per case × activity (× resource when the log has one), first in first out:
the k-th complete that finds an open start takes the k-th start. A complete with no open start
is an instance without a start time; a start never completed is reported (quarantined).

>>> ev = pd.DataFrame({"c": ["1"] * 4, "a": ["x"] * 4, "l": ["start", "start", "complete", "complete"],
...                    "t": pd.to_datetime([1, 2, 3, 4], unit="h", utc=True)})
>>> r = pair_lifecycle(ev, keys=["c", "a"], lifecycle="l", time="t")
>>> [(int(c), int(s)) for c, s in zip(r.complete_rows, r.start_rows)]
[(2, 0), (3, 1)]
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

START_VALUES = ("start",)
COMPLETE_VALUES = ("complete", "completed", "end", "")


@dataclass(frozen=True)
class PairingResult:
    """Positions (0-based, into the input) of each instance's complete and start (-1: none)."""

    complete_rows: np.ndarray
    start_rows: np.ndarray
    unmatched_starts: np.ndarray
    other_rows: np.ndarray  # lifecycle values that are neither start nor complete
    other_values: np.ndarray


def pair_lifecycle(events: pd.DataFrame, *, keys: list[str], lifecycle: str, time: str) -> PairingResult:
    """Pair start/complete events FIFO within ``keys``; see the module docstring."""
    n = len(events)
    pos = np.arange(n)
    life = events[lifecycle].astype("string").str.strip().str.lower().fillna("complete").to_numpy(dtype=object)
    is_start = np.isin(life, START_VALUES)
    is_complete = np.isin(life, COMPLETE_VALUES) | pd.isna(life)
    other = ~(is_start | is_complete)

    sel = ~other
    work = pd.DataFrame({k: events[k].to_numpy()[sel] for k in keys})
    times = events[time]
    work["_t"] = (times.array.asi8 if isinstance(times.dtype, pd.DatetimeTZDtype) else times.to_numpy())[sel]
    work["_start"] = is_start[sel]
    work["_pos"] = pos[sel]
    # Order: key, time, starts before completes at equal times, file order.
    work["_order"] = np.where(work["_start"], 0, 1)
    work = work.sort_values([*keys, "_t", "_order", "_pos"], kind="stable", na_position="first")
    group = work.groupby(keys, sort=False, dropna=False).ngroup().to_numpy()

    starts = work["_start"].to_numpy()
    step = np.where(starts, -1, 1)  # completes minus starts
    frame = pd.DataFrame({"g": group, "step": step})
    diff = frame.groupby("g", sort=False)["step"].cumsum().to_numpy()
    free = np.maximum(pd.Series(diff).groupby(group).cummax().to_numpy(), 0)
    prev_free = np.concatenate(([0], free[:-1]))
    first_in_group = np.concatenate(([True], group[1:] != group[:-1]))
    prev_free = np.where(first_in_group, 0, prev_free)
    consuming = (~starts) & (free == prev_free)

    # k-th consuming complete in a group takes the k-th start of that group.
    start_rank = pd.Series(starts.astype(int)).groupby(group).cumsum().to_numpy() - 1
    cons_rank = pd.Series(consuming.astype(int)).groupby(group).cumsum().to_numpy() - 1
    positions = work["_pos"].to_numpy()
    start_key = pd.Series(positions[starts], index=pd.MultiIndex.from_arrays([group[starts], start_rank[starts]]))
    cons_idx = pd.MultiIndex.from_arrays([group[consuming], cons_rank[consuming]])
    matched_starts = start_key.reindex(cons_idx).to_numpy()

    completes = ~starts
    start_rows = np.full(completes.sum(), -1, dtype=np.int64)
    complete_positions = positions[completes]
    consuming_among_completes = consuming[completes]
    start_rows[consuming_among_completes] = matched_starts.astype(np.int64)
    used = np.zeros(n, dtype=bool)
    used[matched_starts.astype(np.int64)] = True
    unmatched = pos[is_start & ~used]
    order = np.argsort(complete_positions, kind="stable")
    return PairingResult(
        complete_rows=complete_positions[order],
        start_rows=start_rows[order],
        unmatched_starts=unmatched,
        other_rows=pos[other],
        other_values=life[other],
    )
