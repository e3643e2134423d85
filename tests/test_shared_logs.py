"""Every file in ../shared/eventlogs loads, and counts match SOURCES.md (skipped when absent)."""

from __future__ import annotations

import re

import pytest

from conftest import SHARED_LOGS, shared_file
from jxcsim.eventlog import read_event_log, summarize_log

pytestmark = pytest.mark.shared


def _summary_table() -> dict[str, dict[str, int]]:
    """file -> {'cases' | 'objects', 'events'} from the summary table of SOURCES.md."""
    sources = SHARED_LOGS / "SOURCES.md"
    if not sources.exists():
        return {}
    table = {}
    for line in sources.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 6 or not cells[0].startswith("`"):
            continue
        name = cells[0].strip("`")
        entry = {}
        if m := re.match(r"(\d+) cases", cells[3]):
            entry["cases"] = int(m.group(1))
        if m := re.match(r"(\d+)(?: \(\d+ in file\))? objects", cells[3]):
            entry["objects"] = int(m.group(1))
        if cells[4].isdigit():
            entry["events"] = int(cells[4])
        table[name] = entry
    return table


EXPECTED = _summary_table()
LOG_FILES = sorted(n for n, e in EXPECTED.items() if "events" in e)


@pytest.mark.parametrize("name", LOG_FILES or ["<no SOURCES.md>"])
def test_counts_match_sources(name):
    if name not in EXPECTED:
        pytest.skip("../shared/eventlogs/SOURCES.md is not available")
    log = read_event_log(shared_file(name))
    summary = summarize_log(log)
    expected = EXPECTED[name]
    assert summary["events"] == expected["events"]
    if "cases" in expected:
        assert summary["cases"] == expected["cases"]
    if "objects" in expected:
        assert sum(summary["objects"].values()) == expected["objects"]
    assert summary["rows_read"] == summary["rows_accepted"] + summary["quarantined"]
    assert summary["activity_instances"] > 0


def test_sources_table_was_understood():
    if not EXPECTED:
        pytest.skip("../shared/eventlogs/SOURCES.md is not available")
    assert EXPECTED["purchasing_example.xes.gz"] == {"cases": 608, "events": 18238}
    assert EXPECTED["ocel2_p2p.sqlite.gz"] == {"objects": 9054, "events": 14671}
    assert len(LOG_FILES) >= 20


def test_sap_document_flow_loads_with_a_profile():
    profile = {"columns": {"case": "VBELV", "activity": "VBTYP_N", "timestamp": ["ERDAT", "ERZET"],
                           "sku": "MATNR", "qty": "RFMNG", "amount": "RFWRT"},
               "timestamp_format": "%Y%m%d %H%M%S"}
    log = read_event_log(shared_file("sap_vbfa_document_flow.csv.gz"), profile=profile)
    assert log.rows_read == 167766
    assert log.rows_read == log.rows_accepted + len(log.quarantine)
    assert len(log.frame) > 160000
    assert log.frame["case:concept:name"].str.startswith("00").any()  # SAP leading zeros kept
    assert log.frame["time:timestamp"].min().year == 1994


def test_erp_tables_load_from_sqlite():
    path = shared_file("inventory_management_sim_tables.sqlite")
    profile = {"columns": {"case": "material_document_number", "activity": "movement_type",
                           "timestamp": "posting_date_in_the_document", "sku": "material_number",
                           "location": "plant", "qty": "quantity"},
               "activities": {"Goods Issue": "book_issue", "Goods Receipt": "book_receipt"}}
    log = read_event_log(path, table="MaterialDocuments", profile=profile)
    assert log.rows_read == 200 and log.format.value == "sql"
    assert set(log.frame["semantic"].dropna()) <= {"book_issue", "book_receipt"}
    assert log.frame["qty"].dtype == float


def test_northwind_orders_as_a_query():
    query = ("select OrderID as case_id, 'Order placed' as activity, OrderDate as timestamp, "
             "EmployeeID as resource from Orders union all "
             "select OrderID, 'Order shipped', ShippedDate, EmployeeID from Orders")
    log = read_event_log(shared_file("northwind.sqlite"), query=query)
    assert log.rows_read == 1660
    assert log.frame["case:concept:name"].nunique() == 830
    # orders never shipped have no ShippedDate: quarantined, not lost
    assert set(log.quarantine["reason"]) == {"missing timestamp"}
    assert log.rows_accepted + len(log.quarantine) == 1660
