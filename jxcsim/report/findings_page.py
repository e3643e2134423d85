"""The diagnosis report: findings ranked, with their evidence, then figures and tables, as one self-contained page.

Every string that comes from a log (activity names, locations, case ids, summaries, table cells)
passes through :func:`html.escape`. ``sections`` are trusted HTML fragments made by
:mod:`jxcsim.report.diagnosis` from our own figure functions (whose labels are escaped there).

>>> from jxcsim.mining.findings import Finding, FindingKind
>>> f = Finding(FindingKind.BOTTLENECK, ["<script>x</script>", "b"], None, 2, [13, 18], 3, 4.0, 0.5, None,
...             0.01, ["c1"], "a <b> waits")
>>> "<script>x" in render_findings_page([f], title="t")
False
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterable
from typing import Any

from ..kpi.common import WEEKDAYS
from ..mining.common import clock
from ..mining.findings import Finding, FindingKind, rank_findings
from .tables import health_table_html, is_health_table, label, table_html

_IMPACT = ("phantom stock: quantity × hours moved but not yet posted (unit·h); for a never-posted movement, "
           "the units never posted")
LISTED = 15  # movements shown per finding (all of them are in findings.json)
SHOWN = 25  # findings in the report's table; the rest (lower ranked) folded beneath it
_STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI","Noto Sans CJK SC",sans-serif;margin:2rem auto;color:#1d2733;
max-width:80rem;padding:0 1rem}
h1{font-size:1.5rem;margin-bottom:.2rem} h2{font-size:1.15rem;margin-top:2.2rem;border-bottom:2px solid #dde3ea;
padding-bottom:.2rem} .meta{color:#5b6675;margin-bottom:1rem;font-size:.9rem} .warn{color:#a33} nav a{margin-right:1rem;font-size:.9rem}
table{border-collapse:collapse;width:100%;margin:.8rem 0} th,td{padding:.35rem .6rem;border-bottom:1px solid #dde3ea;
text-align:left;vertical-align:top;font-size:.9rem} th{background:#f3f6f9} td.num{text-align:right;
font-variant-numeric:tabular-nums} td.q{white-space:nowrap} .kind{font-weight:600;white-space:nowrap} .evidence{color:#5b6675;font-size:.8rem}
.empty,.note{color:#5b6675} details{margin-top:.3rem;font-size:.85rem} details table{width:auto}
details.more{font-size:1rem} details.more table{width:100%} details.more summary{cursor:pointer;color:#1d4f91}
.tier0 .kind{color:#b02a37} .tier1 .kind{color:#8a5a00} figure{margin:1rem 0} figure img,figure svg{max-width:100%;
height:auto} figcaption{color:#5b6675;font-size:.85rem} .figs{display:grid;grid-template-columns:repeat(auto-fill,
minmax(34rem,1fr));gap:1rem}
"""


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _window(f: Finding) -> str:
    if f.weekday is not None:
        day = WEEKDAYS[f.weekday]
    elif f.details.get("weekdays"):
        day = ", ".join(WEEKDAYS[d] for d in f.details["weekdays"])
    else:
        day = "every day"
    if f.hours is None:
        return day if f.weekday is not None else "—"
    start, end = f.hours
    return f"{day} {clock(start)}–{clock(end)}"


def _num(value: float | None, digits: int = 1) -> str:
    return "" if value is None or math.isnan(value) else f"{value:,.{digits}f}"


def _details(f: Finding) -> str:
    parts = []
    moves = f.details.get("health_effect_h")
    if moves:
        up = ", ".join(f"{_e(step)} {delta:+.1f} h" for step, delta in moves.items() if delta > 0)
        down = ", ".join(f"{_e(step)} {delta:+.1f} h" for step, delta in moves.items() if delta < 0)
        text = "; ".join(t for t in (f"adds to {up}" if up else "", f"lowers {down}" if down else "") if t)
        parts.append(f"<div class=evidence>Effect on the mean time per step (all cases vs without these): {text}.</div>")
    explains = f.details.get("explains")
    if explains:
        items = "".join(f"<li>{_e(s)}</li>" for s in explains)
        parts.append(f"<details><summary>Also explains {len(explains)} hand-off window(s)</summary><ul>{items}</ul>"
                     "</details>")
    movements = f.details.get("movements")
    if movements:
        parts.append(f"<details><summary>Movements ({len(movements):,} listed in findings.json)</summary>"
                     f"{table_html(movements[:LISTED])}</details>")
    return "".join(parts)



def _q(q: float | None) -> str:
    """A q-value for the table: two significant digits; one too small for a float is below its floor.

    >>> _q(None), _q(3.1e-26), _q(0.0)
    ('', '3.1e-26', '&lt;1e-300')
    """
    if q is None or math.isnan(q):
        return ""
    return f"{q:.2g}" if q > 0 else "&lt;1e-300"

def _stock_impact(f: Finding) -> str:
    """``stock_impact_qty`` with its unit: units never posted for an unposted movement, else
    unit-hours (Σ quantity × hours the shelf and the book disagreed, :mod:`jxcsim.mining.cells`)."""
    if f.stock_impact_qty is None or math.isnan(f.stock_impact_qty):
        return ""
    unit = "units" if f.kind is FindingKind.UNPOSTED_MOVEMENT else "unit·h"
    return f"{f.stock_impact_qty:,.0f}&nbsp;{unit}"


