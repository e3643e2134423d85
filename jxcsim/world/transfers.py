"""Transfers between locations: a review tops up short SKUs from the location with most spare stock.

Each transfer is its own document and case (``TR-…``, doc type ``transfer``): created by the
system (``transfer_created``), reserved at the source and counted as on order at the destination
(so its reorder review does not order it again), picked and loaded at the source (``transfer_physical_out``: shelf →
``@transit``), on the road, unloaded by a clerk at the destination (``transfer_physical_in``:
``@transit`` → shelf). The out leg is posted as issues are (at the loading scan where
scan-to-ship applies); from that posting the destination counts the goods in transit, until the
in leg is posted, as receipts are and only after the out leg (the engine's
:class:`~jxcsim.engine.Transfer` refuses otherwise). An out leg never posted leaves the goods in
the source's book (phantom stock there) and stops counting them as on order once they arrive;
an in leg never posted leaves them in transit in the book. A transfer whose goods are not on the
source's shelf when picked is cancelled by the picker (``transfer_cancelled``). Off unless ``transfers.enabled``; then it draws from
the world's generator too.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from ..engine import TRANSIT, Transfer
from .purchasing import DAY_H, at_reviews, daily_demand
from .scenario import Movement, Role
from .transfer_plan import plan_transfers

if TYPE_CHECKING:
    from .model import World


def transfer_review(world: World) -> Generator[Any, Any, None]:
    """Every review day at the review time, create the transfers the rule asks for."""
    rules = world.scenario.transfers
    rates = daily_demand(world)

    def review() -> None:
        for sku in world.skus:
            for src, dst, qty in planned_transfers(world, sku, rates):
                world.inventory.reserve(sku, src, qty)
                world.inventory.add_on_order(sku, dst, qty)
                world.start(transfer(world, sku, qty, src, dst))

    yield from at_reviews(world, rules.review_days, rules.review_time, review)


def planned_transfers(world: World, sku: str, rates: dict[tuple[str, str], float]) -> list[tuple[str, str, float]]:
    """(source, destination, quantity) of each transfer ``sku`` needs now: the rule of
    :func:`.transfer_plan.plan_transfers` on the world's book, reservations and inventory positions."""
    inv = world.inventory
    return plan_transfers(world.scenario.transfers, world.locations,
                          {loc: rates.get((sku, loc), 0.0) for loc in world.locations},
                          {loc: inv.available(sku, loc) for loc in world.locations},
                          lambda loc: inv.inventory_position(sku, loc))


