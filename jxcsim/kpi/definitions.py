"""Every KPI of :func:`jxcsim.kpi.kpi_summary`: its name, unit and one-line definition.

This table is the single list; docs/kpis.md explains each entry in full (a test checks both
list the same names).

>>> KPIS["fill_rate"].unit
'share'
>>> sorted(KPIS)[:3]
['backorder_rate', 'cost_of_goods_sold', 'credit_wait']
"""

from __future__ import annotations

from dataclasses import dataclass


LOWER, HIGHER, NEARER_ZERO = "lower", "higher", "nearer zero"  # which way a KPI gets better


@dataclass(frozen=True)
class KpiDefinition:
    """A KPI's name, the unit of its headline ``value``, a short definition and which way it gets
    better (``better``: lower, higher, nearer zero, or None where neither way is better in itself,
    such as the cost of goods sold, which grows with the sales)."""

    name: str
    unit: str
    definition: str
    better: str | None = None


def _step(name: str, start: str, end: str) -> KpiDefinition:
    return KpiDefinition(f"step_{name}", "h", f"mean hours per sales order from {start} to {end}; "
                                               f"details: median, p90, share blocked (> threshold)", LOWER)


_ALL = [
    KpiDefinition("issue_posting_delay", "h", "mean hours from goods leaving (physical_issue) to the goods issue "
                  "being posted (book_issue), matched by case + sku (+ line), FIFO; negative = posted first", LOWER),
    KpiDefinition("receipt_posting_delay", "h", "mean hours from goods arriving (physical_receipt) to the receipt "
                  "being posted (book_receipt), matched by case + sku (+ line), FIFO; negative = posted first", LOWER),
    _step("order_review", "order_received", "credit cleared (last credit_check/credit_approved)"),
    _step("availability_check", "credit cleared", "the first allocate or backorder"),
    _step("shipping_preparation", "the first allocate", "the first physical_issue"),
    _step("delivery", "the first physical_issue", "the first deliver"),
    _step("invoicing", "the last deliver", "the last invoice"),
    _step("settlement", "the last invoice", "the last payment"),
    KpiDefinition("delivery_cycle", "days", "mean days from order_received to the last deliver per sales order", LOWER),
    KpiDefinition("evening_order_response", "h", "mean hours from order_received to the first pick for orders "
                  "received at or after the cut-off (local time); details compare daytime orders", LOWER),
    KpiDefinition("credit_wait", "h", "mean hours from credit_hold to the first credit_approved/credit_rejected",
                  LOWER),
    KpiDefinition("fill_rate", "share", "share of order lines (case + line) allocated without any backorder", HIGHER),
    KpiDefinition("backorder_rate", "share", "share of order lines (case + line) with a backorder event "
                  "(stock-out rate); 1 - fill_rate", LOWER),
    KpiDefinition("record_accuracy", "share", "share of count rows (sku x location x count) where the counted "
                  "quantity equals the book quantity", HIGHER),
    KpiDefinition("record_accuracy_within_tolerance", "share", "share of count rows where |counted - book| <= "
                  "tolerance x |book| (default 2 %)", HIGHER),
    KpiDefinition("discrepancy_by_cause", "units", "book - physical summed over all SKUs at real locations at the "
                  "end; details split it by cause", NEARER_ZERO),
    KpiDefinition("phantom_stock_sku_days", "SKU-days", "number of (sku, real location, day end) with book stock "
                  "above physical stock (business-time view)", LOWER),
    KpiDefinition("inventory_days", "days", "average physical stock value at day ends / cost of goods issued "
                  "to customers per day"),
    KpiDefinition("cost_of_goods_sold", "money", "posted goods issues (book_issue) valued by the costing method "
                  "(moving average or FIFO per SKU x location) over the posted receipts at their price (unit "
                  "cost); details: closing stock value, per product unit costs"),
    KpiDefinition("gross_margin", "share", "(revenue - cost) / revenue over goods issued (physical_issue "
                  "qty x price) less goods sent back (return_physical_in); unit cost from the costing run, else "
                  "the standard cost; details per product", HIGHER),
    KpiDefinition("customer_pareto", "customers", "smallest number of customers whose invoiced amounts net of "
                  "credit notes make 80 % of revenue; details list them"),
    KpiDefinition("receivables_turnover", "times", "invoiced amount net of credit notes over the log horizon / "
                  "average receivables (invoiced + refunded - paid - credited per case) at daily snapshots", HIGHER),
]
KPIS: dict[str, KpiDefinition] = {k.name: k for k in _ALL}
