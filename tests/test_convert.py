"""``jxcsim convert`` and ``jxcsim inspect`` on logs at their edges, run as a user runs them."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

BAD_TIMES = "case,activity,timestamp\nSO-1,Load truck,2024-03-06 14:10\nSO-2,Load truck,2024-03-07 09:00\n"


def jxcsim(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "jxcsim.cli", *args], capture_output=True, text=True, timeout=300)


@pytest.fixture()
def unreadable(tmp_path):
    """A log and a profile whose timestamp_format fits none of its times: no row is accepted."""
    log, profile = tmp_path / "gi.csv", tmp_path / "p.yaml"
    log.write_text(BAD_TIMES)
    profile.write_text('timestamp_format: "%d.%m.%Y %H:%M"\n')
    return log, profile


@pytest.mark.parametrize("name", ["out.csv", "out.xes", "out.sqlite"])
def test_convert_of_a_log_with_no_accepted_row_fails_and_writes_nothing(unreadable, tmp_path, name):
    log, profile = unreadable
    out = tmp_path / name
    done = jxcsim("convert", str(log), str(out), "--profile", str(profile), "--no-progress")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines()[-1] == (
        f"error: {log}: no row was accepted, nothing to convert ({out} not written): 2 read = 0 accepted + "
        f"2 quarantined (2 unparseable timestamp); --quarantine-out FILE writes the rows and their reasons")
    assert "note: no timestamp matches the profile's timestamp_format" in done.stderr
    assert not out.exists()


def test_convert_with_no_accepted_row_still_writes_the_asked_quarantine(unreadable, tmp_path):
    log, profile = unreadable
    q = tmp_path / "q.csv"
    done = jxcsim("convert", str(log), str(tmp_path / "out.csv"), "--profile", str(profile),
                  "--quarantine-out", str(q), "--no-progress")
    assert done.returncode == 2 and done.stderr.strip().endswith(f"the rows and their reasons are in {q}")
    assert len(pd.read_csv(q)) == 2 and not (tmp_path / "out.csv").exists()


def test_inspect_of_a_log_with_no_accepted_row_says_so(unreadable):
    log, profile = unreadable
    done = jxcsim("inspect", str(log), "--profile", str(profile), "--no-progress")
    assert done.returncode == 0, done.stderr
    assert "None" not in done.stdout
    assert "time span     none: no accepted rows; local zone UTC" in done.stdout
    assert "no accepted rows: no activities or weekday x hour counts to show" in done.stdout
    assert "note: no timestamp matches the profile's timestamp_format" in done.stdout


def test_convert_counts_one_of_each_in_the_singular(tmp_path):
    log = tmp_path / "one.csv"
    log.write_text("case,activity,timestamp\nSO-1,Load truck,2024-03-06 14:10\nSO-1,Load truck,not a time\n")
    done = jxcsim("convert", str(log), str(tmp_path / "one.xes"), "--no-progress")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"wrote {tmp_path / 'one.xes'}: 1 activity instance, 1 case; 1 row quarantined"


@pytest.mark.parametrize("name", ["de.sqlite", "de.sqlite.gz", "de.jsonocel", "de.xmlocel", "de.xes"])
def test_ocel_keeps_the_local_zone_of_the_log_through_a_round_trip(tmp_path, name):
    from jxcsim.eventlog import read_event_log, write_event_log

    src = tmp_path / "de.csv"
    src.write_text("order;step;when\nSO-1;Load truck;04.03.2024 14:00\nSO-1;Post goods issue;04.03.2024 15:30\n"
                   "SO-2;Load truck;05.07.2024 09:00\nSO-2;Post goods issue;05.07.2024 23:30\n")
    log = read_event_log(src, profile={"columns": {"case": "order", "activity": "step", "timestamp": "when"},
                                       "timezone": "Europe/Berlin"})
    if name.endswith(".gz"):
        import gzip

        plain = write_event_log(log, tmp_path / "de.sqlite")
        (tmp_path / name).write_bytes(gzip.compress(plain.read_bytes()))
        plain.unlink()
    else:
        write_event_log(log, tmp_path / name)
    back = read_event_log(tmp_path / name)
    assert back.timezone == "+01:00"  # the most common offset, as for XES (daylight saving is noted)
    assert back.frame["time:timestamp"].tolist() == log.frame["time:timestamp"].tolist()
    assert back.local_timestamps().dt.strftime("%H:%M").tolist()[:2] == ["14:00", "15:30"]
    assert any("several UTC offsets (+01:00 50%, +02:00 50%)" in n for n in back.notes)


def test_ocel_sqlite_times_are_written_with_their_offsets_and_pm4py_reads_the_same_instants(tmp_path):
    import sqlite3

    import pm4py

    from jxcsim.eventlog import read_event_log, write_event_log

    src = tmp_path / "cn.csv"
    src.write_text("case,activity,timestamp,start_timestamp\n1,Pick,2024-03-04 14:00,2024-03-04 13:15\n")
    log = read_event_log(src, profile={"timezone": "Asia/Shanghai"})
    out = write_event_log(log, tmp_path / "cn.sqlite")
    with sqlite3.connect(out) as db:
        assert db.execute('SELECT ocel_time, start_timestamp FROM "event_Pick"').fetchall() == [
            ("2024-03-04 14:00:00+08:00", "2024-03-04 13:15:00+08:00")]
    theirs = pm4py.read_ocel2_sqlite(str(out))
    assert pd.to_datetime(theirs.events["ocel:timestamp"], utc=True).tolist() == log.frame["time:timestamp"].tolist()
    inspected = jxcsim("inspect", str(out), "--no-progress")
    assert "local zone +08:00" in inspected.stdout
