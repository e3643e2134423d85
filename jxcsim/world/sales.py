"""Customer orders: arrivals by weekday × hour, credit, release to the warehouse, shipments, billing.

One process per order; each shipment (the lines allocated together) is picked, loaded, posted
and delivered on its own, so a backordered line ships later in a shipment of its own.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..engine import SalesLine, SalesOrder
from ..engine.rules import CreditRule
from .model import Posting, World, plan_resource
from .scenario import Movement, Release, Role
from .shifts import HOURS_PER_WEEK

P_CREDIT_REJECT = 0.05  # share of held orders the approver refuses


@dataclass
class Order:
    """The world's handle on one sales order: the engine document plus the shipments in flight."""

    doc: SalesOrder
    open_shipments: int = 0

    @property
    def order_id(self) -> str:
        return self.doc.order_id

    @property
    def customer(self) -> str:
        return self.doc.customer

    @property
    def location(self) -> str:
        return self.doc.location

    @property
    def amount(self) -> float:
        return self.doc.amount


def order_arrivals(world: World) -> Generator[Any, Any, None]:
    """Orders arrive as a Poisson process whose rate is constant within each hour of the week."""
    env, rng, demand = world.env, world.rng, world.scenario.demand
    day_w = np.asarray(demand.weekday_weights, dtype=float)
    hour_w = np.asarray(demand.hour_weights, dtype=float)
    rate = demand.orders_per_week * np.outer(day_w / day_w.sum(), hour_w / hour_w.sum()).ravel()  # per hour slot
    cust_cum = np.cumsum([c.order_weight for c in world.customers])
    loc_cum = np.cumsum([demand.location_weights.get(loc, 1.0 if not demand.location_weights else 0.0)
                         for loc in world.locations])
    skus = list(world.skus.values())
    sku_exp = 1.0 / np.asarray([s.demand_weight for s in skus])
    lines_per_order, qty_per_line = demand.lines_per_order.sampler(), demand.qty_per_line.sampler()
    hour = 0
    while hour < world.horizon_h:
        n = rng.poisson(rate[int(hour % HOURS_PER_WEEK)])
        for offset in np.sort(rng.uniform(0, 1, n)):
            t = hour + float(offset)
            if t > env.now:
                yield env.timeout(t - env.now)
            customer = world.customers[_pick(cust_cum, rng)]
            location = world.locations[_pick(loc_cum, rng)]
            n_lines = min(lines_per_order(rng), len(skus))
            # weighted sampling without replacement: the n largest u^(1/w) (Efraimidis & Spirakis)
            keys = rng.random(len(skus)) ** sku_exp
            chosen = np.argpartition(-keys, n_lines - 1)[:n_lines] if n_lines < len(skus) else np.arange(len(skus))
            lines = [SalesLine(i + 1, skus[j].sku,
                               float(math.ceil(qty_per_line(rng) * customer.qty_factor)), skus[j].price)
                     for i, j in enumerate(sorted(chosen, key=lambda j: -keys[j]))]
            doc = SalesOrder(f"SO-{world.ids.next('SO'):06d}", customer.customer, location, env.now, lines)
            order = Order(doc)
            world.start(sales_order(world, order))
        hour += 1
        if hour > env.now:
            yield env.timeout(hour - env.now)


def _pick(cumulative: np.ndarray, rng: np.random.Generator) -> int:
    """An index drawn with probability proportional to its weight (``cumulative`` = cumsum of weights)."""
    return int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"))


def _record(world: World, order: Order, semantic: str, t: float, **kw: Any) -> None:
    world.recorder.add(order.order_id, semantic, t, location=order.location, doc_type="sales_order",
                       customer=order.customer, **kw)


def sales_order(world: World, order: Order) -> Generator[Any, Any, None]:
    """The life of one sales order, from receipt to payment."""
    env, sc = world.env, world.scenario
    sales = world.team(Role.SALES)
    taker = sales.any_member(env.now) if sales.on_shift(env.now) else "web shop"
    _record(world, order, "order_received", env.now, resource=taker, amount=order.amount)

    work = yield sales.do(world.duration("credit_check"))
    order.doc.check_credit(work.end, work.worker)
    _record(world, order, "credit_check", work.end, start=work.start, resource=work.worker, amount=order.amount)
    credit = sc.rules.credit
    rule = CreditRule(credit.review_threshold, credit.use_credit_limit, credit.fast_track_below)
    customer = world.customer(order.customer)
    reason = rule.review_reason(order.amount, world.exposure[order.customer], customer.credit_limit)
    if reason is not None:
        order.doc.hold(env.now, reason)
        _record(world, order, "credit_hold", env.now, resource="system", amount=order.amount)
        digests = sc.rules.notifications.digest_times
        release = Release(mode="batch", times=digests) if digests else sc.handoffs.to_credit_approver
        seen = world.seen_at(release, env.now)
        yield env.timeout(seen - env.now)
        work = yield world.team(Role.CREDIT_APPROVER).do(world.duration("credit_approval"))
        if world.rng.random() < P_CREDIT_REJECT:
            order.doc.reject(work.end, work.worker, reason)
            _record(world, order, "credit_rejected", work.end, start=work.start, resource=work.worker)
            return
        order.doc.approve(work.end, work.worker)
        _record(world, order, "credit_approved", work.end, start=work.start, resource=work.worker)
    world.exposure[order.customer] += order.amount

    push = sc.rules.notifications.push_on_new_order
    if push:
        _record(world, order, "notification", env.now, resource="system")
    seen = world.seen_at(sc.handoffs.to_warehouse, env.now, push=push, cutoff=sc.handoffs.order_cutoff)
    yield env.timeout(seen - env.now)
    order.doc.release(env.now)

    ready, waiting = [], []
    for line in order.doc.lines:
        (ready if _allocate(world, order, line, line.qty) else waiting).append((line, line.qty))
    if ready:
        order.open_shipments += 1
        world.start(shipment(world, order, ready))
    for line, qty in waiting:
        order.open_shipments += 1
        world.start(backordered_line(world, order, line, qty))


