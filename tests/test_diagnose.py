"""jxcsim diagnose: findings.json and an escaped, self-contained report.html."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import REPO
from jxcsim.mining.findings import FindingKind
from jxcsim.world.scenario import load_scenario
from jxcsim.world.simulate import simulate, write_simulation


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    out = tmp_path_factory.mktemp("sim")
    result = simulate(load_scenario(REPO / "scenarios" / "baseline.yaml"), weeks=8, seed=2)
    write_simulation(result, out, formats=("csv",))
    return out


def test_diagnose_cli_finds_the_wednesday_gap_and_writes_the_report(simulated, tmp_path):
    out = tmp_path / "diag"
    done = subprocess.run([sys.executable, "-m", "jxcsim.cli", "diagnose", str(simulated / "log.csv"), "--profile",
                           str(simulated / "profile.yaml"), "--out", str(out), "--no-progress"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    payload = json.loads((out / "findings.json").read_text())
    kinds = {f["kind"] for f in payload["findings"]}
    assert {"physical_before_book", "unposted_movement"} <= kinds
    wed = [f for f in payload["findings"] if f["kind"] == "physical_before_book"][0]
    assert (wed["location"], wed["weekday"]) == ("WH-A", 2)
    assert abs(wed["hours"][0] - 13) <= 1 and abs(wed["hours"][1] - 18) <= 1
    for key in ("activities", "cases", "effect_h", "baseline_h", "stock_impact_qty", "q_value", "evidence", "summary"):
        assert key in wed
    assert wed["activities"] == ["Load truck", "Post goods issue"]
    page = (out / "report.html").read_text()
    assert "Process health per step" in page and "WH-A" in page
    assert "[physical_before_book]" in done.stdout


def test_report_escapes_what_comes_from_the_log(simulated, tmp_path):
    import pandas as pd

    from jxcsim.eventlog import read_event_log
    from jxcsim.mining.diagnose import diagnose_log

    log = read_event_log(simulated / "log.csv", profile=simulated / "profile.yaml")
    evil = "<script>alert('x')</script>"
    log.frame["location"] = log.frame["location"].replace({"WH-A": evil})
    log.frame["concept:name"] = log.frame["concept:name"].replace({"Load truck": evil})
    written = diagnose_log(log, tmp_path / "evil")
    page = written["report.html"].read_text()
    assert evil not in page and "&lt;script&gt;" in page
    findings = json.loads(written["findings.json"].read_text())["findings"]
    assert any(f["location"] == evil for f in findings)  # kept as data in JSON
    assert isinstance(pd.DataFrame(findings), pd.DataFrame)


def test_finding_kinds_are_the_documented_ones():
    assert {k.value for k in FindingKind} >= {"physical_before_book", "late_posting", "unposted_movement",
                                              "after_hours_backlog", "approval_bottleneck", "bottleneck", "rework"}
