"""Run a scenario and write what it produced: the log (as a real ERP would), its profile, the truth.

>>> from jxcsim.world.scenario import load_scenario            # doctest: +SKIP
>>> result = simulate(load_scenario("scenarios/baseline.yaml"), weeks=2, seed=1)   # doctest: +SKIP
>>> result.log["concept:name"].value_counts()                  # doctest: +SKIP
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..engine import Inventory, Ledger, Ledgers
from ..eventlog.profile import LogProfile, dump_profile
from ..eventlog.schema import SEMANTIC
from ..progress import Progress
from .counts import stock_counts
from .gc_policy import run_gc
from .model import World
from .purchasing import OPENING, opening_stock, reorder_review
from .recorder import log_profile
from .sales import order_arrivals
from .transfers import transfer_review
from .scenario import Movement, Role, Scenario
from .shifts import HOURS_PER_WEEK, WEEKDAY_NAMES, WeeklyCalendar



@dataclass
class SimulationResult:
    """A finished run: the log as a canonical frame, the true ledgers, and what produced them."""

    scenario: Scenario
    weeks: int
    seed: int | None
    log: pd.DataFrame
    ledgers: Ledgers
    profile: LogProfile
    locations: list[str]
    skus: dict[str, Any]
    replication: int | None = None  # its index when it is one of several (see :mod:`.replications`)
    inventory: Inventory | None = None  # the commitments at the end (reserved, on order, in transit)

    def positions(self) -> pd.DataFrame:
        """Book, physical and the discrepancy by cause per SKU × location at the end of the run, and
        (when the run kept its inventory) what is reserved, on order and in transit there."""
        rows = []
        for sku in self.skus:
            for loc in self.locations:
                book = self.ledgers.balance(Ledger.BOOK, sku, loc)
                physical = self.ledgers.balance(Ledger.PHYSICAL, sku, loc)
                causes = self.ledgers.discrepancy_by_cause(sku, loc)
                held = {}
                if self.inventory is not None:
                    p = self.inventory.position(sku, loc)
                    held = {"reserved": p.reserved, "on_order": p.on_order, "in_transit": p.in_transit}
                rows.append({"sku": sku, "location": loc, "book": book, "physical": physical,
                             "discrepancy": book - physical, **held,
                             **{f"cause:{c.value}": q for c, q in causes.items() if q}})
        return pd.DataFrame(rows).fillna(0.0)

    def stock_timeline(self, sku: str, location: str) -> pd.DataFrame:
        """Physical and book stock of one SKU at one location after every movement (local time)."""
        entries = [e for e in self.ledgers.entries if e.sku == sku and e.location == location]
        frame = pd.DataFrame({"time_h": [e.business_time for e in entries],
                              "ledger": [e.ledger.value for e in entries], "qty": [e.qty for e in entries]})
        if frame.empty:
            return pd.DataFrame(columns=["time", "physical", "book", "book_minus_physical"])
        frame = frame.sort_values("time_h", kind="stable")
        for ledger in ("physical", "book"):
            frame[ledger] = frame["qty"].where(frame["ledger"] == ledger, 0.0).cumsum()
        frame = frame.groupby("time_h", sort=True)[["physical", "book"]].last().reset_index()
        epoch = pd.Timestamp(str(self.scenario.start)).tz_localize(self.scenario.timezone)
        frame.insert(0, "time", epoch + pd.to_timedelta(frame.pop("time_h"), unit="h"))
        frame["book_minus_physical"] = frame["book"] - frame["physical"]
        return frame


def simulate(scenario: Scenario, *, weeks: int = 13, seed: int | None = 0, rng: np.random.Generator | None = None,
             progress: bool = False) -> SimulationResult:
    """Run ``scenario`` for ``weeks`` weeks. Randomness comes only from ``rng`` (else ``default_rng(seed)``)."""
    if weeks < 1:
        raise ValueError("weeks must be at least 1")
    rng = np.random.default_rng(seed) if rng is None else rng
    world = World(scenario, rng, weeks=weeks)
    credit = scenario.rules.credit
    holds = credit.review_threshold is not None or credit.use_credit_limit  # some order may need an approver
    for role in (Role.SALES, Role.ACCOUNTANT, Role.BUYER, *((Role.CREDIT_APPROVER,) if holds else ())):
        world.team(role)  # fail early, with the missing role named
    for loc in world.locations:
        for role in (Role.PICKER, Role.DRIVER, Role.WAREHOUSE_CLERK):
            world.team(role, loc)
    opening_stock(world)
    world.start(order_arrivals(world))
    world.start(reorder_review(world))
    if scenario.transfers.enabled:
        world.start(transfer_review(world))
    if scenario.counts.enabled:
        world.start(stock_counts(world))
    # the collector held back for the run, each week's survivors frozen (also while the frame is built)
    with Progress([f"week {w + 1}" for w in range(weeks)], enabled=progress, desc="simulating") as bar, \
            run_gc() as held:
        for week in range(weeks):
            bar.step(f"week {week + 1}/{weeks}")
            world.run(until=(week + 1) * HOURS_PER_WEEK)
            world.recorder.seal()  # the week's log rows into columns, while they are fresh in memory
            if week == 0:  # room for the whole log: a first week has ~80 % of a later week's rows
                world.recorder.reserve(len(world.recorder) * weeks * 13 // 10)
            held.checkpoint()
        log = world.recorder.frame()
    return SimulationResult(scenario=scenario, weeks=weeks, seed=seed, log=log,
                            ledgers=world.ledgers, inventory=world.inventory,
                            profile=log_profile(scenario.activity_names, scenario.timezone),
                            locations=world.locations, skus=world.skus)


def planted_truth(scenario: Scenario) -> list[dict[str, Any]]:
    """The habits planted in ``scenario``, machine-readable (what diagnosis should find)."""
    names = scenario.activity_names
    truth: list[dict[str, Any]] = []
    scan = scenario.rules.scan_to_ship
    scanned = set(scenario.locations if scan.locations is None else scan.locations) if scan.enabled else set()
    for name, habit in scenario.posting.habits.items():
        if not habit.enabled:
            continue
        issue = habit.movement is Movement.ISSUE
        locations = habit.locations or list(scenario.locations)
        if issue:  # scan-to-ship posts every issue at the loading scan: no habit can act there
            locations = [loc for loc in locations if loc not in scanned]
            if not locations:
                continue
        truth.append({
            "name": name,
            # as the diagnosis names them (FindingKind): goods leaving before the issue is posted, or
            # goods received and posted late, whether after a delay or on the next working day
            "kind": "physical_before_book" if issue else "late_posting",
            "movement": habit.movement.value,
            "locations": locations,
            "weekdays": sorted(habit.weekdays),
            "weekday_names": [WEEKDAY_NAMES[d] for d in sorted(habit.weekdays)],
            "hours": [habit.hours.low, habit.hours.high],
            "activities": [names.physical_issue, names.book_issue] if issue else [names.physical_receipt,
                                                                                   names.book_receipt],
            "p_move_before_post": habit.p_move_before_post,
            "mean_delay_h": habit.delay_h.mean_h if habit.post_at == "after_delay" else None,
            "p_never": habit.p_never,
        })
    approvers = {name: m for name, m in scenario.staff.items() if m.enabled and m.role is Role.CREDIT_APPROVER}
    working = {name: set(scenario.shifts[m.shift].days) - set(m.absent_weekdays) for name, m in approvers.items()}
    hands = [sum(d in days for days in working.values()) for d in range(7)]  # approvers at work per weekday
    for name, member in approvers.items():
        # an absence plants a bottleneck only on the days no other approver works
        uncovered = sorted(d for d in member.absent_weekdays
                           if not any(d in days for other, days in working.items() if other != name))
        if uncovered:
            truth.append({"name": f"{name} absent", "kind": "approval_bottleneck", "locations": None,
                          "weekdays": uncovered, "weekday_names": [WEEKDAY_NAMES[d] for d in uncovered],
                          "hours": None, "activities": [names.credit_hold, names.credit_approved]})
        # days others cover with fewer hands than on the best-staffed day: a bottleneck only if they cannot keep
        # up (found or not, no error); a part-timer's days off leave the usual number and plant nothing
        covered = sorted(d for d in member.absent_weekdays if d in scenario.shifts[member.shift].days
                         and d not in uncovered and hands[d] < max(hands))
        if covered:
            truth.append({"name": f"{name} absent (others cover)", "kind": "approval_bottleneck", "optional": True,
                          "locations": None, "weekdays": covered, "weekday_names": [WEEKDAY_NAMES[d] for d in covered],
                          "hours": None, "activities": [names.credit_hold, names.credit_approved]})
    scan = scenario.rules.scan_to_ship
    for location in scenario.locations:
        if scan.enabled and (scan.locations is None or location in scan.locations):
            continue  # the loading scan posts every issue
        for (low, high), days in unstaffed_posting_hours(scenario, location).items():
            truth.append({"name": "loads while no clerk is on shift", "kind": "physical_before_book",
                          "optional": True, "movement": Movement.ISSUE.value, "locations": [location],
                          "weekdays": days, "weekday_names": [WEEKDAY_NAMES[d] for d in days], "hours": [low, high],
                          "activities": [names.physical_issue, names.book_issue], "p_never": 0.0})
    by_cutoff: dict[float, list[str]] = {}
    for location in scenario.locations:
        cutoff = effective_cutoff(scenario, location)
        if cutoff is not None:
            by_cutoff.setdefault(cutoff, []).append(location)
    for cutoff, locations in sorted(by_cutoff.items()):
        truth.append({"name": "orders after cut-off wait overnight", "kind": "after_hours_backlog",
                      "locations": locations, "weekdays": list(range(7)), "hours": [cutoff, 24.0],
                      "nominal_cutoff": scenario.handoffs.order_cutoff,
                      "activities": [names.order_received, names.pick]})
    return truth


def unstaffed_posting_hours(scenario: Scenario, location: str) -> dict[tuple[float, float], list[int]]:
    """Whole hours of the week when a driver at ``location`` may load and no clerk there is on shift
    (to post a goods issue first): ``{(start, end): [weekdays]}``. An hour counts when that holds
    for most of it (at least two of its quarter hours).

    >>> from jxcsim.world.scenario import load_scenario
    >>> unstaffed_posting_hours(load_scenario("scenarios/baseline.yaml"), "WH-A")   # clerks 07-18, drivers 08-18
    {}
    """
    def calendars(role: Role) -> list[WeeklyCalendar]:
        return [WeeklyCalendar.from_days(scenario.shifts[m.shift].days, scenario.shifts[m.shift].start,
                                         scenario.shifts[m.shift].end).without_days(m.absent_weekdays)
                for m in scenario.staff.values() if m.enabled and m.role is role and m.location == location]

    drivers, clerks = calendars(Role.DRIVER), calendars(Role.WAREHOUSE_CLERK)
    spans: dict[tuple[float, float], list[int]] = {}
    for day in range(7):
        hours = [h for h in range(24) if sum(
            any(c.is_open(t) for c in drivers) and not any(c.is_open(t) for c in clerks)
            for t in (day * 24 + h + q / 4 for q in range(4))) >= 2]
        for start, end in _runs(hours):
            spans.setdefault((float(start), float(end)), []).append(day)
    return spans


def _runs(hours: list[int]) -> list[tuple[int, int]]:
    """Sorted whole hours as contiguous [start, end) runs: ``[1, 2, 5]`` → ``[(1, 3), (5, 6)]``."""
    out: list[tuple[int, int]] = []
    for h in hours:
        if out and out[-1][1] == h:
            out[-1] = (out[-1][0], h + 1)
        else:
            out.append((h, h + 1))
    return out


def effective_cutoff(scenario: Scenario, location: str) -> float | None:
    """The hour of day after which an order at ``location`` waits for the next day: the earliest of
    the order cut-off and the last release to the warehouse (batched hand-offs), the end of the
    pickers' last shift there and of the sales staff's (who run the credit check); ``None``
    without pickers or sales staff.

    >>> from jxcsim.world.scenario import load_scenario
    >>> effective_cutoff(load_scenario("scenarios/baseline.yaml"), "WH-A")   # the last batch at 16:00
    16.0
    """
    staff = [m for m in scenario.staff.values() if m.enabled]
    pickers = [scenario.shifts[m.shift].end for m in staff if m.role is Role.PICKER and m.location == location]
    sales = [scenario.shifts[m.shift].end for m in staff if m.role is Role.SALES]
    if not pickers or not sales:
        return None
    limits = [max(pickers), max(sales)]
    release = scenario.handoffs.to_warehouse
    if release.mode == "batch" and not scenario.rules.notifications.push_on_new_order:
        limits += [scenario.handoffs.order_cutoff, max(release.times or [0.0])]
    return float(min(limits))


_LOG_FILES = {"csv": "log.csv", "xes": "log.xes.gz", "ocel": "log.ocel.sqlite"}


def write_simulation(result: SimulationResult, out: str | Path, *, formats: tuple[str, ...] = ("csv", "xes", "ocel"),
                     kpis: dict[str, Any] | None = None, progress: bool = False) -> dict[str, Path]:
    """Write the log (CSV, XES, OCEL 2.0), its profile, the truth and the KPI summary under ``out``
    (``progress``: a bar over the files, which take longer than the run itself for a large log)."""
    from ..eventlog.write import write_event_log

    out = Path(out)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    log = result.log.drop(columns=[SEMANTIC])
    written: dict[str, Path] = {}
    logs = [name for fmt, name in _LOG_FILES.items() if fmt in formats]
    with Progress([*logs, "truth"], enabled=progress, desc="writing") as bar:
        for name in logs:
            bar.step(name)
            written[name] = write_event_log(log, out / name)
        bar.step("truth")
        written.update(_write_truth(result, out, kpis))
    return written


def _write_truth(result: SimulationResult, out: Path, kpis: dict[str, Any] | None) -> dict[str, Path]:
    """profile.yaml, truth/ and kpis.json."""
    written: dict[str, Path] = {}
    written["profile.yaml"] = out / "profile.yaml"
    written["profile.yaml"].write_text(dump_profile(result.profile), encoding="utf-8")
    planted = {"scenario": result.scenario.name, "weeks": result.weeks, "seed": result.seed,
               **({} if result.replication is None else {"replication": result.replication}),
               "timezone": result.scenario.timezone, "habits": planted_truth(result.scenario)}
    written["truth/planted.json"] = out / "truth" / "planted.json"
    written["truth/planted.json"].write_text(json.dumps(planted, indent=2, ensure_ascii=False), encoding="utf-8")
    written["truth/positions.csv"] = out / "truth" / "positions.csv"
    result.positions().to_csv(written["truth/positions.csv"], index=False)
    written["truth/ledger.csv"] = out / "truth" / "ledger.csv"
    ledger_frame(result.ledgers).to_csv(written["truth/ledger.csv"], index=False)
    if kpis is not None:
        written["kpis.json"] = out / "kpis.json"
        written["kpis.json"].write_text(json.dumps(kpis, indent=2, ensure_ascii=False), encoding="utf-8")
    return written


def ledger_frame(ledgers: Ledgers) -> pd.DataFrame:
    """Every ledger entry as a row (business and recorded time in world hours)."""
    columns = ledgers.columns()
    for name in ("ledger", "cause"):
        columns[name] = [str(value) for value in columns[name]]
    return pd.DataFrame(columns)


def opening_stock_costs(entries: pd.DataFrame, costs: dict[str, float]) -> dict[tuple[str, str], tuple[float, float]]:
    """The book stock a run starts with, at the catalogue cost: (sku, location) → (qty, unit cost)."""
    opening = entries[(entries["ledger"] == "book") & entries["movement_id"].astype(str).str.startswith(OPENING)
                      & (entries["qty"] > 0)]
    totals = opening.groupby(["sku", "location"], sort=True)["qty"].sum()
    return {(str(sku), str(loc)): (float(qty), costs[str(sku)]) for (sku, loc), qty in totals.items()}


def simulation_kpis(result: SimulationResult) -> dict[str, Any]:
    """The KPI summary of a run: log-based KPIs plus those only the true ledgers can give; its
    ``meta`` names the run (scenario, weeks, seed, and the replication when it is one)."""
    from ..kpi.summary import kpi_summary

    costs = {sku: s.cost for sku, s in result.skus.items()}
    entries = ledger_frame(result.ledgers)
    kpis = kpi_summary(result.log, timezone=result.scenario.timezone, cutoff_h=result.scenario.handoffs.order_cutoff,
                       ledgers=result.ledgers, ledgers_frame=entries, costs=costs,
                       horizon_h=result.weeks * HOURS_PER_WEEK, costing=result.scenario.catalogue.costing,
                       opening=opening_stock_costs(entries, costs))
    kpis["meta"].update({"scenario": result.scenario.name, "weeks": result.weeks, "seed": result.seed,
                         **({} if result.replication is None else {"replication": result.replication})})
    return kpis


def run_and_write(scenario: Scenario, out: str | Path, *, weeks: int = 13, seed: int = 0,
                  formats: tuple[str, ...] = ("csv", "xes", "ocel"), progress: bool = False
                  ) -> tuple[dict[str, Path], dict[str, Any]]:
    """Simulate and write everything ``jxcsim simulate`` promises; returns the files and the KPIs."""
    result = simulate(scenario, weeks=weeks, seed=seed, progress=progress)
    kpis = simulation_kpis(result)
    written = write_simulation(result, out, formats=formats, kpis=kpis, progress=progress)
    return {str(Path(p).relative_to(Path(out))): p for p in written.values()}, kpis
