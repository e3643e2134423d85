"""Errors of the inventory engine: each names the offending SKU, location, entry or quantity.

>>> str(InsufficientStock("A-1", 3.0, 5.0, location="WH-A"))
"physical stock of 'A-1' at 'WH-A' is 3, cannot take out 5"
"""

from __future__ import annotations


class EngineError(Exception):
    """Base class of every error the engine raises on purpose."""


class InsufficientStock(EngineError, ValueError):
    """Taking ``requested`` out would leave less than zero; ``available`` is what could be taken.

    >>> err = InsufficientStock("A-1", 2.0, 7.5, what="costed stock")
    >>> err.available, err.requested, str(err)
    (2.0, 7.5, "costed stock of 'A-1' is 2, cannot take out 7.5")
    """

    def __init__(self, sku: str, available: float, requested: float, *, location: str | None = None,
                 what: str = "physical stock") -> None:
        self.sku = sku
        self.location = location
        self.available = available
        self.requested = requested
        where = "" if location is None else f" at {location!r}"
        super().__init__(f"{what} of {sku!r}{where} is {available:g}, cannot take out {requested:g}")


class ReversalError(EngineError, ValueError):
    """A reversal that the append-only log forbids (unknown, already reversed, or itself a reversal).

    >>> str(ReversalError(7, "it is itself a reversal of entry 3"))
    'cannot reverse entry 7: it is itself a reversal of entry 3'
    """

    def __init__(self, entry_id: int, reason: str) -> None:
        self.entry_id = entry_id
        super().__init__(f"cannot reverse entry {entry_id}: {reason}")


class CommitmentError(EngineError, ValueError):
    """A counter (reserved, on order, in transit) would go below zero or exceed what backs it.

    >>> str(CommitmentError("on order", "A-1", "WH-A", 2.0, 5.0))
    "on order of 'A-1' at 'WH-A' is 2, cannot remove 5"
    """

    def __init__(self, counter: str, sku: str, location: str, available: float, requested: float,
                 verb: str = "remove") -> None:
        self.counter = counter
        self.sku = sku
        self.location = location
        self.available = available
        self.requested = requested
        super().__init__(f"{counter} of {sku!r} at {location!r} is {available:g}, cannot {verb} {requested:g}")


class ReservationError(CommitmentError):
    """A reservation beyond available book stock, or a release beyond what is reserved.

    >>> str(ReservationError("available", "A-1", "WH-A", 4.0, 6.0, verb="reserve"))
    "available of 'A-1' at 'WH-A' is 4, cannot reserve 6"
    """


class InvariantViolation(EngineError, AssertionError):
    """An engine invariant (DESIGN.md §3) does not hold; the message says which and where."""
