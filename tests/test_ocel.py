"""OCEL reading (flattened per object type), OCEL 2.0 writing and conversion."""

from __future__ import annotations

import doctest
import gzip
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import jxcsim.eventlog.ocel as ocel_module
from jxcsim.eventlog.errors import EventLogError
from jxcsim.eventlog.formats import detect_format
from jxcsim.eventlog.log import LogFormat
from jxcsim.eventlog.normalise import normalise_events
from jxcsim.eventlog.ocel import convert_ocel, load_ocel, read_ocel_raw, write_ocel2
from jxcsim.eventlog.profile import LogProfile
from jxcsim.eventlog.schema import ACTIVITY, CASE, RESOURCE, TIMESTAMP, check_frame

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "eventlogs"

# file -> (format, events, objects as imported by pm4py (SOURCES.md), default object type)
OCEL_LOGS: dict[str, tuple[LogFormat, int, int, str]] = {
    "ocel2_p2p.sqlite.gz": (LogFormat.OCEL2_SQLITE, 14671, 9054, "goods receipt"),
    "ocel2_order_management_preview.sqlite": (LogFormat.OCEL2_SQLITE, 18211, 10011, "orders"),
    "ocel2_logistics_preview.sqlite": (LogFormat.OCEL2_SQLITE, 6187, 970, "Container"),
    "ocel2_p2p_tiny.sqlite": (LogFormat.OCEL2_SQLITE, 13, 9, "Invoice"),
    "ocel2_p2p_tiny.jsonocel": (LogFormat.OCEL2_JSON, 13, 9, "Invoice"),
    "ocel2_p2p_tiny.xmlocel": (LogFormat.OCEL2_XML, 13, 9, "Invoice"),
    "ocel2_inventory_management_sim.xml": (LogFormat.OCEL2_XML, 1210, 1701, "MAT"),
    "ocel2_pallet_logistics_tiny.sqlite": (LogFormat.OCEL2_SQLITE, 14, 11, "Vehicle"),
    "ocel1_p2p_normal.jsonocel": (LogFormat.OCEL1_JSON, 720, 781, "MATERIAL"),
    "ocel1_order_process.jsonocel": (LogFormat.OCEL1_JSON, 2391, 796, "item"),
    "ocel1_order_management_sim.csv.gz": (LogFormat.OCEL1_CSV, 22367, 11484, "items"),
    "ocel1_example_log.jsonocel": (LogFormat.OCEL1_JSON, 23, 15, "order"),
}


def shared_log(name: str) -> Path:
    path = SHARED / name
    if not path.is_file():
        pytest.skip(f"shared event log {name} not available")
    return path


def _utc(*stamps: str) -> pd.Series:
    return pd.Series(pd.to_datetime(list(stamps), utc=True, format="ISO8601"))


@pytest.fixture
def canonical() -> pd.DataFrame:
    """Three sales orders over two SKUs and two warehouses; one timestamp with milliseconds."""
    return pd.DataFrame({
        CASE: ["SO1", "SO1", "SO1", "SO2", "SO2", "SO3"],
        ACTIVITY: ["order_received", "pick", "book_issue", "order_received", "pick", "order_received"],
        TIMESTAMP: _utc("2024-03-01T08:00:00Z", "2024-03-01T09:15:30.250Z", "2024-03-01T10:00:00+08:00",
                        "2024-03-02T08:00:00Z", "2024-03-02T11:00:00Z", "2024-03-03T07:59:59Z"),
        "start_timestamp": _utc("2024-03-01T07:55:00Z", "2024-03-01T09:00:00Z", "NaT", "NaT", "NaT", "NaT"),
        RESOURCE: ["anna", "ben", None, "anna", "carl", "anna"],
        "sku": ["A", "A", "A", "B", "B", None],
        "location": ["WH1", "WH1", "WH1", "WH2", "WH2", None],
        "qty": [5.0, 5.0, 5.0, 2.0, 2.0, np.nan],
    })


