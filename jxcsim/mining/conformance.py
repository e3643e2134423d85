"""Conformance: does the log follow the intended order of work and the mined model?

* :func:`check_precedence` — the declare constraint *precedence(posting, movement)*, "record
  before movement": goods should leave (arrive, be transferred) only after the system has
  recorded it; goods that arrive are posted within 2 h of the movement (*response* with a deadline:
  the receipt is posted once the goods are unloaded). Per movement, matched to its posting by case
  + sku (+ line) as in :func:`jxcsim.kpi.posting.match_postings` (case alone when the log has no
  sku), the movement deviates when its posting came later (or, arriving, later than that) or never. Rates per location × weekday (local time
  of the movement), with counts. Works on semantics only; a movement kind whose semantics the
  profile does not give is skipped with the reason.
* :func:`fitness_token_replay` and :func:`fitness_alignments` — how well the cases replay on the
  inductive-miner model (pm4py, single-process), on a seeded case sample unless ``full=True``.
* :func:`check_temporal_profile` — pm4py's temporal profile (mean and standard deviation of the
  time between every pair of activities that eventually follow each other in a case) and the
  pairs whose times deviate most often, on a seeded case sample unless ``full=True``.

>>> from jxcsim.kpi.example import example_log, TIMEZONE
>>> result = check_precedence(example_log(), timezone=TIMEZONE)
>>> result.rates(["movement"])[["movement", "movements", "posted_after", "never_posted", "deviation_rate"]]
  movement  movements  posted_after  never_posted  deviation_rate
0    issue          4             2             1            0.75
1  receipt          1             1             0            1.00
>>> result.skipped
{'transfer_out': 'the log has no transfer_physical_out events'}
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..eventlog.schema import ACTIVITY, CASE, SEMANTIC, TIMESTAMP
from ..eventlog.timezone import local_times
from ..kpi.common import WEEKDAYS
from ..kpi.posting import WITHIN_H, PostedMovement, last_posting, match_postings, pending_grace
from .discovery import (DEFAULT_NOISE_THRESHOLD, SINGLE_PROCESS, ProcessModel, SampleInfo, discover_process_model,
                        draw_case_sample, pm4py_frame)

DEFAULT_MOVEMENTS = (PostedMovement.ISSUE, PostedMovement.RECEIPT, PostedMovement.TRANSFER_OUT)
DEFAULT_PENDING_H = None  # None: the posting KPI's grace (kpi.posting.pending_grace, aged to kpi.posting.last_posting)
INBOUND = (PostedMovement.RECEIPT, PostedMovement.TRANSFER_IN, PostedMovement.RETURN_IN)  # goods that arrive
DEFAULT_INBOUND_H = WITHIN_H  # ... are posted within this many hours of arriving (the posting KPIs' 2 h)
TOKEN_REPLAY_CASES = 2000
ALIGNMENT_CASES = 300
MAX_ALIGNMENT_S = 30.0
TEMPORAL_PROFILE_CASES = 2000
DEFAULT_ZETA = 3.0
NO_LOCATION = "(all)"  # key of lags_by_location when the log has no location
_COUNTS = ["movements", "posted_first", "posted_after", "never_posted", "pending", "deviations"]
_HOUR_S = 3600.0


@dataclass(frozen=True)
class PrecedenceResult:
    """What :func:`check_precedence` found.

    ``table``: one row per movement kind × location × weekday (0 = Monday, local time of the
    movement) with ``rule``, ``weekday_name`` and counts — ``movements`` judged, ``posted_first``
    (posting at or before the movement), ``posted_after``, ``never_posted``, ``deviations``
    (posted late — after a leaving movement, or more than ``inbound_h`` after an arriving one —
    or never), ``pending`` (unposted but younger than its grace at the end of the log: not
    judged; the grace is ``pending_h`` hours, or when that is ``None`` the one the posting KPIs
    and the never-posted finding use) — and ``deviation_rate = deviations / movements``. ``lags``: one row per
    matched movement with ``delay_h`` (posting − movement; negative when posted first).
    ``skipped``: movement kind → why it was not checked.
    """

    table: pd.DataFrame
    lags: pd.DataFrame
    skipped: dict[str, str]
    timezone: str
    pending_h: float | None

    @property
    def available(self) -> bool:
        """True when at least one movement kind was checked."""
        return not self.table.empty

    def rates(self, by: Sequence[str] = ("movement", "location")) -> pd.DataFrame:
        """Counts and deviation rate re-aggregated over the columns ``by`` of :attr:`table`."""
        by = list(by)
        grouped = self.table.groupby(by, sort=True, dropna=False)[_COUNTS].sum().reset_index()
        grouped["deviation_rate"] = grouped["deviations"] / grouped["movements"].where(grouped["movements"] > 0)
        return grouped

    def lags_by_location(self, movement: PostedMovement = PostedMovement.ISSUE) -> dict[str, pd.Series]:
        """Posting lags (hours) of one movement kind per location, for a distribution plot."""
        rows = self.lags[self.lags["movement"] == movement.name.lower()]
        keys = rows["location"].astype(object).where(rows["location"].notna(), NO_LOCATION)
        return {str(k): grp.reset_index(drop=True) for k, grp in rows["delay_h"].groupby(keys, sort=True)}


def _skip_reason(present: set[str], movement: PostedMovement) -> str | None:
    if not present:
        return "the log has no semantics (read without a profile, or its profile maps no activity)"
    for semantic, what in ((movement.physical, "events"), (movement.book, "events (postings)")):
        if semantic.value not in present:
            return f"the log has no {semantic.value} {what}"
    return None


def _judged(frame: pd.DataFrame, movement: PostedMovement, log_end: pd.Timestamp, timezone: str | None,
            pending_h: float | None, allowed_h: float) -> pd.DataFrame:
    """One row per physical movement: its location, local weekday/hour, lag and verdict."""
    rows = frame[frame[SEMANTIC].isin([movement.physical.value, movement.book.value])]
    if "sku" not in rows.columns:
        rows = rows.assign(sku="")  # no sku: a movement is matched to a posting of its case
    pairs = match_postings(rows, movement)
    moved = pairs[pairs["physical_time"].notna()].copy()
    local = local_times(moved["physical_time"], timezone)
    unposted = moved["book_time"].isna()
    if pending_h is None:  # as the posting KPIs judge it: aged to the location's last posting, its own grace
        age_h = (last_posting(frame)(moved) - moved["physical_time"]).dt.total_seconds() / _HOUR_S
        pending_h = pending_grace(moved, timezone) if len(moved) else 0.0
    else:
        age_h = (log_end - moved["physical_time"]).dt.total_seconds() / _HOUR_S
    return pd.DataFrame({
        "movement": movement.name.lower(), "case": moved[CASE].astype(str),
        "location": moved["location"] if "location" in moved.columns else None,
        "weekday": local.dt.weekday, "hour": local.dt.hour, "delay_h": moved["delay_h"],
        "posted_first": moved["delay_h"] <= 0, "posted_after": moved["delay_h"] > 0,
        "late": moved["delay_h"] > allowed_h,
        "never_posted": unposted & (age_h >= pending_h), "pending": unposted & (age_h < pending_h)})


def check_precedence(frame: pd.DataFrame, *, timezone: str | None,
                     movements: Sequence[PostedMovement] = DEFAULT_MOVEMENTS,
                     pending_h: float | None = DEFAULT_PENDING_H, inbound_h: float = DEFAULT_INBOUND_H) -> PrecedenceResult:
    """Check "posting before movement" for each kind of goods leaving in ``movements``, and "posting
    within ``inbound_h`` hours of the movement" for goods arriving (a receipt is posted after the
    goods are unloaded and checked: posted after is the normal order, posted late is not).

    Defaults: goods issues (``book_issue`` before ``physical_issue``), goods receipts
    (``book_receipt`` within 2 h after ``physical_receipt``) and transfers out
    (``transfer_book_out`` before ``transfer_physical_out``). A posting at the same instant as the
    movement counts as first. ``timezone`` (an IANA name or ``+08:00``; UTC when ``None``) places each movement on
    its local weekday. Kinds whose two semantics are not both in the log are listed in
    :attr:`PrecedenceResult.skipped`.
    """
    present = set(frame[SEMANTIC].dropna().unique()) if SEMANTIC in frame.columns else set()
    log_end = frame[TIMESTAMP].max() if len(frame) else None
    skipped: dict[str, str] = {}
    judged = []
    for movement in movements:
        reason = _skip_reason(present, movement)
        if reason:
            skipped[movement.name.lower()] = reason
            continue
        judged.append(_judged(frame, movement, log_end, timezone, pending_h,
                              inbound_h if movement in INBOUND else 0.0))
    columns = ["movement", "rule", "location", "weekday", "weekday_name", *_COUNTS, "deviation_rate"]
    if not judged:
        return PrecedenceResult(pd.DataFrame(columns=columns), pd.DataFrame(), skipped, timezone or "UTC", pending_h)
    every = pd.concat(judged, ignore_index=True)
    every["deviations"] = every["late"] | every["never_posted"]
    every["movements"] = ~every["pending"]
    table = (every.groupby(["movement", "location", "weekday"], sort=True, dropna=False)[_COUNTS]
             .sum().astype(int).reset_index())
    rules = {m.name.lower(): f"{m.book.value} within {inbound_h:g} h after {m.physical.value}" if m in INBOUND
             else f"{m.book.value} before {m.physical.value}" for m in movements}
    table.insert(1, "rule", table["movement"].map(rules))
    table.insert(4, "weekday_name", table["weekday"].map(dict(enumerate(WEEKDAYS))))
    table["deviation_rate"] = table["deviations"] / table["movements"].where(table["movements"] > 0)
    lags = every.loc[every["delay_h"].notna(), ["movement", "case", "location", "weekday", "hour", "delay_h"]]
    return PrecedenceResult(table[columns], lags.reset_index(drop=True), skipped, timezone or "UTC", pending_h)


@dataclass(frozen=True)
class FitnessResult(SampleInfo):
    """Replay fitness of a case sample on a model.

    ``log_fitness`` is pm4py's log-level figure (token replay: from missing/remaining over
    consumed/produced tokens; alignments: 1 − total cost / total worst-case cost);
    ``average_trace_fitness`` the mean per case; ``share_fit_cases`` the share of cases that
    replay perfectly. ``cases``: per case (index) its ``variant`` number, ``fitness`` and ``is_fit``.
    ``cases_skipped`` of the ``cases_used`` cases have no figure (their alignment hit the time
    limit; fitness NaN) and are left out of the three figures.
    """

    method: str
    log_fitness: float
    average_trace_fitness: float
    share_fit_cases: float
    cases_used: int
    cases_total: int
    variants_checked: int
    seed: int
    cases: pd.DataFrame = field(repr=False)
    cases_skipped: int = 0


def _variant_log(events: pd.DataFrame) -> tuple[pd.Series, pd.DataFrame]:
    """Each case's variant number, and a frame with one case (``v000000``, ...) per variant.

    Replay and alignments depend on the activity sequence only, so each variant is replayed once.
    """
    sequences = events.groupby(CASE, sort=True)[ACTIVITY].agg(tuple)
    codes, uniques = pd.factorize(sequences)
    names = [f"v{k:06d}" for k in range(len(uniques))]
    rows = [(names[k], act, i) for k, seq in enumerate(uniques) for i, act in enumerate(seq)]
    variants = pd.DataFrame(rows, columns=[CASE, ACTIVITY, "_i"])
    variants[TIMESTAMP] = pd.Timestamp("2000-01-01", tz="UTC") + pd.to_timedelta(variants.pop("_i"), unit="s")
    return pd.Series(np.asarray(names, dtype=object)[codes], index=sequences.index, name="variant"), variants


def _fitness_input(frame: pd.DataFrame, model: ProcessModel | None, sample_cases: int | None, full: bool,
                   seed: int, noise_threshold: float):
    if model is None:
        model = discover_process_model(frame, noise_threshold=noise_threshold)
    sample = draw_case_sample(frame, max_cases=None if full else sample_cases, seed=seed)
    variant_of, variants = _variant_log(pm4py_frame(sample.frame, activity_key=model.activity_key))
    return model, sample, variant_of, variants


def _fitness_result(method: str, per_variant: pd.DataFrame, variant_of: pd.Series, log_fitness: float,
                    sample, seed: int) -> FitnessResult:
    cases = variant_of.to_frame().join(per_variant[["fitness", "is_fit"]], on="variant")
    cases.index.name = "case"
    known = cases[cases["fitness"].notna()]
    return FitnessResult(method=method, log_fitness=float(log_fitness),
                         average_trace_fitness=float(known["fitness"].mean()),
                         share_fit_cases=float(known["is_fit"].mean()), cases_used=len(cases),
                         cases_total=sample.cases_total, variants_checked=len(per_variant), seed=seed, cases=cases,
                         cases_skipped=len(cases) - len(known))


def fitness_token_replay(frame: pd.DataFrame, *, model: ProcessModel | None = None,
                         sample_cases: int | None = TOKEN_REPLAY_CASES, full: bool = False, seed: int = 0,
                         noise_threshold: float = DEFAULT_NOISE_THRESHOLD) -> FitnessResult:
    """Token-based replay fitness (pm4py) of a seeded sample of ``sample_cases`` cases.

    ``full=True`` replays every case. Without a ``model`` the inductive miner mines one from the
    whole of ``frame`` (:func:`~jxcsim.mining.discovery.discover_process_model`).
    """
    import pm4py

    model, sample, variant_of, variants = _fitness_input(frame, model, sample_cases, full, seed, noise_threshold)
    diag = pm4py.conformance_diagnostics_token_based_replay(
        variants, model.net, model.initial_marking, model.final_marking, return_diagnostics_dataframe=True,
        opt_parameters={"show_progress_bar": False})
    diag = diag.rename(columns={"trace_fitness": "fitness"}).set_index("case_id")
    weight = variant_of.value_counts().reindex(diag.index)
    m, c, r, p = ((diag[k] * weight).sum() for k in ("missing", "consumed", "remaining", "produced"))
    log_fitness = 0.5 * (1 - m / c) + 0.5 * (1 - r / p) if c > 0 and p > 0 else 0.0
    return _fitness_result("token_replay", diag, variant_of, log_fitness, sample, seed)


def fitness_alignments(frame: pd.DataFrame, *, model: ProcessModel | None = None,
                       sample_cases: int | None = ALIGNMENT_CASES, full: bool = False, seed: int = 0,
                       noise_threshold: float = DEFAULT_NOISE_THRESHOLD,
                       max_seconds_per_variant: float | None = MAX_ALIGNMENT_S) -> FitnessResult:
    """Alignment-based fitness (pm4py, A* on the Petri net, single-process) of a case sample.

    Alignments are expensive (tens of milliseconds per variant on a simulated wholesaler, seconds
    for long unstructured cases), hence the smaller default sample; ``full=True`` aligns every
    case (each distinct variant once). A variant whose alignment takes longer than
    ``max_seconds_per_variant`` is given up (``None``: no limit) and its cases are counted in
    :attr:`FitnessResult.cases_skipped`.
    """
    import pm4py

    model, sample, variant_of, variants = _fitness_input(frame, model, sample_cases, full, seed, noise_threshold)
    log = pm4py.convert_to_event_log(variants)
    limit = {} if max_seconds_per_variant is None else {"max_align_time_trace": max_seconds_per_variant}
    aligned = pm4py.conformance_diagnostics_alignments(log, model.net, model.initial_marking, model.final_marking,
                                                       show_progress_bar=False, **limit, **SINGLE_PROCESS)
    per_variant = pd.DataFrame([(a["fitness"], a["cost"], a["bwc"]) if a else (np.nan,) * 3 for a in aligned],
                               columns=["fitness", "cost", "bwc"],
                               index=[trace.attributes["concept:name"] for trace in log])
    per_variant["is_fit"] = per_variant["fitness"] >= 1.0
    weight = variant_of.value_counts().reindex(per_variant.index)
    bwc = (per_variant["bwc"] * weight).sum()
    log_fitness = 1.0 - (per_variant["cost"] * weight).sum() / bwc if bwc > 0 else float("nan")
    return _fitness_result("alignments", per_variant, variant_of, log_fitness, sample, seed)


@dataclass(frozen=True)
class TemporalDeviations(SampleInfo):
    """Activity pairs of a temporal profile, those deviating most often first.

    ``pairs``: ``source``, ``target``, the profile's ``mean_h`` and ``std_h``, ``observations``
    (times ``target`` eventually followed ``source`` in a case), ``deviations`` (observations
    outside mean ± zeta × std), ``slower`` and ``faster`` (which side), ``deviation_share`` and
    ``cases_deviating``.
    """

    pairs: pd.DataFrame
    zeta: float
    cases_used: int
    cases_total: int
    seed: int


def _pair_observations(events: pd.DataFrame) -> pd.Series:
    """How often each (source, target) eventually-follows pair occurs (every later event of a case)."""
    indexed = events[[CASE, ACTIVITY]].assign(_pos=np.arange(len(events)))
    joined = indexed.merge(indexed, on=CASE, suffixes=("", "_2"))
    joined = joined[joined["_pos"] < joined["_pos_2"]]
    return joined.groupby([ACTIVITY, f"{ACTIVITY}_2"], sort=False).size()


def check_temporal_profile(frame: pd.DataFrame, *, zeta: float = DEFAULT_ZETA,
                           sample_cases: int | None = TEMPORAL_PROFILE_CASES, full: bool = False, seed: int = 0,
                           top: int | None = 20, activity_key: str = ACTIVITY) -> TemporalDeviations:
    """Discover a temporal profile (pm4py) and check the same cases against it.

    An observation deviates when its time lies outside ``mean ± zeta × std`` of its pair
    (default ``zeta`` 3). Runs on a seeded sample of ``sample_cases`` cases unless ``full=True``:
    the profile pairs every event with every later event of its case, which took 452 s on a
    0.95 M-event log. ``top`` keeps the most frequently deviating pairs (``None``: all).
    """
    import pm4py

    sample = draw_case_sample(frame, max_cases=None if full else sample_cases, seed=seed)
    events = pm4py_frame(sample.frame, activity_key=activity_key)
    cases = events[CASE].unique()  # pm4py reports deviations per case in this order
    observations = _pair_observations(events)
    profile = pm4py.discover_temporal_profile(events)
    found = pm4py.conformance_temporal_profile(events, profile, zeta=zeta)
    devs = pd.DataFrame([(case, a, b, secs) for case, devs in zip(cases, found) for a, b, secs, _ in devs],
                        columns=["case", "source", "target", "seconds"])
    pairs = pd.DataFrame([(a, b, mean_s, std_s) for (a, b), (mean_s, std_s) in profile.items()],
                         columns=["source", "target", "mean_s", "std_s"])
    devs = devs.merge(pairs, on=["source", "target"], how="left")
    devs["slower"] = devs["seconds"] > devs["mean_s"]
    counted = devs.groupby(["source", "target"]).agg(deviations=("seconds", "size"), slower=("slower", "sum"),
                                                     cases_deviating=("case", "nunique"))
    pairs = pairs.join(counted, on=["source", "target"])
    for col in ("deviations", "slower", "cases_deviating"):
        pairs[col] = pairs[col].fillna(0).astype(int)
    pairs["faster"] = pairs["deviations"] - pairs["slower"]
    pairs["observations"] = [int(observations.get(key, 0)) for key in zip(pairs["source"], pairs["target"])]
    pairs["mean_h"], pairs["std_h"] = pairs.pop("mean_s") / _HOUR_S, pairs.pop("std_s") / _HOUR_S
    pairs = pairs[["source", "target", "mean_h", "std_h", "observations", "deviations", "slower", "faster",
                   "cases_deviating"]]
    pairs.insert(6, "deviation_share", pairs["deviations"] / pairs["observations"].where(pairs["observations"] > 0))
    pairs = pairs.sort_values(["deviations", "deviation_share", "source", "target"],
                              ascending=[False, False, True, True], kind="stable").reset_index(drop=True)
    return TemporalDeviations(pairs if top is None else pairs.head(top), zeta, sample.cases_used,
                              sample.cases_total, seed)
