"""Replications: independent runs from one seed, each reproducible on its own, their KPIs side by side."""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from conftest import REPO
from jxcsim.world.replications import replication_rng, replication_summary, simulate_replications
from jxcsim.world.scenario import load_scenario
from jxcsim.world.simulate import simulate

BASELINE = REPO / "scenarios" / "baseline.yaml"


@pytest.fixture(scope="module")
def baseline():
    return load_scenario(BASELINE)


def test_a_replication_is_the_same_run_however_many_are_asked_for(baseline):
    three = list(simulate_replications(baseline, weeks=1, seed=4, n=3))
    two = list(simulate_replications(baseline, weeks=1, seed=4, n=2))
    assert [r.replication for r in three] == [0, 1, 2]
    for a, b in zip(two, three[:2], strict=True):
        pd.testing.assert_frame_equal(a.log, b.log)
    assert not three[0].log.equals(three[1].log) and not three[1].log.equals(three[2].log)
    alone = simulate(baseline, weeks=1, seed=4, rng=replication_rng(4, 2))  # one replication, reproduced by itself
    pd.testing.assert_frame_equal(alone.log, three[2].log)
    assert not three[0].log.equals(simulate(baseline, weeks=1, seed=4).log)  # not the plain seed's run


def test_bad_counts_are_refused(baseline):
    with pytest.raises(ValueError, match="at least 1"):
        next(simulate_replications(baseline, weeks=1, seed=0, n=0))
    with pytest.raises(ValueError, match="0 or more"):
        replication_rng(0, -1)


def test_summary_keeps_every_value_and_counts_the_missing():
    runs = [{"kpis": {"fill_rate": {"value": v, "unit": "share"}}} for v in (0.9, None, 0.7)]
    k = replication_summary(runs)["kpis"]["fill_rate"]
    assert k["values"] == [0.9, None, 0.7] and k["n"] == 2
    assert k["mean"] == pytest.approx(0.8) and k["min"] == 0.7 and k["max"] == 0.9


def test_cli_writes_each_replication_and_their_kpis(tmp_path):
    done = subprocess.run([sys.executable, "-m", "jxcsim.cli", "simulate", str(BASELINE), "--weeks", "2",
                           "--replications", "2", "--seed", "3", "--formats", "csv", "--out", str(tmp_path),
                           "--no-progress"], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("KPI (2 replications)") and "fill_rate" in done.stdout
    summary = json.loads((tmp_path / "replications.json").read_text())
    assert (summary["replications"], summary["weeks"], summary["seed"]) == (2, 2, 3)
    for index in (0, 1):
        where = tmp_path / f"replication-0{index + 1}"
        assert json.loads((where / "truth" / "planted.json").read_text())["replication"] == index
        kpis = json.loads((where / "kpis.json").read_text())
        assert kpis["meta"]["replication"] == index
        assert summary["kpis"]["fill_rate"]["values"][index] == kpis["kpis"]["fill_rate"]["value"]
        assert (where / "log.csv").stat().st_size > 0
