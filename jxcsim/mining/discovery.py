"""Process discovery with pm4py: the process map (frequency and performance DFG) and an
inductive-miner model (process tree → Petri net and BPMN) of a canonical frame.

pm4py is handed a fresh three-column frame (:func:`pm4py_frame`): case, activity and completion
time in pm4py's names, sorted by case then time (ties keep the log's order), so pm4py never sees
— or writes into — the caller's frame, and a ``start_timestamp`` column with gaps cannot reorder
events. Nothing runs in parallel: every pm4py call that can start worker processes is given
``multi_processing=False`` explicitly, whatever ``PM4PY_ENABLE_MULTIPROCESSING_DEFAULT`` says
(pm4py's process pools break on a 2-core machine). A case sample (:func:`draw_case_sample`) is drawn
from the sorted case ids with ``numpy.random.default_rng(seed)``: the same log and seed give
the same sample whatever the row order.

>>> from jxcsim.kpi.example import example_log
>>> pmap = discover_process_map(example_log())
>>> pmap.cases, pmap.start_activities
(5, {'Order received': 2, 'Po created': 2, 'Count': 1})
>>> pmap.edges.head(1).to_dict("records")
[{'source': 'Allocate', 'target': 'Pick', 'count': 3, 'mean_h': 1.3333333333333333, 'median_h': 1.0}]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..eventlog.schema import ACTIVITY, CASE, TIMESTAMP

if TYPE_CHECKING:  # pm4py is imported when a function runs (it takes ~1 s to import)
    from pm4py.objects.bpmn.obj import BPMN
    from pm4py.objects.petri_net.obj import Marking, PetriNet
    from pm4py.objects.process_tree.obj import ProcessTree

DEFAULT_NOISE_THRESHOLD = 0.2
SINGLE_PROCESS = {"multi_processing": False}  # passed to every pm4py call that accepts it
_SECONDS_PER_HOUR = 3600.0


class AnalysisUnavailable(ValueError):
    """An analysis cannot run on this log; the message says what is missing."""


class SampleInfo:
    """Shared by results computed on ``cases_used`` of a log's ``cases_total`` cases."""

    cases_used: int
    cases_total: int

    @property
    def sampled(self) -> bool:
        """True when some cases were left out (a seeded sample, see :func:`draw_case_sample`)."""
        return self.cases_used < self.cases_total


@dataclass(frozen=True)
class CaseSample(SampleInfo):
    """The events of a seeded sample of cases (all cases when the log is small enough)."""

    frame: pd.DataFrame
    cases_total: int
    cases_used: int
    seed: int


def draw_case_sample(frame: pd.DataFrame, *, max_cases: int | None, seed: int = 0,
                 case_id_key: str = CASE) -> CaseSample:
    """Keep the events of at most ``max_cases`` cases, drawn without replacement.

    The draw is ``numpy.random.default_rng(seed).choice`` over the sorted distinct case ids, so
    it depends on the log's content and the seed only. ``max_cases=None`` keeps every case.

    >>> from jxcsim.kpi.example import example_log
    >>> s = draw_case_sample(example_log(), max_cases=2, seed=1)
    >>> s.cases_total, s.cases_used, s.sampled, s.frame["case:concept:name"].nunique()
    (5, 2, True, 2)
    """
    ids = frame[case_id_key]
    cases = np.sort(ids.astype(str).unique())
    if max_cases is None or len(cases) <= max_cases:
        return CaseSample(frame, len(cases), len(cases), seed)
    if max_cases < 1:
        raise ValueError(f"max_cases must be at least 1, got {max_cases}")
    keep = np.random.default_rng(seed).choice(cases, size=max_cases, replace=False)
    return CaseSample(frame[ids.astype(str).isin(keep)], len(cases), max_cases, seed)


def pm4py_frame(frame: pd.DataFrame, *, activity_key: str = ACTIVITY, case_id_key: str = CASE,
                timestamp_key: str = TIMESTAMP) -> pd.DataFrame:
    """A new frame of three columns in pm4py's names, the way pm4py's functions want it.

    Case ids and activities become strings; rows without an activity (e.g. ``activity_key=
    "semantic"`` on events the profile does not map) are left out. Rows are sorted by case, then
    time; ties keep their order in ``frame``. Raises :class:`AnalysisUnavailable` when no row is left.
    """
    for col in (activity_key, case_id_key, timestamp_key):
        if col not in frame.columns:
            raise AnalysisUnavailable(f"discovery needs column {col!r}, which the log lacks")
    keep = frame[activity_key].notna().to_numpy() & frame[timestamp_key].notna().to_numpy()
    if not keep.any():
        raise AnalysisUnavailable(f"no event of the log has a value in {activity_key!r}")
    cases = _as_text(frame[case_id_key].to_numpy()[keep])
    activities = _as_text(frame[activity_key].to_numpy()[keep])
    times = pd.DatetimeIndex(frame[timestamp_key].array[keep])  # .array: no Timestamp objects
    if times.tz is None:
        times = times.tz_localize("UTC")
    case_codes, _ = pd.factorize(cases, sort=True)
    order = np.lexsort((times.asi8, case_codes))  # stable: ties keep the log's order
    return pd.DataFrame({CASE: cases[order], ACTIVITY: activities[order], TIMESTAMP: times[order]})


