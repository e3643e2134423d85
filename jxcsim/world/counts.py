"""Monthly stock counts: count every SKU, then post the difference to the book as an adjustment.

Counts keep a cut-off, as a careful stocktake does. Goods staged on the dock whose issue is
already posted are set aside, not counted: the book shows them gone. Then the clerk reviews the
differences before adjusting (half an hour later): the part of a difference that a movement in
flight at the count has settled since (goods that had left and whose issue was posted minutes
later, a receipt posted after the count) is reconciled, not adjusted (:meth:`.StockCount.reconcile`;
both from :meth:`.Ledgers.open_movements`). A movement still half done at the review is adjusted
for: goods that left unposted are written off the book, and a posting after the review takes them
off a second time (a habit's damage at counts).
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from ..engine import LOSS, Cause, Ledger, StockCount
from .model import World
from .scenario import Role
from .shifts import count_times

ADJUST_AFTER_H = 0.5  # the difference is reviewed and posted half an hour after counting


def stock_counts(world: World) -> Generator[Any, Any, None]:
    """Count at each month end (issued goods still on the dock set aside); after the review (:func:`_adjust`)
    the book is adjusted to what was counted (cause: count adjustment)."""
    env, sc = world.env, world.scenario
    locations = sc.counts.locations or world.locations
    for t in count_times(sc.start, world.horizon_h, sc.counts.time):
        yield env.timeout(t - env.now)
        for loc in locations:
            count_id = f"CNT-{world.ids.next('CNT'):04d}-{loc}"
            counter = world.team(Role.WAREHOUSE_CLERK, loc).any_member(env.now)
            book = {sku: world.ledgers.balance(Ledger.BOOK, sku, loc) for sku in world.skus}
            count = StockCount(count_id, loc, env.now, book, actor=counter)
            in_flight: dict[str, dict[str, float]] = {}  # per SKU: book - physical of each movement the count saw
            for sku in world.skus:
                aside, seen = 0.0, {}
                for movement, (physical, posted) in world.ledgers.open_movements(sku, loc).items():
                    if physical == 0 and posted < 0:  # issued in the book, still on the dock: set aside
                        aside -= posted
                    else:
                        seen[movement] = posted - physical
                in_flight[sku] = seen
                counted = world.ledgers.balance(Ledger.PHYSICAL, sku, loc) - aside
                count.record(sku, counted)
                world.recorder.add(count_id, "count", env.now, resource=counter, location=loc, sku=sku,
                                   doc_type="stock_count", counted=counted, book=book[sku])
            count.finish(env.now, counter)
            world.start(_adjust(world, count, counter, in_flight))


def _adjust(world: World, count: StockCount, clerk: str,
            in_flight: dict[str, dict[str, float]]) -> Generator[Any, Any, None]:
    """Reconcile what the movements in flight at the count (``in_flight``: per SKU, each open movement's
    book - physical then) settled since, then post each remaining difference to the book against LOSS,
    tagged as a count adjustment."""
    env = world.env
    yield env.timeout(ADJUST_AFTER_H)
    for sku, then in in_flight.items():
        if then:
            now = {movement: posted - physical
                   for movement, (physical, posted) in world.ledgers.open_movements(sku, count.location).items()}
            # a movement's book - physical then and now: what it settled since is (then - now) of book - physical,
            # which the count saw as (now - then) of counted - book
            settled = sum(now.get(movement, 0.0) - gap for movement, gap in then.items())
            if settled:
                count.reconcile(sku, settled)
    for adj in count.adjustments():
        src, dst = (LOSS, adj.location) if adj.qty > 0 else (adj.location, LOSS)
        world.ledgers.move_book(adj.sku, abs(adj.qty), src, dst, time=env.now, movement_id=f"{adj.count_id}/{adj.sku}",
                                cause=Cause.COUNT_ADJUSTMENT)
        world.recorder.add(adj.count_id, "adjustment", env.now, resource=clerk, location=adj.location, sku=adj.sku,
                           qty=adj.qty, doc_type="stock_count")
    count.adjust(env.now, clerk)
