"""The direct OCEL 2.0 SQLite writer: the standard's layout, and pm4py reads it as it reads its own export."""

from __future__ import annotations

import doctest
import sqlite3
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import jxcsim.eventlog.ocel_sqlite as ocel_sqlite
from jxcsim.eventlog.errors import EventLogError
from jxcsim.eventlog.log import LogFormat
from jxcsim.eventlog.ocel import _export, _frame_to_ocel, load_ocel, read_ocel_raw, write_ocel2
from jxcsim.eventlog.schema import ACTIVITY, CASE, RESOURCE, TIMESTAMP

SHARED_TINY = Path(__file__).resolve().parents[1].parent / "shared" / "eventlogs" / "ocel2_p2p_tiny.sqlite"


def _frame() -> pd.DataFrame:
    """Two orders and a purchase order: German and Chinese activity names, names equal but for case,
    an integer line, a start time, a fraction of a second, SKUs that clash with a case id."""
    return pd.DataFrame({
        CASE: ["SO1", "SO1", "SO1", "PO1", "SO2", "SO2"],
        ACTIVITY: ["Ware prüfen", "拣货", "Pick", "pick", "Ware prüfen", "装车"],
        TIMESTAMP: pd.to_datetime(["2024-03-01T08:00:00Z", "2024-03-01T09:15:30.250Z", "2024-03-01T10:00:00Z",
                                   "2024-03-02T08:00:00Z", "2024-03-02T11:00:00Z", "2024-03-03T07:59:59Z"],
                                  utc=True, format="ISO8601"),
        "start_timestamp": pd.to_datetime(["2024-03-01T07:55:00Z", None, None, None, None, None], utc=True),
        RESOURCE: ["anna", "ben", None, "anna", "carl", "anna"],
        "sku": ["A", "SO2", "A", "B", " B ", None],
        "location": ["WH1", "WH1", None, "WH2", "WH2", "WH2"],
        "qty": [5.0, 5.0, np.nan, 2.0, np.nan, 1.0],
        "line": pd.array([1, 1, None, 1, 2, 2], dtype="Int64"),
        "doc_type": ["sales_order", None, None, "purchase_order", "sales_order", None],
        "ocel_time": ["x", "y", None, None, None, None],  # a column named like the standard's own
        "Qty": ["a", None, None, None, None, None],  # equal to "qty" but for case
    })


def _tables(path: Path) -> dict[str, str]:
    db = sqlite3.connect(path)
    try:
        return dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'").fetchall())
    finally:
        db.close()


def _rows(path: Path, sql: str) -> list[tuple]:
    db = sqlite3.connect(path)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def test_the_standard_tables_and_keys(tmp_path: Path) -> None:
    path = write_ocel2(_frame(), tmp_path / "log.sqlite")
    tables = _tables(path)
    standard = {"event", "object", "event_map_type", "object_map_type", "event_object", "object_object"}
    assert standard <= set(tables)
    assert "PRIMARY KEY (ocel_event_id, ocel_object_id, ocel_qualifier)" in tables["event_object"]
    assert "PRIMARY KEY (ocel_id)" in tables["event"]
    maps = dict(_rows(path, "SELECT ocel_type, ocel_type_map FROM event_map_type"))
    assert maps == {"Pick": "Pick", "pick": "Pick_2", "Ware prüfen": "WarePrufen", "拣货": "Type", "装车": "Type_2"}
    assert {f"event_{m}" for m in maps.values()} <= set(tables)
    assert dict(_rows(path, "SELECT * FROM object_map_type")) == {
        "location": "Location", "purchase_order": "PurchaseOrder", "sales_order": "SalesOrder", "sku": "Sku"}
    # each object once in its type's table, at the epoch, no change
    assert _rows(path, "SELECT * FROM object_Sku ORDER BY ocel_id") == [
        ("sku:A", "1970-01-01 00:00:00", None), ("sku:B", "1970-01-01 00:00:00", None),
        ("sku:SO2", "1970-01-01 00:00:00", None)]
    # ids sort as numbered; every time in UTC with microseconds (one time has a fraction)
    assert _rows(path, "SELECT ocel_id FROM event") == [(f"e{i}",) for i in range(1, 7)]
    assert _rows(path, 'SELECT * FROM "event_Type"') == [("e2", "2024-03-01 09:15:30.250000+00:00", "ben", "SO2",
                                                         "WH1", 5.0, 1, "y")]


