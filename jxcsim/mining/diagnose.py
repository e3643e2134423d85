"""``diagnose``: run every analysis on a log and write ``findings.json`` and ``report.html``.

>>> from jxcsim.kpi.example import example_log          # doctest: +SKIP
>>> findings = diagnose(example_log(), timezone="Asia/Shanghai")   # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..eventlog.log import EventLog
from ..kpi.common import KpiUnavailable
from ..kpi.process import process_health
from ..progress import Progress
from .findings import Finding, FindingKind, rank_findings, write_findings
from .unposted import find_unposted


def _as_finding(item: Finding | dict[str, Any]) -> Finding:
    if isinstance(item, Finding):
        return item
    data = dict(item)
    data["kind"] = FindingKind(data["kind"])
    known = set(Finding.__dataclass_fields__)
    details = {k: v for k, v in data.items() if k not in known}
    return Finding(**{k: v for k, v in data.items() if k in known}, details={**data.get("details", {}), **details})


def diagnose(frame: pd.DataFrame, *, timezone: str | None, progress: bool = False) -> list[Finding]:
    """All findings for a canonical frame (semantics from its profile), ranked."""
    from .lag import conditioned_lags

    findings: list[Finding] = []
    with Progress(["posting lags", "never-posted movements"], enabled=progress, desc="diagnosing") as bar:
        bar.step("posting lags")
        findings += [_as_finding(f) for f in conditioned_lags(frame, timezone=timezone)]
        bar.step("never-posted movements")
        findings += find_unposted(frame, timezone=timezone)
    return rank_findings(findings)


def health_table(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The process-health table (per step: cases, mean/median/p90 hours, share blocked) as records."""
    try:
        table = process_health(frame)
    except KpiUnavailable:
        return []
    if isinstance(table, pd.DataFrame):
        return table.reset_index().to_dict("records")
    return [dict(row) for row in table]


def diagnose_log(log: EventLog, out: str | Path, *, progress: bool = False) -> dict[str, Path]:
    """Diagnose ``log`` and write ``findings.json`` and ``report.html`` under ``out``."""
    from ..report.findings_page import render_findings_page

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    findings = diagnose(log.frame, timezone=log.timezone, progress=progress)
    meta = {"source": log.source, "timezone": log.timezone, "activity_instances": int(len(log.frame)),
            "cases": int(log.frame["case:concept:name"].nunique()) if len(log.frame) else 0,
            "findings": len(findings)}
    written = {"findings.json": write_findings(findings, out / "findings.json", meta=meta)}
    page = render_findings_page(findings, title=f"Diagnosis of {Path(log.source).name}", meta=meta,
                                tables={"Process health per step": health_table(log.frame)})
    written["report.html"] = out / "report.html"
    written["report.html"].write_text(page, encoding="utf-8")
    return written
