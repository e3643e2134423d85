"""A bare SimPy model of the world's order flow: the yardstick for ``simulate_year`` (run_all.py).

The same processes, steps, staff, shift calendars, hand-offs, durations and random draws as
``jxcsim.world`` (sales.py, purchasing.py, counts.py, teams.py, model.py), with the state kept
in plain dicts of floats and nothing else: no ``jxcsim.engine`` (no ledgers, no documents, no
state machines, no checks), no event log (each step the world would record only adds one to an
integer), no ids or resource names. Parameters come from the :class:`Scenario` object; shift
calendars (``jxcsim.world.shifts``), distributions and their batched streams
(``jxcsim.world.distributions``), the order draws (``jxcsim.world.demand.OrderDraws``: a week of
arrivals, customers and lines at a time) and the catalogue (``build_catalogue``: SKUs, prices,
customers, drawn once before the run) are reused because they are data, not the engine, and so
is the world's memory policy for a run (``jxcsim.world.memory_policy.run_memory``: the garbage
collector's settings and numpy's huge-page hint; both run under the same settings).

It draws from the random generator in the same order as the world, so with the same scenario
and seed it simulates the same orders, holds, shipments, receipts and counts, and processes the
same number of SimPy events: the difference in time is what the engine, the documents and the
log cost. ``run_all.py --only simulate_year`` measures both.

    >>> from jxcsim.world.scenario import load_scenario                     # doctest: +SKIP
    >>> bare = run_bare(load_scenario(YEAR_SCENARIO), weeks=52, seed=1)   # doctest: +SKIP
    >>> bare.orders, bare.simpy_events, bare.log_events                     # doctest: +SKIP

Every part of the world's flow is modelled: besides the orders, purchasing and counts, scan-to-ship,
the posting deadline (alerts, escalations, the clerk's response), customer returns (with their
credit notes and refunds, the order's money kept as plain floats), transfers between locations
(reserved at the source, on order then in transit at the destination, each leg posted or not),
push notifications, digests, the credit fast track, the evening pick shift and the clean world,
each checked against the world (``tests/test_benchmark_bare_flow.py``: the baseline with each
overlay, variants of the deadline, returns and transfers, and an example scenario with all of
them); (r, Q) policies are modelled but unchecked.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import simpy
from simpy.core import EmptySchedule, StopSimulation
from simpy.events import URGENT, Event

from jxcsim.world.catalogue import PurchaseCosts, build_catalogue
from jxcsim.world.demand import OrderDraws
from jxcsim.world.distributions import uniform_stream
from jxcsim.world.memory_policy import run_memory  # the world's GC and huge-page settings for a run
from jxcsim.world.planted import workday_start  # the hour each warehouse's day starts (no engine)
from jxcsim.world.scenario import WAREHOUSE_ROLES, Movement, ReorderPolicyKind, Role, Scenario
from jxcsim.world.shifts import (HOURS_PER_WEEK, WeeklyCalendar, count_times, hour_of, office_weekdays, release_time,
                                  weekday_of)
from jxcsim.world.streams import named_streams
from jxcsim.world.teams import Team  # the world's worker pattern (simpy only, no engine)
from jxcsim.world.transfer_plan import plan_transfers  # the transfer review's rule (no engine)

YEAR_SCENARIO = Path(__file__).resolve().parent / "scenarios" / "year_4000.yaml"  # 4,000 orders a month, staffed
P_CREDIT_REJECT = 0.05  # as jxcsim.world.sales
ADJUST_AFTER_H = 0.5  # as jxcsim.world.counts
ALERT_RESPONSE_H = 0.5  # as jxcsim.world.model (a test checks they agree)
DAY_H = 24.0


class _Decision:
    """A Team ``on_start`` callback: the posting plan at the movement's time; posted first at the start."""

    __slots__ = ("clerks", "flow", "location", "movement", "plan", "postings")

    def __init__(self, flow: BareFlow, movement: Movement, location: str, postings: list[_Posting], clerks: Team):
        self.flow, self.movement, self.location, self.postings = flow, movement, location, postings
        self.clerks = clerks
        self.plan: tuple[bool, float, bool, bool, bool] | None = None

    def __call__(self, work: Any) -> None:
        plan = self.flow.posting_plan(self.movement, self.location, work.end)
        if plan[0] and not self.clerks.on_shift(work.start):  # no clerk to post first: moved unposted
            plan = (False, *plan[1:])
        self.plan = plan
        if plan[0]:  # posted before the goods move
            for p in self.postings:
                self.flow.book_move(p)


# ------------------------------------------------------------------------------ counting SimPy loop

class CountingEnvironment(simpy.Environment):
    """``simpy.Environment`` whose ``run(until=<time>)`` counts the events it processes (``step()`` calls).

    The loop is SimPy 4.1's own ``run`` for a numeric ``until`` (the stop event scheduled URGENT
    at ``until``) with one integer addition per step, so it costs what ``run`` costs. Both the
    world (patched in by :func:`simulate_counting`) and the bare model run on it.
    """

    def __init__(self, initial_time: float = 0) -> None:
        super().__init__(initial_time)
        self.steps = 0

    def run(self, until: Any = None) -> Any:
        if until is None or isinstance(until, Event):
            raise TypeError("CountingEnvironment only runs to a time")
        at = until if isinstance(until, int) else float(until)
        if at <= self.now:
            raise ValueError(f"until ({at}) must be greater than the current simulation time")
        stop = Event(self)
        stop._ok = True  # as simpy.Environment.run does
        stop._value = None
        self.schedule(stop, URGENT, at - self.now)
        stop.callbacks.append(StopSimulation.callback)
        step = self.step
        n = 0
        try:
            while True:
                n += 1
                step()
        except StopSimulation as exc:
            return exc.args[0]
        except EmptySchedule:
            n -= 1  # that call found nothing to process
            raise RuntimeError(f'No scheduled events left but "until" event was not triggered: {stop}') from None
        finally:
            self.steps += n


