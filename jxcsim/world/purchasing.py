"""Replenishment: a daily reorder review per location, purchase orders, arrivals and their postings.

The review looks at the book (what the system shows): the inventory position is book stock
− reserved + on order + in transit (transfers posted out to the location). Phantom stock left by unposted issues therefore delays reorders, as it
does in the field.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Generator
from typing import Any

from ..engine import PurchaseLine, PurchaseOrder, ReorderPolicy, RqPolicy, SsPolicy
from ..engine.rules import ApprovalRule
from .model import Posting, PostingDecision, World
from .scenario import Movement, ReorderPolicyKind, Role

DAY_H = 24.0
OPENING = "OPEN/"  # the movement id prefix of the opening stock


def daily_demand(world: World) -> dict[tuple[str, str], float]:
    """Expected units per day of each SKU at each location, from the demand model."""
    demand = world.scenario.demand
    orders_per_day = demand.orders_per_week / 7
    mean_lines = demand.lines_per_order.mean
    cust_w = [c.order_weight for c in world.customers]
    per_factor = {f: demand.qty_per_line.expected(f) for f in {c.qty_factor for c in world.customers}}
    # a line's expected quantity, rounded up as drawn (small quantities round up a lot: at least 1 unit)
    per_line = sum(w * per_factor[c.qty_factor] for w, c in zip(cust_w, world.customers, strict=True)) / sum(cust_w)
    sku_total = sum(s.demand_weight for s in world.skus.values())
    weights = {loc: demand.location_weight(loc) for loc in world.locations}
    loc_total = sum(weights.values())
    out = {}
    for sku in world.skus.values():
        share = min(1.0, mean_lines * sku.demand_weight / sku_total)
        for loc in world.locations:
            out[(sku.sku, loc)] = orders_per_day * share * weights[loc] / loc_total * per_line
    return out


def reorder_policies(world: World) -> dict[tuple[str, str], ReorderPolicy]:
    """The reorder policy of each SKU at each location, sized in days of expected demand."""
    reorder = world.scenario.catalogue.reorder
    out: dict[tuple[str, str], ReorderPolicy] = {}
    for key, rate in daily_demand(world).items():
        point = math.ceil(rate * reorder.reorder_point_days)
        size = max(1, math.ceil(rate * reorder.order_up_to_days))
        out[key] = SsPolicy(point, max(point, size)) if reorder.policy is ReorderPolicyKind.S_S else RqPolicy(point, size)
    return out


def opening_stock(world: World) -> None:
    """Book and shelf agree at the start: ``initial_cover_days`` of demand everywhere."""
    from ..engine import SUPPLIER

    cover = world.scenario.catalogue.initial_cover_days
    for (sku, loc), rate in daily_demand(world).items():
        qty = math.ceil(rate * cover)
        if qty > 0:
            world.ledgers.move_physical(sku, qty, SUPPLIER, loc, time=0.0, movement_id=f"{OPENING}{sku}/{loc}")
            world.ledgers.move_book(sku, qty, SUPPLIER, loc, time=0.0, movement_id=f"{OPENING}{sku}/{loc}")


def at_reviews(world: World, weekdays: list[int], clock: float, act: Callable[[], None]) -> Generator[Any, Any, None]:
    """Call ``act`` on each of ``weekdays`` at ``clock`` (local hours) within the run's horizon."""
    env = world.env
    day = 0
    while day * DAY_H < world.horizon_h:
        t = day * DAY_H + clock
        if day % 7 in weekdays and t < world.horizon_h:
            if t > env.now:
                yield env.timeout(t - env.now)
            act()
        day += 1


