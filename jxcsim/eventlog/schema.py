"""The canonical event frame: column names, the semantic vocabulary, and a frame check.

One row per activity instance. Core columns use pm4py's names so any frame can be handed to
pm4py as it is; domain columns carry what the inventory engine needs. Timestamps are tz-aware
UTC; weekday/hour analyses convert to the log's local zone (see :mod:`jxcsim.eventlog.timezone`).

>>> CASE, ACTIVITY, TIMESTAMP
('case:concept:name', 'concept:name', 'time:timestamp')
>>> Semantic("book_issue").direction
-1
"""

from __future__ import annotations

from enum import Enum

import pandas as pd

CASE = "case:concept:name"
ACTIVITY = "concept:name"
TIMESTAMP = "time:timestamp"
START = "start_timestamp"
RESOURCE = "org:resource"
LIFECYCLE = "lifecycle:transition"
SEMANTIC = "semantic"

# Domain columns: role name (as used in a profile's ``columns``) -> canonical column name.
DOMAIN_COLUMNS: dict[str, str] = {
    "location": "location",
    "sku": "sku",
    "qty": "qty",
    "line": "line",
    "doc_type": "doc_type",
    "customer": "customer",
    "supplier": "supplier",
    "amount": "amount",
    "price": "price",
    "to_location": "to_location",
    "delivery": "delivery",
}
# Core roles: role name -> canonical column name.
CORE_COLUMNS: dict[str, str] = {
    "case": CASE,
    "activity": ACTIVITY,
    "timestamp": TIMESTAMP,
    "start_timestamp": START,
    "resource": RESOURCE,
    "lifecycle": LIFECYCLE,
}
ROLE_COLUMNS: dict[str, str] = {**CORE_COLUMNS, **DOMAIN_COLUMNS}
NUMERIC_COLUMNS = ("qty", "amount", "price", "counted_qty", "book_qty")
COUNTED = "counted_qty"
BOOK = "book_qty"


class Semantic(str, Enum):
    """What an activity means to the inventory engine (DESIGN.md §4, documented in docs/semantics.md)."""

    # sales
    ORDER_RECEIVED = "order_received"
    CREDIT_CHECK = "credit_check"
    CREDIT_HOLD = "credit_hold"
    CREDIT_APPROVED = "credit_approved"
    CREDIT_REJECTED = "credit_rejected"
    ALLOCATE = "allocate"
    BACKORDER = "backorder"
    PICK = "pick"
    PHYSICAL_ISSUE = "physical_issue"
    BOOK_ISSUE = "book_issue"
    DELIVER = "deliver"
    INVOICE = "invoice"
    PAYMENT = "payment"
    CREDIT_NOTE = "credit_note"
    REFUND = "refund"
    ORDER_CANCELLED = "order_cancelled"
    # purchasing
    PO_CREATED = "po_created"
    PO_APPROVED = "po_approved"
    PHYSICAL_RECEIPT = "physical_receipt"
    BOOK_RECEIPT = "book_receipt"
    SUPPLIER_INVOICE = "supplier_invoice"
    SUPPLIER_PAYMENT = "supplier_payment"
    # transfers
    TRANSFER_CREATED = "transfer_created"
    TRANSFER_CANCELLED = "transfer_cancelled"
    TRANSFER_PHYSICAL_OUT = "transfer_physical_out"
    TRANSFER_BOOK_OUT = "transfer_book_out"
    TRANSFER_PHYSICAL_IN = "transfer_physical_in"
    TRANSFER_BOOK_IN = "transfer_book_in"
    # returns
    RETURN_REQUESTED = "return_requested"
    RETURN_APPROVED = "return_approved"
    RETURN_PHYSICAL_IN = "return_physical_in"
    RETURN_BOOK_IN = "return_book_in"
    # stock
    COUNT = "count"
    ADJUSTMENT = "adjustment"
    # signals
    ALERT = "alert"
    ESCALATION = "escalation"
    NOTIFICATION = "notification"

    @property
    def direction(self) -> int:
        """+1 when the semantic moves stock in, -1 out, 0 when it moves none or is signed."""
        return _DIRECTION.get(self, 0)

    @property
    def is_movement(self) -> bool:
        """True for semantics that carry a quantity whose sign the semantic gives."""
        return self in _DIRECTION

    @property
    def is_physical(self) -> bool:
        """True for movements of goods (as opposed to their posting in the system)."""
        return self.value.startswith(("physical_", "transfer_physical", "return_physical"))


_DIRECTION: dict[Semantic, int] = {
    Semantic.PHYSICAL_ISSUE: -1,
    Semantic.BOOK_ISSUE: -1,
    Semantic.PHYSICAL_RECEIPT: +1,
    Semantic.BOOK_RECEIPT: +1,
    Semantic.TRANSFER_PHYSICAL_OUT: -1,
    Semantic.TRANSFER_BOOK_OUT: -1,
    Semantic.TRANSFER_PHYSICAL_IN: +1,
    Semantic.TRANSFER_BOOK_IN: +1,
    Semantic.RETURN_PHYSICAL_IN: +1,
    Semantic.RETURN_BOOK_IN: +1,
}

SEMANTIC_VALUES: frozenset[str] = frozenset(s.value for s in Semantic)
DIRECTED_SEMANTICS: frozenset[str] = frozenset(s.value for s in _DIRECTION)


class FrameSchemaError(ValueError):
    """A frame does not satisfy the canonical schema; the message names the column."""


def check_frame(frame: pd.DataFrame) -> None:
    """Raise :class:`FrameSchemaError` unless ``frame`` is a canonical event frame.

    >>> import pandas as pd
    >>> f = pd.DataFrame({CASE: ["1"], ACTIVITY: ["a"],
    ...                   TIMESTAMP: pd.to_datetime(["2024-01-01"], utc=True)})
    >>> check_frame(f)
    """
    for col in (CASE, ACTIVITY, TIMESTAMP):
        if col not in frame.columns:
            raise FrameSchemaError(f"canonical frame lacks column {col!r}")
    for col in (TIMESTAMP, START):
        if col in frame.columns:
            dtype = frame[col].dtype
            if not isinstance(dtype, pd.DatetimeTZDtype) or str(dtype.tz) != "UTC":
                raise FrameSchemaError(f"column {col!r} must be tz-aware UTC, found {dtype}")
    if frame[CASE].isna().any():
        raise FrameSchemaError(f"column {CASE!r} has missing case ids")
    if frame[TIMESTAMP].isna().any():
        raise FrameSchemaError(f"column {TIMESTAMP!r} has missing timestamps")
    if SEMANTIC in frame.columns:
        bad = set(frame[SEMANTIC].dropna().unique()) - SEMANTIC_VALUES
        if bad:
            raise FrameSchemaError(f"column {SEMANTIC!r} has unknown semantics {sorted(bad)}")
