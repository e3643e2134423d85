"""Common random numbers: a what-if run with the same seed meets the same demand."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import REPO
from jxcsim.world.scenario import load_scenario
from jxcsim.world.simulate import simulate
from jxcsim.world.streams import named_streams

BASELINE = REPO / "scenarios" / "baseline.yaml"
CHANGES = sorted((REPO / "scenarios" / "changes").glob("*.yaml"))


def _orders(log):
    rows = log[log["semantic"] == "order_received"]
    return list(zip(rows["time:timestamp"], rows["customer"], rows["amount"].round(2), strict=True))


@pytest.fixture(scope="module")
def baseline_orders():
    return _orders(simulate(load_scenario(BASELINE), weeks=2, seed=5).log)


@pytest.mark.parametrize("change", CHANGES, ids=lambda p: p.stem)
def test_every_change_meets_the_baselines_orders(change, baseline_orders):
    changed = simulate(load_scenario(BASELINE, changes=[change]), weeks=2, seed=5).log
    assert _orders(changed) == baseline_orders


def test_another_seed_brings_other_orders(baseline_orders):
    assert _orders(simulate(load_scenario(BASELINE), weeks=2, seed=6).log) != baseline_orders


def test_streams_are_fixed_by_seed_and_name_and_apart_from_replications():
    a, b = named_streams(np.random.default_rng(1)), named_streams(np.random.default_rng(1))
    assert (a("orders").random(4) == b("orders").random(4)).all()
    assert not np.isin(a("orders").random(50), b("purchasing").random(50)).any()
    first, second = np.random.SeedSequence(1).spawn(2)  # replications
    r1, r2 = (named_streams(np.random.default_rng(s))("orders").random(4) for s in (first, second))
    assert not (r1 == r2).any() and not (r1 == a("orders").random(4)).any()


def test_issue_decisions_a_change_skips_leave_the_receipts_decisions_as_they_were():
    """Scan-to-ship makes no posting decision for an issue: the receipts' decisions are drawn as before."""
    from jxcsim.world.model import World
    from jxcsim.world.scenario import Movement

    worlds = [World(load_scenario(BASELINE, changes=c), np.random.default_rng(5), weeks=1)
              for c in ([], [REPO / "scenarios" / "changes" / "scan_to_ship.yaml"])]
    plans = []
    for world in worlds:
        for k in range(5):
            world.posting_plan(Movement.ISSUE, "WH-A", 24 * 2 + 14 + k / 10)  # Wednesday afternoon: the habit's
        plans.append([world.posting_plan(Movement.RECEIPT, "WH-B", 24 * k + 10) for k in range(5)])
    assert plans[0] == plans[1]
    assert worlds[0].duration("unload", work="purchasing") == worlds[1].duration("unload", work="purchasing")
