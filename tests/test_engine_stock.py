"""Stock positions: reservations within available book stock, counters that never go negative."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from jxcsim.engine import (
    CUSTOMER, SUPPLIER, Cause, Commitment, CommitmentError, Inventory, Ledger, ReservationError, StockPosition,
    to_units,
)


def test_position_of_a_goods_issue_loaded_but_not_posted():
    inv = Inventory()
    inv.ledgers.move_physical("A-1", 20, SUPPLIER, "WH-A", time=8.0, movement_id="PO-1")
    inv.ledgers.move_book("A-1", 20, SUPPLIER, "WH-A", time=8.0, movement_id="PO-1")
    inv.reserve("A-1", "WH-A", 5)
    inv.ledgers.move_physical("A-1", 5, "WH-A", CUSTOMER, time=14.0, movement_id="SO-1")
    inv.add_on_order("A-1", "WH-A", 30)
    inv.add_in_transit("A-1", "WH-A", 4)
    assert inv.position("A-1", "WH-A") == StockPosition(
        sku="A-1", location="WH-A", physical=15.0, book=20.0, reserved=5.0, available=15.0, on_order=30.0,
        in_transit=4.0, unposted_in=0.0, unposted_out=5.0, discrepancy=5.0, causes={Cause.UNPOSTED_ISSUE: 5.0})
    # posting the issue consumes the reservation: book and shelf agree again
    inv.ledgers.move_book("A-1", 5, "WH-A", CUSTOMER, time=18.0, movement_id="SO-1")
    inv.release("A-1", "WH-A", 5)
    position = inv.position("A-1", "WH-A")
    assert (position.book, position.reserved, position.available, position.discrepancy) == (15.0, 0.0, 15.0, 0.0)
    with pytest.raises(TypeError):
        position.causes[Cause.SHRINKAGE] = 1.0


def test_reservation_must_fit_in_available_book_stock():
    inv = Inventory()
    inv.ledgers.move_book("A-1", 10, SUPPLIER, "WH-A", time=0.0, movement_id="PO-1")
    inv.reserve("A-1", "WH-A", 7)
    with pytest.raises(ReservationError, match="available of 'A-1' at 'WH-A' is 3, cannot reserve 4"):
        inv.reserve("A-1", "WH-A", 4)
    with pytest.raises(ReservationError, match="reserved of 'A-1' at 'WH-A' is 7, cannot release 8"):
        inv.release("A-1", "WH-A", 8)
    with pytest.raises(CommitmentError, match="on order of 'A-1' at 'WH-A' is 0, cannot remove 1"):
        inv.remove_on_order("A-1", "WH-A", 1)
    with pytest.raises(CommitmentError, match="in transit"):
        inv.remove_in_transit("A-1", "WH-A", 1)
    with pytest.raises(ValueError, match="real locations only"):
        inv.add_on_order("A-1", SUPPLIER, 1)
    with pytest.raises(ValueError, match="qty must be positive"):
        inv.reserve("A-1", "WH-A", 0)
    assert inv.reserved("A-1", "WH-A") == 7.0
    # book stock may fall below what is reserved (posted elsewhere): the position shows it
    inv.ledgers.move_book("A-1", 6, "WH-A", CUSTOMER, time=1.0, movement_id="SO-X")
    assert inv.position("A-1", "WH-A").available == -3.0


@given(st.lists(st.tuples(st.sampled_from(("reserve", "release", "receive")),
                          st.integers(1, 400).map(lambda n: n / 10))))
def test_reservations_stay_within_book_stock_when_only_reservations_move(ops):
    inv = Inventory()
    for action, qty in ops:
        try:
            if action == "receive":
                inv.ledgers.move_book("A", qty, SUPPLIER, "W1", time=0.0, movement_id="R")
            else:
                getattr(inv, action)("A", "W1", qty)
        except ReservationError:
            pass
        position = inv.position("A", "W1")
        assert 0 <= position.reserved <= position.book
        assert to_units(position.available) == to_units(position.book) - to_units(position.reserved)
    assert inv.ledgers.balance(Ledger.BOOK, "A", "W1") >= inv.reserved("A", "W1")


@given(st.lists(st.tuples(st.sampled_from(("reserve", "try_reserve", "release", "receive", "issue", "order",
                                           "transit")),
                          st.integers(1, 400).map(lambda n: n / 10))))
def test_try_reserve_reserves_exactly_when_reserve_would_and_the_quick_reads_agree(ops):
    inv = Inventory()
    for action, qty in ops:
        before = inv.position("A", "W1")
        if action == "try_reserve":
            try:
                inv.reserve("A", "W1", qty)
                would = True
            except ReservationError:
                would = False
            if would:
                inv.release("A", "W1", qty)
            assert inv.try_reserve("A", "W1", qty) is would
            assert inv.reserved("A", "W1") == (before.reserved if not would else
                                               (to_units(before.reserved) + to_units(qty)) / 1e6)
        elif action == "receive":
            inv.ledgers.move_book("A", qty, SUPPLIER, "W1", time=0.0, movement_id="R")
        elif action == "issue":
            inv.ledgers.move_book("A", qty, "W1", CUSTOMER, time=0.0, movement_id="I")
        elif action == "order":
            inv.add_on_order("A", "W1", qty)
        elif action == "transit":
            inv.add_in_transit("A", "W1", qty)
        else:
            try:
                getattr(inv, action)("A", "W1", qty)
            except ReservationError:
                pass
        position = inv.position("A", "W1")
        assert inv.available("A", "W1") == position.available
        assert inv.inventory_position("A", "W1") == (to_units(position.book) - to_units(position.reserved)
                                                     + to_units(position.on_order) + to_units(position.in_transit)) / 1e6
    with pytest.raises(ValueError, match="qty must be positive"):
        inv.try_reserve("A", "W1", 0)
    with pytest.raises(ValueError, match="real locations only"):
        inv.try_reserve("A", SUPPLIER, 1)


@given(st.lists(st.tuples(st.booleans(), st.one_of(st.floats(allow_nan=True, allow_infinity=True),
                                                   st.integers(-5, 50), st.sampled_from([1e-7, 0.0, -0.0, 2.5])))))
def test_release_quick_path_does_what_the_checked_change_does_errors_included(ops):
    quick, checked = Inventory(), Inventory()
    quick.ledgers.move_book("A", 1e6, SUPPLIER, "W1", time=0.0, movement_id="R")
    checked.ledgers.move_book("A", 1e6, SUPPLIER, "W1", time=0.0, movement_id="R")
    for reserve, qty in ops:
        outcomes = []
        for inv, act in ((quick, quick.release), (checked, lambda s, loc, q: checked._change(
                Commitment.RESERVED, s, loc, q, -1))):
            try:
                inv.reserve("A", "W1", qty) if reserve else act("A", "W1", qty)
                outcomes.append(None)
            except (ValueError, ReservationError) as err:
                outcomes.append((type(err), str(err)))
        assert outcomes[0] == outcomes[1]
        assert quick.reserved("A", "W1") == checked.reserved("A", "W1")
    with pytest.raises(ValueError, match="real locations"):
        quick.release("A", CUSTOMER, 1.0)
