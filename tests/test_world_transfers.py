"""Transfers in the world: a review tops up short SKUs from the location with most cover; in transit between."""

from __future__ import annotations

from pathlib import Path

import pytest

from jxcsim.engine import TRANSIT, Ledger
from jxcsim.eventlog.schema import CASE, SEMANTIC, TIMESTAMP
from jxcsim.world.scenario import ScenarioError, load_scenario, parse_scenario
from jxcsim.world.simulate import simulate

GERMAN = Path(__file__).resolve().parents[1] / "scenarios" / "examples" / "hardware_distributor_de.yaml"


def _with_transfers(posting_issue: dict | None = None, **transfers) -> object:
    data = load_scenario(GERMAN).model_dump(mode="json")
    data["transfers"] = {"enabled": True, **transfers}
    if posting_issue:
        data["posting"]["issue"].update(posting_issue)
    return parse_scenario(data)


@pytest.fixture(scope="module")
def run():
    return simulate(_with_transfers(), weeks=8, seed=3)


def test_each_transfer_leaves_its_source_and_arrives_at_another_location_in_order(run):
    moves = run.log[run.log["doc_type"] == "transfer"]
    assert moves[CASE].nunique() >= 10
    for case, steps in moves.groupby(CASE):
        at = {s: (t, loc) for s, t, loc in zip(steps[SEMANTIC], steps[TIMESTAMP], steps["location"], strict=True)}
        assert steps["qty"].nunique() == 1 and steps["sku"].nunique() == 1
        if "transfer_physical_in" in at:
            assert at["transfer_physical_out"][0] < at["transfer_physical_in"][0]
            assert at["transfer_physical_out"][1] != at["transfer_physical_in"][1]
        if "transfer_book_in" in at:
            assert at["transfer_book_out"][0] <= at["transfer_book_in"][0], case
            assert at["transfer_book_in"][1] == at["transfer_physical_in"][1]


def test_goods_on_the_road_are_in_transit_in_the_ledgers_and_nothing_is_left_unexplained(run):
    run.ledgers.check_invariants()
    moves = run.log[run.log["doc_type"] == "transfer"]
    shipped = moves.loc[moves[SEMANTIC] == "transfer_physical_out", "qty"].sum()
    arrived = moves.loc[moves[SEMANTIC] == "transfer_physical_in", "qty"].sum()
    on_road = sum(run.ledgers.balance(Ledger.PHYSICAL, sku, TRANSIT) for sku in run.skus)
    assert on_road == pytest.approx(shipped - arrived)
    positions = run.positions()
    causes = positions[[c for c in positions.columns if c.startswith("cause:")]].sum(axis=1)
    assert (positions["discrepancy"] - causes).abs().max() < 1e-9


def test_an_out_leg_never_posted_keeps_the_in_leg_from_being_posted():
    run = simulate(_with_transfers(posting_issue={"p_never": 0.5}), weeks=8, seed=3)
    moves = run.log[run.log["doc_type"] == "transfer"]
    cases = moves.groupby(CASE)[SEMANTIC].agg(set)
    no_out = cases[cases.map(lambda s: "transfer_physical_out" in s and "transfer_book_out" not in s)]
    assert len(no_out) > 0 and not any("transfer_book_in" in s for s in no_out)
    run.ledgers.check_invariants()


def test_checked_and_off_by_default():
    assert not parse_scenario({"name": "t", "locations": {"W": {}}}).transfers.enabled
    with pytest.raises(ScenarioError, match=r"transfers: .*up_to_days \(1.0\) is below below_days \(2.0\)"):
        _with_transfers(up_to_days=1)