def transfer(world: World, sku: str, qty: float, src: str, dst: str) -> Generator[Any, Any, None]:
    """One transfer of ``qty`` of ``sku`` from ``src`` to ``dst``, from creation to the in leg's posting."""
    env, sc, u = world.env, world.scenario, world.u_transfers
    tid = f"TR-{world.ids.next('TR'):06d}"
    doc = Transfer(tid, sku, qty, src, dst, created_at=env.now)

    def record(semantic: str, t: float, location: str, **kw: Any) -> None:
        world.recorder.add(tid, semantic, t, location=location, sku=sku, qty=qty, line=1, doc_type="transfer", **kw)

    record("transfer_created", env.now, src, resource="system")
    work = yield world.team(Role.PICKER, src).do(world.duration("pick_per_line", work="transfers"))
    if world.shelf_free(sku, src) < qty:  # the book promised what the shelf does not have
        doc.cancel(work.end, "not on the shelf", work.worker)
        world.inventory.release(sku, src, qty)
        world.inventory.remove_on_order(sku, dst, qty)
        record("transfer_cancelled", work.end, src, start=work.start, resource=work.worker)
        return
    world.staged[(sku, src)] = world.staged.get((sku, src), 0.0) + qty
    work = yield world.team(Role.DRIVER, src).do(world.duration("load", work="transfers"))
    world.staged[(sku, src)] -= qty
    world.inventory.release(sku, src, qty)
    world.ledgers.move_physical(sku, qty, src, TRANSIT, time=work.end, movement_id=f"{tid}/out", doc=tid)
    doc.ship(work.end, work.worker)
    record("transfer_physical_out", work.end, src, start=work.start, resource=work.worker)
    out_posted = env.event()
    world.start(_post_out(world, doc, record, out_posted))

    receiving = world.calendars[sc.purchasing.receiving_shift]
    rules = sc.transfers
    arrive = receiving.next_open(env.now + rules.transit_days.at(u()) * DAY_H)
    yield env.timeout(arrive - env.now)
    clerks = world.team(Role.WAREHOUSE_CLERK, dst)
    work = yield clerks.do(world.duration("unload", work="transfers"))
    world.ledgers.move_physical(sku, qty, TRANSIT, dst, time=work.end, movement_id=f"{tid}/in", doc=tid)
    doc.arrive(work.end, work.worker)
    record("transfer_physical_in", work.end, dst, start=work.start, resource=work.worker)

    def arrived_unposted(event: Any) -> None:  # never posted out: here now, no longer expected
        if not event.value:
            world.inventory.remove_on_order(sku, dst, qty)

    if out_posted.triggered:
        arrived_unposted(out_posted)
    else:  # the out leg's fate not decided yet (a zero-length trip)
        out_posted.callbacks.append(arrived_unposted)

    if u() < sc.posting.receipt.p_never:
        world.never_posted.add(f"{tid}/in")
        return
    posted = clerks.next_on_shift(env.now + world.usual_posting_delay(Movement.RECEIPT))
    yield env.timeout(max(0.0, posted - env.now))
    if not (yield out_posted):  # the out leg never posted: the system cannot book the goods in
        world.never_posted.add(f"{tid}/in")
        return
    now, clerk = env.now, clerks.any_member(env.now)
    world.ledgers.move_book(sku, qty, TRANSIT, dst, time=now, movement_id=f"{tid}/in", doc=tid)
    doc.post_in(now, clerk)
    record("transfer_book_in", now, dst, resource=clerk)
    world.inventory.remove_in_transit(sku, dst, qty)
    world.receipt_signal(sku, dst).succeed()  # backordered lines may take it now


def _post_out(world: World, doc: Transfer, record: Any, done: Any) -> Generator[Any, Any, None]:
    """Post the out leg as an issue is posted (``posting.issue``: as the goods leave, else after its delay, or
    never; at the loading scan where scan-to-ship applies);
    ``done`` succeeds with whether it was. From the posting the destination counts the goods in transit."""
    env, behaviour, scan = world.env, world.scenario.posting.issue, world.scenario.rules.scan_to_ship
    scanned = scan.enabled and (scan.locations is None or doc.src in scan.locations)
    clerks = world.team(Role.WAREHOUSE_CLERK, doc.src)
    if scanned:
        clerk = "scanner"
    else:
        u = world.u_transfers
        first = u() >= behaviour.p_move_before_post  # posted as the goods leave (a clerk on shift), as issues are
        if not first and u() < behaviour.p_never:
            world.never_posted.add(f"{doc.transfer_id}/out")
            done.succeed(False)
            return
        posted = clerks.next_on_shift(env.now if first else env.now + world.usual_posting_delay(Movement.ISSUE))
        yield env.timeout(max(0.0, posted - env.now))
        clerk = clerks.any_member(env.now)
    world.ledgers.move_book(doc.sku, doc.qty, doc.src, TRANSIT, time=env.now, movement_id=f"{doc.transfer_id}/out",
                            doc=doc.transfer_id)
    doc.post_out(env.now, clerk)
    record("transfer_book_out", env.now, doc.src, resource=clerk)
    world.inventory.remove_on_order(doc.sku, doc.dst, doc.qty)  # expected until now, in transit from now
    world.inventory.add_in_transit(doc.sku, doc.dst, doc.qty)
    done.succeed(True)
