"""Order draws and batched distributions: the arrival process and what each order holds, drawn a span at a time."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from jxcsim.world.catalogue import build_catalogue
from jxcsim.world.demand import OrderDraws
from jxcsim.world.distributions import Count, Duration, Quantity, batched, uniform_stream
from jxcsim.world.scenario import parse_scenario

WEEK = 168


def _draws(demand: dict | None = None, skus: int = 12, customers: int = 20, locations=("A", "B")) -> OrderDraws:
    sc = parse_scenario({
        "name": "t", "locations": {loc: {} for loc in locations}, "demand": demand or {},
        "catalogue": {"groups": {"G": {"count": skus}}}, "customers": {"C": {"count": customers}},
    })
    sku_list, customer_list = build_catalogue(sc)
    return OrderDraws(sc.demand, customer_list, list(sc.locations), sku_list)


def test_orders_follow_the_weekday_and_hour_weights_and_the_weekly_volume():
    draws = _draws({"orders_per_week": 500, "weekday_weights": [1, 1, 1, 1, 1, 0, 0],
                    "hour_weights": [0] * 9 + [1] * 8 + [0] * 7})
    rng = np.random.default_rng(4)
    weeks = 20
    times = np.array([t for w in range(weeks) for t, *_ in draws.between(rng, w * WEEK, (w + 1) * WEEK)])
    assert abs(len(times) - 500 * weeks) < 5 * np.sqrt(500 * weeks)  # Poisson: within 5 sigma
    assert (np.diff(times) >= 0).all()  # in time order, across the spans too
    day, hour = (times % WEEK) // 24, times % 24
    assert set(np.unique(day)) <= {0, 1, 2, 3, 4} and (hour >= 9).all() and (hour < 17).all()
    per_day = np.bincount(day.astype(int), minlength=5)
    assert per_day.min() > 0.9 * per_day.mean()  # equal weights: about equal days


def test_each_order_holds_distinct_skus_whole_quantities_and_known_customers():
    draws = _draws({"lines_per_order": {"dist": "poisson", "mean": 4}, "qty_per_line": {"mean": 6, "cv": 0.5}},
                   skus=5)
    orders = draws.between(np.random.default_rng(9), 0, 4 * WEEK)
    assert orders
    for _, customer, location, lines in orders:
        skus = [sku.sku for sku, _ in lines]
        assert 1 <= len(lines) <= 5 and len(set(skus)) == len(skus)  # at most every SKU, none twice
        assert all(q >= 1 and q == int(q) and isinstance(q, float) for _, q in lines)
        assert customer in draws.customers and location in ("A", "B")
    n_lines = np.array([len(lines) for *_, lines in orders])
    assert 3.5 < n_lines.mean() < 4.3  # 1 + Poisson(3), capped at the 5 SKUs


def test_popular_skus_are_drawn_more_often_and_zero_weight_locations_never():
    draws = _draws({"location_weights": {"A": 1.0, "B": 0.0}})
    orders = draws.between(np.random.default_rng(2), 0, 10 * WEEK)
    assert {loc for _, _, loc, _ in orders} == {"A"}
    weight = {s.sku: s.demand_weight for s in draws.skus}
    counts = {}
    for *_, lines in orders:
        for sku, _ in lines:
            counts[sku.sku] = counts.get(sku.sku, 0) + 1
    heavy, light = max(weight, key=weight.get), min(weight, key=weight.get)
    assert counts[heavy] > counts[light]


def test_same_generator_state_gives_the_same_orders_and_an_empty_span_none():
    draws = _draws()
    a = draws.between(np.random.default_rng(5), 0, WEEK)
    b = draws.between(np.random.default_rng(5), 0, WEEK)
    assert [(t, c.customer, loc, [(s.sku, q) for s, q in lines]) for t, c, loc, lines in a] == \
        [(t, c.customer, loc, [(s.sku, q) for s, q in lines]) for t, c, loc, lines in b]
    assert draws.between(np.random.default_rng(5), 0, 0) == []
    night = _draws({"hour_weights": [0] * 9 + [1] + [0] * 14})
    assert night.between(np.random.default_rng(5), 0, 9) == []  # no rate before 09:00


def test_no_location_to_order_from_is_a_clear_error():
    with pytest.raises(ValueError, match="location weights"):
        _draws({"location_weights": {"A": 0.0, "B": 0.0}})


durations = st.one_of(
    st.builds(lambda m, cv: {"dist": "lognormal", "mean_h": m, "cv": cv}, st.floats(0.01, 5), st.floats(0.0, 2)),
    st.builds(lambda m: {"dist": "exponential", "mean_h": m}, st.floats(0.0, 5)),
    st.builds(lambda m, cv: {"dist": "gamma", "mean_h": m, "cv": cv}, st.floats(0.01, 5), st.floats(0.1, 2)),
    st.builds(lambda lo, w: {"dist": "uniform", "low_h": lo, "high_h": lo + w}, st.floats(0, 3), st.floats(0, 3)),
    st.builds(lambda lo, a, b: {"dist": "triangular", "low_h": lo, "mean_h": lo + a, "high_h": lo + a + b},
              st.floats(0, 3), st.floats(0, 2), st.floats(0, 2)),
    st.builds(lambda m: {"dist": "fixed", "mean_h": m}, st.floats(0, 5)),
)


@settings(max_examples=60, deadline=None)
@given(durations, st.integers(1, 9), st.integers(0, 30), st.integers(0, 2**32 - 1))
def test_a_stream_gives_the_draws_of_many_in_order_whatever_the_batch(spec, batch, n, seed):
    d = Duration.model_validate(spec)
    draw = d.stream(np.random.default_rng(seed), batch=batch)
    values = [draw() for _ in range(n)]
    # batches of `batch` from one generator: the same as asking for them in those batches directly
    rng = np.random.default_rng(seed)
    expected = [v for _ in range(-(-n // batch)) for v in d.many(rng, batch).tolist()][:n]
    assert values == expected
    assert all(v >= 0 and isinstance(v, float) for v in values)


def test_constant_distributions_draw_nothing_from_the_generator():
    rng = np.random.default_rng(1)
    before = rng.bit_generator.state
    for spec in ({"dist": "fixed", "mean_h": 2.0}, {"dist": "lognormal", "mean_h": 1.0, "cv": 0.0},
                 {"dist": "uniform", "low_h": 1.5, "high_h": 1.5}):
        d = Duration.model_validate(spec)
        assert d.stream(rng)() == d.sample(rng) == d.many(rng, 3)[0]
    assert Count(dist="fixed", mean=3).many(rng, 2).tolist() == [3, 3]
    assert Quantity(mean=4.4, cv=0).many(rng, 2).tolist() == [4.0, 4.0]
    assert rng.bit_generator.state == before


def test_counts_and_quantities_are_whole_and_at_least_one():
    rng = np.random.default_rng(3)
    counts = Count(mean=2.5).many(rng, 5000)
    assert counts.min() >= 1 and abs(counts.mean() - 2.5) < 0.1
    qty = Quantity(mean=10, cv=0.8).many(rng, 5000)
    assert qty.min() >= 1 and (qty == np.ceil(qty)).all() and 9.5 < qty.mean() < 11.5
    assert isinstance(Count(mean=2).sample(rng), int) and isinstance(Quantity().sample(rng), int)


def test_batched_refuses_an_empty_batch_and_uniforms_stay_in_range():
    with pytest.raises(ValueError, match="batch"):
        batched(np.zeros, 0)
    u = uniform_stream(np.random.default_rng(0), batch=7)
    values = [u() for _ in range(100)]
    assert all(0.0 <= v < 1.0 for v in values) and len(set(values)) == 100


WITH_EXAMPLES = ("catalogue", "demand", "distributions", "memory_policy", "recorder", "replications", "scenario",
                 "shifts", "planted", "teams", "transfer_plan")


@pytest.mark.parametrize("module", WITH_EXAMPLES)
def test_world_docstring_examples_run(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(f"jxcsim.world.{module}"), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


def test_a_large_catalogue_is_drawn_in_blocks_with_the_same_result_as_one_block(monkeypatch):
    import jxcsim.world.demand as demand

    draws = _draws({"orders_per_week": 400}, skus=40)
    whole = draws.between(np.random.default_rng(8), 0, WEEK)
    monkeypatch.setattr(demand, "_MAX_KEYS", 40 * 7)  # 7 orders a block
    blocks = draws.between(np.random.default_rng(8), 0, WEEK)
    assert len(whole) > 7 * 10
    assert [(t, c.customer, [(s.sku, q) for s, q in lines]) for t, c, _, lines in blocks] == \
        [(t, c.customer, [(s.sku, q) for s, q in lines]) for t, c, _, lines in whole]