# --- the shared public logs --------------------------------------------------------------------

@pytest.mark.shared
def test_expected_numbers_match_sources_md() -> None:
    sources = shared_log("SOURCES.md").read_text(encoding="utf-8")
    on_disk = {p.name for p in SHARED.glob("ocel*")}
    assert on_disk == set(OCEL_LOGS), "every OCEL file in shared/eventlogs has expected numbers here"
    for name, (_, events, objects, _) in OCEL_LOGS.items():
        section = sources.split(f"### `{name}`", 1)[1].split("\n### ", 1)[0]
        stats = re.search(r"\*\*Stats \(pm4py\)\*\*: (\d+) events, (\d+) objects", section)
        assert stats is not None, name
        assert (int(stats[1]), int(stats[2])) == (events, objects), name


@pytest.mark.shared
@pytest.mark.parametrize("name", sorted(OCEL_LOGS))
def test_read_shared_ocel_log(name: str) -> None:
    fmt, events, objects, default_type = OCEL_LOGS[name]
    path = shared_log(name)
    assert detect_format(path) is fmt
    raw = read_ocel_raw(path, fmt)

    assert raw.format is fmt
    assert raw.events_stored == events
    assert sum(raw.objects.values()) == objects
    assert raw.object_type == default_type
    assert list(raw.frame.columns[:4]) == [CASE, ACTIVITY, TIMESTAMP, "ocel:eid"]
    assert str(raw.frame[TIMESTAMP].dtype) == "datetime64[ns, UTC]"
    assert raw.row_numbers is not None and len(raw.row_numbers) == len(raw.frame)
    assert raw.row_numbers.min() >= 1 and raw.row_numbers.max() <= events
    assert (np.diff(raw.row_numbers) >= 0).all()
    flattened_events = raw.frame["ocel:eid"].nunique()
    assert len(raw.frame) >= flattened_events
    if flattened_events < events:
        n = events - flattened_events
        assert any(f"{n} event{'s relate' if n > 1 else ' relates'} to no object of type" in note for note in raw.notes)

    norm = normalise_events(raw.frame, LogProfile(), source=str(path), row_numbers=raw.row_numbers)
    assert norm.rows_read == len(raw.frame) == len(norm.frame) + len(norm.quarantine)
    assert norm.quarantine.empty  # clean public logs: every event × object row is an instance
    check_frame(norm.frame)
    assert set(norm.frame["source_row"]) == set(raw.row_numbers)


@pytest.mark.shared
@pytest.mark.parametrize("name", ["ocel2_p2p.sqlite.gz", "ocel2_order_management_preview.sqlite",
                                  "ocel2_inventory_management_sim.xml", "ocel1_order_process.jsonocel"])
def test_default_type_is_the_case_like_type_with_most_events(name: str) -> None:
    fmt = OCEL_LOGS[name][0]
    path = shared_log(name)
    log = load_ocel(path, fmt)
    linked = log.relations  # pm4py keeps each event's activity on its relations
    stats = linked.groupby("ocel:type").agg(events=("ocel:eid", "nunique"), objects=("ocel:oid", "nunique"),
                                            activities=("ocel:activity", "nunique"))
    stats = stats[stats.events / stats.objects <= 50]  # resources and master data are not cases
    best = stats.sort_values(["activities", "events"], ascending=False).iloc[0]
    expected = sorted(t for t, r in stats.iterrows()
                      if (r.activities, r.events) == (best.activities, best.events))[0]  # ties: alphabetical
    raw = read_ocel_raw(path, fmt)
    assert raw.object_type == expected
    assert raw.frame["ocel:eid"].nunique() == best.events
    assert raw.notes[0].startswith(f"flattened on object type {expected!r}")


@pytest.mark.shared
def test_employees_are_not_taken_for_cases() -> None:
    raw = read_ocel_raw(shared_log("ocel2_order_management_preview.sqlite"), LogFormat.OCEL2_SQLITE)
    assert raw.object_type == "orders"  # employees relate to more events, but 740 each: resources