def test_attribute_columns_typed_and_named_apart(tmp_path: Path) -> None:
    path = write_ocel2(_frame(), tmp_path / "log.sqlite")
    columns = _rows(path, "SELECT name, type FROM pragma_table_info('event_WarePrufen')")
    assert columns == [("ocel_id", "TEXT"), ("ocel_time", "TIMESTAMP"), ("start_timestamp", "TIMESTAMP"),
                       ("org:resource", "TEXT"), ("sku", "TEXT"), ("location", "TEXT"), ("qty", "REAL"),
                       ("line", "INTEGER"), ("doc_type", "TEXT"), ("attr_ocel_time", "TEXT"), ("Qty_2", "TEXT")]
    assert _rows(path, "SELECT start_timestamp, qty, line, typeof(line), Qty_2 FROM event_WarePrufen") == [
        ("2024-03-01 07:55:00.000000+00:00", 5.0, 1, "integer", "a"), (None, None, 2, "integer", None)]
    # an activity's table has only the attributes its events have
    assert [n for n, _ in _rows(path, "SELECT name, type FROM pragma_table_info('event_Pick')")] == [
        "ocel_id", "ocel_time", "sku"]


def test_whole_seconds_are_written_without_a_fraction(tmp_path: Path) -> None:
    frame = _frame().iloc[[0, 2]]
    path = write_ocel2(frame, tmp_path / "log.sqlite")
    assert _rows(path, "SELECT ocel_time FROM event_Pick") == [("2024-03-01 10:00:00+00:00",)]