def simulate_counting(scenario: Scenario, *, weeks: int, seed: int) -> tuple[Any, int]:
    """``jxcsim.world.simulate.simulate`` on a :class:`CountingEnvironment`: (result, SimPy events processed).

    ``simpy.Environment`` is swapped for the duration of the call only (the world builds its
    environment as ``simpy.Environment()``); nothing in ``jxcsim`` is edited.
    """
    from jxcsim.world.simulate import simulate

    envs: list[CountingEnvironment] = []

    class _Env(CountingEnvironment):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            envs.append(self)

    original = simpy.Environment
    simpy.Environment = _Env  # type: ignore[misc]
    try:
        result = simulate(scenario, weeks=weeks, seed=seed)
    finally:
        simpy.Environment = original  # type: ignore[misc]
    assert len(envs) == 1, f"the world built {len(envs)} environments"
    return result, envs[0].steps


# ------------------------------------------------------------------------------------- the model

class _Order:
    __slots__ = ("customer", "location", "skus", "qtys", "prices", "amount", "delivered", "open_shipments", "state",
                 "invoiced", "credited", "paid", "refunded")

    def __init__(self, customer: Any, location: str, lines: list[tuple[Any, float]]):
        self.customer = customer
        self.location = location
        self.skus = [s.sku for s, _ in lines]
        self.qtys = [q for _, q in lines]
        self.prices = [s.price for s, _ in lines]
        self.amount = sum(q * s.price for s, q in lines)
        self.delivered = [0.0] * len(lines)
        self.open_shipments = 0
        self.state = "open"  # then "invoiced", "paid" (the sales order's states that returns read)
        self.invoiced = self.credited = self.paid = self.refunded = 0.0

    def covered(self) -> bool:
        """Payments and credits settle the invoice (the engine's ``covers``)."""
        due = self.invoiced
        return self.paid + self.credited >= due - 1e-9 * max(1.0, abs(due))

    def credit_balance(self) -> float:
        """What the engine's ``SalesOrder.credit_balance`` gives: owed back once paid."""
        if self.state != "paid":
            return 0.0
        over = self.paid + self.credited - self.invoiced - self.refunded
        return over if not 0.0 >= over - 1e-9 * max(1.0, abs(over)) else 0.0


class _Posting:
    __slots__ = ("key", "qty", "receipt", "moved_at", "posted")

    def __init__(self, key: tuple[str, str], qty: float, receipt: bool):
        self.key, self.qty, self.receipt = key, qty, receipt
        self.moved_at = math.nan
        self.posted = False


@dataclass
class BareResult:
    """What a bare run simulated: orders, SimPy events processed, the log events the world would write."""

    weeks: int
    seed: int
    orders: int
    simpy_events: int
    log_events: int
    steps: dict[str, int] = field(default_factory=dict)  # log events per world semantic


