"""The world's state and the shared acts every process uses: teams, hand-offs, postings.

Processes live in :mod:`.sales`, :mod:`.purchasing` and :mod:`.counts`; they act only through
the engine (ledgers, inventory) and record each step in the log as it happens.
"""

from __future__ import annotations

import math
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np
import simpy

from ..engine import CUSTOMER, SUPPLIER, Inventory, Ledger, Ledgers
from ..engine.rules import CreditRule, Notifications, PostingDeadline
from .catalogue import Customer, PurchaseCosts, Sku, build_catalogue
from .planted import workday_start
from .distributions import uniform_stream
from .recorder import EventRecorder
from .scenario import WAREHOUSE_ROLES, MissingStaff, Movement, PostingBehaviour, Release, Role, Scenario
from .shifts import HOURS_PER_WEEK, WeeklyCalendar, hour_of, office_weekdays, release_time, weekday_of
from .streams import named_streams
from .teams import Team, Work

ALERT_RESPONSE_H = 0.5  # how long a clerk on shift takes to post after an alert or escalation
_CUSTOMER, _SUPPLIER = str(CUSTOMER), str(SUPPLIER)  # as plain strings, for Ledgers.move_trusted
_PHYSICAL, _BOOK, _ISSUE, _RECEIPT = Ledger.PHYSICAL, Ledger.BOOK, Movement.ISSUE, Movement.RECEIPT  # quick to read
_SEMANTIC = {(True, True): "physical_issue", (False, True): "book_issue", (True, False): "physical_receipt",
             (False, False): "book_receipt"}  # (physical, issue) -> the log's semantic


class PostingPlan(NamedTuple):
    """How one movement will be posted (decided from the habits in force when it happens)."""

    post_first: bool  # the posting precedes the movement (posted as the movement's work starts)
    delay_h: float  # posting delay after the movement (unused when post_first)
    never: bool  # goods move, nobody posts
    at_scan: bool  # scan-to-ship: the system posts at the movement itself
    next_workday: bool  # posted at the next working day's start
    habit: str | None  # the habit that applied, if any


class Posting:
    """A movement waiting for (or done with) its posting in the book ledger.

    ``document`` is the SalesOrder or PurchaseOrder it belongs to (its ``line``), ``delivery``
    the shipment (outbound delivery) it travels in; ``price`` (the SKU's list price) and
    ``supplier`` (on the goods' arrival) are for the log.
    """

    __slots__ = ("case", "delivery", "document", "line", "location", "moved_at", "movement", "movement_id",
                 "posted_at", "price", "qty", "sku", "supplier")

    def __init__(self, movement_id: str, case: str, sku: str, qty: float, location: str, movement: Movement,
                 line: int | None, document: Any = None, delivery: str | None = None, price: float = math.nan,
                 supplier: str | None = None):
        self.movement_id, self.case, self.sku, self.qty, self.location = movement_id, case, sku, qty, location
        self.movement, self.line, self.document, self.delivery = movement, line, document, delivery
        self.price, self.supplier = price, supplier
        self.moved_at = math.nan
        self.posted_at = math.nan

    @property
    def posted(self) -> bool:
        return self.posted_at == self.posted_at  # not NaN


@dataclass
class Counters:
    """Sequence numbers for document ids, per kind."""

    values: dict[str, int] = field(default_factory=dict)

    def next(self, kind: str) -> int:
        self.values[kind] = self.values.get(kind, 0) + 1
        return self.values[kind]


