"""Customer orders: arrivals by weekday × hour, credit, release to the warehouse, shipments, billing.

One process per order; each shipment (the lines allocated together) is picked, loaded, posted
and delivered on its own, so a backordered line ships later in a shipment of its own (its own
process). The order's first shipment runs in the order's process, and billing in the process of
the shipment that completes the order.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import Any

from ..engine import Ledger, SalesLine, SalesOrder
from .catalogue import Customer
from .demand import OrderDraws
from .model import Posting, PostingDecision, World
from .returns import returns_after_delivery
from .scenario import Movement, Role
from .shifts import HOURS_PER_WEEK

P_CREDIT_REJECT = 0.05  # share of held orders the approver refuses
_ISSUE = Movement.ISSUE  # as a global: quicker to read than an enum member
_PHYSICAL = Ledger.PHYSICAL


class Order:
    """The world's handle on one sales order: the engine document plus the shipments in flight."""

    __slots__ = ("amount", "account", "customer", "doc", "location", "open_shipments", "order_id", "shipments")

    def __init__(self, doc: SalesOrder, account: Customer):
        self.doc, self.account = doc, account  # the customer's terms: credit limit, pay days
        self.order_id, self.customer, self.location, self.amount = doc.order_id, doc.customer, doc.location, doc.amount
        self.open_shipments = 0  # shipments started and not yet delivered
        self.shipments = 0  # shipments started so far (numbers the deliveries)

    def record(self, world: World, semantic: str, t: float, *, start: float = math.nan, resource: str | None = None,
               sku: str | None = None, qty: float = math.nan, line: int | None = None, amount: float = math.nan,
               delivery: str | None = None) -> None:
        """One row of the log for this order (EventRecorder.add's fields, as a row)."""
        world.recorder.append_row((self.order_id, semantic, t, start, resource, self.location, sku, qty, line,
                                   "sales_order", self.customer, None, amount, math.nan, math.nan, math.nan, delivery))


def order_arrivals(world: World) -> Generator[Any, Any, None]:
    """Orders arrive as drawn by :class:`.demand.OrderDraws`, a week of them at a time."""
    env, rng = world.env, world.orders_rng
    draws = OrderDraws(world.scenario.demand, world.customers, world.locations, list(world.skus.values()))
    ids, start = world.ids, world.start
    week = 0
    while week < world.horizon_h:
        end = min(week + HOURS_PER_WEEK, world.horizon_h)
        for t, customer, location, lines in draws.between(rng, int(week), int(math.ceil(end))):
            if t > env.now:
                yield env.timeout(t - env.now)
            doc = SalesOrder(f"SO-{ids.next('SO'):06d}", customer.customer, location, env.now,
                             [SalesLine(i, sku.sku, qty, sku.price) for i, (sku, qty) in enumerate(lines, start=1)])
            start(sales_order(world, Order(doc, customer)))
        week += HOURS_PER_WEEK
        if week < world.horizon_h and week > env.now:
            yield env.timeout(week - env.now)


def sales_order(world: World, order: Order) -> Generator[Any, Any, None]:
    """The life of one sales order, from receipt to payment."""
    env, sc, doc = world.env, world.scenario, order.doc
    sales = world.team(Role.SALES)
    now, nan, row = env.now, math.nan, world.recorder.append_row  # Order.record's rows, inline
    case, loc, customer, amount = order.order_id, order.location, order.customer, order.amount
    row((case, "order_received", now, nan, sales.member_on_shift(now) or "web shop", loc, None, nan, None,
         "sales_order", customer, None, amount, nan, nan, nan, None))
    pushed = loc in world.pushed
    if pushed:  # the warehouse hears of the order as it arrives
        row((case, "notification", now, nan, "system", loc, None, nan, None, "sales_order", customer, None, amount,
             nan, nan, nan, None))

    work = yield sales.do(world.duration("credit_check"))
    doc.check_credit(work.end, work.worker)
    row((case, "credit_check", work.end, work.start, work.worker, loc, None, nan, None, "sales_order", customer, None,
         amount, nan, nan, nan, None))
    reason = world.credit_rule.review_reason(order.amount, world.exposure[order.customer], order.account.credit_limit)
    if reason is not None:
        now = env.now
        doc.hold(now, reason)
        order.record(world, "credit_hold", now, resource="system", amount=order.amount)
        seen = world.seen_at(sc.handoffs.to_credit_approver, now)  # the approver's own look at the holds
        digest = world.notifications.digest_at(now)  # or a digest of the holds, when one comes first
        if digest < seen:
            yield env.timeout(digest - now)
            order.record(world, "notification", digest, resource="digest", amount=order.amount)
        else:
            yield env.timeout(seen - now)
        work = yield world.team(Role.CREDIT_APPROVER).do(world.duration("credit_approval"))
        if world.u_credit() < P_CREDIT_REJECT:
            doc.reject(work.end, work.worker, reason)
            order.record(world, "credit_rejected", work.end, start=work.start, resource=work.worker)
            return
        doc.approve(work.end, work.worker)
        order.record(world, "credit_approved", work.end, start=work.start, resource=work.worker)
    world.exposure[order.customer] += order.amount

    now = env.now  # released to the warehouse: at once when it was told of the order, else at its batch times
    yield env.timeout(world.seen_at(sc.handoffs.to_warehouse, now, push=pushed, cutoff=sc.handoffs.order_cutoff,
                                    day_start=world.day_start[loc]) - now)
    doc.release(env.now)

    ready, waiting = _allocate_order(world, order)
    order.open_shipments += len(waiting) + (1 if ready else 0)
    for line, qty in waiting:
        world.start(backordered_line(world, order, line, qty))
    if ready:
        yield from shipment(world, order, ready)


