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
    run = simulate(_with_transfers(posting_issue={"p_move_before_post": 1.0, "p_never": 0.5}), weeks=8, seed=3)
    moves = run.log[run.log["doc_type"] == "transfer"]
    cases = moves.groupby(CASE)[SEMANTIC].agg(set)
    no_out = cases[cases.map(lambda s: "transfer_physical_out" in s and "transfer_book_out" not in s)]
    assert len(no_out) > 0 and not any("transfer_book_in" in s for s in no_out)
    run.ledgers.check_invariants()


def test_checked_and_off_by_default():
    assert not parse_scenario({"name": "t", "locations": {"W": {}}}).transfers.enabled
    with pytest.raises(ScenarioError, match=r"transfers: .*up_to_days \(1.0\) is below below_days \(2.0\)"):
        _with_transfers(up_to_days=1)


def test_transfers_never_posted_out_leave_nothing_in_transit_or_on_order():
    """An out leg never posted: the goods stay in the source's book, and once they arrive the
    destination no longer expects them (before, they were counted in transit for ever and the
    destination's reorders stopped)."""
    run = simulate(_with_transfers(posting_issue={"p_move_before_post": 1.0, "p_never": 1.0}), weeks=8, seed=3)
    moves = run.log[run.log["doc_type"] == "transfer"]
    arrived = set(moves.loc[moves[SEMANTIC] == "transfer_physical_in", CASE])
    assert arrived and not (moves[SEMANTIC] == "transfer_book_out").any()
    positions = run.positions()
    assert positions["in_transit"].sum() == 0
    on_road = moves.groupby(CASE).filter(lambda c: "transfer_physical_in" not in set(c[SEMANTIC]))
    assert positions["on_order"].sum() >= on_road.loc[on_road[SEMANTIC] == "transfer_physical_out", "qty"].sum()


def test_posted_transfers_are_in_transit_until_posted_in(run):
    moves = run.log[run.log["doc_type"] == "transfer"]
    steps = moves.groupby(CASE)[SEMANTIC].agg(set)
    open_legs = [c for c, s in steps.items() if "transfer_book_out" in s and "transfer_book_in" not in s]
    expected = moves[moves[CASE].isin(open_legs) & (moves[SEMANTIC] == "transfer_book_out")]
    got = run.positions().set_index(["sku", "location"])["in_transit"]
    want = expected.assign(dst=expected[CASE].map(moves[moves[SEMANTIC] == "transfer_physical_in"]
                                                   .set_index(CASE)["location"])).dropna(subset=["dst"])
    for (sku, dst), qty in want.groupby(["sku", "dst"])["qty"].sum().items():
        assert got[(sku, dst)] >= qty  # posted out and arrived, not posted in: still in transit in the book
    assert got.sum() == pytest.approx(expected["qty"].sum())


def test_a_short_location_never_gives_and_stock_does_not_go_back_and_forth():
    run = simulate(_with_transfers(below_days=6, up_to_days=6, keep_days=0, review_days=[0, 1, 2, 3, 4, 5, 6],
                                   review_time="00:00", transit_days=[0, 0]), weeks=1, seed=3)
    moves = run.log[(run.log["doc_type"] == "transfer") & (run.log[SEMANTIC] == "transfer_physical_out")]
    ins = run.log[(run.log["doc_type"] == "transfer") & (run.log[SEMANTIC] == "transfer_physical_in")]
    dst = ins.set_index(CASE)["location"]
    legs = moves.assign(dst=moves[CASE].map(dst), day=moves[TIMESTAMP].dt.floor("D")).dropna(subset=["dst"])
    pairs = {(r.sku, r.location, r.dst, r.day) for r in legs.itertuples()}
    assert legs.shape[0] > 5
    assert not any((sku, b, a, day) in pairs for sku, a, b, day in pairs)


def test_where_the_loading_scan_posts_the_transfer_out_leg_is_posted_at_the_scan():
    data = _with_transfers().model_dump(mode="json")
    data["rules"]["scan_to_ship"] = {"enabled": True}
    run = simulate(parse_scenario(data), weeks=6, seed=3)
    moves = run.log[run.log["doc_type"] == "transfer"]
    out = moves[moves[SEMANTIC] == "transfer_physical_out"].set_index(CASE)[TIMESTAMP]
    posted = moves[moves[SEMANTIC] == "transfer_book_out"].set_index(CASE)
    assert len(posted) == len(out) > 0
    assert (posted[TIMESTAMP] == out.reindex(posted.index)).all() and set(posted["org:resource"]) == {"scanner"}


def test_every_transfer_starts_with_its_creation_and_a_cancelled_one_ends_there(run):
    """The log shows each transfer order from its creation; one whose goods were not on the shelf is
    cancelled by the picker at the pick, and nothing else happens to it."""
    moves = run.log[run.log["doc_type"] == "transfer"].sort_values(TIMESTAMP, kind="stable")
    cancelled = 0
    for case, steps in moves.groupby(CASE, sort=False):
        kinds = steps[SEMANTIC].tolist()
        assert kinds[0] == "transfer_created" and steps["org:resource"].iloc[0] == "system", case
        if "transfer_cancelled" in kinds:
            cancelled += 1
            assert kinds == ["transfer_created", "transfer_cancelled"], case
            picker = steps["org:resource"].iloc[1]
            assert run.scenario.staff[picker].role.value == "picker"
            assert steps["location"].nunique() == 1
    assert cancelled > 0
    assert (moves[SEMANTIC] == "transfer_created").sum() == moves[CASE].nunique()


def test_the_out_leg_is_posted_first_as_often_as_issues_are(run):
    """posting.issue of the German world posts most issues as the goods leave: most out legs too,
    the rest after a delay (the reviewer saw none posted first)."""
    moves = run.log[run.log["doc_type"] == "transfer"]
    out = moves[moves[SEMANTIC] == "transfer_physical_out"].set_index(CASE)[TIMESTAMP]
    posted = moves[moves[SEMANTIC] == "transfer_book_out"].set_index(CASE)[TIMESTAMP]
    delay_h = (posted - out.reindex(posted.index)).dt.total_seconds() / 3600
    first = run.scenario.posting.issue.p_move_before_post
    assert len(delay_h) > 10 and 0 < first < 1
    assert (delay_h <= 0).mean() == pytest.approx(1 - first, abs=0.25) and (delay_h > 0).any()
