"""Profile ``simulate_year`` (the world, or the bare flow) with cProfile: where a simulated year goes.

    .venv/bin/python benchmarks/profile_world.py [--bare] [--weeks 52] [--top 15] [--out FILE.prof] [--no-gc]
    .venv/bin/python benchmarks/profile_world.py --scenario-as-shipped --weeks 13

Prints the time spent in Python's cyclic garbage collector (per generation), the top functions
by own time and by cumulative time, each with its share of the profiled call, then the own time
summed by area (SimPy, the engine, the world's modules, the recorder, numpy/pandas, the rest).
A collection's pause is charged to whichever function allocated when it triggered, so with the
collector on the tables scatter it over cheap, allocating functions; ``--no-gc`` disables it for
the run to see the rest clearly. ``--out`` keeps the raw profile for ``python -m pstats`` or
snakeviz. cProfile adds a fixed cost per call, so a run takes about twice as long as without it
and cheap, often-called functions look heavier than they are; use the shares to rank, and
``run_all.py --only simulate_year`` for the time itself.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

AREAS = (  # (label, substring of the file path), first match wins
    ("simpy", "/simpy/"),
    ("jxcsim.engine", "/jxcsim/engine/"),
    ("jxcsim.world.recorder", "/jxcsim/world/recorder.py"),
    ("jxcsim.world", "/jxcsim/world/"),
    ("benchmarks (bare flow)", "/benchmarks/"),
    ("pandas", "/pandas/"),
    ("numpy", "/numpy/"),
    ("enum", "/enum.py"),
    ("pydantic", "/pydantic"),
)


def _area(file: str, name: str) -> str:
    for label, part in AREAS:
        if part in file:
            return label
    if file == "~":  # built-ins: heapq, dict methods, numpy's C functions, ...
        return "built-ins " + ("(numpy random)" if "numpy.random" in name else "(C)")
    return "other"


class GcTimer:
    """Wall time of the cyclic garbage collector's passes, per generation (``gc.callbacks``)."""

    def __init__(self) -> None:
        self.seconds = [0.0, 0.0, 0.0]
        self.passes = [0, 0, 0]
        self._t0 = 0.0

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._t0 = time.perf_counter()
        else:
            self.seconds[info["generation"]] += time.perf_counter() - self._t0
            self.passes[info["generation"]] += 1

    def __enter__(self) -> GcTimer:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)


def _print_top(stats: pstats.Stats, key: str, top: int, total: float) -> None:
    stats.sort_stats(key)
    column = 3 if key == "cumulative" else 2  # (cc, nc, tt, ct, callers)
    print(f"\n## top {top} by {'cumulative' if key == 'cumulative' else 'own (tottime)'} time "
          f"(share of {total:.2f} s profiled)")
    print(f"{'calls':>10} {'tottime':>8} {'cumtime':>8} {'share':>6}  function")
    for func in stats.fcn_list[:top]:  # type: ignore[attr-defined]
        cc, nc, tt, ct, _ = stats.stats[func]  # type: ignore[attr-defined]
        file, line, name = func
        where = file.split("/site-packages/", 1)[-1].split("/work/main/", 1)[-1]
        share = (ct if column == 3 else tt) / total
        print(f"{nc:>10} {tt:8.3f} {ct:8.3f} {share:6.1%}  {where}:{line}({name})")


def main(argv: list[str] | None = None) -> int:
    import bare_flow
    from jxcsim.world.scenario import load_scenario

    parser = argparse.ArgumentParser(description="cProfile a simulated year")
    parser.add_argument("--bare", action="store_true", help="profile the bare flow instead of the world")
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--scenario-as-shipped", action="store_true",
                        help="the baseline scenario as shipped (default: scenarios/year_4000.yaml, "
                             "4,000 orders/month)")
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--no-gc", action="store_true", help="disable the cyclic garbage collector during the run")
    args = parser.parse_args(argv)
    scenario = load_scenario(HERE.parent / "scenarios" / "baseline.yaml" if args.scenario_as_shipped
                             else bare_flow.YEAR_SCENARIO)
    if not args.bare:
        import jxcsim.world.simulate  # noqa: F401 - imported before the profile starts
    prof = cProfile.Profile()
    gc.collect()
    if args.no_gc:
        gc.disable()
    t0 = time.perf_counter()
    with GcTimer() as gct:
        prof.enable()
        if args.bare:
            out = bare_flow.run_bare(scenario, weeks=args.weeks, seed=1)
            events = out.simpy_events
        else:
            _, events = bare_flow.simulate_counting(scenario, weeks=args.weeks, seed=1)
        prof.disable()
    wall = time.perf_counter() - t0
    gc.enable()
    print(f"{'bare flow' if args.bare else 'world'}: {args.weeks} weeks, {events:,} SimPy events, "
          f"{wall:.2f} s under cProfile" + (", cyclic GC disabled" if args.no_gc else ""), file=sys.stderr)
    if args.out:
        prof.dump_stats(str(args.out))
    stats = pstats.Stats(prof)
    total = max(ct for _, _, _, ct, _ in stats.stats.values())  # type: ignore[attr-defined]  # the profiled call
    print(f"## cyclic GC: {sum(gct.seconds):.2f} s of {wall:.2f} s ({sum(gct.seconds) / wall:.1%}) in "
          f"{sum(gct.passes):,} passes; " + ", ".join(f"generation {g}: {n:,} passes, {secs:.2f} s"
                                                       for g, (n, secs) in enumerate(zip(gct.passes, gct.seconds))))
    _print_top(stats, "tottime", args.top, total)
    _print_top(stats, "cumulative", args.top, total)
    by_area: dict[str, float] = {}
    for (file, _, name), (_, _, tt, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        label = _area(file, name)
        by_area[label] = by_area.get(label, 0.0) + tt
    print(f"\n## own time by area (share of {total:.2f} s)")
    for label, secs in sorted(by_area.items(), key=lambda kv: -kv[1]):
        print(f"{secs:8.3f} {secs / total:6.1%}  {label}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
