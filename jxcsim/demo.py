"""``make demo``: the main job end to end on embedded defaults.

Until the simulator lands, the demo reads the bundled sample log of a wholesaler with its
profile, prints the inspection, and writes the summary (JSON and text), the quarantine, and the
log converted to XES and OCEL 2.0 into ``--out``.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .eventlog import read_event_log, summarize_log, write_event_log
from .eventlog.summary import render_summary

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "eventlogs" / "sample_wholesaler.csv"
PROFILE = REPO / "eventlogs" / "sample_wholesaler.profile.yaml"


def run_demo(out: Path, *, log_path: Path = SAMPLE, profile: Path = PROFILE) -> dict[str, Path]:
    """Run the demo into ``out`` and return the files written."""
    out.mkdir(parents=True, exist_ok=True)
    log = read_event_log(log_path, profile=profile)
    summary = summarize_log(log)
    written = {
        "summary.json": out / "summary.json",
        "summary.txt": out / "summary.txt",
        "quarantine.csv": log.write_quarantine(out / "quarantine.csv"),
        "log.xes.gz": write_event_log(log, out / "log.xes.gz"),
        "log.ocel.sqlite": write_event_log(log, out / "log.ocel.sqlite", case_type="sales_order"),
    }
    written["summary.json"].write_text(json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8")
    written["summary.txt"].write_text(render_summary(summary) + "\n", encoding="utf-8")
    return written


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("demo-out"))
    args = parser.parse_args(argv)
    written = run_demo(args.out)
    print(written["summary.txt"].read_text(encoding="utf-8"))
    for name, path in written.items():
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
