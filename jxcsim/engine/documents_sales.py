"""The sales order: credit, release, per-line allocation and picking, loading vs posting, billing.

Order level (``SalesOrderState``)::

    RECEIVED -> CREDIT_CHECKED -> RELEASED
                CREDIT_CHECKED -> CREDIT_HOLD -> CREDIT_APPROVED -> RELEASED
                                  CREDIT_HOLD -> CREDIT_REJECTED                  (final)
    RELEASED -> PARTIALLY_DELIVERED -> DELIVERED -> INVOICED -> PAID
    RELEASED ------------------------> DELIVERED
    PARTIALLY_DELIVERED -> INVOICED     (when the undelivered rest was cancelled)
    any state before a line is loaded (except CREDIT_REJECTED) -> CANCELLED   (final)

A credit note (``credit``: goods the customer sent back) is a step of an INVOICED or PAID order
(``CREDITED``, not a state): it lowers what is due, and payments plus credits that cover the
invoice make the order PAID. A credit on an order already paid leaves the customer a credit
balance (``credit_balance``), which ``refund`` pays back (``REFUNDED``, a step of a PAID order).

Line level, in quantities. Of a line's ordered ``qty`` a part is *open* (not yet decided), a
part *allocated* (promised from stock; includes what was picked since), a part *backordered*
(waiting for stock) and a part *cancelled*; ``allocated + backordered + cancelled <= qty`` and
``picked <= allocated``. After release:

- ``allocate`` takes from the backorder first, then from the open part;
- ``backorder`` takes from the open part;
- ``pick`` takes what is allocated and not yet picked; a short pick moves the shortfall back to
  the backorder (to be allocated and picked again) or cancels it (:class:`Shortfall`);
- ``load`` (the goods physically leave) and ``post_issue`` (the goods issue is recorded in the
  system) each cover a part of what is picked and not yet covered by them: ``qty`` of it, or by
  default all of it. A line that ships in several shipments (a short pick's rest, backordered
  and picked later) is loaded and posted once per shipment, so shipment 1 can still be posted
  for its own quantity after shipment 2 was picked. Loading and posting are **independent**:
  either may come first, and either may never come. Only delivery depends on loading
  (``deliver`` delivers what was loaded and not yet delivered); invoicing depends on delivery,
  not posting.

A line's :attr:`SalesLineStatus.state` summarises where it stands: ``CANCELLED`` (everything
cancelled, or the order), else ``BACKORDERED`` (something waits for stock), else ``ALLOCATED``
(something waits to be picked), else ``OPEN`` (something undecided), else ``DELIVERED`` (all
picked goods delivered) or ``PICKED``. Loading and posting are flags with quantities and times.

>>> so = SalesOrder("SO-1", "C-7", "WH-A", 9.0, [SalesLine(1, "A-1", 10, 6.0)])
>>> so.check_credit(9.5, "ana"); so.release(10.0)
>>> so.allocate(1, 10, 10.0); so.pick(1, 8, 13.0, "li")       # the shelf was 2 short
>>> so.line(1).state, so.line(1).backordered_qty
(<SalesLineState.BACKORDERED: 'backordered'>, 2.0)
>>> so.load(1, 14.0, "driver-3"); so.deliver(16.0)
>>> so.state, so.unposted_lines()
(<SalesOrderState.PARTIALLY_DELIVERED: 'partially_delivered'>, [1])
>>> so.allocate(1, 2, 40.0); so.pick(1, 2, 41.0, "li")          # the rest: a second shipment
>>> so.post_issue(1, 42.0, "clerk", qty=8)                       # shipment 1, posted late
>>> row = so.line(1); row.picked_qty, row.loaded_qty, row.posted_qty
(10.0, 8.0, 8.0)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from types import SimpleNamespace

from .documents import Document, Step, check_amount, check_id, covers, qty_units
from .quantity import MAX_QTY, SCALE, from_units, to_units
from .sales_line import SalesLine

__all__ = ["SalesLine", "SalesLineState", "SalesLineStatus", "SalesOrder", "SalesOrderState", "Shortfall"]


class SalesOrderState(StrEnum):
    """Where a sales order stands as a whole (see the module docstring for the diagram)."""

    RECEIVED = "received"
    CREDIT_CHECKED = "credit_checked"
    CREDIT_HOLD = "credit_hold"
    CREDIT_APPROVED = "credit_approved"
    CREDIT_REJECTED = "credit_rejected"
    RELEASED = "released"
    PARTIALLY_DELIVERED = "partially_delivered"
    DELIVERED = "delivered"
    INVOICED = "invoiced"
    PAID = "paid"
    CANCELLED = "cancelled"
    CREDITED = "credited"  # a step only: a credit note on an invoiced or paid order
    REFUNDED = "refunded"  # a step only: money paid back to the customer (a credit after payment)


class SalesLineState(StrEnum):
    """Steps of a line in the history; the first five (and DELIVERED) are also line states."""

    OPEN = "open"
    ALLOCATED = "allocated"
    BACKORDERED = "backordered"
    PICKED = "picked"
    CANCELLED = "cancelled"
    LOADED = "loaded"
    ISSUE_POSTED = "issue_posted"
    DELIVERED = "delivered"


class Shortfall(StrEnum):
    """What happens to the part of a pick the shelf could not supply."""

    BACKORDER = "backorder"
    CANCEL = "cancel"


# the states as plain attributes: reading an enum member off its class is several times slower
_S, _L = SimpleNamespace(**SalesOrderState.__members__), SimpleNamespace(**SalesLineState.__members__)
_INF = math.inf
_MIN_QTY = 1 / SCALE  # a float at least this large is at least one unit (smaller ones take the checked path)
_AFTER_RELEASE = frozenset({_S.RELEASED, _S.PARTIALLY_DELIVERED, _S.DELIVERED, _S.INVOICED, _S.PAID})
_SHIPPING = frozenset({_S.RELEASED, _S.PARTIALLY_DELIVERED})
_FINAL = frozenset({_S.CREDIT_REJECTED, _S.CANCELLED})


@dataclass(frozen=True, slots=True)
class SalesLineStatus:
    """A read-only snapshot of one line's progress (quantities as floats, times in hours).

    ``loaded_at`` / ``posted_at`` / ``delivered_at`` are the times of the latest such step
    (None before the first); ``history`` holds every step of the line.
    """

    line_no: int
    sku: str
    qty: float
    unit_price: float
    state: SalesLineState
    allocated_qty: float
    backordered_qty: float
    picked_qty: float
    cancelled_qty: float
    loaded_qty: float
    posted_qty: float
    delivered_qty: float
    loaded_at: float | None
    posted_at: float | None
    delivered_at: float | None
    history: tuple[Step, ...]

    @property
    def open_qty(self) -> float:
        """Neither allocated, backordered nor cancelled yet."""
        return from_units(to_units(self.qty) - to_units(self.allocated_qty) - to_units(self.backordered_qty)
                          - to_units(self.cancelled_qty))

    @property
    def is_loaded(self) -> bool:
        """Something was picked and all of it has physically left."""
        return self.picked_qty > 0 and self.loaded_qty == self.picked_qty

    @property
    def is_posted(self) -> bool:
        """Something was picked and the goods issue of all of it is posted."""
        return self.picked_qty > 0 and self.posted_qty == self.picked_qty


class _Line:
    """Mutable progress of one line, in micro-units; ``*_at`` the latest such step's time (None before)."""

    __slots__ = ("allocated", "backordered", "cancelled", "delivered", "delivered_at", "line", "loaded", "loaded_at",
                 "no", "picked", "posted", "posted_at", "qty")

    def __init__(self, line: SalesLine, qty: int, no: int) -> None:
        self.line, self.qty, self.no = line, qty, no  # qty: the units ordered; no: the line number
        self.allocated = self.backordered = self.picked = self.cancelled = self.loaded = self.posted = 0
        self.delivered = 0
        self.loaded_at = self.posted_at = self.delivered_at = None

    @property
    def open(self) -> int:
        return self.qty - self.allocated - self.backordered - self.cancelled

    @property
    def to_pick(self) -> int:
        return self.allocated - self.picked

    @property
    def settled(self) -> bool:
        return self.delivered + self.cancelled == self.qty

    def state(self, order_cancelled: bool = False) -> SalesLineState:
        if order_cancelled or self.cancelled == self.qty:
            return _L.CANCELLED
        if self.backordered:
            return _L.BACKORDERED
        if self.to_pick:
            return _L.ALLOCATED
        if self.open:
            return _L.OPEN
        return _L.DELIVERED if self.delivered == self.picked else _L.PICKED


