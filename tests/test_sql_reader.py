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
    with pytest.raises(EventLogError, match="only a query that reads rows"):
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


def test_a_sqlite_url_is_opened_read_only(erp):
    with pytest.raises(EventLogError, match="only a query that reads rows"):
        read_event_log(f"sqlite:///{erp}", query="drop table gi_log")
    with pytest.raises(EventLogError, match="readonly database"):
        read_event_log(f"sqlite:///{erp}", query="with x as (select 1) delete from gi_log")
    with sqlite3.connect(erp) as con:
        assert con.execute("select count(*) from gi_log").fetchone()[0] == 3


def test_a_statement_that_is_no_query_is_refused(erp):
    with pytest.raises(EventLogError, match=r"reads rows \(SELECT, WITH, VALUES\) can be run, not 'drop table gi_log'"):
        read_event_log(erp, query="  -- tidy up\n drop table gi_log")


def test_a_missing_sqlite_file_is_an_error_not_a_new_database(tmp_path):
    missing = tmp_path / "nope.db"
    for source in (f"sqlite:///{missing}", str(missing), f"sqlite:///file:{missing}?mode=rwc&uri=true"):
        with pytest.raises(EventLogError, match=f"{missing}: no such (SQLite )?file"):
            read_event_log(source, table="x")
    assert not missing.exists()


def test_a_path_with_odd_characters_opens(tmp_path):
    for name in ("erp #1 é.db", "what?.db"):
        db = tmp_path / name
        with sqlite3.connect(db) as con:
            con.execute("create table ev (case_id, activity, timestamp)")
            con.execute("insert into ev values ('1', 'pick', '2024-01-01 08:00')")
        assert read_event_log(db, table="ev").rows_read == 1
    assert read_event_log(f"sqlite:///{tmp_path / 'erp #1 é.db'}", table="ev").rows_read == 1


def test_table_and_query_exclude_each_other(erp):
    with pytest.raises(EventLogError, match="--table and --query exclude each other"):
        read_event_log(erp, table="gi_log", query="select * from gi_log")
