"""`make demo` runs end to end on the embedded sample and writes readable outputs."""

from __future__ import annotations

import json

from jxcsim.demo import run_demo
from jxcsim.eventlog import read_event_log


def test_demo_writes_its_reports(tmp_path):
    written = run_demo(tmp_path / "demo")
    summary = json.loads(written["summary.json"].read_text())
    assert summary["cases"] == 400
    assert summary["rows_read"] == summary["rows_accepted"] + summary["quarantined"]
    assert summary["quarantined"] == 4
    assert summary["timezone"] == "Asia/Shanghai"
    back = read_event_log(written["log.xes.gz"])
    assert len(back.frame) == summary["activity_instances"]
    ocel = read_event_log(written["log.ocel.sqlite"], object_type="sales_order")
    assert ocel.frame["case:concept:name"].nunique() == 400
    assert set(ocel.objects) >= {"sales_order", "sku", "location"}
