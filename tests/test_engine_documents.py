"""Documents with state machines: only legal steps succeed, a refused step changes nothing, stories."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from jxcsim.engine import (
    CUSTOMER, LOSS, SUPPLIER, Adjustment, BackdatedTransition, Cause, CountState, CreditRule, CustomerReturn,
    IllegalTransition, Ledger, Ledgers, Notifications, PurchaseLine, PurchaseOrder, PurchaseOrderState,
    ReturnState, SalesLine, SalesLineState, SalesOrder, SalesOrderState, Shortfall, StockCount, Transfer,
    TransferState, TransferStep,
)

S, L = SalesOrderState, SalesLineState
AFTER_RELEASE = {S.RELEASED, S.PARTIALLY_DELIVERED, S.DELIVERED, S.INVOICED, S.PAID}
LINE_CANCELLABLE = {S.RECEIVED, S.CREDIT_CHECKED, S.CREDIT_HOLD, S.CREDIT_APPROVED, S.RELEASED,
                    S.PARTIALLY_DELIVERED}
MON, WED = 0.0, 48.0


def new_order(qtys=(4, 3), prices=(10.0, 20.0), created_at=0.0) -> SalesOrder:
    lines = [SalesLine(n + 1, f"SKU-{n + 1}", q, p) for n, (q, p) in enumerate(zip(qtys, prices))]
    return SalesOrder("SO-1", "C-1", "WH-A", created_at, lines)


def snapshot(so: SalesOrder) -> tuple:
    return (so.state, so.history, tuple(so.line(n.line_no) for n in so.lines), so.invoiced_amount,
            so.paid_amount, so.credited_amount, so.refunded_amount)


# ---------------------------------------------------------------- random sequences against a spec

LINE_OPS = ("allocate", "backorder", "pick", "load", "post_issue", "cancel_line")
ORDER_OPS = ("check_credit", "hold", "approve", "reject", "release", "deliver", "invoice", "pay", "credit", "refund",
             "cancel")
# Weighted so that random sequences get deep into the life of an order: final steps are rare.
OP_WEIGHTS = {"allocate": 24, "pick": 24, "load": 16, "post_issue": 16, "backorder": 8, "deliver": 12, "invoice": 8,
              "pay": 8, "release": 8, "check_credit": 8, "hold": 6, "approve": 6, "cancel_line": 2, "reject": 2,
              "credit": 4, "refund": 4, "cancel": 1}
# "all": the most the step could take (for load / post_issue: no qty, the default); "rest": that
# most, but passed explicitly; halves are exact in floats, so the spec below can compare them.
quantities = st.one_of(st.just("all"), st.just("all"), st.just("rest"), st.integers(0, 5),
                       st.sampled_from((0.5, 1.5, 2.5)))
COVERS = ("load", "post_issue")
hours_after = st.sampled_from((0.0, 0.0, 0.5, 1.0, 3.0, 0.0, 0.5, 1.0, 3.0, -1.0, -6.0))  # after the latest step


def next_step(data: st.DataObject, so: SalesOrder) -> tuple[str, int, float | None, Shortfall, float]:
    """Draw a step: three times in four one the spec allows now (so runs get deep), else any."""
    choices = [(name, n) for name in OP_WEIGHTS for n in (1, 2)]
    if data.draw(st.integers(0, 3)):
        allowed = [c for c in choices if legal_state(so, *c, quantity(so, *c, "all"))]
        choices = allowed or choices
    name, n = data.draw(st.sampled_from([c for c in choices for _ in range(OP_WEIGHTS[c[0]])]))
    qty = quantity(so, name, n, data.draw(quantities))
    return name, n, qty, data.draw(st.sampled_from(tuple(Shortfall))), data.draw(hours_after)


PREFIXES = {"none": (), "checked": ("check_credit",), "released": ("check_credit", "release"),
            "approved": ("check_credit", "hold", "approve", "release")}


def start(prefix: str) -> SalesOrder:
    """A fresh order, moved through ``PREFIXES[prefix]`` one hour apart."""
    so = new_order(qtys=(4, 3))
    for hour, name in enumerate(PREFIXES[prefix], start=1):
        call(so, name, 1, 1, Shortfall.BACKORDER, float(hour))
    return so


def clocks(so: SalesOrder) -> tuple[float, dict[int, float]]:
    """The document's own latest step time and each line's, read off the history."""
    order = max(s.time for s in so.history if s.line is None)
    lines = {}
    for s in so.history:
        if s.line is not None:
            lines[s.line] = s.time
    return order, lines


def quantity(so: SalesOrder, name: str, n: int, drawn: float | str) -> float | None:
    """The drawn quantity, or for "all"/"rest" the most the step could take (at least 1 where 0 is refused).

    A load or goods-issue posting gets None for "all" (its default: everything not yet covered),
    and any drawn quantity as it is, 0 and too much included, so that partial covers are exercised
    and the spec has to refuse the bad ones.
    """
    row = so.line(n)
    if name in COVERS:
        done = row.loaded_qty if name == "load" else row.posted_qty
        return {"all": None, "rest": row.picked_qty - done}.get(drawn, drawn)
    if drawn in ("all", "rest"):
        drawn = {"allocate": row.open_qty + row.backordered_qty, "backorder": row.open_qty,
                 "pick": row.allocated_qty - row.picked_qty}.get(name, 1)
    return drawn if name == "pick" else max(1, drawn)


def covers_ok(picked: float, done: float, qty: float | None) -> bool:
    """A load / posting covers something picked and not yet covered: all of it, or 0 < qty <= that."""
    return picked > done and (qty is None or 0 < qty <= picked - done)


def legal_state(so: SalesOrder, name: str, n: int, qty: float | None) -> bool:
    """The specification of which steps are allowed, written from the brief, not from the code."""
    state, ln = so.state, so.line(n)
    rows = [so.line(x.line_no) for x in so.lines]
    if name in COVERS:                                     # the only steps whose qty may be None
        done = ln.loaded_qty if name == "load" else ln.posted_qty
        return state in AFTER_RELEASE and covers_ok(ln.picked_qty, done, qty)
    return {
        "check_credit": state is S.RECEIVED,
        "hold": state is S.CREDIT_CHECKED,
        "approve": state is S.CREDIT_HOLD,
        "reject": state is S.CREDIT_HOLD,
        "release": state in (S.CREDIT_CHECKED, S.CREDIT_APPROVED),
        "allocate": state in AFTER_RELEASE and qty <= ln.open_qty + ln.backordered_qty,
        "backorder": state in AFTER_RELEASE and qty <= ln.open_qty,
        "pick": state in AFTER_RELEASE and 0 <= qty <= ln.allocated_qty - ln.picked_qty
                and ln.allocated_qty > ln.picked_qty,
        "cancel_line": state in LINE_CANCELLABLE and ln.qty - ln.picked_qty - ln.cancelled_qty > 0,
        "deliver": state in (S.RELEASED, S.PARTIALLY_DELIVERED) and any(r.loaded_qty > r.delivered_qty for r in rows),
        "invoice": state is S.DELIVERED or (state is S.PARTIALLY_DELIVERED
                                            and all(r.delivered_qty + r.cancelled_qty == r.qty for r in rows)),
        "pay": state is S.INVOICED,
        "credit": state in (S.INVOICED, S.PAID) and so.credited_amount + credit_amount(so) <= so.invoiced_amount,
        "refund": state is S.PAID and refund_amount(so) <= owed_back(so),
        "cancel": state not in (S.CREDIT_REJECTED, S.CANCELLED) and all(r.loaded_qty == 0 for r in rows),
    }[name]


def owed_back(so: SalesOrder) -> float:
    """What the customer paid and was credited beyond the invoice, less refunds (from the amounts)."""
    return so.paid_amount + so.credited_amount - so.invoiced_amount - so.refunded_amount


def credit_amount(so: SalesOrder) -> float:
    """A credit note of 40 % of the invoice: a third one would exceed it."""
    return round(max(1.0, so.invoiced_amount * 0.4), 2)


def refund_amount(so: SalesOrder) -> float:
    """All that is owed back, or 1 when nothing is (refused)."""
    return owed_back(so) if owed_back(so) > 0 else 1.0


def legal_time(so: SalesOrder, name: str, n: int, t: float) -> bool:
    order, lines = clocks(so)
    if name in LINE_OPS:
        touched = [n]
    elif name == "deliver":
        touched = [r.line_no for r in map(so.line, (1, 2)) if r.loaded_qty > r.delivered_qty]
    elif name == "cancel":
        touched = [1, 2]
    else:
        touched = []
    return t >= order and all(t >= lines.get(x, -1e9) for x in touched)


def call(so: SalesOrder, name: str, n: int, qty: float | None, shortfall: Shortfall, t: float) -> None:
    match name:
        case "check_credit" | "approve":
            getattr(so, name)(t, "ana")
        case "hold":
            so.hold(t, "amount above review threshold")
        case "reject":
            so.reject(t, "ana", "too risky")
        case "release" | "deliver" | "invoice":
            getattr(so, name)(t)
        case "pay":
            so.pay(t, max(1.0, (so.invoiced_amount - so.paid_amount) * 0.6))
        case "credit":
            so.credit(t, credit_amount(so), "zhou", note="RT-1")
        case "refund":
            so.refund(t, refund_amount(so), "zhou")
        case "cancel":
            so.cancel(t, "customer withdrew")
        case "allocate" | "backorder":
            getattr(so, name)(n, qty, t)
        case "pick":
            so.pick(n, qty, t, "li", shortfall)
        case "load" | "post_issue":
            getattr(so, name)(n, t, "rui", qty=qty)
        case "cancel_line":
            so.cancel_line(n, t, "no longer needed")


def check_quantities(so: SalesOrder) -> None:
    for row in map(so.line, (1, 2)):
        assert 0 <= row.picked_qty <= row.allocated_qty <= row.qty
        assert row.allocated_qty + row.backordered_qty + row.cancelled_qty <= row.qty
        assert row.backordered_qty >= 0 and row.open_qty >= 0
        assert row.loaded_qty <= row.picked_qty and row.posted_qty <= row.picked_qty
        assert row.delivered_qty <= row.loaded_qty
        for step, total in ((L.LOADED, row.loaded_qty), (L.ISSUE_POSTED, row.posted_qty),
                            (L.DELIVERED, row.delivered_qty)):    # each step records what it covered
            covered = [s.qty for s in row.history if s.state is step]
            assert all(q > 0 for q in covered) and sum(covered) == total


def check_money(so: SalesOrder) -> None:
    """Credits within the invoice, refunds within what was owed back, PAID once payments and credits cover it."""
    assert 0 <= so.credited_amount <= so.invoiced_amount + 1e-9
    assert 0 <= so.refunded_amount and owed_back(so) >= -1e-9 or so.state is not S.PAID
    if so.state in (S.INVOICED, S.PAID):
        assert (so.state is S.PAID) == (so.paid_amount + so.credited_amount >= so.invoiced_amount - 1e-9)
    assert so.credit_balance == (max(0.0, owed_back(so)) if so.state is S.PAID and owed_back(so) > 1e-9 else 0.0)


def check_times(so: SalesOrder) -> None:
    """Per line and for the document itself, history times never go back."""
    for line in (None, 1, 2):
        times = [s.time for s in so.history if s.line == line]
        assert times == sorted(times)


@given(st.sampled_from(tuple(PREFIXES)), st.integers(1, 60), st.data())
def test_only_legal_steps_succeed_and_a_refused_step_changes_nothing(prefix, n_steps, data):
    so = start(prefix)
    for _ in range(n_steps):
        name, n, qty, shortfall, dt = next_step(data, so)
        t = max(s.time for s in so.history) + dt
        ok_state, ok_time = legal_state(so, name, n, qty), legal_time(so, name, n, t)
        before = snapshot(so)
        if ok_state and ok_time:
            call(so, name, n, qty, shortfall, t)
            assert len(so.history) > len(before[1])
            assert so.history[len(before[1])].time == t
        else:
            with pytest.raises(IllegalTransition) as err:
                call(so, name, n, qty, shortfall, t)
            assert isinstance(err.value, BackdatedTransition) == ok_state
            assert "'SO-1'" in str(err.value) and err.value.state in str(err.value)
            if name in LINE_OPS:
                assert err.value.line == n and f"line {n}:" in str(err.value)
            assert snapshot(so) == before
        check_quantities(so)
        check_money(so)
        check_times(so)
    assert so.history[0].state is S.RECEIVED


BATCHED = {"allocate": "allocate_lines", "pick": "pick_lines", "load": "load_lines", "post_issue": "post_issue_lines"}


def outcome(step) -> tuple[type | None, str]:
    """What a step raised (type and message), or (None, "")."""
    try:
        step()
    except Exception as err:  # noqa: BLE001 - compared, not swallowed
        return type(err), str(err)
    return None, ""


@given(st.sampled_from(tuple(PREFIXES)), st.integers(1, 60), st.data())
def test_a_batched_line_step_is_the_single_steps_in_turn(prefix, n_steps, data):
    """allocate_lines / pick_lines / load_lines / post_issue_lines do what a loop of allocate / pick /
    load / post_issue does: the same history, quantities and errors (a refused line leaves the lines
    before it done)."""
    one, many = start(prefix), start(prefix)
    for _ in range(n_steps):
        name, n, qty, shortfall, dt = next_step(data, one)
        t = max(s.time for s in one.history) + dt
        if name not in BATCHED or data.draw(st.integers(0, 2)) == 0:
            assert outcome(lambda: call(one, name, n, qty, shortfall, t)) == \
                   outcome(lambda: call(many, name, n, qty, shortfall, t))
        else:
            items = [(n, qty)] + [(m, quantity(one, name, m, data.draw(quantities)) if m < 3 else 1.0)  # no line 3
                                  for m in data.draw(st.lists(st.sampled_from((1, 2, 3)), max_size=2))]
            items = [(m, float(q) if isinstance(q, int) and data.draw(st.booleans()) else q) for m, q in items]

            def in_turn() -> None:
                for m, q in items:
                    if name in ("pick", "allocate"):
                        getattr(one, name)(m, q, t, "li")
                    else:
                        getattr(one, name)(m, t, "li", qty=q)

            assert outcome(in_turn) == outcome(lambda: getattr(many, BATCHED[name])(items, t, "li"))
        assert snapshot(one) == snapshot(many)
        check_quantities(many)
        check_times(many)


@given(st.sampled_from(tuple(PREFIXES)), st.integers(1, 60), st.data())
def test_order_state_follows_the_lines(prefix, n_steps, data):
    so = start(prefix)
    for _ in range(n_steps):
        name, n, qty, shortfall, dt = next_step(data, so)
        t = max(s.time for s in so.history) + abs(dt)
        try:
            call(so, name, n, qty, shortfall, t)
        except IllegalTransition:
            continue
        rows = [so.line(1), so.line(2)]
        settled = all(r.delivered_qty + r.cancelled_qty == r.qty for r in rows)
        if name == "deliver":
            assert so.state is (S.DELIVERED if settled else S.PARTIALLY_DELIVERED)
        if so.state is S.CANCELLED:
            assert all(r.state is L.CANCELLED and r.loaded_qty == 0 for r in rows)
        if so.state in (S.INVOICED, S.PAID):
            assert so.invoiced_amount == sum(r.delivered_qty * r.unit_price for r in rows)
        assert so.is_fully_loaded == (so.state is not S.CANCELLED and any(r.loaded_qty for r in rows)
                                      and all(r.loaded_qty + r.cancelled_qty == r.qty for r in rows))
        assert so.unposted_lines() == [r.line_no for r in rows if r.loaded_qty > r.posted_qty]


@given(st.lists(st.sampled_from(("load-post", "post-load", "load-only")), min_size=1, max_size=4),
       st.sampled_from((0.0, 0.5, 4.0)))
def test_loaded_and_posted_in_either_order_reach_delivered_invoiced_paid(plans, gap):
    so = SalesOrder("SO-9", "C-1", "WH-A", 0.0, [SalesLine(n, "A", 2, 5.0) for n in range(1, len(plans) + 1)])
    so.check_credit(1.0, "ana")
    so.release(2.0)
    t = 3.0
    for n, plan in enumerate(plans, start=1):
        so.allocate(n, 2, t)
        so.pick(n, 2, t, "li")
        steps = {"load-post": ("load", "post_issue"), "post-load": ("post_issue", "load"),
                 "load-only": ("load",)}[plan]
        for step in steps:
            t += gap
            getattr(so, step)(n, t, "rui")
    never = [n for n, plan in enumerate(plans, start=1) if plan == "load-only"]
    assert so.is_fully_loaded and so.unposted_lines() == never and so.posted_unloaded_lines() == []
    so.deliver(t + 1)
    so.invoice(t + 2)
    so.pay(t + 30, so.invoiced_amount)
    assert so.state is S.PAID and so.paid_amount == so.invoiced_amount == 10.0 * len(plans)
    for n, plan in enumerate(plans, start=1):
        row = so.line(n)
        assert row.state is L.DELIVERED and row.is_loaded and row.is_posted == (plan != "load-only")
        if plan == "post-load":
            assert row.posted_at <= row.loaded_at


# ---------------------------------------------------------------- sales order stories


class Calendar:
    """Working hours 08-17 on the given weekdays (a stand-in for the world's WeeklyCalendar)."""

    def __init__(self, days: set[int]) -> None:
        self.days = days

    def next_open(self, t: float) -> float:
        day = int(t // 24)
        if day % 7 in self.days and 8 <= t - day * 24 < 17:
            return t
        if day % 7 in self.days and t - day * 24 < 8:
            return day * 24 + 8.0
        day += 1
        while day % 7 not in self.days:
            day += 1
        return day * 24 + 8.0


def test_a_big_order_is_held_on_monday_and_approved_on_wednesday_because_the_approver_is_away_tuesday():
    approver = Calendar({0, 2, 3, 4})                      # absent on Tuesdays
    rule, digest = CreditRule(review_threshold=50_000), Notifications(digest_hours=(9.0, 17.0))
    so = SalesOrder("SO-63", "C-1", "WH-A", MON + 10.0, [SalesLine(1, "A", 400, 158.0)])
    assert so.amount == 63_200
    so.check_credit(MON + 10.5, "ana")
    reason = rule.review_reason(so.amount, exposure=0.0, credit_limit=None)
    so.hold(MON + 10.5, reason)
    seen = digest.seen_at(MON + 10.5, approver)           # Monday 17:00 digest arrives after hours
    assert seen == WED + 8.0
    so.approve(seen + 0.5, "wang")
    so.release(seen + 0.5)
    assert so.hold_reason == "amount 63,200 above review threshold 50,000"
    assert [(s.state, s.time // 24) for s in so.history] == [
        (S.RECEIVED, 0), (S.CREDIT_CHECKED, 0), (S.CREDIT_HOLD, 0), (S.CREDIT_APPROVED, 2), (S.RELEASED, 2)]
    with pytest.raises(IllegalTransition, match="cannot go from RELEASED to CREDIT_APPROVED"):
        so.approve(seen + 1, "wang")


def test_a_line_loaded_wednesday_14_is_posted_at_18_and_the_ledgers_agree():
    led = Ledgers()
    led.move_physical("A", 10, SUPPLIER, "WH-A", time=0.0, movement_id="PO-1")
    led.move_book("A", 10, SUPPLIER, "WH-A", time=0.0, movement_id="PO-1")
    so = new_order(qtys=(4,), prices=(10.0,), created_at=WED + 9.0)
    so.check_credit(WED + 9.5, "ana")
    so.release(WED + 10.0)
    so.allocate(1, 4, WED + 10.0)
    so.pick(1, 4, WED + 13.0, "li")
    so.load(1, WED + 14.0, "driver")
    led.move_physical("A", 4, "WH-A", CUSTOMER, time=WED + 14.0, movement_id="SO-1/1")
    assert so.unposted_lines() == [1] and led.discrepancy("A", "WH-A") == 4.0
    so.deliver(WED + 16.0)
    so.post_issue(1, WED + 18.0, "clerk")                 # after delivery: allowed, posting is independent
    led.move_book("A", 4, "WH-A", CUSTOMER, time=WED + 14.0, movement_id="SO-1/1", recorded_time=WED + 18.0)
    row = so.line(1)
    assert (row.loaded_at, row.posted_at, row.posted_at - row.loaded_at) == (WED + 14.0, WED + 18.0, 4.0)
    assert led.posting_delay("SO-1/1") == 4.0 and so.unposted_lines() == [] and led.discrepancy("A", "WH-A") == 0
    assert so.state is S.DELIVERED


def test_a_never_posted_line_stays_in_unposted_lines_through_payment():
    so = new_order(qtys=(2, 3))
    so.check_credit(1.0, "ana")
    so.release(1.0)
    for n, qty in ((1, 2), (2, 3)):
        so.allocate(n, qty, 2.0)
        so.pick(n, qty, 3.0, "li")
        so.load(n, 4.0, "driver")
    so.post_issue(1, 5.0, "clerk")
    so.deliver(6.0)
    so.invoice(7.0)
    so.pay(300.0, so.invoiced_amount)
    assert so.state is S.PAID and so.unposted_lines() == [2]
    assert not so.line(2).is_posted and so.line(2).posted_at is None


def test_a_short_pick_backorders_the_rest_which_ships_later_on_the_same_line():
    so = new_order(qtys=(10, 2))
    so.check_credit(0.0, "ana")
    so.release(0.0)
    so.allocate(1, 10, 1.0)
    so.allocate(2, 2, 1.0)
    so.pick(1, 7, 2.0, "li")                               # shelf 3 short
    so.pick(2, 2, 2.0, "li")
    assert (so.line(1).state, so.line(1).allocated_qty, so.line(1).backordered_qty) == (L.BACKORDERED, 7.0, 3.0)
    so.load(1, 3.0, "d"); so.load(2, 3.0, "d"); so.deliver(5.0)
    assert so.state is S.PARTIALLY_DELIVERED
    with pytest.raises(IllegalTransition, match="lines are still to be delivered"):
        so.invoice(6.0)
    so.allocate(1, 3, 50.0)                                # stock arrived
    so.pick(1, 3, 51.0, "li")
    so.load(1, 52.0, "d")
    assert so.line(1).loaded_qty == 10 and so.line(1).delivered_qty == 7
    so.deliver(54.0)
    so.invoice(55.0)
    assert so.state is S.INVOICED and so.invoiced_amount == 10 * 10.0 + 2 * 20.0
    steps = [(s.state, s.qty) for s in so.line(1).history]
    assert steps == [(L.ALLOCATED, 10), (L.PICKED, 7), (L.BACKORDERED, 3), (L.LOADED, 7), (L.DELIVERED, 7),
                     (L.ALLOCATED, 3), (L.PICKED, 3), (L.LOADED, 3), (L.DELIVERED, 3)]


def test_a_line_shipped_twice_posts_shipment_1_for_its_own_qty_after_shipment_2_was_picked():
    """As in the world: each shipment of a line is loaded and posted as its own movement."""
    led = Ledgers()
    led.move_physical("A", 7, SUPPLIER, "WH-A", time=0.0, movement_id="PO-1")
    led.move_book("A", 7, SUPPLIER, "WH-A", time=0.0, movement_id="PO-1")
    so = new_order(qtys=(10,), prices=(10.0,))
    so.check_credit(0.0, "ana"); so.release(0.0); so.allocate(1, 10, 1.0)
    so.pick(1, 7, 2.0, "li")                               # shipment 1; the shelf was 3 short
    so.load(1, 3.0, "d", qty=7)
    led.move_physical("A", 7, "WH-A", CUSTOMER, time=3.0, movement_id="SO-1/1/1")
    so.deliver(5.0)
    led.move_physical("A", 3, SUPPLIER, "WH-A", time=20.0, movement_id="PO-2")
    led.move_book("A", 3, SUPPLIER, "WH-A", time=20.0, movement_id="PO-2")
    so.allocate(1, 3, 21.0)
    so.pick(1, 3, 22.0, "li")                              # shipment 2 picked before shipment 1 is posted
    so.post_issue(1, 23.0, "clerk", qty=7)                 # shipment 1's posting, 20 h late
    led.move_book("A", 7, "WH-A", CUSTOMER, time=3.0, movement_id="SO-1/1/1", recorded_time=23.0)
    row = so.line(1)
    assert (row.picked_qty, row.loaded_qty, row.posted_qty, row.delivered_qty) == (10, 7, 7, 7)
    assert so.unposted_lines() == [] and so.posted_unloaded_lines() == [] and not row.is_posted
    assert led.posting_delay("SO-1/1/1") == 20.0 and led.discrepancy("A", "WH-A") == 0
    so.load(1, 24.0, "d", qty=3)
    led.move_physical("A", 3, "WH-A", CUSTOMER, time=24.0, movement_id="SO-1/1/2")
    assert so.unposted_lines() == [1] and led.discrepancy("A", "WH-A") == 3
    so.deliver(26.0)
    so.post_issue(1, 27.0, "clerk", qty=3)
    led.move_book("A", 3, "WH-A", CUSTOMER, time=24.0, movement_id="SO-1/1/2", recorded_time=27.0)
    so.invoice(28.0)
    row = so.line(1)
    assert row.is_loaded and row.is_posted and row.state is L.DELIVERED and so.invoiced_amount == 100.0
    assert (row.loaded_at, row.posted_at, row.delivered_at) == (24.0, 27.0, 26.0)
    assert led.posting_delay("SO-1/1/2") == 3.0 and led.discrepancy("A", "WH-A") == 0
    covers = [(s.state, s.qty, s.time) for s in row.history if s.state in (L.LOADED, L.ISSUE_POSTED, L.DELIVERED)]
    assert covers == [(L.LOADED, 7, 3.0), (L.DELIVERED, 7, 5.0), (L.ISSUE_POSTED, 7, 23.0),
                      (L.LOADED, 3, 24.0), (L.DELIVERED, 3, 26.0), (L.ISSUE_POSTED, 3, 27.0)]


def test_without_qty_a_load_or_posting_covers_everything_picked_and_not_yet_covered():
    so = new_order(qtys=(10,), prices=(10.0,))
    so.check_credit(0.0, "ana"); so.release(0.0); so.allocate(1, 10, 1.0)
    so.pick(1, 7, 2.0, "li")
    so.allocate(1, 3, 3.0); so.pick(1, 3, 4.0, "li")
    so.post_issue(1, 5.0, "clerk", qty=2.5)
    so.post_issue(1, 6.0, "clerk")                         # the rest: 7.5
    so.load(1, 7.0, "d")
    so.deliver(8.0)
    assert [(s.state, s.qty) for s in so.line(1).history][-4:] == [
        (L.ISSUE_POSTED, 2.5), (L.ISSUE_POSTED, 7.5), (L.LOADED, 10), (L.DELIVERED, 10)]
    assert so.state is S.DELIVERED and so.line(1).is_posted and so.line(1).is_loaded


def test_posting_or_loading_more_than_picked_and_not_yet_covered_is_refused_and_changes_nothing():
    so = new_order(qtys=(10, 3))
    so.check_credit(0.0, "ana"); so.release(0.0); so.allocate(1, 10, 1.0)
    so.pick(1, 7, 2.0, "li")
    so.post_issue(1, 3.0, "clerk", qty=5)
    so.load(1, 3.0, "d", qty=0.1 + 0.2)                    # rounded once, to 0.3: quantities stay exact
    before = snapshot(so)
    with pytest.raises(IllegalTransition) as err:
        so.post_issue(1, 4.0, "clerk", qty=3)
    assert str(err.value) == ("sales order 'SO-1' line 1: cannot go from BACKORDERED to ISSUE_POSTED: "
                              "3 to post, only 2 of 7 picked not yet posted")
    assert err.value.line == 1 and not isinstance(err.value, BackdatedTransition)
    refusals = [
        (lambda: so.load(1, 4.0, "d", qty=7), "7 to load, only 6.7 of 7 picked not yet loaded"),
        (lambda: so.load(1, 4.0, "d", qty=0), "qty must be > 0, got 0"),
        (lambda: so.post_issue(1, 4.0, "clerk", qty=-1), "qty must be > 0, got -1"),
        (lambda: so.post_issue(1, 4.0, "clerk", qty=1e-9), "qty must be > 0, got 1e-09"),
        (lambda: so.post_issue(2, 4.0, "clerk", qty=1), "nothing picked"),
        (lambda: so.load(1, 1.0, "d", qty=1), "at 1 h, before the previous step at 3 h"),
    ]
    for attempt, reason in refusals:
        with pytest.raises(IllegalTransition) as err:
            attempt()
        assert err.value.reason == reason
        assert snapshot(so) == before
    so.post_issue(1, 4.0, "clerk", qty=2)
    with pytest.raises(IllegalTransition, match="all 7 picked already posted"):
        so.post_issue(1, 5.0, "clerk", qty=1)
    so.load(1, 5.0, "d", qty=6.7)
    assert (so.line(1).loaded_qty, so.line(1).posted_qty) == (7, 7) and so.line(1).is_loaded
    with pytest.raises(ValueError, match="finite"):
        so.load(1, 6.0, "d", qty=float("nan"))


def test_a_short_pick_can_cancel_the_rest_and_the_order_is_invoiced_for_what_left():
    so = new_order(qtys=(5,), prices=(3.0,))
    so.check_credit(0.0, "ana"); so.release(0.0); so.allocate(1, 5, 0.0)
    so.pick(1, 0, 1.0, "li", Shortfall.CANCEL)            # nothing on the shelf at all
    assert so.line(1).state is L.CANCELLED
    with pytest.raises(IllegalTransition, match="nothing allocated to pick"):
        so.pick(1, 0, 1.0, "li")
    so2 = new_order(qtys=(5,), prices=(3.0,))
    so2.check_credit(0.0, "ana"); so2.release(0.0); so2.allocate(1, 5, 0.0)
    so2.pick(1, 4, 1.0, "li", Shortfall.CANCEL)
    so2.load(1, 2.0, "d"); so2.deliver(3.0); so2.invoice(4.0)
    assert so2.invoiced_amount == 12.0 and so2.line(1).cancelled_qty == 1


def test_partially_delivered_order_is_invoiced_once_the_rest_is_cancelled():
    so = new_order(qtys=(4, 3))
    so.check_credit(0.0, "ana"); so.release(0.0)
    so.allocate(1, 4, 1.0); so.backorder(2, 3, 1.0)
    so.pick(1, 4, 2.0, "li"); so.load(1, 3.0, "d"); so.deliver(4.0)
    assert so.state is S.PARTIALLY_DELIVERED
    so.cancel_line(2, 10.0, "customer gave up waiting")
    so.invoice(11.0)
    assert so.invoiced_amount == 40.0 and so.line(2).state is L.CANCELLED


def test_cancellation_is_allowed_until_a_line_is_loaded():
    so = new_order()
    so.check_credit(0.0, "ana"); so.release(0.0)
    so.allocate(1, 4, 1.0); so.pick(1, 4, 2.0, "li"); so.post_issue(1, 2.5, "clerk")
    so2 = new_order()
    so2.check_credit(0.0, "ana"); so2.release(0.0)
    so2.allocate(1, 4, 1.0); so2.pick(1, 4, 2.0, "li"); so2.load(1, 3.0, "d")
    with pytest.raises(IllegalTransition, match=r"cannot go from RELEASED to CANCELLED: line\(s\) 1 already loaded"):
        so2.cancel(4.0, "customer withdrew")
    assert so.posted_unloaded_lines() == [1]
    so.cancel(4.0, "customer withdrew")
    assert so.state is S.CANCELLED and so.line(1).state is L.CANCELLED and so.line(2).cancelled_qty == 3
    with pytest.raises(IllegalTransition, match="cannot go from CANCELLED to LOADED: the order is CANCELLED"):
        so.load(1, 5.0, "d")


def test_a_rejected_order_is_final():
    so = new_order()
    so.check_credit(0.0, "ana"); so.hold(0.0, "over limit"); so.reject(5.0, "wang", "unpaid invoices")
    for attempt in (lambda: so.release(6.0), lambda: so.cancel(6.0, "x"), lambda: so.approve(6.0, "wang")):
        with pytest.raises(IllegalTransition, match="cannot go from CREDIT_REJECTED"):
            attempt()


def test_errors_name_the_document_line_states_and_reason():
    so = new_order()
    with pytest.raises(IllegalTransition) as err:
        so.pick(2, 1, 1.0, "li")
    assert str(err.value) == ("sales order 'SO-1' line 2: cannot go from OPEN to PICKED: "
                              "the order is RECEIVED, not released")
    so.check_credit(1.0, "ana"); so.release(2.0); so.allocate(2, 3, 5.0)
    with pytest.raises(BackdatedTransition) as err:
        so.pick(2, 3, 4.0, "li")
    assert str(err.value) == ("sales order 'SO-1' line 2: cannot go from ALLOCATED to PICKED: "
                              "at 4 h, before the previous step at 5 h")
    assert (err.value.time, err.value.previous, err.value.line) == (4.0, 5.0, 2)
    so.pick(2, 3, 5.0, "li")                               # same time as the previous step: fine
    with pytest.raises(IllegalTransition, match="line 1: cannot go from OPEN to ALLOCATED: 5 asked, 4 open"):
        so.allocate(1, 5, 6.0)
    with pytest.raises(KeyError, match="no line 7"):
        so.load(7, 6.0, "d")
    with pytest.raises(ValueError, match="qty must be > 0"):
        so.allocate(1, 0, 6.0)


def test_bad_orders_are_refused_at_construction():
    with pytest.raises(ValueError, match="line 1 twice"):
        SalesOrder("SO-1", "C", "W", 0.0, [SalesLine(1, "A", 1, 1.0), SalesLine(1, "B", 1, 1.0)])
    with pytest.raises(ValueError, match="no lines"):
        SalesOrder("SO-1", "C", "W", 0.0, [])
    with pytest.raises(ValueError, match="qty must be > 0"):
        SalesLine(1, "A", -2, 1.0)
    with pytest.raises(ValueError, match="finite"):
        SalesOrder("SO-1", "C", "W", float("nan"), [SalesLine(1, "A", 1, 1.0)])


# ---------------------------------------------------------------- purchase order


def test_purchase_order_posted_before_arrival_then_arrives_in_parts():
    po = PurchaseOrder("PO-7", "S-1", "WH-A", [PurchaseLine(1, "A", 100, 2.0), PurchaseLine(2, "B", 10, 5.0)],
                       created_at=0.0)
    with pytest.raises(IllegalTransition, match="purchase order 'PO-7' line 1: cannot go from CREATED to ARRIVED"):
        po.arrive(1, 10, 1.0, "rui")
    po.approve(2.0, "boss")
    po.post_receipt(1, 100, 3.0, "clerk")                  # the book first: posted, not moved
    po.arrive(1, 60, 20.0, "rui")
    po.arrive(1, 40, 30.0, "rui")
    po.arrive(2, 10, 30.0, "rui")
    with pytest.raises(IllegalTransition, match="1 more, only 0 of 10 outstanding"):
        po.arrive(2, 1, 31.0, "rui")
    assert po.unposted_lines() == [2] and po.is_fully_arrived and not po.is_fully_posted
    assert (po.line(1).arrived_qty, po.line(1).arrived_at, po.line(1).posted_at) == (100.0, 30.0, 3.0)
    po.record_invoice(32.0)
    po.pay(100.0, 100.0)
    assert po.state is PurchaseOrderState.SUPPLIER_INVOICED and po.paid_amount == 100.0
    po.pay(101.0, 150.0)
    po.post_receipt(2, 10, 200.0, "clerk")                 # a very late posting is still possible
    assert po.state is PurchaseOrderState.PAID and po.is_fully_posted and po.unposted_lines() == []


def test_purchase_order_rules_of_invoicing_and_cancelling():
    po = PurchaseOrder("PO-8", "S-1", "WH-A", [PurchaseLine(1, "A", 5, 2.0)], created_at=0.0)
    with pytest.raises(IllegalTransition, match="cannot go from CREATED to SUPPLIER_INVOICED"):
        po.record_invoice(1.0)
    po.approve(1.0)
    with pytest.raises(IllegalTransition, match="nothing has arrived"):
        po.record_invoice(2.0)
    po.post_receipt(1, 5, 2.0, "clerk")
    with pytest.raises(IllegalTransition, match="goods have arrived or been posted"):
        po.cancel(3.0, "supplier out of stock")
    other = PurchaseOrder("PO-9", "S-1", "WH-A", [PurchaseLine(1, "A", 5, 2.0)], created_at=0.0)
    other.approve(0.5)
    other.cancel(1.0, "supplier out of stock")
    assert other.state is PurchaseOrderState.CANCELLED
    with pytest.raises(IllegalTransition):
        other.arrive(1, 5, 2.0, "rui")


po_ops = st.lists(st.tuples(st.sampled_from(("approve", "arrive", "post_receipt", "record_invoice", "pay", "cancel")),
                            st.sampled_from((1, 2)), st.integers(1, 6), st.sampled_from((0.0, 1.0, -2.0))),
                  max_size=30)


@given(po_ops)
def test_purchase_order_quantities_stay_within_the_order_and_refusals_change_nothing(steps):
    po = PurchaseOrder("PO-1", "S", "W", [PurchaseLine(1, "A", 6, 1.0), PurchaseLine(2, "B", 4, 1.0)],
                       created_at=0.0)
    for name, n, qty, dt in steps:
        t = max(s.time for s in po.history) + dt
        before = (po.state, po.history, po.line(1), po.line(2))
        try:
            match name:
                case "arrive" | "post_receipt":
                    getattr(po, name)(n, qty, t, "x")
                case "pay":
                    po.pay(t, qty)
                case "cancel":
                    po.cancel(t, "why")
                case _:
                    getattr(po, name)(t)
        except IllegalTransition:
            assert (po.state, po.history, po.line(1), po.line(2)) == before
        for row in (po.line(1), po.line(2)):
            assert 0 <= row.arrived_qty <= row.qty and 0 <= row.posted_qty <= row.qty


# ---------------------------------------------------------------- transfer, return, count


def test_transfer_legs_are_independent_between_ledgers_but_ordered_within_each():
    tr = Transfer("TR-1", "A", 5, "WH-A", "WH-B", created_at=0.0)
    tr.post_out(1.0, "clerk")                              # the book ships first
    assert (tr.state, tr.book_state) == (TransferState.CREATED, TransferState.IN_TRANSIT)
    with pytest.raises(IllegalTransition, match="transfer 'TR-1': cannot go from CREATED to ARRIVED: "
                                                "the goods have not left"):
        tr.arrive(2.0, "rui")
    tr.ship(3.0, "driver")
    tr.arrive(9.0, "rui")
    with pytest.raises(IllegalTransition, match="already done"):
        tr.ship(10.0, "driver")
    with pytest.raises(IllegalTransition, match="a leg has already moved"):
        tr.cancel(10.0, "no")
    assert (tr.state, tr.book_state) == (TransferState.ARRIVED, TransferState.IN_TRANSIT)
    tr.post_in(12.0, "clerk")
    assert tr.book_state is TransferState.ARRIVED and tr.time_of(TransferStep.IN_POSTED) == 12.0
    assert [s.state for s in tr.history] == [TransferStep.CREATED, TransferStep.OUT_POSTED, TransferStep.SHIPPED,
                                             TransferStep.ARRIVED, TransferStep.IN_POSTED]
    with pytest.raises(ValueError, match="two different real locations"):
        Transfer("TR-2", "A", 5, "WH-A", "WH-A", created_at=0.0)


def test_transfer_cancelled_before_anything_moved():
    tr = Transfer("TR-3", "A", 5, "WH-A", "WH-B", created_at=0.0)
    tr.cancel(1.0, "not needed")
    assert tr.state is tr.book_state is TransferState.CANCELLED
    with pytest.raises(IllegalTransition, match="cannot go from CANCELLED to SHIPPED"):
        tr.ship(2.0, "driver")


def test_customer_return_needs_approval_only_when_the_rule_says_so():
    big = CustomerReturn("RT-1", "C", "WH-A", "A", 10, 800.0, created_at=0.0, approval_required=True)
    with pytest.raises(IllegalTransition, match="cannot go from REQUESTED to ACCEPTED: approval is required"):
        big.accept(1.0)
    with pytest.raises(IllegalTransition, match="cannot go from REQUESTED to RECEIVED: the return is not approved"):
        big.receive(1.0, "rui")
    big.approve(30.0, "wang")
    big.receive(40.0, "rui")
    with pytest.raises(IllegalTransition, match="already done"):
        big.receive(41.0, "rui")
    assert big.state is ReturnState.APPROVED and big.received_at == 40.0 and big.posted_at is None
    small = CustomerReturn("RT-2", "C", "WH-A", "A", 1, 8.0, created_at=0.0, approval_required=False)
    with pytest.raises(IllegalTransition, match="no approval is required"):
        small.approve(1.0, "wang")
    small.accept(0.0)
    small.post(0.5, "clerk")
    assert [s.state for s in small.history] == [ReturnState.REQUESTED, ReturnState.ACCEPTED, ReturnState.POSTED]
    refused = CustomerReturn("RT-3", "C", "WH-A", "A", 1, 8.0, created_at=0.0, approval_required=True)
    refused.reject(2.0, "wang", "outside return window")
    with pytest.raises(IllegalTransition):
        refused.post(3.0, "clerk")


def test_a_count_with_differences_produces_signed_adjustments_that_close_the_gap():
    led = Ledgers()
    for sku, qty in (("A", 12), ("B", 5), ("C", 8)):
        led.move_physical(sku, qty, SUPPLIER, "WH-A", time=0.0, movement_id=f"PO-{sku}")
        led.move_book(sku, qty, SUPPLIER, "WH-A", time=0.0, movement_id=f"PO-{sku}")
    led.move_physical("A", 2, "WH-A", CUSTOMER, time=10.0, movement_id="SO-1")   # loaded, never posted
    led.move_book("C", 3, "WH-A", CUSTOMER, time=11.0, movement_id="SO-2")       # posted, never loaded
    count = StockCount.from_ledgers("CNT-1", "WH-A", 20.0, led)
    assert count.book == {"A": 12.0, "B": 5.0, "C": 5.0}
    for sku in ("A", "B", "C"):
        count.record(sku, led.balance(Ledger.PHYSICAL, sku, "WH-A"))
    with pytest.raises(IllegalTransition, match="the count is still open"):
        count.adjustments()
    count.finish(22.0, "eva")
    assert count.differences() == {"A": -2.0, "B": 0.0, "C": 3.0}
    adjustments = count.adjustments()
    assert adjustments == [Adjustment("CNT-1", "WH-A", "A", -2.0), Adjustment("CNT-1", "WH-A", "C", 3.0)]
    for adj in adjustments:
        src, dst = ("WH-A", LOSS) if adj.qty < 0 else (LOSS, "WH-A")
        led.move_book(adj.sku, abs(adj.qty), src, dst, time=22.0, movement_id=f"CNT-1/{adj.sku}",
                      cause=Cause.COUNT_ADJUSTMENT)
    count.adjust(22.0, "eva")
    assert count.state is CountState.ADJUSTED
    assert all(led.balance(Ledger.BOOK, sku, "WH-A") == count.counted[sku] for sku in "ABC")
    with pytest.raises(IllegalTransition, match="cannot go from ADJUSTED to OPEN"):
        count.record("A", 1)


def test_a_count_must_cover_every_sku_of_the_snapshot():
    count = StockCount("CNT-2", "WH-A", 0.0, {"A": 3, "B": 0})
    count.record("A", 3)
    count.record("Z", 2)                                   # found on the shelf, unknown to the book
    with pytest.raises(IllegalTransition, match="cannot go from OPEN to COUNTED: not counted: B"):
        count.finish(1.0, "eva")
    count.record("B", 0)
    count.finish(1.0, "eva")
    assert count.adjustments() == [Adjustment("CNT-2", "WH-A", "Z", 2.0)]
    with pytest.raises(BackdatedTransition):
        count.adjust(0.5, "eva")


def test_a_review_reconciles_what_movements_in_flight_settled_only_between_counting_and_adjusting():
    count = StockCount("CNT-4", "WH-A", 17.0, {"A": 10, "B": 4})
    count.record("A", 7)                                  # 3 loaded at 16:50, posted at 17:10
    count.record("B", 6)
    with pytest.raises(IllegalTransition, match="cannot go from OPEN to RECONCILED"):
        count.reconcile("A", -3)
    count.finish(17.2, "eva")
    count.reconcile("A", -2)
    count.reconcile("A", -1)                              # parts add up
    count.reconcile("B", 0.0)                             # nothing settled: nothing kept
    with pytest.raises(ValueError, match="'Z' was not counted"):
        count.reconcile("Z", 1)
    assert count.reconciled == {"A": -3.0}
    assert count.differences() == {"A": -3.0, "B": 2.0}  # the difference as counted stays on record
    assert count.adjustments() == [Adjustment("CNT-4", "WH-A", "B", 2.0)]
    count.adjust(17.5, "eva")
    with pytest.raises(IllegalTransition, match="cannot go from ADJUSTED to RECONCILED"):
        count.reconcile("B", 2)


def test_a_credit_note_needs_an_invoice_stays_within_it_and_can_settle_it():
    from jxcsim.engine import IllegalTransition, SalesLine, SalesOrder, SalesOrderState

    so = SalesOrder("SO-9", "C-1", "WH-A", 0.0, [SalesLine(1, "A-1", 2, 50.0)])
    so.check_credit(0.1, "ana"); so.release(0.2); so.allocate(1, 2, 0.2); so.pick(1, 2, 1.0, "li")
    so.load(1, 2.0, "dai"); so.deliver(3.0)
    with pytest.raises(IllegalTransition, match="only an invoiced order is credited"):
        so.credit(4.0, 50.0, "zhou")
    so.invoice(5.0, "zhou")
    so.credit(6.0, 50.0, "zhou", note="RT-1")
    so.credit(7.0, 50.0, "zhou", note="RT-2")  # everything came back: nothing is due, the order is settled
    assert (so.state, so.amount_due, so.credited_amount, so.paid_amount) == (SalesOrderState.PAID, 0.0, 100.0, 0.0)
    assert [(s.state, s.amount, s.note) for s in so.history[-2:]] == [
        (SalesOrderState.CREDITED, 50.0, "RT-1"), (SalesOrderState.CREDITED, 50.0, "RT-2")]
    with pytest.raises(IllegalTransition, match="would exceed the invoiced 100"):
        so.credit(8.0, 0.01, "zhou")


def test_a_credit_after_payment_is_owed_back_and_refunded_once():
    from jxcsim.engine import IllegalTransition, SalesLine, SalesOrder, SalesOrderState

    so = SalesOrder("SO-8", "C-1", "WH-A", 0.0, [SalesLine(1, "A-1", 3, 20.0)])
    so.check_credit(0.1, "ana"); so.release(0.2); so.allocate(1, 3, 0.2); so.pick(1, 3, 1.0, "li")
    so.load(1, 2.0, "dai"); so.deliver(3.0); so.invoice(5.0, "zhou")
    with pytest.raises(IllegalTransition, match="only a paid order is refunded"):
        so.refund(6.0, 1.0, "zhou")
    so.pay(30.0, 60.0, "bank")
    assert so.credit_balance == 0.0
    so.credit(31.0, 20.0, "zhou", note="RT-4")  # one unit came back after the customer paid
    assert (so.state, so.credit_balance, so.amount_due) == (SalesOrderState.PAID, 20.0, 0.0)
    so.refund(32.0, 20.0, "zhou", note="RT-4")
    assert (so.credit_balance, so.refunded_amount) == (0.0, 20.0)
    assert (so.history[-1].state, so.history[-1].amount, so.history[-1].note) == (SalesOrderState.REFUNDED, 20.0,
                                                                                   "RT-4")
    with pytest.raises(IllegalTransition, match="a refund of 0.01 exceeds the credit balance of 0"):
        so.refund(33.0, 0.01, "zhou")
