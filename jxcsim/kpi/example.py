"""A tiny hand-built canonical frame used by the KPI doctests and docs/kpis.md.

Two sales orders, two purchase orders and one stock count of a wholesaler in Shanghai (UTC+8),
week of Monday 6 January 2025. Times below are local.

* ``SO-1`` (customer C1, WH-A), received Mon 09:00, credit checked 09:30; lines 1 (A × 10 at 50)
  and 2 (B × 5 at 100) allocated 10:00, picked 11:00, loaded 13:00; line 1 posted 14:00 (1 h
  late), line 2 at 17:00 (4 h late); delivered 16:00; invoiced Tue 10:00 (1,000), paid Fri 10:00.
* ``SO-2`` (customer C2, WH-A), received Mon 17:00 (after the 16:30 cut-off), held for credit
  at 17:15, approved Tue 10:15; line 1 (A × 4) backordered Tue 10:30 and allocated Wed 09:00,
  line 2 (B × 2) allocated Tue 10:30; first pick Tue 11:30; line 2 posted Tue 12:00 and loaded
  14:00 (posted first); line 1 loaded Wed 13:00 and never posted; delivered Tue 15:00 and Wed
  16:00; invoiced Thu 10:00 (400), not paid.
* ``PO-1`` receives A × 20 at WH-A Tue 16:00, posted Wed 08:00 (16 h). ``PO-2`` posts a receipt
  of B × 3 that never arrives.
* ``CNT-1`` counts WH-A on Fri 17:00: A 96 vs book 100, B 49 vs 49, C 0 vs 0, D 99 vs 100.

>>> f = example_log()
>>> len(f), int(f["semantic"].eq("physical_issue").sum())
(41, 4)
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..eventlog.schema import BOOK, CASE, COUNTED, SEMANTIC, TIMESTAMP

TIMEZONE = "Asia/Shanghai"
COSTS = {"A": 40.0, "B": 70.0, "C": 10.0, "D": 5.0}

# case, semantic, local time (January 2025), location, sku, line, qty, price, customer, amount
_ROWS = [
    ("SO-1", "order_received", "06 09:00", "WH-A", None, None, None, None, "C1", 1000.0),
    ("SO-1", "credit_check", "06 09:30", "WH-A", None, None, None, None, "C1", 1000.0),
    ("SO-1", "allocate", "06 10:00", "WH-A", "A", 1, 10, None, "C1", None),
    ("SO-1", "allocate", "06 10:00", "WH-A", "B", 2, 5, None, "C1", None),
    ("SO-1", "pick", "06 11:00", "WH-A", None, None, None, None, "C1", None),
    ("SO-1", "physical_issue", "06 13:00", "WH-A", "A", 1, 10, 50.0, "C1", None),
    ("SO-1", "physical_issue", "06 13:00", "WH-A", "B", 2, 5, 100.0, "C1", None),
    ("SO-1", "book_issue", "06 14:00", "WH-A", "A", 1, 10, 50.0, "C1", None),
    ("SO-1", "deliver", "06 16:00", "WH-A", None, None, None, None, "C1", None),
    ("SO-1", "book_issue", "06 17:00", "WH-A", "B", 2, 5, 100.0, "C1", None),
    ("SO-1", "invoice", "07 10:00", "WH-A", None, None, None, None, "C1", 1000.0),
    ("SO-1", "payment", "10 10:00", "WH-A", None, None, None, None, "C1", 1000.0),
    ("SO-2", "order_received", "06 17:00", "WH-A", None, None, None, None, "C2", 600.0),
    ("SO-2", "credit_check", "06 17:15", "WH-A", None, None, None, None, "C2", 600.0),
    ("SO-2", "credit_hold", "06 17:15", "WH-A", None, None, None, None, "C2", 600.0),
    ("SO-2", "credit_approved", "07 10:15", "WH-A", None, None, None, None, "C2", None),
    ("SO-2", "backorder", "07 10:30", "WH-A", "A", 1, 4, None, "C2", None),
    ("SO-2", "allocate", "07 10:30", "WH-A", "B", 2, 2, None, "C2", None),
    ("SO-2", "pick", "07 11:30", "WH-A", None, None, None, None, "C2", None),
    ("SO-2", "book_issue", "07 12:00", "WH-A", "B", 2, 2, 100.0, "C2", None),
    ("SO-2", "physical_issue", "07 14:00", "WH-A", "B", 2, 2, 100.0, "C2", None),
    ("SO-2", "deliver", "07 15:00", "WH-A", None, None, None, None, "C2", None),
    ("SO-2", "allocate", "08 09:00", "WH-A", "A", 1, 4, None, "C2", None),
    ("SO-2", "pick", "08 11:00", "WH-A", None, None, None, None, "C2", None),
    ("SO-2", "physical_issue", "08 13:00", "WH-A", "A", 1, 4, 50.0, "C2", None),
    ("SO-2", "deliver", "08 16:00", "WH-A", None, None, None, None, "C2", None),
    ("SO-2", "invoice", "09 10:00", "WH-A", None, None, None, None, "C2", 400.0),
    ("PO-1", "po_created", "06 08:00", "WH-A", None, None, None, None, None, 800.0),
    ("PO-1", "physical_receipt", "07 16:00", "WH-A", "A", 1, 20, None, None, None),
    ("PO-1", "book_receipt", "08 08:00", "WH-A", "A", 1, 20, None, None, None),
    ("PO-2", "po_created", "06 08:00", "WH-A", None, None, None, None, None, 210.0),
    ("PO-2", "book_receipt", "08 08:00", "WH-A", "B", 1, 3, None, None, None),
    ("CNT-1", "count", "10 17:00", "WH-A", "A", None, None, None, None, None),
    ("CNT-1", "count", "10 17:00", "WH-A", "B", None, None, None, None, None),
    ("CNT-1", "count", "10 17:00", "WH-A", "C", None, None, None, None, None),
    ("CNT-1", "count", "10 17:00", "WH-A", "D", None, None, None, None, None),
    ("CNT-1", "adjustment", "10 17:30", "WH-A", "A", None, -4, None, None, None),
    ("CNT-1", "adjustment", "10 17:30", "WH-A", "D", None, -1, None, None, None),
    ("SO-1", "notification", "06 09:01", "WH-A", None, None, None, None, "C1", None),
    ("SO-2", "notification", "07 10:16", "WH-A", None, None, None, None, "C2", None),
    ("PO-1", "supplier_invoice", "09 11:00", "WH-A", None, None, None, None, None, 800.0),
]
_COUNTS = {"A": (96.0, 100.0), "B": (49.0, 49.0), "C": (0.0, 0.0), "D": (99.0, 100.0)}


def example_log() -> pd.DataFrame:
    """The example as a canonical frame (UTC timestamps, sorted by time; see the module docstring)."""
    cols = [CASE, SEMANTIC, "local", "location", "sku", "line", "qty", "price", "customer", "amount"]
    raw = pd.DataFrame(_ROWS, columns=cols)
    stamps = pd.to_datetime("2025-01-" + raw.pop("local")).dt.tz_localize(TIMEZONE).dt.tz_convert("UTC")
    raw.insert(1, "concept:name", raw[SEMANTIC].str.replace("_", " ").str.capitalize())
    raw.insert(2, TIMESTAMP, stamps)
    raw["line"] = raw["line"].astype("Int64")
    for col in ("qty", "price", "amount"):
        raw[col] = raw[col].astype(float)
    is_count = raw[SEMANTIC].eq("count")
    raw[COUNTED] = np.where(is_count, raw["sku"].map(lambda s: _COUNTS.get(s, (np.nan, np.nan))[0]), np.nan)
    raw[BOOK] = np.where(is_count, raw["sku"].map(lambda s: _COUNTS.get(s, (np.nan, np.nan))[1]), np.nan)
    return raw.sort_values(TIMESTAMP, kind="stable").reset_index(drop=True)