@pytest.mark.shared
def test_inventory_default_type_breaks_ties_alphabetically() -> None:
    raw = read_ocel_raw(shared_log("ocel2_inventory_management_sim.xml"), LogFormat.OCEL2_XML)
    assert raw.object_type == "MAT"  # MAT and MAT_PLA tie (1210 events, 5 activities); PLA is plant master data
    assert "MAT_PLA (1210 events, 5 activities)" in raw.notes[0] and "PLA (1210 events" in raw.notes[0]


@pytest.mark.shared
def test_p2p_resource_attribute_and_row_numbers() -> None:
    path = shared_log("ocel2_p2p.sqlite.gz")
    raw = read_ocel_raw(path, LogFormat.OCEL2_SQLITE, object_type="purchase_order")
    assert raw.object_type == "purchase_order"
    assert RESOURCE in raw.frame.columns and "resource" not in raw.frame.columns
    assert raw.frame[RESOURCE].notna().all()
    assert raw.frame["lifecycle"].eq("complete").all()
    assert raw.frame[CASE].nunique() == 1598
    events = load_ocel(path, LogFormat.OCEL2_SQLITE).events.reset_index(drop=True)
    pointed = events["ocel:eid"].to_numpy()[raw.row_numbers - 1]
    assert (pointed == raw.frame["ocel:eid"].to_numpy()).all()


@pytest.mark.shared
def test_explicit_object_type_and_repeated_relations() -> None:
    raw = read_ocel_raw(shared_log("ocel2_p2p_tiny.xmlocel"), LogFormat.OCEL2_XML, object_type="Purchase Order")
    assert raw.object_type == "Purchase Order"
    assert raw.frame[CASE].nunique() == 2 and len(raw.frame) == 5
    assert not any(n.startswith("flattened on") for n in raw.notes)
    managed = read_ocel_raw(shared_log("ocel2_order_management_preview.sqlite"), LogFormat.OCEL2_SQLITE,
                            object_type="employees")  # one employee both shipper and forwarder
    assert any("30 repeated event-object relations" in n for n in managed.notes)
    assert not managed.frame.duplicated([CASE, "ocel:eid"]).any()


@pytest.mark.shared
def test_unknown_object_type_names_the_types() -> None:
    path = shared_log("ocel2_p2p_tiny.sqlite")
    with pytest.raises(EventLogError) as caught:
        read_ocel_raw(path, LogFormat.OCEL2_SQLITE, object_type="Order")
    message = str(caught.value)
    assert str(path) in message and "'Order'" in message
    for name in ("Invoice", "Payment", "Purchase Order", "Purchase Requisition"):
        assert name in message


@pytest.mark.shared
def test_tiny_json_is_one_hour_earlier_than_sqlite_and_xml() -> None:
    """The spec example's JSON says 14:00+00:00 where SQLite/XML say 15:00 without a zone."""
    frames = {fmt: read_ocel_raw(shared_log(name), fmt, object_type="Invoice").frame.set_index("ocel:eid")
              for name, (fmt, *_rest) in OCEL_LOGS.items() if name.startswith("ocel2_p2p_tiny")}
    json_times = frames[LogFormat.OCEL2_JSON][TIMESTAMP]
    for fmt in (LogFormat.OCEL2_SQLITE, LogFormat.OCEL2_XML):
        shift = frames[fmt][TIMESTAMP] - json_times.reindex(frames[fmt].index)
        assert (shift == pd.Timedelta(hours=1)).all()


@pytest.mark.shared
def test_reading_prints_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    read_ocel_raw(shared_log("ocel1_order_management_sim.csv.gz"), LogFormat.OCEL1_CSV)  # pm4py shows tqdm
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


