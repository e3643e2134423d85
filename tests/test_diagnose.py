"""jxcsim diagnose: findings.json and an escaped, self-contained report.html."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from conftest import REPO
from jxcsim.mining.findings import FindingKind
from jxcsim.world.scenario import load_scenario, parse_scenario
from jxcsim.world.simulate import simulate, write_simulation


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    out = tmp_path_factory.mktemp("sim")
    result = simulate(load_scenario(REPO / "scenarios" / "baseline.yaml"), weeks=8, seed=2)
    write_simulation(result, out, formats=("csv",))
    return out


def test_diagnose_cli_says_when_a_log_without_profile_is_read_in_utc(simulated, tmp_path):
    done = subprocess.run([sys.executable, "-m", "jxcsim.cli", "diagnose", str(simulated / "log.csv"), "--out",
                           str(tmp_path / "utc"), "--no-progress", "--no-overview"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "weekdays and hours are read in UTC" in done.stderr
    assert f"--profile {simulated / 'profile.yaml'}" in done.stderr  # the one written beside the log


def test_diagnose_cli_finds_the_wednesday_gap_and_writes_the_report(simulated, tmp_path):
    out = tmp_path / "diag"
    done = subprocess.run([sys.executable, "-m", "jxcsim.cli", "diagnose", str(simulated / "log.csv"), "--profile",
                           str(simulated / "profile.yaml"), "--out", str(out), "--no-progress"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    notes = [line for line in done.stderr.splitlines() if line.startswith("note:")]
    assert notes == [f"note: {simulated / 'truth' / 'planted.json'} is beside the log: add --truth "
                     f"{simulated / 'truth' / 'planted.json'} to score the findings against what the simulation "
                     "planted"]  # and none on the time zone: the profile gave it
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
    assert "not run:" not in done.stdout and payload["meta"]["not_run"] == {}  # the profile gives every semantic
    # the overview: process map, heatmaps, posting-lag distributions, conformance, model
    drawn = ("Process map", "Process model (BPMN)")  # drawn by Graphviz's dot: without it, a note says so
    headings = ("Where it waits: weekday × hour", "Posting lags by location", "Conformance")
    for heading in headings + (drawn if shutil.which("dot") else ()):
        assert f">{heading}</h2>" in page, heading
    if shutil.which("dot"):
        assert page.count("<svg") >= 2
    else:
        assert all(f">{heading}</h2>" not in page for heading in drawn) and page.count("install Graphviz") == 1
    assert page.count("data:image/png;base64,") >= 6
    assert "src=\"http" not in page and "<link" not in page  # self-contained
    figures = sorted(p.name for p in (out / "figures").iterdir())
    if shutil.which("dot"):
        assert any(n.endswith("process-map.svg") for n in figures) and any(n.endswith("bpmn.svg") for n in figures)
    assert any("lag-issue-wh-a" in n for n in figures) and len(figures) >= (8 if shutil.which("dot") else 6)
    process = payload["process"]
    assert process["notes"] == {} and process["process_map"]["events"] == payload["meta"]["activity_instances"]
    rates = {(r["movement"], r["location"]): r["deviation_rate"] for r in process["precedence"]["rates"]}
    assert 0 < rates[("issue", "WH-A")] < 1 and process["token_replay"]["cases_used"] <= 2000
    assert process["alignments"]["cases_used"] == 300 and process["temporal_profile"]["pairs"]
    assert [r["step"] for r in payload["process_health"]][:2] == ["order_review", "availability_check"]
    assert wed["details"]["health_effect_h"] is not None and wed["details"]["movements"]


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


def test_diagnose_without_the_overview_and_with_settings(simulated, tmp_path):
    out = tmp_path / "quick"
    done = subprocess.run([sys.executable, "-m", "jxcsim.cli", "diagnose", str(simulated / "log.csv"), "--profile",
                           str(simulated / "profile.yaml"), "--out", str(out), "--no-progress", "--no-overview",
                           "--fdr", "0.01", "--min-effect-h", "1.0"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    payload = json.loads((out / "findings.json").read_text())
    assert payload["meta"]["settings"]["fdr"] == 0.01 and payload["meta"]["settings"]["min_effect_h"] == 1.0
    assert payload["process"]["notes"] == {"overview": "not asked for"}
    assert all(f["q_value"] is None or f["q_value"] <= 0.01 for f in payload["findings"])
    judged = [max(f["details"].get("median_h", f["effect_h"]), f["effect_h"]) for f in payload["findings"]
              if f["q_value"] is not None]
    assert all(m >= 1.0 for m in judged)  # judged on the median lag (an approval's mean may clear it instead)
    assert ">Process map</h2>" not in (out / "report.html").read_text()


def test_finding_kinds_are_the_documented_ones():
    assert {k.value for k in FindingKind} >= {"physical_before_book", "late_posting", "unposted_movement",
                                              "after_hours_backlog", "approval_bottleneck", "bottleneck", "rework"}


def test_without_a_profile_the_diagnosis_says_what_it_could_not_run(simulated, tmp_path):
    """Read without its profile the log has no semantics: the CLI, findings.json and the report say which
    analyses were not run and what they need, instead of silently finding nothing of those kinds."""
    out = tmp_path / "bare"
    done = subprocess.run([sys.executable, "-m", "jxcsim.cli", "diagnose", str(simulated / "log.csv"), "--out",
                           str(out), "--no-overview", "--no-progress"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    not_run = json.loads((out / "findings.json").read_text())["meta"]["not_run"]
    assert set(not_run) == {"posting lags and never-posted movements", "after-hours backlog", "approval bottlenecks",
                            "process health"}
    assert "not run: approval bottlenecks (needs activities mapped to a request and its decision" in done.stdout
    page = (out / "report.html").read_text()
    assert "--profile" in done.stdout and "not run: posting lags" in page
    assert ("after-hours backlog (needs activities mapped to order_received and a response: pick, allocate or "
            "physical_issue)") in page


def test_mapped_semantics_the_log_never_holds_are_said_so_not_asked_to_be_mapped(tmp_path):
    """A small firm whose orders never exceed the credit threshold: its profile maps credit holds, the log has
    none; the diagnosis says so instead of asking for a mapping it has."""
    data = load_scenario(REPO / "scenarios" / "baseline.yaml").model_dump(mode="json")
    data["rules"]["credit"].update(review_threshold=None, use_credit_limit=False)
    data["purchasing"]["approval_threshold"] = None
    result = simulate(parse_scenario(data), weeks=3, seed=4)
    sim = tmp_path / "sim"
    write_simulation(result, sim, formats=("csv",))
    out = tmp_path / "diag"
    done = subprocess.run([sys.executable, "-m", "jxcsim.cli", "diagnose", str(sim / "log.csv"), "--profile",
                           str(sim / "profile.yaml"), "--out", str(out), "--no-overview", "--no-progress"],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    not_run = json.loads((out / "findings.json").read_text())["meta"]["not_run"]
    assert list(not_run) == ["approval bottlenecks"]
    assert not_run["approval bottlenecks"].startswith("no such events in the log, though the profile maps them")
    line = next(x for x in done.stdout.splitlines() if x.startswith("not run:"))
    assert "--profile" not in line
    assert "map the log's activities" not in (out / "report.html").read_text()


def test_findings_and_report_say_which_rows_reading_left_out(simulated, tmp_path):
    """Three rows with a broken time: findings.json counts them with their reason, and the report
    warns that they are not in the findings (and names the quarantine file the CLI writes)."""
    from jxcsim.eventlog import read_event_log
    from jxcsim.mining.diagnose import diagnose_log

    lines = (simulated / "log.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    bad = []
    for line in lines[1:4]:
        cells = line.split(",")
        cells[header.index("time:timestamp")] = "not a time"
        bad.append(",".join(cells))
    broken = tmp_path / "log.csv"
    broken.write_text("\n".join([lines[0], *bad, *lines[4:]]) + "\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "jxcsim.cli", "diagnose", str(broken), "--profile",
                           str(simulated / "profile.yaml"), "--out", str(tmp_path / "cli"), "--no-progress",
                           "--no-overview"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    read = json.loads((tmp_path / "cli" / "findings.json").read_text())["meta"]["read"]
    assert (read["rows_read"], read["quarantined"], read["rows_accepted"]) == (len(lines) - 1, 3, len(lines) - 4)
    assert sum(read["reasons"].values()) == 3 and read["quarantine_file"] == "quarantine.csv"
    page = (tmp_path / "cli" / "report.html").read_text()
    assert "3 of" in page and "rows were quarantined and are not in the findings" in page
    log = read_event_log(broken, profile=simulated / "profile.yaml")
    meta = json.loads(diagnose_log(log, tmp_path / "api", overview=False)["findings.json"].read_text())["meta"]
    assert meta["read"]["quarantine_file"] is None and meta["first_event"] < meta["last_event"]  # no CLI: no file
