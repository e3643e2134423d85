"""jxcsim benchmarks: one JSON line per figure on stdout (``make bench``).

Each line is ``{"bench", "value", "unit", "baseline", "ratio", "speedup", "peak_rss_mb", ...}``:
``ratio = value / baseline`` (lower is better), ``speedup = baseline / value``, and
``peak_rss_mb`` the peak resident set of the process that measured ``value``. Every
measurement (each figure's value and each baseline) runs in a fresh subprocess
(``run_all.py --one NAME [--baseline]``), so peak RSS is per measurement; baselines are measured
in the same run, never written down, and in turns with the first figure that uses them (value,
baseline, value, ...: a drift in the machine's speed reaches both); ``all_seconds`` lists every
run. Only the measured call is timed (modules are imported
and the file is in the page cache beforehand), and each measurement checks what it read, so a
broken reader cannot produce a fast figure.

    .venv/bin/python benchmarks/run_all.py [--events N] [--weeks W] [--only NAME[,NAME]] [--repeat K]

The read figures time reading a synthetic log (make_logs.py); the simulation figures time
``jxcsim.world.simulate.simulate`` against a bare SimPy model of the same order flow
(bare_flow.py) and need no log.

See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import gc
import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
# The parent process imports nothing heavy and never holds a log: on Linux a child's ru_maxrss
# starts from its parent's peak (fork/vfork then exec keeps the old high-water mark), so a big
# parent would inflate every figure's peak_rss_mb. make_logs (numpy, pandas) is imported by the
# measuring children only; the parent runs it as a subprocess. These mirror make_logs' defaults.
DEFAULT_EVENTS = 1_000_000
DEFAULT_SEED = 42
DEFAULT_WEEKS = 52  # simulate_year's horizon (--weeks scales it down; the target is for 52)
SIM_SEED = 1  # the simulation figures' seed (world and bare flow alike)
BASELINE_SCENARIO = HERE.parent / "scenarios" / "baseline.yaml"
YEAR_SCENARIO = HERE / "scenarios" / "year_4000.yaml"  # the baseline staffed for 4,000 orders a month
CACHE_DIR = HERE / ".cache"
PARENT_RSS_LIMIT_MB = 64


def peak_rss_mb() -> float:
    """Peak RSS of this process in MiB (``ru_maxrss`` is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def _profile() -> dict:
    import make_logs

    return make_logs.PROFILE


# ------------------------------------------------------------------------------ measured callables
# Each takes (path, manifest), returns the object read, and is paired with a check.

def _ours(path: str, manifest: dict):
    from jxcsim.eventlog import read_event_log

    return read_event_log(path, profile=_profile())


def _ours_pm4py_path(path: str, manifest: dict):
    """read_event_log's steps with the XES reader forced onto its pm4py fallback."""
    from jxcsim.eventlog.log import EventLog
    from jxcsim.eventlog.normalise import normalise_events
    from jxcsim.eventlog.read import as_profile
    from jxcsim.eventlog.xes_reader import read_xes_raw

    prof = as_profile(_profile())
    raw = read_xes_raw(Path(path), fast=False)
    out = normalise_events(raw.frame, prof, source=path, row_numbers=raw.row_numbers, offset_hint=raw.offset_hint)
    return EventLog(frame=out.frame, quarantine=out.quarantine, source=path, format=raw.format,
                    timezone=out.timezone, profile=prof, rows_read=out.rows_read, events_stored=raw.events_stored,
                    paired_starts=out.paired_starts, unmatched_starts=out.unmatched_starts,
                    instances_without_start=out.instances_without_start, notes=raw.notes + out.notes)


def _pandas_read_csv(path: str, manifest: dict):
    import pandas as pd

    return pd.read_csv(path)


def _pm4py_iterparse(path: str, manifest: dict):
    import pm4py

    return pm4py.read_xes(path, variant="iterparse", return_legacy_log_object=False, show_progress_bar=False)


def _check_log(kind: str) -> Callable[[object, dict], dict]:
    def check(log, manifest: dict) -> dict:
        from jxcsim.eventlog import START, check_frame

        n, s = manifest["instances"], manifest["instances_with_start"]
        stored = n if kind == "csv" else manifest["xes_events"]
        frame = log.frame
        assert len(frame) == n, f"{len(frame)} activity instances, expected {n}"
        assert len(log.quarantine) == 0, f"{len(log.quarantine)} rows quarantined: {log.quarantine.head()}"
        assert log.events_stored == stored, f"{log.events_stored} events stored, expected {stored}"
        assert log.rows_read == stored, f"{log.rows_read} rows read, expected {stored}"
        assert int(frame[START].notna().sum()) == s, "instances with a start time"
        if kind == "xes":
            assert log.paired_starts == s, f"{log.paired_starts} starts paired, expected {s}"
        assert frame["case:concept:name"].nunique() == manifest["cases"], "cases"
        assert frame["concept:name"].nunique() == manifest["activities"], "activities"
        assert log.timezone == "Asia/Shanghai", log.timezone
        check_frame(frame)
        return {"instances": len(frame), "events_stored": log.events_stored}
    return check


def _check_rows(key: str) -> Callable[[object, dict], dict]:
    def check(frame, manifest: dict) -> dict:
        assert len(frame) == manifest[key], f"{len(frame)} rows, expected {manifest[key]}"
        return {"rows": len(frame)}
    return check


# Simulation figures: the context is {"weeks": ...}; ``prepare`` loads the scenario before the clock.

def _scenario(path: Path) -> Callable[[None, dict], object]:
    def prepare(_: None, ctx: dict):
        from jxcsim.world.scenario import load_scenario

        return load_scenario(path)
    return prepare


def _world(scenario, ctx: dict):
    """The full world (engine, documents, log; the log frame built): simulate() on a step-counting env."""
    import bare_flow

    return bare_flow.simulate_counting(scenario, weeks=ctx["weeks"], seed=SIM_SEED)


def _bare(scenario, ctx: dict):
    import bare_flow

    return bare_flow.run_bare(scenario, weeks=ctx["weeks"], seed=SIM_SEED)


def _sim_info(scenario, weeks: int, orders: int, simpy_events: int, log_events: int, steps: dict) -> dict:
    import bare_flow

    per_week = scenario.demand.orders_per_week
    expected = per_week * weeks
    # arrivals are Poisson: 5 standard deviations either side, plus 1 % for the weekday pattern
    assert abs(orders - expected) <= 5 * expected ** 0.5 + 0.01 * expected, f"{orders} orders, expected ~{expected:.0f}"
    assert steps.get("order_received", 0) == orders
    counts = (len(bare_flow.count_times(scenario.start, weeks * 168.0, scenario.counts.time))
              if scenario.counts.enabled else 0)
    n_skus = sum(g.count for g in scenario.catalogue.groups.values())
    n_locations = len(scenario.counts.locations or scenario.locations)
    assert steps.get("count", 0) == counts * n_skus * n_locations, f"{steps.get('count', 0)} SKUs counted"
    if weeks >= 8:  # customers pay 10+ days after an invoice
        assert steps.get("payment", 0) > 0 and steps.get("supplier_payment", 0) > 0, "no payments"
    # each order is at least a credit check, a release, a pick, a load, a drive, an invoice and a payment; in a
    # short run many orders are still under way at the end
    per_order = 10 if weeks >= 8 else 6
    assert simpy_events > per_order * orders, f"{simpy_events} SimPy events for {orders} orders"
    assert log_events > 5 * orders, f"{log_events} log events for {orders} orders"
    return {"orders": orders, "simpy_events": simpy_events, "log_events": log_events, "weeks": weeks,
            "orders_per_week": round(per_week, 2)}


def _check_world(out, ctx: dict) -> dict:
    from jxcsim.eventlog import check_frame
    from jxcsim.eventlog.schema import CASE, SEMANTIC

    (result, steps), scenario = out, ctx["scenario"]
    log = result.log
    semantic = log[SEMANTIC].astype(str)
    received = semantic == "order_received"
    assert log[CASE][received].is_unique, "an order received twice"
    assert result.weeks == ctx["weeks"] and result.seed == SIM_SEED
    check_frame(log)
    return _sim_info(scenario, ctx["weeks"], int(received.sum()), steps, len(log), semantic.value_counts().to_dict())


def _check_bare(bare, ctx: dict) -> dict:
    assert "jxcsim.engine" not in sys.modules, "the bare flow imported the engine"
    assert sum(bare.steps.values()) == bare.log_events
    assert bare.weeks == ctx["weeks"] and bare.seed == SIM_SEED
    return _sim_info(ctx["scenario"], ctx["weeks"], bare.orders, bare.simpy_events, bare.log_events, bare.steps)


# The OCEL 2.0 SQLite figure: the frame is simulated before the clock; the call writes one file.

def _simulated_frame(_: None, ctx: dict):
    """The baseline's 13 weeks as ``jxcsim simulate`` writes them (the log without its semantic column)."""
    from jxcsim.eventlog.schema import SEMANTIC
    from jxcsim.world.scenario import load_scenario
    from jxcsim.world.simulate import simulate

    return simulate(load_scenario(BASELINE_SCENARIO), weeks=ctx["weeks"], seed=SIM_SEED).log.drop(columns=[SEMANTIC])


def _ocel_path() -> Path:
    import tempfile

    return Path(tempfile.mkdtemp(prefix="jxcsim-bench-")) / "log.ocel.sqlite"


def _ocel_ours(frame, ctx: dict) -> tuple[Path, int]:
    from jxcsim.eventlog.ocel import write_ocel2

    return write_ocel2(frame, _ocel_path()), len(frame)


def _ocel_pm4py(frame, ctx: dict) -> tuple[Path, int]:
    from jxcsim.eventlog.log import LogFormat
    from jxcsim.eventlog.ocel import _export, _frame_to_ocel

    path = _ocel_path()
    return _export(_frame_to_ocel(frame, "case"), path, LogFormat.OCEL2_SQLITE), len(frame)


def _check_ocel(out: tuple[Path, int], ctx: dict) -> dict:
    """Count what the file holds (then delete it): every row an event, its objects and relations."""
    import shutil
    import sqlite3

    path, rows = out
    db = sqlite3.connect(path)
    try:
        counts = {name: db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
                  for name, table in (("events", "event"), ("objects", "object"), ("relations", "event_object"))}
    finally:
        db.close()
    size = path.stat().st_size
    shutil.rmtree(path.parent)
    assert counts["events"] == rows, f"{counts['events']} events for {rows} rows"
    assert counts["relations"] > counts["events"] and counts["objects"] > 0, counts
    return {**counts, "file_mb": round(size / 2**20, 1)}


@dataclass(frozen=True)
class Measure:
    """One timed call in its own process."""

    file: str | None  # key into the manifest's files: csv, xes, ...; None: needs no log
    call: Callable[[object, dict], object]
    check: Callable[[object, dict], dict]
    imports: tuple[str, ...]  # imported before the clock starts
    prepare: Callable[[str | None, dict], object] | None = None  # before the clock: the call's first argument


@dataclass(frozen=True)
class Figure:
    name: str
    description: str
    value: Measure
    baseline: str | None  # key into BASELINES (shared between figures reading the same file)
    target: tuple[tuple[str, str, float], ...] = ()  # (field, "<=" or ">=", bound) from DESIGN / the issue; all
    fields: tuple[str, ...] = ("instances", "events_stored")  # from the value's check, into the line
    baseline_fields: tuple[str, ...] = ()  # from the baseline's check, into the line as baseline_<field>
    same: tuple[str, ...] = ()  # fields value and baseline must share (line["same_flow"]; warns when not)
    scale: str = "events"  # the option that scales it down ("events", "weeks"; "none": fixed size)
    min_repeat: int = 1  # runs per measurement at least (the fastest counts), whatever --repeat says

    def target_text(self) -> str | None:
        return " and ".join(f"{f} {op} {bound:g}" for f, op, bound in self.target) or None

    def targets_met(self, line: dict) -> dict[str, bool | None]:
        return {f"{f} {op} {bound:g}": None if line.get(f) is None else
                (line[f] <= bound if op == "<=" else line[f] >= bound) for f, op, bound in self.target}

    def target_met(self, line: dict) -> bool | None:
        met = list(self.targets_met(line).values())
        return None if not met or None in met else all(met)

    def full_size(self, args: argparse.Namespace) -> bool:
        """Targets are judged at the full size only (1M instances, 52 weeks)."""
        return {"events": args.events == DEFAULT_EVENTS, "weeks": args.weeks == DEFAULT_WEEKS}.get(self.scale, True)


def _read_first(path: str, ctx: dict):
    import bench_diagnose

    return bench_diagnose.read_log(path, ctx)


def _bd(name: str) -> Callable:
    """A callable of bench_diagnose.py, imported in the measuring child only."""
    def call(arg, ctx: dict):
        import bench_diagnose

        return getattr(bench_diagnose, name)(arg, ctx)
    return call


BASELINES: dict[str, Measure] = {
    "pandas_read_csv": Measure("csv", _pandas_read_csv, _check_rows("instances"), ("pandas",)),
    "pm4py_iterparse": Measure("xes", _pm4py_iterparse, _check_rows("xes_events"), ("pm4py",)),
    "bare_flow": Measure(None, _bare, _check_bare, ("bare_flow", "simpy", "numpy"), _scenario(YEAR_SCENARIO)),
    "bare_flow_baseline": Measure(None, _bare, _check_bare, ("bare_flow", "simpy", "numpy"),
                                  _scenario(BASELINE_SCENARIO)),
    "read_pm4py_perf_dfg": Measure("csv", _bd("read_and_pm4py_dfg"), _bd("check_dfg"),
                                   ("bench_diagnose", "jxcsim.eventlog", "pm4py")),
    "pm4py_perf_dfg": Measure("csv", _bd("pm4py_performance_dfg"), _bd("check_dfg"),
                              ("bench_diagnose", "jxcsim.eventlog", "pm4py"), _read_first),
    "pm4py_ocel_sqlite": Measure(None, _ocel_pm4py, _check_ocel, ("jxcsim.eventlog.ocel", "pm4py"),
                                 _simulated_frame),
}
# diagnose_1m imports pm4py inside the clock, as `jxcsim diagnose` does; the window figures need none
_DIAGNOSE_IMPORTS = ("bench_diagnose", "jxcsim.eventlog", "jxcsim.mining.diagnose", "jxcsim.mining.lag")
_SIM_FIELDS = ("orders", "simpy_events", "log_events", "weeks", "orders_per_week", "gc_s")
_FLOW_FIELDS = ("orders", "simpy_events", "log_events")  # equal when the bare flow mirrors the world
FIGURES: dict[str, Figure] = {f.name: f for f in (
    Figure("csv_read_1m", "read_event_log(csv) to the validated frame vs plain pandas.read_csv",
           Measure("csv", _ours, _check_log("csv"), ("jxcsim.eventlog", "jxcsim.eventlog.csv_reader",
                                                     "pyarrow.csv")),
           "pandas_read_csv", target=(("value", "<=", 5.0),)),
    Figure("xes_read_1m", "read_event_log(xes): rustxes, validation, start/complete pairing vs pm4py iterparse",
           Measure("xes", _ours, _check_log("xes"), ("jxcsim.eventlog", "jxcsim.eventlog.xes_reader", "rustxes",
                                                     "polars")),
           "pm4py_iterparse", target=(("speedup", ">=", 3.0),)),
    Figure("xes_read_1m_pm4py_path", "read_event_log's XES path forced onto the pm4py fallback vs pm4py iterparse",
           Measure("xes", _ours_pm4py_path, _check_log("xes"), ("jxcsim.eventlog", "jxcsim.eventlog.xes_reader",
                                                                "pm4py")),
           "pm4py_iterparse"),
    Figure("simulate_year", "simulate(benchmarks/scenarios/year_4000.yaml: 4,000 orders/month, 52 weeks, seed 1): "
                            "world, engine and log vs a bare SimPy model of the same order flow",
           Measure(None, _world, _check_world, ("bare_flow", "jxcsim.world.simulate", "jxcsim.eventlog"),
                   _scenario(YEAR_SCENARIO)),
           "bare_flow", target=(("value", "<=", 8.0), ("peak_rss_mb", "<=", 1024.0), ("ratio", "<=", 2.0)),
           fields=_SIM_FIELDS, baseline_fields=(*_FLOW_FIELDS, "gc_s"), same=_FLOW_FIELDS, scale="weeks",
           min_repeat=3),
    Figure("diagnose_1m", "read_event_log(csv) + diagnose_log (every analysis, the pm4py views on their samples, "
                          "report and figures) vs read_event_log + pm4py.discover_performance_dfg",
           Measure("csv", _bd("diagnose_file"), _bd("check_diagnosis"), _DIAGNOSE_IMPORTS),
           "read_pm4py_perf_dfg", target=(("value", "<=", 20.0), ("peak_rss_mb", "<=", 2560.0)),
           fields=("findings", "instances")),
    Figure("handoff_lags_1m", "find_handoff_windows (every frequent hand-off by location x weekday x hour, tested) "
                              "vs pm4py.discover_performance_dfg on the same frame",
           Measure("csv", _bd("handoff_windows"), _bd("check_windows"), _DIAGNOSE_IMPORTS, _read_first),
           "pm4py_perf_dfg", target=(("value", "<=", 2.0),), fields=("findings",)),
    Figure("posting_lags_1m", "conditioned_lags (goods issues and receipts against their postings, by location x "
                              "weekday x hour) on the frame read before the clock",
           Measure("csv", _bd("posting_windows"), _bd("check_windows"), _DIAGNOSE_IMPORTS, _read_first),
           None, fields=("findings",)),
    Figure("simulate_13_weeks", "simulate(baseline scenario as shipped, 13 weeks, seed 1): world, engine and log "
                                "vs the bare SimPy flow of the same scenario",
           Measure(None, _world, _check_world, ("bare_flow", "jxcsim.world.simulate", "jxcsim.eventlog"),
                   _scenario(BASELINE_SCENARIO)),
           "bare_flow_baseline", fields=_SIM_FIELDS, baseline_fields=(*_FLOW_FIELDS, "gc_s"), same=_FLOW_FIELDS,
           scale="none", min_repeat=3),
    Figure("ocel_write_13_weeks", "write_ocel2(the baseline's 13 weeks, 64k events) to OCEL 2.0 SQLite (our writer) "
                                  "vs the same frame through pm4py's OCEL object and SQLite exporter",
           Measure(None, _ocel_ours, _check_ocel, ("jxcsim.eventlog.ocel",), _simulated_frame),
           "pm4py_ocel_sqlite", fields=("events", "objects", "relations", "file_mb"),
           baseline_fields=("events", "objects", "relations", "file_mb"), same=("events", "objects", "relations"),
           scale="none", min_repeat=3),
)}
SIM_WEEKS = {"simulate_13_weeks": 13, "ocel_write_13_weeks": 13}  # fixed horizons; simulate_year runs --weeks


# ------------------------------------------------------------------------------------ child side

def measure_here(m: Measure, manifest: dict) -> dict:
    """Time ``m`` here; ``manifest`` is the log's manifest, or the simulation context ({"weeks": ...}).

    Also returns ``gc_s``, the wall time of the cyclic garbage collector's passes during the call.
    """
    import importlib

    from jxcsim.memory import heavy_work

    for mod in m.imports:
        importlib.import_module(mod)
    arg = path = manifest["files"][m.file] if m.file else None
    if m.prepare:  # e.g. load the scenario; the check sees it as manifest["scenario"]
        arg = m.prepare(path, manifest)
        manifest = {**manifest, "scenario": arg}
    gc.collect()
    gc_time = [0.0, 0.0]  # total, start of the running pass

    def on_gc(phase: str, info: dict) -> None:
        if phase == "start":
            gc_time[1] = time.perf_counter()
        else:
            gc_time[0] += time.perf_counter() - gc_time[1]

    gc.callbacks.append(on_gc)
    # every measurement, value and baseline alike, under the memory settings jxcsim's own entry points use
    # (numpy's huge-page hint off, pyarrow's system pool; see jxcsim.memory), so a ratio compares the code,
    # not the allocators
    with heavy_work():
        t0 = time.perf_counter()
        c0 = time.process_time()
        result = m.call(arg, manifest)
        seconds = time.perf_counter() - t0
        cpu = time.process_time() - c0
    gc.callbacks.remove(on_gc)
    info = m.check(result, manifest)
    return {"seconds": seconds, "cpu_seconds": cpu, "peak_rss_mb": peak_rss_mb(), "gc_s": round(gc_time[0], 3),
            **info}


# ----------------------------------------------------------------------------------- parent side

def _child(args: argparse.Namespace, name: str, baseline: bool) -> dict:
    cmd = [sys.executable, str(Path(__file__).resolve()), "--one", name, "--events", str(args.events),
           "--seed", str(args.seed), "--cache-dir", str(args.cache_dir), "--weeks", str(args.weeks)]
    if baseline:
        cmd.append("--baseline")
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[2:])} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _best(args: argparse.Namespace, name: str, baseline: bool) -> dict:
    """The fastest of ``--repeat`` runs (at least the figure's ``min_repeat``), with the largest peak RSS seen."""
    return _fastest([_child(args, name, baseline) for _ in range(max(args.repeat, FIGURES[name].min_repeat))])


