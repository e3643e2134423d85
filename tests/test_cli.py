"""The jxcsim command line as a user runs it (a real subprocess for exit codes and stdout)."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from conftest import shared_file

LOG = ("case,activity,timestamp,warehouse,sku,qty\n"
       "SO-1,Load truck,2024-03-06 14:10,WH-A,S1,5\n"
       "SO-1,Post goods issue,2024-03-06 18:40,WH-A,S1,5\n"
       "SO-2,<script>alert(1)</script>,2024-03-07 09:00,WH-B,S2,1\n"
       "SO-3,Load truck,not a time,WH-A,S1,2\n")


def jxcsim(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jxcsim.cli", *args], capture_output=True, text=True, timeout=300)


@pytest.fixture()
def log_csv(tmp_path):
    path = tmp_path / "gi.csv"
    path.write_text(LOG)
    return path


def test_inspect_json_has_the_promised_keys(log_csv, tmp_path):
    profile = tmp_path / "p.yaml"
    profile.write_text("columns: {location: warehouse}\ntimezone: Asia/Shanghai\n"
                       "activities: {Load truck: physical_issue, Post goods issue: book_issue}\n")
    done = jxcsim("inspect", str(log_csv), "--profile", str(profile), "--json", "--no-progress")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    for key in ("cases", "events", "activity_instances", "activities", "resources", "start", "end", "quarantined"):
        assert key in out
    assert (out["cases"], out["events"], out["activity_instances"], out["quarantined"]) == (2, 4, 3, 1)
    assert out["start"] == "2024-03-06T06:10:00+00:00"
    assert out["weekday_hour"][2][14] == 1  # Wednesday 14:00 local time
    assert out["semantics"] == {"physical_issue": 1, "book_issue": 1}


def test_inspect_text_and_quarantine_out(log_csv, tmp_path):
    q = tmp_path / "q.csv"
    done = jxcsim("inspect", str(log_csv), "--quarantine-out", str(q), "--no-progress")
    assert done.returncode == 0, done.stderr
    assert "4 read = 3 accepted + 1 quarantined" in done.stdout
    assert "<script>alert(1)</script>" in done.stdout  # shown as data in a terminal
    assert pd.read_csv(q)["reason"].tolist() == ["unparseable timestamp 'not a time'"]


@pytest.mark.parametrize(("content", "message"), [
    (b"", "empty file"),
    (b"\x1f\x8b\x08\x00garbage", "damaged gzip"),
])
def test_unreadable_input_exits_2_with_one_line(tmp_path, content, message):
    path = tmp_path / "bad.csv.gz"
    path.write_bytes(content)
    done = jxcsim("inspect", str(path))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {path}") and message in lines[0]


def test_format_override_and_unknown_format(log_csv):
    assert jxcsim("inspect", str(log_csv), "--format", "csv", "--json").returncode == 0
    done = jxcsim("inspect", str(log_csv), "--format", "parquet")
    assert done.returncode == 2 and "parquet" in done.stderr


def test_convert_csv_to_xes_and_ocel_and_back(log_csv, tmp_path):
    for name in ("out.xes.gz", "out.jsonocel", "out.csv"):
        out = tmp_path / name
        done = jxcsim("convert", str(log_csv), str(out), "--no-progress")
        assert done.returncode == 0, done.stderr
        assert out.exists() and "3 activity instances" in done.stdout
    back = json.loads(jxcsim("inspect", str(tmp_path / "out.xes.gz"), "--json").stdout)
    assert (back["cases"], back["activity_instances"], back["quarantined"]) == (2, 3, 0)
    assert back["activity_counts"]["<script>alert(1)</script>"] == 1


@pytest.mark.shared
def test_inspect_shared_ocel_reports_objects():
    path = shared_file("ocel2_p2p_tiny.sqlite")
    out = json.loads(jxcsim("inspect", str(path), "--json").stdout)
    assert out["events"] == 13 and sum(out["objects"].values()) == 9
    typed = json.loads(jxcsim("inspect", str(path), "--json", "--object-type", "Invoice").stdout)
    assert typed["object_type"] == "Invoice" and typed["cases"] == 3


def test_simulate_writes_log_profile_truth_and_kpis(tmp_path):
    from conftest import REPO

    out = tmp_path / "sim"
    done = jxcsim("simulate", str(REPO / "scenarios" / "baseline.yaml"), "--weeks", "1", "--seed", "4",
                  "--formats", "csv", "--out", str(out), "--no-progress")
    assert done.returncode == 0, done.stderr
    assert "issue_posting_delay" in done.stdout and "fill_rate" in done.stdout
    for name in ("log.csv", "profile.yaml", "truth/planted.json", "truth/positions.csv", "kpis.json"):
        assert (out / name).exists(), name
    assert not (out / "log.xes.gz").exists()
    kpis = json.loads((out / "kpis.json").read_text())
    assert kpis["meta"]["seed"] == 4 and kpis["meta"]["weeks"] == 1
    back = json.loads(jxcsim("inspect", str(out / "log.csv"), "--profile", str(out / "profile.yaml"), "--json").stdout)
    assert back["quarantined"] == 0 and back["timezone"] == "Asia/Shanghai"
    assert {"physical_issue", "book_issue", "order_received"} <= set(back["semantics"])


def test_simulate_with_a_change_and_bad_scenario(tmp_path):
    from conftest import REPO

    done = jxcsim("simulate", str(REPO / "scenarios" / "baseline.yaml"), "--change",
                  str(REPO / "scenarios" / "changes" / "scan_to_ship.yaml"), "--weeks", "1", "--formats", "csv",
                  "--out", str(tmp_path / "scan"), "--no-progress")
    assert done.returncode == 0, done.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("extends: " + str(REPO / "scenarios" / "baseline.yaml") + "\ndemand: {orders_per_wek: 3}\n")
    done = jxcsim("simulate", str(bad), "--out", str(tmp_path / "x"))
    assert done.returncode == 2
    assert "demand.orders_per_wek: unknown key (did you mean 'orders_per_week'?)" in done.stderr


def test_simulate_a_world_without_staff_names_the_missing_role(tmp_path):
    tiny = tmp_path / "tiny.yaml"
    tiny.write_text("name: tiny\nlocations: {MAIN: {}}\n")
    done = jxcsim("simulate", str(tiny), "--weeks", "1", "--out", str(tmp_path / "out"), "--no-progress")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip() == f"error: {tiny}: staff: the scenario has no sales: add one under staff (role: sales)"


@pytest.mark.parametrize(("option", "value"), [("--seed", "-1"), ("--weeks", "0"), ("--weeks", "100000000"),
                                               ("--replications", "0")])
def test_simulate_refuses_numbers_out_of_range_before_any_work(tmp_path, option, value):
    from conftest import REPO

    out = tmp_path / "sim"
    done = jxcsim("simulate", str(REPO / "scenarios" / "baseline.yaml"), option, value, "--out", str(out),
                  "--no-progress")
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert f"Invalid value for '{option}'" in done.stderr and not out.exists()


@pytest.mark.parametrize(("option", "value"), [("--grace-h", "-5"), ("--grace-h", "0"), ("--grace-h", "nan"),
                                               ("--grace-h", "inf"), ("--min-effect-h", "inf"),
                                               ("--effect-factor", "inf"), ("--fdr", "nan"), ("--fdr", "1.5"),
                                               ("--min-obs", "1")])
def test_diagnose_refuses_numbers_out_of_range(log_csv, tmp_path, option, value):
    out = tmp_path / "diag"
    done = jxcsim("diagnose", str(log_csv), option, value, "--out", str(out), "--no-progress", "--no-overview")
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert f"Invalid value for '{option}'" in done.stderr and not out.exists()
    if option == "--fdr":  # nan is named as what it is, not as a number above 1
        assert f"{float(value)} is not a rate from 0 to 1" in done.stderr


def test_diagnose_reports_quarantined_rows_and_writes_them(log_csv, tmp_path):
    out = tmp_path / "diag"
    done = jxcsim("diagnose", str(log_csv), "--out", str(out), "--no-progress", "--no-overview")
    assert done.returncode == 0, done.stderr
    assert (f"rows: 4 read = 3 accepted + 1 quarantined (1 unparseable timestamp); quarantined rows in "
            f"{out / 'quarantine.csv'}") in done.stdout
    assert pd.read_csv(out / "quarantine.csv")["reason"].tolist() == ["unparseable timestamp 'not a time'"]


def test_diagnose_of_a_log_with_no_accepted_row_fails_clearly(log_csv, tmp_path):
    profile = tmp_path / "p.yaml"
    profile.write_text('timestamp_format: "%d.%m.%Y %H:%M"\n')
    out = tmp_path / "diag"
    done = jxcsim("diagnose", str(log_csv), "--profile", str(profile), "--out", str(out), "--no-progress")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        f"error: {log_csv}: no row was accepted, nothing to diagnose: 4 read = 0 accepted + 4 quarantined "
        f"(4 unparseable timestamp); the rows and their reasons are in {out / 'quarantine.csv'}")
    assert len(pd.read_csv(out / "quarantine.csv")) == 4 and not (out / "findings.json").exists()


def test_outputs_that_cannot_be_written_are_one_line_errors(log_csv, tmp_path):
    a_file = tmp_path / "a_file"
    a_file.write_text("x")
    runs = [("diagnose", str(log_csv), "--out", str(a_file)),
            ("convert", str(log_csv), str(a_file / "out.csv")),
            ("inspect", str(log_csv), "--quarantine-out", str(a_file / "q.csv"))]
    for args in runs:
        done = jxcsim(*args, "--no-progress")
        lines = done.stderr.strip().splitlines()
        assert done.returncode == 2 and len(lines) == 1 and lines[0].startswith("error: "), (args, done.stderr)
        assert str(a_file) in lines[0]


def test_an_output_path_that_is_a_file_or_a_directory_names_the_option_before_any_work(log_csv, tmp_path):
    from conftest import REPO

    a_file, a_dir = tmp_path / "a_file", tmp_path / "a_dir"
    a_file.write_text("x")
    a_dir.mkdir()
    run = str(tmp_path / "run")
    assert jxcsim("simulate", str(REPO / "scenarios" / "baseline.yaml"), "--weeks", "1", "--formats", "csv",
                  "--out", run, "--no-progress").returncode == 0
    scenario = str(REPO / "scenarios" / "baseline.yaml")
    runs = [(("simulate", scenario, "--out", str(a_file)), f"--out {a_file} is a file, not a directory"),
            (("simulate", scenario, "--out", str(a_file / "sub")), f"--out {a_file / 'sub'}: {a_file} is a file"),
            (("diagnose", str(log_csv), "--out", str(a_file)), f"--out {a_file} is a file, not a directory"),
            (("compare", run, run, "--json", str(a_dir)), f"--json {a_dir} is a directory; give a file name"),
            (("compare", run, run, "--json", str(a_file / "c.json")), f"--json {a_file / 'c.json'}: {a_file} is"),
            (("inspect", str(log_csv), "--quarantine-out", str(a_dir)), f"--quarantine-out {a_dir} is a directory"),
            (("convert", str(log_csv), str(a_dir)), f"OUT {a_dir} is a directory")]
    for args, message in runs:
        done = jxcsim(*args)
        assert done.returncode == 2 and done.stderr.startswith(f"error: {message}"), (args, done.stderr)
        assert len(done.stderr.strip().splitlines()) == 1 and not done.stdout, (args, done.stdout)
    assert a_file.read_text() == "x" and not any(a_dir.iterdir())


def test_convert_ocel_to_ocel_refuses_options_that_do_not_apply(log_csv, tmp_path):
    ocel = tmp_path / "log.jsonocel"
    assert jxcsim("convert", str(log_csv), str(ocel), "--no-progress").returncode == 0
    done = jxcsim("convert", str(ocel), str(tmp_path / "out.sqlite"), "--object-type", "nope", "--no-progress")
    assert done.returncode == 2 and "--object-type does not apply to OCEL to OCEL conversion" in done.stderr
    assert not (tmp_path / "out.sqlite").exists()


def test_a_flat_conversion_keeps_the_local_zone(tmp_path):
    src = tmp_path / "plus8.csv"
    src.write_text("case,activity,timestamp\n1,a,2024-03-06T14:10:00+08:00\n1,b,2024-03-06T18:40:00+08:00\n")
    for name in ("back.csv", "back.xes.gz"):
        assert jxcsim("convert", str(src), str(tmp_path / name), "--no-progress").returncode == 0
        back = json.loads(jxcsim("inspect", str(tmp_path / name), "--json").stdout)
        assert back["timezone"] == "+08:00" and back["weekday_hour"][2][14] == 1, name
    assert "2024-03-06T14:10:00+08:00" in (tmp_path / "back.csv").read_text()
