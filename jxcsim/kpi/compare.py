"""A what-if against its baseline: each KPI of two simulated runs side by side, with the change.

Each side is a directory ``jxcsim simulate`` wrote: ``kpis.json`` (one run) or
``replications.json`` (``--replications N``). Per KPI the comparison gives both values (means
over replications), the difference (what-if − baseline), the relative change, and whether the
what-if is better, worse or the same by the KPI's own sense (:attr:`KpiDefinition.better`: lower
posting delays, higher fill rate, a discrepancy nearer zero; none for the cost of goods sold).

Runs with the same seed meet the same demand (common random numbers), so their difference is the
change's. With replications of the same seed on both sides, replication *i* of each met the same
demand, and the difference comes with the standard deviation of the paired differences and a 95 %
interval (Student's t). A change within 0.5 % of the baseline (0.1 percentage points of a share)
is marked ``same``; a larger one whose interval holds 0 is ``unclear`` (the runs cannot tell it
from chance: more replications narrow the interval). A single pair of runs has no interval: one
run cannot tell the change from chance, which the notes say. Replications against a single run
give the replications' mean against the run, no interval either: a single run draws from the seed
itself, replication *i* from child *i* of it (:func:`jxcsim.world.replications.replication_rng`),
so the run pairs with none of them.

A what-if is its baseline's scenario with ``--change`` overlays. The notes say when the two runs
are of different scenarios (the scenario's name in each side's meta), naming what else differs
(time zone, currency), and when an overlay changed the time zone. A KPI in money whose sides are
in different currencies has no difference: its verdict is ``withheld`` (the row's ``withheld``
says why). For a ``replications.json`` side, the time zone and cut-off are read from the
``replication-NN/kpis.json`` beside it.

An overlay that moves the order cut-off (``scenarios/changes/evening_pick_shift.yaml``: 16:30 →
21:00) changes which orders ``evening_order_response`` measures: each run's are those received
after its own cut-off. The later cut-off drops from the what-if's set exactly the orders between
the two cut-offs, the ones the change serves the same evening, and keeps only the latest; the two
means are of different orders, and their difference is no change's effect (it can even hide one,
or show one where there is none). The KPI's difference is therefore left out and its verdict is
``withheld``, the note naming both cut-offs and the orders each run had after its own. To compare
the same orders, measure both logs at one cut-off:
``jxcsim.kpi.process.evening_response(log.frame, timezone=log.timezone, cutoff_h=16.5)``.

>>> base = {"kpis": {"fill_rate": {"value": 0.90, "unit": "share"}, "credit_wait": {"value": 12.0, "unit": "h"}}}
>>> what_if = {"kpis": {"fill_rate": {"value": 0.95, "unit": "share"}, "credit_wait": {"value": 15.0, "unit": "h"}}}
>>> rows = {r["kpi"]: r for r in compare_kpis(base, what_if)["kpis"]}
>>> rows["fill_rate"]["verdict"], round(rows["fill_rate"]["difference"], 2), rows["credit_wait"]["verdict"]
('better', 0.05, 'worse')
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scipy import stats

from .common import clock
from .definitions import HIGHER, KPIS, LOWER, NEARER_ZERO

SINGLE, REPLICATIONS = "kpis.json", "replications.json"
EVENING = "evening_order_response"  # its orders are those after the run's own cut-off
MATERIAL = 0.005  # a change within 0.5 % of the baseline (0.1 percentage points of a share) is no change


class CompareError(ValueError):
    """A side that is not a simulated run's output directory (or file)."""