def _best_pair(args: argparse.Namespace, name: str) -> tuple[dict, dict]:
    """:func:`_best` of the value and of its baseline, their runs taken in turns (value, baseline, value, ...):
    on a machine whose speed drifts both see the same spells, and the ratio does not catch the drift."""
    value, base = [], []
    for _ in range(max(args.repeat, FIGURES[name].min_repeat)):
        value.append(_child(args, name, False))
        base.append(_child(args, name, True))
    return _fastest(value), _fastest(base)


def _fastest(runs: list[dict]) -> dict:
    best = min(runs, key=lambda r: r["seconds"])
    return {**best, "peak_rss_mb": max(r["peak_rss_mb"] for r in runs), "runs": len(runs),
            "all_seconds": [round(r["seconds"], 3) for r in runs]}


def _warm(path: str) -> None:
    """Read a file once so every measurement finds it in the page cache."""
    with open(path, "rb") as handle:
        while handle.read(1 << 20):
            pass


def _log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    names = list(FIGURES) if not args.only else [n.strip() for n in args.only.split(",") if n.strip()]
    unknown = [n for n in names if n not in FIGURES]
    if unknown:
        _log(f"unknown figure(s) {', '.join(unknown)}; known: {', '.join(FIGURES)}")
        return 2
    files = {FIGURES[n].value.file for n in names} - {None}  # the simulation figures read no log
    if files:
        t0 = time.perf_counter()
        proc = subprocess.run([sys.executable, str(HERE / "make_logs.py"), "--events", str(args.events),
                               "--seed", str(args.seed), "--cache-dir", str(args.cache_dir)],
                              stdout=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            _log("bench: make_logs.py failed")
            return 2
        manifest = json.loads(proc.stdout.strip().splitlines()[-1])
        _log(f"bench: log of {manifest['instances']:,} activity instances ({manifest['xes_events']:,} XES events, "
             f"{manifest['cases']:,} cases) ready in {time.perf_counter() - t0:.1f} s")
        for key in files:
            _warm(manifest["files"][key])
    baselines: dict[str, dict] = {}
    failed = 0
    for name in names:
        fig = FIGURES[name]
        try:
            base = None
            if fig.baseline and fig.baseline not in baselines:  # measured in turns with the value
                _log(f"bench: {name} and its baseline {fig.baseline}, in turns ...")
                value, baselines[fig.baseline] = _best_pair(args, name)
            else:
                _log(f"bench: {name} ...")
                value = _best(args, name, baseline=False)
            if fig.baseline:
                base = baselines[fig.baseline]
        except (RuntimeError, ValueError) as exc:
            _log(f"bench: {name} FAILED: {exc}")
            failed += 1
            continue
        v = value["seconds"]
        b = base["seconds"] if base else None
        line = {
            "bench": name, "value": round(v, 3), "unit": "s",
            "baseline": round(b, 3) if b is not None else None,
            "ratio": round(v / b, 3) if b else None,
            "speedup": round(b / v, 2) if b else None,
            "peak_rss_mb": round(value["peak_rss_mb"], 1),
            "baseline_name": fig.baseline,
            "baseline_peak_rss_mb": round(base["peak_rss_mb"], 1) if base else None,
            "cpu_s": round(value["cpu_seconds"], 3),
            "runs": value["runs"],  # measurements of the value (and of the baseline), the fastest kept
            "all_seconds": value["all_seconds"],
            "baseline_all_seconds": base["all_seconds"] if base else None,
            **{f: value[f] for f in fig.fields},
            **{f"baseline_{f}": base[f] if base else None for f in fig.baseline_fields},
        }
        if fig.same and base:  # the bare flow draws as the world does: the same flow, event for event
            line["same_flow"] = all(value[f] == base[f] for f in fig.same)
            if not line["same_flow"]:
                _log(f"bench: WARNING: {name}: the baseline simulated another flow than the value ("
                     + ", ".join(f"{f} {value[f]} vs {base[f]}" for f in fig.same)
                     + "): bare_flow.py no longer mirrors the world")
        line["target"] = fig.target_text()
        full = fig.full_size(args)  # targets are for the full size (1M instances, 52 weeks)
        line["target_met"] = fig.target_met(line) if full else None
        if len(fig.target) > 1:
            line["targets_met"] = fig.targets_met(line) if full else None
        print(json.dumps(line, ensure_ascii=False), flush=True)
        versus = f"baseline {fig.baseline} {b:.2f} s, ratio {v / b:.2f}, speedup {b / v:.2f}x, " if b else ""
        _log(f"bench: {name}: {v:.2f} s, {versus}peak RSS {value['peak_rss_mb']:.0f} MiB"
             + (f"  (target {line['target']}: {'met' if line['target_met'] else 'NOT met'})"
                if line["target_met"] is not None else ""))
    if peak_rss_mb() > PARENT_RSS_LIMIT_MB:  # see the note at the top: it would leak into the figures
        _log(f"bench: WARNING: the parent process peaked at {peak_rss_mb():.0f} MiB; peak_rss_mb values "
             f"below that are not trustworthy")
    return 1 if failed else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="jxcsim benchmarks: one JSON line per figure on stdout")
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS,
                        help="activity instances in the synthetic log (default 1,000,000)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="the synthetic log's seed")
    parser.add_argument("--weeks", type=int, default=DEFAULT_WEEKS,
                        help="simulate_year's horizon in weeks (default 52; world and bare flow alike)")
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    parser.add_argument("--only", help="comma-separated figure names")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement; the fastest counts")
    parser.add_argument("--list", action="store_true", help="list the figures and exit")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # child: measure one figure
    parser.add_argument("--baseline", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.list:
        for fig in FIGURES.values():
            print(f"{fig.name}: {fig.description}")
        return 0
    if args.one:
        fig = FIGURES[args.one]
        m = BASELINES[fig.baseline] if args.baseline else fig.value
        if m.file:
            import make_logs

            manifest = make_logs.ensure_logs(args.events, args.seed, cache_dir=args.cache_dir, log=_log)
        else:
            manifest = {"weeks": SIM_WEEKS.get(args.one, args.weeks)}
        print(json.dumps(measure_here(m, manifest)))
        return 0
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.weeks < 1:
        parser.error("--weeks must be at least 1")
    return run(args)


if __name__ == "__main__":
    sys.exit(main())
