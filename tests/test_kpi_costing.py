"""Cost of goods sold: the engine's moving average and FIFO over a log's postings, and in the simulated world."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jxcsim.eventlog.schema import CASE, SEMANTIC, TIMESTAMP
from jxcsim.kpi import KpiUnavailable, cost_of_goods, kpi_summary

REPO = Path(__file__).resolve().parents[1]


def frame(rows: list[tuple]) -> pd.DataFrame:
    """(case, semantic, hour, sku, location, qty, price) rows, hours from 2025-01-06 00:00 UTC."""
    f = pd.DataFrame(rows, columns=[CASE, SEMANTIC, "hour", "sku", "location", "qty", "price"])
    f[TIMESTAMP] = pd.Timestamp("2025-01-06", tz="UTC") + pd.to_timedelta(f.pop("hour"), unit="h")
    f["concept:name"] = f[SEMANTIC]
    return f


RISING = frame([("P1", "book_receipt", 1, "A", "W", 100.0, 10.0), ("P2", "book_receipt", 2, "A", "W", 50.0, 12.0),
                ("S1", "book_issue", 3, "A", "W", 120.0, None), ("P3", "book_receipt", 4, "A", "W", 10.0, 15.0),
                ("S2", "book_issue", 5, "A", "W", 30.0, None)])


def test_worked_example_fifo_and_moving_average():
    fifo, avg = cost_of_goods(RISING, "fifo"), cost_of_goods(RISING, "moving_average")
    # FIFO: 100 @ 10 + 20 @ 12 = 1240, then 30 @ 12 = 360; left 10 @ 15
    assert fifo.cogs == pytest.approx(1600.0) and fifo.closing_value == pytest.approx(150.0)
    # moving average: 1600 / 150 = 10.667 a unit; 120 of them = 1280; 30 @ 10.667 + 10 @ 15 -> 40 @ 11.75; 30 -> 352.5
    assert avg.cogs == pytest.approx(1280.0 + 352.5) and avg.closing_value == pytest.approx(117.5)
    assert avg.unit_costs == {"A": pytest.approx((1280.0 + 352.5) / 150)}
    assert fifo.by_product.loc["A", "closing_qty"] == 10.0 and fifo.issued_qty == 150.0


def test_receipts_come_before_issues_at_one_instant_and_locations_are_apart():
    f = frame([("S1", "book_issue", 1, "A", "W1", 5.0, None), ("P1", "book_receipt", 1, "A", "W1", 5.0, 8.0),
               ("P2", "book_receipt", 1, "A", "W2", 5.0, 100.0)])
    c = cost_of_goods(f, "moving_average")
    assert c.cogs == pytest.approx(40.0) and c.beyond_stock_qty == 0 and c.closing_value == pytest.approx(500.0)


def test_issues_beyond_the_stock_known_use_the_last_cost_then_the_standard_cost():
    f = frame([("S0", "book_issue", 1, "B", "W", 4.0, None),  # before any receipt: standard cost
               ("P1", "book_receipt", 2, "A", "W", 10.0, 3.0),
               ("S1", "book_issue", 3, "A", "W", 12.0, None),  # 2 beyond: at the last cost, 3
               ("S2", "book_issue", 4, "C", "W", 1.0, None)])  # no cost anywhere: unvalued
    c = cost_of_goods(f, "fifo", standard_costs={"B": 7.0})
    assert c.by_product.loc["A", "cogs"] == pytest.approx(36.0) and c.by_product.loc["B", "cogs"] == pytest.approx(28.0)
    assert c.beyond_stock_qty == 7.0 and c.unvalued_qty == 1.0
    assert c.by_product.loc["A", "closing_qty"] == 0.0  # no negative stock carried
    assert np.isnan(c.by_product.loc["C", "unit_cost"]) and "C" not in c.unit_costs


def test_opening_stock_adjustments_returns_and_transfers_move_value():
    f = frame([("CNT", "adjustment", 1, "A", "W1", -2.0, None),   # a loss: taken out, not sold
               ("CNT", "adjustment", 2, "A", "W1", 1.0, None),    # a gain: at the current unit cost
               ("T1", "transfer_book_out", 3, "A", "W1", 4.0, None),
               ("T1", "transfer_book_in", 5, "A", "W2", 4.0, None),  # arrives with the cost it left with
               ("R1", "return_book_in", 6, "A", "W2", 1.0, None),
               ("P1", "book_receipt", 7, "A", "W2", 5.0, None),      # no price: the current cost
               ("S1", "book_issue", 8, "A", "W2", 10.0, None)])
    c = cost_of_goods(f, "moving_average", opening={("A", "W1"): (10.0, 5.0), ("A", "W2"): (0.0, 9.0)})
    assert c.cogs == pytest.approx(50.0) and c.issued_qty == 10.0
    assert c.closing_value == pytest.approx(25.0) and c.n_receipts_without_price == 1  # 5 left at W1 @ 5


def test_a_log_without_posted_issues_has_no_cost_of_goods():
    with pytest.raises(KpiUnavailable, match="no posted goods issue"):
        cost_of_goods(RISING[RISING[SEMANTIC] == "book_receipt"])
    with pytest.raises(KpiUnavailable, match=r"no posted issue could be valued \(150 units"):
        cost_of_goods(RISING[RISING[SEMANTIC] == "book_issue"])  # no receipt, no opening, no standard cost
    with pytest.raises(ValueError, match="fifo_x"):
        cost_of_goods(RISING, "fifo_x")


_MOVE = st.tuples(st.sampled_from(["book_receipt", "book_issue", "adjustment"]), st.sampled_from(["A", "B"]),
                  st.sampled_from(["W1", "W2"]), st.integers(1, 40), st.floats(1, 50))


@settings(max_examples=150, deadline=None)
@given(st.lists(_MOVE, min_size=1, max_size=40), st.sampled_from(["fifo", "moving_average"]), st.floats(1, 20))
def test_value_is_conserved(moves, method, opening_cost):
    """Opening value + what was received = cost of goods + what losses took + closing value, when no issue
    went beyond the stock (and the value a gain brings in is what the flow held a unit)."""
    rows = [("C", "book_issue", 0, "A", "W1", 1.0, None)]
    rows += [(f"C{i}", kind, i + 1, sku, loc, float(-q if kind == "adjustment" and i % 2 else q),
              price if kind == "book_receipt" else None) for i, (kind, sku, loc, q, price) in enumerate(moves)]
    f = frame(rows)
    opening = {(s, w): (30.0, opening_cost) for s in "AB" for w in ("W1", "W2")}
    c = cost_of_goods(f, method, opening=opening)
    if c.beyond_stock_qty > 0:
        return
    received = sum(q * p for _, k, _, _, _, q, p in rows if k == "book_receipt")
    losses = _losses_at_cost(f, method, opening)
    gains = c.closing_value + c.cogs + losses - received - sum(q * p for q, p in opening.values())
    assert gains >= -1e-6  # a gain only ever adds value
    if not any(k == "adjustment" and q > 0 for _, k, _, _, _, q, _ in rows):
        assert gains == pytest.approx(0.0, abs=1e-6)


def _losses_at_cost(f: pd.DataFrame, method: str, opening) -> float:
    """What the losses took out: the run's cost of goods when the losses are issues instead, minus its own."""
    as_issues = f.assign(**{SEMANTIC: np.where((f[SEMANTIC] == "adjustment") & (f["qty"] < 0), "book_issue",
                                               f[SEMANTIC]), "qty": f["qty"].abs()})
    return cost_of_goods(as_issues, method, opening=opening).cogs - cost_of_goods(f, method, opening=opening).cogs


