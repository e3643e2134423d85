"""Writers: what we write reads back to the same frame (CSV, XES with lifecycle, OCEL 2.0)."""

from __future__ import annotations

import pandas as pd
import pytest

from jxcsim.eventlog import EventLogError, read_event_log, write_event_log

COLS = ["case:concept:name", "concept:name", "time:timestamp", "start_timestamp", "org:resource", "semantic",
        "location", "sku", "qty"]


@pytest.fixture()
def frame() -> pd.DataFrame:
    t = pd.Timestamp("2024-03-06 06:00", tz="UTC")
    return pd.DataFrame({
        "case:concept:name": ["SO-1", "SO-1", "SO-2"],
        "concept:name": ["Load truck", "Post goods issue", "Load truck"],
        "time:timestamp": [t + pd.Timedelta(minutes=30), t + pd.Timedelta(hours=4), t + pd.Timedelta(days=1)],
        "start_timestamp": [t, pd.NaT, t + pd.Timedelta(hours=23)],
        "org:resource": ["Wang", "Li", "Wang"],
        "semantic": ["physical_issue", "book_issue", "physical_issue"],
        "location": ["WH-A", "WH-A", "WH-B"],
        "sku": ["S1", "S1", "S2"],
        "qty": [5.0, 5.0, 1.5],
    })


@pytest.mark.parametrize("name", ["log.csv", "log.csv.gz", "log.xes", "log.xes.gz"])
def test_round_trip(frame, tmp_path, name):
    path = write_event_log(frame, tmp_path / name)
    back = read_event_log(path)
    assert len(back.quarantine) == 0
    got = back.frame[COLS].sort_values(["case:concept:name", "time:timestamp"]).reset_index(drop=True)
    got["qty"] = got["qty"].astype(float)
    pd.testing.assert_frame_equal(got, frame[COLS], check_dtype=False)


def test_xes_writes_start_and_complete_events(frame, tmp_path):
    back = read_event_log(write_event_log(frame, tmp_path / "log.xes"))
    assert back.events_stored == 5 and back.paired_starts == 2


def test_unknown_output_suffix(frame, tmp_path):
    with pytest.raises(EventLogError, match="cannot tell the output format"):
        write_event_log(frame, tmp_path / "log.parquet")
