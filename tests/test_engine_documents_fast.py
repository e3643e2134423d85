"""The sales order's quick paths do what its fully checked paths do: same lines, states, history, errors."""

from __future__ import annotations

import math
import pickle
from dataclasses import dataclass

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from test_engine_documents import call, next_step, outcome, snapshot, start

from jxcsim.engine import SalesLine, SalesOrder, SalesOrderState, from_units, to_units
from jxcsim.engine.documents import check_id, check_time, qty_units
from jxcsim.engine.quantity import MAX_QTY, SCALE

S = SalesOrderState


@dataclass(frozen=True, slots=True)
class RefLine:
    """SalesLine as it was (a frozen dataclass validated in __post_init__): the reference."""

    line_no: int
    sku: str
    qty: float
    unit_price: float

    def __post_init__(self) -> None:
        if not isinstance(self.line_no, int):
            raise ValueError(f"line_no must be an int, got {self.line_no!r}")  # noqa: TRY004 - the reference
        if self.sku.__class__ is not str or not self.sku:
            check_id("sku", self.sku)
        if not (self.qty.__class__ is float and 1 / SCALE <= self.qty <= MAX_QTY):
            qty_units(self.qty)
        if not (math.isfinite(self.unit_price) and self.unit_price >= 0):
            raise ValueError(f"unit_price must be finite and >= 0, got {self.unit_price!r}")


NAN, INF = math.nan, math.inf
line_nos = st.one_of(st.integers(-2, 5), st.sampled_from((True, 1.0, "1", None)))
skus = st.one_of(st.sampled_from(("A-1", "B", "")), st.sampled_from((None, 3, b"A")))
qtys = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-3, 10),
                 st.sampled_from((0.0, -0.0, 4e-7, 5e-7, 6e-7, 1e-6, MAX_QTY, MAX_QTY + 1, 1e10, np.float64(2.5),
                                  True, "2", None)))
prices = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-2, 100),
                   st.sampled_from((0.0, -0.0, -1e-300, np.float64(3.5), True, "1", None)))


@given(line_nos, skus, qtys, prices, line_nos, qtys)
def test_a_sales_line_is_checked_and_behaves_as_the_dataclass_it_replaces(no, sku, qty, price, no2, qty2):
    new, ref = outcome(lambda: SalesLine(no, sku, qty, price)), outcome(lambda: RefLine(no, sku, qty, price))
    assert new == ref
    if new[0] is not None:
        return
    line, old = SalesLine(no, sku, qty, price), RefLine(no, sku, qty, price)
    assert (line.line_no, line.sku, line.qty, line.unit_price) == (old.line_no, old.sku, old.qty, old.unit_price)
    assert all(a is b for a, b in zip(line, (no, sku, qty, price)))  # the values as given
    assert repr(line) == repr(old).replace("RefLine", "SalesLine")
    assert outcome(lambda: line.amount) == outcome(lambda: old.qty * old.unit_price)
    assert hash(line) == hash(old)
    same = SalesLine(no, sku, qty, price)
    assert line == same and (line != same) is False
    assert line != (no, sku, qty, price) and not line == (no, sku, qty, price)  # noqa: SIM201 - the operator
    assert pickle.loads(pickle.dumps(line)) == line
    for other_no, other_qty in ((no2, qty), (no, qty2)):
        if outcome(lambda: RefLine(other_no, sku, other_qty, price))[0] is None:  # noqa: B023 - called at once
            other, old_other = SalesLine(other_no, sku, other_qty, price), RefLine(other_no, sku, other_qty, price)
            assert (line == other) == (old == old_other) and (line != other) == (old != old_other)
    assert outcome(lambda: line < same)[0] is outcome(lambda: old <= RefLine(no, sku, qty, price))[0] is TypeError
    assert outcome(lambda: setattr(line, "qty", 1.0))[0] is not None
    assert outcome(lambda: line._replace(qty=-1.0)) == outcome(lambda: RefLine(no, sku, -1.0, price))


def reference_order(order_id, customer, location, created_at, lines, actor):
    """What SalesOrder(...) did: the checks in order, then the lines' units and the amount."""
    check_id("sales order id", order_id)
    check_time(created_at)
    check_id("actor", actor)
    check_id("customer", customer)
    check_id("location", location)
    units = {}
    for line in lines:
        if line.line_no in units:
            raise ValueError(f"sales order {order_id!r} has line {line.line_no} twice")
        units[line.line_no] = to_units(line.qty)
    if not units:
        raise ValueError(f"sales order {order_id!r} has no lines")
    return units, sum(line.amount for line in lines)


valid_lines = st.builds(SalesLine, st.integers(1, 4), st.sampled_from(("A", "B")),
                        st.one_of(st.floats(1e-6, MAX_QTY), st.integers(1, 9), st.sampled_from((6e-7, MAX_QTY))),
                        st.one_of(st.floats(0, 1e6), st.integers(0, 9), st.sampled_from((-0.0, np.float64(1.5)))))