def _as_text(values: np.ndarray) -> np.ndarray:
    """Values as Python strings (object array); strings already are, the rest are converted."""
    if values.dtype == object and pd.api.types.infer_dtype(values, skipna=False) == "string":
        return values
    return values.astype(str).astype(object)


@dataclass(frozen=True)
class ProcessMap:
    """Directly-follows graph of a log with frequencies and times.

    ``activities``: one row per activity (index) with ``events`` (occurrences), ``cases`` (cases
    it occurs in), ``starts`` and ``ends`` (cases it starts or ends). ``edges``: one row per
    directly-follows pair with ``source``, ``target``, ``count`` and the time between the two
    completions in hours, ``mean_h`` and ``median_h``; most frequent first (ties by name).
    """

    activities: pd.DataFrame
    edges: pd.DataFrame
    start_activities: dict[str, int]
    end_activities: dict[str, int]
    cases: int
    events: int
    activity_key: str


def _ranked(counts: dict) -> dict[str, int]:
    items = sorted(((str(k), int(v)) for k, v in counts.items()), key=lambda kv: (-kv[1], kv[0]))
    return dict(items)


def discover_process_map(frame: pd.DataFrame, *, activity_key: str = ACTIVITY, case_id_key: str = CASE,
                         timestamp_key: str = TIMESTAMP, engine: str = "numpy") -> ProcessMap:
    """The frequency and performance DFG of ``frame``, with start and end activities.

    Times run from one event's completion to the next one's (``time:timestamp``), so they
    include the second activity's own duration when the log has start times.
    ``activity_key="semantic"`` maps the process in engine semantics instead of the log's names.
    ``engine="numpy"`` (the default) counts the directly-follows pairs of the sorted events with
    numpy — about 25 times faster than pm4py on a million events; ``engine="pm4py"`` asks
    ``pm4py.discover_dfg`` and ``pm4py.discover_performance_dfg``; both give the same map (a
    test checks it).
    """
    if engine not in ("numpy", "pm4py"):
        raise ValueError(f"engine must be 'numpy' or 'pm4py', got {engine!r}")
    events = pm4py_frame(frame, activity_key=activity_key, case_id_key=case_id_key, timestamp_key=timestamp_key)
    edges, starts, ends = (_dfg_pm4py if engine == "pm4py" else _dfg_numpy)(events)
    edges = edges.sort_values(["count", "source", "target"], ascending=[False, True, True], kind="stable")
    starts, ends = _ranked(starts), _ranked(ends)
    grouped = events.groupby(ACTIVITY, sort=True)
    activities = pd.DataFrame({"events": grouped.size(), "cases": grouped[CASE].nunique()})
    activities["starts"] = pd.Series(starts).reindex(activities.index).fillna(0).astype(int)
    activities["ends"] = pd.Series(ends).reindex(activities.index).fillna(0).astype(int)
    activities = activities.sort_values("events", ascending=False, kind="stable")
    activities.index.name = "activity"
    return ProcessMap(activities=activities, edges=edges.reset_index(drop=True), start_activities=starts,
                      end_activities=ends, cases=int(events[CASE].nunique()), events=int(len(events)),
                      activity_key=activity_key)


def _dfg_pm4py(events: pd.DataFrame) -> tuple[pd.DataFrame, dict, dict]:
    import pm4py

    keys = {"activity_key": ACTIVITY, "case_id_key": CASE, "timestamp_key": TIMESTAMP}
    dfg, starts, ends = pm4py.discover_dfg(events, **keys)
    perf, _, _ = pm4py.discover_performance_dfg(events, perf_aggregation_key="all", **keys)
    edges = pd.DataFrame(
        [(str(a), str(b), int(n), float(perf[(a, b)]["mean"]) / _SECONDS_PER_HOUR,
          float(perf[(a, b)]["median"]) / _SECONDS_PER_HOUR) for (a, b), n in dfg.items()],
        columns=["source", "target", "count", "mean_h", "median_h"])
    return edges, starts, ends


