"""Notifications in the world: a push as each order arrives, digests that add to the approver's looks."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import REPO
from jxcsim.kpi.process import credit_wait
from jxcsim.world.scenario import ScenarioError, load_scenario, parse_scenario
from jxcsim.world.simulate import simulate

BASELINE = REPO / "scenarios" / "baseline.yaml"
NOTIFY = REPO / "scenarios" / "changes" / "new_order_notifications.yaml"
CASE, TIME, SEMANTIC = "case:concept:name", "time:timestamp", "semantic"


@pytest.fixture(scope="module")
def runs():
    """The baseline and the notifications what-if, same seed: the same orders and draws."""
    base, notify = load_scenario(BASELINE), load_scenario(BASELINE, changes=[NOTIFY])
    return simulate(base, weeks=8, seed=4), simulate(notify, weeks=8, seed=4)


def test_the_warehouse_is_told_of_each_order_as_it_arrives(runs):
    _, notify = runs
    log = notify.log
    received = log[log[SEMANTIC] == "order_received"].set_index(CASE)[TIME]
    pushed = log[(log[SEMANTIC] == "notification") & (log["org:resource"] == "system")].set_index(CASE)[TIME]
    assert len(received) > 1_000 and pushed.index.is_unique
    assert set(pushed.index) == set(received.index)  # every order, held or rejected ones too
    assert (pushed == received.reindex(pushed.index)).all()


def test_digests_add_to_the_approvers_looks_and_never_make_a_hold_wait_longer(runs):
    base, notify = runs
    tz = notify.scenario.timezone
    log = notify.log
    digests = log[(log[SEMANTIC] == "notification") & (log["org:resource"] == "digest")]
    local = digests[TIME].dt.tz_convert(tz)
    assert len(digests) > 10 and set(local.dt.strftime("%H:%M")) <= {"09:00", "17:00"}
    held = set(log.loc[log[SEMANTIC] == "credit_hold", CASE])
    assert set(digests[CASE]) <= held and digests[CASE].is_unique  # one digest row at most for a hold
    # the approver starts on a hold after the digest that told them of it
    starts = log[log[SEMANTIC].isin(["credit_approved", "credit_rejected"])].set_index(CASE)["start_timestamp"]
    told = digests.set_index(CASE)[TIME]
    both = pd.concat([told, starts.reindex(told.index)], axis=1, keys=["told", "start"]).dropna()
    assert len(both) and (both["start"] >= both["told"]).all()
    # holds seen at the 10:00/15:00 looks or a sooner digest: shorter waits (the holds differ a little, as
    # pushed orders ship, bill and get paid sooner, which moves the customers' exposure)
    before, after = credit_wait(base.log, timezone=tz), credit_wait(log, timezone=tz)
    assert abs(after.n_holds - before.n_holds) <= 0.05 * before.n_holds
    assert after.stats.mean < before.stats.mean


def test_a_push_named_for_one_warehouse_leaves_the_other_to_its_batches():
    scenario = load_scenario(BASELINE, changes=[NOTIFY])
    data = scenario.model_dump(mode="json")
    data["rules"]["notifications"]["locations"] = ["WH-A"]
    log = simulate(parse_scenario(data), weeks=2, seed=4).log
    pushed = log[(log[SEMANTIC] == "notification") & (log["org:resource"] == "system")]
    received = log[log[SEMANTIC] == "order_received"]
    assert set(pushed["location"]) == {"WH-A"}
    assert len(pushed) == (received["location"] == "WH-A").sum() and (received["location"] == "WH-B").any()
    with pytest.raises(ScenarioError, match="rules.notifications.locations: unknown location 'WH-C'"):
        parse_scenario({**data, "rules": {**data["rules"], "notifications": {"locations": ["WH-C"]}}})