def mostly(valid: object, *invalid: object) -> st.SearchStrategy:
    return st.sampled_from((valid,) * 12 + invalid)


@given(st.lists(valid_lines, max_size=5), mostly("SO-1", "", None), mostly("C-1", "", 2), mostly("WH-A", "", None),
       st.one_of(st.floats(-1e6, 1e6), st.sampled_from((3, NAN, INF, np.float64(2.0), "x"))),
       mostly("ana", "", None), st.booleans())
def test_an_order_is_built_as_with_to_units_and_the_sum_of_amounts(lines, order_id, customer, location, created_at,
                                                                   actor, as_iterator):
    def build() -> SalesOrder:
        return SalesOrder(order_id, customer, location, created_at, iter(lines) if as_iterator else lines,
                          actor=actor)

    expected = outcome(lambda: reference_order(order_id, customer, location, created_at, lines, actor))
    assert outcome(build) == expected
    if expected[0] is not None:
        return
    so, (units, amount) = build(), reference_order(order_id, customer, location, created_at, lines, actor)
    assert {n: p.qty for n, p in so._lines.items()} == units
    assert repr(so.amount) == repr(amount) and type(so.amount) is type(amount)
    assert so.lines == tuple(lines) and all(a is b for a, b in zip(so.lines, lines))
    assert [s[:3] for s in so.history] == [(S.RECEIVED, float(created_at), actor)]
    assert type(so.history[0].time) is float and so.created_at == so._clock == float(created_at)
    assert (so.order_id, so.customer, so.location, so._line_clock, so.state) == (order_id, customer, location, {},
                                                                               S.RECEIVED)
    assert [so.line(n).open_qty for n in units] == [from_units(u) for u in units.values()]


# the order steps with a quick path, and the checked path each falls back to
CHECKED = {
    "check_credit": lambda so, t, actor, _: so._order_step(S.CREDIT_CHECKED, t, actor, (S.RECEIVED,)),
    "release": lambda so, t, actor, _: so._order_step(S.RELEASED, t, actor, (S.CREDIT_CHECKED, S.CREDIT_APPROVED)),
    "deliver": lambda so, t, actor, _: so._deliver(t, actor),
    "invoice": lambda so, t, actor, _: so._invoice(t, actor),
    "pay": lambda so, t, actor, amount: so._pay(t, amount, actor),
}
QUICK = {
    "check_credit": lambda so, t, actor, _: so.check_credit(t, actor),
    "release": lambda so, t, actor, _: so.release(t, actor),
    "deliver": lambda so, t, actor, _: so.deliver(t, actor),
    "invoice": lambda so, t, actor, _: so.invoice(t, actor),
    "pay": lambda so, t, actor, amount: so.pay(t, amount, actor),
}


@given(st.sampled_from(("none", "checked", "released", "approved")), st.integers(1, 60), st.data())
def test_the_quick_order_steps_are_the_checked_ones(prefix, n_steps, data):
    """check_credit / release / deliver / invoice / pay against their checked paths, with bad times,
    actors and amounts too: the same outcome (error type and message) and the same order after it."""
    quick, checked = start(prefix), start(prefix)
    for _ in range(n_steps):
        name, n, qty, shortfall, dt = next_step(data, quick)
        if not data.draw(st.integers(0, 3)):
            name = data.draw(st.sampled_from(tuple(QUICK)))  # any of them, allowed now or not
        t = max(s.time for s in quick.history) + dt
        if name in QUICK:
            t = data.draw(st.sampled_from((t, t, t, int(t), np.float64(t), NAN, INF, -INF, "x")))
            actor = data.draw(st.sampled_from(("ana", "ana", "ana", "", 7, None)))
            due = quick.invoiced_amount - quick.paid_amount
            amount = data.draw(st.sampled_from((due, due, due * 0.5, due + 1, 1.0, 5, 0.0, -1.0, NAN, INF,
                                                np.float64(due), "x", None)))
            assert outcome(lambda: QUICK[name](quick, t, actor, amount)) == \
                   outcome(lambda: CHECKED[name](checked, t, actor, amount))  # noqa: B023 - called at once
        else:
            assert outcome(lambda: call(quick, name, n, qty, shortfall, t)) == \
                   outcome(lambda: call(checked, name, n, qty, shortfall, t))  # noqa: B023 - called at once
        assert snapshot(quick) == snapshot(checked)
        assert [type(s.time) for s in quick.history] == [type(s.time) for s in checked.history]
        assert quick._clock == checked._clock and quick._line_clock == checked._line_clock
        for m in (1, 2):
            row = quick.line(m)
            assert quick.loaded_undelivered_qty(m) == from_units(to_units(row.loaded_qty) - to_units(row.delivered_qty))
    assert outcome(lambda: quick.loaded_undelivered_qty(3)) == outcome(lambda: checked._get(3))
