"""The process overview a diagnosis report opens with: map, model and conformance, each guarded.

:func:`describe_process` runs the pm4py-based views of :mod:`.discovery` and :mod:`.conformance`
on a canonical frame: the process map (frequency and performance DFG), an inductive-miner model
(on a seeded sample of ``model_cases`` cases by default), the "posting before movement"
precedence check by location × weekday, token-replay and alignment fitness and the temporal
profile (each on a seeded case sample by default; ``full=True`` runs every one on every case —
on a million events the temporal profile alone took 452 s here). A view that cannot run on this
log (no semantics, an empty column, a pm4py error on an unusual log) is left out with the reason
in ``notes``; the rest still runs.

>>> from jxcsim.kpi.example import example_log
>>> overview = describe_process(example_log(), timezone="Asia/Shanghai")
>>> overview.process_map.cases, sorted(overview.notes)
(5, [])
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ..kpi.common import jsonable


def _records(table: pd.DataFrame) -> list[dict[str, Any]]:
    return jsonable(table.reset_index(drop=True).to_dict("records"))
from .conformance import (
    FitnessResult,
    PrecedenceResult,
    TemporalDeviations,
    check_precedence,
    check_temporal_profile,
    fitness_alignments,
    fitness_token_replay,
)
from .discovery import ProcessMap, ProcessModel, discover_process_map, discover_process_model

MODEL_CASES = 5000  # cases the inductive miner sees by default (it works on variants)


@dataclass
class ProcessOverview:
    """What :func:`describe_process` found; a view that could not run is ``None`` with its reason in ``notes``."""

    process_map: ProcessMap | None = None
    model: ProcessModel | None = None
    precedence: PrecedenceResult | None = None
    token_replay: FitnessResult | None = None
    alignments: FitnessResult | None = None
    temporal: TemporalDeviations | None = None
    notes: dict[str, str] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    full: bool = False

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary (the ``process`` part of ``findings.json``, docs/findings.md)."""
        out: dict[str, Any] = {"full": self.full, "notes": dict(self.notes),
                               "seconds": {k: round(v, 3) for k, v in self.seconds.items()}}
        if self.process_map is not None:
            m = self.process_map
            out["process_map"] = {"cases": m.cases, "events": m.events, "activities": len(m.activities),
                                  "edges": _records(m.edges.head(50)), "start_activities": m.start_activities,
                                  "end_activities": m.end_activities}
        if self.model is not None:
            out["model"] = {"noise_threshold": self.model.noise_threshold, "cases_used": self.model.cases_used,
                            "cases_total": self.model.cases_total, "seed": self.model.seed}
        if self.precedence is not None:
            out["precedence"] = {"rates": _records(self.precedence.rates(by=["movement", "rule", "location"])),
                                 "by_weekday": _records(self.precedence.table), "skipped": self.precedence.skipped}
        for name in ("token_replay", "alignments"):
            fit = getattr(self, name)
            if fit is not None:
                out[name] = {"log_fitness": fit.log_fitness, "average_trace_fitness": fit.average_trace_fitness,
                             "share_fit_cases": fit.share_fit_cases, "cases_used": fit.cases_used,
                             "cases_total": fit.cases_total, "cases_skipped": fit.cases_skipped, "seed": fit.seed}
        if self.temporal is not None:
            out["temporal_profile"] = {"zeta": self.temporal.zeta, "cases_used": self.temporal.cases_used,
                                       "cases_total": self.temporal.cases_total,
                                       "pairs": _records(self.temporal.pairs.head(20))}
        return jsonable(out)


def describe_process(frame: pd.DataFrame, *, timezone: str | None, full: bool = False, seed: int = 0,
                     model_cases: int | None = MODEL_CASES,
                     step: Callable[[str], None] | None = None) -> ProcessOverview:
    """Run the overview's views (see the module docstring); ``step(name)`` is told as each starts."""
    overview = ProcessOverview(full=full)

    def run(name: str, call: Callable[[], Any]) -> Any:
        if step is not None:
            step(name)
        t0 = time.perf_counter()
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - a view pm4py cannot compute must not sink the report
            overview.notes[name] = f"{type(exc).__name__}: {exc}"
            return None
        finally:
            overview.seconds[name] = time.perf_counter() - t0

    overview.process_map = run("process map", lambda: discover_process_map(frame))
    overview.model = run("process model", lambda: discover_process_model(
        frame, sample_cases=None if full else model_cases, seed=seed))
    overview.precedence = run("precedence", lambda: check_precedence(frame, timezone=timezone))
    if overview.precedence is not None and not overview.precedence.available:
        reasons = overview.precedence.skipped
        overview.notes["precedence"] = next(iter(reasons.values())) if len(set(reasons.values())) == 1 \
            else "; ".join(f"{k}: {v}" for k, v in reasons.items())
    if overview.model is not None:
        overview.token_replay = run("token replay", lambda: fitness_token_replay(
            frame, model=overview.model, full=full, seed=seed))
        overview.alignments = run("alignments", lambda: fitness_alignments(
            frame, model=overview.model, full=full, seed=seed))
    else:
        overview.notes.setdefault("token replay", "no process model")
    overview.temporal = run("temporal profile", lambda: check_temporal_profile(frame, full=full, seed=seed))
    return overview
