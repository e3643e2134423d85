"""The OCEL writing figure's two measurements write the same log, and its check counts what the file holds."""

from __future__ import annotations

import sys

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "benchmarks"))

import run_all  # noqa: E402


def test_ours_and_pm4pys_files_hold_the_same_events_objects_and_relations():
    frame = run_all._simulated_frame(None, {"weeks": 1})
    ours = run_all._check_ocel(run_all._ocel_ours(frame, {}), {})
    theirs = run_all._check_ocel(run_all._ocel_pm4py(frame, {}), {})
    assert ours["events"] == len(frame) == theirs["events"]
    assert {k: ours[k] for k in ("objects", "relations")} == {k: theirs[k] for k in ("objects", "relations")}
    assert ours["relations"] > 2 * ours["events"]  # each row: its case, location and most a SKU or a delivery


def test_the_check_refuses_a_file_missing_events(tmp_path):
    frame = run_all._simulated_frame(None, {"weeks": 1})
    path, rows = run_all._ocel_ours(frame, {})
    with pytest.raises(AssertionError, match="events for"):
        run_all._check_ocel((path, rows + 1), {})