def _allocate_order(world: World, order: Order) -> tuple[list[tuple[SalesLine, float]], list[tuple[SalesLine, float]]]:
    """Reserve each line of a released order where the book shows it available, allocate those and
    backorder the rest: the lines (line, quantity) ready to ship and those waiting."""
    now, loc, doc = world.env.now, order.location, order.doc
    reserve = world.inventory.try_reserve
    lines = doc.lines
    reserved = [reserve(line.sku, loc, line.qty) for line in lines]
    if not all(reserved):
        ready, waiting = [], []
        for line, ok in zip(lines, reserved):
            if ok:
                doc.allocate(line.line_no, line.qty, now)
                order.record(world, "allocate", now, resource="system", sku=line.sku, qty=line.qty, line=line.line_no)
                ready.append((line, line.qty))
            else:
                doc.backorder(line.line_no, line.qty, now)
                order.record(world, "backorder", now, resource="system", sku=line.sku, qty=line.qty, line=line.line_no)
                waiting.append((line, line.qty))
        return ready, waiting
    doc.allocate_lines([(line.line_no, line.qty) for line in lines], now)  # all of them: one step
    row, case, customer, nan = world.recorder.append_row, order.order_id, order.customer, math.nan
    for line in lines:  # Order.record's row, inline
        row((case, "allocate", now, nan, "system", loc, line.sku, line.qty, line.line_no, "sales_order", customer,
             None, nan, nan, nan, nan, None))
    return [(line, line.qty) for line in lines], []


def _allocate(world: World, order: Order, line: SalesLine, qty: float, *, record_backorder: bool = True) -> bool:
    """Reserve ``qty`` of the line if the book shows it available; else (optionally) backorder it."""
    now = world.env.now
    if world.inventory.try_reserve(line.sku, order.location, qty):
        order.doc.allocate(line.line_no, qty, now)
        order.record(world, "allocate", now, resource="system", sku=line.sku, qty=qty, line=line.line_no)
        return True
    if record_backorder:
        order.doc.backorder(line.line_no, qty, now)
        order.record(world, "backorder", now, resource="system", sku=line.sku, qty=qty, line=line.line_no)
    return False


def backordered_line(world: World, order: Order, line: SalesLine, qty: float) -> Generator[Any, Any, None]:
    """Wait for book stock, then ship ``qty`` of the line on its own."""
    while True:
        yield world.receipt_signal(line.sku, order.location)
        if _allocate(world, order, line, qty, record_backorder=False):
            break
    yield from shipment(world, order, [(line, qty)])


