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
from typing import Any, NamedTuple

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
_ORDER = ("case", "activity", *FIELDS[1:])  # the frame's columns (before renaming)
_TEXT = tuple(name for name in _ORDER if name not in {"semantic", "time", "start", "qty", "line", "amount", "price",
                                                      "counted", "book"})  # "activity" in the semantic's place
_NUMBERS = ("qty", "amount", "price", "counted", "book")
_TEXT_AT = [_AT["semantic" if name == "activity" else name] for name in _TEXT] + [_AT["semantic"]]
_NUMBERS_AT = [_AT[name] for name in _NUMBERS]
_STAMPS = ("time", "start")
_NAT = np.datetime64("NaT").astype(np.int64)


class _Chunk(NamedTuple):
    """Rows turned into columns, each as it will be in the frame (the frame joins the chunks)."""

    text: np.ndarray  # objects, (len(_TEXT) + 1, n): the text columns (``_TEXT``), then the semantic
    numbers: np.ndarray  # float64, (len(_NUMBERS), n)
    stamps: tuple[pd.arrays.DatetimeArray, ...]  # len(_STAMPS) columns of n UTC timestamps
    line: np.ndarray  # int64, n (0 where missing)
    no_line: np.ndarray  # bool, n


class EventRecorder:
    """Collects events as plain values (cheap while the world runs) and builds the frame once.

    Rows are kept back to back in one flat list, ``len(FIELDS)`` values each (a row's tuple is
    copied in and dropped at once), so :meth:`seal` takes each column as a slice of it.
    :meth:`seal` turns the rows recorded so far into columns; a long run calls it at quiet
    moments (the world does, once a simulated week) so the rows are converted while they are
    fresh in memory and then dropped; :meth:`frame` seals the rest and joins the columns.
    """

    def __init__(self, names: ActivityNames, *, epoch_local: str, timezone: str):
        self.names = names
        self.epoch = pd.Timestamp(epoch_local).tz_localize(timezone, ambiguous=False, nonexistent="shift_forward")
        self.timezone = timezone
        self._values: list[Any] = []  # the rows not yet sealed, back to back (len(FIELDS) values a row)
        self._chunks: list[_Chunk] = []
        self._sealed = 0  # rows already turned into chunks
        self._semantics = frozenset(names.model_dump())
        self._activity = names.model_dump().__getitem__  # semantic -> the log's activity name
        # record a row given as a tuple of all FIELDS in order (for hot callers; else add()); a row of
        # another length is refused by the next seal(), naming the row
        self.append_row = self._values.extend

    def __len__(self) -> int:
        return self._sealed + len(self._values) // _WIDTH

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
        the row, when a row recorded did not have every field of ``FIELDS``)."""
        values = self._values
        n, rest = divmod(len(values), _WIDTH)
        semantics = values[1::_WIDTH]  # each row's semantic, if every row has all the fields
        if rest or not self._semantics.issuperset(semantics):
            self._refuse_misaligned()
        if not n:
            return
        # element by element (np.fromiter does not inspect each value as np.array would; None -> NaN)
        text = np.empty((len(_TEXT_AT), n), dtype=object)
        numbers = np.empty((len(_NUMBERS_AT), n))
        for k, i in enumerate(_TEXT_AT):
            text[k] = np.fromiter(map(self._activity, semantics) if k == 1 else values[i::_WIDTH], dtype=object,
                                  count=n)
        for k, i in enumerate(_NUMBERS_AT):
            numbers[k] = np.fromiter(values[i::_WIDTH], dtype=float, count=n)
        # a chunk at a time: small temporaries, reused memory
        stamps = tuple(self._utc(np.fromiter(values[_AT[name]::_WIDTH], dtype=float, count=n)) for name in _STAMPS)
        line = np.fromiter(values[_AT["line"]::_WIDTH], dtype=float, count=n)
        no_line = np.isnan(line)
        line[no_line] = 0.0
        self._chunks.append(_Chunk(text, numbers, stamps, line.astype(np.int64), no_line))
        self._sealed += n
        values.clear()  # the same list: append_row stays bound to it

    def _refuse_misaligned(self) -> None:
        """Raise ValueError naming the first unsealed row that is not a row of all ``FIELDS``.

        A row with fields missing or extra shifts the rows after it, so the first row whose
        semantic is not one of the log's (or a short last row) is at or just after the bad one.
        """
        values = self._values
        for k in range(0, len(values), _WIDTH):
            row = tuple(values[k:k + _WIDTH])
            if len(row) < _WIDTH or row[1] not in self._semantics:
                raise ValueError(f"log row {self._sealed + k // _WIDTH} is not a row of the {_WIDTH} fields "
                                 f"{FIELDS} (it or a row just before it has fields missing or extra): {row!r}")

    def _stamps(self, hours: np.ndarray) -> pd.Series:
        """World hours to UTC timestamps, via local wall-clock time (daylight saving handled).

        Hours become whole seconds first (to the nearest, half to even), then wall-clock time
        from the epoch, then UTC; NaN hours give NaT.
        """
        return pd.Series(self._utc(hours))

    def _utc(self, hours: np.ndarray) -> pd.arrays.DatetimeArray:
        """:meth:`_stamps` as an array, with few temporaries (fresh memory is dear in a large process)."""
        seconds = hours * 3600.0
        np.round(seconds, out=seconds)
        missing = np.isnan(seconds)
        gaps = bool(missing.any())
        if gaps:
            seconds[missing] = 0.0
        wall = seconds.astype(np.int64)
        del seconds
        wall += np.datetime64(self.epoch.tz_localize(None), "s").astype(np.int64)  # whole seconds, as before
        wall *= 1_000_000_000
        if gaps:
            wall[missing] = _NAT
        local = pd.DatetimeIndex(wall.view("M8[ns]")).tz_localize(self.timezone, ambiguous="NaT",
                                                                   nonexistent="shift_forward")
        return local.tz_convert("UTC").array

    def frame(self) -> pd.DataFrame:
        """The log as a canonical frame (sorted by time; file order breaks ties).

        The rows are sealed into columns (:meth:`seal`, which also gives the UTC times and the
        lines as integers) and each column joined once: text as objects, numbers as floats,
        ``line`` nullable integers, times UTC timestamps (sorted only if the rows were not
        recorded in time order).
        """
        self.seal()
        chunks = self._chunks
        if not chunks:
            return self._empty_frame()

        def joined(part: str, k: int | None = None) -> np.ndarray:
            return np.concatenate([getattr(c, part) if k is None else getattr(c, part)[k] for c in chunks])

        # each column allocated once, here (fresh memory is dear in a large process)
        text = [joined("text", k) for k in range(len(_TEXT) + 1)]
        # the extension-array interface's join: one copy (a naive join then UTC would be two)
        stamps = [pd.arrays.DatetimeArray._concat_same_type([c.stamps[k] for c in chunks]) for k in range(len(_STAMPS))]
        numbers = [joined("numbers", k) for k in range(len(_NUMBERS))]
        line, no_line = joined("line"), joined("no_line")
        time = stamps[0].asi8
        if (time[1:] < time[:-1]).any():
            order = np.argsort(time, kind="stable")
            text, stamps, numbers = ([column[order] for column in part] for part in (text, stamps, numbers))
            line, no_line = line[order], no_line[order]
        columns = dict(zip(_TEXT, text))
        columns.update(zip(_NUMBERS, numbers), semantic=text[-1], line=pd.arrays.IntegerArray(line, no_line))
        columns.update(zip(_STAMPS, stamps))
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
