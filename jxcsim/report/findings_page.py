"""The diagnosis report: findings ranked, with their evidence, as one self-contained HTML page.

Every string that comes from a log (activity names, locations, case ids, summaries) passes
through :func:`html.escape`.

>>> from jxcsim.mining.findings import Finding, FindingKind
>>> f = Finding(FindingKind.BOTTLENECK, ["<script>x</script>", "b"], None, 2, [13, 18], 3, 4.0, 0.5, None,
...             0.01, ["c1"], "a <b> waits")
>>> "<script>x" in render_findings_page([f], title="t")
False
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any

from ..mining.findings import Finding, rank_findings

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem;color:#1d2733;max-width:78rem}
h1{font-size:1.5rem;margin-bottom:.2rem} .meta{color:#5b6675;margin-bottom:1.5rem}
table{border-collapse:collapse;width:100%;margin:1rem 0} th,td{padding:.35rem .6rem;border-bottom:1px solid #dde3ea;
text-align:left;vertical-align:top;font-size:.92rem} th{background:#f3f6f9} td.num{text-align:right;font-variant-numeric:tabular-nums}
.kind{font-weight:600;white-space:nowrap} .evidence{color:#5b6675;font-size:.82rem} .empty{color:#5b6675}
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _window(f: Finding) -> str:
    day = WEEKDAYS[f.weekday] if f.weekday is not None else "any day"
    if f.hours is None:
        return day
    start, end = f.hours
    return f"{day} {int(start):02d}:00–{int(end):02d}:00"


def _num(value: float | None, digits: int = 1) -> str:
    return "" if value is None else f"{value:,.{digits}f}"


def render_findings_page(findings: Iterable[Finding], *, title: str, meta: dict[str, Any] | None = None,
                         tables: dict[str, list[dict[str, Any]]] | None = None) -> str:
    """The report as an HTML string: a meta line, the ranked findings, then any extra tables."""
    rows = []
    for rank, f in enumerate(rank_findings(list(findings)), start=1):
        evidence = ", ".join(_e(c) for c in f.evidence[:10])
        rows.append(
            f"<tr><td class=num>{rank}</td><td class=kind>{_e(f.kind.value)}</td><td>{_e(f.summary)}"
            f"<div class=evidence>cases: {evidence}</div></td><td>{_e(' → '.join(f.activities))}</td>"
            f"<td>{_e(f.location or '—')}</td><td>{_e(_window(f))}</td><td class=num>{f.cases:,}</td>"
            f"<td class=num>{_num(f.effect_h)}</td><td class=num>{_num(f.baseline_h)}</td>"
            f"<td class=num>{_num(f.stock_impact_qty, 0)}</td>"
            f"<td class=num>{'' if f.q_value is None else f'{f.q_value:.2g}'}</td></tr>")
    body = "".join(rows) or "<tr><td colspan=11 class=empty>No findings.</td></tr>"
    meta_line = " · ".join(f"{_e(k)}: {_e(v)}" for k, v in (meta or {}).items())
    extra = []
    for name, records in (tables or {}).items():
        if not records:
            continue
        head = "".join(f"<th>{_e(c)}</th>" for c in records[0])
        cells = "".join("<tr>" + "".join(f"<td>{_e(_fmt(v))}</td>" for v in r.values()) + "</tr>" for r in records)
        extra.append(f"<h2>{_e(name)}</h2><table><tr>{head}</tr>{cells}</table>")
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{_e(title)}</title>"
            f"<style>{_STYLE}</style></head><body><h1>{_e(title)}</h1><div class=meta>{meta_line}</div>"
            "<table><tr><th>#</th><th>kind</th><th>finding</th><th>activities</th><th>location</th><th>when</th>"
            "<th>cases</th><th>effect h</th><th>baseline h</th><th>stock impact</th><th>q</th></tr>"
            f"{body}</table>{''.join(extra)}</body></html>")


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.2f}"
    return "" if value is None else str(value)
