"""The world's event log, written as the world runs: one row per activity instance.

Rows use the log's own activity names (``Scenario.activity_names``); the semantics live in the
profile written beside the log, so a simulated log reads back exactly like a foreign one.

>>> from jxcsim.world.scenario import ActivityNames
>>> rec = EventRecorder(ActivityNames(), epoch_local="2025-01-06", timezone="Asia/Shanghai")
>>> rec.add("SO-1", "physical_issue", 14.0, resource="Liu", location="WH-A", sku="S1", qty=5, line=1)
>>> f = rec.frame()
>>> f["concept:name"][0], str(f["time:timestamp"][0])
('Load truck', '2025-01-06 06:00:00+00:00')
"""

from __future__ import annotations

import math
from itertools import repeat
from typing import Any

import numpy as np
import pandas as pd

from ..eventlog.profile import LogProfile
from ..eventlog.schema import (
    ACTIVITY,
    BOOK,
    CASE,
    COUNTED,
    RESOURCE,
    START,
    TIMESTAMP,
    Semantic,
)
from .scenario import ActivityNames

FIELDS = ("case", "semantic", "time", "start", "resource", "location", "sku", "qty", "line", "doc_type",
          "customer", "supplier", "amount", "price", "counted", "book", "delivery")
COLUMNS = {"case": CASE, "activity": ACTIVITY, "time": TIMESTAMP, "start": START, "resource": RESOURCE,
           "location": "location", "sku": "sku", "qty": "qty", "line": "line", "doc_type": "doc_type",
           "customer": "customer", "supplier": "supplier", "amount": "amount", "price": "price",
           "counted": COUNTED, "book": BOOK, "delivery": "delivery"}
_AT = {name: i for i, name in enumerate(FIELDS)}
_WIDTH = len(FIELDS)
_MIN_ROOM = 4096  # rows the store first makes room for
_KEEP_FROM = 1 << 16  # values a seal takes from which the list keeps its room for the next rows (see seal)
_ORDER = ("case", "activity", *FIELDS[1:])  # the frame's columns (before renaming)
_TEXT = tuple(name for name in _ORDER if name not in {"semantic", "time", "start", "qty", "line", "amount", "price",
                                                      "counted", "book"})  # "activity" in the semantic's place
_NUMBERS = ("qty", "amount", "price", "counted", "book")
_TEXT_AT = [_AT["semantic" if name == "activity" else name] for name in _TEXT] + [_AT["semantic"]]
_NUMBERS_AT = [_AT[name] for name in _NUMBERS]
_STAMPS = ("time", "start")
_NAT = np.datetime64("NaT").astype(np.int64)


class _Columns:
    """The sealed rows as the frame's columns, with room for more rows (grown by doubling).

    ``text``: objects, (len(_TEXT) + 1, capacity): the text columns (``_TEXT``), then the
    semantic; ``numbers``: float64, (len(_NUMBERS), capacity); ``stamps``: int64 nanoseconds
    UTC (NaT as numpy's), (len(_STAMPS), capacity); ``line``: int64 (0 where missing) and
    ``no_line``: bool, (capacity,).
    """

    __slots__ = ("line", "no_line", "numbers", "stamps", "text")

    def __init__(self, capacity: int):
        self.text = np.empty((len(_TEXT) + 1, capacity), dtype=object)
        self.numbers = np.empty((len(_NUMBERS), capacity))
        self.stamps = np.empty((len(_STAMPS), capacity), dtype=np.int64)
        self.line = np.empty(capacity, dtype=np.int64)
        self.no_line = np.empty(capacity, dtype=bool)

    @property
    def capacity(self) -> int:
        return self.line.shape[0]

    def grown(self, capacity: int, used: int) -> _Columns:
        """A store of ``capacity`` rows holding this one's first ``used``."""
        bigger = _Columns(capacity)
        for name in self.__slots__:
            getattr(bigger, name)[..., :used] = getattr(self, name)[..., :used]
        return bigger


