"""Replications of a scenario: independent runs from one seed, and their KPIs side by side.

Replication ``i`` of seed ``s`` draws from ``SeedSequence(s).spawn(...)[i]``: the child streams
are independent of each other, and replication ``i`` is the same run however many replications
are asked for, so a single one can be reproduced on its own (``simulate(..., rng=
replication_rng(s, i))``).

>>> from jxcsim.world.scenario import load_scenario                              # doctest: +SKIP
>>> runs = list(simulate_replications(load_scenario("scenarios/baseline.yaml"), weeks=4, seed=0, n=5))  # doctest: +SKIP
>>> summary = replication_summary([simulation_kpis(r) for r in runs])            # doctest: +SKIP
>>> summary["kpis"]["fill_rate"]["mean"], summary["kpis"]["fill_rate"]["sd"]      # doctest: +SKIP
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .scenario import Scenario
from .simulate import SimulationResult, simulate, simulation_kpis, write_simulation


def replication_rng(seed: int, index: int) -> np.random.Generator:
    """The generator of replication ``index`` (0-based) of ``seed``: child ``index`` of ``SeedSequence(seed)``.

    >>> a = replication_rng(7, 2).random()
    >>> a == np.random.default_rng(np.random.SeedSequence(7).spawn(3)[2]).random()
    True
    >>> a == replication_rng(7, 1).random()
    False
    """
    if index < 0:
        raise ValueError(f"a replication index is 0 or more, got {index}")
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(index,)))


def simulate_replications(scenario: Scenario, *, weeks: int, seed: int, n: int,
                          progress: bool = False) -> Iterator[SimulationResult]:
    """Run ``n`` replications of ``scenario`` one after the other (each result tagged with its index)."""
    if n < 1:
        raise ValueError(f"replications must be at least 1, got {n}")
    for index in range(n):
        result = simulate(scenario, weeks=weeks, seed=seed, rng=replication_rng(seed, index), progress=progress)
        result.replication = index
        yield result


def replication_summary(runs: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Per KPI over the runs' KPI summaries (:func:`.simulate.simulation_kpis`): the values, and
    their mean, standard deviation (n − 1), minimum and maximum where a run had a value.

    >>> one = {"kpis": {"fill_rate": {"value": 0.9, "unit": "share"}, "credit_wait": {"value": None, "unit": "h"}}}
    >>> two = {"kpis": {"fill_rate": {"value": 0.8, "unit": "share"}, "credit_wait": {"value": None, "unit": "h"}}}
    >>> s = replication_summary([one, two])["kpis"]
    >>> round(s["fill_rate"]["mean"], 3), round(s["fill_rate"]["sd"], 3), s["credit_wait"]["mean"]
    (0.85, 0.071, None)
    """
    names = list(dict.fromkeys(name for run in runs for name in run["kpis"]))
    kpis: dict[str, Any] = {}
    for name in names:
        entries = [run["kpis"].get(name, {}) for run in runs]
        values = [e.get("value") for e in entries]
        numbers = [float(v) for v in values if isinstance(v, int | float) and math.isfinite(v)]
        unit = next((e.get("unit") for e in entries if e.get("unit") is not None), "")
        kpis[name] = {"unit": unit, "values": values, "n": len(numbers),
                      "mean": float(np.mean(numbers)) if numbers else None,
                      "sd": float(np.std(numbers, ddof=1)) if len(numbers) > 1 else None,
                      "min": min(numbers) if numbers else None, "max": max(numbers) if numbers else None}
    currencies = {run.get("meta", {}).get("currency") for run in runs}
    return {"replications": len(runs), "currency": currencies.pop() if len(currencies) == 1 else None, "kpis": kpis}


def render_replications(summary: Mapping[str, Any]) -> str:
    """The replication summary as plain text: mean ± sd (min–max) per KPI.

    >>> print(render_replications({"replications": 2, "kpis": {"fill_rate": {"unit": "share", "n": 2, "mean": 0.85,
    ...       "sd": 0.0707, "min": 0.8, "max": 0.9}}}))
    KPI (2 replications)                  mean ± sd  (min – max)
    fill_rate                             85.0 % ± 7.1  (80.0 – 90.0)
    """
    lines = [f"{'KPI (' + str(summary['replications']) + ' replications)':<36}  mean ± sd  (min – max)"]
    for name, k in summary["kpis"].items():
        if k["mean"] is None:
            lines.append(f"{name:<36}  n/a")
            continue
        money = f" {summary['currency']}" if summary.get("currency") else ""
        unit = money if k["unit"] == "money" else f" {k['unit']}"
        scale, unit = (100.0, " %") if k["unit"] == "share" else (1.0, unit)
        sd = "" if k["sd"] is None else f" ± {k['sd'] * scale:,.1f}"
        lines.append(f"{name:<36}  {k['mean'] * scale:,.1f}{unit}{sd}  ({k['min'] * scale:,.1f} – "
                     f"{k['max'] * scale:,.1f})" + (f"  [{k['n']} of {summary['replications']} runs]"
                                                     if k["n"] < summary["replications"] else ""))
    return "\n".join(lines)


def run_replications_and_write(scenario: Scenario, out: str | Path, *, weeks: int, seed: int, n: int,
                               formats: tuple[str, ...] = ("csv", "xes", "ocel"),
                               progress: bool = False) -> tuple[list[Path], dict[str, Any]]:
    """``n`` replications, each written as ``jxcsim simulate`` writes one run into
    ``out/replication-01``, ...; their KPIs side by side in ``out/replications.json``.
    Returns the files written and the summary."""
    out = Path(out)
    width = max(2, len(str(n)))
    written: list[Path] = []
    runs = []
    for result in simulate_replications(scenario, weeks=weeks, seed=seed, n=n, progress=progress):
        kpis = simulation_kpis(result)  # its meta names the replication
        where = out / f"replication-{result.replication + 1:0{width}d}"
        written += write_simulation(result, where, formats=formats, kpis=kpis, progress=progress).values()
        runs.append(kpis)
    summary = {"scenario": scenario.name, "weeks": weeks, "seed": seed, **replication_summary(runs)}
    path = out / "replications.json"
    path.write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")
    return [*written, path], summary
