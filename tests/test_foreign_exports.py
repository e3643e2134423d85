"""Logs as ERP and spreadsheet exports write them: their own column names (English, Chinese, German)
and dates in the local day order, read without a profile."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from jxcsim.eventlog import read_event_log
from jxcsim.eventlog.columns import resolve_columns
from jxcsim.eventlog.profile import LogProfile
from jxcsim.eventlog.schema import ACTIVITY, CASE, RESOURCE, TIMESTAMP
from jxcsim.eventlog.timezone import day_first, parse_timestamps


def _write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def test_a_chinese_export_in_gbk(tmp_path):
    path = _write(tmp_path, "出库.csv", "单号,环节,时间,操作员,商品编码,数量,仓库\n"
                  "SO1,接单,2025/1/6 8:00,张三,A-1,5,一号仓\nSO1,出库,2025/1/13 9:30,李四,A-1,5,一号仓\n", "gbk")
    log = read_event_log(path)
    f = log.frame
    assert f[CASE].tolist() == ["SO1", "SO1"] and f[ACTIVITY].tolist() == ["接单", "出库"]
    assert f[RESOURCE].tolist() == ["张三", "李四"] and f["qty"].tolist() == [5.0, 5.0]
    assert f["sku"].tolist() == ["A-1", "A-1"] and f["location"].tolist() == ["一号仓", "一号仓"]
    assert f[TIMESTAMP].tolist() == list(pd.to_datetime(["2025-01-06 08:00", "2025-01-13 09:30"], utc=True))


def test_a_german_export_reads_its_dates_day_first(tmp_path):
    path = _write(tmp_path, "auftraege.csv", "Auftrag;Schritt;Zeitpunkt;Bearbeiter;Menge\n"
                  "A1;Ware prüfen;06.01.2025 08:00;Müller;3\nA1;Verladen;07.01.2025 13:15;Schmidt;3\n"
                  "A2;Ware prüfen;13.01.2025 09:00;Müller;1\n")
    f = read_event_log(path).frame
    assert f[TIMESTAMP].dt.strftime("%Y-%m-%d %H:%M").tolist() == ["2025-01-06 08:00", "2025-01-07 13:15",
                                                                   "2025-01-13 09:00"]
    assert f[RESOURCE].tolist() == ["Müller", "Schmidt", "Müller"] and f["qty"].sum() == 7


def test_a_us_export_reads_its_dates_month_first(tmp_path):
    path = _write(tmp_path, "orders.csv", "order_id,step,when,user\n1,Pick,1/6/2025 8:00 AM,bob\n"
                  "1,Ship,1/6/2025 2:15 PM,al\n2,Pick,1/13/2025 9:00 AM,bob\n")
    f = read_event_log(path).frame
    assert f[TIMESTAMP].dt.strftime("%m-%d %H:%M").tolist() == ["01-06 08:00", "01-06 14:15", "01-13 09:00"]


@pytest.mark.parametrize(("dates", "expected"), [
    (["06.01.2025", "07.01.2025"], [(1, 6), (1, 7)]),  # dots: day first
    (["05/01/2025", "13/01/2025"], [(1, 5), (1, 13)]),  # 13 can only be a day
    (["01/05/2025", "01/13/2025"], [(1, 5), (1, 13)]),  # 13 can only be a day, second
    (["01/05/2025", "02/03/2025"], [(1, 5), (2, 3)]),  # no proof, slashes: month first (as pandas)
])
def test_one_day_order_for_the_whole_column(dates, expected):
    parsed = parse_timestamps(pd.Series(dates)).utc
    assert [(t.month, t.day) for t in parsed] == expected


def test_the_profile_can_still_say_the_day_order():
    parsed = parse_timestamps(pd.Series(["01/05/2025", "02/03/2025"]), dayfirst=True).utc
    assert [(t.month, t.day) for t in parsed] == [(5, 1), (3, 2)]
    assert LogProfile.model_validate({"dayfirst": False}).dayfirst is False and LogProfile().dayfirst is None


def test_day_first_looks_past_undecided_dates():
    assert day_first(pd.Series(["01.02.2025"] * 50 + ["1/13/2025"])) is False  # the only proof decides
    assert day_first(pd.Series(["no date here"])) is False


def test_process_mining_names_win_over_export_names_and_blank_names_match_nothing():
    cols = resolve_columns(["order_id", "case_id", "Schritt", "time:timestamp", "时间", "——"], LogProfile())
    assert cols == {"case": "case_id", "activity": "Schritt", "timestamp": "time:timestamp"}


def test_a_date_and_a_time_of_day_in_two_columns_are_one_timestamp(tmp_path):
    path = _write(tmp_path, "split.csv", "单号,环节,日期,时间\nSO1,下单,2025-01-06,09:15\nSO1,发货,2025-01-07,13:05\n")
    f = read_event_log(path).frame
    assert f[TIMESTAMP].dt.strftime("%Y-%m-%d %H:%M").tolist() == ["2025-01-06 09:15", "2025-01-07 13:05"]
    cols = resolve_columns(["Belegnummer", "Vorgang", "Datum", "Uhrzeit"], LogProfile())
    assert cols["timestamp"] == ["Datum", "Uhrzeit"]


def test_sap_items_are_lines_not_skus_and_decomposed_accents_match():
    import unicodedata

    cols = resolve_columns(["Document", "Item", "Material", "Activity", "Timestamp"], LogProfile())
    assert cols["sku"] == "Material" and cols["case"] == "Document"
    nfd = unicodedata.normalize("NFD", "Aktivität")
    assert resolve_columns(["Auftrag", nfd, "Zeitpunkt"], LogProfile())["activity"] == nfd


def test_dates_after_the_time_of_day_still_tell_the_day_order():
    parsed = parse_timestamps(pd.Series(["08:00 06.01.2025", "09:00 13.01.2025"])).utc
    assert [(t.month, t.day) for t in parsed] == [(1, 6), (1, 13)]
