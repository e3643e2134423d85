"""XES input: the rustxes fast path and pm4py give the same frame; broken files are clear errors."""

from __future__ import annotations

import gzip

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import shared_file
from jxcsim.eventlog import EventLogError, read_event_log
from jxcsim.eventlog.normalise import normalise_events
from jxcsim.eventlog.pairing import pair_lifecycle
from jxcsim.eventlog.profile import LogProfile
from jxcsim.eventlog.xes_reader import read_xes_raw

CORE = ["case:concept:name", "concept:name", "time:timestamp", "org:resource"]

XES = """<?xml version="1.0" encoding="UTF-8"?>
<log xes.version="1.0">
<trace><string key="concept:name" value="1"/>
<event><string key="concept:name" value="Load truck"/><string key="lifecycle:transition" value="start"/>
<date key="time:timestamp" value="2024-03-06T14:00:00.000+08:00"/></event>
<event><string key="concept:name" value="Load truck"/><string key="lifecycle:transition" value="complete"/>
<date key="time:timestamp" value="2024-03-06T14:30:00.000+08:00"/></event>
<event><string key="concept:name" value="Post goods issue"/><string key="lifecycle:transition" value="start"/>
<date key="time:timestamp" value="2024-03-06T18:00:00.000+08:00"/></event>
</trace>
</log>
"""


def _frame(path, fast):
    raw = read_xes_raw(path, fast=fast)
    out = normalise_events(raw.frame, LogProfile(), row_numbers=raw.row_numbers, offset_hint=raw.offset_hint)
    cols = [c for c in out.frame.columns if c != "source_row"]
    return out, out.frame[cols]


@pytest.mark.shared
@pytest.mark.parametrize("name", ["purchasing_example.xes.gz", "receipt.xes.gz", "repair_example.xes.gz",
                                  "running_example.xes", "orders_small.xes.gz", "roadtraffic_100traces.xes"])
def test_fast_path_and_pm4py_give_the_same_frame(name):
    path = shared_file(name)
    fast_out, fast = _frame(path, True)
    slow_out, slow = _frame(path, False)
    assert fast_out.timezone == slow_out.timezone
    assert len(fast) == len(slow)
    core = [c for c in CORE + ["start_timestamp"] if c in slow.columns]
    a = fast.sort_values(core, kind="stable").reset_index(drop=True)[core]
    b = slow.sort_values(core, kind="stable").reset_index(drop=True)[core]
    pd.testing.assert_frame_equal(a.astype(str), b.astype(str))
    case_cols = [c for c in slow.columns if c.startswith("case:") and c != "case:concept:name"]
    for col in case_cols:  # rustxes' trace defaults are blanked like pm4py leaves them
        assert fast[col].isna().sum() == slow[col].isna().sum(), col


def test_start_and_complete_are_paired_in_local_time(tmp_path):
    path = tmp_path / "t.xes"
    path.write_text(XES)
    log = read_event_log(path)
    assert log.events_stored == 3 and len(log.frame) == 1
    assert log.timezone == "+08:00"
    row = log.frame.iloc[0]
    assert row["start_timestamp"] == pd.Timestamp("2024-03-06 06:00", tz="UTC")
    assert log.local_timestamps().dt.hour.tolist() == [14]
    assert log.unmatched_starts == 1
    assert log.quarantine["reason"].tolist() == ["start event without a matching complete event"]
    assert log.rows_read == log.rows_accepted + len(log.quarantine)


def test_broken_xml_names_the_line(tmp_path):
    path = tmp_path / "broken.xes"
    path.write_text(XES.replace('<string key="concept:name" value="Post goods issue"/>',
                                '<string key="concept:name" value="Post goods issue/>') )
    with pytest.raises(EventLogError, match=rf"{path}:\d+: broken XML"):
        read_event_log(path)


def test_truncated_xes_and_truncated_gzip(tmp_path):
    cut = tmp_path / "cut.xes"
    cut.write_text(XES[: len(XES) // 2])
    with pytest.raises(EventLogError, match="truncated"):
        read_event_log(cut)
    gz = tmp_path / "cut.xes.gz"
    body = gzip.compress((XES * 50).encode())
    gz.write_bytes(body[: len(body) - 40])
    with pytest.raises(EventLogError, match="damaged gzip"):
        read_event_log(gz)


lifecycles = st.lists(st.tuples(st.sampled_from(["a", "b"]), st.sampled_from(["start", "complete"]),
                                st.integers(0, 50)), min_size=0, max_size=40)


@given(lifecycles)
def test_pairing_invariants(events):
    frame = pd.DataFrame(events, columns=["a", "l", "t"]).assign(c="1")
    frame["t"] = pd.to_datetime(frame["t"], unit="h", utc=True)
    res = pair_lifecycle(frame, keys=["c", "a"], lifecycle="l", time="t")
    n_start = int((frame["l"] == "start").sum())
    used = res.start_rows[res.start_rows >= 0]
    # every event is used exactly once: as an instance, as its start, or as an unmatched start
    assert len(res.complete_rows) + len(used) + len(res.unmatched_starts) == len(frame)
    assert len(set(used)) == len(used) and not set(used) & set(res.unmatched_starts)
    assert len(used) + len(res.unmatched_starts) == n_start
    for c, s in zip(res.complete_rows, res.start_rows):
        if s >= 0:
            assert frame["a"].iloc[s] == frame["a"].iloc[c]
            assert frame["t"].iloc[s] <= frame["t"].iloc[c]
    # FIFO: within an activity, matched starts are taken in time order by completes in time order
    for act in ("a", "b"):
        pairs = [(frame["t"].iloc[c], c, frame["t"].iloc[s]) for c, s in zip(res.complete_rows, res.start_rows)
                 if s >= 0 and frame["a"].iloc[c] == act]
        pairs.sort(key=lambda p: (p[0], p[1]))
        starts = [p[2] for p in pairs]
        assert starts == sorted(starts)
    assert np.all(np.diff(res.complete_rows) > 0)


def test_a_csv_read_as_xes_says_it_does_not_look_like_xes(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("case,activity,timestamp\n1,a,2024-01-01 08:00\n")
    with pytest.raises(EventLogError, match="does not look like XES \\(it begins 'case,activity"):
        read_event_log(path, format="xes")


def test_the_xes_quarantine_keeps_the_written_offset(tmp_path):
    path = tmp_path / "log.xes"
    path.write_text(XES.replace('value="start"/>\n<date key="time:timestamp" value="2024-03-06T14:00',
                                'value="schedule"/>\n<date key="time:timestamp" value="2024-03-06T14:00'))
    log = read_event_log(path)
    out = pd.read_csv(log.write_quarantine(tmp_path / "q.csv"))
    assert out["reason"].tolist()[0] == "lifecycle 'schedule' is not start or complete"
    assert out["time:timestamp"].tolist()[0] == "2024-03-06 14:00:00+08:00"
