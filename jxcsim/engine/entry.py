"""The records of the two ledgers: ledger kinds, discrepancy causes, locations and entries.

An :class:`Entry` is one leg of a double-entry move in one ledger. Entries are immutable and
the log only grows (:class:`EntryLog` is a read-only view); a cancellation is a new, reversing
entry. Times are floats in hours since the run's epoch.

>>> Ledger.BOOK.value, Cause.UNPOSTED_ISSUE.is_derived, is_virtual(SUPPLIER), is_virtual("WH-A")
('book', True, True, False)
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from enum import StrEnum
from typing import NamedTuple, overload


class Ledger(StrEnum):
    """Which ledger an entry belongs to: the shelf (``PHYSICAL``) or the system (``BOOK``).

    >>> [ledger.value for ledger in Ledger]
    ['physical', 'book']
    """

    PHYSICAL = "physical"
    BOOK = "book"


class Cause(StrEnum):
    """Why book and physical stock differ; a share of ``book - physical`` is attributed to each.

    *Explicit* causes are tagged on entries by whoever knows the truth (a simulator knows goods
    were stolen; a count adjustment knows it is one). *Derived* causes are never tagged: the
    engine reads them off the matching state of a movement (see :mod:`jxcsim.engine.ledger`).
    ``NONE`` on an entry means "an ordinary movement: derive the cause if it does not match".

    >>> sorted(c.value for c in Cause if not c.is_derived)
    ['count_adjustment', 'none', 'posting_error', 'shrinkage']
    """

    NONE = "none"
    # derived from the matching state of a movement
    UNPOSTED_ISSUE = "unposted_issue"
    UNPOSTED_RECEIPT = "unposted_receipt"
    LATE_POSTING = "late_posting"
    POSTED_NOT_MOVED = "posted_not_moved"
    EARLY_POSTING = "early_posting"
    # explicit: tagged on entries
    POSTING_ERROR = "posting_error"
    SHRINKAGE = "shrinkage"
    COUNT_ADJUSTMENT = "count_adjustment"

    @property
    def is_derived(self) -> bool:
        """True for causes the engine derives and an entry may not carry."""
        return self in _DERIVED


_DERIVED = frozenset({Cause.UNPOSTED_ISSUE, Cause.UNPOSTED_RECEIPT, Cause.LATE_POSTING,
                      Cause.POSTED_NOT_MOVED, Cause.EARLY_POSTING})


class VirtualLocation(StrEnum):
    """Locations outside the firm's shelves; their balances may go negative (a supplier supplies).

    With them every move is double-entry, so per SKU and ledger the balances over all locations
    sum to zero at all times.

    >>> SUPPLIER == "@supplier", str(LOSS)
    (True, '@loss')
    """

    SUPPLIER = "@supplier"
    CUSTOMER = "@customer"
    LOSS = "@loss"
    TRANSIT = "@transit"


SUPPLIER = VirtualLocation.SUPPLIER
CUSTOMER = VirtualLocation.CUSTOMER
LOSS = VirtualLocation.LOSS
TRANSIT = VirtualLocation.TRANSIT
_VIRTUAL = frozenset(v.value for v in VirtualLocation)


def is_virtual(location: str) -> bool:
    """True for :class:`VirtualLocation` ids (and the equal strings).

    >>> is_virtual("@loss"), is_virtual(TRANSIT), is_virtual("WH-B")
    (True, True, False)
    """
    return location in _VIRTUAL


class Entry(NamedTuple):
    """One leg of a move in one ledger; never changed after it is written (a named tuple).

    ``qty`` is signed (+ in, - out) and already rounded to the engine's quantum; ``location``
    is a plain string (a virtual location is stored as its value, e.g. ``"@customer"``).
    ``business_time`` is when the movement counts (goods moved / posting date); ``recorded_time``
    is when the ledger learned of it. ``movement_id`` is shared by a physical movement and its
    posting. ``other_leg`` is the id of the opposite leg of the same move, ``reverses`` the id of
    the entry this one cancels.

    >>> e = Entry(0, Ledger.PHYSICAL, "A-1", "WH-A", -5.0, 14.0, 14.0, "SO-1", other_leg=1)
    >>> e.is_reversal, e.cause
    (False, <Cause.NONE: 'none'>)
    """

    entry_id: int
    ledger: Ledger
    sku: str
    location: str
    qty: float
    business_time: float
    recorded_time: float
    movement_id: str
    other_leg: int
    cause: Cause = Cause.NONE
    reverses: int | None = None
    doc: str | None = None

    @property
    def is_reversal(self) -> bool:
        """True when this entry cancels an earlier one."""
        return self.reverses is not None


class EntryLog(Sequence[Entry]):
    """A read-only view of the append-only entry log (index = entry id).

    >>> log = EntryLog([])
    >>> len(log), hasattr(log, "append")
    (0, False)
    """

    __slots__ = ("_entries",)

    def __init__(self, entries: list[Entry]) -> None:
        self._entries = entries

    @overload
    def __getitem__(self, index: int) -> Entry: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Entry, ...]: ...

    def __getitem__(self, index: int | slice) -> Entry | tuple[Entry, ...]:
        if isinstance(index, slice):
            return tuple(self._entries[index])
        return self._entries[index]

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[Entry]:
        return iter(self._entries)

    def __repr__(self) -> str:
        return f"EntryLog({len(self._entries)} entries)"