@pytest.mark.shared
def test_convert_shared_logs(tmp_path: Path) -> None:
    tiny = shared_log("ocel2_p2p_tiny.sqlite")
    for suffix, fmt in ((".sqlite", LogFormat.OCEL2_SQLITE), (".jsonocel", LogFormat.OCEL2_JSON),
                        (".xml", LogFormat.OCEL2_XML)):
        out = convert_ocel(tiny, LogFormat.OCEL2_SQLITE, tmp_path / f"tiny{suffix}")
        assert detect_format(out) is fmt
        back = load_ocel(out, fmt)
        assert (len(back.events), len(back.objects), len(back.relations), len(back.o2o)) == (13, 9, 20, 7)
    process = shared_log("ocel1_order_process.jsonocel")  # OCEL 1.0, microsecond timestamps
    out = convert_ocel(process, LogFormat.OCEL1_JSON, tmp_path / "process.json")
    before = load_ocel(process, LogFormat.OCEL1_JSON).events.set_index("ocel:eid")["ocel:timestamp"]
    after = load_ocel(out, LogFormat.OCEL2_JSON).events.set_index("ocel:eid")["ocel:timestamp"]
    assert len(after) == 2391 and (after.reindex(before.index) == before).all()
    with pytest.raises(EventLogError, match="onto itself"):
        convert_ocel(out, LogFormat.OCEL2_JSON, out)


# --- writing and round trips (no shared files needed) -----------------------------------------

@pytest.mark.parametrize("suffix,fmt", [(".sqlite", LogFormat.OCEL2_SQLITE), (".json", LogFormat.OCEL2_JSON),
                                        (".xml", LogFormat.OCEL2_XML), (".db", LogFormat.OCEL2_SQLITE),
                                        (".jsonocel", LogFormat.OCEL2_JSON), (".xmlocel", LogFormat.OCEL2_XML)])
def test_round_trip(canonical: pd.DataFrame, tmp_path: Path, suffix: str, fmt: LogFormat) -> None:
    path = write_ocel2(canonical, tmp_path / f"out{suffix}")
    assert path == tmp_path / f"out{suffix}" and path.is_file()
    assert detect_format(path) is fmt
    raw = read_ocel_raw(path, fmt, object_type="case")
    assert raw.events_stored == len(canonical)
    assert raw.objects == {"case": 3, "location": 2, "sku": 2}

    norm = normalise_events(raw.frame, LogProfile(), row_numbers=raw.row_numbers)
    assert norm.quarantine.empty and len(norm.frame) == len(canonical)
    key = [CASE, TIMESTAMP]
    got = norm.frame.sort_values(key).reset_index(drop=True)
    want = canonical.sort_values(key).reset_index(drop=True)
    assert got[CASE].tolist() == want[CASE].tolist()
    assert got[ACTIVITY].tolist() == want[ACTIVITY].tolist()
    assert str(got[TIMESTAMP].dtype) == "datetime64[ns, UTC]"
    assert (got[TIMESTAMP] == want[TIMESTAMP]).all()  # incl. 09:15:30.250 and the +08:00 input
    assert got[RESOURCE].fillna("-").tolist() == want[RESOURCE].fillna("-").tolist()
    assert got[RESOURCE].isna().sum() == 1
    assert np.allclose(got["qty"], want["qty"], equal_nan=True)
    assert got["sku"].fillna("-").tolist() == want["sku"].fillna("-").tolist()
    starts = pd.to_datetime(got["start_timestamp"], utc=True, format="ISO8601")
    assert starts.notna().sum() == 2
    assert (starts.dropna() == want["start_timestamp"].dropna()).all()


def test_round_trip_flattened_on_sku(canonical: pd.DataFrame, tmp_path: Path) -> None:
    path = write_ocel2(canonical, tmp_path / "out.sqlite")
    raw = read_ocel_raw(path, LogFormat.OCEL2_SQLITE, object_type="sku")
    assert raw.frame.groupby(CASE).size().to_dict() == {"A": 3, "B": 2}
    assert any("1 event relates to no object of type 'sku' and is not" in n for n in raw.notes)
    assert raw.row_numbers.tolist() == [1, 2, 3, 4, 5]