def test_summary_names_the_cost_basis_of_the_margin():
    f = RISING.assign(**{"price": RISING["price"].where(RISING[SEMANTIC] == "book_receipt", 20.0)})
    s = kpi_summary(f, timezone="UTC", costing="fifo")["kpis"]
    assert s["cost_of_goods_sold"]["value"] == pytest.approx(1600.0)
    assert s["cost_of_goods_sold"]["details"]["method"] == "fifo"
    margin = s["gross_margin"]["details"]
    assert margin["cost_basis"] == "fifo" and margin["basis"] == "book_issue"
    assert s["gross_margin"]["value"] == pytest.approx((150 * 20.0 - 1600.0) / (150 * 20.0))
    plain = kpi_summary(f, timezone="UTC", costing=None, costs={"A": 11.0})["kpis"]
    assert plain["cost_of_goods_sold"]["reason"] == "no costing method (costing)"
    assert plain["gross_margin"]["details"]["cost_basis"] == "standard"


# --- in the simulated world -------------------------------------------------------------------

@pytest.fixture(scope="module")
def rising_run():
    from jxcsim.world.scenario import load_scenario
    from jxcsim.world.simulate import simulate

    return simulate(load_scenario(REPO / "scenarios" / "baseline.yaml"), weeks=8, seed=11)


def test_receipts_carry_the_purchase_orders_cost_after_a_price_change(rising_run):
    log, sc = rising_run.log, rising_run.scenario
    receipts = log[log[SEMANTIC] == "book_receipt"]
    catalogue = receipts["sku"].map({k: s.cost for k, s in rising_run.skus.items()})
    ratio = (receipts["price"] / catalogue).round(2)
    bev = receipts["sku"].str.startswith("BEV")
    change = pd.Timestamp(str(sc.catalogue.cost_changes[0].effective), tz=sc.timezone).tz_convert("UTC")
    created = receipts[CASE].map(log[log[SEMANTIC] == "po_created"].set_index(CASE)[TIMESTAMP])
    assert set(ratio[bev & (created >= change)]) == {1.06}
    assert set(ratio[bev & (created < change)]) == {1.0}
    assert set(ratio[receipts["sku"].str.startswith("SNK")]) == {1.0}


