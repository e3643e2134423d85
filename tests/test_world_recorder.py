"""The world's event recorder: the frame sealed in chunks equals one built row by row, independently."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from jxcsim.world import recorder
from jxcsim.world.recorder import COLUMNS, FIELDS, EventRecorder
from jxcsim.world.scenario import ActivityNames

NAMES = ActivityNames()
SEMANTICS = sorted(NAMES.model_dump())
# epochs just before a spring and an autumn change of Europe/Berlin; Shanghai has none (since 1991)
ZONES = [("Asia/Shanghai", "2025-01-06"), ("Europe/Berlin", "2025-03-24"), ("Europe/Berlin", "2025-10-20")]
_TEXT_FIELDS = {"case", "resource", "location", "sku", "doc_type", "customer", "supplier", "delivery"}
_NUMBER_FIELDS = {"start", "qty", "amount", "price", "counted", "book"}
ORDER = ["case", "activity", *FIELDS[1:]]  # the frame's columns, before renaming

missing = st.sampled_from([None, math.nan])
texts = st.one_of(missing, st.sampled_from(["", "WH-A", "SO-1", "Liu", "纸箱"]), st.text(max_size=4))
numbers = st.one_of(missing, st.floats(-1e6, 1e6), st.integers(-1000, 1000))
# hours since the epoch: anywhere in two weeks, or to the second around the clock changes (days 6 and 7)
hours = st.one_of(missing, st.floats(-48.0, 14 * 24.0),
                  st.integers(6 * 86400, 7 * 86400 + 4 * 3600).map(lambda s: s / 3600),
                  st.integers(6 * 86400, 7 * 86400 + 4 * 3600).map(lambda s: s / 3600 + 0.5 / 3600))
lines = st.one_of(missing, st.integers(-(2**40), 2**40))


@st.composite
def logged_rows(draw) -> list[tuple]:
    def row():
        values = {name: draw(texts) for name in _TEXT_FIELDS}
        values.update({name: draw(numbers) for name in _NUMBER_FIELDS})
        values.update(semantic=draw(st.sampled_from(SEMANTICS)), time=draw(hours), line=draw(lines))
        if draw(st.booleans()):
            values["start"] = draw(hours)
        return tuple(values[name] for name in FIELDS)

    return [row() for _ in range(draw(st.integers(0, 25)))]


def _reference(rows: list[tuple], timezone: str, epoch_local: str) -> pd.DataFrame:
    """The canonical frame built value by value, sorted by Python's stable sort (NaT first); with no
    rows, the columns the recorder has always given then (times and ``line`` typed, the rest objects)."""
    if not rows:
        return pd.DataFrame({COLUMNS.get(name, name): pd.Series(dtype={"time": "datetime64[ns, UTC]",
                             "start": "datetime64[ns, UTC]", "line": "Int64"}.get(name, object)) for name in ORDER})
    wall_epoch = pd.Timestamp(epoch_local).tz_localize(timezone, ambiguous=False,
                                                       nonexistent="shift_forward").tz_localize(None).floor("s")
    activity = NAMES.model_dump()

    def stamp(h):
        if h is None or math.isnan(h):
            return pd.NaT
        local = (wall_epoch + pd.Timedelta(seconds=round(h * 3600.0))).tz_localize(
            timezone, ambiguous=False, nonexistent="shift_forward")  # the repeated hour: standard time
        return pd.NaT if local is pd.NaT else local.tz_convert("UTC")

    def number(v):
        return math.nan if v is None else float(v)

    stamps = [stamp(row[FIELDS.index("time")]) for row in rows]
    order = sorted(range(len(rows)), key=lambda i: -math.inf if stamps[i] is pd.NaT else stamps[i].value)
    rows = [rows[i] for i in order]
    columns: dict[str, object] = {}
    for k, name in enumerate(FIELDS):
        values = [row[k] for row in rows]
        if name == "semantic":
            columns["activity"] = _objects([activity[v] for v in values])
            columns[name] = _objects(values)
        elif name in _TEXT_FIELDS:
            columns[name] = _objects(values)
        elif name in ("time", "start"):
            columns[name] = pd.array([stamp(v) for v in values], dtype="datetime64[ns, UTC]")
        elif name == "line":
            columns[name] = pd.array([None if v is None or math.isnan(v) else int(v) for v in values], dtype="Int64")
        else:
            columns[name] = np.array([number(v) for v in values], dtype=float)
    return pd.DataFrame({COLUMNS.get(name, name): columns[name] for name in ORDER})


def _objects(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values if values else []
    return out


@given(rows=logged_rows(), zone=st.sampled_from(ZONES), cuts=st.lists(st.integers(0, 25), max_size=4),
       peek=st.none() | st.integers(0, 25), room=st.none() | st.integers(0, 40), min_room=st.sampled_from([1, 3, 4096]))
def test_frame_sealed_in_chunks_equals_the_frame_built_value_by_value(rows, zone, cuts, peek, room, min_room):
    timezone, epoch = zone
    rec = EventRecorder(NAMES, epoch_local=epoch, timezone=timezone)
    early = None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(recorder, "_MIN_ROOM", min_room)  # small: the columns grow (and are copied) often
        if room is not None:
            rec.reserve(room)  # a hint, right or wrong
        for i, row in enumerate(rows):
            if i in cuts:
                rec.seal()
            if i == peek:  # a frame part way (seals what is there); recording goes on
                early = rec.frame()
                pd.testing.assert_frame_equal(early, _reference(rows[:i], timezone, epoch))
            rec.append_row(row)
        frame = rec.frame()
    assert len(rec) == len(rows) and list(frame.columns) == [COLUMNS.get(c, c) for c in ORDER]
    pd.testing.assert_frame_equal(frame, _reference(rows, timezone, epoch))
    pd.testing.assert_frame_equal(rec.frame(), frame)  # again: nothing left to seal
    if early is not None:  # a frame made part way is not changed by the rows sealed after it
        pd.testing.assert_frame_equal(early, _reference(rows[:peek], timezone, epoch))


def test_clock_changes_in_a_daylight_saving_zone():
    rec = EventRecorder(NAMES, epoch_local="2025-03-24", timezone="Europe/Berlin")
    # 2025-03-30 02:30 does not exist (shifted to 03:00); 2025-10-26 02:30 happens twice (standard time,
    # never NaT: every event the world records has a time, and the world's order is kept)
    for h in (6 * 24 + 1.5, 6 * 24 + 2.5, 6 * 24 + 3.5, 216 * 24 + 1.5, 216 * 24 + 2.5, 216 * 24 + 3.5):
        rec.add("C", "pick", h)
    stamps = [str(t) for t in rec.frame()["time:timestamp"]]
    assert stamps == ["2025-03-30 00:30:00+00:00", "2025-03-30 01:00:00+00:00", "2025-03-30 01:30:00+00:00",
                      "2025-10-25 23:30:00+00:00", "2025-10-26 01:30:00+00:00", "2025-10-26 02:30:00+00:00"]


def test_empty_recorder_gives_the_columns_and_nothing_else():
    frame = EventRecorder(NAMES, epoch_local="2025-01-06", timezone="Asia/Shanghai").frame()
    assert list(frame.columns) == [COLUMNS.get(c, c) for c in ORDER] and frame.empty
    pd.testing.assert_frame_equal(frame, _reference([], "Asia/Shanghai", "2025-01-06"))
