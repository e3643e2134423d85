"""`make demo` runs end to end on the embedded defaults and writes readable outputs."""

from __future__ import annotations

import json

from jxcsim.demo import run_demo
from jxcsim.eventlog import read_event_log


def test_demo_writes_its_reports(tmp_path):
    written = run_demo(tmp_path / "demo", weeks=2, seed=1)
    for name in ("log.csv", "log.xes.gz", "log.ocel.sqlite", "profile.yaml", "truth/planted.json",
                 "truth/positions.csv", "truth/ledger.csv", "kpis.json", "kpis.txt", "inspection.txt",
                 "diagnosis/findings.json", "diagnosis/report.html", "diagnosis/truth_score.json"):
        assert written[name].exists(), name
    kpis = json.loads(written["kpis.json"].read_text())
    assert kpis["meta"]["weeks"] == 2 and kpis["meta"]["seed"] == 1
    assert kpis["kpis"]["fill_rate"]["value"] > 0.5
    assert "rows" in written["inspection.txt"].read_text()
    diagnosis = json.loads(written["diagnosis/findings.json"].read_text())
    assert diagnosis["meta"]["activity_instances"] > 1000 and diagnosis["process"]["process_map"]["cases"] > 100
    back = read_event_log(written["log.xes.gz"])
    assert len(back.quarantine) == 0
    ocel = read_event_log(written["log.ocel.sqlite"], object_type="sales_order")
    assert ocel.frame["case:concept:name"].str.startswith("SO-").all()
    assert {"sales_order", "purchase_order", "delivery", "sku", "location"} <= set(ocel.objects)
    deliveries = read_event_log(written["log.ocel.sqlite"], object_type="delivery")
    assert set(deliveries.frame["concept:name"]) >= {"Pick goods", "Load truck", "Post goods issue",
                                                      "Deliver to customer"}


def test_sample_log_still_reads_with_its_profile():
    from jxcsim.demo import REPO

    log = read_event_log(REPO / "eventlogs" / "sample_wholesaler.csv",
                         profile=REPO / "eventlogs" / "sample_wholesaler.profile.yaml")
    assert log.rows_read == 2801 and len(log.quarantine) == 4


def test_demo_prints_each_planted_habit_and_whether_it_was_found(tmp_path):
    from jxcsim.demo import _top_findings

    written = run_demo(tmp_path / "demo", weeks=2, seed=1)
    text = _top_findings(written)
    score = json.loads(written["diagnosis/truth_score.json"].read_text())
    assert f"found {score['found']} of the {score['expected']} planted habit".lower() in text.lower()
    listed = text.split("Against what the scenario planted: ")[1].splitlines()[1:]
    assert len(listed) == sum(len(score[k]) for k in ("hits", "misses", "unobservable", "optional"))
    assert all(line.split(":")[0].strip() in {"found", "missed", "not expected", "optional"} for line in listed)
