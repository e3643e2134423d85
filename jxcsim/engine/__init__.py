"""The inventory engine: pure domain, standard library and numpy only (DESIGN.md §3, §10).

Two ledgers per (SKU, location) in one append-only bitemporal log (:class:`Ledgers`),
commitments and stock positions (:class:`Inventory`), costing (:class:`FifoCost`,
:class:`MovingAverageCost`), documents with state machines (:class:`SalesOrder`,
:class:`PurchaseOrder`, :class:`Transfer`, :class:`CustomerReturn`, :class:`StockCount`) and
rules as data (:class:`CreditRule`, :class:`ApprovalRule`, :class:`PostingDeadline`,
:class:`Notifications`). Times are hours since the run's epoch; quantities are exact to
six decimals (:mod:`jxcsim.engine.quantity`).

>>> from jxcsim.engine import CUSTOMER, SUPPLIER, Ledger, Ledgers
>>> led = Ledgers()
>>> _ = led.move_physical("A-1", 8, SUPPLIER, "WH-A", time=9.0, movement_id="PO-1")
>>> _ = led.move_book("A-1", 8, SUPPLIER, "WH-A", time=9.0, movement_id="PO-1")
>>> _ = led.move_physical("A-1", 3, "WH-A", CUSTOMER, time=14.0, movement_id="SO-1")
>>> led.discrepancy("A-1", "WH-A"), led.discrepancy("A-1", "WH-A", as_of=12.0)
(3.0, 0.0)
"""

from .costing import CostFlow, CostingMethod, CostLayer, FifoCost, MovingAverageCost
from .entry import CUSTOMER, LOSS, SUPPLIER, TRANSIT, Cause, Entry, EntryLog, Ledger, VirtualLocation, is_virtual
from .documents import Document, Step
from .documents_purchase import PurchaseLine, PurchaseLineStatus, PurchaseOrder, PurchaseOrderState
from .documents_sales import SalesLine, SalesLineState, SalesLineStatus, SalesOrder, SalesOrderState, Shortfall
from .documents_stock import (
    Adjustment, CountState, CustomerReturn, ReturnState, StockCount, Transfer, TransferState, TransferStep,
)
from .errors import (
    BackdatedTransition, CommitmentError, EngineError, IllegalTransition, InsufficientStock, InvariantViolation,
    ReservationError, ReversalError,
)
from .ledger import Ledgers
from .policies import ReorderPolicy, RqPolicy, SsPolicy
from .quantity import QTY_DECIMALS, from_units, to_units
from .rules import ApprovalRule, CreditRule, Notifications, PostingDeadline, Signal, SignalKind, WorkingTime
from .stock import Commitment, Inventory, StockPosition

__all__ = [
    "CUSTOMER", "LOSS", "QTY_DECIMALS", "SUPPLIER", "TRANSIT",
    "Adjustment", "ApprovalRule", "BackdatedTransition", "Cause", "Commitment", "CommitmentError", "CostFlow",
    "CostLayer", "CountState", "CreditRule", "CustomerReturn", "Document", "EngineError", "Entry", "EntryLog",
    "CostingMethod", "FifoCost", "IllegalTransition", "InsufficientStock", "InvariantViolation", "Inventory", "Ledger", "Ledgers",
    "MovingAverageCost", "Notifications", "PostingDeadline", "PurchaseLine", "PurchaseLineStatus",
    "PurchaseOrder", "PurchaseOrderState", "ReorderPolicy", "ReservationError", "RqPolicy", "SsPolicy", "ReturnState", "ReversalError", "SalesLine",
    "SalesLineState", "SalesLineStatus", "SalesOrder", "SalesOrderState", "Shortfall", "Signal", "SignalKind",
    "Step", "StockCount", "StockPosition", "Transfer", "TransferState", "TransferStep", "VirtualLocation",
    "WorkingTime", "from_units", "is_virtual", "to_units",
]
