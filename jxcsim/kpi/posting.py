"""Posting delays: when goods moved versus when the system recorded it.

A physical movement (``physical_issue``, ``physical_receipt``, ...) is matched to its posting
(``book_issue``, ``book_receipt``, ...) by case id + sku (+ ``line`` when the log has that
column), first in first out within the key when there are several. ``delay_h`` = posting time −
movement time, in hours; negative when the posting came first.

>>> from jxcsim.kpi.example import example_log
>>> d = posting_delays(example_log(), timezone="Asia/Shanghai")
>>> d.n_physical, d.n_matched, d.mean_h, d.share_within_h, d.share_physical_first
(4, 3, 1.0, 0.6666666666666666, 0.6666666666666666)
>>> d.never_posted, d.never_posted_by_month, d.unmatched_postings
(1, {'2025-01': 1}, 0)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

import numpy as np
import pandas as pd

from ..eventlog.schema import CASE, SEMANTIC, TIMESTAMP, Semantic
from .common import HOUR, KpiUnavailable, duration_stats, events, local, require_columns, share
from .shared import shared

WITHIN_H = 2.0


class PostedMovement(Enum):
    """A kind of stock movement: the semantic of the goods moving and that of its posting.

    >>> PostedMovement.ISSUE.physical.value, PostedMovement.ISSUE.book.value
    ('physical_issue', 'book_issue')
    """

    ISSUE = (Semantic.PHYSICAL_ISSUE, Semantic.BOOK_ISSUE)
    RECEIPT = (Semantic.PHYSICAL_RECEIPT, Semantic.BOOK_RECEIPT)
    TRANSFER_OUT = (Semantic.TRANSFER_PHYSICAL_OUT, Semantic.TRANSFER_BOOK_OUT)
    TRANSFER_IN = (Semantic.TRANSFER_PHYSICAL_IN, Semantic.TRANSFER_BOOK_IN)
    RETURN_IN = (Semantic.RETURN_PHYSICAL_IN, Semantic.RETURN_BOOK_IN)

    @property
    def physical(self) -> Semantic:
        """The semantic of the goods moving."""
        return self.value[0]

    @property
    def book(self) -> Semantic:
        """The semantic of the posting."""
        return self.value[1]


@shared
def match_postings(frame: pd.DataFrame, movement: PostedMovement = PostedMovement.ISSUE) -> pd.DataFrame:
    """One row per physical movement and per posting never matched to one, with the delay.

    Columns: the key (case, ``sku``, ``line`` when present), ``location`` (when present),
    ``physical_time`` and ``book_time`` (NaT on the side that is missing), ``delay_h``
    (NaN unless matched), ``physical_qty`` and ``book_qty`` (when the log has ``qty``).
    Sorted by physical time, unmatched postings last. Raises :class:`KpiUnavailable` when the
    log lacks ``sku`` or either semantic (without both, "never posted" would mean nothing).

    >>> from jxcsim.kpi.example import example_log
    >>> m = match_postings(example_log(), PostedMovement.RECEIPT)
    >>> m[["case:concept:name", "sku", "delay_h"]].to_string(index=False)
    'case:concept:name sku  delay_h\\n             PO-1   A     16.0\\n             PO-2   B      NaN'
    """
    kpi = f"{movement.name.lower()} posting delay"
    require_columns(frame, ["sku"], kpi)
    moved = events(frame, movement.physical, kpi)
    posted = events(frame, movement.book, kpi)
    keys = [CASE, "sku"] + (["line"] if "line" in frame.columns else [])
    extra = [c for c in ("location", "qty") if c in frame.columns]
    both = pd.concat([moved[keys + [TIMESTAMP] + extra].assign(_book=False),
                      posted[keys + [TIMESTAMP] + extra].assign(_book=True)], ignore_index=True)
    both["_key"] = both.groupby(keys, sort=False, dropna=False).ngroup()
    both = both.sort_values(["_book", "_key", TIMESTAMP], kind="stable")
    both["_rank"] = both.groupby(["_book", "_key"], sort=False).cumcount()
    side_cols = [TIMESTAMP] + extra
    left = both.loc[~both["_book"], ["_key", "_rank"] + side_cols]
    right = both.loc[both["_book"], ["_key", "_rank"] + side_cols]
    pairs = left.merge(right, on=["_key", "_rank"], how="outer", suffixes=("_p", "_b"), sort=False)
    key_table = both.drop_duplicates("_key")[["_key"] + keys]
    out = pairs.merge(key_table, on="_key", how="left", sort=False)
    result = out[keys].copy()
    if "location" in extra:
        result["location"] = out["location_p"].where(out["location_p"].notna(), out["location_b"])
    result["physical_time"] = out[f"{TIMESTAMP}_p"]
    result["book_time"] = out[f"{TIMESTAMP}_b"]
    result["delay_h"] = (result["book_time"] - result["physical_time"]) / HOUR
    if "qty" in extra:
        result["physical_qty"] = out["qty_p"]
        result["book_qty"] = out["qty_b"]
    return result.sort_values(["physical_time", "book_time"], kind="stable", na_position="last").reset_index(drop=True)


@dataclass(frozen=True)
class PostingDelays:
    """Posting-delay figures of one kind of movement (see :func:`posting_delays`)."""

    movement: str
    n_physical: int
    n_postings: int
    n_matched: int
    mean_h: float | None
    median_h: float | None
    p90_h: float | None
    within_h: float
    share_within_h: float | None
    share_physical_first: float | None
    never_posted: int
    share_never_posted: float | None
    never_posted_by_month: dict[str, int] = field(default_factory=dict)
    pending_at_end: int = 0
    unmatched_postings: int = 0
    qty_mismatches: int = 0


def posting_delays(frame: pd.DataFrame, movement: PostedMovement = PostedMovement.ISSUE, *,
                   timezone: str | None = None, within_h: float = WITHIN_H) -> PostingDelays:
    """Posting-delay KPIs of ``movement`` (issues by default) over the whole log.

    Over matched pairs: mean, median, p90 of ``delay_h``; ``share_within_h`` = share with
    ``delay_h <= within_h`` (posted-first included); ``share_physical_first`` = share with
    ``delay_h > 0``. ``never_posted`` = physical movements with no posting by the end of the
    log, counted once they are older than their grace period (:func:`pending_grace`, measured to
    the last posting at their location, :func:`last_posting`; also per calendar month of the
    movement, local time, and as a share of all physical movements); ``pending_at_end`` = those
    still within it (a Friday receipt the clerks post on Monday, in a log ending on Sunday);
    ``unmatched_postings`` = postings with no movement; ``qty_mismatches`` = matched pairs whose
    quantities differ. ``n_matched + never_posted + pending_at_end == n_physical``.

    >>> from jxcsim.kpi.example import example_log
    >>> d = posting_delays(example_log(), PostedMovement.RECEIPT)
    >>> d.n_matched, d.mean_h, d.share_within_h, d.unmatched_postings
    (1, 16.0, 0.0, 1)
    """
    pairs = match_postings(frame, movement)
    moved = pairs["physical_time"].notna()
    posted = pairs["book_time"].notna()
    matched = pairs.loc[moved & posted, "delay_h"]
    stats = duration_stats(matched)
    unposted, old_enough = unposted_split(frame, movement, timezone)
    never = unposted.loc[old_enough, "physical_time"]
    months = local(never, timezone).dt.strftime("%Y-%m").value_counts().sort_index()
    mismatches = 0
    if "physical_qty" in pairs.columns:
        both = pairs[moved & posted]
        diff = (both["physical_qty"] - both["book_qty"]).abs() > 1e-6
        mismatches = int(diff.sum())
    n_physical = int(moved.sum())
    return PostingDelays(
        movement=movement.name.lower(), n_physical=n_physical, n_postings=int(posted.sum()),
        n_matched=stats.n, mean_h=stats.mean, median_h=stats.median, p90_h=stats.p90, within_h=within_h,
        share_within_h=share(matched <= within_h), share_physical_first=share(matched > 0),
        never_posted=int(len(never)), share_never_posted=(len(never) / n_physical) if n_physical else None,
        pending_at_end=int(len(unposted) - len(never)),
        never_posted_by_month={str(k): int(v) for k, v in months.items()},
        unmatched_postings=int((posted & ~moved).sum()), qty_mismatches=mismatches,
    )


@shared
def unposted_split(frame: pd.DataFrame, movement: PostedMovement, timezone: str | None
                       ) -> tuple[pd.DataFrame, pd.Series]:
    """The rows of :func:`match_postings` of ``frame`` and ``movement`` that moved and were never
    posted, and per row whether it is older than its grace (never posted) rather than still pending
    (:func:`pending_grace`, its age measured to the last posting at its location); worked out once
    per frame inside :func:`.shared.sharing` (the posting delays and the discrepancy both ask)."""
    pairs = match_postings(frame, movement)
    moved = pairs["physical_time"].notna()
    unposted = pairs[moved & pairs["book_time"].isna()]
    old_enough = pd.Series(False, index=unposted.index)
    if len(unposted):
        age_h = (last_posting(frame)(unposted) - unposted["physical_time"]) / HOUR
        old_enough = age_h >= pending_grace(pairs[moved], timezone).reindex(unposted.index)
    return unposted, old_enough


def pending_units(frame: pd.DataFrame, *, timezone: str | None = None) -> dict[str, float]:
    """Units of the goods issues and receipts still pending at the end of the log (moved, unposted,
    within their grace, as :func:`posting_delays` counts ``pending_at_end``), signed as they part
    book from shelf: ``{"unposted_issue": +units, "unposted_receipt": -units}`` (movements present
    in the log with their postings only; empty without quantities).

    >>> from jxcsim.kpi.example import example_log
    >>> pending_units(example_log(), timezone="Asia/Shanghai")
    {}
    """
    out: dict[str, float] = {}
    for movement, cause, sign in ((PostedMovement.ISSUE, "unposted_issue", 1.0),
                                  (PostedMovement.RECEIPT, "unposted_receipt", -1.0)):
        try:
            pairs = match_postings(frame, movement)
        except KpiUnavailable:  # the log lacks this movement's moves or postings
            continue
        if "physical_qty" not in pairs.columns:
            continue
        unposted, old_enough = unposted_split(frame, movement, timezone)
        units = float(unposted.loc[~old_enough, "physical_qty"].astype(float).sum())
        if round(units, 6):
            out[cause] = round(sign * units, 6)
    return out


SILENT = pd.Timedelta(hours=96)  # a location that posted nothing for longer before the log's end stopped posting
MIN_GRACE_H = 24.0  # the least time a movement stays unposted before it counts as never posted
POSTINGS = frozenset({m.book.value for m in PostedMovement} | {"adjustment"})  # what a clerk posts


def last_posting(frame: pd.DataFrame):
    """A function giving, for rows with a ``location``, the time of the last posting of any kind
    (:data:`POSTINGS`) at each row's location in ``frame`` — the log's end where the location
    posted nothing or rows have no location. A movement's age is measured to it: a Friday-evening
    load at a warehouse whose clerks are gone until Monday is not lost in a log that ends on Sunday.
    A location silent for more than ``SILENT`` (96 h) before the log's end stopped posting: the
    movements after its last posting are aged to the log's end.

    >>> import pandas as pd
    >>> log = pd.DataFrame({"semantic": ["book_issue", "physical_issue", "book_receipt"], "location": ["A", "A", "B"],
    ...                     "time:timestamp": pd.to_datetime(["2025-01-03 16:00", "2025-01-03 17:00",
    ...                                                        "2025-01-05 20:00"], utc=True)})
    >>> until = last_posting(log)
    >>> [str(t) for t in until(pd.DataFrame({"location": ["A", "C"]}))]   # C never posted: the log's end
    ['2025-01-03 16:00:00+00:00', '2025-01-05 20:00:00+00:00']
    """
    log_end = frame[TIMESTAMP].max()
    if "location" not in frame.columns or SEMANTIC not in frame.columns:
        return lambda rows: pd.Series(log_end, index=rows.index)
    posted = frame[frame[SEMANTIC].astype(str).isin(POSTINGS)]
    last = posted.groupby(posted["location"].astype(object), sort=False)[TIMESTAMP].max()

    def until(rows: pd.DataFrame) -> pd.Series:
        if "location" not in rows.columns:
            return pd.Series(log_end, index=rows.index)
        out = rows["location"].astype(object).map(last).fillna(log_end)
        if "physical_time" in rows.columns:  # a location silent for longer than a long weekend before the log's
            silent = (out < rows["physical_time"]) & (log_end - out > SILENT)  # end stopped posting: its end
            out = out.where(~silent, log_end)
        return out
    return until


def pending_grace(moved: pd.DataFrame, timezone: str | None) -> pd.Series:
    """Per movement (rows of :func:`match_postings` that moved): how long it may stay unposted and
    still be pending — the largest of ``MIN_GRACE_H``, the 99th percentile of the posting delays,
    and the longest delay seen at its location on its local weekday (when there are at least 3:
    where Friday's receipts are posted on Monday, a Friday receipt unposted on Sunday is pending)."""
    delays = moved["delay_h"]
    base = max(MIN_GRACE_H, float(np.nanpercentile(delays.dropna(), 99))) if delays.notna().any() else MIN_GRACE_H
    weekday = local(moved["physical_time"], timezone).dt.weekday.to_numpy()
    keys = pd.DataFrame({"loc": moved["location"].astype(object).fillna("") if "location" in moved.columns else "",
                         "weekday": weekday, "delay": delays.to_numpy(float)}, index=moved.index)
    grouped = keys.groupby(["loc", "weekday"])["delay"]
    longest = grouped.transform("max").where(grouped.transform("count") >= 3)
    return longest.fillna(base).clip(lower=base)