def reorder_review(world: World) -> Generator[Any, Any, None]:
    """Every review day at the review time, order what fell to its reorder point."""
    reorder = world.scenario.catalogue.reorder
    policies = reorder_policies(world)

    def review() -> None:
        for loc in world.locations:
            by_supplier: dict[str, list[tuple[str, float]]] = defaultdict(list)
            for sku in world.skus.values():
                qty = policies[(sku.sku, loc)].order_qty(world.inventory.inventory_position(sku.sku, loc))
                if qty > 0:
                    world.inventory.add_on_order(sku.sku, loc, qty)
                    by_supplier[sku.supplier].append((sku.sku, qty))
            for supplier, lines in by_supplier.items():
                world.start(purchase_order(world, supplier, loc, lines))

    yield from at_reviews(world, reorder.review_days, reorder.review_time, review)


def purchase_order(world: World, supplier: str, loc: str, lines: list[tuple[str, float]]) -> Generator[Any, Any, None]:
    """Create (and approve) a PO, wait for the goods, receive and post them, settle the invoice."""
    env, sc = world.env, world.scenario
    po = f"PO-{world.ids.next('PO'):06d}"
    cost = world.purchase_costs.at
    doc = PurchaseOrder(po, supplier, loc, [PurchaseLine(i, sku, qty, cost(world.skus[sku], env.now))
                                            for i, (sku, qty) in enumerate(lines, start=1)], created_at=env.now)
    amount = doc.amount

    def record(semantic: str, t: float, **kw: Any) -> None:
        world.recorder.add(po, semantic, t, location=loc, doc_type="purchase_order", supplier=supplier, **kw)

    buyers = world.team(Role.BUYER)
    work = yield buyers.do(world.duration("po_create"))
    record("po_created", work.end, start=work.start, resource=work.worker, amount=amount)
    if ApprovalRule(sc.purchasing.approval_threshold).needs_approval(amount):
        work = yield buyers.do(world.duration("po_approve"))
        doc.approve(work.end, work.worker)
        record("po_approved", work.end, start=work.start, resource=work.worker, amount=amount)
    else:
        doc.approve(env.now)  # below the threshold: approved by the system, nobody records a step

    lead = world.skus[lines[0][0]].lead_time_days
    days = world.lead_rng.uniform(lead.low, lead.high)
    receiving = world.calendars[sc.purchasing.receiving_shift]
    arrive = receiving.next_open(env.now + days * DAY_H)
    yield env.timeout(arrive - env.now)

    clerks = world.team(Role.WAREHOUSE_CLERK, loc)
    postings = [Posting(f"{po}/{line.line_no}", po, line.sku, line.qty, loc, Movement.RECEIPT, line.line_no,
                        document=doc, price=line.unit_cost, supplier=supplier) for line in doc.lines]  # the PO's cost
    # posted first: from the delivery note as the unloading starts
    decision = PostingDecision(world, Movement.RECEIPT, loc, postings, clerks)
    work = yield clerks.do(world.duration("unload", work="purchasing"), on_start=decision)
    world.physical_moves(postings, work.end, work.worker)
    world.post_later([p for p in postings if not p.posted], decision.plan, clerks)
    postings = decision = None  # let go of them now, not cold at the payment weeks later (see sales.shipment)

    inv_days = world.supplier_invoice_rng.uniform(sc.purchasing.supplier_invoice_days.low,
                                                  sc.purchasing.supplier_invoice_days.high)
    yield env.timeout(max(0.0, world.office.next_open(env.now + inv_days * DAY_H) - env.now))
    work = yield world.team(Role.ACCOUNTANT).do(world.duration("invoice", work="purchasing"))
    doc.record_invoice(work.end, work.worker)
    record("supplier_invoice", work.end, start=work.start, resource=work.worker, amount=doc.invoiced_amount)
    pay_days = world.supplier_payment_rng.uniform(sc.purchasing.payment_days.low, sc.purchasing.payment_days.high)
    yield env.timeout(max(0.0, world.office.next_open(env.now + pay_days * DAY_H) - env.now))
    payer = world.team(Role.ACCOUNTANT).any_member(env.now)
    doc.pay(env.now, doc.invoiced_amount, payer)
    record("supplier_payment", env.now, resource=payer, amount=doc.invoiced_amount)