class BareFlow:
    """The world's processes on plain dicts (see the module docstring)."""

    def __init__(self, scenario: Scenario, *, weeks: int, seed: int):
        self.sc = scenario
        self.seed = seed
        rule = scenario.rules.posting_deadline  # (hours, escalate_after_h, locations or None: all), or None: off
        self.deadline = (rule.hours, rule.escalate_after_h, None if rule.locations is None else frozenset(
            rule.locations)) if rule.enabled else None
        stream = named_streams(np.random.default_rng(seed))  # the world's streams, by the same names
        self.orders_rng = stream("orders")
        self.lead_rng, self.supplier_invoice_rng, self.supplier_payment_rng = (
            stream(f"purchasing {what}") for what in ("lead time", "invoice days", "payment days"))
        self.horizon_h = weeks * HOURS_PER_WEEK
        self.env = env = CountingEnvironment()
        self.skus, self.customers = build_catalogue(scenario)
        self.purchase_cost = PurchaseCosts(scenario, self.skus).at  # the price list in effect
        self.locations = list(scenario.locations)
        self.day_start = {loc: workday_start(scenario, loc) for loc in self.locations}  # as the world's
        self.calendars = {n: WeeklyCalendar.from_days(s.days, s.start, s.end) for n, s in scenario.shifts.items()}
        self.office = self.calendars.get("office") or next(iter(self.calendars.values()))
        self.business_days = office_weekdays(scenario.shifts)
        members: dict[tuple[Role, str | None], list[tuple[str, WeeklyCalendar]]] = {}
        for name, m in scenario.staff.items():
            if m.enabled:
                members.setdefault((m.role, m.location if m.role in WAREHOUSE_ROLES else None), []).append(
                    (name, WeeklyCalendar.of_member(scenario.shifts[m.shift], m.absent_weekdays)))
        self.teams = {key: Team(env, key[0].value, people) for key, people in members.items()}
        d = scenario.durations  # each duration a stream of draws from its own generator, as the world's

        def duration(name: str, work: str | None = None):
            return getattr(d, name).stream(stream(f"duration {name}" + (f" {work}" if work else "")))

        self.d_check, self.d_approval, self.d_pick, self.d_load, self.d_drive = (
            duration(n) for n in ("credit_check", "credit_approval", "pick_per_line", "load", "drive"))
        self.d_invoice, self.d_po_create, self.d_po_approve = (
            duration(n) for n in ("invoice", "po_create", "po_approve"))
        self.d_unload, self.d_supplier_invoice = duration("unload", "purchasing"), duration("invoice", "purchasing")
        self.u_credit, self.u_payment, self.u_returns, self.u_transfers = (
            uniform_stream(stream(f"decisions {kind}")) for kind in ("credit", "payment", "returns", "transfers"))
        self.returns_on = scenario.returns.enabled
        if self.returns_on:
            self.d_return_approval, self.d_return_unload, self.d_credit_note = (
                duration("return_approval", "returns"), duration("unload", "returns"), duration("invoice", "returns"))
        if scenario.transfers.enabled:
            self.d_transfer_pick, self.d_transfer_load, self.d_transfer_unload = (
                duration(n, "transfers") for n in ("pick_per_line", "load", "unload"))
        self.refund_pending: set[_Order] = set()  # orders with a refund queued (the world's, by order id)
        # habits as (behaviour, delay sampler, next workday?, movement, locations or None, weekdays, low, high)
        self.habits = []  # a habit past midnight: two windows, one sampler (as the world does)
        for name, h in scenario.posting.habits.items():
            if h.enabled:
                delays = h.delay_h.stream(stream(f"habit {name} delay"))
                decide = uniform_stream(stream(f"habit {name} decisions"))
                places = None if h.locations is None else set(h.locations)
                self.habits += [(h, delays, h.post_at == "next_workday", decide, h.movement, places, set(days), low,
                                 high) for days, low, high in h.windows()]
        posting = scenario.posting
        self.default_posting = {m: (b, b.delay_h.stream(stream(f"posting {m.value} delay")), False,
                                    uniform_stream(stream(f"posting {m.value} decisions")))
                                for m, b in ((Movement.ISSUE, posting.issue), (Movement.RECEIPT, posting.receipt))}
        # state: plain dicts keyed by (sku, location)
        self.book: dict[tuple[str, str], float] = {}
        self.physical: dict[tuple[str, str], float] = {}
        self.reserved: dict[tuple[str, str], float] = {}
        self.on_order: dict[tuple[str, str], float] = {}
        self.in_transit: dict[tuple[str, str], float] = {}  # transfers on their way (from the out leg's posting)
        self.staged: dict[tuple[str, str], float] = {}
        # the postings with one side done (moved or posted), per key: what a count sets aside or reviews
        # (the world reads it off Ledgers.open_movements)
        self.half_done: dict[tuple[str, str], dict[_Posting, None]] = {}
        self.exposure = {c.customer: 0.0 for c in self.customers}
        self.signals: dict[tuple[str, str], simpy.Event] = {}
        self.orders = 0
        self.log_events = 0
        self.steps: dict[str, int] = {}

    def team(self, role: Role, location: str | None = None) -> Team:
        return self.teams[(role, location if role in WAREHOUSE_ROLES else None)]

    def log(self, semantic: str, n: int = 1) -> None:
        """Where the world records an event: count it."""
        self.log_events += n
        self.steps[semantic] = self.steps.get(semantic, 0) + n

    # --- set-up and run ---------------------------------------------------------------------------
    def daily_demand(self) -> dict[tuple[str, str], float]:
        """Expected units per day of each SKU at each location (the world's formula)."""
        demand = self.sc.demand
        orders_per_day = demand.orders_per_week / 7
        cust_w = [c.order_weight for c in self.customers]
        per_factor = {f: demand.qty_per_line.expected(f) for f in {c.qty_factor for c in self.customers}}
        per_line = sum(w * per_factor[c.qty_factor] for w, c in zip(cust_w, self.customers, strict=True)) / sum(cust_w)
        sku_total = sum(s.demand_weight for s in self.skus)
        weights = {loc: demand.location_weight(loc) for loc in self.locations}
        loc_total = sum(weights.values())
        out = {}
        for sku in self.skus:
            share = min(1.0, demand.lines_per_order.mean * sku.demand_weight / sku_total)
            for loc in self.locations:
                out[(sku.sku, loc)] = orders_per_day * share * weights[loc] / loc_total * per_line
        return out

    def run(self) -> BareResult:
        reorder = self.sc.catalogue.reorder
        self.policy: dict[tuple[str, str], tuple[float, float]] = {}
        for key, rate in self.daily_demand().items():
            qty = math.ceil(rate * self.sc.catalogue.initial_cover_days)
            if qty > 0:
                self.physical[key] = self.book[key] = float(qty)
            point = math.ceil(rate * reorder.reorder_point_days)
            size = max(1, math.ceil(rate * reorder.order_up_to_days))
            self.policy[key] = (point, max(point, size)) if reorder.policy is ReorderPolicyKind.S_S else (point, size)
        self.env.process(self.arrivals())
        self.env.process(self.reorder_review())
        if self.sc.transfers.enabled:
            self.env.process(self.transfer_review())
        if self.sc.counts.enabled:
            self.env.process(self.stock_counts())
        weeks = int(self.horizon_h // HOURS_PER_WEEK)
        with run_memory() as held:  # as simulate() does: one run() per week, under the same memory settings
            for week in range(weeks):
                self.env.run(until=(week + 1) * HOURS_PER_WEEK)
                held.checkpoint()
        return BareResult(weeks=weeks, seed=self.seed, orders=self.orders, simpy_events=self.env.steps,
                          log_events=self.log_events, steps=dict(sorted(self.steps.items())))

    # --- hand-offs and postings -------------------------------------------------------------------
    @staticmethod
    def seen_at(release: Any, t: float, *, push: bool = False, cutoff: float | None = None,
                day_start: float = 0.0) -> float:
        return release_time(release.times, t, push=push or release.mode == "push", cutoff=cutoff, day_start=day_start)

    def posting_plan(self, movement: Movement, location: str, t: float) -> tuple[bool, float, bool, bool, bool]:
        """(post_first, delay_h, never, at_scan, next_workday), drawn as the world draws it."""
        scan = self.sc.rules.scan_to_ship
        if movement is Movement.ISSUE and scan.enabled and (scan.locations is None or location in scan.locations):
            return False, 0.0, False, True, False
        behaviour: Any
        behaviour, delay, next_workday, decide = self.default_posting[movement]
        weekday, hour = weekday_of(t), hour_of(t)
        for habit, habit_delay, habit_next_workday, habit_decide, kind, locations, weekdays, low, high in self.habits:
            if (kind is movement and (locations is None or location in locations) and weekday in weekdays
                    and low <= hour < high):
                behaviour, delay, next_workday, decide = habit, habit_delay, habit_next_workday, habit_decide
                break
        first, lost = decide(), decide()  # as the world: two draws whatever the decision
        post_first = first >= behaviour.p_move_before_post
        never = (not post_first) and lost < behaviour.p_never
        return post_first, delay(), never, False, next_workday

    def decision(self, movement: Movement, location: str, postings: list[_Posting], clerks: Team) -> _Decision:
        """The world's ``PostingDecision``: the plan drawn as the goods' mover starts, posted first then."""
        return _Decision(self, movement, location, postings, clerks)

    def post_time(self, plan: tuple[bool, float, bool, bool, bool], clerks: Team, moved_at: float) -> float:
        _, delay, _, at_scan, next_workday = plan
        if at_scan:
            return moved_at
        if next_workday:  # the next of the office's working days
            return clerks.next_on_shift(self.office.next_day_open(moved_at, self.business_days))
        return clerks.next_on_shift(moved_at + delay)

    def signal(self, key: tuple[str, str]) -> simpy.Event:
        event = self.signals.get(key)
        if event is None or event.triggered:
            event = self.signals[key] = self.env.event()
        return event

    def book_move(self, p: _Posting) -> None:
        if p.posted:
            return
        p.posted = True
        self.one_side_done(p, p.moved_at == p.moved_at)  # moved: not NaN
        if p.receipt:
            self.book[p.key] = self.book.get(p.key, 0.0) + p.qty
            self.log("book_receipt")
            self.on_order[p.key] -= p.qty
            self.signal(p.key).succeed()
        else:
            self.book[p.key] = self.book.get(p.key, 0.0) - p.qty
            self.log("book_issue")

    def physical_move(self, p: _Posting) -> None:
        self.physical[p.key] = self.physical.get(p.key, 0.0) + (p.qty if p.receipt else -p.qty)
        self.one_side_done(p, p.posted)
        p.moved_at = self.env.now
        self.log("physical_receipt" if p.receipt else "physical_issue")

    def one_side_done(self, p: _Posting, other_done: bool) -> None:
        """A side of ``p`` is done: it is half done now, or done (``other_done``)."""
        if other_done:
            del self.half_done[p.key][p]
        else:
            self.half_done.setdefault(p.key, {})[p] = None

    @staticmethod
    def book_less_physical(p: _Posting) -> float:
        """What a half-done ``p`` adds to book - physical at its key (Ledgers' open movement)."""
        moved = p.moved_at == p.moved_at
        if p.receipt:
            return -p.qty if moved else p.qty
        return p.qty if moved else -p.qty

    def post_later(self, postings: list[_Posting], plan: tuple[bool, float, bool, bool, bool], clerks: Team) -> None:
        """Post what moved together now: at once, or at the planned time (one timeout for all); the
        posting deadline watches each posting where it applies."""
        env = self.env
        if self.deadline is not None:
            places = self.deadline[2]
            for p in postings:
                if places is None or p.key[1] in places:
                    env.process(self.watch_deadline(p, clerks))
        if plan[2] or not postings:  # never posted
            return
        when = self.post_time(plan, clerks, env.now)
        if when > env.now:
            env.timeout(when - env.now).callbacks.append(lambda _: self.post_all(postings))
        else:
            self.post_all(postings)

    def post_all(self, postings: list[_Posting]) -> None:
        for p in postings:
            self.book_move(p)

    def watch_deadline(self, p: _Posting, clerks: Team) -> Generator[Any, Any, None]:
        """The world's posting deadline for ``p``: an alert when it is still unposted ``hours`` after the
        goods moved, an escalation at ``escalate_after_h`` if that comes before a clerk responds, and the
        clerk's posting (the world's ``World._deadline``)."""
        env = self.env
        hours, escalate_after_h, _ = self.deadline
        yield env.timeout(max(0.0, p.moved_at + hours - env.now))
        if p.posted:
            return
        self.log("alert")
        respond_at = clerks.next_on_shift(env.now + ALERT_RESPONSE_H)
        escalate_at = None if escalate_after_h is None else p.moved_at + escalate_after_h
        if escalate_at is not None and escalate_at < respond_at:
            yield env.timeout(max(0.0, escalate_at - env.now))
            if p.posted:
                return
            self.log("escalation")
            respond_at = min(respond_at, clerks.next_on_shift(env.now + ALERT_RESPONSE_H))
        yield env.timeout(max(0.0, respond_at - env.now))
        self.book_move(p)

    # --- sales ------------------------------------------------------------------------------------
    def arrivals(self) -> Generator[Any, Any, None]:
        """The world's order arrivals: the orders of each week drawn at its start (``OrderDraws``)."""
        env, rng = self.env, self.orders_rng
        draws = OrderDraws(self.sc.demand, self.customers, self.locations, self.skus)
        week = 0
        while week < self.horizon_h:
            end = min(week + HOURS_PER_WEEK, self.horizon_h)
            for t, customer, location, lines in draws.between(rng, int(week), int(math.ceil(end))):
                if t > env.now:
                    yield env.timeout(t - env.now)
                self.orders += 1
                env.process(self.sales_order(_Order(customer, location, lines)))
            week += HOURS_PER_WEEK
            if week < self.horizon_h and week > env.now:
                yield env.timeout(week - env.now)

    def sales_order(self, o: _Order) -> Generator[Any, Any, None]:
        env, sc = self.env, self.sc
        self.log("order_received")
        if self.sc.rules.notifications.pushes(o.location):
            self.log("notification")
        yield self.team(Role.SALES).do(self.d_check())
        self.log("credit_check")
        credit = sc.rules.credit
        fast = credit.fast_track_below is not None and o.amount < credit.fast_track_below
        held = ((credit.review_threshold is not None and o.amount > credit.review_threshold and not fast)
                or (credit.use_credit_limit and o.customer.credit_limit is not None
                    and self.exposure[o.customer.customer] + o.amount > o.customer.credit_limit))
        if held:
            self.log("credit_hold")
            seen = self.seen_at(sc.handoffs.to_credit_approver, env.now)
            digests = sc.rules.notifications.digest_times
            digest = self.seen_at(_Batch(digests), env.now) if digests else math.inf
            if digest < seen:  # a digest tells the approver first
                seen = digest
                self.log("notification")
            yield env.timeout(seen - env.now)
            yield self.team(Role.CREDIT_APPROVER).do(self.d_approval())
            if self.u_credit() < P_CREDIT_REJECT:
                self.log("credit_rejected")
                return
            self.log("credit_approved")
        self.exposure[o.customer.customer] += o.amount
        push = sc.rules.notifications.pushes(o.location)
        seen = self.seen_at(sc.handoffs.to_warehouse, env.now, push=push, cutoff=sc.handoffs.order_cutoff,
                            day_start=self.day_start[o.location])
        yield env.timeout(seen - env.now)
        ready, waiting = [], []
        for i, qty in enumerate(o.qtys):
            (ready if self.allocate(o, i, qty) else waiting).append((i, qty))
        o.open_shipments += len(waiting) + (1 if ready else 0)
        for i, qty in waiting:
            env.process(self.backordered_line(o, i, qty))
        if ready:  # the first shipment in the order's process, as the world does
            yield from self.shipment(o, ready)

    def allocate(self, o: _Order, i: int, qty: float, *, record_backorder: bool = True) -> bool:
        key = (o.skus[i], o.location)
        reserved = self.reserved.get(key, 0.0)
        if self.book.get(key, 0.0) - reserved >= qty:
            self.reserved[key] = reserved + qty
            self.log("allocate")
            return True
        if record_backorder:
            self.log("backorder")
        return False

    def backordered_line(self, o: _Order, i: int, qty: float) -> Generator[Any, Any, None]:
        key = (o.skus[i], o.location)
        while True:
            yield self.signal(key)
            if self.allocate(o, i, qty, record_backorder=False):
                break
        yield from self.shipment(o, [(i, qty)])

    def shipment(self, o: _Order, lines: list[tuple[int, float]]) -> Generator[Any, Any, None]:
        env, loc = self.env, o.location
        yield self.team(Role.PICKER, loc).do(self.d_pick() * len(lines))
        picked = []
        for i, wanted in lines:
            key = (o.skus[i], loc)
            free = self.physical.get(key, 0.0) - self.staged.get(key, 0.0)
            qty = min(wanted, max(0.0, math.floor(free)))
            short = wanted - qty
            if short > 0:  # the book promised stock the shelf does not have
                self.reserved[key] -= short
                self.log("backorder")
                o.open_shipments += 1
                env.process(self.backordered_line(o, i, short))
            if qty > 0:
                self.staged[key] = self.staged.get(key, 0.0) + qty
                picked.append((i, qty))
        self.log("pick")
        if not picked:
            o.open_shipments -= 1
            return
        clerks = self.team(Role.WAREHOUSE_CLERK, loc)
        postings = [_Posting((o.skus[i], loc), qty, False) for i, qty in picked]
        decision = self.decision(Movement.ISSUE, loc, postings, clerks)
        yield self.team(Role.DRIVER, loc).do(self.d_load(), on_start=decision)
        plan = decision.plan
        for p in postings:
            self.physical_move(p)
            self.staged[p.key] -= p.qty
            self.reserved[p.key] -= p.qty
        self.post_later([p for p in postings if not p.posted], plan, clerks)
        yield env.timeout(self.d_drive())
        for i, qty in picked:
            o.delivered[i] += qty
        self.log("deliver")
        if self.returns_on:  # the world's returns_after_delivery
            for i, qty in picked:
                if self.u_returns() < self.sc.returns.p_line:
                    env.process(self.customer_return(o, i, qty))
        o.open_shipments -= 1
        if o.open_shipments == 0:  # billed in the process of the order's last shipment
            yield from self.billing(o)

    def billing(self, o: _Order) -> Generator[Any, Any, None]:
        env = self.env
        yield self.team(Role.ACCOUNTANT).do(self.d_invoice())
        o.invoiced = amount = sum([q * p for q, p in zip(o.delivered, o.prices)])
        o.state = "invoiced"
        if amount <= 0:
            return
        self.log("invoice")
        pay = o.customer.pay_days
        days = pay.low + (pay.high - pay.low) * self.u_payment()
        paid = self.office.next_open(env.now + days * 24)
        yield env.timeout(paid - env.now)
        self.exposure[o.customer.customer] -= o.amount
        due = max(0.0, o.invoiced - o.credited - o.paid) if o.state == "invoiced" else 0.0  # less any credit note
        if due > 0:
            o.paid += due
            if o.covered():
                o.state = "paid"
            self.log("payment")

    # --- returns ----------------------------------------------------------------------------------
    def customer_return(self, o: _Order, i: int, delivered: float) -> Generator[Any, Any, None]:
        """The world's ``customer_return``: asked, approved above the threshold, back, unloaded, posted (or
        never), then credited on the order."""
        env, rules, loc, u = self.env, self.sc.returns, o.location, self.u_returns
        days = max(1, round(rules.after_days.at(u())))
        ask = self.office.next_open(env.now + days * DAY_H)
        yield env.timeout(ask - env.now)
        qty = float(min(delivered, max(1, math.floor(delivered * rules.share.at(u())))))
        amount = round(qty * o.prices[i], 2)
        self.log("return_requested")
        if rules.approval_threshold is not None and amount > rules.approval_threshold:
            yield self.team(Role.SALES).do(self.d_return_approval())
            self.log("return_approved")
        receiving = self.calendars[self.sc.purchasing.receiving_shift]
        arrive = receiving.next_open(env.now + rules.transit_days.at(u()) * DAY_H)
        yield env.timeout(arrive - env.now)
        clerks = self.team(Role.WAREHOUSE_CLERK, loc)
        yield clerks.do(self.d_return_unload())
        p = _Posting((o.skus[i], loc), qty, True)  # as a receipt: the shelf first, the book later
        self.physical[p.key] = self.physical.get(p.key, 0.0) + qty
        self.one_side_done(p, False)
        p.moved_at = env.now
        self.log("return_physical_in")
        if u() < self.sc.posting.receipt.p_never:
            return
        posted = clerks.next_on_shift(env.now + self.default_posting[Movement.RECEIPT][1]())
        yield env.timeout(max(0.0, posted - env.now))
        p.posted = True
        self.one_side_done(p, True)
        self.book[p.key] = self.book.get(p.key, 0.0) + qty
        self.log("return_book_in")
        self.signal(p.key).succeed()  # backordered lines may take it now
        yield from self.credit_note(o, amount)

    def credit_note(self, o: _Order, return_amount: float) -> Generator[Any, Any, None]:
        """The world's ``credit_note``: once the order is invoiced, the accountant credits the return; money
        the customer had already paid is refunded in a task of its own."""
        env = self.env
        while o.state == "open":  # the order's last shipment is still out: look again tomorrow
            if env.now + DAY_H > self.horizon_h:
                return
            yield env.timeout(DAY_H)
        yield self.team(Role.ACCOUNTANT).do(self.d_credit_note())
        amount = round(min(return_amount, o.invoiced - o.credited), 2)
        if amount <= 0:
            return
        o.credited += amount
        if o.state == "invoiced" and o.covered():
            o.state = "paid"
        self.log("credit_note")
        if o.credit_balance() > 0 and o not in self.refund_pending:
            self.refund_pending.add(o)  # a credit before this task ends is refunded with it
            yield self.team(Role.ACCOUNTANT).do(self.d_credit_note())
            self.refund_pending.discard(o)
            owed = round(o.credit_balance(), 2)
            if owed > 0:
                o.refunded += owed
                self.log("refund")

    # --- purchasing -------------------------------------------------------------------------------
    def at_reviews(self, weekdays: list[int], clock: float, act: Any) -> Generator[Any, Any, None]:
        """Call ``act`` on each of ``weekdays`` at ``clock`` within the horizon (the world's ``at_reviews``)."""
        env = self.env
        day = 0
        while day * DAY_H < self.horizon_h:
            t = day * DAY_H + clock
            if day % 7 in weekdays and t < self.horizon_h:
                if t > env.now:
                    yield env.timeout(t - env.now)
                act()
            day += 1

    def reorder_review(self) -> Generator[Any, Any, None]:
        """Every review day at the review time: order what fell to its reorder point."""
        env = self.env
        reorder = self.sc.catalogue.reorder
        s_s = reorder.policy is ReorderPolicyKind.S_S

        def review() -> None:
            for loc in self.locations:
                by_supplier: dict[str, list[tuple[Any, float]]] = {}
                for sku in self.skus:
                    key = (sku.sku, loc)
                    position = self.position(key)
                    point, size = self.policy[key]
                    if s_s:
                        qty = float(math.ceil(size - position)) if position <= point and size > 0 else 0.0
                    else:
                        qty = 0.0 if position > point else float(
                            (math.floor(round((point - position) / size, 9)) + 1) * size)
                    if qty > 0:
                        self.on_order[key] = self.on_order.get(key, 0.0) + qty
                        by_supplier.setdefault(sku.supplier, []).append((sku, qty))
                for lines in by_supplier.values():  # one purchase order per supplier
                    env.process(self.purchase_order(loc, lines))

        yield from self.at_reviews(reorder.review_days, reorder.review_time, review)

    def position(self, key: tuple[str, str]) -> float:
        """The inventory position (the engine's ``Inventory.inventory_position``): book - reserved + on order
        + in transit."""
        return (self.book.get(key, 0.0) - self.reserved.get(key, 0.0) + self.on_order.get(key, 0.0)
                + self.in_transit.get(key, 0.0))

    # --- transfers --------------------------------------------------------------------------------
    def transfer_review(self) -> Generator[Any, Any, None]:
        """The world's ``transfer_review``: on each review day, the transfers each SKU needs."""
        rules = self.sc.transfers
        rates = self.daily_demand()

        def review() -> None:
            for sku in self.skus:
                for src, dst, qty in self.planned_transfers(sku.sku, rates):
                    self.reserved[(sku.sku, src)] = self.reserved.get((sku.sku, src), 0.0) + qty
                    self.on_order[(sku.sku, dst)] = self.on_order.get((sku.sku, dst), 0.0) + qty
                    self.env.process(self.transfer(sku.sku, qty, src, dst))

        yield from self.at_reviews(rules.review_days, rules.review_time, review)

    def planned_transfers(self, sku: str, rates: dict[tuple[str, str], float]) -> list[tuple[str, str, float]]:
        """The world's rule (``jxcsim.world.transfer_plan``, no engine) on the plain dicts."""
        locations = self.locations
        return plan_transfers(self.sc.transfers, locations, {loc: rates.get((sku, loc), 0.0) for loc in locations},
                              {loc: self.book.get((sku, loc), 0.0) - self.reserved.get((sku, loc), 0.0)
                               for loc in locations}, lambda loc: self.position((sku, loc)))

    def transfer(self, sku: str, qty: float, src: str, dst: str) -> Generator[Any, Any, None]:
        """The world's ``transfer``: picked and loaded at ``src`` (or cancelled), on the road, unloaded at
        ``dst``; the out leg posted by its own process, the in leg after it (or never)."""
        env, sc, u = self.env, self.sc, self.u_transfers
        at_src, at_dst = (sku, src), (sku, dst)
        self.log("transfer_created")
        yield self.team(Role.PICKER, src).do(self.d_transfer_pick())
        if self.physical.get(at_src, 0.0) - self.staged.get(at_src, 0.0) < qty:  # not on the shelf
            self.reserved[at_src] -= qty
            self.on_order[at_dst] -= qty
            self.log("transfer_cancelled")
            return
        self.staged[at_src] = self.staged.get(at_src, 0.0) + qty
        yield self.team(Role.DRIVER, src).do(self.d_transfer_load())
        self.staged[at_src] -= qty
        self.reserved[at_src] -= qty
        out = _Posting(at_src, qty, False)  # the shelf to @transit: an issue's legs
        self.physical[at_src] -= qty
        self.one_side_done(out, False)
        out.moved_at = env.now
        self.log("transfer_physical_out")
        out_posted = env.event()
        env.process(self.post_transfer_out(out, dst, out_posted))
        receiving = self.calendars[sc.purchasing.receiving_shift]
        arrive = receiving.next_open(env.now + sc.transfers.transit_days.at(u()) * DAY_H)
        yield env.timeout(arrive - env.now)
        clerks = self.team(Role.WAREHOUSE_CLERK, dst)
        yield clerks.do(self.d_transfer_unload())
        into = _Posting(at_dst, qty, True)  # @transit to the shelf: a receipt's legs
        self.physical[at_dst] = self.physical.get(at_dst, 0.0) + qty
        self.one_side_done(into, False)
        into.moved_at = env.now
        self.log("transfer_physical_in")

        def arrived_unposted(event: Any) -> None:  # never posted out: here now, no longer expected
            if not event.value:
                self.on_order[at_dst] -= qty

        if out_posted.triggered:
            arrived_unposted(out_posted)
        else:
            out_posted.callbacks.append(arrived_unposted)
        if u() < sc.posting.receipt.p_never:
            return
        posted = clerks.next_on_shift(env.now + self.default_posting[Movement.RECEIPT][1]())
        yield env.timeout(max(0.0, posted - env.now))
        if not (yield out_posted):  # the out leg never posted: nothing to book in
            return
        into.posted = True
        self.one_side_done(into, True)
        self.book[at_dst] = self.book.get(at_dst, 0.0) + qty
        self.log("transfer_book_in")
        self.in_transit[at_dst] -= qty
        self.signal(at_dst).succeed()

    def post_transfer_out(self, out: _Posting, dst: str, done: simpy.Event) -> Generator[Any, Any, None]:
        """The world's ``_post_out``: the out leg posted as issues are (at the scan where scan-to-ship applies,
        else first or after the usual delay, or never); ``done`` succeeds with whether it was."""
        env, behaviour, scan = self.env, self.sc.posting.issue, self.sc.rules.scan_to_ship
        sku, src = out.key
        if not (scan.enabled and (scan.locations is None or src in scan.locations)):
            u = self.u_transfers
            first = u() >= behaviour.p_move_before_post
            if not first and u() < behaviour.p_never:
                done.succeed(False)
                return
            clerks = self.team(Role.WAREHOUSE_CLERK, src)
            posted = clerks.next_on_shift(env.now if first else env.now + self.default_posting[Movement.ISSUE][1]())
            yield env.timeout(max(0.0, posted - env.now))
        out.posted = True
        self.one_side_done(out, True)
        self.book[out.key] = self.book.get(out.key, 0.0) - out.qty
        self.log("transfer_book_out")
        self.on_order[(sku, dst)] -= out.qty  # expected until now, in transit from now
        self.in_transit[(sku, dst)] = self.in_transit.get((sku, dst), 0.0) + out.qty
        done.succeed(True)

    def purchase_order(self, loc: str, lines: list[tuple[Any, float]]) -> Generator[Any, Any, None]:
        env, sc = self.env, self.sc
        amount = sum(qty * self.purchase_cost(sku, env.now) for sku, qty in lines)
        buyers = self.team(Role.BUYER)
        yield buyers.do(self.d_po_create())
        self.log("po_created")
        threshold = sc.purchasing.approval_threshold
        if threshold is not None and amount >= threshold:
            yield buyers.do(self.d_po_approve())
            self.log("po_approved")
        lead = lines[0][0].lead_time_days
        days = self.lead_rng.uniform(lead.low, lead.high)
        arrive = self.calendars[sc.purchasing.receiving_shift].next_open(env.now + days * DAY_H)
        yield env.timeout(arrive - env.now)
        clerks = self.team(Role.WAREHOUSE_CLERK, loc)
        postings = [_Posting((sku.sku, loc), qty, True) for sku, qty in lines]
        decision = self.decision(Movement.RECEIPT, loc, postings, clerks)
        yield clerks.do(self.d_unload(), on_start=decision)
        for p in postings:
            self.physical_move(p)
        self.post_later([p for p in postings if not p.posted], decision.plan, clerks)
        inv_days = self.supplier_invoice_rng.uniform(sc.purchasing.supplier_invoice_days.low,
                                                     sc.purchasing.supplier_invoice_days.high)
        yield env.timeout(max(0.0, self.office.next_open(env.now + inv_days * DAY_H) - env.now))
        yield self.team(Role.ACCOUNTANT).do(self.d_supplier_invoice())
        self.log("supplier_invoice")
        pay_days = self.supplier_payment_rng.uniform(sc.purchasing.payment_days.low, sc.purchasing.payment_days.high)
        yield env.timeout(max(0.0, self.office.next_open(env.now + pay_days * DAY_H) - env.now))
        self.log("supplier_payment")

    # --- counts -----------------------------------------------------------------------------------
    def stock_counts(self) -> Generator[Any, Any, None]:
        """At each month end, count every SKU (issued goods still on the dock set aside); the difference,
        less what the postings half done at the count settled since, is booked half an hour later."""
        env = self.env
        names = [s.sku for s in self.skus]
        for t in count_times(self.sc.start, self.horizon_h, self.sc.counts.time):
            yield env.timeout(t - env.now)
            for loc in self.sc.counts.locations or self.locations:
                differences = []
                for sku in names:
                    key = (sku, loc)
                    half = list(self.half_done.get(key, ()))
                    aside = sum(p.qty for p in half if p.posted and not p.receipt)  # issued, still on the dock
                    seen = [(p, self.book_less_physical(p)) for p in half if not (p.posted and not p.receipt)]
                    counted = self.physical.get(key, 0.0) - aside
                    differences.append((key, counted - self.book.get(key, 0.0), seen))
                    self.log("count")
                env.process(self.adjust(differences))

    def adjust(self, differences: list[tuple[tuple[str, str], float, list[tuple[_Posting, float]]]]
               ) -> Generator[Any, Any, None]:
        yield self.env.timeout(ADJUST_AFTER_H)
        for key, qty, seen in differences:
            # the review: what the postings half done at the count settled since is not adjusted
            qty += sum(gap for p, gap in seen if p not in self.half_done[key])
            if qty:
                self.book[key] = self.book.get(key, 0.0) + qty
                self.log("adjustment")


@dataclass(frozen=True)
class _Batch:
    """A batch release at ``times`` (the world's digest hand-off)."""

    times: list[float]
    mode: str = "batch"


def run_bare(scenario: Scenario, *, weeks: int, seed: int) -> BareResult:
    """Run the bare flow of ``scenario`` for ``weeks`` weeks with ``default_rng(seed)``."""
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    return BareFlow(scenario, weeks=weeks, seed=seed).run()