def _dfg_numpy(events: pd.DataFrame) -> tuple[pd.DataFrame, dict, dict]:
    """Directly-follows counts and times of events sorted by case then time (see :func:`pm4py_frame`)."""
    case_codes, _ = pd.factorize(events[CASE])
    act_codes, names = pd.factorize(events[ACTIVITY])
    ts = events[TIMESTAMP].array.asi8
    same = case_codes[1:] == case_codes[:-1]
    n = len(names)
    pairs = pd.DataFrame({"edge": act_codes[:-1][same].astype(np.int64) * n + act_codes[1:][same],
                          "lag_h": (ts[1:] - ts[:-1])[same] / (_SECONDS_PER_HOUR * 1e9)})
    stats = pairs.groupby("edge", sort=False)["lag_h"].agg(["size", "mean", "median"])
    edges = pd.DataFrame({"source": names[stats.index // n].astype(str), "target": names[stats.index % n].astype(str),
                          "count": stats["size"].to_numpy(int), "mean_h": stats["mean"].to_numpy(float),
                          "median_h": stats["median"].to_numpy(float)})
    first = np.concatenate([[True], ~same])
    last = np.concatenate([~same, [True]])
    starts = pd.Series(names[act_codes[first]]).value_counts().to_dict()
    ends = pd.Series(names[act_codes[last]]).value_counts().to_dict()
    return edges, starts, ends


@dataclass(frozen=True)
class ProcessModel(SampleInfo):
    """An inductive-miner model of a log: the process tree and the Petri net and BPMN made from it.

    ``cases_used`` of ``cases_total`` cases were mined (a seeded sample when fewer).
    """

    tree: ProcessTree
    net: PetriNet
    initial_marking: Marking
    final_marking: Marking
    bpmn: BPMN
    noise_threshold: float
    activity_key: str
    cases_used: int
    cases_total: int
    seed: int


def discover_process_model(frame: pd.DataFrame, *, noise_threshold: float = DEFAULT_NOISE_THRESHOLD,
                           sample_cases: int | None = None, seed: int = 0, activity_key: str = ACTIVITY,
                           case_id_key: str = CASE, timestamp_key: str = TIMESTAMP) -> ProcessModel:
    """Mine a process tree with pm4py's inductive miner (IMf when ``noise_threshold > 0``,
    single-process) and convert it to a Petri net (with initial and final marking) and a BPMN.

    ``noise_threshold`` (0–1) drops directly-follows relations rarer than that share of the most
    frequent one out of the same activity; 0.2 keeps the main flow of a noisy log readable, 0
    guarantees a model that fits every case. ``sample_cases`` mines a seeded sample of that
    many cases (see :func:`draw_case_sample`); ``None`` (the default) mines every case — the inductive
    miner works on variants and is cheap next to replay and alignments.

    >>> from jxcsim.kpi.example import example_log
    >>> model = discover_process_model(example_log(), noise_threshold=0.0)
    >>> model.cases_used, sorted(t.label for t in model.net.transitions if t.label)[:3]
    (5, ['Adjustment', 'Allocate', 'Backorder'])
    """
    import pm4py

    if not 0.0 <= noise_threshold <= 1.0:
        raise ValueError(f"noise_threshold must be within [0, 1], got {noise_threshold}")
    sample = draw_case_sample(frame, max_cases=sample_cases, seed=seed, case_id_key=case_id_key)
    events = pm4py_frame(sample.frame, activity_key=activity_key, case_id_key=case_id_key,
                         timestamp_key=timestamp_key)
    tree = pm4py.discover_process_tree_inductive(events, noise_threshold=noise_threshold, activity_key=ACTIVITY,
                                                 case_id_key=CASE, timestamp_key=TIMESTAMP, **SINGLE_PROCESS)
    net, im, fm = pm4py.convert_to_petri_net(tree)
    return ProcessModel(tree=tree, net=net, initial_marking=im, final_marking=fm, bpmn=pm4py.convert_to_bpmn(tree),
                        noise_threshold=noise_threshold, activity_key=activity_key, cases_used=sample.cases_used,
                        cases_total=sample.cases_total, seed=seed)


def discover_bpmn(frame: pd.DataFrame, *, noise_threshold: float = DEFAULT_NOISE_THRESHOLD,
                  sample_cases: int | None = None, seed: int = 0, activity_key: str = ACTIVITY) -> BPMN:
    """The BPMN of :func:`discover_process_model` (same arguments), for drawing."""
    return discover_process_model(frame, noise_threshold=noise_threshold, sample_cases=sample_cases,
                                  seed=seed, activity_key=activity_key).bpmn