class SalesOrder(Document):
    """A customer's order with per-line progress; see the module docstring for the state machines.

    Steps that need no person default to ``actor="system"``. Quantities must be positive
    (a pick may be zero: nothing was on the shelf).

    >>> so = SalesOrder("SO-2", "C-1", "WH-A", 0.0, [SalesLine(1, "A-1", 2, 50.0), SalesLine(2, "B-2", 1, 30.0)])
    >>> so.amount
    130.0
    >>> from jxcsim.engine import IllegalTransition
    >>> try:
    ...     so.allocate(1, 2, 1.0)
    ... except IllegalTransition as err:
    ...     print(err)
    sales order 'SO-2' line 1: cannot go from OPEN to ALLOCATED: the order is RECEIVED, not released
    """

    kind = "sales order"
    __slots__ = ("_amount", "_credited", "_invoiced", "_lines", "_ordered", "_paid", "_refunded", "_state",
                 "customer", "location")

    def __init__(self, order_id: str, customer: str, location: str, created_at: float,
                 lines: Iterable[SalesLine], *, actor: str = "system") -> None:
        if not (order_id.__class__ is str and order_id and created_at.__class__ is float
                and -_INF < created_at < _INF and actor.__class__ is str and actor):
            super().__init__(order_id, _S.RECEIVED, created_at, actor)  # the checks, and their errors
        else:  # what Document.__init__ sets, its checks passed
            self._id, self._clock, self._line_clock = order_id, created_at, {}
            self._history = [(_S.RECEIVED, created_at, actor, None, None, None, None)]
        self.customer = customer if customer.__class__ is str and customer else check_id("customer", customer)
        self.location = location if location.__class__ is str and location else check_id("location", location)
        self._lines = progress = {}
        ordered, amounts = [], []  # amounts: each line's, while every line is a SalesLine with float values
        for line in lines:
            no = line.line_no
            if no in progress:
                raise ValueError(f"sales order {order_id!r} has line {no} twice")
            qty = line.qty
            if qty.__class__ is float and -MAX_QTY <= qty <= MAX_QTY:  # to_units, its common case inline
                progress[no] = _Line(line, round(qty * SCALE), no)
                price = line.unit_price
                if amounts is not None and price.__class__ is float and line.__class__ is SalesLine:
                    amounts.append(qty * price)  # SalesLine.amount
                else:
                    amounts = None
            else:
                progress[no] = _Line(line, to_units(qty), no)
                amounts = None
            ordered.append(line)
        if not ordered:
            raise ValueError(f"sales order {order_id!r} has no lines")
        self._ordered = tuple(ordered)
        self._amount = sum(amounts if amounts is not None else [x.amount for x in ordered])
        self._state = _S.RECEIVED
        self._invoiced = 0.0
        self._paid = 0.0
        self._credited = 0.0
        self._refunded = 0.0

    # ------------------------------------------------------------------ queries

    @property
    def order_id(self) -> str:
        return self._id

    @property
    def state(self) -> SalesOrderState:
        return self._state

    @property
    def lines(self) -> tuple[SalesLine, ...]:
        """The lines as ordered."""
        return self._ordered

    @property
    def amount(self) -> float:
        """Value of the order as placed: sum of ``qty * unit_price``."""
        return self._amount

    @property
    def invoiced_amount(self) -> float:
        """Value of the delivered quantities, fixed when the order is invoiced (0 before)."""
        return self._invoiced

    @property
    def paid_amount(self) -> float:
        return self._paid

    @property
    def credited_amount(self) -> float:
        """What credit notes took off the invoice (goods sent back)."""
        return self._credited

    @property
    def amount_due(self) -> float:
        """Invoiced less credited less paid while INVOICED (0 before the invoice and once PAID: what
        payments and credits settle within a float's rounding is not due).

        >>> so = SalesOrder("SO-4", "C-1", "WH-A", 0.0, [SalesLine(1, "A-1", 7, 0.1)])
        >>> so.check_credit(0.5, "ana"); so.release(1.0); so.allocate(1, 7, 1.0); so.pick(1, 7, 2.0, "li")
        >>> so.load(1, 3.0, "dai"); so.deliver(5.0); so.invoice(6.0, "zhou")      # 7 x 0.1 = 0.7000000000000001
        >>> so.credit(7.0, 0.7, "zhou"); so.state.value, so.amount_due
        ('paid', 0.0)
        """
        if self._state is not _S.INVOICED:
            return 0.0
        return max(0.0, self._invoiced - self._credited - self._paid)

    @property
    def refunded_amount(self) -> float:
        """What was paid back to the customer (:meth:`refund`)."""
        return self._refunded

    @property
    def credit_balance(self) -> float:
        """What the customer has paid and been credited beyond the invoice, less refunds: owed back to
        them (0 unless PAID; what is within a float's rounding of 0 is 0).

        >>> so = SalesOrder("SO-6", "C-1", "WH-A", 0.0, [SalesLine(1, "A-1", 4, 25.0)])
        >>> so.check_credit(0.5, "ana"); so.release(1.0); so.allocate(1, 4, 1.0); so.pick(1, 4, 2.0, "li")
        >>> so.load(1, 3.0, "dai"); so.deliver(5.0); so.invoice(6.0, "zhou"); so.pay(9.0, 100.0, "bank")
        >>> so.credit(10.0, 25.0, "zhou", note="RT-1"); so.credit_balance
        25.0
        >>> so.refund(11.0, 25.0, "zhou"); so.credit_balance, so.refunded_amount
        (0.0, 25.0)
        """
        if self._state is not _S.PAID:
            return 0.0
        over = self._paid + self._credited - self._invoiced - self._refunded
        return over if not covers(0.0, over) else 0.0

    @property
    def hold_reason(self) -> str | None:
        """Why the order was held for credit (None if it never was)."""
        return next((s.note for s in self.history if s.state is _S.CREDIT_HOLD), None)

    def line(self, line_no: int) -> SalesLineStatus:
        """A snapshot of line ``line_no`` (KeyError if there is none)."""
        p = self._get(line_no)
        return SalesLineStatus(
            p.line.line_no, p.line.sku, p.line.qty, p.line.unit_price, p.state(self._state is _S.CANCELLED),
            *(from_units(u) for u in (p.allocated, p.backordered, p.picked, p.cancelled, p.loaded, p.posted,
                                      p.delivered)),
            p.loaded_at, p.posted_at, p.delivered_at, self._line_history(line_no))

    def loaded_undelivered_qty(self, line_no: int) -> float:
        """Quantity of line ``line_no`` loaded and not yet delivered (what a ``deliver`` would deliver)."""
        p = self._lines.get(line_no) or self._get(line_no)
        return (p.loaded - p.delivered) / SCALE  # from_units

    def unposted_lines(self) -> list[int]:
        """Lines with goods loaded (gone) whose goods issue is not (fully) posted."""
        return [n for n, p in self._lines.items() if p.loaded > p.posted]

    def posted_unloaded_lines(self) -> list[int]:
        """Lines whose goods issue is posted for more than has physically left."""
        return [n for n, p in self._lines.items() if p.posted > p.loaded]

    @property
    def is_fully_loaded(self) -> bool:
        """Every line's quantity has left or was cancelled, and something left."""
        lines = self._lines.values()
        return any(p.loaded for p in lines) and all(p.loaded + p.cancelled == p.qty for p in lines)

    # ------------------------------------------------------------------ credit and release

    def _order_step(self, target: SalesOrderState, t: float, actor: str, allowed: Iterable[SalesOrderState],
                    note: str | None = None) -> None:
        if self._state not in allowed:
            self._refuse(target, self._state)
        t = self._check_step(t, actor, target, self._state)
        self._state = target
        self._record(target, t, actor, note=note)

    def check_credit(self, t: float, actor: str) -> None:
        """RECEIVED -> CREDIT_CHECKED: the credit check was done (hold it next if it failed)."""
        if self._state is _S.RECEIVED and actor.__class__ is str and actor and t.__class__ is float \
                and self._clock <= t < _INF:  # what _order_step would check, passed: record at once
            self._state = target = _S.CREDIT_CHECKED
            self._history.append((target, t, actor, None, None, None, None))
            self._clock = t
        else:
            self._order_step(_S.CREDIT_CHECKED, t, actor, (_S.RECEIVED,))

    def hold(self, t: float, reason: str, actor: str = "system") -> None:
        """CREDIT_CHECKED -> CREDIT_HOLD, with the reason (e.g. from :class:`~jxcsim.engine.rules.CreditRule`)."""
        check_id("reason", reason)
        self._order_step(_S.CREDIT_HOLD, t, actor, (_S.CREDIT_CHECKED,), note=reason)

    def approve(self, t: float, actor: str) -> None:
        """CREDIT_HOLD -> CREDIT_APPROVED."""
        self._order_step(_S.CREDIT_APPROVED, t, actor, (_S.CREDIT_HOLD,))

    def reject(self, t: float, actor: str, reason: str | None = None) -> None:
        """CREDIT_HOLD -> CREDIT_REJECTED (final)."""
        self._order_step(_S.CREDIT_REJECTED, t, actor, (_S.CREDIT_HOLD,), note=reason)

    def release(self, t: float, actor: str = "system") -> None:
        """CREDIT_CHECKED or CREDIT_APPROVED -> RELEASED: the warehouse may now work on the lines."""
        state = self._state
        if (state is _S.CREDIT_CHECKED or state is _S.CREDIT_APPROVED) and actor.__class__ is str and actor \
                and t.__class__ is float and self._clock <= t < _INF:  # as check_credit
            self._state = target = _S.RELEASED
            self._history.append((target, t, actor, None, None, None, None))
            self._clock = t
        else:
            self._order_step(_S.RELEASED, t, actor, (_S.CREDIT_CHECKED, _S.CREDIT_APPROVED))

    # ------------------------------------------------------------------ lines

    def _get(self, line_no: int) -> _Line:
        try:
            return self._lines[line_no]
        except KeyError:
            raise KeyError(f"sales order {self._id!r} has no line {line_no!r}") from None

    def _line_step(self, p: _Line, target: SalesLineState, t: float, actor: str, problem: str | None,
                   units: int) -> float:
        """Check a step of line ``p`` for ``units`` (``problem``, a reason, refuses it) and record it.

        Returns the step's time. The caller then updates the line's quantities (which cannot fail).
        """
        if self._state not in _AFTER_RELEASE:
            problem = f"the order is {self._state.name}, not released"
        if problem is not None:
            self._refuse(target, p.state(self._state is _S.CANCELLED), problem, line=p.no)
        no = p.no
        clocks = self._line_clock
        if not (actor.__class__ is str and actor and t.__class__ is float and self._clock <= t < _INF
                and clocks.get(no, -_INF) <= t):  # else the full checks, and their errors
            t = self._check_step(t, actor, target, p.state, line=no)  # released, so not cancelled
        self._history.append((target, t, actor, no, units / SCALE, None, None))
        clocks[no] = t
        return t

    def allocate(self, line_no: int, qty: float, t: float, actor: str = "system") -> None:
        """Allocate ``qty``: from the line's backorder first, then from its open part."""
        units = round(qty * SCALE) if qty.__class__ is float and _MIN_QTY <= qty <= MAX_QTY else qty_units(qty)
        p = self._lines.get(line_no) or self._get(line_no)
        free = p.backordered + p.open
        self._line_step(p, _L.ALLOCATED, t, actor,
                        None if units <= free else f"{qty:g} asked, {from_units(free):g} open or backordered", units)
        p.backordered -= min(units, p.backordered)
        p.allocated += units

    def allocate_lines(self, allocations: Iterable[tuple[int, float]], t: float, actor: str = "system") -> None:
        """:meth:`allocate` of each ``(line_no, qty)`` in turn at ``t``: an order's lines allocated at release.

        The same as ``for n, q in allocations: self.allocate(n, q, t, actor)``, errors included;
        checked once where it can be (see :meth:`pick_lines`).

        >>> so = SalesOrder("SO-6", "C-1", "WH-A", 0.0, [SalesLine(1, "A-1", 5, 1.0), SalesLine(2, "B-2", 3, 2.0)])
        >>> so.check_credit(0.0, "ana"); so.release(0.0)
        >>> so.allocate_lines([(1, 5.0), (2, 3.0)], 1.0)
        >>> so.line(1).state, so.line(2).allocated_qty
        (<SalesLineState.ALLOCATED: 'allocated'>, 3.0)
        """
        if not (self._state in _AFTER_RELEASE and actor.__class__ is str and actor and t.__class__ is float
                and self._clock <= t < _INF):  # the batch's checks (see pick_lines)
            for no, qty in allocations:
                self.allocate(no, qty, t, actor)
            return
        lines, clocks, history, allocated = self._lines, self._line_clock, self._history, _L.ALLOCATED
        for no, qty in allocations:
            p = lines.get(no)
            if (p is None or qty.__class__ is not float or not _MIN_QTY <= qty <= MAX_QTY
                    or clocks.get(no, -_INF) > t):
                self.allocate(no, qty, t, actor)  # the checked path, and its errors
                continue
            units = round(qty * SCALE)
            if units > p.qty - p.allocated - p.cancelled:  # more than open or backordered
                self.allocate(no, qty, t, actor)  # refused, with the reason
                continue
            history.append((allocated, t, actor, no, units / SCALE, None, None))
            clocks[no] = t
            if p.backordered:
                p.backordered -= min(units, p.backordered)
            p.allocated += units

    def backorder(self, line_no: int, qty: float, t: float, actor: str = "system") -> None:
        """Backorder ``qty`` of the line's open part (no stock to allocate)."""
        units = round(qty * SCALE) if qty.__class__ is float and _MIN_QTY <= qty <= MAX_QTY else qty_units(qty)
        p = self._lines.get(line_no) or self._get(line_no)
        self._line_step(p, _L.BACKORDERED, t, actor,
                        None if units <= p.open else f"{qty:g} asked, {from_units(p.open):g} open", units)
        p.backordered += units

    def pick(self, line_no: int, qty: float, t: float, actor: str, shortfall: Shortfall = Shortfall.BACKORDER) -> None:
        """Pick ``qty`` (>= 0) of what is allocated and not yet picked; the rest goes per ``shortfall``."""
        units = (round(qty * SCALE) if qty.__class__ is float and 0.0 <= qty <= MAX_QTY
                 else qty_units(qty, allow_zero=True))
        if shortfall is not Shortfall.BACKORDER:
            shortfall = Shortfall(shortfall)
        p = self._lines.get(line_no) or self._get(line_no)
        to_pick = p.allocated - p.picked
        if not to_pick:
            problem = "nothing allocated to pick"
        else:
            problem = None if units <= to_pick else f"{qty:g} picked, {from_units(to_pick):g} allocated"
        t = self._line_step(p, _L.PICKED, t, actor, problem, units)
        short = to_pick - units
        p.picked += units
        p.allocated -= short
        if short:
            if shortfall is Shortfall.BACKORDER:
                p.backordered += short
                self._record(_L.BACKORDERED, t, actor, line=line_no, qty=from_units(short), note="short pick")
            else:
                p.cancelled += short
                self._record(_L.CANCELLED, t, actor, line=line_no, qty=from_units(short), note="short pick")

    def pick_lines(self, picks: Iterable[tuple[int, float]], t: float, actor: str) -> None:
        """:meth:`pick` of each ``(line_no, qty)`` in turn at ``t`` (shortfalls backordered): one shipment.

        The same as ``for n, q in picks: self.pick(n, q, t, actor)``, errors included (a refused
        line leaves the lines before it picked); the order's state (released), ``t`` (a float not
        before the order's clock) and ``actor`` (a non-empty string) are checked once (else every
        line takes :meth:`pick`), and a line the quick checks cannot pass goes through :meth:`pick`.

        >>> so = SalesOrder("SO-4", "C-1", "WH-A", 0.0, [SalesLine(1, "A-1", 5, 1.0), SalesLine(2, "B-2", 3, 2.0)])
        >>> so.check_credit(0.0, "ana"); so.release(0.0); so.allocate(1, 5, 0.0); so.allocate(2, 3, 0.0)
        >>> so.pick_lines([(1, 5.0), (2, 1.0)], 1.0, "li")
        >>> so.line(1).picked_qty, so.line(2).picked_qty, so.line(2).backordered_qty
        (5.0, 1.0, 2.0)
        """
        if not (self._state in _AFTER_RELEASE and actor.__class__ is str and actor and t.__class__ is float
                and self._clock <= t < _INF):  # the batch's checks (see pick_lines)
            for no, qty in picks:
                self.pick(no, qty, t, actor)
            return
        lines, clocks, history, picked = self._lines, self._line_clock, self._history, _L.PICKED
        for no, qty in picks:
            p = lines.get(no)
            if p is None or qty.__class__ is not float or not 0.0 <= qty <= MAX_QTY or clocks.get(no, -_INF) > t:
                self.pick(no, qty, t, actor)  # the checked path, and its errors
                continue
            units = round(qty * SCALE)
            to_pick = p.allocated - p.picked
            if not to_pick or units > to_pick:
                self.pick(no, qty, t, actor)  # refused, with the reason
                continue
            history.append((picked, t, actor, no, units / SCALE, None, None))
            clocks[no] = t
            short = to_pick - units
            p.picked += units
            if short:  # the line's clock is already t: _record's step, appended
                p.allocated -= short
                p.backordered += short
                history.append((_L.BACKORDERED, t, actor, no, short / SCALE, None, "short pick"))

    def load(self, line_no: int, t: float, actor: str, *, qty: float | None = None) -> None:
        """Picked goods leave physically (posted or not).

        ``qty`` is how much of the line's picked-and-not-yet-loaded quantity this load covers
        (one shipment of several under the same line); None covers all of it. It must be > 0
        and at most that quantity, else :class:`~jxcsim.engine.errors.IllegalTransition`.
        """
        self._cover(line_no, _L.LOADED, ("load", "loaded"), qty, t, actor)

    def post_issue(self, line_no: int, t: float, actor: str, *, qty: float | None = None) -> None:
        """The goods issue of picked goods is recorded in the system (loaded or not).

        ``qty`` is how much of the line's picked-and-not-yet-posted quantity this posting covers
        (e.g. shipment 1 posted after shipment 2 was picked); None covers all of it. It must be
        > 0 and at most that quantity, else :class:`~jxcsim.engine.errors.IllegalTransition`.

        >>> from jxcsim.engine import IllegalTransition
        >>> so = SalesOrder("SO-3", "C-1", "WH-A", 0.0, [SalesLine(1, "A-1", 5, 1.0)])
        >>> so.check_credit(0.0, "ana"); so.release(0.0); so.allocate(1, 5, 0.0); so.pick(1, 5, 1.0, "li")
        >>> so.post_issue(1, 2.0, "clerk", qty=3)
        >>> try:
        ...     so.post_issue(1, 3.0, "clerk", qty=4)
        ... except IllegalTransition as err:
        ...     print(err)
        sales order 'SO-3' line 1: cannot go from PICKED to ISSUE_POSTED: 4 to post, only 2 of 5 picked not yet posted
        >>> so.post_issue(1, 3.0, "clerk"); so.line(1).posted_qty           # the rest
        5.0
        """
        self._cover(line_no, _L.ISSUE_POSTED, ("post", "posted"), qty, t, actor)

    def _cover(self, line_no: int, step: SalesLineState, words: tuple[str, str], qty: float | None, t: float,
               actor: str) -> None:
        """Load or post ``qty`` (None: all) of what is picked on the line and not yet covered by ``step``."""
        p = self._lines.get(line_no) or self._get(line_no)
        loading = step is _L.LOADED
        left = p.picked - (p.loaded if loading else p.posted)
        units = left if qty is None else to_units(qty)
        problem = None
        if not left or units <= 0 or units > left:
            verb, did = words
            if not left:
                problem = f"all {from_units(p.picked):g} picked already {did}" if p.picked else "nothing picked"
            elif units <= 0:
                problem = f"qty must be > 0, got {qty!r}"
            else:
                problem = (f"{from_units(units):g} to {verb}, only {from_units(left):g} of "
                           f"{from_units(p.picked):g} picked not yet {did}")
        t = self._line_step(p, step, t, actor, problem, units)
        if loading:
            p.loaded += units
            p.loaded_at = t
        else:
            p.posted += units
            p.posted_at = t

    def load_lines(self, loads: Iterable[tuple[int, float]], t: float, actor: str) -> None:
        """:meth:`load` of each ``(line_no, qty)`` in turn at ``t``: one shipment's lines leave together.

        The same as ``for n, q in loads: self.load(n, t, actor, qty=q)``, errors included; checked
        once where it can be (see :meth:`pick_lines`).
        """
        self._cover_lines(True, loads, t, actor)

    def post_issue_lines(self, posts: Iterable[tuple[int, float]], t: float, actor: str) -> None:
        """:meth:`post_issue` of each ``(line_no, qty)`` in turn at ``t``: one shipment's goods issue.

        The same as ``for n, q in posts: self.post_issue(n, t, actor, qty=q)``, errors included.

        >>> so = SalesOrder("SO-5", "C-1", "WH-A", 0.0, [SalesLine(1, "A-1", 5, 1.0), SalesLine(2, "B-2", 3, 2.0)])
        >>> so.check_credit(0.0, "ana"); so.release(0.0); so.allocate(1, 5, 0.0); so.allocate(2, 3, 0.0)
        >>> so.pick_lines([(1, 5.0), (2, 3.0)], 1.0, "li"); so.post_issue_lines([(1, 5.0), (2, 3.0)], 2.0, "clerk")
        >>> so.posted_unloaded_lines(), so.line(2).posted_at
        ([1, 2], 2.0)
        """
        self._cover_lines(False, posts, t, actor)

    def _cover_lines(self, loading: bool, items: Iterable[tuple[int, float]], t: float, actor: str) -> None:
        """:meth:`load` (``loading``) or :meth:`post_issue` of each item ``(n, q)`` as ``(n, t, actor, qty=q)``,
        the quick checks done once or inline (as :meth:`_cover`); an item they cannot pass takes the single step."""
        if not (self._state in _AFTER_RELEASE and actor.__class__ is str and actor and t.__class__ is float
                and self._clock <= t < _INF):  # the batch's checks (see pick_lines)
            single = self.load if loading else self.post_issue
            for no, qty in items:
                single(no, t, actor, qty=qty)
            return
        lines, clocks, history = self._lines, self._line_clock, self._history
        step = _L.LOADED if loading else _L.ISSUE_POSTED
        for no, qty in items:
            p = lines.get(no)
            if (p is None or qty.__class__ is not float or not _MIN_QTY <= qty <= MAX_QTY
                    or clocks.get(no, -_INF) > t):
                (self.load if loading else self.post_issue)(no, t, actor, qty=qty)  # checked, and its errors
                continue
            units = round(qty * SCALE)
            if loading:
                if units > p.picked - p.loaded:
                    self.load(no, t, actor, qty=qty)  # refused, with the reason
                    continue
                history.append((step, t, actor, no, units / SCALE, None, None))
                clocks[no] = t
                p.loaded += units
                p.loaded_at = t
            else:
                if units > p.picked - p.posted:
                    self.post_issue(no, t, actor, qty=qty)  # refused, with the reason
                    continue
                history.append((step, t, actor, no, units / SCALE, None, None))
                clocks[no] = t
                p.posted += units
                p.posted_at = t

    def cancel_line(self, line_no: int, t: float, reason: str, actor: str = "system") -> None:
        """Cancel what is not yet picked on the line (open, backordered, allocated-unpicked)."""
        check_id("reason", reason)
        p = self._get(line_no)
        rest = p.qty - p.picked - p.cancelled
        state = p.state(self._state is _S.CANCELLED)
        if self._state in _FINAL or self._state in (_S.DELIVERED, _S.INVOICED, _S.PAID):
            self._refuse(_L.CANCELLED, state, f"the order is {self._state.name}", line=line_no)
        if not rest:
            self._refuse(_L.CANCELLED, state, "nothing left to cancel", line=line_no)
        t = self._check_step(t, actor, _L.CANCELLED, state, line=line_no)
        p.allocated, p.backordered, p.cancelled = p.picked, 0, p.qty - p.picked
        self._record(_L.CANCELLED, t, actor, line=line_no, qty=from_units(rest), note=reason)

    # ------------------------------------------------------------------ delivery, billing, cancellation

    def deliver(self, t: float, actor: str = "system") -> None:
        """Everything loaded and not yet delivered reaches the customer.

        RELEASED/PARTIALLY_DELIVERED -> DELIVERED when every line is then delivered or
        cancelled, else -> PARTIALLY_DELIVERED.
        """
        state = self._state
        if (state is _S.RELEASED or state is _S.PARTIALLY_DELIVERED) and actor.__class__ is str and actor \
                and t.__class__ is float and self._clock <= t < _INF:
            clocks, moving = self._line_clock, []
            for p in self._lines.values():
                if p.loaded > p.delivered:
                    if clocks[p.no] > t:  # backdated (a moving line was loaded, so it has a clock)
                        break
                    moving.append(p)
            else:
                if moving:  # every check of _deliver passed: the same steps, recorded at once
                    delivered, history, settled = _L.DELIVERED, self._history, True
                    for p in moving:
                        no = p.no
                        p.delivered_at = clocks[no] = t
                        history.append((delivered, t, actor, no, (p.loaded - p.delivered) / SCALE, None, None))
                        p.delivered = p.loaded
                    for p in self._lines.values():
                        if p.delivered + p.cancelled != p.qty:
                            settled = False
                            break
                    self._state = target = _S.DELIVERED if settled else _S.PARTIALLY_DELIVERED
                    history.append((target, t, actor, None, None, None, None))
                    self._clock = t
                    return
        self._deliver(t, actor)

    def _deliver(self, t: float, actor: str) -> None:
        """:meth:`deliver`, every check in turn (with its error)."""
        target = _S.DELIVERED
        if self._state not in _SHIPPING:
            self._refuse(target, self._state)
        lines = self._lines
        moving = [n for n, p in lines.items() if p.loaded > p.delivered]
        if not moving:
            self._refuse(target, self._state, "nothing loaded to deliver")
        t = self._check_step(t, actor, target, self._state, touches=moving)
        delivered, history = _L.DELIVERED, self._history
        for n in moving:
            p = lines[n]
            p.delivered_at = t
            history.append((delivered, t, actor, n, (p.loaded - p.delivered) / SCALE, None, None))
            self._line_clock[n] = t
            p.delivered = p.loaded
        if any(p.delivered + p.cancelled != p.qty for p in lines.values()):  # some line not settled
            target = _S.PARTIALLY_DELIVERED
        self._state = target
        self._record(target, t, actor)

    def invoice(self, t: float, actor: str = "system") -> None:
        """DELIVERED (or PARTIALLY_DELIVERED with the rest cancelled) -> INVOICED, for the delivered value."""
        if self._state is _S.DELIVERED and actor.__class__ is str and actor and t.__class__ is float \
                and self._clock <= t < _INF:  # what _invoice would check, passed
            self._invoiced = amount = sum([p.delivered / SCALE * p.line.unit_price for p in self._lines.values()])
            self._state = target = _S.INVOICED
            self._history.append((target, t, actor, None, None, amount, None))
            self._clock = t
        else:
            self._invoice(t, actor)

    def _invoice(self, t: float, actor: str) -> None:
        """:meth:`invoice`, every check in turn (with its error)."""
        settled = all(p.settled for p in self._lines.values())
        if self._state is not _S.DELIVERED and not (self._state is _S.PARTIALLY_DELIVERED and settled):
            self._refuse(_S.INVOICED, self._state, None if self._state is not _S.PARTIALLY_DELIVERED
                         else "lines are still to be delivered")
        t = self._check_step(t, actor, _S.INVOICED, self._state)
        self._invoiced = sum(from_units(p.delivered) * p.line.unit_price for p in self._lines.values())
        self._state = _S.INVOICED
        self._record(_S.INVOICED, t, actor, amount=self._invoiced)

    def pay(self, t: float, amount: float, actor: str = "customer") -> None:
        """Record a payment; INVOICED -> PAID once the payments cover the invoiced amount.

        A partial payment is recorded as a step that stays in INVOICED (with its ``amount``).
        """
        if amount.__class__ is float and 0.0 < amount < _INF and self._state is _S.INVOICED \
                and actor.__class__ is str and actor and t.__class__ is float and self._clock <= t < _INF:
            self._paid = paid = self._paid + amount  # what _pay would check passed; covers() inline
            paid += self._credited
            due = self._invoiced
            if paid >= due - 1e-9 * max(1.0, abs(due)):
                self._state = _S.PAID
            self._history.append((self._state, t, actor, None, None, amount, None))
            self._clock = t
        else:
            self._pay(t, amount, actor)

    def _pay(self, t: float, amount: float, actor: str) -> None:
        """:meth:`pay`, every check in turn (with its error)."""
        amount = check_amount(amount)
        if self._state is not _S.INVOICED:
            self._refuse(_S.PAID, self._state)
        t = self._check_step(t, actor, _S.PAID, self._state)
        self._paid += amount
        if covers(self._paid + self._credited, self._invoiced):
            self._state = _S.PAID
        self._record(self._state, t, actor, amount=amount)

    def credit(self, t: float, amount: float, actor: str, note: str | None = None) -> None:
        """A credit note for ``amount`` (goods sent back; ``note``: the return) on an INVOICED or PAID
        order: recorded as a ``CREDITED`` step; an INVOICED order whose payments and credits now
        cover the invoice becomes PAID. Credits never exceed the invoiced amount.

        >>> so = SalesOrder("SO-3", "C-1", "WH-A", 0.0, [SalesLine(1, "A-1", 4, 25.0)])
        >>> so.check_credit(0.5, "ana"); so.release(1.0); so.allocate(1, 4, 1.0); so.pick(1, 4, 2.0, "li")
        >>> so.load(1, 3.0, "dai"); so.deliver(5.0); so.invoice(6.0, "zhou")
        >>> so.credit(30.0, 25.0, "zhou", note="RT-1"); so.amount_due, so.state.value
        (75.0, 'invoiced')
        >>> so.pay(40.0, 75.0, "bank"); so.state.value
        'paid'
        >>> so.credit(41.0, 80.0, "zhou")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        jxcsim.engine.errors.IllegalTransition: ... PAID to CREDITED: credits of 105 would exceed the invoiced 100
        """
        amount = check_amount(amount)
        if self._state is not _S.INVOICED and self._state is not _S.PAID:
            self._refuse(_S.CREDITED, self._state, "only an invoiced order is credited")
        if not covers(self._invoiced, self._credited + amount):
            self._refuse(_S.CREDITED, self._state, f"credits of {self._credited + amount:g} would exceed the "
                                                   f"invoiced {self._invoiced:g}")
        t = self._check_step(t, actor, _S.CREDITED, self._state)
        self._credited += amount
        if self._state is _S.INVOICED and covers(self._paid + self._credited, self._invoiced):
            self._state = _S.PAID
        self._record(_S.CREDITED, t, actor, amount=amount, note=note)

    def refund(self, t: float, amount: float, actor: str, note: str | None = None) -> None:
        """Pay ``amount`` of the :attr:`credit_balance` back to the customer: a ``REFUNDED`` step of a PAID
        order (``note``: e.g. the credit note it refunds). Refunds never exceed the credit balance.

        >>> so = SalesOrder("SO-7", "C-1", "WH-A", 0.0, [SalesLine(1, "A-1", 1, 80.0)])
        >>> so.check_credit(0.5, "ana"); so.release(1.0); so.allocate(1, 1, 1.0); so.pick(1, 1, 2.0, "li")
        >>> so.load(1, 3.0, "dai"); so.deliver(5.0); so.invoice(6.0, "zhou"); so.pay(9.0, 80.0, "bank")
        >>> so.refund(10.0, 5.0, "zhou")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        jxcsim.engine.errors.IllegalTransition: ... PAID to REFUNDED: a refund of 5 exceeds the credit balance of 0
        """
        amount = check_amount(amount)
        if self._state is not _S.PAID:
            self._refuse(_S.REFUNDED, self._state, "only a paid order is refunded")
        balance = self.credit_balance
        if not covers(balance, amount):
            self._refuse(_S.REFUNDED, self._state, f"a refund of {amount:g} exceeds the credit balance of {balance:g}")
        t = self._check_step(t, actor, _S.REFUNDED, self._state)
        self._refunded += amount
        self._record(_S.REFUNDED, t, actor, amount=amount, note=note)

    def cancel(self, t: float, reason: str, actor: str = "system") -> None:
        """-> CANCELLED from any state but CREDIT_REJECTED, as long as no line has been loaded.

        Unpicked quantities become cancelled; picked goods go back to the shelf and a posted goods
        issue must be reversed in the ledgers by the caller (see :meth:`posted_unloaded_lines`).
        """
        check_id("reason", reason)
        if self._state in _FINAL:
            self._refuse(_S.CANCELLED, self._state)
        loaded = [n for n, p in self._lines.items() if p.loaded]
        if loaded:
            self._refuse(_S.CANCELLED, self._state, f"line(s) {', '.join(map(str, loaded))} already loaded")
        t = self._check_step(t, actor, _S.CANCELLED, self._state, touches=self._lines)
        for p in self._lines.values():
            p.allocated, p.backordered, p.cancelled = p.picked, 0, p.qty - p.picked
        self._state = _S.CANCELLED
        self._record(_S.CANCELLED, t, actor, note=reason)
