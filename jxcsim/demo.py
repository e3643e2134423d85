"""``make demo``: the main job end to end on embedded defaults.

Simulates the baseline wholesaler (``scenarios/baseline.yaml``) for 13 weeks, writes the log
(CSV, XES, OCEL 2.0), its profile, the truth and the KPIs into ``--out``, prints the KPI
summary, then reads the simulated log back through its profile like any foreign log, prints
the inspection and diagnoses it (``diagnosis/``: findings.json, report.html, figures) — the
closed loop of DESIGN.md §2 — and prints the top findings next to what was planted.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .eventlog import read_event_log, summarize_log
from .eventlog.summary import render_summary
from .kpi.summary import render_kpis
from .mining.diagnose import diagnose_log
from .world.scenario import load_scenario
from .world.simulate import run_and_write

REPO = Path(__file__).resolve().parents[1]
BASELINE = REPO / "scenarios" / "baseline.yaml"


def run_demo(out: Path, *, scenario: Path = BASELINE, weeks: int = 13, seed: int = 0,
             progress: bool = False) -> dict[str, Path]:
    """Simulate ``scenario`` into ``out`` and write an inspection of the log; returns the files written."""
    if not scenario.exists():
        raise FileNotFoundError(f"{scenario}: the demo needs the repository's scenarios/ folder")
    written, kpis = run_and_write(load_scenario(scenario), out, weeks=weeks, seed=seed, progress=progress)
    log = read_event_log(written["log.csv"], profile=written["profile.yaml"])
    inspection = out / "inspection.txt"
    inspection.write_text(render_summary(summarize_log(log)) + "\n", encoding="utf-8")
    kpi_text = out / "kpis.txt"
    kpi_text.write_text(render_kpis(kpis) + "\n", encoding="utf-8")
    diagnosis = {f"diagnosis/{name}": path for name, path in diagnose_log(log, out / "diagnosis").items()
                 if not name.startswith("figures/")}
    return {**written, "inspection.txt": inspection, "kpis.txt": kpi_text, **diagnosis}


def _top_findings(written: dict[str, Path], limit: int = 8) -> str:
    import json

    findings = json.loads(written["diagnosis/findings.json"].read_text(encoding="utf-8"))["findings"]
    planted = json.loads(written["truth/planted.json"].read_text(encoding="utf-8"))["habits"]
    lines = [f"Diagnosis: {len(findings)} finding(s); the top {min(limit, len(findings))}:"]
    lines += [f"{i:>3}. [{f['kind']}] {f['summary']}" for i, f in enumerate(findings[:limit], start=1)]
    lines.append("Planted in the scenario: " + "; ".join(f"{h['name']} ({h['kind']})" for h in planted))
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("demo-out"))
    parser.add_argument("--weeks", type=int, default=13)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    written = run_demo(args.out, weeks=args.weeks, seed=args.seed, progress=sys.stderr.isatty())
    print(f"Simulated {args.weeks} week{'s' if args.weeks != 1 else ''} of {BASELINE.name} (seed {args.seed}).\n")
    print(written["kpis.txt"].read_text(encoding="utf-8"))
    print(written["inspection.txt"].read_text(encoding="utf-8"))
    print(_top_findings(written) + "\n")
    for name in sorted(written):
        print(f"wrote {written[name]}")


if __name__ == "__main__":
    main()
