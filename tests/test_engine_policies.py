"""Reorder policies as classes: (s, S) and (r, Q)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jxcsim.engine import RqPolicy, SsPolicy

positions = st.integers(-100_000_000, 100_000_000).map(lambda u: u / 100_000)  # exact to the engine quantum


@given(st.integers(0, 200), st.integers(0, 300), positions)
def test_s_s_orders_up_to_S_only_at_or_below_s(s, extra, position):
    policy = SsPolicy(s, s + extra)
    qty = policy.order_qty(position)
    if position <= s and s + extra > 0:
        assert qty >= 0 and position + qty >= s + extra and position + qty < s + extra + 1
    else:
        assert qty == 0


@given(st.integers(0, 200), st.integers(1, 100), positions)
def test_r_q_orders_whole_lots_lifting_the_position_above_r(r, q, position):
    qty = RqPolicy(r, q).order_qty(position)
    if position <= r:
        assert qty % q == 0 and position + qty > r and position + qty - q <= r
    else:
        assert qty == 0


def test_textbook_numbers_and_bad_parameters():
    assert SsPolicy(20, 100).order_qty(20) == 80
    assert RqPolicy(20, 50).order_qty(20) == 50
    with pytest.raises(ValueError, match="s <= S"):
        SsPolicy(50, 10)
    with pytest.raises(ValueError, match="Q > 0"):
        RqPolicy(5, 0)
