"""CSV input: encodings, delimiters, bad lines, and the quarantine of every kind of bad row."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd
import pytest

from jxcsim.eventlog import EventLogError, read_event_log
from jxcsim.eventlog.summary import reason_kind

HEADER = "case,activity,timestamp,sku,qty"


def write(tmp_path: Path, text: str, name: str = "log.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def reasons(log) -> list[str]:
    return [reason_kind(r) for r in log.quarantine["reason"]]


def test_counts_add_up_and_each_bad_row_has_its_reason(tmp_path):
    rows = [
        HEADER,
        "1,Load truck,2024-01-03 14:00,A,5",        # ok
        ",Load truck,2024-01-03 14:00,A,5",         # missing case id
        "2,,2024-01-03 14:00,A,5",                  # missing activity
        "3,Load truck,,A,5",                        # missing timestamp
        "4,Load truck,yesterday-ish,A,5",           # unparseable
        "5,Load truck,2024-01-03 14:00,A,five",     # non-numeric qty
        "6,Load truck,2024-01-03 14:00,A,-2",       # negative qty for physical_issue
        "7,Adjust,2024-01-03 14:00,A,-2",           # signed adjustment: fine
        "1,Load truck,2024-01-03 14:00,A,5",        # exact duplicate of row 2
        "8,Post goods issue,2024-01-03 15:00,A,\"1,250\"",  # thousands separator: fine
    ]
    profile = {"activities": {"Load truck": "physical_issue", "Post goods issue": "book_issue",
                              "Adjust": "adjustment"}}
    log = read_event_log(write(tmp_path, "\n".join(rows) + "\n"), profile=profile)
    assert log.rows_read == 10
    assert log.rows_accepted + len(log.quarantine) == log.rows_read
    assert len(log.frame) == 3
    assert reasons(log) == ["missing case id", "missing activity", "missing timestamp",
                            "unparseable timestamp", "non-numeric qty",
                            "negative qty for physical_issue (the semantic gives the direction)",
                            "exact duplicate of input row"]
    assert log.quarantine["source_row"].tolist() == [3, 4, 5, 6, 7, 8, 10]
    assert log.quarantine["reason"].iloc[-1] == "exact duplicate of input row 2"
    assert sorted(log.frame["qty"].tolist()) == [-2.0, 5.0, 1250.0]


def test_strict_profile_quarantines_unlisted_activities(tmp_path):
    path = write(tmp_path, "case,activity,timestamp\n1,Pick,2024-01-01 08:00\n1,Coffee break,2024-01-01 09:00\n")
    lax = read_event_log(path, profile={"activities": {"Pick": "pick"}})
    strict = read_event_log(path, profile={"activities": {"Pick": "pick"}, "strict": True})
    assert len(lax.frame) == 2 and lax.frame["semantic"].isna().sum() == 1
    assert len(strict.frame) == 1
    assert strict.quarantine["reason"].tolist() == ["activity not in the strict profile: 'Coffee break'"]


def test_gbk_export_is_detected_and_read(tmp_path):
    text = "单号,活动,时间,仓库\nSO-1,装车,2024-03-06 14:10,华东仓\nSO-1,过账,2024-03-06 18:40,华东仓\n"
    path = write(tmp_path, text, encoding="gbk")
    profile = {"columns": {"case": "单号", "activity": "活动", "timestamp": "时间", "location": "仓库"},
               "timezone": "Asia/Shanghai", "activities": {"装车": "physical_issue", "过账": "book_issue"}}
    log = read_event_log(path, profile=profile)
    assert log.frame["location"].tolist() == ["华东仓", "华东仓"]
    assert log.frame["time:timestamp"].iloc[0] == pd.Timestamp("2024-03-06 06:10", tz="UTC")
    assert log.local_timestamps().dt.hour.tolist() == [14, 18]
    assert "encoding gb18030" in log.notes


def test_cp1252_export_is_not_read_as_chinese(tmp_path):
    text = ("Auftrag;Schritt;Zeit;Benutzer\nSO-1;Auftrag erfaßt;04.03.2024 09:00;Müller\n"
            "SO-1;LKW beladen;04.03.2024 14:00;Jörg\nSO-2;Auftrag erfaßt;05.03.2024 10:00;Großmann\n")
    path = write(tmp_path, text, encoding="cp1252")
    profile = {"columns": {"case": "Auftrag", "activity": "Schritt", "timestamp": "Zeit", "resource": "Benutzer"}}
    log = read_event_log(path, profile=profile)
    assert log.frame["org:resource"].tolist() == ["Müller", "Jörg", "Großmann"]
    assert log.frame["concept:name"].iloc[0] == "Auftrag erfaßt"
    assert any(n.startswith("encoding cp1252 (guessed: not UTF-8, and not Chinese GB18030 text)") for n in log.notes)
    told = read_event_log(path, profile={**profile, "encoding": "gb18030"})  # the profile's encoding wins
    assert "encoding gb18030" in told.notes and told.frame["org:resource"].iloc[0] != "Müller"


def test_a_cp1252_file_gb18030_cannot_decode_is_read_too(tmp_path):
    path = write(tmp_path, "case;activity;timestamp\n1;Menü;2024-01-01 08:00\n2;Café au lait;2024-01-01 09:00\n",
                 encoding="cp1252")
    log = read_event_log(path)
    assert log.frame["concept:name"].tolist() == ["Menü", "Café au lait"]
    assert any(n.startswith("encoding cp1252 (guessed") for n in log.notes)


def test_gbk_with_a_few_extension_characters_stays_gbk(tmp_path):
    # 丂 and 乗 are GBK extension characters whose trail bytes are ASCII (0x40, 0x7E)
    text = "单号,活动,时间\nSO-1,装车丂,2024-03-06 14:10\nSO-1,过账乗,2024-03-06 18:40\nSO-2,装车,2024-03-06 19:40\n"
    log = read_event_log(write(tmp_path, text, encoding="gbk"),
                         profile={"columns": {"case": "单号", "activity": "活动", "timestamp": "时间"}})
    assert log.frame["concept:name"].tolist() == ["装车丂", "过账乗", "装车"]
    assert "encoding gb18030" in log.notes


def test_gbk_file_read_as_utf8_names_file_and_line(tmp_path):
    text = "case,activity,timestamp\n1,pick,2024-01-01 08:00\n2,装车,2024-01-01 09:00\n"
    path = write(tmp_path, text, encoding="gbk")
    with pytest.raises(EventLogError) as err:
        read_event_log(path, profile={"encoding": "utf-8"})
    assert str(err.value).startswith(f"{path}:3: cannot decode as utf-8")


def test_semicolon_and_tab_delimiters_are_sniffed(tmp_path):
    for sep in (";", "\t"):
        path = write(tmp_path, f"case{sep}activity{sep}timestamp\n1{sep}a{sep}2024-01-01 08:00\n", name="d.csv")
        assert len(read_event_log(path).frame) == 1


def test_wrong_delimiter_gives_a_hint(tmp_path):
    path = write(tmp_path, "case;activity;timestamp\n1;a;2024-01-01 08:00\n")
    with pytest.raises(EventLogError, match=r":1: only one column .* the delimiter looks like ';'"):
        read_event_log(path, profile={"delimiter": ","})


def test_ragged_and_blank_lines_are_quarantined_with_line_numbers(tmp_path):
    text = "case,activity,timestamp\n1,a,2024-01-01 08:00\n2,b,2024-01-01 09:00,extra\n\n3,c,2024-01-01 10:00\n"
    log = read_event_log(write(tmp_path, text))
    assert log.rows_read == 4 and len(log.frame) == 2
    q = log.quarantine.set_index("source_row")["reason"].to_dict()
    assert q[3].startswith("expected 3 fields, found 4")
    assert q[4] == "empty row"
    assert log.frame["source_row"].tolist() == [2, 5]


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_a_blank_line_alone_is_an_empty_row_at_its_line(tmp_path, newline):
    lines = ["case,activity,timestamp", "1,a,2024-01-01 08:00", "", "3,c,2024-01-01 10:00", ""]
    log = read_event_log(write(tmp_path, newline.join(lines)))
    assert log.rows_read == 3 and len(log.frame) == 2
    assert log.quarantine.set_index("source_row")["reason"].to_dict() == {3: "empty row"}
    assert log.frame["source_row"].tolist() == [2, 4]


@pytest.mark.parametrize("ending", ["\n\n", "\r\n\r\n", "\n\n\n", "\n  \n\t\n"])
@pytest.mark.parametrize("quoted", [False, True])
def test_blank_lines_at_the_end_of_the_file_are_no_rows(tmp_path, ending, quoted):
    first = '1,"a",2024-01-01 08:00' if quoted else "1,a,2024-01-01 08:00"
    text = "\n".join(["case,activity,timestamp", first, "", "3,c,2024-01-01 10:00"]) + ending
    log = read_event_log(write(tmp_path, text))
    assert log.rows_read == 3 and len(log.frame) == 2
    assert log.quarantine.set_index("source_row")["reason"].to_dict() == {3: "empty row"}  # the middle one stays


def test_blank_lines_at_the_end_of_a_gbk_file_are_no_rows(tmp_path):
    path = write(tmp_path, "单号,活动,时间\nSO-1,装车,2024-03-06 14:10\n\n\n", encoding="gbk")
    log = read_event_log(path, profile={"columns": {"case": "单号", "activity": "活动", "timestamp": "时间"}})
    assert log.rows_read == 1 and log.quarantine.empty


def test_duplicates_are_exact_rows_not_equal_times(tmp_path):
    text = ("case,activity,timestamp\n1,a,2024-01-01 08:00\n1,a,2024-01-01T08:00\n"
            "2,b,2024-01-01 08:00\n1,a,2024-01-01 08:00\n3,c,2024-01-01 09:00\n")
    log = read_event_log(write(tmp_path, text))
    assert log.quarantine.set_index("source_row")["reason"].to_dict() == {5: "exact duplicate of input row 2"}
    assert len(log.frame) == 4


def test_script_activity_name_is_kept_as_data(tmp_path):
    name = "<script>alert('x')</script>"
    log = read_event_log(write(tmp_path, f"case,activity,timestamp\n1,\"{name}\",2024-01-01 08:00\n"))
    assert log.frame["concept:name"].tolist() == [name]


def test_zero_byte_and_truncated_gzip_are_clear_errors(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(EventLogError, match="empty file"):
        read_event_log(empty)
    data = gzip.compress(("case,activity,timestamp\n" + "1,a,2024-01-01 08:00\n" * 5000).encode())
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(EventLogError, match="damaged gzip"):
        read_event_log(cut)


def test_mixed_offsets_are_normalised_and_naive_times_use_the_profile_zone(tmp_path):
    text = ("case,activity,timestamp\n1,a,2024-03-30T10:00:00+01:00\n1,b,2024-04-01T10:00:00+02:00\n"
            "1,c,2024-04-02T08:00:00Z\n")
    log = read_event_log(write(tmp_path, text))
    assert log.frame["time:timestamp"].dt.hour.tolist() == [9, 8, 8]
    assert len(log.quarantine) == 0
    naive = read_event_log(write(tmp_path, "case,activity,timestamp\n1,a,2024-01-01 08:00\n", name="n.csv"),
                           profile={"timezone": "Europe/Berlin"})
    assert naive.frame["time:timestamp"].iloc[0] == pd.Timestamp("2024-01-01 07:00", tz="UTC")
    assert naive.timezone == "Europe/Berlin"


def test_split_date_and_time_columns_and_day_first_format(tmp_path):
    text = "doc,step,date,time\n4711,GI,03.01.2024,14:30:00\n"
    profile = {"columns": {"case": "doc", "activity": "step", "timestamp": ["date", "time"]},
               "timestamp_format": "%d.%m.%Y %H:%M:%S"}
    log = read_event_log(write(tmp_path, text), profile=profile)
    assert log.frame["time:timestamp"].iloc[0] == pd.Timestamp("2024-01-03 14:30", tz="UTC")


def test_start_after_end_is_quarantined_and_start_column_kept(tmp_path):
    text = ("case_id,activity,start_time,end_time\n1,a,2024-01-01 08:00,2024-01-01 09:00\n"
            "1,b,2024-01-01 11:00,2024-01-01 10:00\n")
    log = read_event_log(write(tmp_path, text))
    assert log.frame["start_timestamp"].tolist() == [pd.Timestamp("2024-01-01 08:00", tz="UTC")]
    assert log.quarantine["reason"].tolist() == ["start timestamp after completion timestamp"]


def test_quarantine_can_be_written_for_the_user(tmp_path):
    log = read_event_log(write(tmp_path, "case,activity,timestamp\n1,a,nope\n"))
    out = log.write_quarantine(tmp_path / "q" / "quarantine.csv")
    back = pd.read_csv(out)
    assert back.columns.tolist()[:2] == ["source_row", "reason"]
    assert back["timestamp"].tolist() == ["nope"]


def test_missing_mapped_column_names_the_role(tmp_path):
    path = write(tmp_path, "case,activity,timestamp\n1,a,2024-01-01 08:00\n")
    with pytest.raises(EventLogError, match="profile maps sku to column 'material'"):
        read_event_log(path, profile={"columns": {"sku": "material"}})


def test_a_trailing_delimiter_on_every_row_is_harmless(tmp_path):
    text = "case,activity,timestamp\nC1,a,2024-01-03 08:00,\nC1,b,2024-01-03 09:00,\nC2,a,2024-01-03 10:00,\n"
    log = read_event_log(write(tmp_path, text))
    assert (log.rows_read, log.rows_accepted) == (3, 3)
    assert log.frame["concept:name"].tolist() == ["a", "b", "a"]
    header_too = read_event_log(write(tmp_path, text.replace("timestamp\n", "timestamp,\n"), name="h.csv"))
    assert header_too.rows_accepted == 3
    assert list(header_too.frame.columns) == ["case:concept:name", "concept:name", "time:timestamp", "semantic",
                                              "source_row"]


def test_one_extra_field_on_the_first_row_quarantines_that_row_only(tmp_path):
    text = "case,activity,timestamp\nC1,a,2024-01-03 08:00,extra\nC1,b,2024-01-03 09:00\nC1,c,2024-01-03 10:00\n"
    log = read_event_log(write(tmp_path, text))
    assert (log.rows_read, log.rows_accepted) == (3, 2)
    assert log.quarantine["reason"].tolist() == ["expected 3 fields, found 4: C1,a,2024-01-03 08:00,extra"]
    assert log.quarantine["source_row"].tolist() == [2]
    assert log.frame["concept:name"].tolist() == ["b", "c"]


def test_short_rows_are_quarantined_not_padded(tmp_path):
    text = "case,activity,timestamp,resource\n1,a,2024-01-03 08:00,ann\n2,2024-01-03 09:00,bob\n"
    log = read_event_log(write(tmp_path, text))
    assert log.quarantine["reason"].tolist() == ["expected 4 fields, found 3: 2,2024-01-03 09:00,bob"]
    assert log.rows_read == log.rows_accepted + len(log.quarantine) == 2


def test_line_numbers_count_lines_inside_quoted_fields(tmp_path):
    text = 'case,activity,timestamp\n1,"two\nlines",2024-01-03 08:00\n2,b,2024-01-03 09:00,x\n3,c,2024-01-03 10:00\n'
    log = read_event_log(write(tmp_path, text))
    assert log.quarantine["source_row"].tolist() == [4]
    assert log.frame["source_row"].tolist() == [2, 5]


def test_decimal_commas_are_read_from_the_data(tmp_path):
    text = ("Auftrag;Schritt;Zeitpunkt;Menge\n4711;Ware laden;06.01.2025 08:00;1,250\n"
            "4712;Ware laden;07.01.2025 08:00;2,5\n4713;Ware laden;07.01.2025 09:00;1.250,75\n")
    log = read_event_log(write(tmp_path, text))
    assert log.frame["qty"].tolist() == [1.25, 2.5, 1250.75]
    assert not any("1,250" in n for n in log.notes)  # two values show the decimal comma, one reads both ways
    more = read_event_log(write(tmp_path, text + "4714;Ware laden;07.01.2025 10:00;2,250\n", name="m.csv"))
    assert any("2 values such as '1,250' read as 1.25 (decimal comma, as values such as '2,5' show)" in n
               for n in more.notes)


def test_a_value_that_reads_both_ways_is_noted(tmp_path):
    semi = read_event_log(write(tmp_path, "case;activity;timestamp;qty\n1;a;2024-01-01 08:00;1,250\n"))
    assert semi.frame["qty"].tolist() == [1.25]
    assert any("read as 1.25" in n and "the file is ';'-delimited" in n and "decimal: '.'" in n for n in semi.notes)
    comma = read_event_log(write(tmp_path, 'case,activity,timestamp,qty\n1,a,2024-01-01 08:00,"1,250"\n', name="c.csv"))
    assert comma.frame["qty"].tolist() == [1250.0]
    assert any("read as 1250" in n and "decimal: ','" in n for n in comma.notes)
    given = read_event_log(write(tmp_path, "case;activity;timestamp;qty\n1;a;2024-01-01 08:00;1,250\n", name="g.csv"),
                           profile={"decimal": "."})
    assert given.frame["qty"].tolist() == [1250.0] and not any("1,250" in n for n in given.notes)


def test_a_value_written_the_other_way_is_quarantined(tmp_path):
    text = "case;activity;timestamp;qty\n1;a;2024-01-01 08:00;2,5\n1;b;2024-01-01 09:00;2.5\n"
    log = read_event_log(write(tmp_path, text), profile={"decimal": ","})
    assert log.frame["qty"].tolist() == [2.5]
    assert log.quarantine["reason"].tolist() == ["qty with a decimal point in a log of decimal commas '2.5'"]
    point = read_event_log(write(tmp_path, text, name="p.csv"), profile={"decimal": "."})
    assert point.quarantine["reason"].tolist() == ["qty with a decimal comma in a log of decimal points '2,5'"]
    with pytest.raises(EventLogError, match="decimal"):
        read_event_log(write(tmp_path, text, name="x.csv"), profile={"decimal": ";"})


def test_utf8_named_in_the_profile_gives_no_note_quoted_or_not(tmp_path):
    for text in ("case,activity,timestamp\n1,a,2024-01-01 08:00\n", 'case,activity,timestamp\n1,"a",2024-01-01 08:00\n'):
        log = read_event_log(write(tmp_path, text), profile={"encoding": "utf-8"})
        assert not any(n.startswith("encoding") for n in log.notes), log.notes
