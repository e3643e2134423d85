"""Database input through SQLAlchemy: tables, queries, read-only, clear errors."""

from __future__ import annotations

import sqlite3

import pytest

from jxcsim.eventlog import EventLogError, read_event_log


@pytest.fixture()
def erp(tmp_path):
    db = tmp_path / "erp.db"
    with sqlite3.connect(db) as con:
        con.execute("create table gi_log (doc text, step text, ts text, wh text, sku text, qty real)")
        con.executemany("insert into gi_log values (?,?,?,?,?,?)", [
            ("SO-1", "Load truck", "2024-03-06 14:10:00", "WH-A", "S1", 5),
            ("SO-1", "Post goods issue", "2024-03-06 18:40:00", "WH-A", "S1", 5),
            ("SO-2", "Load truck", None, "WH-A", "S2", 1),
        ])
    return db


PROFILE = {"columns": {"case": "doc", "activity": "step", "timestamp": "ts", "location": "wh", "sku": "sku",
                       "qty": "qty"},
           "timezone": "Asia/Shanghai",
           "activities": {"Load truck": "physical_issue", "Post goods issue": "book_issue"}}


def test_table_from_a_path_and_from_a_url(erp):
    by_path = read_event_log(erp, table="gi_log", profile=PROFILE)
    by_url = read_event_log(f"sqlite:///{erp}", table="gi_log", profile=PROFILE)
    assert len(by_path.frame) == len(by_url.frame) == 2
    assert by_path.quarantine["reason"].tolist() == ["missing timestamp"]
    assert by_path.local_timestamps().dt.hour.tolist() == [14, 18]


def test_query_and_read_only(erp):
    log = read_event_log(f"sqlite:///{erp}", query="select * from gi_log where wh = 'WH-A' and ts is not null",
                         profile=PROFILE)
    assert log.rows_read == 2
    with pytest.raises(EventLogError, match="query failed"):
        read_event_log(erp, query="delete from gi_log", profile=PROFILE)
    with sqlite3.connect(erp) as con:
        assert con.execute("select count(*) from gi_log").fetchone()[0] == 3


def test_database_without_table_lists_tables(erp):
    with pytest.raises(EventLogError, match=r"needs --table or --query \(tables: gi_log\)"):
        read_event_log(erp)
    with pytest.raises(EventLogError, match=r"no table 'nope' \(tables: gi_log\)"):
        read_event_log(erp, table="nope")


def test_bad_url_is_a_clear_error():
    with pytest.raises(EventLogError, match="cannot open database URL"):
        read_event_log("nosuchdialect://x/y", table="t")
