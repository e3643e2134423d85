"""Recall and false alarms of the diagnosis on simulated worlds with planted habits, and on clean worlds.

    .venv/bin/python benchmarks/accuracy_diagnose.py [--seeds 10] [--weeks 8] [--first-seed 100] [--overlays]
    .venv/bin/python benchmarks/accuracy_diagnose.py --weeks 13 \
        --scenario scenarios/examples/hardware_distributor_de.yaml

For each seed it simulates the scenario (``scenarios/baseline.yaml`` unless ``--scenario``; every
habit planted) and its clean world (``scenarios/changes/no_habits.yaml`` applied, which switches
off every habit of any world) — with ``--overlays`` also the baseline's evening pick shift,
new-order notification and credit fast-track worlds —, diagnoses each and scores the findings against the
world's planted truth (``jxcsim.mining.truth.score_findings``). Prints one JSON line per world and
a summary: expected patterns, found, recall, false alarms (findings of a scored kind matching no
planted habit) and posting findings on clean worlds.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
POSTING = ("physical_before_book", "late_posting", "unposted_movement")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--first-seed", type=int, default=100)
    parser.add_argument("--weeks", type=int, default=8)
    parser.add_argument("--overlays", action="store_true", help="also the what-if worlds with a planted truth")
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "baseline.yaml",
                        help="the world to score (default: the baseline)")
    args = parser.parse_args(argv)

    from jxcsim.mining.diagnose import diagnose
    from jxcsim.mining.truth import score_findings
    from jxcsim.world.scenario import load_scenario
    from jxcsim.world.simulate import planted_truth, simulate

    changes = ROOT / "scenarios" / "changes"
    worlds = {"habits": [], "clean": [changes / "no_habits.yaml"]}
    if args.overlays:
        worlds.update({name: [changes / f"{name}.yaml"] for name in ("evening_pick_shift", "new_order_notifications",
                                                                     "credit_fast_track")})
    totals = {w: {"expected": 0, "found": 0, "false_alarms": 0, "posting_findings": 0, "misses": [], "unobservable": 0}
              for w in worlds}
    for seed in range(args.first_seed, args.first_seed + args.seeds):
        for world, changes in worlds.items():
            result = simulate(load_scenario(args.scenario, changes=changes), weeks=args.weeks, seed=seed)
            t0 = time.perf_counter()
            findings = diagnose(result.log, timezone=result.scenario.timezone)
            seconds = time.perf_counter() - t0
            score = score_findings(findings, planted_truth(result.scenario), frame=result.log,
                                   timezone=result.scenario.timezone)
            posting = sum(f.kind.value in POSTING for f in findings)
            line = {"world": world, "seed": seed, "weeks": args.weeks, "expected": score["expected"],
                    "found": score["found"], "false_alarms": score["false_alarms"], "posting_findings": posting,
                    "findings": len(findings), "diagnose_s": round(seconds, 2),
                    "misses": [_named(m) for m in score["misses"]],
                    "false_alarm_summaries": score["false_alarm_summaries"],
                    "unobservable": [f"{u['name']} at {u['location']} ({u['cases']} cases)"
                                     for u in score["unobservable"]],
                    "optional_found": [o["name"] for o in score["optional"] if o["found"]],
                    "partial": score["partial"]}
            print(json.dumps(line, ensure_ascii=False), flush=True)
            t = totals[world]
            for key in ("expected", "found", "false_alarms"):
                t[key] += score[key]
            t["posting_findings"] += posting
            t["unobservable"] += len(score["unobservable"])
            t["misses"] += [f"seed {seed}: {_named(m)}" for m in score["misses"]]
    for world, t in totals.items():
        recall = t["found"] / t["expected"] if t["expected"] else float("nan")
        print(f"{world}: {t['found']}/{t['expected']} planted patterns found (recall {recall:.3f}), "
              f"{t['false_alarms']} false alarms, {t['posting_findings']} posting findings over {args.seeds} seeds"
              + (f", {t['unobservable']} planted patterns with too few cases in the log to expect" if t["unobservable"] else "")
              + (f"; missed: {', '.join(t['misses'])}" if t["misses"] else ""), file=sys.stderr)
    return 0


def _named(miss: dict) -> str:
    """A missed expectation with where it was planted: ``"<name> at <location>"``."""
    return f"{miss['name']} at {miss['location']}" if miss.get("location") else str(miss["name"])


if __name__ == "__main__":
    sys.exit(main())
