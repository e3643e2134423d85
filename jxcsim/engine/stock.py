"""Stock positions: the ledgers plus the commitments that are not ledger moves.

Reserved, on-order and in-transit quantities are plain counters per (SKU, location): they
change when documents change state (an order is allocated, a purchase order is placed, a
transfer is shipped) and move no goods. :class:`Inventory` holds them beside a
:class:`~jxcsim.engine.ledger.Ledgers` and reports a :class:`StockPosition`.

>>> from jxcsim.engine import SUPPLIER
>>> inv = Inventory()
>>> _ = inv.ledgers.move_book("A-1", 10, SUPPLIER, "WH-A", time=0.0, movement_id="PO-1")
>>> inv.reserve("A-1", "WH-A", 4)
>>> inv.position("A-1", "WH-A").available
6.0
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from .entry import Cause, Ledger, VirtualLocation, is_virtual
from .errors import CommitmentError, ReservationError
from .ledger import Ledgers
from .quantity import MAX_QTY, SCALE, from_units, to_units

__all__ = ["Commitment", "Inventory", "StockPosition"]


class Commitment(StrEnum):
    """The counters kept beside the ledgers."""

    RESERVED = "reserved"
    ON_ORDER = "on order"
    IN_TRANSIT = "in transit"


_RESERVED, _BOOK = Commitment.RESERVED, Ledger.BOOK  # as globals: quicker to read than enum members
_VIRTUAL = frozenset(str(v) for v in VirtualLocation)
_MIN_QTY = 1 / SCALE  # a float at least this large is at least one unit


@dataclass(frozen=True, slots=True)
class StockPosition:
    """Every quantity of one (SKU, location) at one moment.

    ``available = book - reserved`` (available to promise; may be negative when book stock fell
    after reserving). ``in_transit`` is stock travelling *to* this location. ``unposted_out`` /
    ``unposted_in`` are the quantities moved but not yet posted (both >= 0).
    ``discrepancy = book - physical`` and ``causes`` splits it (see :mod:`jxcsim.engine.ledger`).

    >>> StockPosition("A-1", "WH-A", physical=6.0, book=10.0, reserved=0.0, available=10.0, on_order=0.0,
    ...               in_transit=0.0, unposted_in=0.0, unposted_out=4.0, discrepancy=4.0).discrepancy
    4.0
    """

    sku: str
    location: str
    physical: float
    book: float
    reserved: float
    available: float
    on_order: float
    in_transit: float
    unposted_in: float
    unposted_out: float
    discrepancy: float
    causes: Mapping[Cause, float] = field(default_factory=lambda: MappingProxyType({}))


class Inventory:
    """The two ledgers and the reserved / on-order / in-transit counters of every (SKU, location).

    Goods and postings move through :attr:`ledgers`; documents use the counter methods. A
    reservation must fit in available book stock (:class:`ReservationError`); no counter may
    go below zero (:class:`CommitmentError`). Counters exist only at real locations.

    >>> inv = Inventory()
    >>> inv.add_on_order("A-1", "WH-A", 50)
    >>> inv.remove_on_order("A-1", "WH-A", 20)
    >>> inv.position("A-1", "WH-A").on_order
    30.0
    """

    def __init__(self, ledgers: Ledgers | None = None) -> None:
        self.ledgers = Ledgers() if ledgers is None else ledgers
        self._counters: dict[tuple[Commitment, str, str], int] = {}

    def _units(self, counter: Commitment, sku: str, location: str) -> int:
        return self._counters.get((counter, sku, location), 0)

    def _change(self, counter: Commitment, sku: str, location: str, qty: float, sign: int) -> None:
        if is_virtual(location):
            raise ValueError(f"{counter} is kept for real locations only, got {location!r}")
        units = to_units(qty)
        if units <= 0:
            raise ValueError(f"qty must be positive (after rounding to the quantum), got {qty!r}")
        key = (counter, sku, location)
        have = self._counters.get(key, 0)
        if sign < 0 and units > have:
            if counter is Commitment.RESERVED:
                raise ReservationError(str(counter), sku, location, from_units(have), from_units(units), verb="release")
            raise CommitmentError(str(counter), sku, location, from_units(have), from_units(units))
        self._counters[key] = have + sign * units

    def reserved(self, sku: str, location: str) -> float:
        """Quantity reserved (allocated to orders) at (sku, location)."""
        return from_units(self._units(Commitment.RESERVED, sku, location))

    def reserve(self, sku: str, location: str, qty: float) -> None:
        """Reserve ``qty`` of available book stock; :class:`ReservationError` if it is not there.

        >>> inv = Inventory()
        >>> inv.reserve("A-1", "WH-A", 1)
        Traceback (most recent call last):
        ...
        jxcsim.engine.errors.ReservationError: available of 'A-1' at 'WH-A' is 0, cannot reserve 1
        """
        units = to_units(qty)
        if not is_virtual(location) and units > 0:
            available = (self.ledgers._units_at((Ledger.BOOK, sku, location), None, None)
                         - self._units(Commitment.RESERVED, sku, location))
            if units > available:
                raise ReservationError("available", sku, location, from_units(available), from_units(units),
                                       verb="reserve")
        self._change(Commitment.RESERVED, sku, location, qty, +1)

    def try_reserve(self, sku: str, location: str, qty: float) -> bool:
        """Reserve ``qty`` if it fits in available book stock (True), else change nothing (False).

        Bad arguments raise as in :meth:`reserve`.

        >>> from jxcsim.engine import SUPPLIER
        >>> inv = Inventory()
        >>> _ = inv.ledgers.move_book("A-1", 5, SUPPLIER, "WH-A", time=0.0, movement_id="PO-1")
        >>> inv.try_reserve("A-1", "WH-A", 4), inv.try_reserve("A-1", "WH-A", 4), inv.reserved("A-1", "WH-A")
        (True, False, 4.0)
        """
        if qty.__class__ is float and _MIN_QTY <= qty <= MAX_QTY and location not in _VIRTUAL:  # the common case
            units = round(qty * SCALE)  # to_units, at least one unit
        else:
            units = to_units(qty)
            if units <= 0 or is_virtual(location):
                self.reserve(sku, location, qty)  # raises with the reason
        key = (_RESERVED, sku, location)
        reserved = self._counters.get(key, 0)
        if units > self.ledgers._balance.get((_BOOK, sku, location), 0) - reserved:
            return False
        self._counters[key] = reserved + units
        return True

    def release(self, sku: str, location: str, qty: float) -> None:
        """Release ``qty`` of a reservation (the order shipped, was cancelled or re-allocated).

        >>> inv = Inventory()
        >>> inv.release("A-1", "WH-A", 1.0)
        Traceback (most recent call last):
        ...
        jxcsim.engine.errors.ReservationError: reserved of 'A-1' at 'WH-A' is 0, cannot release 1
        """
        if qty.__class__ is float and 0.0 < qty <= MAX_QTY and location not in _VIRTUAL:  # _change, its common case
            units = round(qty * SCALE)
            key = (_RESERVED, sku, location)
            have = self._counters.get(key, 0)
            if 0 < units <= have:
                self._counters[key] = have - units
                return
        self._change(_RESERVED, sku, location, qty, -1)  # the checks, and their errors

    def add_on_order(self, sku: str, location: str, qty: float) -> None:
        """Count ``qty`` ordered from a supplier for delivery to ``location``."""
        self._change(Commitment.ON_ORDER, sku, location, qty, +1)

    def remove_on_order(self, sku: str, location: str, qty: float) -> None:
        """Take ``qty`` off order (it arrived, or the order line was cancelled)."""
        self._change(Commitment.ON_ORDER, sku, location, qty, -1)

    def add_in_transit(self, sku: str, location: str, qty: float) -> None:
        """Count ``qty`` travelling to ``location`` (a transfer's out leg has left, or been posted: the
        caller's choice; the simulated world counts from the posting)."""
        self._change(Commitment.IN_TRANSIT, sku, location, qty, +1)

    def remove_in_transit(self, sku: str, location: str, qty: float) -> None:
        """Take ``qty`` out of transit to ``location`` (it arrived)."""
        self._change(Commitment.IN_TRANSIT, sku, location, qty, -1)

    def available(self, sku: str, location: str) -> float:
        """Available to promise, ``book - reserved`` (:attr:`StockPosition.available`, without the rest).

        >>> from jxcsim.engine import SUPPLIER
        >>> inv = Inventory()
        >>> _ = inv.ledgers.move_book("A-1", 10, SUPPLIER, "WH-A", time=0.0, movement_id="PO-1")
        >>> inv.reserve("A-1", "WH-A", 4); inv.add_on_order("A-1", "WH-A", 20)
        >>> inv.available("A-1", "WH-A"), inv.inventory_position("A-1", "WH-A")
        (6.0, 26.0)
        """
        book = self.ledgers._units_at((Ledger.BOOK, sku, location), None, None)
        return from_units(book - self._units(Commitment.RESERVED, sku, location))

    def inventory_position(self, sku: str, location: str) -> float:
        """``book - reserved + on_order + in_transit``: what a reorder policy compares with its reorder
        point (stock on its way from another location counts like stock on order)."""
        book = self.ledgers._units_at((Ledger.BOOK, sku, location), None, None)
        return from_units(book - self._units(Commitment.RESERVED, sku, location)
                          + self._units(Commitment.ON_ORDER, sku, location)
                          + self._units(Commitment.IN_TRANSIT, sku, location))

    def position(self, sku: str, location: str) -> StockPosition:
        """The current :class:`StockPosition` of (sku, location).

        >>> from jxcsim.engine import SUPPLIER
        >>> inv = Inventory()
        >>> _ = inv.ledgers.move_physical("A-1", 5, SUPPLIER, "WH-A", time=1.0, movement_id="PO-1")
        >>> p = inv.position("A-1", "WH-A")
        >>> p.physical, p.book, p.unposted_in, p.discrepancy
        (5.0, 0.0, 5.0, -5.0)
        """
        led = self.ledgers
        physical = to_units(led.balance(Ledger.PHYSICAL, sku, location))
        book = to_units(led.balance(Ledger.BOOK, sku, location))
        reserved = self._units(Commitment.RESERVED, sku, location)
        causes = led.discrepancy_by_cause(sku, location)
        return StockPosition(
            sku=sku, location=location,
            physical=from_units(physical), book=from_units(book), reserved=from_units(reserved),
            available=from_units(book - reserved),
            on_order=from_units(self._units(Commitment.ON_ORDER, sku, location)),
            in_transit=from_units(self._units(Commitment.IN_TRANSIT, sku, location)),
            unposted_in=-causes.get(Cause.UNPOSTED_RECEIPT, 0.0) + 0.0,
            unposted_out=causes.get(Cause.UNPOSTED_ISSUE, 0.0),
            discrepancy=led.discrepancy(sku, location),
            causes=MappingProxyType(causes),
        )