def shipment(world: World, order: Order, lines: list[tuple[SalesLine, float]]) -> Generator[Any, Any, None]:
    """Pick, load, post and deliver ``lines`` (line, allocated quantity) together; bill the order after
    its last shipment."""
    env, loc, doc, case = world.env, order.location, order.doc, order.order_id
    order.shipments += 1
    delivery = f"DL-{case.removeprefix('SO-')}-{order.shipments}"
    work = yield world.team(Role.PICKER, loc).do(world.duration("pick_per_line", len(lines)))
    end, worker, staged = work.end, work.worker, world.staged
    picked: list[tuple[SalesLine, float]] = []
    balance, floor = world.ledgers.balance, math.floor  # the shelf's free stock: World.shelf_free, inline
    picks = [(line, wanted, min(wanted, max(0.0, floor(balance(_PHYSICAL, line.sku, loc)
                                                        - staged.get((line.sku, loc), 0.0)))))
             for line, wanted in lines]
    doc.pick_lines([(line.line_no, qty) for line, _, qty in picks], end, worker)  # shortfalls back to backordered
    for line, wanted, qty in picks:
        short = wanted - qty
        if short > 0:  # the book promised stock the shelf does not have
            world.inventory.release(line.sku, loc, short)
            order.record(world, "backorder", end, resource=worker, sku=line.sku, qty=short, line=line.line_no)
            order.open_shipments += 1
            world.start(backordered_line(world, order, line, short))
        if qty > 0:
            staged[(line.sku, loc)] = staged.get((line.sku, loc), 0.0) + qty
            picked.append((line, qty))
    nan, customer, row = math.nan, order.customer, world.recorder.append_row  # Order.record's rows, inline
    row((case, "pick", end, work.start, worker, loc, None, nan, None, "sales_order", customer, None, nan, nan, nan,
         nan, delivery))
    if not picked:
        order.open_shipments -= 1
        return

    clerks = world.team(Role.WAREHOUSE_CLERK, loc)
    postings = [Posting(f"{case}/{line.line_no}/{delivery}", case, line.sku, qty, loc, _ISSUE, line.line_no, doc,
                        delivery, line.unit_price) for line, qty in picked]
    decision = PostingDecision(world, _ISSUE, loc, postings, clerks, doc)  # posted first, or loaded unposted
    work = yield world.team(Role.DRIVER, loc).do(world.duration("load"), on_start=decision)
    plan = decision.plan
    world.physical_moves(postings, work.end, work.worker, doc)
    release = world.inventory.release
    for p in postings:
        staged[(p.sku, loc)] -= p.qty
        release(p.sku, loc, p.qty)
    world.post_later([p for p in postings if p.posted_at != p.posted_at], plan, clerks, doc)  # not posted (NaN)
    yield env.timeout(world.duration("drive"))
    # an earlier truck of the same order may have delivered this shipment's lines with its own
    undelivered = doc.loaded_undelivered_qty
    now = env.now
    for line, _ in picked:
        if undelivered(line.line_no) > 0:
            doc.deliver(now, work.worker)
            break
    row((case, "deliver", now, work.end, work.worker, loc, None, nan, None, "sales_order", customer, None, nan, nan,
         nan, nan, delivery))
    if world.returns_on:
        returns_after_delivery(world, order, picked)
    order.open_shipments -= 1
    if order.open_shipments == 0:
        # billing waits weeks for the payment in this frame: let go of the shipment's own objects now,
        # while they are fresh, not when the customer pays (freeing cold memory then costs far more)
        lines = picks = picked = postings = decision = plan = p = work = None
        yield from billing(world, order)


def billing(world: World, order: Order) -> Generator[Any, Any, None]:
    """Invoice what was delivered; the customer pays after their usual number of days."""
    env, doc = world.env, order.doc
    work = yield world.team(Role.ACCOUNTANT).do(world.duration("invoice"))
    doc.invoice(work.end, work.worker)
    amount = doc.invoiced_amount
    if amount <= 0:
        return
    nan, row = math.nan, world.recorder.append_row  # Order.record's rows, inline
    row((order.order_id, "invoice", work.end, work.start, work.worker, order.location, None, nan, None, "sales_order",
         order.customer, None, amount, nan, nan, nan, None))
    pay_days = order.account.pay_days
    days = pay_days.low + (pay_days.high - pay_days.low) * world.u_payment()  # uniform on the customer's range
    paid = world.office.next_open(env.now + days * 24)
    yield env.timeout(paid - env.now)
    world.exposure[order.customer] -= order.amount
    due = doc.amount_due  # the invoice less any credit note for goods sent back
    if due > 0:
        doc.pay(env.now, due, "bank")
        row((order.order_id, "payment", env.now, nan, "bank", order.location, None, nan, None, "sales_order",
             order.customer, None, due, nan, nan, nan, None))
