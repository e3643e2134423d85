"""Scoring a diagnosis against a simulated run's planted truth: `jxcsim diagnose --truth`, the report's
section and truth_score.json, and the planted file's errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import REPO
from jxcsim.mining.truth import PlantedFileError, read_planted
from jxcsim.report.truth import truth_section, truth_summary


def jxcsim(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jxcsim.cli", *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Three weeks of the baseline, as `jxcsim simulate` writes them (CSV only)."""
    out = tmp_path_factory.mktemp("run")
    done = jxcsim("simulate", str(REPO / "scenarios" / "baseline.yaml"), "--weeks", "3", "--seed", "5",
                  "--formats", "csv", "--out", str(out), "--no-progress")
    assert done.returncode == 0, done.stderr
    return out


def test_diagnose_scores_the_findings_against_the_planted_truth(run, tmp_path):
    out = tmp_path / "diagnosis"
    done = jxcsim("diagnose", str(run / "log.csv"), "--profile", str(run / "profile.yaml"), "--truth",
                  str(run / "truth" / "planted.json"), "--no-overview", "--no-progress", "--out", str(out))
    assert done.returncode == 0, done.stderr
    score = json.loads((out / "truth_score.json").read_text())
    findings = json.loads((out / "findings.json").read_text())
    planted = json.loads((run / "truth" / "planted.json").read_text())["habits"]
    assert score["expected"] == score["found"] + len(score["misses"]) and score["expected"] >= 3
    assert score["found"] >= 2  # three weeks show the Wednesday habit and the cut-offs at least
    assert {h["name"] for h in planted} >= {item["name"] for key in ("hits", "misses", "optional", "unobservable")
                                            for item in score[key] if not item["name"].endswith("(never posted)")}
    for hit in score["hits"]:  # each hit names the findings (by rank) that match it, of its kind and place
        assert hit["ranks"]
        for rank in hit["ranks"]:
            f = findings["findings"][rank - 1]
            assert f["kind"] == hit["kind"] and (hit["location"] is None or f["location"] == hit["location"])
    assert findings["meta"]["truth"] == {k: score[k] for k in ("expected", "found", "false_alarms")}
    assert f"against the planted truth ({run / 'truth' / 'planted.json'}): {truth_summary(score)}" in done.stdout
    page = (out / "report.html").read_text()
    assert "Against the planted truth" in page and page.count("<tr><td>") >= len(score["hits"])
    assert "note:" not in done.stderr  # read with its profile: the same clock as the truth

    # read again without a profile (UTC) and without --truth: the truth beside it is pointed out, the old score goes
    done = jxcsim("diagnose", str(run / "log.csv"), "--no-overview", "--no-progress", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert f"add --truth {run / 'truth' / 'planted.json'}" in done.stderr
    assert not (out / "truth_score.json").exists()
    # with --truth but the log read in UTC: scored, with a warning that the clocks differ
    done = jxcsim("diagnose", str(run / "log.csv"), "--truth", str(run / "truth" / "planted.json"), "--no-overview",
                  "--no-progress", "--out", str(out))
    assert done.returncode == 0 and "the planted truth's hours are Asia/Shanghai time" in done.stderr
    assert "Asia/Shanghai time" in json.loads((out / "truth_score.json").read_text())["note"]


def test_diagnose_refuses_a_bad_truth_file_before_any_work(run, tmp_path):
    bad = tmp_path / "planted.json"
    bad.write_text('{"habits": {"name": "x"}}')
    out = tmp_path / "out"
    done = jxcsim("diagnose", str(run / "log.csv"), "--truth", str(bad), "--no-overview", "--out", str(out))
    assert done.returncode == 2 and done.stderr.startswith(f"error: {bad}: not a planted-truth file"), done.stderr
    assert not done.stdout and not (out / "findings.json").exists()


@pytest.mark.parametrize(("text", "message"), [
    (None, "no such file"),
    ("{not json", "not JSON (line 1, column 2"),
    ('["a list"]', "it needs a list under 'habits'"),
    ('{"habits": [{"name": "x"}]}', "habit 1 has no 'kind'"),
    ('{"habits": ["x"]}', "habit 1 has no 'name' or 'kind'"),
    ('{"habits": [{"name": "x", "kind": "late_postng", "weekdays": null, "hours": null}]}',
     "habit 1 ('x'): kind 'late_postng' is not one of"),
    ('{"habits": [{"name": "x", "kind": "late_posting", "weekdays": [2]}]}',
     "habit 1 ('x'): needs 'weekdays' and 'hours' (null for any)"),
    ('{"habits": [{"name": "x", "kind": "late_posting", "weekdays": ["Wed"], "hours": null}]}',
     "weekdays must be a list of 0 (Monday) to 6, got ['Wed']"),
    ('{"habits": [{"name": "x", "kind": "late_posting", "weekdays": null, "hours": [13]}]}',
     "hours must be [start, end] in hours of the day, got [13]"),
])
def test_read_planted_names_the_file_and_the_fault(tmp_path, text, message):
    path = tmp_path / "planted.json"
    if text is not None:
        path.write_text(text)
    with pytest.raises(PlantedFileError, match="planted.json: ") as err:
        read_planted(path)
    assert message in str(err.value)


def test_truth_section_escapes_names_and_shows_each_result():
    item = {"kind": "late_posting", "location": "<b>WH</b>", "weekdays": [4], "hours": [0.0, 24.0]}
    score = {"expected": 2, "found": 1, "recall": 0.5, "false_alarms": 1, "unscored": 0,
             "hits": [{**item, "name": "<script>alert(1)</script>", "found": ["s"], "ranks": [2]}],
             "misses": [{**item, "name": "missed one", "found": [], "ranks": []}],
             "partial": [{"name": "missed one", "location": "<b>WH</b>", "found": "part", "rank": 3}],
             "unobservable": [{**item, "name": "quiet", "found": [], "ranks": [], "cases": 2}], "optional": [],
             "false_alarm_summaries": ["<i>alarm</i>"], "false_alarm_ranks": [5]}
    page = truth_section(score, source="<planted>.json", note="<clock>")
    assert "<script>" not in page and "<b>WH" not in page and "<i>alarm" not in page and "<clock>" not in page
    assert "&lt;script&gt;" in page and "#5</a>: &lt;i&gt;alarm" in page and 'href="#f2"' in page
    assert ">found<" in page and ">in part<" in page and ">not expected<" in page and "#3" in page
    assert "Found 1 of the 2 planted habits the log can show; 1 false alarm; 1 planted habit not expected" in page


def test_truth_links_a_folded_finding_to_the_folded_list():
    from jxcsim.report.findings_page import SHOWN

    item = {"name": "x", "kind": "late_posting", "location": "W", "weekdays": [4], "hours": None, "found": ["s"]}
    score = {"expected": 2, "found": 2, "false_alarms": 0, "false_alarm_summaries": [], "false_alarm_ranks": [],
             "hits": [{**item, "ranks": [1]}, {**item, "name": "y", "ranks": [SHOWN + 3]}], "misses": [],
             "partial": [], "unobservable": [], "optional": []}
    page = truth_section(score, source="p.json")
    assert '<a href="#f1">#1</a>' in page and f'<a href="#more">#{SHOWN + 3}</a>' in page