def _book_beyond_stock(ledger: pd.DataFrame) -> float:
    """Units taken out of the book beyond what it held (stock floored at zero), from the ledger itself."""
    book = ledger[(ledger["ledger"] == "book") & ~ledger["location"].str.startswith("@")]
    beyond = 0.0
    for _, moves in book.sort_values(["business_time", "entry_id"]).groupby(["sku", "location"]):
        stock = 0.0
        for qty in moves["qty"]:
            if qty < 0 and -qty > stock:
                beyond += -qty - stock
            stock = max(0.0, stock + qty)
    return beyond


def test_fifo_costs_less_than_moving_average_while_costs_rise_and_value_is_conserved(rising_run):
    from jxcsim.world.simulate import ledger_frame, opening_stock_costs

    costs = {k: s.cost for k, s in rising_run.skus.items()}
    opening = opening_stock_costs(ledger_frame(rising_run.ledgers), costs)
    log = rising_run.log
    runs = {m: cost_of_goods(log, m, opening=opening, standard_costs=costs) for m in ("fifo", "moving_average")}
    assert runs["fifo"].cogs < runs["moving_average"].cogs
    assert runs["fifo"].closing_value > runs["moving_average"].closing_value
    receipts = log[log[SEMANTIC] == "book_receipt"]
    found = log[(log[SEMANTIC] == "adjustment") & (log["qty"] > 0)]  # counts finding more: value in, near cost
    start_value = (sum(q * c for q, c in opening.values()) + float((receipts["qty"] * receipts["price"]).sum())
                   + float((found["qty"] * found["sku"].map(costs)).sum()))
    beyond = _book_beyond_stock(ledger_frame(rising_run.ledgers))  # a count adjusting for an issue posted after it
    for run in runs.values():
        assert run.beyond_stock_qty == beyond and run.unvalued_qty == 0
        adjusted = _losses_at_cost(log, run.method, opening)
        assert run.cogs + run.closing_value + adjusted == pytest.approx(start_value, rel=0.005)


def test_unknown_group_in_a_cost_change_names_the_field():
    from jxcsim.world.scenario import ScenarioError, parse_scenario

    with pytest.raises(ScenarioError, match=r"catalogue: .*cost_changes\.0\.groups: unknown group\(s\) 'TEA'"):
        parse_scenario({"name": "t", "locations": {"W": {}},
                        "catalogue": {"cost_changes": [{"effective": "2025-02-01", "factor": 1.1, "groups": ["TEA"]}]}})
    with pytest.raises(ScenarioError, match=r"catalogue\.cost_changes\.0\.effective: required: add it"):
        parse_scenario({"name": "t", "locations": {"W": {}}, "catalogue": {"cost_changes": [{"factor": 1.1}]}})


def test_missing_locations_and_prices_as_pd_na_and_nothing_quantities():
    f = frame([("P1", "book_receipt", 1, "A", "W", 10.0, 10.0), ("P2", "book_receipt", 2, "A", None, 10.0, None),
               ("P3", "book_receipt", 3, "A", "W", 0.0, 99.0), ("S1", "book_issue", 4, "A", "W", 5.0, None),
               ("S2", "book_issue", 5, "A", None, 5.0, None), ("S3", "book_issue", 6, "A", "W", 1e-9, None)])
    f["location"] = f["location"].astype("string")  # missing as pd.NA, as the readers give it
    f["price"] = f["price"].astype("Float64")
    c = cost_of_goods(f, "moving_average", standard_costs={"A": 8.0})
    # the NA price: no stock there yet, so the standard cost; the NA location is one place of its own
    assert c.cogs == pytest.approx(5 * 10.0 + 5 * 8.0) and c.n_receipts_without_price == 1
    assert c.beyond_stock_qty == 0 and c.issued_qty == 10.0 and c.unvalued_qty == 0


@pytest.mark.parametrize("method", ["fifo", "moving_average"])
def test_a_transfer_posted_out_and_in_at_one_instant_keeps_its_value(method):
    f = frame([("P1", "book_receipt", 1, "A", "W1", 100.0, 10.0), ("P2", "book_receipt", 1, "A", "W1", 100.0, 20.0),
               ("T1", "transfer_book_in", 2, "A", "W2", 50.0, None),
               ("T1", "transfer_book_out", 2, "A", "W1", 50.0, None),
               ("S1", "book_issue", 3, "A", "W1", 150.0, None)])
    c = cost_of_goods(f, method)
    assert c.cogs + c.closing_value == pytest.approx(3000.0) and c.beyond_stock_qty == 0
    on_road = cost_of_goods(f[f[SEMANTIC] != "transfer_book_in"], method)  # not posted in yet
    assert on_road.cogs + on_road.closing_value + on_road.in_transit_value == pytest.approx(3000.0)
    assert on_road.in_transit_value > 0