class World:
    """A wholesaler around the engine, in simulated time (hours since the scenario's Monday 00:00)."""

    def __init__(self, scenario: Scenario, rng: np.random.Generator, *, weeks: int):
        self.scenario = scenario
        stream = named_streams(rng)  # a generator per source of randomness (common random numbers; see .streams)
        self._stream = stream
        self.orders_rng = stream("orders")
        # a purchase order's lead time, supplier invoice and payment days, each from its own stream
        self.lead_rng, self.supplier_invoice_rng, self.supplier_payment_rng = (
            stream(f"purchasing {what}") for what in ("lead time", "invoice days", "payment days"))
        # U[0, 1) draws for the world's yes/no and range draws, a stream per kind of decision (each posting
        # behaviour and habit has its own, below)
        self.u_credit, self.u_payment, self.u_returns, self.u_transfers = (
            uniform_stream(stream(f"decisions {kind}")) for kind in ("credit", "payment", "returns", "transfers"))
        self.horizon_h = weeks * HOURS_PER_WEEK
        self.env = simpy.Environment()
        self.ledgers = Ledgers()
        self.inventory = Inventory(self.ledgers)
        skus, customers = build_catalogue(scenario)
        self.skus: dict[str, Sku] = {s.sku: s for s in skus}
        self.customers: list[Customer] = customers
        self._customers = {c.customer: c for c in customers}
        self.purchase_costs = PurchaseCosts(scenario, skus)
        self.locations = list(scenario.locations)
        self.recorder = EventRecorder(scenario.activity_names, epoch_local=str(scenario.start),
                                      timezone=scenario.timezone)
        self.calendars = {name: WeeklyCalendar.from_days(s.days, s.start, s.end) for name, s in scenario.shifts.items()}
        self.office = self.calendars.get("office") or next(iter(self.calendars.values()))
        self.business_days = office_weekdays(scenario.shifts)  # the firm's working days (next-workday postings)
        # the hour each warehouse's day starts: midnight, unless its pickers work around it (a night crew)
        self.day_start = {loc: workday_start(scenario, loc) for loc in self.locations}
        self.teams = self._build_teams()
        # every (role, location) asked for, the office roles at each location too (team() looks here first)
        self._team_at = {**self.teams, **{(role, loc): team for (role, where), team in self.teams.items()
                                          if where is None for loc in self.locations}}
        # each distribution drawn a batch at a time (one numpy call per batch), from its own stream; work
        # other than the sales orders' (purchasing, returns, transfers) draws from a stream of its own too
        self._durations = {name: d.stream(stream(f"duration {name}")) for name, d in scenario.durations}
        self._durations_of: dict[tuple[str, str], Any] = {}
        posting = scenario.posting
        # (behaviour, its delay sampler, posted at the next working day?, its yes/no draws), the habits with
        # their names and where and when they apply: (movement, locations or None, weekdays, from hour, to
        # hour); a habit past midnight is two such windows, next to each other, drawing from one sampler
        self._habits = []
        for name, habit in posting.habits.items():
            if habit.enabled:
                delays = habit.delay_h.stream(stream(f"habit {name} delay"))
                decide = uniform_stream(stream(f"habit {name} decisions"))
                places = None if habit.locations is None else frozenset(habit.locations)
                self._habits += [(name, habit, delays, habit.post_at == "next_workday", decide,
                                  (habit.movement, places, frozenset(days), low, high))
                                 for days, low, high in habit.windows()]
        self._behaviour = {m: (b, b.delay_h.stream(stream(f"posting {m.value} delay")), False,
                               uniform_stream(stream(f"posting {m.value} decisions")))
                           for m, b in ((Movement.ISSUE, posting.issue), (Movement.RECEIPT, posting.receipt))}
        credit = scenario.rules.credit
        self.credit_rule = CreditRule(credit.review_threshold, credit.use_credit_limit, credit.fast_track_below)
        rules = scenario.rules
        deadline = rules.posting_deadline
        self.posting_deadline = PostingDeadline(deadline.hours, deadline.escalate_after_h, deadline.locations) \
            if deadline.enabled else None  # None: no alerts
        self.notifications = Notifications(rules.notifications.push_on_new_order,
                                           tuple(rules.notifications.digest_times))
        self.pushed = frozenset(loc for loc in scenario.locations if rules.notifications.pushes(loc))  # told at once
        self.ids = Counters()
        self.staged: dict[tuple[str, str], float] = {}
        self.exposure: dict[str, float] = {c.customer: 0.0 for c in customers}
        self.stock_arrived: dict[tuple[str, str], simpy.Event] = {}
        self.failure: Exception | None = None
        self.returns_on = scenario.returns.enabled  # read after every delivery
        self.refund_pending: set[str] = set()  # orders with a refund queued at the accountants (one covers all)
        self.never_posted: set[str] = set()  # movement ids the world decided nobody will post (the truth)

    def start(self, process: Generator[Any, Any, Any]) -> simpy.Process:
        """Run ``process`` in the world; an error in it stops the run and is re-raised by :meth:`run`.

        (SimPy would otherwise re-raise a copy rebuilt from the exception's ``args``, losing
        domain errors' details.)
        """
        proc = self.env.process(process)
        proc.callbacks.append(self._ended)
        return proc

    def _ended(self, proc: simpy.Event) -> None:
        if not proc.ok:  # the process raised: keep its error and stop the run
            proc.defused = True
            if self.failure is None:
                self.failure = proc.value
            raise simpy.core.StopSimulation(None)

    def run(self, until: float) -> None:
        """Advance the world to ``until``; re-raise the first error a process hit."""
        if self.failure is None:
            self.env.run(until=until)
        if self.failure is not None:
            raise self.failure

    def customer(self, customer_id: str) -> Customer:
        return self._customers[customer_id]

    # --- staff -------------------------------------------------------------------------------
    def _build_teams(self) -> dict[tuple[Role, str | None], Team]:
        members: dict[tuple[Role, str | None], list[tuple[str, WeeklyCalendar]]] = {}
        for name, m in self.scenario.staff.items():
            if not m.enabled:
                continue
            calendar = WeeklyCalendar.of_member(self.scenario.shifts[m.shift], m.absent_weekdays)
            members.setdefault((m.role, m.location if m.role in WAREHOUSE_ROLES else None), []).append(
                (name, calendar))
        return {key: Team(self.env, key[0].value, people) for key, people in members.items()}

    def team(self, role: Role, location: str | None = None) -> Team:
        """The team of ``role`` (at ``location``, for the warehouse roles); :class:`.scenario.MissingStaff`
        (a LookupError) if there is none."""
        team = self._team_at.get((role, location))
        if team is None:
            team = self.teams.get((role, location if role in WAREHOUSE_ROLES else None))
            if team is None:
                where = f" at {location}" if role in WAREHOUSE_ROLES else ""
                raise MissingStaff(f"staff: the scenario has no {role.value}{where}: add one under staff "
                                   f"(role: {role.value}{', location: ' + location if where else ''})")
        return team

    def usual_posting_delay(self, movement: Movement) -> float:
        """A draw of the usual posting delay of ``movement`` (hours, ``posting.<movement>.delay_h``; no habit)."""
        return self._behaviour[movement][1]()

    def duration(self, name: str, factor: float = 1.0, *, work: str | None = None) -> float:
        """A draw of the scenario's duration ``name`` (hours), times ``factor``; ``work`` names work other
        than the sales orders' (``purchasing``, ``returns``, ``transfers``), which draws from a stream of
        its own, so a what-if that adds or drops such work leaves the orders' durations as they were."""
        if work is None:
            return self._durations[name]() * factor
        draw = self._durations_of.get((name, work))
        if draw is None:
            draw = self._durations_of[name, work] = getattr(self.scenario.durations, name).stream(
                self._stream(f"duration {name} {work}"))
        return draw() * factor

    # --- hand-offs ---------------------------------------------------------------------------
    def seen_at(self, release: Release, t: float, *, push: bool = False, cutoff: float | None = None,
                day_start: float = 0.0) -> float:
        """When the next department sees work handed over at ``t`` (see :func:`.shifts.release_time`)."""
        return release_time(release.times, t, push=push or release.mode == "push", cutoff=cutoff, day_start=day_start)

    # --- stock -------------------------------------------------------------------------------
    def shelf_free(self, sku: str, location: str) -> float:
        """Physical stock not yet picked for another shipment."""
        return self.ledgers.balance(_PHYSICAL, sku, location) - self.staged.get((sku, location), 0.0)

    def receipt_signal(self, sku: str, location: str) -> simpy.Event:
        """An event that fires at the next book receipt of ``sku`` at ``location``."""
        key = (sku, location)
        event = self.stock_arrived.get(key)
        if event is None or event.triggered:
            event = self.stock_arrived[key] = self.env.event()
        return event

    # --- postings ----------------------------------------------------------------------------
    def posting_plan(self, movement: Movement, location: str, t: float) -> PostingPlan:
        """The posting behaviour in force for a movement at ``location`` and time ``t``."""
        scan = self.scenario.rules.scan_to_ship
        if movement is _ISSUE and scan.enabled and (scan.locations is None or location in scan.locations):
            return PostingPlan(False, 0.0, False, True, False, None)
        behaviour: PostingBehaviour
        behaviour, delay, next_workday, decide = self._behaviour[movement]
        habit_name = None
        weekday, hour = weekday_of(t), hour_of(t)
        for name, habit, habit_delay, habit_next_workday, habit_decide, (kind, places, weekdays, low, high) \
                in self._habits:
            if (kind is movement and (places is None or location in places) and weekday in weekdays
                    and low <= hour < high):  # PostingHabit.applies, on plain values
                behaviour, delay, next_workday, decide, habit_name = (habit, habit_delay, habit_next_workday,
                                                                      habit_decide, name)
                break
        first, lost = decide(), decide()  # both drawn always: a decision takes two draws whatever it decides
        post_first = first >= behaviour.p_move_before_post
        never = (not post_first) and lost < behaviour.p_never
        return PostingPlan(post_first, delay(), never, False, next_workday, habit_name)

    def post_time(self, plan: PostingPlan, clerks: Team, moved_at: float) -> float:
        """When the clerk posts a movement that happened at ``moved_at``."""
        if plan.at_scan:
            return moved_at
        if plan.next_workday:  # the next business day (the office's), from the clerk's first hour
            return clerks.next_on_shift(self.office.next_day_open(moved_at, self.business_days))
        return clerks.next_on_shift(moved_at + plan.delay_h)

    def book_move(self, p: Posting, t: float, resource: str) -> None:
        """Post ``p`` in the book ledger at ``t`` and record it (once)."""
        self.book_moves((p,), t, resource)

    def book_moves(self, postings: Sequence[Posting], t: float, resource: str, shipment: Any = None) -> None:
        """Post each of ``postings`` not yet posted in the book ledger at ``t`` and record it (``shipment``:
        the sales order whose issued lines ``postings`` all are, when the caller knows it; see :meth:`_move`)."""
        todo = [p for p in postings if p.posted_at != p.posted_at]  # not posted yet (NaN)
        if shipment is None:
            self._move(todo, _BOOK, t, resource)
        elif todo:
            self._move_shipment(todo, shipment, False, t, resource)
        for p in todo:
            p.posted_at = t
            if p.movement is _RECEIPT:
                self.inventory.remove_on_order(p.sku, p.location, p.qty)
                self.receipt_signal(p.sku, p.location).succeed()

    def physical_moves(self, postings: Sequence[Posting], t: float, resource: str, shipment: Any = None) -> None:
        """Move the goods of ``postings`` (a shipment's or a receipt's) at ``t`` and record them (``shipment``:
        as in :meth:`book_moves`)."""
        if shipment is None:
            self._move(postings, _PHYSICAL, t, resource)
        elif postings:
            self._move_shipment(postings, shipment, True, t, resource)
        for p in postings:
            p.moved_at = t

    def _move(self, postings: Sequence[Posting], ledger: Ledger, t: float, resource: str) -> None:
        """One leg of each movement: the ledger entries (together), the document steps, the log rows."""
        physical = ledger is _PHYSICAL
        doc = postings[0].document if postings else None
        if doc is not None:
            for p in postings:
                if p.document is not doc or p.movement is not _ISSUE or p.line is None:
                    break
            else:  # every posting an issue of a line of doc: a shipment's
                self._move_shipment(postings, doc, physical, t, resource)
                return
        self.ledgers.move_trusted_many(  # arguments built by the world
            ledger, [(p.sku, p.qty, p.location, _CUSTOMER, p.movement_id) if p.movement is _ISSUE
                     else (p.sku, p.qty, _SUPPLIER, p.location, p.movement_id) for p in postings], t)
        row = self.recorder.append_row
        shipped: dict[int, tuple[Any, list[tuple[int, float]]]] = {}  # per sales order: its lines moved (line, qty)
        for p in postings:
            issue = p.movement is _ISSUE
            doc = p.document
            if doc is not None and p.line is not None:
                if issue:
                    if (moved := shipped.get(id(doc))) is None:
                        moved = shipped[id(doc)] = (doc, [])
                    moved[1].append((p.line, p.qty))  # stepped together below
                else:
                    (doc.arrive if physical else doc.post_receipt)(p.line, p.qty, t, resource)
            row((p.case, _SEMANTIC[physical, issue], t, math.nan, resource, p.location, p.sku, p.qty, p.line,
                 "sales_order" if issue else "purchase_order", None, p.supplier if physical else None, math.nan,
                 p.price, math.nan, math.nan, p.delivery))  # EventRecorder.add's fields, as a row
        for doc, lines in shipped.values():
            (doc.load_lines if physical else doc.post_issue_lines)(lines, t, resource)

    def _move_shipment(self, postings: Sequence[Posting], doc: Any, physical: bool, t: float, resource: str) -> None:
        """:meth:`_move` of issues that all belong to sales order ``doc`` (a shipment): the same entries,
        rows and document steps, in the same order."""
        self.ledgers.move_trusted_many(
            _PHYSICAL if physical else _BOOK,
            [(p.sku, p.qty, p.location, _CUSTOMER, p.movement_id) for p in postings], t)
        row, nan = self.recorder.append_row, math.nan
        semantic = "physical_issue" if physical else "book_issue"
        for p in postings:  # EventRecorder.add's fields, as a row
            row((p.case, semantic, t, nan, resource, p.location, p.sku, p.qty, p.line, "sales_order", None, None, nan,
                 p.price, nan, nan, p.delivery))
        (doc.load_lines if physical else doc.post_issue_lines)([(p.line, p.qty) for p in postings], t, resource)

    def post_later(self, postings: list[Posting], plan: PostingPlan, clerks: Team, shipment: Any = None) -> None:
        """After the goods of ``postings`` moved (together, now): post them per the plan, at once or
        at the planned time (one event for all), and run the posting-deadline rule where it applies
        (``shipment``: as in :meth:`book_moves`)."""
        env = self.env
        rule = self.posting_deadline
        if rule is not None:
            for p in postings:  # goods issues and receipts alike
                if rule.applies_to(p.location):
                    self.start(self._deadline(p, rule, clerks))
        if plan.never:
            self.never_posted.update(p.movement_id for p in postings)
        if plan.never or not postings:
            return
        when = self.post_time(plan, clerks, env.now)
        if when > env.now:
            env.timeout(when - env.now).callbacks.append(lambda _: self._post_now(postings, plan, clerks, shipment))
        else:
            self._post_now(postings, plan, clerks, shipment)

    def _post_now(self, postings: list[Posting], plan: PostingPlan, clerks: Team, shipment: Any) -> None:
        now = self.env.now
        self.book_moves(postings, now, plan_resource(plan, clerks, now), shipment)

    def _deadline(self, p: Posting, rule: PostingDeadline, clerks: Team) -> Generator[Any, Any, None]:
        env = self.env
        yield env.timeout(max(0.0, rule.alert_due(p.moved_at) - env.now))
        if p.posted:
            return
        doc_type = "sales_order" if p.movement is Movement.ISSUE else "purchase_order"
        self.recorder.add(p.case, "alert", env.now, resource="system", location=p.location, sku=p.sku, qty=p.qty,
                          line=p.line, doc_type=doc_type, delivery=p.delivery)
        respond_at = clerks.next_on_shift(env.now + ALERT_RESPONSE_H)
        escalate_at = rule.escalation_due(p.moved_at)
        if escalate_at is not None and escalate_at < respond_at:
            yield env.timeout(max(0.0, escalate_at - env.now))
            if p.posted:
                return
            self.recorder.add(p.case, "escalation", env.now, resource="system", location=p.location, sku=p.sku,
                              qty=p.qty, line=p.line, doc_type=doc_type, delivery=p.delivery)
            respond_at = min(respond_at, clerks.next_on_shift(env.now + ALERT_RESPONSE_H))  # nobody posts off shift
        yield env.timeout(max(0.0, respond_at - env.now))
        self.book_move(p, env.now, clerks.any_member(env.now))