class EventRecorder:
    """Collects events as plain values (cheap while the world runs) and builds the frame once.

    Rows are kept back to back in one flat list, ``len(FIELDS)`` values each (a row's tuple is
    copied in and dropped at once), so :meth:`seal` takes each column as a slice of it.
    :meth:`seal` turns the rows recorded so far into columns (kept with room to grow; see
    :meth:`reserve`); a long run calls it at quiet moments (the world does, once a simulated
    week) so the rows are converted while they are fresh in memory and then dropped;
    :meth:`frame` seals the rest and gives the columns as a frame, without copying them.
    """

    def __init__(self, names: ActivityNames, *, epoch_local: str, timezone: str):
        self.names = names
        self.epoch = pd.Timestamp(epoch_local).tz_localize(timezone, ambiguous=False, nonexistent="shift_forward")
        self.timezone = timezone
        self._values: list[Any] = []  # the rows not yet sealed, back to back (len(FIELDS) values a row)
        self._skip = 0  # placeholders at the front of _values, which keep its room (see seal)
        self._columns = _Columns(0)  # the sealed rows, as columns
        self._sealed = 0  # rows already sealed
        self._semantics = frozenset(names.model_dump())
        self._activity = names.model_dump().__getitem__  # semantic -> the log's activity name
        # record a row given as a tuple of all FIELDS in order (for hot callers; else add()); a row of
        # another length is refused by the next seal(), naming the row
        self.append_row = self._values.extend

    def __len__(self) -> int:
        return self._sealed + (len(self._values) - self._skip) // _WIDTH

    def add(self, case: str, semantic: str, time: float, *, start: float = math.nan, resource: str | None = None,
            location: str | None = None, sku: str | None = None, qty: float = math.nan, line: int | None = None,
            doc_type: str | None = None, customer: str | None = None, supplier: str | None = None,
            amount: float = math.nan, price: float = math.nan, counted: float = math.nan,
            book: float = math.nan, delivery: str | None = None) -> None:
        """Record one activity instance at world time ``time`` (hours since the epoch)."""
        self._values.extend((case, semantic, time, start, resource, location, sku, qty, line, doc_type, customer,
                             supplier, amount, price, counted, book, delivery))

    def seal(self) -> None:
        """Turn the rows recorded since the last call into columns and drop them (ValueError, naming
        the row, when a row recorded did not have every field of ``FIELDS``).

        Once a seal takes many rows, the list keeps room for as many again: placeholders at its
        front, as many as the room after them (a list whose length stays at half its room or more
        keeps it), so the next rows are appended without the list being copied as it grows.
        """
        values, skip = self._values, self._skip
        n, rest = divmod(len(values) - skip, _WIDTH)
        semantics = values[skip + 1::_WIDTH]  # each row's semantic, if every row has all the fields
        if rest or not self._semantics.issuperset(semantics):
            self._refuse_misaligned()
        if not n:
            return
        self.reserve(self._sealed + n)
        store, done = self._columns, slice(self._sealed, self._sealed + n)
        # element by element (np.fromiter does not inspect each value as np.array would; None -> NaN)
        for k, i in enumerate(_TEXT_AT):
            store.text[k, done] = np.fromiter(map(self._activity, semantics) if k == 1 else values[skip + i::_WIDTH],
                                              dtype=object, count=n)
        for k, i in enumerate(_NUMBERS_AT):
            store.numbers[k, done] = np.fromiter(values[skip + i::_WIDTH], dtype=float, count=n)
        for k, name in enumerate(_STAMPS):
            store.stamps[k, done] = self._utc(np.fromiter(values[skip + _AT[name]::_WIDTH], dtype=float,
                                                          count=n)).asi8
        line = np.fromiter(values[skip + _AT["line"]::_WIDTH], dtype=float, count=n)
        no_line = np.isnan(line)
        line[no_line] = 0.0
        store.line[done], store.no_line[done] = line, no_line
        self._sealed += n
        del values[skip:]  # the same list: append_row stays bound to it
        taken = n * _WIDTH
        if taken >= _KEEP_FROM and taken > skip:  # room for a quarter more next time, kept as the list empties
            more = (taken + taken // 4 + 1) & ~1  # even: twice it is the list's whole room
            values.extend(repeat(None, more - skip))  # placeholders ...
            values.extend(repeat(None, more))  # ... and the room after them (allocated at once: exactly)
            del values[more:]
            self._skip = more

    def reserve(self, rows: int) -> None:
        """Make room for ``rows`` sealed rows in all (a hint: a run that knows its size saves the copies
        of growing; growing doubles the room, so a wrong hint costs at most one copy more)."""
        store = self._columns
        if rows > store.capacity:
            self._columns = store.grown(max(rows, 2 * store.capacity, _MIN_ROOM), self._sealed)

    def _refuse_misaligned(self) -> None:
        """Raise ValueError naming the first unsealed row that is not a row of all ``FIELDS``.

        A row with fields missing or extra shifts the rows after it, so the first row whose
        semantic is not one of the log's (or a short last row) is at or just after the bad one.
        """
        values, skip = self._values, self._skip
        for k in range(skip, len(values), _WIDTH):
            row = tuple(values[k:k + _WIDTH])
            if len(row) < _WIDTH or row[1] not in self._semantics:
                raise ValueError(f"log row {self._sealed + (k - skip) // _WIDTH} is not a row of the {_WIDTH} fields "
                                 f"{FIELDS} (it or a row just before it has fields missing or extra): {row!r}")

    def _stamps(self, hours: np.ndarray) -> pd.Series:
        """World hours to UTC timestamps, via local wall-clock time (daylight saving handled).

        Hours become whole seconds first (to the nearest, half to even), then wall-clock time
        from the epoch, then UTC; NaN hours give NaT. Wall-clock times the clock change makes
        ambiguous (the hour that repeats when daylight saving ends) are read in standard time, as
        the event-log layer reads them; times it skips (spring) move forward to the first real
        one. Either way the UTC times keep the world's order.
        """
        return pd.Series(self._utc(hours))

    def _utc(self, hours: np.ndarray) -> pd.arrays.DatetimeArray:
        """:meth:`_stamps` as an array (:func:`wall_clock_utc`)."""
        return wall_clock_utc(hours, self.epoch, self.timezone)

    def frame(self) -> pd.DataFrame:
        """The log as a canonical frame (sorted by time; file order breaks ties).

        The rows are sealed (:meth:`seal`, which also gives the UTC times and the lines as
        integers) into the recorder's columns, and the frame is made of views of them: text as
        objects, numbers as floats, ``line`` nullable integers, times UTC timestamps (sorted, into
        new columns, only if the rows were not recorded in time order). The recorder only ever
        appends, so a frame stays as it was made when more rows come; change a frame's columns in
        place only if no later frame of the same recorder is needed.
        """
        self.seal()
        n, store = self._sealed, self._columns
        if not n:
            return self._empty_frame()
        # views of the store's columns (the frames share them with the recorder, which only appends)
        text = [store.text[k, :n] for k in range(len(_TEXT) + 1)]
        numbers = [store.numbers[k, :n] for k in range(len(_NUMBERS))]
        time = store.stamps[0, :n]
        stamps = [store.stamps[k, :n] for k in range(len(_STAMPS))]
        line, no_line = store.line[:n], store.no_line[:n]
        if (time[1:] < time[:-1]).any():
            order = np.argsort(time, kind="stable")
            text, stamps, numbers = ([column[order] for column in part] for part in (text, stamps, numbers))
            line, no_line = line[order], no_line[order]
        columns = dict(zip(_TEXT, text))
        columns.update(zip(_NUMBERS, numbers), semantic=text[-1], line=pd.arrays.IntegerArray(line, no_line))
        columns.update((name, pd.DatetimeIndex(ns.view("M8[ns]")).tz_localize("UTC").array)
                       for name, ns in zip(_STAMPS, stamps, strict=True))
        return pd.DataFrame({COLUMNS.get(name, name): columns[name] for name in _ORDER}, copy=False)

    def _empty_frame(self) -> pd.DataFrame:
        """The frame of a log with no rows: its columns, typed as a frame with rows would have them."""
        raw = pd.DataFrame.from_records([], columns=list(FIELDS))
        names = self.names.model_dump()
        raw.insert(1, "activity", raw["semantic"].map(names))
        raw["time"] = self._stamps(raw["time"].to_numpy(dtype=float))
        raw["start"] = self._stamps(raw["start"].to_numpy(dtype=float))
        raw["line"] = raw["line"].astype("Int64")
        return raw.rename(columns=COLUMNS)


def log_profile(names: ActivityNames, timezone: str) -> LogProfile:
    """The profile that reads the world's log back: activity names → semantics, count columns."""
    mapping = {name: Semantic(field) for field, name in names.model_dump().items()}
    return LogProfile.model_validate({
        "columns": {"case": CASE, "activity": ACTIVITY, "timestamp": TIMESTAMP, "start_timestamp": START,
                    "resource": RESOURCE, "location": "location", "sku": "sku", "qty": "qty", "line": "line",
                    "doc_type": "doc_type", "customer": "customer", "supplier": "supplier", "amount": "amount",
                    "price": "price", "delivery": "delivery"},
        "timezone": timezone,
        "activities": mapping,
        "count_columns": {"counted": COUNTED, "book": BOOK},
    })


def wall_clock_utc(hours: np.ndarray, epoch: pd.Timestamp, timezone: str) -> pd.arrays.DatetimeArray:
    """World hours (since the local ``epoch``) to UTC, via local wall-clock time, as the log's times
    are (see :meth:`EventRecorder._stamps`); ``hours`` is consumed (used as scratch), with few
    temporaries (fresh memory is dear in a large process).

    >>> epoch = pd.Timestamp("2025-03-24").tz_localize("Europe/Lisbon")   # clocks go forward on 30 March
    >>> [str(t.tz_convert("Europe/Lisbon")) for t in wall_clock_utc(np.array([7.5, 7 * 24 + 7.5]), epoch,
    ...                                                               "Europe/Lisbon")]
    ['2025-03-24 07:30:00+00:00', '2025-03-31 07:30:00+01:00']
    """
    seconds = hours * 3600.0
    np.round(seconds, out=seconds)
    missing = np.isnan(seconds)
    gaps = bool(missing.any())
    if gaps:
        seconds[missing] = 0.0
    wall = seconds.astype(np.int64)
    del seconds
    wall += np.datetime64(epoch.tz_localize(None), "s").astype(np.int64)  # whole seconds, as before
    wall *= 1_000_000_000
    if gaps:
        wall[missing] = _NAT
    standard = np.zeros(len(wall), dtype=bool)  # an ambiguous hour: standard time (never NaT)
    local = pd.DatetimeIndex(wall.view("M8[ns]")).tz_localize(timezone, ambiguous=standard,
                                                               nonexistent="shift_forward")
    return local.tz_convert("UTC").array
