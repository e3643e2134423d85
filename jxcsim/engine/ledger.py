"""Two ledgers per (SKU, location): what is on the shelf and what the system recorded.

:class:`Ledgers` keeps one append-only, bitemporal log of :class:`~jxcsim.engine.entry.Entry`
records for both ledgers. Every change is a double-entry *move* from one location to another,
so per SKU and ledger the balances over all locations, virtual ones included, sum to zero.
Physical stock at a real location never goes negative (:class:`InsufficientStock`); book stock
may, because in the field it does, and a negative book balance is a symptom we report.

**Discrepancy and its causes.** ``discrepancy = book - physical``. Entries are grouped by
*movement* (``movement_id``) at each (SKU, location); a group whose book and physical net
quantities differ contributes ``book_net - physical_net`` to one cause, so the causes always
sum to the discrepancy with zero residual (exactly: quantities are integer micro-units inside).
The cause is the group's first explicit tag if it has one, otherwise derived:

================================  ===================  ======================================
situation of a movement group     ``book - physical``  cause
================================  ===================  ======================================
issued, not posted                ``+q``               ``UNPOSTED_ISSUE``
received, not posted              ``-q``               ``UNPOSTED_RECEIPT``
...but a later posting is known   same                 ``LATE_POSTING`` (historical views)
posted, not moved                 ``-q`` / ``+q``      ``POSTED_NOT_MOVED`` (issue / receipt)
...but a later movement is known  same                 ``EARLY_POSTING`` (historical views)
both sides, quantities differ     book - physical      ``POSTING_ERROR``
tagged (e.g. shrinkage to LOSS)   book - physical      the tag (``SHRINKAGE`` gives ``+q``)
================================  ===================  ======================================

Signs are for the location the goods left or reached (``q > 0``); at the other leg's
location, e.g. ``CUSTOMER``, they flip, so per SKU the causes also sum to zero over all
locations. "Later ... is known" means: in a view ``as_of`` business time *t* and ``known_at``
*k*, an entry of the group was recorded by *k* but counts only after *t*. The current view has
nothing pending, so an issue is ``UNPOSTED_ISSUE`` until it is posted. Tag only movements that
are one-sided by nature (shrinkage, a count adjustment, a posting known to be wrong); leave
ordinary movements ``Cause.NONE`` and let the engine derive.

>>> led = Ledgers()
>>> _ = led.move_physical("A-1", 10, SUPPLIER, "WH-A", time=8.0, movement_id="PO-1")
>>> _ = led.move_book("A-1", 10, SUPPLIER, "WH-A", time=8.0, movement_id="PO-1")
>>> _ = led.move_physical("A-1", 4, "WH-A", CUSTOMER, time=14.0, movement_id="SO-1")
>>> led.balance(Ledger.PHYSICAL, "A-1", "WH-A"), led.balance(Ledger.BOOK, "A-1", "WH-A")
(6.0, 10.0)
>>> led.discrepancy_by_cause("A-1", "WH-A")
{<Cause.UNPOSTED_ISSUE: 'unposted_issue'>: 4.0}
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import partial
from itertools import chain, groupby

from .entry import (
    CUSTOMER, LOSS, SUPPLIER, TRANSIT, Cause, Entry, EntryLog, Ledger, VirtualLocation, is_virtual,
)
from .errors import InsufficientStock, InvariantViolation, ReversalError
from .quantity import SCALE, from_units, to_units

__all__ = [
    "CUSTOMER", "LOSS", "SUPPLIER", "TRANSIT", "Cause", "Entry", "EntryLog", "Ledger", "Ledgers",
    "VirtualLocation", "is_virtual",
]

Key = tuple[Ledger, str, str]
"""(ledger, sku, location)"""

_VIRTUAL = frozenset(str(v) for v in VirtualLocation)
_PHYSICAL, _NO_CAUSE = Ledger.PHYSICAL, Cause.NONE  # as globals: quicker to read than enum members
_entry = partial(tuple.__new__, Entry)  # an Entry from a tuple of all its fields (no keyword handling)


@dataclass(slots=True)
class _Group:
    """The entries of one movement at one (SKU, location), netted per ledger in micro-units."""

    physical: int = 0
    book: int = 0
    tag: Cause = Cause.NONE
    pending_physical: bool = False
    pending_book: bool = False

    def add(self, entry: Entry, units: int) -> None:
        if entry.ledger is Ledger.PHYSICAL:
            self.physical += units
        else:
            self.book += units
        if self.tag is Cause.NONE:
            self.tag = entry.cause

    def cause(self) -> Cause | None:
        """The cause of ``book - physical`` of this group (None when the two sides agree)."""
        if self.book == self.physical:
            return None
        if self.tag is not Cause.NONE:
            return self.tag
        if self.book == 0:
            if self.pending_book:
                return Cause.LATE_POSTING
            return Cause.UNPOSTED_ISSUE if self.physical < 0 else Cause.UNPOSTED_RECEIPT
        if self.physical == 0:
            return Cause.EARLY_POSTING if self.pending_physical else Cause.POSTED_NOT_MOVED
        if self.pending_book:
            return Cause.LATE_POSTING
        if self.pending_physical:
            return Cause.EARLY_POSTING
        return Cause.POSTING_ERROR


def _when(value: float | None) -> float:
    return math.inf if value is None else float(value)


def _check_time(name: str, value: float) -> float:
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number of hours, got {value!r}")
    return value


def _check_id(name: str, value: str) -> str:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return value


class Ledgers:
    """The physical and book ledgers of every (SKU, location), with cached balances.

    Write with :meth:`move` (or :meth:`move_physical` / :meth:`move_book`) and :meth:`reverse`;
    read with :meth:`balance`, :meth:`discrepancy`, :meth:`discrepancy_by_cause`,
    :meth:`unposted_movements` and :meth:`posting_delay`. Queries with ``as_of`` (business
    time) or ``known_at`` (recorded time) are answered from the entries; others from the cache.

    >>> led = Ledgers()
    >>> receipt = led.move_physical("A-1", 5, SUPPLIER, "WH-A", time=1.0, movement_id="PO-9")
    >>> [(e.location, e.qty) for e in receipt]
    [('@supplier', -5.0), ('WH-A', 5.0)]
    >>> led.total(Ledger.PHYSICAL, "A-1")
    0.0
    """

    def __init__(self) -> None:
        # kept as entries are written: the log as one record per move (_Move's fields: its two legs are
        # entries 2k and 2k + 1), balances, the latest physical business time
        self._moves: list[tuple] = []
        self._balance: dict[Key, int] = {}
        self._latest: dict[Key, float] = {}  # physical keys only (all _available needs)
        # the movement groups, kept as entries are written: per (sku, location) in order of first appearance,
        # each group of it by movement id, as a list [physical units, book units, tag] (cheap to make and
        # update; the open ones, book != physical, become _Group records when read). Only real locations
        # keep their groups live (every move has a real leg, so this is half the work); a virtual location
        # is registered here, in order, with an empty dict, and its causes are worked out from the entries.
        self._groups: dict[tuple[str, str], dict[str, list]] = {}
        # groups found settled (book == physical) by a read that scans the open ones (open_movements), moved out
        # of _groups so the next such read does not walk them again; a later entry of one brings it back
        self._settled: dict[tuple[str, str], dict[str, list]] = {}
        # the entries as Entry records and their micro-units, made from the moves by the first read (_sync)
        self._entries: list[Entry] = []
        self._units: list[int] = []
        # id lookups, brought up to date (_index_lookups) by the first read that needs them
        self._looked_up = 0  # entries folded into the id lookups so far
        self._by_key: dict[Key, list[int]] = {}
        self._by_movement: dict[str, list[int]] = {}
        self._reversed_by: dict[int, int] = {}

    # ------------------------------------------------------------------ writing

    def move(self, ledger: Ledger, sku: str, qty: float, src: str, dst: str, *, time: float,
             movement_id: str, cause: Cause = Cause.NONE, recorded_time: float | None = None,
             doc: str | None = None) -> tuple[Entry, Entry]:
        """Move ``qty`` > 0 of ``sku`` from ``src`` to ``dst`` in one ledger; return both legs.

        ``time`` is the business time; ``recorded_time`` (default ``time``) when the ledger
        learned of it; a book entry cannot be recorded before its business time. ``cause`` may
        only be an explicit cause (``Cause.is_derived`` is False). Raises
        :class:`InsufficientStock` (and writes nothing) if physical stock at a real ``src``
        would go negative at ``time`` or any later business time.

        >>> led = Ledgers()
        >>> out, into = led.move(Ledger.BOOK, "A-1", 2.5, "WH-A", CUSTOMER, time=3.0, movement_id="SO-2")
        >>> out.qty, into.qty, led.balance(Ledger.BOOK, "A-1", "WH-A")
        (-2.5, 2.5, -2.5)
        """
        if not isinstance(ledger, Ledger):
            raise TypeError(f"ledger must be a Ledger, got {ledger!r}")
        _check_id("sku", sku)
        _check_id("src", src)
        _check_id("dst", dst)
        _check_id("movement_id", movement_id)
        if src == dst:
            raise ValueError(f"a move needs two different locations, got {src!r} twice")
        units = to_units(qty)
        if units <= 0:
            raise ValueError(f"qty must be positive (after rounding to the quantum), got {qty!r}")
        cause = Cause(cause)
        if cause.is_derived:
            raise ValueError(f"{cause} is derived by the engine and cannot be tagged on an entry")
        business = _check_time("time", time)
        recorded = business if recorded_time is None else _check_time("recorded_time", recorded_time)
        if ledger is Ledger.BOOK and recorded < business:
            raise ValueError(f"a book entry cannot be recorded ({recorded:g}) before its business time ({business:g})")
        return self._write(ledger, sku, src, dst, units, business, recorded, movement_id, cause, None, doc)

    def move_trusted(self, ledger: Ledger, sku: str, qty: float, src: str, dst: str, time: float,
                     movement_id: str) -> None:
        """:meth:`move` without the argument checks, for a caller that guarantees them (the world).

        The caller guarantees what :meth:`move` would check: ``ledger`` a :class:`Ledger`;
        ``sku``, ``src``, ``dst`` (two different plain strings) and ``movement_id`` non-empty
        strings; ``qty`` a finite float > 0 of at most :data:`~jxcsim.engine.quantity.MAX_QTY`;
        ``time`` a finite float. The entries carry ``Cause.NONE``, no document, and are recorded
        at ``time``. Physical stock is still checked: :class:`InsufficientStock` (nothing written)
        if a real ``src`` would go negative.

        >>> led = Ledgers()
        >>> led.move_trusted(Ledger.PHYSICAL, "A-1", 5.0, "@supplier", "WH-A", 1.0, "PO-9")
        >>> led.balance(Ledger.PHYSICAL, "A-1", "WH-A"), led.entry(1).qty, led.discrepancy_by_cause("A-1", "WH-A")
        (5.0, 5.0, {<Cause.UNPOSTED_RECEIPT: 'unposted_receipt'>: -5.0})
        """
        units = round(qty * SCALE)
        balance = self._balance
        out_key, in_key = (ledger, sku, src), (ledger, sku, dst)
        if ledger is _PHYSICAL:
            latest = self._latest
            if src not in _VIRTUAL:
                have = (balance.get(out_key, 0) if time >= latest.get(out_key, -math.inf)
                        else self._available(sku, src, time))
                if have < units:
                    raise InsufficientStock(sku, from_units(have), from_units(units), location=src)
                if time > latest.get(out_key, -math.inf):  # only real locations are ever checked
                    latest[out_key] = time
            if dst not in _VIRTUAL and time > latest.get(in_key, -math.inf):
                latest[in_key] = time
        self._moves.append((ledger, sku, src, dst, units, time, time, movement_id, _NO_CAUSE, None, None))
        balance[out_key] = balance.get(out_key, 0) - units
        balance[in_key] = balance.get(in_key, 0) + units
        side = 0 if ledger is _PHYSICAL else 1
        self._fold(sku, src, movement_id, side, -units, _NO_CAUSE)
        self._fold(sku, dst, movement_id, side, units, _NO_CAUSE)

    def move_trusted_many(self, ledger: Ledger, moves: Iterable[tuple[str, float, str, str, str]],
                          time: float) -> None:
        """:meth:`move_trusted` of each ``(sku, qty, src, dst, movement_id)`` in turn, all in ``ledger``
        at ``time`` (a shipment's or a receipt's lines): the same entries, balances and errors (a
        refused move leaves the moves before it written).

        >>> led = Ledgers()
        >>> led.move_trusted_many(Ledger.PHYSICAL, [("A-1", 5.0, "@supplier", "WH-A", "PO-9/1"),
        ...                                         ("B-2", 2.0, "@supplier", "WH-A", "PO-9/2")], 1.0)
        >>> led.balance(Ledger.PHYSICAL, "B-2", "WH-A"), len(led)
        (2.0, 4)
        """
        balance, append, groups, latest, settled = (self._balance, self._moves.append, self._groups, self._latest,
                                                    self._settled)
        physical = ledger is _PHYSICAL
        side = 0 if physical else 1  # the group's physical or book units
        for sku, qty, src, dst, movement_id in moves:  # move_trusted's body, its lookups bound once
            units = round(qty * SCALE)
            out_key, in_key = (ledger, sku, src), (ledger, sku, dst)
            src_real, dst_real = src not in _VIRTUAL, dst not in _VIRTUAL
            out_units, in_units = balance.get(out_key), balance.get(in_key)  # None: the key's first entry
            if physical:
                if src_real:
                    last = latest.get(out_key, -math.inf)
                    have = (out_units or 0) if time >= last else self._available(sku, src, time)
                    if have < units:
                        raise InsufficientStock(sku, from_units(have), from_units(units), location=src)
                    if time > last:
                        latest[out_key] = time
                if dst_real and time > latest.get(in_key, -math.inf):
                    latest[in_key] = time
            append((ledger, sku, src, dst, units, time, time, movement_id, _NO_CAUSE, None, None))
            balance[out_key] = -units if out_units is None else out_units - units
            balance[in_key] = units if in_units is None else in_units + units
            # _fold of both legs, inline (no tag): the group at the source, then at the destination. A virtual
            # place is only registered (see _groups), which can first be needed at its key's first entry.
            if src_real:
                key = (sku, src)
                at_place = groups.get(key)
                if at_place is None:
                    at_place = groups[key] = {}
                group = at_place.get(movement_id)
                if group is not None:
                    group[side] -= units
                elif settled and movement_id in settled.get(key, ()):
                    group = at_place[movement_id] = settled[key].pop(movement_id)
                    group[side] -= units
                else:
                    at_place[movement_id] = [-units, 0, _NO_CAUSE] if physical else [0, -units, _NO_CAUSE]
            elif out_units is None and (sku, src) not in groups:
                groups[sku, src] = {}
            if dst_real:
                key = (sku, dst)
                at_place = groups.get(key)
                if at_place is None:
                    at_place = groups[key] = {}
                group = at_place.get(movement_id)
                if group is not None:
                    group[side] += units
                elif settled and movement_id in settled.get(key, ()):
                    group = at_place[movement_id] = settled[key].pop(movement_id)
                    group[side] += units
                else:
                    at_place[movement_id] = [units, 0, _NO_CAUSE] if physical else [0, units, _NO_CAUSE]
            elif in_units is None and (sku, dst) not in groups:
                groups[sku, dst] = {}

    def move_physical(self, sku: str, qty: float, src: str, dst: str, *, time: float,
                      movement_id: str, cause: Cause = Cause.NONE, recorded_time: float | None = None,
                      doc: str | None = None) -> tuple[Entry, Entry]:
        """Goods move on the shelf: :meth:`move` in the physical ledger.

        >>> led = Ledgers()
        >>> led.move_physical("A-1", 1, "WH-A", LOSS, time=0.0, movement_id="X")
        Traceback (most recent call last):
        ...
        jxcsim.engine.errors.InsufficientStock: physical stock of 'A-1' at 'WH-A' is 0, cannot take out 1
        """
        return self.move(Ledger.PHYSICAL, sku, qty, src, dst, time=time, movement_id=movement_id,
                         cause=cause, recorded_time=recorded_time, doc=doc)

    def move_book(self, sku: str, qty: float, src: str, dst: str, *, time: float,
                  movement_id: str, cause: Cause = Cause.NONE, recorded_time: float | None = None,
                  doc: str | None = None) -> tuple[Entry, Entry]:
        """The system posts a movement: :meth:`move` in the book ledger (may go negative).

        >>> led = Ledgers()
        >>> _ = led.move_book("A-1", 3, "WH-A", CUSTOMER, time=9.0, movement_id="SO-3", recorded_time=9.5)
        >>> led.balance(Ledger.BOOK, "A-1", "WH-A")
        -3.0
        """
        return self.move(Ledger.BOOK, sku, qty, src, dst, time=time, movement_id=movement_id,
                         cause=cause, recorded_time=recorded_time, doc=doc)

    def reverse(self, entry_id: int, *, time: float, recorded_time: float | None = None,
                doc: str | None = None) -> tuple[Entry, Entry]:
        """Cancel the move that ``entry_id`` is a leg of, by writing its two opposite legs.

        The reversing legs keep the ledger, movement id, cause and (unless ``doc`` is given)
        document of the original. Backdating ``time`` to the original's business time with a
        later ``recorded_time`` says "it never happened" as seen from now, while views known
        before ``recorded_time`` still show it. Raises :class:`ReversalError` for an unknown
        entry, a reversal, or a move already reversed.

        >>> led = Ledgers()
        >>> out, _ = led.move_book("A-1", 3, SUPPLIER, "WH-A", time=1.0, movement_id="PO-1")
        >>> _ = led.reverse(out.entry_id, time=2.0)
        >>> led.balance(Ledger.BOOK, "A-1", "WH-A"), led.balance(Ledger.BOOK, "A-1", "WH-A", as_of=1.5)
        (0.0, 3.0)
        >>> led.reverse(out.entry_id, time=3.0)
        Traceback (most recent call last):
        ...
        jxcsim.engine.errors.ReversalError: cannot reverse entry 0: it was already reversed by entry 2
        """
        if not isinstance(entry_id, int) or not 0 <= entry_id < len(self):
            raise ReversalError(entry_id, "no such entry")
        self._sync()
        original = self._entries[entry_id]
        if original.reverses is not None:
            raise ReversalError(entry_id, f"it is itself a reversal of entry {original.reverses}")
        first, second = sorted((original, self._entries[original.other_leg]), key=lambda e: e.entry_id)
        self._index_lookups()
        if first.entry_id in self._reversed_by:
            raise ReversalError(entry_id, f"it was already reversed by entry {self._reversed_by[first.entry_id]}")
        business = _check_time("time", time)
        recorded = business if recorded_time is None else _check_time("recorded_time", recorded_time)
        if recorded < original.recorded_time:
            raise ReversalError(entry_id, f"recorded_time {recorded:g} is before the entry was recorded "
                                          f"({original.recorded_time:g})")
        if original.ledger is Ledger.BOOK and recorded < business:
            raise ValueError(f"a book entry cannot be recorded ({recorded:g}) before its business time ({business:g})")
        move = first.entry_id >> 1  # the move's legs are entries 2 * move and 2 * move + 1
        return self._write(original.ledger, original.sku, first.location, second.location, -self._moves[move][4],
                           business, recorded, original.movement_id, original.cause, move,
                           original.doc if doc is None else doc)

    def _write(self, ledger: Ledger, sku: str, src: str, dst: str, units: int, business: float, recorded: float,
               movement_id: str, cause: Cause, reverses: int | None, doc: str | None) -> tuple[Entry, Entry]:
        """Check both legs (``-units`` at ``src``, ``units`` at ``dst``; a reversal's ``units`` are negative),
        then write the move (``reverses``: the move it reverses); nothing is written if a check fails."""
        sku, legs = str(sku), ((str(src), -units), (str(dst), units))
        if ledger is Ledger.PHYSICAL:
            for location, change in legs:
                if change < 0 and not is_virtual(location):
                    available = self._available(sku, location, business)
                    if available + change < 0:
                        raise InsufficientStock(sku, from_units(available), from_units(-change), location=location)
        self._moves.append((ledger, sku, legs[0][0], legs[1][0], units, business, recorded, movement_id, cause,
                            reverses, doc))
        side = 0 if ledger is Ledger.PHYSICAL else 1
        for location, change in legs:
            key = (ledger, sku, location)
            self._balance[key] = self._balance.get(key, 0) + change
            if side == 0 and business > self._latest.get(key, -math.inf):
                self._latest[key] = business
            self._fold(sku, location, movement_id, side, change, cause)
        return self._legs(len(self._moves) - 1)

    def _legs(self, k: int) -> tuple[Entry, Entry]:
        """The two entries of move ``k`` (ids ``2k``: the leg out of its source, ``2k + 1``: into its destination)."""
        ledger, sku, src, dst, units, business, recorded, movement_id, cause, reverses, doc = self._moves[k]
        first = 2 * k
        return (_entry((first, ledger, sku, src, -units / SCALE, business, recorded, movement_id, first + 1, cause,
                        None if reverses is None else 2 * reverses, doc)),
                _entry((first + 1, ledger, sku, dst, units / SCALE, business, recorded, movement_id, first, cause,
                        None if reverses is None else 2 * reverses + 1, doc)))

    def _sync(self) -> None:
        """Bring the entries (Entry records, their micro-units) up to date with the moves written since."""
        entries, moves = self._entries, self._moves
        done = len(entries) >> 1
        if done == len(moves):
            return
        legs = self._legs
        for k in range(done, len(moves)):
            entries.extend(legs(k))
        self._units.extend(chain.from_iterable((-move[4], move[4]) for move in moves[done:]))

    def _fold(self, sku: str, location: str, movement_id: str, side: int, units: int, cause: Cause) -> None:
        """Add ``units`` of one entry to its movement group at (sku, location) (``side`` 0: physical, 1: book);
        the group's tag is its first explicit cause."""
        key = (sku, location)
        at_place = self._groups.get(key)
        if at_place is None:
            at_place = self._groups[key] = {}
        if location in _VIRTUAL:
            return  # registered only: a virtual location's groups are made from the entries when read
        group = at_place.get(movement_id)
        if group is None and self._settled and movement_id in self._settled.get(key, ()):
            group = at_place[movement_id] = self._settled[key].pop(movement_id)  # settled before: reopened
        if group is None:
            at_place[movement_id] = group = [0, 0, cause]
        elif group[2] is _NO_CAUSE:
            group[2] = cause
        group[side] += units

    def _index_lookups(self) -> None:
        """Fold the entries written since the last call into the id lookups (per key, per movement,
        reversals): what bitemporal views, :meth:`movement`, :meth:`reverse` and backdated checks read."""
        if self._looked_up == len(self):
            return
        self._sync()
        entries, start = self._entries, self._looked_up
        by_key, by_movement, reversed_by = self._by_key, self._by_movement, self._reversed_by
        for i in range(start, len(entries)):
            _, ledger, sku, location, _, _, _, movement_id, _, _, reverses, _ = entries[i]
            ids = by_key.get(key := (ledger, sku, location))
            if ids is None:
                by_key[key] = [i]
            else:
                ids.append(i)
            ids = by_movement.get(movement_id)
            if ids is None:
                by_movement[movement_id] = [i]
            else:
                ids.append(i)
            if reverses is not None:
                reversed_by[reverses] = i
        self._looked_up = len(entries)

    def _available(self, sku: str, location: str, time: float) -> int:
        """Micro-units that can leave ``location`` at ``time`` without a negative balance then or later."""
        key = (Ledger.PHYSICAL, sku, location)
        if time >= self._latest.get(key, -math.inf):
            return self._balance.get(key, 0)
        self._index_lookups()
        points = sorted((self._entries[i].business_time, self._units[i]) for i in self._by_key[key])
        running = sum(units for when, units in points if when <= time)
        lowest = running
        for _, same_time in groupby((p for p in points if p[0] > time), key=lambda p: p[0]):
            running += sum(units for _, units in same_time)
            lowest = min(lowest, running)
        return lowest

    # ------------------------------------------------------------------ reading

    @property
    def entries(self) -> EntryLog:
        """The append-only log, both ledgers, in writing order (index = entry id)."""
        self._sync()
        return EntryLog(self._entries)

    def __len__(self) -> int:
        return 2 * len(self._moves)

    def columns(self) -> dict[str, list]:
        """Every entry's fields as columns named as :class:`Entry`'s, in entry order (for a table: quicker
        than reading the entries one by one).

        >>> led = Ledgers()
        >>> _ = led.move_physical("A-1", 5, SUPPLIER, "WH-A", time=1.0, movement_id="PO-9")
        >>> cols = led.columns()
        >>> cols["location"], cols["qty"], cols["other_leg"]
        (['@supplier', 'WH-A'], [-5.0, 5.0], [1, 0])
        """
        moves = self._moves
        if not moves:
            return {name: [] for name in Entry._fields}
        ledger, sku, src, dst, units, business, recorded, movement_id, cause, reverses, doc = map(list, zip(*moves, strict=True))

        def both(values: list) -> list:  # a move's value on both of its legs
            return list(chain.from_iterable(zip(values, values, strict=True)))

        def legs(out: Iterable, into: Iterable) -> list:
            return list(chain.from_iterable(zip(out, into, strict=True)))

        ids = range(2 * len(moves))
        return {"entry_id": list(ids), "ledger": both(ledger), "sku": both(sku), "location": legs(src, dst),
                "qty": legs((-u / SCALE for u in units), (u / SCALE for u in units)),
                "business_time": both(business), "recorded_time": both(recorded), "movement_id": both(movement_id),
                "other_leg": [i ^ 1 for i in ids], "cause": both(cause),
                "reverses": legs((None if r is None else 2 * r for r in reverses),
                                 (None if r is None else 2 * r + 1 for r in reverses)),
                "doc": both(doc)}

    def entry(self, entry_id: int) -> Entry:
        """The entry with this id."""
        self._sync()
        return self._entries[entry_id]

    def movement(self, movement_id: str) -> tuple[Entry, ...]:
        """Every entry (both ledgers, all legs) carrying ``movement_id``, in writing order."""
        self._index_lookups()
        return tuple(self._entries[i] for i in self._by_movement.get(movement_id, ()))

    def skus(self) -> list[str]:
        """SKUs with at least one entry, in order of first appearance."""
        return list(dict.fromkeys(sku for sku, _ in self._groups))

    def locations(self, sku: str) -> list[str]:
        """Locations (virtual ones included) where ``sku`` has entries, in order of first appearance."""
        return [location for s, location in self._groups if s == sku]

    def balance(self, ledger: Ledger, sku: str, location: str, *, as_of: float | None = None,
                known_at: float | None = None) -> float:
        """Stock in ``ledger`` from entries with business time <= ``as_of`` and recorded time <= ``known_at``.

        >>> led = Ledgers()
        >>> _ = led.move_book("A-1", 4, SUPPLIER, "WH-A", time=10.0, movement_id="PO-1", recorded_time=30.0)
        >>> [led.balance(Ledger.BOOK, "A-1", "WH-A", as_of=12.0, known_at=k) for k in (20.0, 30.0)]
        [0.0, 4.0]
        """
        if as_of is None and known_at is None:
            return self._balance.get((ledger, sku, location), 0) / SCALE
        return from_units(self._units_at((ledger, sku, location), as_of, known_at))

    def _units_at(self, key: Key, as_of: float | None, known_at: float | None) -> int:
        if as_of is None and known_at is None:
            return self._balance.get(key, 0)
        self._index_lookups()
        t, k = _when(as_of), _when(known_at)
        return sum(self._units[i] for i in self._by_key.get(key, ())
                   if self._entries[i].business_time <= t and self._entries[i].recorded_time <= k)

    def balances(self) -> dict[Key, float]:
        """The cached balance of every (ledger, sku, location) that has entries."""
        return {key: from_units(units) for key, units in self._balance.items()}

    def rebuild(self) -> dict[Key, float]:
        """Balances recomputed from the entries alone; always equal to :meth:`balances`.

        >>> led = Ledgers()
        >>> _ = led.move_physical("A-1", 0.1, SUPPLIER, "WH-A", time=0.0, movement_id="M")
        >>> led.rebuild() == led.balances()
        True
        """
        totals: dict[Key, int] = {}
        self._sync()
        for entry in self._entries:
            key = (entry.ledger, entry.sku, entry.location)
            totals[key] = totals.get(key, 0) + to_units(entry.qty)
        return {key: from_units(units) for key, units in totals.items()}

    def total(self, ledger: Ledger, sku: str, *, as_of: float | None = None, known_at: float | None = None) -> float:
        """Sum of ``sku`` over all locations, virtual ones included: zero by double entry."""
        return from_units(sum(self._units_at((ledger, sku, location), as_of, known_at)
                              for location in self.locations(sku)))

    def discrepancy(self, sku: str, location: str, *, as_of: float | None = None,
                    known_at: float | None = None) -> float:
        """``book - physical`` at (sku, location); positive when the system shows more than the shelf."""
        book = self._units_at((Ledger.BOOK, sku, location), as_of, known_at)
        physical = self._units_at((Ledger.PHYSICAL, sku, location), as_of, known_at)
        return from_units(book - physical)

    def discrepancy_by_cause(self, sku: str, location: str, *, as_of: float | None = None,
                             known_at: float | None = None) -> dict[Cause, float]:
        """``book - physical`` split by cause (non-zero causes only, in :class:`Cause` order).

        The values sum to :meth:`discrepancy` with zero residual; see the module docstring for
        how causes are assigned and their signs.

        >>> led = Ledgers()
        >>> _ = led.move_physical("A-1", 5, SUPPLIER, "WH-A", time=16.0, movement_id="PO-1")
        >>> _ = led.move_book("A-1", 5, SUPPLIER, "WH-A", time=81.0, movement_id="PO-1")
        >>> led.discrepancy_by_cause("A-1", "WH-A", as_of=40.0, known_at=40.0)
        {<Cause.UNPOSTED_RECEIPT: 'unposted_receipt'>: -5.0}
        >>> led.discrepancy_by_cause("A-1", "WH-A", as_of=40.0)
        {<Cause.LATE_POSTING: 'late_posting'>: -5.0}
        >>> led.discrepancy_by_cause("A-1", "WH-A")
        {}
        """
        return {cause: from_units(units) for cause, units in self._cause_units(sku, location, as_of, known_at).items()}

    def open_movements(self, sku: str, location: str) -> dict[str, tuple[float, float]]:
        """``(physical, book)`` net quantities of each untagged movement at (``sku``, real ``location``) whose
        two sides differ now (goods moved and not posted, or the reverse), in order of first appearance (a
        movement this read found settled and a later entry reopened comes after those open throughout).

        A count reads it: goods whose issue is posted but which have not left (``(0, -q)``: staged
        on the dock) are set aside, and the review tells what the movements in flight at the count
        settled since (see :mod:`jxcsim.world.counts` and :meth:`.StockCount.reconcile`).

        >>> led = Ledgers()
        >>> _ = led.move_physical("A-1", 9, SUPPLIER, "WH-A", time=1.0, movement_id="PO-1")   # not posted yet
        >>> _ = led.move_book("A-1", 2, "WH-A", CUSTOMER, time=2.0, movement_id="SO-1/1")   # posted, still here
        >>> led.open_movements("A-1", "WH-A")
        {'PO-1': (9.0, 0.0), 'SO-1/1': (0.0, -2.0)}

        Each read sets the settled movements aside, so the next one walks only what is new or still open (a
        monthly count of every SKU no longer walks the year's movements each time); a later entry of a set
        aside movement continues it where it was:

        >>> _ = led.move_book("A-1", 9, SUPPLIER, "WH-A", time=3.0, movement_id="PO-1")   # posted: settled
        >>> led.open_movements("A-1", "WH-A")
        {'SO-1/1': (0.0, -2.0)}
        >>> _ = led.move_book("A-1", 4, "WH-A", SUPPLIER, time=4.0, movement_id="PO-1")   # 4 posted back
        >>> led.open_movements("A-1", "WH-A")
        {'SO-1/1': (0.0, -2.0), 'PO-1': (9.0, 5.0)}
        """
        key = (sku, location)
        live = self._groups.get(key)
        if not live or location in _VIRTUAL:
            return {}
        open_ones, closed = {}, []
        for movement_id, group in live.items():
            physical, book, tag = group
            if physical == book:
                closed.append(movement_id)
            elif tag is _NO_CAUSE:
                open_ones[movement_id] = (from_units(physical), from_units(book))
        if closed:
            store = self._settled.setdefault(key, {})
            for movement_id in closed:
                store[movement_id] = live.pop(movement_id)
        return open_ones

    def _cause_units(self, sku: str, location: str, as_of: float | None, known_at: float | None) -> dict[Cause, int]:
        totals: dict[Cause, int] = {}
        for group in self._groups_at(sku, location, as_of, known_at).values():
            cause = group.cause()
            if cause is not None:
                totals[cause] = totals.get(cause, 0) + group.book - group.physical
        return {cause: totals[cause] for cause in Cause if totals.get(cause)}

    def _groups_at(self, sku: str, location: str, as_of: float | None, known_at: float | None) -> dict[str, _Group]:
        """Movement groups at (sku, location): the live open ones, or rebuilt for a bitemporal view (and for
        a virtual location, whose current groups are rebuilt too: the view of everything, as of now)."""
        if as_of is None and known_at is None and location not in _VIRTUAL:
            return {m: _Group(physical, book, tag) for m, (physical, book, tag)
                    in self._groups.get((sku, location), {}).items() if physical != book}
        self._index_lookups()
        t, k = _when(as_of), _when(known_at)
        ids = heapq.merge(self._by_key.get((Ledger.PHYSICAL, sku, location), ()),
                          self._by_key.get((Ledger.BOOK, sku, location), ()))
        groups: dict[str, _Group] = {}
        for i in ids:
            entry = self._entries[i]
            if entry.recorded_time > k:
                continue
            group = groups.setdefault(entry.movement_id, _Group())
            if entry.business_time <= t:
                group.add(entry, self._units[i])
            elif entry.ledger is Ledger.PHYSICAL:
                group.pending_physical = True
            else:
                group.pending_book = True
        return groups

    def unposted_movements(self, as_of: float | None = None) -> list[Entry]:
        """Physical legs at real locations whose movement has no (net) posting there yet.

        "Yet" means as the system could have known it at ``as_of`` (business and recorded time
        both <= ``as_of``); the default is now. Legs that are reversed, or reversals, are left out.

        >>> led = Ledgers()
        >>> _ = led.move_physical("A-1", 5, SUPPLIER, "WH-A", time=1.0, movement_id="PO-1")
        >>> [(e.movement_id, e.location, e.qty) for e in led.unposted_movements()]
        [('PO-1', 'WH-A', 5.0)]
        """
        self._index_lookups()
        t = _when(as_of)
        entries = self._entries
        found: list[int] = []
        for sku, location in self._groups:
            if is_virtual(location):
                continue
            for movement_id, group in self._groups_at(sku, location, as_of, as_of).items():
                if group.cause() not in (Cause.UNPOSTED_ISSUE, Cause.UNPOSTED_RECEIPT):
                    continue
                ids = [i for i in self._by_movement[movement_id]  # the group's entries, as the view sees them
                       if entries[i].sku == sku and entries[i].location == location
                       and entries[i].business_time <= t and entries[i].recorded_time <= t]
                seen = set(ids)
                found.extend(i for i in ids if entries[i].ledger is Ledger.PHYSICAL and entries[i].reverses is None
                             and self._reversed_by.get(i) not in seen)
        return [entries[i] for i in sorted(found)]

    def posting_delay(self, movement_id: str) -> float | None:
        """Hours from the goods moving to the posting being recorded (negative: posted first).

        Measured from the earliest physical business time to the earliest book recorded time of
        the movement (reversals ignored); None while either side is missing.

        >>> led = Ledgers()
        >>> _ = led.move_physical("A-1", 5, SUPPLIER, "WH-A", time=14.0, movement_id="SO-1")
        >>> _ = led.move_book("A-1", 5, SUPPLIER, "WH-A", time=14.0, movement_id="SO-1", recorded_time=18.0)
        >>> led.posting_delay("SO-1")
        4.0
        """
        self._index_lookups()
        if movement_id not in self._by_movement:
            raise KeyError(f"no movement {movement_id!r}")
        entries = [e for e in self.movement(movement_id) if e.reverses is None]
        moved = [e.business_time for e in entries if e.ledger is Ledger.PHYSICAL]
        posted = [e.recorded_time for e in entries if e.ledger is Ledger.BOOK]
        if not moved or not posted:
            return None
        return min(posted) - min(moved)

    # ------------------------------------------------------------------ invariants

    def check_invariants(self) -> None:
        """Raise :class:`InvariantViolation` unless every ledger invariant of DESIGN.md §3 holds.

        Cache == rebuild; per SKU and ledger the balances sum to zero; physical stock at real
        locations is not negative; per (sku, location) the causes sum to book - physical, and
        the live cause index agrees with a full recomputation.

        >>> Ledgers().check_invariants()
        """
        if self.rebuild() != self.balances():
            raise InvariantViolation("cached balances differ from a rebuild from the entries")
        for sku in self.skus():
            for ledger in Ledger:
                total = sum(self._balance.get((ledger, sku, loc), 0) for loc in self.locations(sku))
                if total != 0:
                    raise InvariantViolation(f"{ledger} quantity of {sku!r} is not conserved: {from_units(total):g}")
        for (ledger, sku, location), units in self._balance.items():
            if ledger is Ledger.PHYSICAL and units < 0 and not is_virtual(location):
                raise InvariantViolation(f"physical stock of {sku!r} at {location!r} is {from_units(units):g}")
        for sku, location in self._groups:
            book = self._balance.get((Ledger.BOOK, sku, location), 0)
            gap = book - self._balance.get((Ledger.PHYSICAL, sku, location), 0)
            live = self._cause_units(sku, location, None, None)
            if sum(live.values()) != gap:
                raise InvariantViolation(f"causes of {sku!r} at {location!r} leave a residual")
            if live != self._cause_units(sku, location, math.inf, math.inf):
                raise InvariantViolation(f"live cause index of {sku!r} at {location!r} differs from a recomputation")

