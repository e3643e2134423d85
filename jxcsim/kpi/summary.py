"""All KPIs of one log (and, when given, its ledgers) as one JSON-ready dict.

>>> import json
>>> from jxcsim.kpi.example import COSTS, example_log
>>> s = kpi_summary(example_log(), timezone="Asia/Shanghai", costs=COSTS)
>>> s["kpis"]["fill_rate"]["value"], s["kpis"]["step_order_review"]["value"]
(0.75, 8.875)
>>> s["kpis"]["phantom_stock_sku_days"]["reason"]
'needs the ledger entries (ledgers_frame)'
>>> _ = json.dumps(s)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import pandas as pd

from ..engine import CostingMethod, Ledgers
from ..eventlog.schema import CASE, TIMESTAMP
from .common import KpiUnavailable, clock, jsonable
from .costing import CostOfGoods, cost_of_goods
from .definitions import KPIS
from .finance import PARETO_SHARE, customer_pareto, gross_margin, receivables_turnover
from .posting import WITHIN_H, PostedMovement, PostingDelays, pending_units, posting_delays
from .process import CUTOFF_H, Step, credit_wait, delivery_cycle, evening_response, process_health
from .shared import sharing
from .stock import (
    TOLERANCE,
    discrepancy_by_cause,
    gross_discrepancy,
    inventory_days,
    line_service,
    phantom_stock_days,
    record_accuracy,
)

TOP_PRODUCTS = 20

Entry = dict[str, Any]


def _entry(name: str, value: Any, details: Mapping[str, Any] | None = None, reason: str | None = None) -> Entry:
    kpi = KPIS[name]
    out: Entry = {"value": value, "unit": kpi.unit, "definition": kpi.definition}
    if reason is not None:
        out["reason"] = reason
    if details:
        out["details"] = dict(details)
    return out


def _guard(names: list[str], compute: Callable[[], dict[str, Entry]]) -> dict[str, Entry]:
    """Run ``compute``; if the log cannot support it, every KPI in ``names`` gets value None and the reason."""
    try:
        return compute()
    except KpiUnavailable as exc:
        return {name: _entry(name, None, reason=str(exc)) for name in names}


def _posting(name: str, d: PostingDelays) -> Entry:
    details = {"n_physical": d.n_physical, "n_postings": d.n_postings, "n_matched": d.n_matched,
               "median_h": d.median_h, "p90_h": d.p90_h, f"share_within_{d.within_h:g}h": d.share_within_h,
               "share_physical_first": d.share_physical_first, "never_posted": d.never_posted,
               "share_never_posted": d.share_never_posted, "never_posted_by_month": d.never_posted_by_month,
               "pending_at_end": d.pending_at_end,
               "unmatched_postings": d.unmatched_postings, "qty_mismatches": d.qty_mismatches}
    return _entry(name, d.mean_h, details, None if d.n_matched else "no physical movement was matched to a posting")


def _process(frame: pd.DataFrame, timezone: str | None, cutoff_h: float,
             blocked_after_h: float | Mapping[str, float] | None) -> dict[str, Entry]:
    out: dict[str, Entry] = {}
    names = [f"step_{s.label}" for s in Step]

    def steps() -> dict[str, Entry]:
        table = process_health(frame, blocked_after_h=blocked_after_h).to_dict("index")
        entries = {}
        for step in Step:
            row = table[step.label]
            details = {k: row[k] for k in ("n_cases", "n_excluded", "median_h", "p90_h", "share_blocked",
                                           "blocked_after_h", "n_negative")}
            reason = None if row["n_cases"] else "no sales order reaches both {} and {}".format(*step.bounds)
            entries[f"step_{step.label}"] = _entry(f"step_{step.label}", row["mean_h"], details, reason)
        cycle = delivery_cycle(frame)
        details = {k: v for k, v in cycle.as_dict("days").items() if k != "mean_days"}
        reason = None if cycle.n else "no sales order was delivered"
        entries["delivery_cycle"] = _entry("delivery_cycle", cycle.mean, details, reason)
        return entries

    def evening() -> dict[str, Entry]:
        response = evening_response(frame, timezone=timezone, cutoff_h=cutoff_h)
        table = response.to_dict("index")
        details = {"cutoff_h": cutoff_h, "day_start_h": response.attrs["day_start_h"], **table}
        value = table["evening"]["mean_h"]
        reason = None if value is not None and value == value else "no order received after the cut-off was picked"
        return {"evening_order_response": _entry("evening_order_response", value, details, reason)}

    def credit() -> dict[str, Entry]:
        w = credit_wait(frame, timezone=timezone)
        details = {k: v for k, v in w.stats.as_dict("h").items() if k != "mean_h"}
        details |= {"n_holds": w.n_holds, "n_pending": w.n_pending, "n_approved": w.n_approved,
                    "n_rejected": w.n_rejected, "by_weekday": w.by_weekday.to_dict("index")}
        reason = None if w.stats.n else "no credit hold was decided"
        return {"credit_wait": _entry("credit_wait", w.stats.mean, details, reason)}

    out.update(_guard(names + ["delivery_cycle"], steps))
    out.update(_guard(["evening_order_response"], evening))
    out.update(_guard(["credit_wait"], credit))
    return out


def _stock(frame: pd.DataFrame, tolerance: float, ledgers_frame: pd.DataFrame | None,
           costs: Mapping[str, float] | None, horizon_h: float | None, ledgers: Ledgers | None,
           discrepancy: Mapping[str, float] | None, timezone: str | None,
           pending: Mapping[str, float] | None = None, never_posted: Mapping[str, float] | None = None
           ) -> dict[str, Entry]:
    def service() -> dict[str, Entry]:
        s = line_service(frame)
        return {"fill_rate": _entry("fill_rate", s.fill_rate, {"n_lines": s.n_lines, "n_filled": s.n_filled,
                                                                "line_key": s.line_key}),
                "backorder_rate": _entry("backorder_rate", s.backorder_rate,
                                         {"n_lines": s.n_lines, "n_backordered": s.n_backordered})}

    def accuracy() -> dict[str, Entry]:
        r = record_accuracy(frame, tolerance=tolerance)
        loc = r.by_location
        return {"record_accuracy": _entry("record_accuracy", r.share_exact, {
                    "n_rows": r.n_rows, "n_exact": r.n_exact,
                    "by_location": None if loc is None else loc["share_exact"].to_dict()}),
                "record_accuracy_within_tolerance": _entry("record_accuracy_within_tolerance", r.share_within, {
                    "tolerance": r.tolerance, "n_rows": r.n_rows, "n_within": r.n_within,
                    "by_location": None if loc is None else loc["share_within"].to_dict()})}

    def causes() -> dict[str, Entry]:
        if ledgers is not None:
            by_cause = discrepancy_by_cause(ledgers)
        elif discrepancy is not None:
            by_cause = dict(discrepancy)
        else:
            raise KpiUnavailable("needs the ledgers (ledgers=) or a discrepancy by cause (discrepancy=)")
        details: dict[str, Any] = {"by_cause": by_cause}
        if ledgers is not None:  # the net sum lets one SKU's surplus hide another's shortfall
            details["gross_units"], details["gross_by_cause"] = gross_discrepancy(ledgers)
        # goods moved and not yet posted, within their posting grace: paperwork in flight, not lost (the
        # caller's truth where it has one, else judged from the log)
        details["pending_by_cause"] = dict(pending) if pending is not None else pending_units(frame, timezone=timezone)
        details["pending_from"] = "truth" if pending is not None else "log"
        if never_posted is not None:
            details["never_posted_by_cause"] = dict(never_posted)
        return {"discrepancy_by_cause": _entry("discrepancy_by_cause", round(sum(by_cause.values()), 6), details)}

    def phantom() -> dict[str, Entry]:
        if ledgers_frame is None:
            raise KpiUnavailable("needs the ledger entries (ledgers_frame)")
        days = phantom_stock_days(ledgers_frame, horizon_h=horizon_h)
        by_location = days.groupby(level="location").sum()
        return {"phantom_stock_sku_days": _entry("phantom_stock_sku_days", int(days.sum()), {
            "n_places": int(len(days)), "n_places_with_phantom_stock": int((days > 0).sum()),
            "by_location": by_location.to_dict()})}

    def inv_days() -> dict[str, Entry]:
        if ledgers_frame is None:
            raise KpiUnavailable("needs the ledger entries (ledgers_frame)")
        if costs is None:
            raise KpiUnavailable("needs unit costs (costs)")
        d = inventory_days(ledgers_frame, costs, horizon_h=horizon_h)
        return {"inventory_days": _entry("inventory_days", d.days, {
            "average_value": d.average_value, "cogs_per_day": d.cogs_per_day, "n_day_ends": d.n_day_ends,
            "skus_without_cost": d.skus_without_cost}, reason=None if d.days is not None else "no goods issued")}

    out: dict[str, Entry] = {}
    out.update(_guard(["fill_rate", "backorder_rate"], service))
    out.update(_guard(["record_accuracy", "record_accuracy_within_tolerance"], accuracy))
    out.update(_guard(["discrepancy_by_cause"], causes))
    out.update(_guard(["phantom_stock_sku_days"], phantom))
    out.update(_guard(["inventory_days"], inv_days))
    return out


def _finance(frame: pd.DataFrame, timezone: str | None, costs: Mapping[str, float] | None,
             top_products: int, costing: CostingMethod | str | None,
             opening: Mapping[tuple[str, str], tuple[float, float]] | None) -> dict[str, Entry]:
    costed: list[CostOfGoods] = []  # the costing run, when the log allows one

    def cogs() -> dict[str, Entry]:
        if costing is None:
            raise KpiUnavailable("no costing method (costing)")
        c = cost_of_goods(frame, costing, opening=opening, standard_costs=costs)
        costed.append(c)
        top = c.by_product.head(top_products)
        return {"cost_of_goods_sold": _entry("cost_of_goods_sold", c.cogs, {
            "method": c.method, "issued_qty": c.issued_qty, "closing_value": c.closing_value,
            "in_transit_value": c.in_transit_value,
            "beyond_stock_qty": c.beyond_stock_qty, "unvalued_qty": c.unvalued_qty,
            "n_receipts_without_price": c.n_receipts_without_price, "opening_given": opening is not None,
            f"top_{top_products}_by_cogs": top.reset_index().to_dict(orient="records")})}

    def margin() -> dict[str, Entry]:
        unit_costs, basis = costs, "standard" if costs is not None else None
        if costed:  # the costing run's unit cost per SKU; the standard cost for SKUs it did not issue
            unit_costs, basis = {**(costs or {}), **costed[0].unit_costs}, costed[0].method
        g = gross_margin(frame, unit_costs)
        top = g.by_product.head(top_products)
        details = {"basis": g.basis, "cost_basis": basis, "revenue": g.revenue, "cost": g.cost, "margin": g.margin,
                   "n_products": int(len(g.by_product)), "n_rows_without_price": g.n_rows_without_price,
                   "skus_without_cost": g.skus_without_cost,
                   f"top_{top_products}_by_revenue": top.reset_index().to_dict(orient="records")}
        reason = None if unit_costs is not None else "margin needs unit costs (costs, or a costing run); revenue only"
        if unit_costs is not None and g.margin_pct is None:
            reason = "no SKU has both revenue and a unit cost"
        return {"gross_margin": _entry("gross_margin", g.margin_pct, details, reason)}

    def pareto() -> dict[str, Entry]:
        p = customer_pareto(frame, share=PARETO_SHARE)
        return {"customer_pareto": _entry("customer_pareto", p.n_top, {
            "share": p.share, "n_customers": p.n_customers, "share_of_customers": p.share_of_customers,
            "revenue_share_of_top": p.revenue_share_of_top, "customers": p.top})}

    def receivables() -> dict[str, Entry]:
        r = receivables_turnover(frame, timezone=timezone)
        return {"receivables_turnover": _entry("receivables_turnover", r.turnover, {
            "invoiced": r.invoiced, "paid": r.paid, "credited": r.credited, "refunded": r.refunded,
            "average_receivables": r.average_receivables,
            "horizon_days": r.horizon_days, "turnover_per_year": r.turnover_per_year,
            "days_sales_outstanding": r.days_sales_outstanding, "n_snapshots": r.n_snapshots},
            reason=None if r.turnover is not None else "no receivables outstanding")}

    out: dict[str, Entry] = {}
    out.update(_guard(["cost_of_goods_sold"], cogs))
    out.update(_guard(["gross_margin"], margin))
    out.update(_guard(["customer_pareto"], pareto))
    out.update(_guard(["receivables_turnover"], receivables))
    return out


def kpi_summary(frame: pd.DataFrame, *, timezone: str | None, cutoff_h: float = CUTOFF_H,
                ledgers_frame: pd.DataFrame | None = None, costs: Mapping[str, float] | None = None,
                horizon_h: float | None = None, ledgers: Ledgers | None = None,
                discrepancy: Mapping[str, float] | None = None,
                blocked_after_h: float | Mapping[str, float] | None = None, within_h: float = WITHIN_H,
                tolerance: float = TOLERANCE, top_products: int = TOP_PRODUCTS,
                costing: CostingMethod | str | None = CostingMethod.MOVING_AVERAGE,
                opening: Mapping[tuple[str, str], tuple[float, float]] | None = None,
                currency: str | None = None, pending: Mapping[str, float] | None = None,
                never_posted: Mapping[str, float] | None = None) -> dict[str, Any]:
    """Every KPI of :data:`jxcsim.kpi.definitions.KPIS` for ``frame``, JSON-ready.

    Returns ``{"meta": {...}, "kpis": {name: {"value", "unit", "definition", ["details"],
    ["reason"]}}}`` with the KPIs in the order of ``KPIS``. A KPI whose columns or semantics the
    log lacks (or whose extra input is not given) has value ``None`` and a ``reason``.
    ``timezone``: the log's local zone for weekday/hour/month analyses. ``ledgers_frame``: the
    ledger entries (for phantom stock and inventory days); ``horizon_h``: the run's length in
    world hours (default: last entry); ``ledgers`` or ``discrepancy`` (cause -> qty): for the
    discrepancy by cause; ``costs``: unit cost per SKU (margin, inventory days); ``costing``: how
    issued goods are valued (``moving_average``, ``fifo``; None: no costing run, margins on
    ``costs``), ``opening`` the stock on hand before the log ((sku, location) → (qty, unit cost)).
    ``pending`` and ``never_posted``: the units moved and unposted at the end by cause, those whose
    posting is still to come and those never to be posted, where the caller knows them (a simulated
    run does); without ``pending`` it is estimated from the log (:func:`.posting.pending_units`).
    """
    with sharing(frame):  # the KPIs share the postings' matching and the order milestones
        out: dict[str, Entry] = {}
        for movement, name in ((PostedMovement.ISSUE, "issue_posting_delay"),
                               (PostedMovement.RECEIPT, "receipt_posting_delay")):
            out.update(_guard([name], lambda m=movement, n=name: {
                n: _posting(n, posting_delays(frame, m, timezone=timezone, within_h=within_h))}))
        out.update(_process(frame, timezone, cutoff_h, blocked_after_h))
        out.update(_stock(frame, tolerance, ledgers_frame, costs, horizon_h, ledgers, discrepancy, timezone,
                          pending, never_posted))
        out.update(_finance(frame, timezone, costs, top_products, costing, opening))
    has_rows = len(frame) > 0 and TIMESTAMP in frame.columns
    meta = {"timezone": timezone, "cutoff_h": cutoff_h, "events": int(len(frame)),
            "cases": int(frame[CASE].nunique()) if CASE in frame.columns else None,
            "start": frame[TIMESTAMP].min() if has_rows else None, "end": frame[TIMESTAMP].max() if has_rows else None,
            "horizon_h": horizon_h, "currency": currency}
    return jsonable({"meta": meta, "kpis": {name: out[name] for name in KPIS}})


def _fmt(value: Any, unit: str, currency: str | None = None) -> str:
    if value is None:
        return "n/a"
    if unit == "share":
        return f"{100 * value:.1f} %"
    if unit == "money":  # in the log's own currency, named when the run or the caller knows it
        return f"{value:,.2f}" + (f" {currency}" if currency else "")
    if isinstance(value, float):
        value += 0.0  # no "-0.00"
        if unit == "units" and value == round(value):
            return f"{value:,.0f} {unit}"
        if unit == "h" and abs(value) >= 48:  # hours of waiting for days: the days beside them
            return f"{value:,.2f} h ({value / 24:,.1f} days)"
        return f"{value:,.2f} {unit}"
    if isinstance(value, int):
        return f"{value:,} {unit}"
    return f"{value} {unit}"


_IN_FLIGHT = {"unposted_issue": "issued", "unposted_receipt": "received"}  # pending units, as the basis names them


def _basis(details: Mapping[str, Any]) -> str:
    """What a KPI's value rests on, from its details (a manager reading 395 h of settlement should see
    that it rests on 127 of 1,264 orders, the rest not paid yet)."""
    def n(key: str) -> int:
        return int(details.get(key) or 0)

    if "by_cause" in details:  # the discrepancy: how much is wrong, and how much is only waiting to be posted
        def by_cause(key: str) -> str:  # "1,200 issued, 300 received": units per cause, unsigned
            return ", ".join(f"{abs(float(v)):,.0f} {_IN_FLIGHT.get(cause, cause.replace('_', ' '))}"
                             for cause, v in (details.get(key) or {}).items() if v)

        # the net per cause (book - physical, signed), beside the units off in all: the value is their sum,
        # so a count's adjustment that offsets part of the unposted issues shows as such
        signed = ", ".join(f"{cause.replace('_', ' ')} {float(v) + 0.0:+,.0f}"
                           for cause, v in (details.get("by_cause") or {}).items() if round(float(v)))
        gross = f"{float(details['gross_units']):,.0f} units off in all" if "gross_units" in details else None
        parts = ([f"{gross} ({signed})"] if gross and signed else [gross] if gross
                 else [f"by cause: {signed}"] if signed else [])
        moved = by_cause("pending_by_cause")  # per cause: an issue and a receipt in flight at one place offset
        if moved:
            known = details.get("pending_from") == "truth"  # the run knew; a log's reader judges by the grace
            parts.append(f"{'posting still to come' if known else 'in flight within their posting grace'}: {moved}")
        lost = by_cause("never_posted_by_cause")
        if lost:
            parts.append(f"never to be posted: {lost}")
        return "; ".join(parts)
    if "n_cases" in details:
        return f"{n('n_cases'):,} of {n('n_cases') + n('n_excluded'):,} orders"
    if "n_matched" in details:
        return f"{n('n_matched'):,} of {n('n_physical'):,} movements matched"
    if isinstance(details.get("evening"), Mapping):  # the evening: from the cut-off to where each day ends
        basis = f"{int(details['evening'].get('n_orders') or 0):,} evening orders"
        if details.get("cutoff_h") is not None and float(details["cutoff_h"]) < 24:
            basis += f" (after {clock(float(details['cutoff_h']))}"
            late = {loc: h for loc, h in (details.get("day_start_h") or {}).items() if h}
            ends = "; ".join(f"{loc} until {clock(float(h))}" for loc, h in late.items())
            basis += f"; {ends})" if ends else ")"
        return basis
    if "invoiced" in details and details.get("invoiced"):
        basis = f"{float(details.get('paid') or 0) / float(details['invoiced']):.0%} of the invoiced amount paid"
        if details.get("horizon_days") and details.get("turnover_per_year") is not None:
            days, per_year = float(details["horizon_days"]), float(details["turnover_per_year"])
            basis += f"; in {days:,.0f} days ({per_year:,.1f} a year"
            dso = details.get("days_sales_outstanding")
            basis += f", {float(dso):,.1f} days outstanding)" if dso is not None else ")"
        return basis
    for key, noun in (("n_holds", "credit holds"), ("n_lines", "order lines"), ("n_rows", "count rows"),
                      ("n_places", "SKU x location places"), ("n_day_ends", "day ends"), ("n_products", "products"),
                      ("n_customers", "customers in all"), ("n", "orders")):
        if key in details:
            return f"{n(key):,} {noun}"
    return ""


def render_kpis(summary: Mapping[str, Any]) -> str:
    """The KPI summary as the plain text ``jxcsim simulate`` and ``make demo`` print: each KPI's
    value and what it rests on.

    >>> from jxcsim.kpi.example import example_log
    >>> print(render_kpis(kpi_summary(example_log(), timezone="Asia/Shanghai")).splitlines()[0])
    KPI                                   value                         based on
    """
    lines = [f"{'KPI':<36}  {'value':<28}  based on"]
    for name, entry in summary["kpis"].items():
        shown = _fmt(entry.get("value"), entry.get("unit", ""), summary.get("meta", {}).get("currency"))
        basis = _basis(entry.get("details") or {})
        if entry.get("value") is None and entry.get("reason"):
            shown, basis = f"n/a ({entry['reason']})", ""
        lines.append(f"{name:<36}  {shown:<28}  {basis}".rstrip())
    return "\n".join(lines)
