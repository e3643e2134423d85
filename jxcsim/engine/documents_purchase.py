"""The purchase order: approval, per-line physical arrival vs receipt posting, supplier invoice, payment.

Order level (``PurchaseOrderState``)::

    CREATED -> APPROVED -> SUPPLIER_INVOICED -> PAID
    CREATED | APPROVED -> CANCELLED        (nothing arrived or posted yet)

Approval is a step even when no person approves: when
:meth:`~jxcsim.engine.rules.ApprovalRule.needs_approval` says no, the caller approves at once as
``"system"``. After approval, per line and **independently** (either may come first, either may
never come, each may come in parts up to the ordered quantity):

- ``arrive`` — goods physically arrived (step ``ARRIVED``);
- ``post_receipt`` — the goods receipt is recorded in the system (step ``RECEIPT_POSTED``).

Both stay possible after the supplier's invoice and payment (late arrivals, late postings).
The supplier invoices what has physically arrived (at least something must have).

>>> po = PurchaseOrder("PO-1", "S-1", "WH-A", [PurchaseLine(1, "A-1", 100, 4.0)], created_at=8.0)
>>> po.approve(8.0)                          # below the approval threshold: automatic
>>> po.arrive(1, 100, 30.0, "rui"); po.record_invoice(31.0)
>>> po.state, po.unposted_lines(), po.invoiced_amount
(<PurchaseOrderState.SUPPLIER_INVOICED: 'supplier_invoiced'>, [1], 400.0)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from types import SimpleNamespace

from .documents import Document, Step, check_amount, check_id, covers, qty_units
from .quantity import from_units, to_units

__all__ = ["PurchaseLine", "PurchaseLineStatus", "PurchaseOrder", "PurchaseOrderState"]


class PurchaseOrderState(StrEnum):
    """States of a purchase order; ARRIVED and RECEIPT_POSTED are per-line steps only."""

    CREATED = "created"
    APPROVED = "approved"
    SUPPLIER_INVOICED = "supplier_invoiced"
    PAID = "paid"
    CANCELLED = "cancelled"
    ARRIVED = "arrived"
    RECEIPT_POSTED = "receipt_posted"


_P = SimpleNamespace(**PurchaseOrderState.__members__)  # plain attributes: quicker than enum members
_RECEIVING = frozenset({_P.APPROVED, _P.SUPPLIER_INVOICED, _P.PAID})


@dataclass(frozen=True, slots=True)
class PurchaseLine:
    """A line as ordered: ``qty`` > 0 of ``sku`` at ``unit_cost`` >= 0.

    >>> PurchaseLine(1, "A-1", 10, 3.5).amount
    35.0
    """

    line_no: int
    sku: str
    qty: float
    unit_cost: float

    def __post_init__(self) -> None:
        if not isinstance(self.line_no, int):
            raise ValueError(f"line_no must be an int, got {self.line_no!r}")
        check_id("sku", self.sku)
        qty_units(self.qty)
        if not (math.isfinite(self.unit_cost) and self.unit_cost >= 0):
            raise ValueError(f"unit_cost must be finite and >= 0, got {self.unit_cost!r}")

    @property
    def amount(self) -> float:
        return self.qty * self.unit_cost


@dataclass(frozen=True, slots=True)
class PurchaseLineStatus:
    """A read-only snapshot of one line: quantities arrived and posted, times of the latest of each."""

    line_no: int
    sku: str
    qty: float
    unit_cost: float
    arrived_qty: float
    posted_qty: float
    arrived_at: float | None
    posted_at: float | None
    history: tuple[Step, ...]

    @property
    def is_arrived(self) -> bool:
        return self.arrived_qty == self.qty

    @property
    def is_posted(self) -> bool:
        return self.posted_qty == self.qty


@dataclass(slots=True)
class _Line:
    line: PurchaseLine
    qty: int
    done: dict[PurchaseOrderState, int] = field(default_factory=lambda: {_P.ARRIVED: 0, _P.RECEIPT_POSTED: 0})
    times: dict[PurchaseOrderState, float] = field(default_factory=dict)


class PurchaseOrder(Document):
    """An order to a supplier; see the module docstring for the state machine."""

    kind = "purchase order"
    __slots__ = ("_invoiced", "_lines", "_paid", "_state", "location", "supplier")

    def __init__(self, po_id: str, supplier: str, location: str, lines: Iterable[PurchaseLine], *,
                 created_at: float, actor: str = "system") -> None:
        super().__init__(po_id, _P.CREATED, created_at, actor)
        self.supplier = check_id("supplier", supplier)
        self.location = check_id("location", location)
        self._lines: dict[int, _Line] = {}
        for line in lines:
            if line.line_no in self._lines:
                raise ValueError(f"purchase order {po_id!r} has line {line.line_no} twice")
            self._lines[line.line_no] = _Line(line, to_units(line.qty))
        if not self._lines:
            raise ValueError(f"purchase order {po_id!r} has no lines")
        self._state = _P.CREATED
        self._invoiced = 0.0
        self._paid = 0.0

    @property
    def po_id(self) -> str:
        return self._id

    @property
    def state(self) -> PurchaseOrderState:
        return self._state

    @property
    def lines(self) -> tuple[PurchaseLine, ...]:
        return tuple(p.line for p in self._lines.values())

    @property
    def amount(self) -> float:
        """Value as ordered: sum of ``qty * unit_cost`` (what an :class:`ApprovalRule` judges)."""
        return sum(p.line.amount for p in self._lines.values())

    @property
    def invoiced_amount(self) -> float:
        return self._invoiced

    @property
    def paid_amount(self) -> float:
        return self._paid

    def line(self, line_no: int) -> PurchaseLineStatus:
        """A snapshot of line ``line_no`` (KeyError if there is none)."""
        p = self._get(line_no)
        return PurchaseLineStatus(p.line.line_no, p.line.sku, p.line.qty, p.line.unit_cost,
                                  from_units(p.done[_P.ARRIVED]), from_units(p.done[_P.RECEIPT_POSTED]),
                                  p.times.get(_P.ARRIVED), p.times.get(_P.RECEIPT_POSTED),
                                  self._line_history(line_no))

    def unposted_lines(self) -> list[int]:
        """Lines with more arrived than posted (goods on the shelf the system does not show)."""
        return [n for n, p in self._lines.items() if p.done[_P.ARRIVED] > p.done[_P.RECEIPT_POSTED]]

    @property
    def is_fully_arrived(self) -> bool:
        return all(p.done[_P.ARRIVED] == p.qty for p in self._lines.values())

    @property
    def is_fully_posted(self) -> bool:
        return all(p.done[_P.RECEIPT_POSTED] == p.qty for p in self._lines.values())

    def _get(self, line_no: int) -> _Line:
        try:
            return self._lines[line_no]
        except KeyError:
            raise KeyError(f"purchase order {self._id!r} has no line {line_no!r}") from None

    # ------------------------------------------------------------------ transitions

    def approve(self, t: float, actor: str = "system") -> None:
        """CREATED -> APPROVED (by a person, or by ``"system"`` when no approval is needed)."""
        if self._state is not _P.CREATED:
            self._refuse(_P.APPROVED, self._state)
        t = self._check_step(t, actor, _P.APPROVED, self._state)
        self._state = _P.APPROVED
        self._record(_P.APPROVED, t, actor)

    def _receive(self, step: PurchaseOrderState, line_no: int, qty: float, t: float, actor: str) -> None:
        units = qty_units(qty)
        p = self._get(line_no)
        if self._state not in _RECEIVING:
            self._refuse(step, self._state, "the order is not approved" if self._state is _P.CREATED else None,
                         line=line_no)
        left = p.qty - p.done[step]
        if units > left:
            self._refuse(step, self._state, f"{qty:g} more, only {from_units(left):g} of "
                                            f"{p.line.qty:g} outstanding", line=line_no)
        t = self._check_step(t, actor, step, self._state, line=line_no)
        p.done[step] += units
        p.times[step] = t
        self._record(step, t, actor, line=line_no, qty=from_units(units))

    def arrive(self, line_no: int, qty: float, t: float, actor: str) -> None:
        """``qty`` of the line physically arrived (posted or not)."""
        self._receive(_P.ARRIVED, line_no, qty, t, actor)

    def post_receipt(self, line_no: int, qty: float, t: float, actor: str) -> None:
        """The goods receipt of ``qty`` of the line is recorded in the system (arrived or not)."""
        self._receive(_P.RECEIPT_POSTED, line_no, qty, t, actor)

    def record_invoice(self, t: float, actor: str = "system", amount: float | None = None) -> None:
        """APPROVED -> SUPPLIER_INVOICED; ``amount`` defaults to the value of what has arrived."""
        if self._state is not _P.APPROVED:
            self._refuse(_P.SUPPLIER_INVOICED, self._state)
        if not any(p.done[_P.ARRIVED] for p in self._lines.values()):
            self._refuse(_P.SUPPLIER_INVOICED, self._state, "nothing has arrived")
        if amount is None:
            value = sum(from_units(p.done[_P.ARRIVED]) * p.line.unit_cost for p in self._lines.values())
        else:
            value = check_amount(amount)
        t = self._check_step(t, actor, _P.SUPPLIER_INVOICED, self._state)
        self._invoiced = value
        self._state = _P.SUPPLIER_INVOICED
        self._record(_P.SUPPLIER_INVOICED, t, actor, amount=value)

    def pay(self, t: float, amount: float, actor: str = "system") -> None:
        """Record a payment to the supplier; SUPPLIER_INVOICED -> PAID once payments cover the invoice."""
        amount = check_amount(amount)
        if self._state is not _P.SUPPLIER_INVOICED:
            self._refuse(_P.PAID, self._state)
        t = self._check_step(t, actor, _P.PAID, self._state)
        self._paid += amount
        if covers(self._paid, self._invoiced):
            self._state = _P.PAID
        self._record(self._state, t, actor, amount=amount)

    def cancel(self, t: float, reason: str, actor: str = "system") -> None:
        """CREATED | APPROVED -> CANCELLED while nothing has arrived or been posted."""
        check_id("reason", reason)
        if self._state not in (_P.CREATED, _P.APPROVED):
            self._refuse(_P.CANCELLED, self._state)
        if any(any(p.done.values()) for p in self._lines.values()):
            self._refuse(_P.CANCELLED, self._state, "goods have arrived or been posted")
        t = self._check_step(t, actor, _P.CANCELLED, self._state, touches=self._lines)
        self._state = _P.CANCELLED
        self._record(_P.CANCELLED, t, actor, note=reason)
