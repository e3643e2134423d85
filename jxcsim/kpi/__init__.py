"""Every KPI, defined once, from an event log (any source, through its semantics) or from the ledgers.

Each function reads the canonical frame's ``semantic`` column, never activity names or location
ids; one whose columns or semantics a log lacks raises :class:`KpiUnavailable` (and
:func:`kpi_summary` reports the reason instead). Definitions, formulas and defaults: docs/kpis.md.

>>> from jxcsim.kpi import kpi_summary
>>> from jxcsim.kpi.example import example_log
>>> kpi_summary(example_log(), timezone="Asia/Shanghai")["kpis"]["issue_posting_delay"]["value"]
1.0
"""

from .costing import CostOfGoods, cost_of_goods
from .common import DurationStats, KpiUnavailable, duration_stats
from .definitions import KPIS, KpiDefinition
from .finance import (
    CustomerPareto, GrossMargin, Receivables, customer_pareto, gross_margin, receivables_turnover,
)
from .posting import PostedMovement, PostingDelays, match_postings, posting_delays
from .process import (
    CreditWait, Step, credit_wait, delivery_cycle, evening_response, order_milestones, process_health,
    step_durations,
)
from .stock import (
    InventoryDays, LineService, RecordAccuracy, discrepancy_by_cause, inventory_days, line_service,
    phantom_stock_days, record_accuracy,
)
from .summary import kpi_summary

__all__ = [
    "KPIS", "CostOfGoods", "CreditWait", "CustomerPareto", "DurationStats", "GrossMargin", "InventoryDays", "KpiDefinition",
    "KpiUnavailable", "LineService", "PostedMovement", "PostingDelays", "Receivables", "RecordAccuracy", "Step",
    "cost_of_goods", "credit_wait", "customer_pareto", "delivery_cycle", "discrepancy_by_cause", "duration_stats",
    "evening_response", "gross_margin", "inventory_days", "kpi_summary", "line_service", "match_postings",
    "order_milestones", "phantom_stock_days", "posting_delays", "process_health", "receivables_turnover",
    "record_accuracy", "step_durations",
]