class PostingDecision:
    """The posting of a movement, decided when the worker who moves the goods starts (a :meth:`Team.do`
    ``on_start`` callback): the habits in force at the movement's time (the work's end, as the log
    shows it) give the plan; a plan that posts first posts ``postings`` then, before the goods move,
    when a clerk is on shift (else the goods leave unposted and are posted once one is back).
    Afterwards ``plan`` holds the plan.

    Deciding at the movement, not when the work was queued, keeps a habit to its planted hours: a
    Wednesday-afternoon habit acts on the loads of Wednesday afternoon, whenever they were picked.
    ``shipment`` as in :meth:`World.book_moves`.
    """

    __slots__ = ("clerks", "location", "movement", "plan", "postings", "shipment", "world")

    def __init__(self, world: World, movement: Movement, location: str, postings: list[Posting], clerks: Team,
                 shipment: Any = None):
        self.world, self.movement, self.location = world, movement, location
        self.postings, self.clerks, self.shipment = postings, clerks, shipment
        self.plan: PostingPlan | None = None

    def __call__(self, work: Work) -> None:
        plan = self.world.posting_plan(self.movement, self.location, work.end)
        if plan.post_first and not self.clerks.on_shift(work.start):  # nobody there to post first: the goods
            plan = plan._replace(post_first=False)  # leave unposted, posted once a clerk is back (post_later)
        self.plan = plan
        if plan.post_first:
            self.world.book_moves(self.postings, work.start, plan_resource(plan, self.clerks, work.start),
                                  self.shipment)


def plan_resource(plan: PostingPlan, clerks: Team, t: float) -> str:
    return "scanner" if plan.at_scan else clerks.any_member(t)