def test_doc_type_sets_case_object_types_and_ids_stay_unique(tmp_path: Path) -> None:
    frame = pd.DataFrame({
        CASE: ["A", "A", "P1"], ACTIVITY: ["order_received", "pick", "po_created"],
        TIMESTAMP: _utc("2024-01-01T08:00:00Z", "2024-01-01T09:00:00Z", "2024-01-02T08:00:00Z"),
        "doc_type": ["sales_order", None, "purchase_order"], "sku": ["A", "A", "A"],
        "location": ["W1", "W1", None], "to_location": [None, "W2", "W1"],
    })
    path = write_ocel2(frame, tmp_path / "docs.json")
    log = load_ocel(path, LogFormat.OCEL2_JSON)
    types = dict(zip(log.objects["ocel:oid"], log.objects["ocel:type"]))
    assert types == {"A": "sales_order", "P1": "purchase_order", "sku:A": "sku",  # "A" is a case id already
                     "W1": "location", "W2": "location"}
    qualifiers = log.relations.groupby("ocel:qualifier").size().to_dict()
    assert qualifiers == {"case": 3, "location": 2, "sku": 3, "to_location": 2}
    raw = read_ocel_raw(path, LogFormat.OCEL2_JSON, object_type="sales_order")
    assert raw.frame[CASE].tolist() == ["A", "A"]


def test_rewrite_a_log_read_from_ocel(canonical: pd.DataFrame, tmp_path: Path) -> None:
    """A normalised frame carries ocel:eid, source_row and semantic; writing it again still works."""
    first = read_ocel_raw(write_ocel2(canonical, tmp_path / "first.xml"), LogFormat.OCEL2_XML, object_type="case")
    frame = normalise_events(first.frame, LogProfile(), row_numbers=first.row_numbers).frame
    assert {"ocel:eid", "source_row", "semantic"} <= set(frame.columns)
    second = read_ocel_raw(write_ocel2(frame, tmp_path / "second.sqlite"), LogFormat.OCEL2_SQLITE,
                           object_type="case")
    assert second.events_stored == len(canonical) and second.objects == first.objects
    assert "source_row" not in second.frame.columns
    assert sorted(second.frame[TIMESTAMP]) == sorted(canonical[TIMESTAMP])


def test_write_rejects_unknown_suffix_and_bad_frames(canonical: pd.DataFrame, tmp_path: Path) -> None:
    with pytest.raises(EventLogError, match="suffix '.csv'"):
        write_ocel2(canonical, tmp_path / "out.csv")
    naive = canonical.assign(**{TIMESTAMP: canonical[TIMESTAMP].dt.tz_localize(None)})
    with pytest.raises(ValueError, match="tz-aware UTC"):
        write_ocel2(naive, tmp_path / "out.sqlite")
    assert not (tmp_path / "out.sqlite").exists()


