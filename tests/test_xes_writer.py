"""The streaming XES writer: typed attributes, escaping, traces across chunks, and the same log as pm4py's writer."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from jxcsim.eventlog import read_event_log
from jxcsim.eventlog.schema import CASE
from jxcsim.eventlog.xes_reader import read_xes_raw
from jxcsim.eventlog.xes_writer import write_xes_stream

T0 = pd.Timestamp("2025-03-28 22:30", tz="UTC")


@pytest.fixture()
def events() -> pd.DataFrame:
    n = 23
    return pd.DataFrame({
        CASE: [f"C{i // 4}" for i in range(n)],  # traces of 4 events (the last of 3)
        "case:customer": [f"cust {i // 4} & co" for i in range(n)],
        "concept:name": [("Pick", 'Load "truck" <A>', "Post\x01GI", "Pay")[i % 4] for i in range(n)],
        "time:timestamp": [T0 + pd.Timedelta(minutes=37 * i) for i in range(n)],
        "qty": [float(i) / 3 if i % 5 else np.nan for i in range(n)],
        "line": pd.array([i % 3 if i % 2 else None for i in range(n)], dtype="Int64"),
        "urgent": [bool(i % 2) for i in range(n)],
        "org:resource": ["李娜" if i % 3 else None for i in range(n)],
    })


@pytest.mark.parametrize("chunk_rows", [1, 3, 4, 50_000])
def test_reads_back_the_same_events_whatever_the_chunks(events, tmp_path, chunk_rows):
    path = write_xes_stream(events, tmp_path / "log.xes.gz", chunk_rows=chunk_rows)
    raw = read_xes_raw(path, fast=False).frame  # pm4py's parser
    assert len(raw) == len(events) and raw[CASE].nunique() == 6
    back = raw.sort_values([CASE, "time:timestamp"], kind="stable").reset_index(drop=True)
    assert back["concept:name"].tolist() == [a.replace("\x01", "\ufffd") for a in events["concept:name"]]
    assert back["case:customer"].tolist() == events["case:customer"].tolist()  # a trace attribute
    assert np.allclose(back["qty"].astype(float), events["qty"], equal_nan=True)
    assert back["org:resource"].where(back["org:resource"].notna(), None).tolist() == events["org:resource"].tolist()
    stamps = pd.to_datetime(back["time:timestamp"], utc=True)
    assert (stamps == events["time:timestamp"]).all()


def test_the_same_log_as_pm4pys_writer(events, tmp_path):
    import pm4py

    ours = write_xes_stream(events, tmp_path / "ours.xes")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pm4py.write_xes(events.assign(**{"concept:name": events["concept:name"].str.replace("\x01", "\ufffd")}),
                        str(tmp_path / "pm4py.xes"), case_id_key=CASE)
    a, b = (read_event_log(p).frame.sort_values([CASE, "time:timestamp"]).reset_index(drop=True)
            for p in (tmp_path / "pm4py.xes", ours))
    assert sorted(a.columns) == sorted(b.columns)
    pd.testing.assert_frame_equal(a, b[a.columns], check_dtype=False)


def test_needs_a_case_column(tmp_path):
    with pytest.raises(ValueError, match="case column"):
        write_xes_stream(pd.DataFrame({"concept:name": ["a"]}), tmp_path / "x.xes")


def test_each_case_is_one_trace_whatever_the_row_order(tmp_path):
    """A frame in time order interleaves cases; each case is still one trace, its events in order."""
    frame = pd.DataFrame({CASE: ["A", "B", "A", "B", "C", "A"], "concept:name": list("uvwxyz"),
                          "time:timestamp": [T0 + pd.Timedelta(hours=h) for h in range(6)]})
    text = write_xes_stream(frame, tmp_path / "log.xes").read_text()
    assert text.count("<trace>") == 3
    traces = [t.split("</trace>")[0] for t in text.split("<trace>")[1:]]
    names = [[part.split('"')[0] for part in t.split('key="concept:name" value="')[2:]] for t in traces]
    assert names == [["u", "w", "z"], ["v", "x"], ["y"]]


def test_whitespace_infinities_and_lone_surrogates_survive(tmp_path):
    frame = pd.DataFrame({CASE: ["A", "A"], "concept:name": ["two\nlines\tand\rreturn", "bad \ud800 char"],
                          "time:timestamp": [T0, T0 + pd.Timedelta(hours=1)], "qty": [np.inf, -np.inf]})
    path = write_xes_stream(frame, tmp_path / "log.xes")
    assert 'value="INF"' in path.read_text() and 'value="-INF"' in path.read_text()
    for fast in (True, False):
        raw = read_xes_raw(path, fast=fast).frame.sort_values("time:timestamp")
        assert raw["concept:name"].tolist() == ["two\nlines\tand\rreturn", "bad \ufffd char"], fast
        assert raw["qty"].astype(float).tolist() == [np.inf, -np.inf], fast
