"""Diagnosis figures for run_all.py: the whole ``jxcsim diagnose`` pipeline and the conditioned lag analysis
on the synthetic 1M-instance log, each against pm4py's performance DFG measured in the same run.

- ``diagnose_1m``: bytes to findings.json, report.html and figures — ``read_event_log`` with the
  log's profile, then ``diagnose_log`` with its defaults (every analysis, the process views on
  their default samples, the report); baseline: ``read_event_log`` then
  ``pm4py.discover_performance_dfg`` (reading a log and getting pm4py's timed process map).
- ``handoff_lags_1m``: ``find_handoff_windows`` — every frequent hand-off conditioned on
  location × weekday × hour, tested, windows merged — on the frame read before the clock;
  baseline: ``pm4py.discover_performance_dfg`` on the same frame (the same lags, unconditioned).
- ``posting_lags_1m``: ``conditioned_lags`` (goods issues and receipts against their postings).
"""

from __future__ import annotations

import tempfile

import make_logs

CORE = ["case:concept:name", "concept:name", "time:timestamp"]


def read_log(path: str, ctx: dict):
    from jxcsim.eventlog import read_event_log

    return read_event_log(path, profile=make_logs.PROFILE)


def diagnose_file(path: str, ctx: dict):
    from jxcsim.mining.diagnose import diagnose_log

    log = read_log(path, ctx)
    with tempfile.TemporaryDirectory(prefix="bench-diagnose-") as out:
        written = diagnose_log(log, out)
        return {"log": log, "files": sorted(written), "findings": _read_findings(written["findings.json"])}


def _read_findings(path) -> dict:
    import json

    return json.loads(path.read_text(encoding="utf-8"))


def read_and_pm4py_dfg(path: str, ctx: dict):
    log = read_log(path, ctx)
    return pm4py_performance_dfg(log, ctx)


def pm4py_performance_dfg(log, ctx: dict):
    import pm4py

    return pm4py.discover_performance_dfg(log.frame[CORE])[0]


def handoff_windows(log, ctx: dict):
    from jxcsim.mining.handoffs import find_handoff_windows

    return find_handoff_windows(log.frame, timezone=log.timezone)


def posting_windows(log, ctx: dict):
    from jxcsim.mining.lag import conditioned_lags

    return conditioned_lags(log.frame, timezone=log.timezone)


def check_diagnosis(out, manifest: dict) -> dict:
    payload = out["findings"]
    meta = payload["meta"]
    assert meta["activity_instances"] == manifest["instances"], meta
    assert meta["cases"] == manifest["cases"], meta
    assert {"findings.json", "report.html"} <= set(out["files"]), out["files"]
    assert payload["process"]["notes"] == {}, payload["process"]["notes"]
    kinds = {f["kind"] for f in payload["findings"]}
    # the generator books 7 % of goods issues late and pushes work to office hours: both must show
    assert "physical_before_book" in kinds and "bottleneck" in kinds, kinds
    return {"findings": len(payload["findings"]), "instances": meta["activity_instances"]}


def check_dfg(dfg, manifest: dict) -> dict:
    assert len(dfg) >= manifest["activities"], f"{len(dfg)} edges"
    assert all("mean" in stats for stats in dfg.values())
    return {"edges": len(dfg)}


def check_windows(findings, manifest: dict) -> dict:
    from jxcsim.mining.findings import Finding

    assert findings and all(isinstance(f, Finding) for f in findings), findings[:3]
    assert all(f.q_value is not None and f.cases >= 1 for f in findings)
    return {"findings": len(findings)}
