"""Monthly stock counts: count every SKU, then post the difference to the book as an adjustment."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from ..engine import LOSS, Cause, Ledger, StockCount
from .model import World
from .scenario import Role
from .shifts import count_times

ADJUST_AFTER_H = 0.5  # the difference is reviewed and posted half an hour after counting


def stock_counts(world: World) -> Generator[Any, Any, None]:
    """Count at each month end; book is adjusted to what was counted (cause: count adjustment)."""
    env, sc = world.env, world.scenario
    locations = sc.counts.locations or world.locations
    for t in count_times(sc.start, world.horizon_h, sc.counts.time):
        yield env.timeout(t - env.now)
        for loc in locations:
            count_id = f"CNT-{world.ids.next('CNT'):04d}-{loc}"
            counter = world.team(Role.WAREHOUSE_CLERK, loc).any_member(env.now)
            book = {sku: world.ledgers.balance(Ledger.BOOK, sku, loc) for sku in world.skus}
            count = StockCount(count_id, loc, env.now, book, actor=counter)
            for sku in world.skus:
                counted = world.ledgers.balance(Ledger.PHYSICAL, sku, loc)
                count.record(sku, counted)
                world.recorder.add(count_id, "count", env.now, resource=counter, location=loc, sku=sku,
                                   doc_type="stock_count", counted=counted, book=book[sku])
            count.finish(env.now, counter)
            world.start(_adjust(world, count, counter))


def _adjust(world: World, count: StockCount, clerk: str) -> Generator[Any, Any, None]:
    """Post each difference to the book against LOSS, tagged as a count adjustment."""
    env = world.env
    yield env.timeout(ADJUST_AFTER_H)
    for adj in count.adjustments():
        src, dst = (LOSS, adj.location) if adj.qty > 0 else (adj.location, LOSS)
        world.ledgers.move_book(adj.sku, abs(adj.qty), src, dst, time=env.now, movement_id=f"{adj.count_id}/{adj.sku}",
                                cause=Cause.COUNT_ADJUSTMENT)
        world.recorder.add(adj.count_id, "adjustment", env.now, resource=clerk, location=adj.location, sku=adj.sku,
                           qty=adj.qty, doc_type="stock_count")
    count.adjust(env.now, clerk)
