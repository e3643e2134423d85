"""Costing: textbook FIFO and moving-average numbers, and value conservation as properties."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, strategies as st

from jxcsim.engine import CostLayer, FifoCost, InsufficientStock, MovingAverageCost


def test_textbook_example_fifo_and_moving_average():
    """Receive 100 @ 10 and 50 @ 12, issue 120."""
    fifo, avg = FifoCost("A-1"), MovingAverageCost("A-1")
    for cost in (fifo, avg):
        cost.receipt(100, 10.0)
        cost.receipt(50, 12.0)
    assert avg.unit_cost == pytest.approx(1600 / 150, rel=1e-15)
    assert fifo.issue(120) == 100 * 10 + 20 * 12 == 1240
    assert avg.issue(120) == pytest.approx(120 * 1600 / 150, rel=1e-12) and 120 * 1600 / 150 == 1280
    assert fifo.layers == (CostLayer(30.0, 12.0),) and fifo.value == 360.0
    assert avg.value == pytest.approx(320.0, rel=1e-12) and avg.on_hand == fifo.on_hand == 30.0


def test_moving_average_follows_each_receipt():
    avg = MovingAverageCost()
    avg.receipt(10, 4.0)
    assert avg.issue(5) == 20.0
    avg.receipt(15, 8.0)                      # 5 @ 4 + 15 @ 8 = 140 for 20
    assert avg.unit_cost == 7.0
    assert avg.issue(20) == 140.0 and avg.value == 0.0 and math.isnan(avg.unit_cost)


def test_fifo_crosses_layers_in_receipt_order():
    fifo = FifoCost()
    for qty, cost in ((5, 1.0), (5, 2.0), (5, 3.0)):
        fifo.receipt(qty, cost)
    assert fifo.issue(7) == 5 * 1.0 + 2 * 2.0
    assert fifo.issue(4) == 3 * 2.0 + 1 * 3.0
    assert fifo.layers == (CostLayer(4.0, 3.0),)


@pytest.mark.parametrize("method", [FifoCost, MovingAverageCost])
def test_issuing_more_than_on_hand_is_refused_and_changes_nothing(method):
    cost = method("A-1")
    cost.receipt(0.3, 5.0)
    for _ in range(2):
        cost.issue(0.1)
    with pytest.raises(InsufficientStock, match="costed stock of 'A-1' is 0.1, cannot take out 0.2"):
        cost.issue(0.2)
    assert cost.issue(0.1) == pytest.approx(0.5) and cost.on_hand == 0.0   # no decimal dust left behind
    with pytest.raises(ValueError, match="unit_cost"):
        cost.receipt(1, -2.0)
    with pytest.raises(ValueError, match="qty must be positive"):
        cost.issue(0)


flows = st.lists(st.tuples(st.booleans(), st.integers(1, 10_000).map(lambda n: n / 100),
                           st.integers(0, 100_000).map(lambda n: n / 100)), max_size=60)


def run(method, flow):
    """Apply receipts and (feasible) issues; return the costing, received value and COGS."""
    cost, received, cogs, receipts = method(), [], [], []
    for is_receipt, qty, unit_cost in flow:
        if is_receipt:
            cost.receipt(qty, unit_cost)
            received.append(qty * unit_cost)
            receipts.append((qty, unit_cost))
        elif qty <= cost.on_hand:
            cogs.append(cost.issue(qty))
        else:
            with pytest.raises(InsufficientStock):
                cost.issue(qty)
    return cost, received, cogs, receipts


@pytest.mark.parametrize("method", [FifoCost, MovingAverageCost])
@given(flow=flows)
def test_value_is_conserved(method, flow):
    cost, received, cogs, _ = run(method, flow)
    total = math.fsum(received)
    assert math.fsum(cogs) + cost.value == pytest.approx(total, rel=1e-9, abs=1e-9)
    assert all(c >= 0 for c in cogs) and cost.value >= -1e-9 * max(total, 1)


@given(flow=flows)
def test_fifo_remaining_layers_are_the_most_recent_receipts(flow):
    fifo, _, _, receipts = run(FifoCost, flow)
    layers = [(layer.qty, layer.unit_cost) for layer in fifo.layers]
    if not layers:
        return
    tail = receipts[len(receipts) - len(layers):]
    assert layers[1:] == tail[1:]                                   # whole layers, untouched
    assert layers[0][1] == tail[0][1] and 0 < layers[0][0] <= tail[0][0]   # the oldest may be partly used
    assert sum(q for q, _ in layers) == pytest.approx(fifo.on_hand, abs=1e-9)


@given(flow=flows)
def test_both_methods_agree_on_quantity_and_on_total_cost_once_empty(flow):
    fifo, received, fifo_cogs, _ = run(FifoCost, flow)
    avg, _, avg_cogs, _ = run(MovingAverageCost, flow)
    assert fifo.on_hand == avg.on_hand
    if fifo.on_hand == 0:
        assert math.fsum(fifo_cogs) == pytest.approx(math.fsum(avg_cogs), rel=1e-9, abs=1e-9)
