"""Diagnosis of the real public logs: flat and OCEL 2.0 / 1.0 logs run end to end with sensible findings."""

from __future__ import annotations

import json

import pytest

from conftest import shared_file
from jxcsim.eventlog import read_event_log
from jxcsim.mining.diagnose import diagnose_log
from jxcsim.mining.findings import FindingKind

pytestmark = pytest.mark.shared
KEYS = {"kind", "activities", "location", "weekday", "hours", "cases", "effect_h", "baseline_h", "stock_impact_qty",
        "q_value", "evidence", "summary", "details"}


def _diagnose(name, tmp_path, **read):
    log = read_event_log(shared_file(name), **read)
    written = diagnose_log(log, tmp_path / "out")
    payload = json.loads(written["findings.json"].read_text(encoding="utf-8"))
    for f in payload["findings"]:
        assert set(f) == KEYS and f["summary"] and f["cases"] >= 1
        assert set(f["evidence"]) <= set(log.frame["case:concept:name"].astype(str))
        assert f["weekday"] is None or 0 <= f["weekday"] <= 6
        assert f["hours"] is None or 0 <= f["hours"][0] < f["hours"][1] <= 24
    assert written["report.html"].stat().st_size > 1000
    return log, payload


def test_purchasing_log_shows_its_slowest_hand_offs_and_rework(tmp_path):
    _, payload = _diagnose("purchasing_example.xes.gz", tmp_path)
    kinds = [f["kind"] for f in payload["findings"]]
    assert "physical_before_book" not in kinds and "unposted_movement" not in kinds  # no semantics: no posting claims
    slow = [f for f in payload["findings"] if f["kind"] == "bottleneck" and f["weekday"] is None]
    assert ["Create Request for Quotation", "Analyze Request for Quotation"] in [f["activities"] for f in slow]
    assert any(f["kind"] == "rework" and "Request for Quotation" in f["activities"][1] for f in payload["findings"])
    process = payload["process"]
    assert process["process_map"]["activities"] == 21 and process["token_replay"]["log_fitness"] > 0.5
    assert process["notes"] == {"precedence": "the log has no semantics (read without a profile, or its profile maps no activity)"}


@pytest.mark.parametrize("name, object_type", [("ocel2_p2p.sqlite.gz", None),
                                                ("ocel2_order_management_preview.sqlite", "orders"),
                                                ("ocel1_order_management_sim.csv.gz", None),
                                                ("ocel2_logistics_preview.sqlite", None)])
def test_ocel_logs_flattened_per_object_type(tmp_path, name, object_type):
    log, payload = _diagnose(name, tmp_path, object_type=object_type)
    assert payload["meta"]["cases"] == log.frame["case:concept:name"].nunique() > 10
    assert payload["process"]["process_map"]["events"] == len(log.frame)
    assert {f["kind"] for f in payload["findings"]} <= {k.value for k in FindingKind}


def test_a_log_with_start_times_and_no_resources(tmp_path):
    _, payload = _diagnose("orders_interval.csv.gz", tmp_path)
    assert not [f for f in payload["findings"] if f["kind"] == "approval_bottleneck"]
    assert payload["findings"], "the order log has slow hand-offs"
