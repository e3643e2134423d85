"""Foreign logs at their edges: mixed kinds of timestamps, zone abbreviations, day orders, DST offsets."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

from conftest import shared_file
from jxcsim.eventlog import read_event_log

TS = "time:timestamp"


def write(tmp_path: Path, text: str, name: str = "log.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def utc(*values: str) -> list[pd.Timestamp]:
    return [pd.Timestamp(v, tz="UTC") for v in values]


def test_naive_times_beside_offsets_are_read_in_the_profile_zone(tmp_path):
    path = write(tmp_path, "case,activity,timestamp\nC1,a,2024-01-03T08:00:00+08:00\nC1,b,2024-01-03 09:00\n")
    log = read_event_log(path, profile={"timezone": "Europe/Berlin"})
    assert log.frame[TS].tolist() == utc("2024-01-03 00:00", "2024-01-03 08:00")  # 09:00 Berlin = 08:00 UTC
    assert log.notes == []


def test_naive_times_without_a_profile_zone_take_the_most_common_offset_with_a_note(tmp_path):
    text = "case,activity,timestamp\nC1,a,2024-01-03T08:00:00+08:00\nC1,b,2024-01-03 09:00\nC1,c,03/01/2024 10:00\n"
    log = read_event_log(write(tmp_path, text))
    assert log.frame[TS].tolist() == utc("2024-01-03 00:00", "2024-01-03 01:00", "2024-03-01 02:00")
    assert any(n.startswith("2 timestamps without a UTC offset read at +08:00") for n in log.notes)


def test_time_zone_abbreviations_are_never_ignored(tmp_path):
    text = "case,activity,timestamp\nC1,a,2024-01-03 08:00 CET\nC1,b,2024-01-03 09:00 PST\nC1,c,2024-01-03 10:00 UTC\n"
    bare = read_event_log(write(tmp_path, text))
    assert bare.frame[TS].tolist() == utc("2024-01-03 10:00")  # UTC is an offset
    assert bare.quarantine["reason"].str.startswith("timestamp with a time-zone abbreviation (ambiguous)").all()
    assert "set timezone: in a profile '2024-01-03 08:00 CET'" in bare.quarantine["reason"].iloc[0]
    berlin = read_event_log(write(tmp_path, text, "b.csv"), profile={"timezone": "Europe/Berlin"})
    assert berlin.frame[TS].tolist() == utc("2024-01-03 07:00", "2024-01-03 10:00")  # 08:00 CET is Berlin's
    assert berlin.quarantine["reason"].tolist() == [
        "timestamp with a time-zone abbreviation not of Europe/Berlin: write a UTC offset such as +01:00 "
        "'2024-01-03 09:00 PST'"]


def test_one_day_order_for_a_column_and_contradicting_dates_are_quarantined(tmp_path):
    text = ("case,activity,timestamp\nC1,b,03/01/2024 09:00\nC1,c,13/01/2024 09:00\nC2,a,01/13/2024 08:00\n"
            "C2,b,14/01/2024 08:00\n")
    log = read_event_log(write(tmp_path, text))  # two dates say day first, one month first
    assert sorted(log.frame[TS]) == utc("2024-01-03 09:00", "2024-01-13 09:00", "2024-01-14 08:00")
    assert log.quarantine["reason"].tolist() == [
        "timestamp with the other day order (the column reads day first) '01/13/2024 08:00'"]
    tie = read_event_log(write(tmp_path, "case,activity,timestamp\nC1,c,13/01/2024 09:00\nC2,a,01/13/2024 08:00\n",
                               "tie.csv"))
    assert len(tie.frame) == 1 and len(tie.quarantine) == 1
    assert any(n.startswith("day order: dates show both") for n in tie.notes)


def test_a_day_order_no_date_shows_is_noted(tmp_path):
    log = read_event_log(write(tmp_path, "case,activity,timestamp\nC1,a,03/02/2024 08:00\nC1,b,04/02/2024 09:00\n"))
    assert log.frame[TS].tolist() == utc("2024-03-02 08:00", "2024-04-02 09:00")  # slashes: month first
    assert any("were read month first; set dayfirst: true" in n for n in log.notes)
    given = read_event_log(write(tmp_path, "case,activity,timestamp\nC1,a,03/02/2024 08:00\n", "g.csv"),
                           profile={"dayfirst": True})
    assert given.frame[TS].tolist() == utc("2024-02-03 08:00") and given.notes == []


def test_a_date_only_column_with_dashes_has_no_offset(tmp_path):
    log = read_event_log(write(tmp_path, "case,activity,timestamp\nC1,a,03-01-2024\nC1,b,04-01-2024\n"))
    assert log.timezone == "UTC" and len(log.quarantine) == 0


def test_several_offsets_without_a_profile_zone_suggest_an_iana_zone(tmp_path):
    text = ("case,activity,timestamp\nC1,a,2024-03-29T10:00:00+01:00\nC1,b,2024-04-02T10:00:00+02:00\n"
            "C1,c,2024-04-03T10:00:00+02:00\n")
    log = read_event_log(write(tmp_path, text))
    assert log.timezone == "+02:00"
    assert any(n.startswith("times carry several UTC offsets (+02:00 67%, +01:00 33%)") and "IANA" in n
               for n in log.notes)
    zoned = read_event_log(write(tmp_path, text, "z.csv"), profile={"timezone": "Europe/Berlin"})
    assert not any("several UTC offsets" in n for n in zoned.notes)


def test_xes_with_daylight_saving_offsets_gets_the_note(tmp_path):
    events = "".join(f'<event><string key="concept:name" value="a"/><date key="time:timestamp" value="{t}"/></event>'
                     for t in ("2024-03-29T10:00:00+01:00", "2024-04-02T10:00:00+02:00"))
    path = write(tmp_path, f'<log xes.version="1.0"><trace><string key="concept:name" value="1"/>{events}</trace></log>',
                 "log.xes")
    assert any(n.startswith("times carry several UTC offsets") for n in read_event_log(path).notes)


def test_shared_road_traffic_log_names_its_offsets():
    log = read_event_log(shared_file("roadtraffic_100traces.xes"))
    assert any("several UTC offsets (+02:00" in n for n in log.notes)


def test_whitespace_around_text_values_is_stripped_and_blank_is_missing(tmp_path):
    text = ("case,activity,timestamp,resource,sku\n007,Load truck,2024-01-03 08:00, ann ,A\n"
            " 007 ,Post goods issue ,2024-01-03 09:00,ann,  \n008, Load truck,2024-01-03 10:00,bob,\u3000B\n")
    log = read_event_log(write(tmp_path, text), profile={"activities": {"Load truck": "physical_issue",
                                                                        "Post goods issue": "book_issue"}})
    f = log.frame
    assert f["case:concept:name"].tolist() == ["007", "007", "008"]
    assert f["concept:name"].tolist() == ["Load truck", "Post goods issue", "Load truck"]
    assert f["semantic"].tolist() == ["physical_issue", "book_issue", "physical_issue"]
    assert f["org:resource"].tolist() == ["ann", "ann", "bob"]
    assert f["sku"].iloc[0] == "A" and pd.isna(f["sku"].iloc[1]) and f["sku"].iloc[2] == "B"


@pytest.mark.parametrize(("name", "content", "message"), [
    ("t.parquet", b"PAR1\x15\x04\x15\x10\x00\x00", "looks like a Parquet file; export it as CSV"),
    ("t.csv.zip", b"PK\x03\x04\x14\x00\x00\x00log.csv", "looks like a ZIP archive; unzip it"),
    ("t.xlsx", b"PK\x03\x04\x14\x00[Content_Types].xml xl/workbook.xml", "looks like an Excel workbook; save the sheet"),
    ("t.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1\x00\x00", "looks like an old Excel workbook (.xls)"),
    ("t.csv", "case,activity\n".encode("utf-16"), "looks like UTF-16 text"),
    ("t.dat", b"\x01\x02\x00\x00\x05binary", "looks like a binary file, not text"),
    ("t.html", b"<!DOCTYPE html><html><body>login</body></html>", "looks like a web page (HTML)"),
    ("t.json", b'{"rows": [1, 2]}', "a JSON file that is not OCEL"),
])
def test_files_jxcsim_does_not_read_say_what_they_look_like(tmp_path, name, content, message):
    from jxcsim.eventlog import EventLogError

    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(EventLogError, match=re.escape(message)):
        read_event_log(path)


def test_the_weekday_hour_grid_keeps_large_counts_apart():
    from jxcsim.eventlog.summary import render_summary

    grid = [[0] * 24 for _ in range(7)]
    grid[0][4], grid[0][6] = 12_596, 23_330
    summary = {"source": "x.csv", "format": "csv", "cases": 1, "events": 1, "activity_instances": 1,
               "activities": 1, "resources": 0, "start": None, "end": None, "timezone": "UTC", "rows_read": 1,
               "rows_accepted": 1, "quarantined": 0, "pairing": {"paired_starts": 0, "unmatched_starts": 0,
                                                                 "start_times": False},
               "quarantine_reasons": {}, "activity_counts": {}, "weekday_hour": grid, "notes": []}
    monday = next(line for line in render_summary(summary).splitlines() if line.startswith("  Mon"))
    assert monday.split()[1:5] == ["0", "0", "12596", "23330"]


def test_dotted_dates_are_day_first_without_a_note(tmp_path):
    log = read_event_log(write(tmp_path, "case;activity;timestamp\n1;a;06.01.2025 08:00\n"))
    assert log.frame[TS].tolist() == utc("2025-01-06 08:00") and not any("day order" in n for n in log.notes)


def test_a_long_quoted_note_a_blank_value_and_bracketed_queries(tmp_path):
    """A 200,000-character quoted note is one field (csv's default limit is 131,072); an empty text
    value is missing even when nothing needed trimming; a bracketed SELECT is a query that reads rows."""
    from jxcsim.eventlog.normalise import _as_text
    from jxcsim.eventlog.sql_reader import check_query

    path = tmp_path / "long.csv"
    note = "x" * 200_000
    path.write_text('case,activity,timestamp,note\nC1,Load,2025-01-06T08:00:00+00:00,"' + note + '"\n'
                    "C1,Post,2025-01-06T09:00:00+00:00,\n", encoding="utf-8")
    log = read_event_log(path)
    assert log.rows_accepted == 2 and len(log.quarantine) == 0
    assert _as_text(pd.Series(["W", "", "W"], dtype=object)).isna().tolist() == [False, True, False]
    check_query("(select * from ev)")
    check_query("select*from ev")


@pytest.mark.parametrize("stamp", ["20240103T080000+0800", "2024-01-03T0800+08:00", "2024-01-03 08:00:00 +8"])
def test_offsets_in_basic_iso_or_with_one_hour_digit_are_read_at_their_offset(tmp_path, stamp):
    path = tmp_path / "l.csv"
    path.write_text(f"case,activity,timestamp\nC1,A,{stamp}\nC1,B,2024-01-03T09:00:00+08:00\n", encoding="utf-8")
    log = read_event_log(path)
    assert log.frame["time:timestamp"].astype(str).tolist() == ["2024-01-03 00:00:00+00:00",
                                                                "2024-01-03 01:00:00+00:00"]


def test_an_offset_form_the_reader_cannot_place_is_quarantined_not_read_hours_off(tmp_path):
    path = tmp_path / "l.csv"
    path.write_text("case,activity,timestamp\nC1,A,2024-01-03 08:00:00 GMT+8\nC1,B,2024-01-03 09:00:00\n",
                    encoding="utf-8")
    log = read_event_log(path)
    assert log.rows_accepted == 1 and "GMT+8" in log.quarantine["reason"].iloc[0]


def test_a_timestamp_format_that_matches_no_value_is_named(tmp_path):
    path = write(tmp_path, "case,activity,timestamp\n1,a,2024-01-03 14:00\n1,b,2024-01-03 15:00\n")
    log = read_event_log(path, profile={"timestamp_format": "%d.%m.%Y %H:%M"})
    assert log.rows_accepted == 0
    assert log.quarantine["reason"].tolist()[0] == "unparseable timestamp '2024-01-03 14:00'"
    assert ("no timestamp matches the profile's timestamp_format '%d.%m.%Y %H:%M' (values look like "
            "'2024-01-03 14:00'); remove it to let the reader detect the format") in " ".join(log.notes)


def test_a_timestamp_format_most_values_miss_is_noted_with_the_cure(tmp_path):
    rows = ["1,a,03.01.2024 14:00", "1,b,2024-01-03 15:00 or so", "2,a,later", "2,b,soon"]
    log = read_event_log(write(tmp_path, "case,activity,timestamp\n" + "\n".join(rows) + "\n"),
                         profile={"timestamp_format": "%d.%m.%Y %H:%M"})
    assert log.rows_accepted == 1
    note = next(n for n in log.notes if "timestamp_format" in n)
    assert note.startswith("3 of 4 timestamps do not match the profile's timestamp_format '%d.%m.%Y %H:%M'")
    assert note.endswith("correct it to match the values (strftime codes such as %d.%m.%Y %H:%M)")
    few = read_event_log(write(tmp_path, "case,activity,timestamp\n1,a,03.01.2024 14:00\n1,b,oops\n1,c,"
                                         "04.01.2024 14:00\n", name="few.csv"),
                         profile={"timestamp_format": "%d.%m.%Y %H:%M"})
    assert not any("timestamp_format" in n for n in few.notes)  # one bad value is just a bad value


def test_counts_in_notes_take_the_noun_in_the_number_they_need(tmp_path):
    from jxcsim.eventlog import write_event_log
    from jxcsim.eventlog.summary import render_summary, summarize_log

    path = write(tmp_path, "case,activity,timestamp,sku,warehouse\n1,Pick,2024-01-01 08:00,A,W\n"
                           "2,Pick,2024-01-01 09:00,B,W\n")
    write_event_log(read_event_log(path), tmp_path / "a.sqlite")
    ocel = read_event_log(tmp_path / "a.sqlite")
    assert ocel.notes[0].startswith("flattened on object type 'case' (2 events, 1 activity); other types: "
                                    "location (2 events, 1 activity)")
    one = read_event_log(write(tmp_path, "case,activity,timestamp\n1,Pick,2024-01-01 08:00+08:00\n"
                                         "1,Pack,2024-01-01 09:00\n", name="one.csv"))
    assert any(n.startswith("1 timestamp without a UTC offset read at +08:00") and "if it is in another zone" in n
               for n in one.notes)
    assert "1 stored, 1 activity instance\n" in render_summary(summarize_log(read_event_log(
        write(tmp_path, "case,activity,timestamp\n1,Pick,2024-01-01 08:00\n", name="single.csv"))))