def test_write_overwrites_an_existing_file(canonical: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "sub" / "out.sqlite"
    write_ocel2(canonical, path)
    write_ocel2(canonical.iloc[:2], path)
    assert read_ocel_raw(path, LogFormat.OCEL2_SQLITE).events_stored == 2


# --- damaged input ----------------------------------------------------------------------------

def _truncated(source: Path, target: Path, fraction: float = 0.6) -> Path:
    data = source.read_bytes()
    target.write_bytes(data[: int(len(data) * fraction)])
    return target


@pytest.fixture
def written(canonical: pd.DataFrame, tmp_path: Path) -> dict[str, Path]:
    """A 60-event log in each OCEL 2.0 format, big enough that truncation cuts events."""
    many = pd.concat([canonical.assign(**{CASE: canonical[CASE] + f"-{i}"}) for i in range(10)],
                     ignore_index=True)
    return {suffix: write_ocel2(many, tmp_path / f"good{suffix}") for suffix in (".sqlite", ".json", ".xml")}


def test_truncated_sqlite_gz(written: dict[str, Path], tmp_path: Path) -> None:
    packed = tmp_path / "log.sqlite.gz"
    packed.write_bytes(gzip.compress(written[".sqlite"].read_bytes()))
    assert read_ocel_raw(packed, LogFormat.OCEL2_SQLITE).events_stored == 60
    broken = _truncated(packed, tmp_path / "broken.sqlite.gz")
    with pytest.raises(EventLogError, match="damaged gzip") as caught:
        read_ocel_raw(broken, LogFormat.OCEL2_SQLITE)
    assert caught.value.path == str(broken)


@pytest.mark.parametrize("suffix,fmt", [(".sqlite", LogFormat.OCEL2_SQLITE), (".json", LogFormat.OCEL2_JSON),
                                        (".xml", LogFormat.OCEL2_XML)])
def test_truncated_files_raise(written: dict[str, Path], tmp_path: Path, suffix: str, fmt: LogFormat) -> None:
    broken = _truncated(written[suffix], tmp_path / f"broken{suffix}")
    with pytest.raises(EventLogError) as caught:
        read_ocel_raw(broken, fmt)
    assert caught.value.path == str(broken)
    assert f"cannot read as {fmt.value}" in str(caught.value) and "\n" not in str(caught.value)


def test_wrong_or_foreign_content_raises(written: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(EventLogError, match="ocel1-json"):
        read_ocel_raw(written[".json"], LogFormat.OCEL1_JSON)
    not_ocel = tmp_path / "plain.json"
    not_ocel.write_text('{"hello": "world"}', encoding="utf-8")
    with pytest.raises(EventLogError, match=re.escape(str(not_ocel))):
        read_ocel_raw(not_ocel, LogFormat.OCEL2_JSON)
    bad_xml = tmp_path / "bad.xml"
    bad_xml.write_text("<log><event id='1'></log>", encoding="utf-8")
    with pytest.raises(EventLogError, match="ocel2-xml"):
        read_ocel_raw(bad_xml, LogFormat.OCEL2_XML)
    with pytest.raises(EventLogError, match="no such file"):
        read_ocel_raw(tmp_path / "missing.sqlite", LogFormat.OCEL2_SQLITE)
    with pytest.raises(EventLogError, match="not an OCEL format"):
        read_ocel_raw(written[".json"], LogFormat.CSV)


def test_sqlite_without_ocel_tables_raises(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "tables.sqlite"
    with sqlite3.connect(path) as con:
        con.execute("create table orders (id integer, placed text)")
    with pytest.raises(EventLogError, match="no such table"):
        read_ocel_raw(path, LogFormat.OCEL2_SQLITE)


def test_doctests() -> None:
    result = doctest.testmod(ocel_module, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 3 and result.failed == 0


def test_offsets_written_in_an_ocel_file_give_the_local_zone(canonical: pd.DataFrame, tmp_path: Path) -> None:
    import json
    import sqlite3

    from jxcsim.eventlog import read_event_log

    path = write_ocel2(canonical, tmp_path / "log.jsonocel")
    data = json.loads(path.read_text())
    for event in data["events"]:
        event["time"] = pd.Timestamp(event["time"]).tz_convert("Asia/Shanghai").isoformat()
    path.write_text(json.dumps(data))
    db = write_ocel2(canonical, tmp_path / "log.sqlite")
    with sqlite3.connect(db) as con:
        for (table,) in con.execute("select ocel_type_map from event_map_type").fetchall():
            rows = con.execute(f'select ocel_id, ocel_time from "event_{table}"').fetchall()
            con.executemany(f'update "event_{table}" set ocel_time = ? where ocel_id = ?',
                            [(pd.Timestamp(t).tz_convert("Asia/Shanghai").isoformat(), i) for i, t in rows])
    for source in (path, db):
        log = read_event_log(source, object_type="case")
        assert log.timezone == "+08:00", source
        assert sorted(log.frame[TIMESTAMP]) == sorted(canonical[TIMESTAMP])
    utc = read_event_log(write_ocel2(canonical, tmp_path / "utc.jsonocel"), object_type="case")
    assert utc.timezone == "+00:00"
