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


def _name(value: object) -> str:
    """An enum member by its name (``PICKED``), anything else as itself."""
    return str(getattr(value, "name", value))


class IllegalTransition(EngineError, ValueError):
    """A document was asked for a step its state machine does not allow; the document is unchanged.

    Names the document, the line (when the step is per line), the current state and the one
    attempted, and why.

    >>> err = IllegalTransition("sales order 'SO-1'", "PICKED", "BACKORDERED", line=2, reason="nothing allocated")
    >>> str(err)
    "sales order 'SO-1' line 2: cannot go from BACKORDERED to PICKED: nothing allocated"
    >>> err.line, err.state, err.attempted
    (2, 'BACKORDERED', 'PICKED')
    """

    def __init__(self, document: str, attempted: object, state: object, *, line: int | None = None,
                 reason: str | None = None) -> None:
        self.document = document
        self.line = line
        self.state = _name(state)
        self.attempted = _name(attempted)
        self.reason = reason
        where = document if line is None else f"{document} line {line}"
        why = "" if reason is None else f": {reason}"
        super().__init__(f"{where}: cannot go from {self.state} to {self.attempted}{why}")


class BackdatedTransition(IllegalTransition):
    """A step dated before an earlier step it must follow (same line, or the document itself).

    >>> str(BackdatedTransition("sales order 'SO-1'", "PICKED", "ALLOCATED", time=9.0, previous=12.0, line=1))
    "sales order 'SO-1' line 1: cannot go from ALLOCATED to PICKED: at 9 h, before the previous step at 12 h"
    """

    def __init__(self, document: str, attempted: object, state: object, *, time: float, previous: float,
                 line: int | None = None) -> None:
        self.time = time
        self.previous = previous
        super().__init__(document, attempted, state, line=line,
                         reason=f"at {time:g} h, before the previous step at {previous:g} h")