def _allocate(world: World, order: Order, line: SalesLine, qty: float, *, record_backorder: bool = True) -> bool:
    """Reserve ``qty`` of the line if the book shows it available; else (optionally) backorder it."""
    now = world.env.now
    if world.inventory.available(line.sku, order.location) >= qty:
        world.inventory.reserve(line.sku, order.location, qty)
        order.doc.allocate(line.line_no, qty, now)
        _record(world, order, "allocate", now, resource="system", sku=line.sku, qty=qty, line=line.line_no)
        return True
    if record_backorder:
        order.doc.backorder(line.line_no, qty, now)
        _record(world, order, "backorder", now, resource="system", sku=line.sku, qty=qty, line=line.line_no)
    return False


def backordered_line(world: World, order: Order, line: SalesLine, qty: float) -> Generator[Any, Any, None]:
    """Wait for book stock, then ship ``qty`` of the line on its own."""
    while True:
        yield world.receipt_signal(line.sku, order.location)
        if _allocate(world, order, line, qty, record_backorder=False):
            break
    yield from shipment(world, order, [(line, qty)])


def shipment(world: World, order: Order, lines: list[tuple[SalesLine, float]]) -> Generator[Any, Any, None]:
    """Pick, load, post and deliver ``lines`` (line, allocated quantity) together."""
    env, loc, doc = world.env, order.location, order.doc
    delivery = f"DL-{order.order_id.removeprefix('SO-')}-{world.ids.next(f'{order.order_id}/ship')}"
    work = yield world.team(Role.PICKER, loc).do(world.duration("pick_per_line", len(lines)))
    picked: list[tuple[SalesLine, float]] = []
    for line, wanted in lines:
        free = world.shelf_free(line.sku, loc)
        qty = min(wanted, max(0.0, math.floor(free)))
        doc.pick(line.line_no, qty, work.end, work.worker)  # a shortfall goes back to backordered
        short = wanted - qty
        if short > 0:  # the book promised stock the shelf does not have
            world.inventory.release(line.sku, loc, short)
            _record(world, order, "backorder", work.end, resource=work.worker, sku=line.sku, qty=short,
                    line=line.line_no)
            order.open_shipments += 1
            world.start(backordered_line(world, order, line, short))
        if qty > 0:
            world.staged[(line.sku, loc)] = world.staged.get((line.sku, loc), 0.0) + qty
            picked.append((line, qty))
    _record(world, order, "pick", work.end, start=work.start, resource=work.worker, delivery=delivery)
    if not picked:
        order.open_shipments -= 1
        return

    clerks = world.team(Role.WAREHOUSE_CLERK, loc)
    plan = world.posting_plan(Movement.ISSUE, loc, env.now)
    postings = [Posting(f"{order.order_id}/{line.line_no}/{delivery}", order.order_id, line.sku, qty, loc,
                        Movement.ISSUE, line.line_no, document=doc, delivery=delivery) for line, qty in picked]
    if plan.post_first:
        when = world.post_time(plan, clerks, env.now)
        yield env.timeout(when - env.now)
        for p in postings:
            world.book_move(p, env.now, plan_resource(plan, clerks, env.now))

    work = yield world.team(Role.DRIVER, loc).do(world.duration("load"))
    for p, (line, qty) in zip(postings, picked):
        world.physical_move(p, work.end, work.worker)
        world.staged[(line.sku, loc)] -= qty
        world.inventory.release(line.sku, loc, qty)
        if not p.posted:
            world.start(world.post_later(p, plan, clerks))
    yield env.timeout(world.duration("drive"))
    # an earlier truck of the same order may have delivered this shipment's lines with its own
    if any(doc.loaded_undelivered_qty(line.line_no) > 0 for line, _ in picked):
        doc.deliver(env.now, work.worker)
    _record(world, order, "deliver", env.now, start=work.end, resource=work.worker, delivery=delivery)
    order.open_shipments -= 1
    if order.open_shipments == 0:
        world.start(billing(world, order))


def billing(world: World, order: Order) -> Generator[Any, Any, None]:
    """Invoice what was delivered; the customer pays after their usual number of days."""
    env, doc = world.env, order.doc
    work = yield world.team(Role.ACCOUNTANT).do(world.duration("invoice"))
    doc.invoice(work.end, work.worker)
    amount = doc.invoiced_amount
    if amount <= 0:
        return
    _record(world, order, "invoice", work.end, start=work.start, resource=work.worker, amount=amount)
    customer = world.customer(order.customer)
    days = world.rng.uniform(customer.pay_days.low, customer.pay_days.high)
    paid = world.office.next_open(env.now + days * 24)
    yield env.timeout(paid - env.now)
    doc.pay(env.now, amount, "bank")
    world.exposure[order.customer] -= order.amount
    _record(world, order, "payment", env.now, resource="bank", amount=amount)