def _pm4py_view(path: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    ocel = load_ocel(path, LogFormat.OCEL2_SQLITE)
    events = ocel.events.sort_values("ocel:eid").reset_index(drop=True)
    events["start_timestamp"] = pd.to_datetime(events["start_timestamp"], utc=True, format="ISO8601")  # same times
    events = events[sorted(events.columns)].astype(str)
    objects = ocel.objects.sort_values("ocel:oid").reset_index(drop=True).astype(str)
    relations = ocel.relations[["ocel:eid", "ocel:oid", "ocel:type", "ocel:qualifier"]]
    relations = relations.sort_values(list(relations.columns)).reset_index(drop=True).astype(str)
    return events, objects, relations


def test_pm4py_reads_it_as_it_reads_its_own_export(tmp_path: Path) -> None:
    """The same frame written by this writer and by pm4py's exporter: pm4py reads the same log from both
    (events with their attributes, objects, relations). Without the columns pm4py's exporter cannot write
    (one named ``ocel_time``, two names equal but for case) or writes as another type (Int64 as REAL)."""
    frame = _frame().drop(columns=["line", "ocel_time", "Qty"])
    ours = write_ocel2(frame, tmp_path / "ours.sqlite")
    theirs = _export(_frame_to_ocel(frame, "case"), tmp_path / "theirs.sqlite", LogFormat.OCEL2_SQLITE)
    for mine, pm4py_s in zip(_pm4py_view(ours), _pm4py_view(theirs), strict=True):
        pd.testing.assert_frame_equal(mine, pm4py_s)


def test_a_simulated_log_reads_back_whole(tmp_path: Path) -> None:
    from jxcsim.eventlog.schema import SEMANTIC
    from jxcsim.world.scenario import load_scenario
    from jxcsim.world.simulate import simulate

    root = Path(__file__).resolve().parents[1]
    log = simulate(load_scenario(root / "scenarios" / "baseline.yaml"), weeks=1, seed=3).log.drop(columns=[SEMANTIC])
    path = write_ocel2(log, tmp_path / "log.ocel.sqlite")
    raw = read_ocel_raw(path, LogFormat.OCEL2_SQLITE, object_type="sales_order")
    orders = log[log["doc_type"].groupby(log[CASE]).transform("first") == "sales_order"]
    assert len(raw.frame) == len(orders) and raw.events_stored == len(log)
    assert sorted(raw.frame[CASE].unique()) == sorted(orders[CASE].unique())
    got = raw.frame.sort_values(["ocel:eid"]).reset_index(drop=True)
    assert (pd.to_datetime(got[TIMESTAMP], utc=True).sort_values().to_numpy()
            == orders[TIMESTAMP].sort_values().to_numpy()).all()
    deliveries = _rows(path, "SELECT COUNT(*) FROM object WHERE ocel_type = 'delivery'")[0][0]
    assert deliveries == log["delivery"].nunique()


def test_a_failed_write_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "log.sqlite"
    write_ocel2(_frame(), path)
    before = path.read_bytes()

    def broken(*args, **kwargs):
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr("jxcsim.eventlog.ocel.write_tables", broken)
    with pytest.raises(EventLogError, match="cannot write ocel2-sqlite: OperationalError: disk I/O error"):
        write_ocel2(_frame(), path)
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["log.sqlite"]


def test_same_layout_as_the_published_example() -> None:
    """The standard tables carry the columns the OCEL 2.0 example log has."""
    if not SHARED_TINY.is_file():
        pytest.skip("shared event log ocel2_p2p_tiny.sqlite not available")
    published = _tables(SHARED_TINY)
    db = sqlite3.connect(":memory:")
    ocel_sqlite._create_standard_tables(db)
    for table in ("event", "object", "event_map_type", "object_map_type", "event_object", "object_object"):
        ours = [r[1] for r in db.execute(f"SELECT * FROM pragma_table_info('{table}')")]
        theirs = [r[1] for r in sqlite3.connect(SHARED_TINY).execute(f"SELECT * FROM pragma_table_info('{table}')")]
        assert table in published and ours == theirs, table


def test_doctests() -> None:
    result = doctest.testmod(ocel_sqlite)
    assert result.attempted >= 4 and result.failed == 0


def test_rows_are_inserted_chunk_by_chunk_in_order() -> None:
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (a TEXT, b REAL)")
    ids = np.array([f"r{i}" for i in range(5)], dtype=object)
    ocel_sqlite._insert(db, "t", [ids, lambda rows: np.arange(5.0)[rows] * 2], 5, chunk=2)
    assert db.execute("SELECT * FROM t").fetchall() == [(f"r{i}", 2.0 * i) for i in range(5)]


def test_values_of_other_types_are_stored_as_their_own_type(tmp_path: Path) -> None:
    times = pd.to_datetime(["2025-01-06 08:00", "2025-01-06 09:00"], utc=True).as_unit("us")
    frame = pd.DataFrame({CASE: ["SO1", "SO1"], ACTIVITY: ["Object", "Object"], TIMESTAMP: times,
                          "line": pd.Series([np.int64(1), np.int64(2)], dtype=object),
                          "due": pd.Series([pd.Timestamp("2025-01-07 10:00", tz="Europe/Berlin"),
                                            pd.Timestamp("2025-01-07 10:00", tz="UTC")]),
                          "when": pd.to_datetime(["2025-01-08 08:00", None], utc=True).as_unit("s"),
                          "ref": pd.Series([2**63, 5], dtype="uint64")})
    path = write_ocel2(frame, tmp_path / "log.sqlite")
    assert dict(_rows(path, "SELECT * FROM event_map_type")) == {"Object": "Object_2"}  # not event_object
    assert _rows(path, "SELECT line, typeof(line), due, \"when\", ref FROM event_Object_2") == [
        (1, "integer", "2025-01-07 09:00:00+00:00", "2025-01-08 08:00:00+00:00", "9223372036854775808"),
        (2, "integer", "2025-01-07 10:00:00+00:00", None, "5")]
    assert [t for (t,) in _rows(path, "SELECT ocel_time FROM event_Object_2")] == [
        "2025-01-06 08:00:00+00:00", "2025-01-06 09:00:00+00:00"]  # microsecond times read as such
