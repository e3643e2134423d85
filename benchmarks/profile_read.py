"""Profile one read of a cached benchmark log with cProfile (run ``make_logs.py`` or ``run_all.py`` first).

    .venv/bin/python benchmarks/profile_read.py csv|xes|xes-pm4py [--events N] [--top 40] [--out FILE.prof]
    .venv/bin/python benchmarks/profile_read.py csv --lines

Prints the top functions by cumulative and by own time; ``--out`` keeps the raw profile for
``python -m pstats`` or snakeviz. ``--lines`` instead times each executed line of the
``jxcsim`` package (inclusive: a line's time includes everything it calls), the lines with the
most time first, with a small ``sys.settrace`` overhead (the package's code is vectorised, so
few lines run).
"""

from __future__ import annotations

import argparse
import cProfile
import linecache
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


class LineTimer:
    """Inclusive wall time per executed line of the files under ``root``."""

    def __init__(self, root: Path):
        self.root = str(root)
        self.totals: dict[tuple[str, int], float] = defaultdict(float)
        self.hits: dict[tuple[str, int], int] = defaultdict(int)
        self._last: dict[int, tuple[int, float]] = {}

    def _global(self, frame, event, arg):
        code = frame.f_code
        # Comprehensions and lambdas are not traced (per-item events would swamp the timing):
        # their time lands on the line that runs them.
        if event == "call" and code.co_filename.startswith(self.root) and not code.co_name.startswith("<"):
            self._last[id(frame)] = (frame.f_lineno, time.perf_counter())
            return self._local
        return None

    def _local(self, frame, event, arg):
        now = time.perf_counter()
        key = id(frame)
        line, since = self._last.get(key, (frame.f_lineno, now))
        where = (frame.f_code.co_filename, line)
        if event == "line":
            self.totals[where] += now - since
            self.hits[where] += 1
            self._last[key] = (frame.f_lineno, time.perf_counter())
        elif event == "return":
            self.totals[where] += now - since
            self._last.pop(key, None)
        return self._local

    def __enter__(self):
        sys.settrace(self._global)
        return self

    def __exit__(self, *exc):
        sys.settrace(None)

    def report(self, top: int, min_seconds: float = 0.01) -> None:
        rows = sorted(self.totals.items(), key=lambda kv: -kv[1])
        print(f"{'seconds':>8}  {'hits':>6}  line")
        for (file, line), secs in rows[:top]:
            if secs < min_seconds:
                break
            short = file.split("/jxcsim/", 1)[-1]
            code = linecache.getline(file, line).strip()[:110]
            print(f"{secs:8.3f}  {self.hits[(file, line)]:6d}  {short}:{line}  {code}")


def main(argv: list[str] | None = None) -> int:
    import make_logs
    import run_all

    parser = argparse.ArgumentParser(description="cProfile one benchmark read")
    parser.add_argument("what", choices=("csv", "xes", "xes-pm4py"))
    parser.add_argument("--events", type=int, default=make_logs.DEFAULT_EVENTS)
    parser.add_argument("--seed", type=int, default=make_logs.DEFAULT_SEED)
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--lines", action="store_true", help="time each line of the jxcsim package instead")
    args = parser.parse_args(argv)
    manifest = make_logs.ensure_logs(args.events, args.seed, log=lambda m: print(m, file=sys.stderr))
    figure = {"csv": "csv_read_1m", "xes": "xes_read_1m", "xes-pm4py": "xes_read_1m_pm4py_path"}[args.what]
    measure = run_all.FIGURES[figure].value
    import importlib

    for mod in measure.imports:
        importlib.import_module(mod)
    path = manifest["files"][measure.file]
    if args.lines:
        import jxcsim

        t0 = time.perf_counter()
        with LineTimer(Path(jxcsim.__file__).parent) as timer:
            result = measure.call(path, manifest)
        print(f"{figure}: {time.perf_counter() - t0:.2f} s under the line timer", file=sys.stderr)
        measure.check(result, manifest)
        timer.report(args.top)
        return 0
    prof = cProfile.Profile()
    t0 = time.perf_counter()
    prof.enable()
    result = measure.call(path, manifest)
    prof.disable()
    print(f"{figure}: {time.perf_counter() - t0:.2f} s under cProfile", file=sys.stderr)
    measure.check(result, manifest)
    if args.out:
        prof.dump_stats(str(args.out))
    stats = pstats.Stats(prof).strip_dirs()
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