def _finding_rows(findings: list[Finding], first_rank: int = 1) -> str:
    rows = []
    for rank, f in enumerate(findings, start=first_rank):
        evidence = ", ".join(_e(c) for c in f.evidence[:10])
        effect, baseline = _num(f.effect_h), _num(f.baseline_h)
        if f.kind is FindingKind.UNPOSTED_MOVEMENT:  # no lag to compare: unposted at least the grace period
            effect = f'<span title="unposted at least this long (the grace period)">≥&nbsp;{effect}</span>'
            baseline = "—"
        rows.append(
            f"<tr class=tier{f.tier} id=f{rank}><td class=num>{rank}</td><td class=kind>{_e(f.kind.value)}</td>"
            f"<td>{_e(f.summary)}<div class=evidence>cases: {evidence}</div>{_details(f)}</td>"
            f"<td>{_e(' → '.join(f.activities))}</td><td>{_e(f.location or '—')}</td><td>{_e(_window(f))}</td>"
            f"<td class=num>{f.cases:,}</td><td class=num>{effect}</td><td class=num>{baseline}</td>"
            f"<td class=num>{_stock_impact(f)}</td>"
            f"<td class=\"num q\">{_q(f.q_value)}</td></tr>")
    return "".join(rows) or "<tr><td colspan=11 class=empty>No findings.</td></tr>"


def _read_line(read: dict[str, Any] | None) -> str:
    """What reading the log left out, for the meta block: quarantined rows (a warning) and notes."""
    if not read:
        return ""
    line = ""
    if read.get("quarantined"):
        reasons = "; ".join(f"{n:,} {_e(kind)}" for kind, n in list(read["reasons"].items())[:5])
        where = f", listed in {_e(read['quarantine_file'])} beside this report" if read.get("quarantine_file") else ""
        line += (f"<br><b class=warn>{read['quarantined']:,} of {read['rows_read']:,} rows were quarantined and are "
                 f"not in the findings</b> ({reasons}{where})")
    for note in read.get("notes") or []:
        line += f"<br>note: {_e(note)}"
    return line


def _meta_value(value: Any) -> Any:
    return f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else value


def render_findings_page(findings: Iterable[Finding], *, title: str, meta: dict[str, Any] | None = None,
                         tables: dict[str, list[dict[str, Any]]] | None = None,
                         sections: list[tuple[str, str]] | None = None) -> str:
    """The report as an HTML string: meta line, the ranked findings, ``sections`` (heading,
    trusted HTML), then ``tables`` (heading, records; escaped)."""
    ranked = rank_findings(list(findings))
    meta_line = " · ".join(f"{_e(label(k))}: {_e(_meta_value(v))}" for k, v in (meta or {}).items()
                           if not isinstance(v, dict))
    meta_line += _read_line((meta or {}).get("read"))
    not_run = (meta or {}).get("not_run") or {}
    if not_run:  # analyses the log's semantics do not allow: say so, not an empty section
        meta_line += "<br>not run: " + "; ".join(f"{_e(name)} ({_e(why)})" for name, why in not_run.items())
        if any(why.startswith("needs activities mapped") for why in not_run.values()):
            meta_line += " — map the log's activities in a profile (docs/profiles.md)"
    blocks = [(name, body) for name, body in (sections or [])]
    blocks += [(name, health_table_html(records) if is_health_table(records) else table_html(records))
               for name, records in (tables or {}).items() if records]
    nav = "".join(f'<a href="#s{i}">{_e(name)}</a>' for i, (name, _) in enumerate(blocks))
    extra = "".join(f'<h2 id="s{i}">{_e(name)}</h2>{body}' for i, (name, body) in enumerate(blocks))
    head = ("<tr><th>#</th><th>kind</th><th>finding</th><th>activities</th><th>location</th><th>when</th>"
            f"<th>cases</th><th>{_e(label('effect_h'))}</th><th>{_e(label('baseline_h'))}</th>"
            f"<th title=\"{_IMPACT}\">{_e(label('stock_impact_qty'))}</th><th>{_e(label('q_value'))}</th></tr>")
    table = f"<table>{head}{_finding_rows(ranked[:SHOWN])}</table>"
    rest = ranked[SHOWN:]
    if rest:  # a large firm's many lesser windows, out of the way of the ranked ones (still in findings.json)
        kinds: dict[str, int] = {}
        for f in rest:
            kinds[f.kind.value] = kinds.get(f.kind.value, 0) + 1
        what = ", ".join(f"{n} {kind}" for kind, n in sorted(kinds.items(), key=lambda item: -item[1]))
        table += (f"<details class=more id=more><summary>{len(rest)} more findings, ranked {SHOWN + 1}–{len(ranked)} "
                  f"({_e(what)})</summary><table>{head}{_finding_rows(rest, SHOWN + 1)}</table></details>")
    return (f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{_e(title)}</title>"
            f"<style>{_STYLE}</style></head><body><h1>{_e(title)}</h1><div class=meta>{meta_line}</div>"
            f"<nav><a href=\"#findings\">Findings</a>{nav}</nav>"
            f"<h2 id=findings>Findings ({len(ranked)})</h2>{table}{extra}</body></html>")