def read_run(path: str | Path) -> dict[str, Any]:
    """The KPIs of one side: a directory holding ``replications.json`` or ``kpis.json``, or either file."""
    path = Path(path)
    candidates = [path] if path.is_file() else [p for p in (path / REPLICATIONS, path / SINGLE) if p.is_file()]
    # both in a reused directory: the run written last
    found = max(candidates, key=lambda p: p.stat().st_mtime) if candidates else None
    if found is None:
        raise CompareError(f"{path}: no {REPLICATIONS} or {SINGLE}; give a directory `jxcsim simulate --out` wrote")
    try:
        data = json.loads(found.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise CompareError(f"{found}: not a KPI file jxcsim wrote: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("kpis"), dict):
        raise CompareError(f"{found}: not a KPI file jxcsim wrote (no \"kpis\" mapping)")
    data["_source"] = str(found)
    if "meta" not in data and isinstance(data.get("replications"), int):
        data["_runs"] = _replication_facts(found.parent, data)
    return data


def _run_facts(kpis: Mapping[str, Any]) -> dict[str, Any]:
    """What a single run's ``kpis.json`` says of its world beyond the KPIs: the time zone, the order
    cut-off and how many orders arrived after it (``evening_order_response``'s orders)."""
    meta = kpis.get("meta") if isinstance(kpis.get("meta"), dict) else {}
    evening = ((kpis.get("kpis") or {}).get("evening_order_response") or {}).get("details") or {}
    orders = (evening.get("evening") or {}).get("n_orders") if isinstance(evening, dict) else None
    return {"timezone": meta.get("timezone"), "cutoff_h": meta.get("cutoff_h", evening.get("cutoff_h")),
            "evening_orders": orders if isinstance(orders, int | float) else None,
            "scenario_file": meta.get("scenario_file"), "changes": meta.get("changes")}


def _replication_facts(folder: Path, summary: Mapping[str, Any]) -> list[dict[str, Any]]:
    """:func:`_run_facts` of each replication beside a ``replications.json`` (``replication-01``, ...),
    those of this run only: a replication directory left from an earlier run of another seed is skipped."""
    n = summary["replications"]
    facts = []
    for i in range(n):
        path = folder / f"replication-{i + 1:0{max(2, len(str(n)))}d}" / SINGLE
        try:
            kpis = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue
        meta = kpis.get("meta") if isinstance(kpis, dict) else None
        if isinstance(meta, dict) and meta.get("seed") == summary.get("seed") and meta.get("replication") == i:
            facts.append(_run_facts(kpis))
    return facts


def _values(entry: Mapping[str, Any]) -> list[float | None]:
    """A KPI's value per run: the replications' ``values``, or the single run's ``value``."""
    raw = entry.get("values") if "values" in entry else [entry.get("value")]
    return [float(v) if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) else None
            for v in raw]


def _mean(values: list[float | None]) -> float | None:
    numbers = [v for v in values if v is not None]
    return sum(numbers) / len(numbers) if numbers else None


def _verdict(better: str | None, unit: str, base: float, what_if: float, low: float | None,
             high: float | None) -> str:
    """``better``, ``worse`` or ``same`` by the KPI's sense; ``changed`` for a KPI without one. Same:
    the change is within :data:`MATERIAL`; ``unclear``: a larger change whose interval holds 0."""
    if abs(what_if - base) <= (MATERIAL / 5 if unit == "share" else MATERIAL * abs(base)):
        return "same"
    if low is not None and high is not None and low <= 0 <= high:
        return "unclear"
    if better is None:
        return "changed"
    if better == NEARER_ZERO:
        return "better" if abs(what_if) < abs(base) else "worse" if abs(what_if) > abs(base) else "same"
    up = what_if > base
    return "better" if (up and better == HIGHER) or (not up and better == LOWER) else "worse"


def _meta(run: Mapping[str, Any]) -> dict[str, Any]:
    meta = run.get("meta") or {}
    runs = run["_runs"] if "_runs" in run else [_run_facts(run)]  # replications: read beside replications.json
    first = runs[0] if runs else {}
    orders = [r["evening_orders"] for r in runs if r.get("evening_orders") is not None]
    return {"scenario": run.get("scenario", meta.get("scenario")), "weeks": run.get("weeks", meta.get("weeks")),
            "seed": run.get("seed", meta.get("seed")), "replications": run.get("replications", 1),
            "currency": run.get("currency", meta.get("currency")), "timezone": first.get("timezone"),
            "cutoff_h": first.get("cutoff_h"), "evening_orders": sum(orders) / len(orders) if orders else None,
            "source": run.get("_source"), "replication": meta.get("replication"),
            "scenario_file": first.get("scenario_file"), "changes": first.get("changes")}


def _differ(meta_base: Mapping[str, Any], meta_if: Mapping[str, Any], key: str) -> bool:
    """Both sides say and say differently (a side that does not say is not a difference)."""
    return meta_base.get(key) is not None and meta_if.get(key) is not None and meta_base[key] != meta_if[key]


def _world_notes(meta_base: Mapping[str, Any], meta_if: Mapping[str, Any]) -> list[str]:
    """Runs of different scenarios, or in different time zones or currencies."""
    also = [f"{what} {meta_base[key]} vs {meta_if[key]}" for key, what in (("timezone", "time zone"),
                                                                            ("currency", "currency"))
            if _differ(meta_base, meta_if, key)]
    if _differ(meta_base, meta_if, "scenario"):
        return [f"the runs are of different scenarios ({meta_base['scenario']!r} vs {meta_if['scenario']!r}"
                + (f"; {', '.join(also)}" if also else "") + "): a what-if is its baseline's scenario with "
                "--change overlays, so these differences are between two scenarios, not a change's effect"]
    return [f"the runs differ in {a}: an overlay changed it" + (", and weekdays, hours and the cut-off are each "
                                                                "run's local ones" if a.startswith("time") else "")
            for a in also]


def _source_notes(meta_base: Mapping[str, Any], meta_if: Mapping[str, Any]) -> list[str]:
    """What each side was simulated from (the scenario file and ``--change`` overlays, as given on the
    command line), when both runs' files say."""
    def said(meta: Mapping[str, Any]) -> str | None:
        if not meta.get("scenario_file"):
            return None
        return " + ".join([str(meta["scenario_file"]), *map(str, meta.get("changes") or [])])

    base, what_if = said(meta_base), said(meta_if)
    if base is None or what_if is None:
        return []
    if base == what_if:
        return [f"both sides were simulated from {base}: the same world, unless a file changed between the runs"]
    return [f"the baseline was simulated from {base}, the what-if from {what_if}"]


def compare_kpis(base: Mapping[str, Any], what_if: Mapping[str, Any], *, confidence: float = 0.95) -> dict[str, Any]:
    """Each KPI of ``what_if`` against ``base`` (both as :func:`read_run` gives them; see the module
    docstring): ``{"base": meta, "what_if": meta, "notes": [...], "kpis": [row, ...]}``, a row holding
    ``kpi``, ``unit``, ``better`` (the KPI's sense), ``base``, ``what_if``, ``difference`` (of the means;
    with paired replications the mean of the pairs' differences), ``relative`` (difference / |base|),
    ``n_pairs``, ``sd_difference``, ``low``/``high`` (the interval, paired replications only) and
    ``verdict`` (better, worse, same, unclear, changed, n/a where a side has no value, or withheld where the
    sides' values measure different things, ``withheld`` saying how). The metas add to the scenario,
    weeks, seed, replications and currency the ``timezone``, the order cut-off ``cutoff_h`` and
    ``evening_orders`` (orders after the cut-off, per run) where the run's files give them."""
    meta_base, meta_if = _meta(base), _meta(what_if)
    notes = _world_notes(meta_base, meta_if) + _source_notes(meta_base, meta_if)
    for key, what in (("weeks", "simulated weeks"), ("seed", "seeds")):
        if meta_base[key] != meta_if[key]:
            notes.append(f"the runs differ in {what} ({meta_base[key]} vs {meta_if[key]}): the difference is not "
                         f"the change's alone")
    paired = meta_base["seed"] == meta_if["seed"] and meta_base["weeks"] == meta_if["weeks"]
    n_base, n_if = meta_base["replications"], meta_if["replications"]
    if n_base == 1 and n_if == 1:
        notes.append("one run per side: the difference has no interval (run both with --replications N to "
                     "tell the change from chance)")
    elif n_base == 1 or n_if == 1:
        many, single, n = ("baseline", "what-if", n_base) if n_if == 1 else ("what-if", "baseline", n_if)
        index = (meta_base if single == "baseline" else meta_if).get("replication")
        if index is not None:  # a replication's own directory: it pairs with the other side's same one
            notes.append(f"{n} replications against a single run, replication {index + 1} of its seed: the "
                         f"{many}'s mean over {n} runs against one of them, with no interval; compare it with "
                         f"the {many}'s replication {index + 1} directory for the pair, or both sides whole")
        else:
            notes.append(f"{n} replications against a single run: the {many}'s mean over {n} runs against the "
                         f"{single}'s one run, with no interval; the single run is not one of the replications "
                         f"(replication i draws from child i of the seed), so none pair: run the {single} with "
                         f"--replications {n} too")
    elif paired and meta_base["replications"] != meta_if["replications"]:
        notes.append(f"{meta_base['replications']} against {meta_if['replications']} replications: the interval "
                     f"pairs the first {min(meta_base['replications'], meta_if['replications'])} of each")
    rows = []
    names = [n for n in KPIS if n in base["kpis"] or n in what_if["kpis"]]
    names += [n for n in list(base["kpis"]) + list(what_if["kpis"]) if n not in names]
    for name in dict.fromkeys(names):
        a, b = base["kpis"].get(name, {}), what_if["kpis"].get(name, {})
        va, vb = _values(a), _values(b)
        ma, mb = _mean(va), _mean(vb)
        definition = KPIS.get(name)
        row: dict[str, Any] = {"kpi": name, "unit": a.get("unit") or b.get("unit") or "",
                               "better": definition.better if definition else None, "base": ma, "what_if": mb,
                               "difference": None, "relative": None, "n_pairs": 0, "sd_difference": None,
                               "low": None, "high": None, "verdict": "n/a", "withheld": None}
        if ma is not None and mb is not None:
            row["difference"] = mb - ma
            row["relative"] = (mb - ma) / abs(ma) if ma else None
            # replication i of each side met the same demand: paired, as far as both go
            pairs = [y - x for x, y in zip(va, vb, strict=False) if x is not None and y is not None] if paired else []
            if len(pairs) >= 2:
                mean = sum(pairs) / len(pairs)
                sd = math.sqrt(sum((d - mean) ** 2 for d in pairs) / (len(pairs) - 1))
                half = float(stats.t.ppf(0.5 + confidence / 2, len(pairs) - 1)) * sd / math.sqrt(len(pairs))
                # the difference is the pairs' mean, so it is the middle of its interval
                row.update(difference=mean, n_pairs=len(pairs), sd_difference=sd, low=mean - half, high=mean + half)
            row["relative"] = row["difference"] / abs(ma) if ma else None
            row["verdict"] = _verdict(row["better"], row["unit"], ma, mb, row["low"], row["high"])
        if row["unit"] == "money" and _differ(meta_base, meta_if, "currency"):
            row.update(difference=None, relative=None, n_pairs=0, sd_difference=None, low=None, high=None,
                       verdict="withheld", withheld=f"in {meta_base['currency']} vs {meta_if['currency']}")
        if name == EVENING and _differ(meta_base, meta_if, "cutoff_h"):
            row.update(difference=None, relative=None, n_pairs=0, sd_difference=None, low=None, high=None,
                       verdict="withheld", withheld=f"orders after {clock(meta_base['cutoff_h'])} vs after "
                                                    f"{clock(meta_if['cutoff_h'])}")
        rows.append(row)
    if _differ(meta_base, meta_if, "cutoff_h") and any(r["kpi"] == EVENING for r in rows):
        counts = ""
        if meta_base["evening_orders"] is not None and meta_if["evening_orders"] is not None:
            counts = f" ({meta_base['evening_orders']:,.0f} vs {meta_if['evening_orders']:,.0f} orders a run)"
        notes.append(f"the order cut-off differs ({clock(meta_base['cutoff_h'])} vs {clock(meta_if['cutoff_h'])}): "
                     f"{EVENING} measures the orders after each run's own cut-off{counts}, not the same "
                     f"orders, so it has no difference and its verdict is withheld")
    money = [r["kpi"] for r in rows if r["withheld"] and r["unit"] == "money"]
    if money:
        notes.append(f"{', '.join(money)} in {meta_base['currency']} vs {meta_if['currency']}: amounts in two "
                     f"currencies have no difference, their verdict is withheld")
    return {"base": meta_base, "what_if": meta_if, "confidence": confidence, "notes": notes, "kpis": rows}


_COUNTS = frozenset({"customers", "units", "SKU-days"})  # units counted in whole numbers (a mean over runs is not)


def _fmt(value: float | None, unit: str, currency: str | None, signed: bool = False, whole: bool = False) -> str:
    if value is None:
        return "n/a"
    sign = "+" if signed and value > 0 else ""
    if unit == "share":
        return f"{sign}{100 * value:.1f}{' pp' if signed else ' %'}"
    if unit == "money":
        return f"{sign}{value:,.2f}" + (f" {currency}" if currency else "")
    if whole and unit in _COUNTS and float(value).is_integer():  # a count of single runs: no decimals to show
        return f"{sign}{value:,.0f} {unit}"
    return f"{sign}{value:,.2f} {unit}"


def render_comparison(result: Mapping[str, Any]) -> str:
    """The comparison as the plain text ``jxcsim compare`` prints.

    >>> r = compare_kpis({"kpis": {"fill_rate": {"value": 0.9, "unit": "share"}}},
    ...                  {"kpis": {"fill_rate": {"value": 0.95, "unit": "share"}}})
    >>> print(render_comparison(r).splitlines()[2][:72].rstrip(), "...", render_comparison(r).splitlines()[2][-16:])
    fill_rate                           90.0 %              95.0 % ... better (one run)

    A verdict with no interval behind it (a single run on a side) says so: ``better (one run)``; the
    JSON keeps the plain verdict, with ``n_pairs`` 0.
    """
    currency = result["base"].get("currency") or result["what_if"].get("currency")
    currency_if = result["what_if"].get("currency") or currency  # each side's own (a difference needs the same)
    interval = any(r["low"] is not None for r in result["kpis"])
    whole = result["base"].get("replications", 1) == 1 and result["what_if"].get("replications", 1) == 1
    changes = []
    for r in result["kpis"]:
        change = _fmt(r["difference"], r["unit"], currency, signed=True, whole=whole)
        if r["relative"] is not None and r["unit"] != "share":
            change += f" ({100 * r['relative']:+.0f} %)"
        if interval and r["low"] is not None:
            change += f" [{_fmt(r['low'], r['unit'], None, True)} .. {_fmt(r['high'], r['unit'], None, True)}]"
        changes.append(change)
    width = max([26, *map(len, changes)])  # the verdicts in one column, however wide the intervals
    head = f"{'KPI':<34}  {'baseline':<18}  {'what-if':<18}  {'change':<{width}}  verdict"
    provisional = result["base"].get("replications", 1) == 1 or result["what_if"].get("replications", 1) == 1

    def verdict(r: Mapping[str, Any]) -> str:  # a direction one run showed is not yet a finding
        return f"{r['verdict']} (one run)" if provisional and r["verdict"] in ("better", "worse", "changed") \
            else r["verdict"]

    lines = [f"baseline: {result['base'].get('source')} ({result['base'].get('scenario')}); "
             f"what-if: {result['what_if'].get('source')} ({result['what_if'].get('scenario')})", head]
    for r, change in zip(result["kpis"], changes, strict=True):
        lines.append(f"{r['kpi']:<34}  {_fmt(r['base'], r['unit'], currency, whole=whole):<18}  "
                     f"{_fmt(r['what_if'], r['unit'], currency_if, whole=whole):<18}  {change:<{width}}  "
                     f"{verdict(r)}")
    unclear = [r for r in result["kpis"] if r["verdict"] == "unclear"]
    if unclear:
        pairs = max(r.get("n_pairs") or 0 for r in unclear)
        lines.append(f"note: unclear: a change whose 95 % interval holds zero over the {pairs} paired replications "
                     f"({len(unclear)} KPI{'s' if len(unclear) != 1 else ''}): the runs cannot tell it from chance; "
                     "more replications (--replications N on both sides) narrow the interval")
    lines += [f"note: {n}" for n in result["notes"]]
    return "\n".join(lines)
