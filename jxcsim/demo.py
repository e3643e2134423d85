"""``make demo``: the main job end to end on embedded defaults.

Simulates the baseline wholesaler (``scenarios/baseline.yaml``) for 13 weeks, writes the log
(CSV, XES, OCEL 2.0), its profile, the truth and the KPIs into ``--out``, prints the KPI
summary, then reads the simulated log back through its profile like any foreign log, prints
the inspection and diagnoses it (``diagnosis/``: findings.json, report.html, figures) — the
closed loop of DESIGN.md §2 — and prints the top findings and, planted habit by planted habit, whether
the diagnosis found it (``diagnosis/truth_score.json``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .eventlog import read_event_log, summarize_log
from .eventlog.summary import render_summary
from .kpi.summary import render_kpis
from .memory import use_for_process
from .mining.diagnose import diagnose_log
from .mining.truth import read_planted
from .report.truth import truth_summary, when_text
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
    truth = read_planted(written["truth/planted.json"])  # scored: the closed loop, found or missed
    diagnosis = {f"diagnosis/{name}": path for name, path in diagnose_log(
        log, out / "diagnosis", truth=truth, truth_source="truth/planted.json").items()
        if not name.startswith("figures/")}
    return {**written, "inspection.txt": inspection, "kpis.txt": kpi_text, **diagnosis}


def _top_findings(written: dict[str, Path], limit: int = 8) -> str:
    import json

    findings = json.loads(written["diagnosis/findings.json"].read_text(encoding="utf-8"))["findings"]
    score = json.loads(written["diagnosis/truth_score.json"].read_text(encoding="utf-8"))
    lines = [f"Diagnosis: {len(findings)} finding(s); the top {min(limit, len(findings))}:"]
    lines += [f"{i:>3}. [{f['kind']}] {f['summary']}" for i, f in enumerate(findings[:limit], start=1)]
    lines.append(f"Against what the scenario planted: {truth_summary(score)}")
    for key, result in (("hits", "found"), ("misses", "missed"), ("unobservable", "not expected"),
                        ("optional", "optional")):
        for item in score[key]:
            where = f" at {item['location']}" if item.get("location") else ""
            ranks = f" (finding {', '.join(f'#{r}' for r in item['ranks'])})" if item.get("ranks") else ""
            lines.append(f"  {result}: {item['name']}{where}, {when_text(item.get('weekdays'), item.get('hours'))}"
                         f"{ranks}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("demo-out"))
    parser.add_argument("--weeks", type=int, default=13)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    use_for_process()  # memory settings for heavy work, for the demo's whole process (see jxcsim.memory)
    written = run_demo(args.out, weeks=args.weeks, seed=args.seed, progress=sys.stderr.isatty())
    print(f"Simulated {args.weeks} week{'s' if args.weeks != 1 else ''} of {BASELINE.name} (seed {args.seed}).\n")
    print(written["kpis.txt"].read_text(encoding="utf-8"))
    print(written["inspection.txt"].read_text(encoding="utf-8"))
    print(_top_findings(written) + "\n")
    for name in sorted(written):
        print(f"wrote {written[name]}")


if __name__ == "__main__":
    main()
