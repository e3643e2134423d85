"""Stock documents: transfers between locations, customer returns, stock counts.

**Transfer** — physical and book legs are independent of each other, but each ledger keeps its
own order: goods cannot arrive before they left, and the system cannot book them in before it
booked them out. ``state`` follows the goods, ``book_state`` the system (``TransferState``)::

    goods:  CREATED --ship--> IN_TRANSIT --arrive--> ARRIVED
    system: CREATED --post_out--> IN_TRANSIT --post_in--> ARRIVED
    CREATED (both) --cancel--> CANCELLED

**Customer return** (``ReturnState``)::

    REQUESTED --approve--> APPROVED      when approval is required (an ApprovalRule decides)
    REQUESTED --reject---> REJECTED      (final)
    REQUESTED --accept---> ACCEPTED      when it is not
    APPROVED | ACCEPTED: receive (goods in) and post (book in), independent, once each

**Stock count** (``CountState``): ``OPEN --finish--> COUNTED --adjust--> ADJUSTED``. The book
quantities are a snapshot taken when the count opens; counted quantities are recorded while it
is open; the signed adjustment of each SKU is ``counted - book``.

>>> count = StockCount("CNT-1", "WH-A", 100.0, {"A-1": 12, "B-2": 5})
>>> count.record("A-1", 10); count.record("B-2", 5); count.record("C-3", 1)
>>> count.finish(101.0, "eva")
>>> count.differences()
{'A-1': -2.0, 'B-2': 0.0, 'C-3': 1.0}
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from .documents import Document, check_id, qty_units
from .entry import Ledger, is_virtual
from .ledger import Ledgers
from .quantity import from_units, to_units

__all__ = [
    "Adjustment", "CountState", "CustomerReturn", "ReturnState", "StockCount", "Transfer", "TransferState",
    "TransferStep",
]


# ---------------------------------------------------------------------------- transfer


class TransferState(StrEnum):
    """Where a transfer stands, in one ledger (see :attr:`Transfer.state` and :attr:`Transfer.book_state`)."""

    CREATED = "created"
    IN_TRANSIT = "in_transit"
    ARRIVED = "arrived"
    CANCELLED = "cancelled"


class TransferStep(StrEnum):
    """Steps of a transfer in its history."""

    CREATED = "created"
    SHIPPED = "shipped"
    OUT_POSTED = "out_posted"
    ARRIVED = "arrived"
    IN_POSTED = "in_posted"
    CANCELLED = "cancelled"


_T = TransferStep


class Transfer(Document):
    """``qty`` of ``sku`` moving from ``src`` to ``dst``, whole (no partial legs).

    >>> tr = Transfer("TR-1", "A-1", 20, "WH-A", "WH-B", created_at=8.0)
    >>> tr.ship(9.0, "driver-1"); tr.arrive(15.0, "rui")
    >>> tr.state, tr.book_state
    (<TransferState.ARRIVED: 'arrived'>, <TransferState.CREATED: 'created'>)
    >>> from jxcsim.engine import IllegalTransition
    >>> try:
    ...     tr.post_in(16.0, "rui")
    ... except IllegalTransition as err:
    ...     print(err)
    transfer 'TR-1': cannot go from CREATED to IN_POSTED: the out leg is not posted
    """

    kind = "transfer"
    __slots__ = ("_times", "dst", "qty", "sku", "src")

    def __init__(self, transfer_id: str, sku: str, qty: float, src: str, dst: str, *, created_at: float,
                 actor: str = "system") -> None:
        super().__init__(transfer_id, _T.CREATED, created_at, actor)
        self.sku = check_id("sku", sku)
        self.qty = from_units(qty_units(qty))
        self.src, self.dst = check_id("src", src), check_id("dst", dst)
        if src == dst or is_virtual(src) or is_virtual(dst):
            raise ValueError(f"a transfer needs two different real locations, got {src!r} and {dst!r}")
        self._times: dict[TransferStep, float] = {}

    @property
    def transfer_id(self) -> str:
        return self._id

    def _stage(self, out: TransferStep, into: TransferStep) -> TransferState:
        if _T.CANCELLED in self._times:
            return TransferState.CANCELLED
        if into in self._times:
            return TransferState.ARRIVED
        return TransferState.IN_TRANSIT if out in self._times else TransferState.CREATED

    @property
    def state(self) -> TransferState:
        """Where the goods are."""
        return self._stage(_T.SHIPPED, _T.ARRIVED)

    @property
    def book_state(self) -> TransferState:
        """Where the system thinks they are."""
        return self._stage(_T.OUT_POSTED, _T.IN_POSTED)

    def time_of(self, step: TransferStep) -> float | None:
        """When ``step`` happened (None if it has not)."""
        return self._times.get(step)

    def _step(self, step: TransferStep, t: float, actor: str, *, needs: TransferStep | None, book: bool,
              note: str | None = None) -> None:
        state = self.book_state if book else self.state
        if _T.CANCELLED in self._times or step in self._times:
            self._refuse(step, state, None if _T.CANCELLED in self._times else "already done")
        if needs is not None and needs not in self._times:
            self._refuse(step, state, "the goods have not left" if needs is _T.SHIPPED else "the out leg is not posted")
        t = self._check_step(t, actor, step, state)
        self._times[step] = t
        self._record(step, t, actor, qty=None if step is _T.CANCELLED else self.qty, note=note)

    def ship(self, t: float, actor: str) -> None:
        """Physical out leg: the goods leave ``src`` (now in transit)."""
        self._step(_T.SHIPPED, t, actor, needs=None, book=False)

    def post_out(self, t: float, actor: str) -> None:
        """Book out leg: the system records the goods leaving ``src``."""
        self._step(_T.OUT_POSTED, t, actor, needs=None, book=True)

    def arrive(self, t: float, actor: str) -> None:
        """Physical in leg: the goods reach ``dst`` (they must have left)."""
        self._step(_T.ARRIVED, t, actor, needs=_T.SHIPPED, book=False)

    def post_in(self, t: float, actor: str) -> None:
        """Book in leg: the system records the goods at ``dst`` (after posting the out leg)."""
        self._step(_T.IN_POSTED, t, actor, needs=_T.OUT_POSTED, book=True)

    def cancel(self, t: float, reason: str, actor: str = "system") -> None:
        """CREATED -> CANCELLED while neither leg has moved or been posted."""
        check_id("reason", reason)
        if self._times.keys() & {_T.SHIPPED, _T.OUT_POSTED}:
            self._refuse(_T.CANCELLED, self.state, "a leg has already moved or been posted")
        self._step(_T.CANCELLED, t, actor, needs=None, book=False, note=reason)


# ---------------------------------------------------------------------------- customer return


class ReturnState(StrEnum):
    """States of a customer return; RECEIVED (goods in), POSTED (book in) and CREDITED (credit note) are steps only."""

    REQUESTED = "requested"
    APPROVED = "approved"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    RECEIVED = "received"
    POSTED = "posted"
    CREDITED = "credited"  # a credit note for the goods, once they are booked in


_R = ReturnState


class CustomerReturn(Document):
    """A customer sends back ``qty`` of ``sku`` to ``location``.

    ``approval_required`` is decided when the return is requested, typically
    ``ApprovalRule(threshold).needs_approval(qty * unit_price)``.

    >>> ret = CustomerReturn("RT-1", "C-7", "WH-A", "A-1", 3, 20.0, created_at=50.0, approval_required=False)
    >>> ret.accept(50.0); ret.post(52.0, "eva"); ret.receive(70.0, "rui")
    >>> ret.state, ret.posted_at, ret.received_at
    (<ReturnState.ACCEPTED: 'accepted'>, 52.0, 70.0)
    """

    kind = "customer return"
    __slots__ = ("_state", "_times", "approval_required", "customer", "location", "order_id", "qty", "sku",
                 "unit_price")

    def __init__(self, return_id: str, customer: str, location: str, sku: str, qty: float, unit_price: float, *,
                 created_at: float, approval_required: bool, order_id: str | None = None,
                 actor: str = "system") -> None:
        super().__init__(return_id, _R.REQUESTED, created_at, actor)
        self.customer = check_id("customer", customer)
        self.location = check_id("location", location)
        self.sku = check_id("sku", sku)
        self.qty = from_units(qty_units(qty))
        if not (math.isfinite(unit_price) and unit_price >= 0):
            raise ValueError(f"unit_price must be finite and >= 0, got {unit_price!r}")
        self.unit_price = float(unit_price)
        self.approval_required = bool(approval_required)
        self.order_id = order_id
        self._state = _R.REQUESTED
        self._times: dict[ReturnState, float] = {}

    @property
    def return_id(self) -> str:
        return self._id

    @property
    def state(self) -> ReturnState:
        return self._state

    @property
    def amount(self) -> float:
        return self.qty * self.unit_price

    @property
    def received_at(self) -> float | None:
        """When the goods came in (None if not yet)."""
        return self._times.get(_R.RECEIVED)

    @property
    def posted_at(self) -> float | None:
        """When the return was booked in (None if not yet)."""
        return self._times.get(_R.POSTED)

    def _decide(self, target: ReturnState, t: float, actor: str, *, needs_approval: bool,
                note: str | None = None) -> None:
        if self._state is not _R.REQUESTED:
            self._refuse(target, self._state)
        if self.approval_required != needs_approval:
            why = "approval is required" if self.approval_required else "no approval is required"
            self._refuse(target, self._state, why)
        t = self._check_step(t, actor, target, self._state)
        self._state = target
        self._record(target, t, actor, note=note)

    def approve(self, t: float, actor: str) -> None:
        """REQUESTED -> APPROVED (only when approval is required)."""
        self._decide(_R.APPROVED, t, actor, needs_approval=True)

    def reject(self, t: float, actor: str, reason: str | None = None) -> None:
        """REQUESTED -> REJECTED (only when approval is required)."""
        self._decide(_R.REJECTED, t, actor, needs_approval=True, note=reason)

    def accept(self, t: float, actor: str = "system") -> None:
        """REQUESTED -> ACCEPTED (only when no approval is required)."""
        self._decide(_R.ACCEPTED, t, actor, needs_approval=False)

    def _book(self, step: ReturnState, t: float, actor: str) -> None:
        if self._state not in (_R.APPROVED, _R.ACCEPTED):
            self._refuse(step, self._state, "the return is not approved or accepted")
        if step in self._times:
            self._refuse(step, self._state, "already done")
        t = self._check_step(t, actor, step, self._state)
        self._times[step] = t
        self._record(step, t, actor, qty=self.qty)

    def receive(self, t: float, actor: str) -> None:
        """The goods physically come back to ``location`` (booked or not)."""
        self._book(_R.RECEIVED, t, actor)

    def post(self, t: float, actor: str) -> None:
        """The return is booked in (received or not)."""
        self._book(_R.POSTED, t, actor)

    @property
    def credited_at(self) -> float | None:
        """When the credit note was issued (None if not yet)."""
        return self._times.get(_R.CREDITED)

    def credit(self, t: float, actor: str) -> None:
        """The credit note for :attr:`amount`, once the return is booked in (once).

        >>> ret = CustomerReturn("RT-2", "C-7", "WH-A", "A-1", 2, 10.0, created_at=0.0, approval_required=False)
        >>> ret.accept(0.0); ret.credit(1.0, "zhou")  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        jxcsim.engine.errors.IllegalTransition: ... the return is not booked in yet
        >>> ret.post(2.0, "eva"); ret.credit(3.0, "zhou"); ret.credited_at
        3.0
        """
        if _R.POSTED not in self._times:
            self._refuse(_R.CREDITED, self._state, "the return is not booked in yet")
        self._book(_R.CREDITED, t, actor)


# ---------------------------------------------------------------------------- stock count


class CountState(StrEnum):
    """States of a stock count."""

    OPEN = "open"
    COUNTED = "counted"
    ADJUSTED = "adjusted"


@dataclass(frozen=True, slots=True)
class Adjustment:
    """The signed correction a count asks for: ``qty = counted - book`` (+ found, - missing), less
    what the count's review reconciled (:meth:`StockCount.reconcile`).

    >>> Adjustment("CNT-1", "WH-A", "A-1", -2.0).qty
    -2.0
    """

    count_id: str
    location: str
    sku: str
    qty: float


class StockCount(Document):
    """A count of one location: a book snapshot at ``time``, counted quantities, their differences.

    Every SKU in the snapshot must be counted (a zero too) before :meth:`finish`; SKUs found on
    the shelf that the book does not know count against a book quantity of zero. Before the
    adjustment, a review may :meth:`reconcile` the part of a difference that a movement in flight
    at the count has settled since (a goods issue posted before the count whose truck was loaded
    after it): that part is not adjusted.
    """

    kind = "stock count"
    __slots__ = ("_book", "_counted", "_reconciled", "_state", "location")

    def __init__(self, count_id: str, location: str, time: float, book: Mapping[str, float], *,
                 actor: str = "system") -> None:
        super().__init__(count_id, CountState.OPEN, time, actor)
        self.location = check_id("location", location)
        self._book = {check_id("sku", sku): to_units(qty) for sku, qty in book.items()}
        self._counted: dict[str, int] = {}
        self._reconciled: dict[str, int] = {}
        self._state = CountState.OPEN

    @classmethod
    def from_ledgers(cls, count_id: str, location: str, time: float, ledgers: Ledgers, *,
                     actor: str = "system") -> StockCount:
        """A count whose snapshot is the non-zero book stock of every SKU at ``location`` at ``time``.

        >>> from jxcsim.engine import SUPPLIER, Ledgers
        >>> led = Ledgers()
        >>> _ = led.move_book("A-1", 7, SUPPLIER, "WH-A", time=1.0, movement_id="PO-1")
        >>> _ = led.move_book("B-2", 3, SUPPLIER, "WH-A", time=9.0, movement_id="PO-2")
        >>> StockCount.from_ledgers("CNT-1", "WH-A", 5.0, led).book
        {'A-1': 7.0}
        """
        book = {sku: led_qty for sku in ledgers.skus() if location in ledgers.locations(sku)
                and (led_qty := ledgers.balance(Ledger.BOOK, sku, location, as_of=time, known_at=time))}
        return cls(count_id, location, time, book, actor=actor)

    @property
    def count_id(self) -> str:
        return self._id

    @property
    def state(self) -> CountState:
        return self._state

    @property
    def time(self) -> float:
        """When the book snapshot was taken."""
        return self.created_at

    @property
    def book(self) -> dict[str, float]:
        return {sku: from_units(units) for sku, units in self._book.items()}

    @property
    def counted(self) -> dict[str, float]:
        return {sku: from_units(units) for sku, units in self._counted.items()}

    def record(self, sku: str, qty: float) -> None:
        """Record the counted quantity (>= 0) of ``sku``; a recount replaces it. Only while OPEN."""
        units = qty_units(qty, allow_zero=True)
        check_id("sku", sku)
        if self._state is not CountState.OPEN:
            self._refuse(CountState.OPEN, self._state, f"cannot record a count of {sku!r}")
        self._counted[sku] = units

    def finish(self, t: float, actor: str) -> None:
        """OPEN -> COUNTED, once every SKU of the snapshot has a counted quantity."""
        if self._state is not CountState.OPEN:
            self._refuse(CountState.COUNTED, self._state)
        missing = sorted(self._book.keys() - self._counted.keys())
        if missing:
            self._refuse(CountState.COUNTED, self._state, f"not counted: {', '.join(missing)}")
        t = self._check_step(t, actor, CountState.COUNTED, self._state)
        self._state = CountState.COUNTED
        self._record(CountState.COUNTED, t, actor)

    @property
    def reconciled(self) -> dict[str, float]:
        """The part of each SKU's difference the review put down to movements in flight (see :meth:`reconcile`)."""
        return {sku: from_units(units) for sku, units in self._reconciled.items()}

    def reconcile(self, sku: str, qty: float) -> None:
        """Put ``qty`` (signed, as ``counted - book``) of ``sku``'s difference down to movements that were
        half done at the count and settled since, so it is not adjusted. Only once COUNTED; repeated
        calls add up.

        >>> count = StockCount("CNT-3", "WH-A", 17.0, {"A-1": 10})
        >>> count.record("A-1", 12); count.finish(17.5, "eva")     # 2 issued in the book, still on the dock
        >>> count.reconcile("A-1", 2)                                # the truck was loaded at 17.2
        >>> count.adjustments()
        []
        """
        if self._state is not CountState.COUNTED:
            self._refuse("RECONCILED", self._state,
                         f"{sku!r}: a count is reconciled once counted, before it is adjusted")
        if sku not in self._counted:
            raise ValueError(f"stock count {self._id!r}: {sku!r} was not counted, so it has no difference to reconcile")
        units = to_units(qty)
        if units:
            self._reconciled[sku] = self._reconciled.get(sku, 0) + units

    def adjust(self, t: float, actor: str) -> None:
        """COUNTED -> ADJUSTED: the caller has posted :meth:`adjustments` (e.g. to/from ``LOSS``)."""
        if self._state is not CountState.COUNTED:
            self._refuse(CountState.ADJUSTED, self._state)
        t = self._check_step(t, actor, CountState.ADJUSTED, self._state)
        self._state = CountState.ADJUSTED
        self._record(CountState.ADJUSTED, t, actor)

    def differences(self) -> dict[str, float]:
        """``counted - book`` of every counted SKU (zeros included), in snapshot then counting order."""
        skus = [*self._book, *(sku for sku in self._counted if sku not in self._book)]
        return {sku: from_units(self._counted[sku] - self._book.get(sku, 0)) for sku in skus if sku in self._counted}

    def adjustments(self) -> list[Adjustment]:
        """One :class:`Adjustment` per SKU whose difference is not zero (available once COUNTED).

        >>> count = StockCount("CNT-2", "WH-A", 0.0, {"A-1": 4})
        >>> count.record("A-1", 1); count.finish(1.0, "eva")
        >>> count.adjustments()
        [Adjustment(count_id='CNT-2', location='WH-A', sku='A-1', qty=-3.0)]
        """
        if self._state is CountState.OPEN:
            self._refuse(CountState.COUNTED, self._state, "the count is still open")
        settled = self._reconciled
        remaining = ((sku, to_units(qty) - settled.get(sku, 0)) for sku, qty in self.differences().items())
        return [Adjustment(self._id, self.location, sku, from_units(units)) for sku, units in remaining if units]
