"""Customer returns: some delivered lines come back, approved above a threshold, received and posted.

Each return is its own document (``RT-…``, doc type ``customer_return``) and case in the log:
requested by the customer (a sales clerk on shift takes it, else the web shop), approved by a
sales approver when it is worth more than ``returns.approval_threshold`` (else accepted by the
system, no step), goods back after the transit time in the receiving shift, unloaded by a clerk
(the physical leg: ``@customer`` → the warehouse) and posted as receipts are posted (the book
leg; or never). Book stock coming back releases backordered lines, as a receipt does. A posted
return is credited by the accountant on the order's invoice (a ``credit_note`` in the order's
case), once the order is invoiced; a credit on an order the customer has already paid is paid
back by the accountant's next task (a ``refund`` in the order's case).
Returns are off unless ``returns.enabled``; then they draw from the world's generator too.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from typing import TYPE_CHECKING, Any

from ..engine import CUSTOMER, CustomerReturn, SalesOrderState
from .scenario import Movement, Role

if TYPE_CHECKING:
    from ..engine import SalesLine
    from .model import World
    from .sales import Order

DAY_H = 24.0
_INVOICED = (SalesOrderState.INVOICED, SalesOrderState.PAID)


def returns_after_delivery(world: World, order: Order, lines: list[tuple[SalesLine, float]]) -> None:
    """After a delivery of ``lines`` (line, quantity delivered): start a return for each line the
    customer sends back."""
    rules = world.scenario.returns
    for line, qty in lines:
        if world.u_returns() < rules.p_line:
            world.start(customer_return(world, order, line, qty))


def customer_return(world: World, order: Order, line: SalesLine, delivered: float) -> Generator[Any, Any, None]:
    """One return of part of ``delivered`` units of ``line``, from request to posting."""
    env, rules, loc = world.env, world.scenario.returns, order.location
    u = world.u_returns
    days = max(1, round(rules.after_days.at(u())))  # whole days: asked at about the time of day it came
    ask = world.office.next_open(env.now + days * DAY_H)
    yield env.timeout(ask - env.now)
    qty = float(min(delivered, max(1, math.floor(delivered * rules.share.at(u())))))
    rid = f"RT-{world.ids.next('RT'):06d}"
    amount = round(qty * line.unit_price, 2)
    threshold = rules.approval_threshold
    doc = CustomerReturn(rid, order.customer, loc, line.sku, qty, line.unit_price, created_at=env.now,
                         approval_required=threshold is not None and amount > threshold, order_id=order.order_id)

    def record(semantic: str, t: float, **kw: Any) -> None:
        world.recorder.add(rid, semantic, t, location=loc, sku=line.sku, qty=qty, line=1, doc_type="customer_return",
                           customer=order.customer, price=line.unit_price, **kw)

    sales = world.team(Role.SALES)
    record("return_requested", env.now, resource=sales.member_on_shift(env.now) or "web shop", amount=amount)
    if doc.approval_required:
        work = yield sales.do(world.duration("return_approval", work="returns"))
        doc.approve(work.end, work.worker)
        record("return_approved", work.end, start=work.start, resource=work.worker, amount=amount)
    else:
        doc.accept(env.now)
    receiving = world.calendars[world.scenario.purchasing.receiving_shift]
    arrive = receiving.next_open(env.now + rules.transit_days.at(u()) * DAY_H)
    yield env.timeout(arrive - env.now)

    clerks = world.team(Role.WAREHOUSE_CLERK, loc)
    work = yield clerks.do(world.duration("unload", work="returns"))
    movement = f"{rid}/1"
    world.ledgers.move_physical(line.sku, qty, CUSTOMER, loc, time=work.end, movement_id=movement, doc=rid)
    doc.receive(work.end, work.worker)
    record("return_physical_in", work.end, start=work.start, resource=work.worker)

    behaviour = world.scenario.posting.receipt
    if u() < behaviour.p_never:
        world.never_posted.add(movement)
        return
    posted = clerks.next_on_shift(env.now + world.usual_posting_delay(Movement.RECEIPT))
    yield env.timeout(max(0.0, posted - env.now))
    clerk = clerks.any_member(env.now)
    world.ledgers.move_book(line.sku, qty, CUSTOMER, loc, time=env.now, movement_id=movement, doc=rid)
    doc.post(env.now, clerk)
    record("return_book_in", env.now, resource=clerk)
    world.receipt_signal(line.sku, loc).succeed()  # backordered lines may take it now
    yield from credit_note(world, order, doc, line)


def credit_note(world: World, order: Order, ret: CustomerReturn, line: SalesLine) -> Generator[Any, Any, None]:
    """The accountant credits a booked-in return on the order's invoice (in the order's case, as ERPs
    file a credit memo against its sales order), once the order is invoiced; what is still due
    falls by that much, and an order fully credited needs no payment. On an order already paid the
    credit is owed back, and the accountant refunds it in a task of its own."""
    env, so = world.env, order.doc
    while so.state not in _INVOICED:  # the order's last shipment is still out: look again tomorrow
        if env.now + DAY_H > world.horizon_h:
            return
        yield env.timeout(DAY_H)
    work = yield world.team(Role.ACCOUNTANT).do(world.duration("invoice", work="returns"))
    amount = round(min(ret.amount, so.invoiced_amount - so.credited_amount), 2)
    if amount <= 0:
        return
    so.credit(work.end, amount, work.worker, note=ret.return_id)
    ret.credit(work.end, work.worker)
    order.record(world, "credit_note", work.end, start=work.start, resource=work.worker, sku=line.sku, qty=ret.qty,
                 line=line.line_no, amount=amount)
    if so.credit_balance > 0 and order.order_id not in world.refund_pending:  # the customer had paid: money back
        world.refund_pending.add(order.order_id)  # a credit before this task ends is refunded with it
        work = yield world.team(Role.ACCOUNTANT).do(world.duration("invoice", work="returns"))
        world.refund_pending.discard(order.order_id)
        owed = round(so.credit_balance, 2)
        if owed > 0:
            so.refund(work.end, owed, work.worker, note=ret.return_id)
            order.record(world, "refund", work.end, start=work.start, resource=work.worker, amount=owed)
