"""Customer returns in the world: requested, approved above the threshold, back on the shelf, posted."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from jxcsim.eventlog import read_event_log
from jxcsim.eventlog.schema import CASE, SEMANTIC, TIMESTAMP
from jxcsim.world.scenario import ScenarioError, load_scenario, parse_scenario
from jxcsim.world.simulate import simulate, write_simulation

REPO = Path(__file__).resolve().parents[1]


def _with_returns(**returns) -> object:
    data = load_scenario(REPO / "scenarios" / "baseline.yaml").model_dump(mode="json")
    data["returns"] = {"enabled": True, **returns}
    return parse_scenario(data)


@pytest.fixture(scope="module")
def run():
    return simulate(_with_returns(p_line=0.05, approval_threshold=1_000), weeks=5, seed=21)


def test_each_return_is_requested_approved_when_dear_received_and_posted_in_order(run):
    log = run.log
    returns = log[log["doc_type"] == "customer_return"]
    assert returns[CASE].nunique() > 50
    for case, steps in returns.groupby(CASE, sort=False):
        kinds = steps.sort_values(TIMESTAMP, kind="stable")[SEMANTIC].tolist()
        amount = steps.loc[steps[SEMANTIC] == "return_requested", "amount"].iloc[0]
        expected = ["return_requested", *(["return_approved"] if amount > 1_000 else []),
                    "return_physical_in", "return_book_in"]
        assert kinds == expected[:len(kinds)], case  # the run may end part way
        assert steps["qty"].nunique() == 1 and steps["sku"].nunique() == 1 and steps["location"].nunique() == 1
    approvers = returns.loc[returns[SEMANTIC] == "return_approved", "org:resource"]
    sales = {n for n, m in run.scenario.staff.items() if m.role.value == "sales"}
    assert set(approvers) <= sales and len(approvers) > 0


def test_a_customer_returns_no_more_than_was_delivered_to_it(run):
    log = run.log
    issues = log[log[SEMANTIC] == "physical_issue"].merge(
        log.loc[log[SEMANTIC] == "order_received", [CASE, "customer"]], on=CASE, suffixes=("_x", ""))
    delivered = issues.groupby(["customer", "sku"])["qty"].sum()
    back = log[log[SEMANTIC] == "return_requested"].groupby(["customer", "sku"])["qty"].sum()
    assert (back <= delivered.reindex(back.index)).all()
    assert (log.loc[log[SEMANTIC] == "return_requested", "qty"] >= 1).all()


def test_returns_move_goods_back_in_both_ledgers_and_the_residual_stays_zero():
    run = simulate(_with_returns(p_line=0.1), weeks=4, seed=5)
    run.ledgers.check_invariants()
    back = [e for e in run.ledgers.entries if e.movement_id.startswith("RT-")]
    assert back and {e.ledger.value for e in back} == {"physical", "book"}
    positions = run.positions()
    causes = positions[[c for c in positions.columns if c.startswith("cause:")]].sum(axis=1)
    assert (positions["discrepancy"] - causes).abs().max() < 1e-9


def test_returns_never_posted_show_as_unposted_receipts():
    data = _with_returns(p_line=0.2).model_dump(mode="json")
    data["posting"]["receipt"]["p_never"] = 0.5
    run = simulate(parse_scenario(data), weeks=3, seed=8)
    log = run.log
    arrived = log[log[SEMANTIC] == "return_physical_in"][CASE]
    posted = log[log[SEMANTIC] == "return_book_in"][CASE]
    assert 0 < len(set(arrived) - set(posted)) < len(arrived)
    assert run.positions().filter(like="cause:unposted_receipt").sum().sum() < 0  # shelf above book


def test_the_log_reads_back_with_its_profile(run, tmp_path):
    written = write_simulation(run, tmp_path, formats=("csv",))
    log = read_event_log(written["log.csv"], profile=tmp_path / "profile.yaml")
    got = log.frame[SEMANTIC].astype(str).value_counts()
    want = run.log[SEMANTIC].value_counts()
    for semantic in ("return_requested", "return_approved", "return_physical_in", "return_book_in"):
        assert got[semantic] == want[semantic]


def test_off_by_default_and_checked_when_on():
    assert not load_scenario(REPO / "scenarios" / "baseline.yaml").returns.enabled
    with pytest.raises(ScenarioError, match=r"returns\.share: a share of the delivered quantity is in \(0, 1\]"):
        _with_returns(share=[0, 0.5])
    with pytest.raises(ScenarioError, match=r"returns\.p_line"):
        _with_returns(p_line=1.5)
    for scenario in (_with_returns(p_line=0.0), load_scenario(REPO / "scenarios" / "baseline.yaml")):
        assert not (simulate(scenario, weeks=2, seed=4).log["doc_type"] == "customer_return").any()


def test_a_booked_in_return_is_credited_on_its_order_and_the_customer_pays_the_rest(run):
    """The credit note lands in the order's case after the invoice; the payment is the invoice less the
    credits issued before it; credits never exceed the invoice, and each credits a booked-in return."""
    log = run.log
    credits = log[log[SEMANTIC] == "credit_note"]
    booked = log[log[SEMANTIC] == "return_book_in"]
    assert 0 < len(credits) <= len(booked)
    assert set(credits["doc_type"]) == {"sales_order"} and credits[CASE].str.startswith("SO-").all()
    accountants = {n for n, m in run.scenario.staff.items() if m.role.value == "accountant"}
    assert set(credits["org:resource"]) <= accountants
    paid_less = 0
    for _, steps in log[log[CASE].isin(credits[CASE])].groupby(CASE, sort=False):
        invoice = steps[steps[SEMANTIC] == "invoice"]
        assert len(invoice) == 1 and (steps.loc[steps[SEMANTIC] == "credit_note", TIMESTAMP]
                                      >= invoice[TIMESTAMP].iloc[0]).all()
        invoiced = invoice["amount"].iloc[0]
        credited = steps.loc[steps[SEMANTIC] == "credit_note", "amount"]
        assert credited.sum() <= invoiced + 1e-6
        payment = steps[steps[SEMANTIC] == "payment"]
        if len(payment):
            before = credited[steps.loc[credited.index, TIMESTAMP] <= payment[TIMESTAMP].iloc[0]].sum()
            assert payment["amount"].iloc[0] == pytest.approx(invoiced - before, abs=0.01)
            paid_less += before > 0
    assert paid_less > 0  # returns come back within days, payments after weeks
    # each credit is worth what came back: the returned quantity at the line's price (as the issue carried it)
    prices = log[log[SEMANTIC] == "physical_issue"].drop_duplicates([CASE, "line"]).set_index([CASE, "line"])["price"]
    value = credits["qty"] * prices.reindex(pd.MultiIndex.from_frame(credits[[CASE, "line"]])).to_numpy()
    assert (credits["amount"].to_numpy() == value.round(2).to_numpy()).mean() > 0.95  # the rest: capped at the invoice


def test_an_order_sent_back_whole_is_settled_by_its_credit_notes_and_nobody_pays():
    """Every delivered line comes back in full: the credits (rounded to cents) settle invoices that are float sums."""
    run = simulate(_with_returns(p_line=1.0, share=[1.0, 1.0], approval_threshold=None), weeks=4, seed=2)
    log = run.log
    credits = log[log[SEMANTIC] == "credit_note"].groupby(CASE)["amount"].sum()
    invoices = log[log[SEMANTIC] == "invoice"].set_index(CASE)["amount"]
    whole = credits.index[(credits - invoices.reindex(credits.index)).abs() < 0.01]
    assert len(whole) > 10
    paid_at = log[log[SEMANTIC] == "payment"].set_index(CASE)[TIMESTAMP]
    last_credit = log[log[SEMANTIC] == "credit_note"].groupby(CASE)[TIMESTAMP].max()
    settled_first = [c for c in whole if c not in paid_at.index or last_credit[c] > paid_at[c]]
    assert settled_first == list(whole)  # paid only while something was still due (a credit may come later)
    assert len(set(whole) - set(paid_at.index)) > 5  # credited in full before the due date: nothing to pay


def test_a_credit_after_the_customer_paid_is_refunded_by_an_accountant():
    """Customers who pay within days send goods back after they paid: each such credit note is
    followed by a refund of what it owed back, in the order's case; a credit before payment is not."""
    data = _with_returns(p_line=0.08, after_days=[8, 12], approval_threshold=None).model_dump(mode="json")
    for group in data["customers"].values():
        group["pay_days"] = [1, 3]
    run = simulate(parse_scenario(data), weeks=5, seed=3)
    log = run.log.sort_values(TIMESTAMP, kind="stable")
    refunds = log[log[SEMANTIC] == "refund"]
    assert len(refunds) > 10
    accountants = {n for n, m in run.scenario.staff.items() if m.role.value == "accountant"}
    assert set(refunds["org:resource"]) <= accountants and refunds["amount"].gt(0).all()
    money = log[log[SEMANTIC].isin(["invoice", "payment", "credit_note", "refund"])]
    sign = {"invoice": 1.0, "payment": -1.0, "credit_note": -1.0, "refund": 1.0}
    owed_back, refunded = 0, 0
    for case, steps in money.groupby(CASE, sort=False):
        balance = (steps[SEMANTIC].map(sign) * steps["amount"]).cumsum().round(6)
        credited_after = steps[SEMANTIC].eq("credit_note") & steps[SEMANTIC].eq("payment").cummax()
        assert balance.min() >= -steps.loc[credited_after, "amount"].sum() - 1e-6, case  # owed back: only credits
        owed_back += credited_after.any()
        if steps[SEMANTIC].eq("refund").any():
            refunded += 1
            assert credited_after.any(), case  # a refund only ever follows a credit on a paid order
            after_refunds = balance[steps[SEMANTIC].eq("refund")]
            assert (after_refunds <= 1e-6).all(), case  # never more than was owed back
            assert balance.iloc[-1] == pytest.approx(0.0, abs=1e-6) or steps[SEMANTIC].iloc[-1] == "credit_note", case
    # the rest still waits in the accountant's queue at the end of the run (a credit note a day)
    assert refunded > 10 and refunded / owed_back > 0.8
