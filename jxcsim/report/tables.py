"""The report's tables: human column labels for findings.json's keys, escaped HTML tables, and the
process-health table with a note on each step that has no cases.

:data:`LABELS` is the one mapping from a key (``mean_h``, ``n_excluded``...) to the label a reader
sees; every table of the report and its meta line go through :func:`label`. The JSON keeps its keys.

>>> label("mean_h"), label("n_excluded"), label("first_event"), label("lead_time_h")
('mean (h)', 'cases excluded', 'first event', 'lead time (h)')
>>> table_html([{"step": "<b>", "mean_h": 1.5}])
'<table><tr><th>step</th><th>mean (h)</th></tr><tr><td>&lt;b&gt;</td><td class=num>1.50</td></tr></table>'
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping
from typing import Any

from ..kpi.process import Step

LABELS: dict[str, str] = {
    # meta line
    "activity_instances": "activity instances",
    "first_event": "first event",
    "last_event": "last event",
    # findings
    "effect_h": "effect (h)",
    "baseline_h": "baseline (h)",
    "stock_impact_qty": "stock impact",
    "q_value": "q",
    # process health
    "n_cases": "cases",
    "n_excluded": "cases excluded",
    "mean_h": "mean (h)",
    "median_h": "median (h)",
    "p90_h": "p90 (h)",
    "share_blocked": "share blocked",
    "blocked_after_h": "blocked after (h)",
    "n_negative": "cases ending before they start",
    # temporal profile
    "std_h": "std dev (h)",
    "deviation_share": "share deviating",
    "cases_deviating": "cases deviating",
    # posting conformance
    "posted_first": "posted first",
    "posted_after": "posted after",
    "never_posted": "never posted",
    "pending": "pending",
    "deviation_rate": "deviation rate",
    # movements listed under a finding
    "sku": "SKU",
    "qty": "quantity",
    "moved_at": "moved at",
    "lag_h": "lag (h)",
    "unposted_h": "unposted for (h)",
    "grace_h": "grace (h)",
}
SHARES = frozenset({"share_blocked", "deviation_share", "deviation_rate"})  # shown as percentages
EMPTY_NOTE = "_empty"  # a record's text for its run of empty cells (keys starting "_" are no columns)


def label(key: str) -> str:
    """The reader's label of ``key``: from :data:`LABELS`, else underscores as spaces and ``_h`` as ``(h)``."""
    if key in LABELS:
        return LABELS[key]
    text = key[:-2] + " (h)" if key.endswith("_h") else key
    return text.replace("_", " ")


def _e(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _empty(value: Any) -> bool:
    return value is None or value == "" or (isinstance(value, float) and math.isnan(value))


def _cell(key: str, value: Any) -> str:
    if _empty(value):
        return "<td></td>"
    if isinstance(value, bool):
        return f"<td>{_e(value)}</td>"
    if isinstance(value, (int, float)):
        text = f"{value:.0%}" if key in SHARES else f"{value:,.2f}" if isinstance(value, float) else f"{value:,}"
        return f"<td class=num>{text}</td>"
    return f"<td>{_e(value)}</td>"


def _row(record: Mapping[str, Any], columns: list[str]) -> str:
    """A row; with an :data:`EMPTY_NOTE`, its first run of two or more empty cells becomes one cell saying it."""
    cells = [_cell(c, record.get(c)) for c in columns]
    note = record.get(EMPTY_NOTE)
    if note:
        empty = [_empty(record.get(c)) for c in columns]
        start = next((i for i in range(len(columns) - 1) if empty[i] and empty[i + 1]), None)
        if start is not None:
            end = start
            while end < len(columns) and empty[end]:
                end += 1
            cells[start:end] = [f"<td colspan={end - start} class=empty>{_e(note)}</td>"]
    return "<tr>" + "".join(cells) + "</tr>"


def table_html(records: list[Mapping[str, Any]], *, columns: list[str] | None = None,
               labels: Mapping[str, str] | None = None) -> str:
    """An escaped HTML table of ``records`` (every key any record has, in order of appearance, or
    ``columns``), headed by :func:`label` of each key (or ``labels``, for this table alone)."""
    if not records:
        return "<p class=empty>Nothing to show.</p>"
    columns = columns or [k for k in dict.fromkeys(k for r in records for k in r) if not k.startswith("_")]
    labels = labels or {}
    head = "".join(f"<th>{_e(labels.get(c) or label(c))}</th>" for c in columns)
    body = "".join(_row(r, columns) for r in records)
    return f"<table><tr>{head}</tr>{body}</table>"


def _events(milestone: str) -> str:
    """The events (semantics) a milestone of :func:`~jxcsim.kpi.process.order_milestones` is made of."""
    special = {"received": "order_received", "credit_cleared": "credit_check/credit_approved",
               "first_allocate_or_backorder": "allocate/backorder"}
    return special.get(milestone) or milestone.removeprefix("first_").removeprefix("last_")


STEP_NEEDS: dict[str, str] = {step.label: f"{_events(step.bounds[0])} and {_events(step.bounds[1])}" for step in Step}


def is_health_table(records: list[Mapping[str, Any]]) -> bool:
    """Whether ``records`` are the process-health table (:func:`jxcsim.mining.diagnose.health_table`)."""
    return bool(records) and all({"step", "n_cases", "n_excluded"} <= set(r) for r in records)


def health_table_html(records: list[Mapping[str, Any]]) -> str:
    """The process-health table: a step without cases says which events its cases need; one
    blocking threshold for every step goes into the header instead of a column."""
    rows = []
    for r in records:
        r = dict(r)
        if not r.get("n_cases"):
            needs = STEP_NEEDS.get(str(r["step"]))
            r[EMPTY_NOTE] = (f"no cases (needs {needs} events in the same sales order)" if needs
                             else "no cases")
            r["n_negative"] = None if not r.get("n_negative") else r["n_negative"]
        rows.append(r)
    limits = {r.get("blocked_after_h") for r in rows}
    labels = {}
    if len(limits) == 1 and None not in limits:
        limit = limits.pop()
        labels["share_blocked"] = f"share blocked (> {limit:g} h)"
        rows = [{k: v for k, v in r.items() if k != "blocked_after_h"} for r in rows]
    return table_html(rows, labels=labels)
