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
from .memory_policy import run_memory
from .model import World
from .purchasing import OPENING, opening_stock, reorder_review
from .recorder import log_profile, wall_clock_utc
from .sales import order_arrivals
from .transfers import transfer_review
from .scenario import Role, Scenario, scenario_source
from .planted import effective_cutoff, planted_truth, unstaffed_posting_hours  # noqa: F401 (re-exported)
from .shifts import HOURS_PER_WEEK



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
    never_posted: frozenset[str] = frozenset()  # movement ids the world decided nobody would post

    def unposted_at_end(self) -> tuple[dict[str, float], dict[str, float]]:
        """Goods moved and not posted at the end of the run, as ``(pending, never)``: units by cause
        (``unposted_issue`` +, ``unposted_receipt`` −, as they part book from shelf), split by what the
        world had decided: a posting still to come after the horizon, or none ever (the truth the log's
        readers can only estimate, see :func:`jxcsim.kpi.posting.pending_units`)."""
        pending: dict[str, float] = {}
        never: dict[str, float] = {}
        for sku in self.skus:  # open_movements, not Ledgers.unposted_movements: that one builds the id lookups
            for loc in self.locations:  # of every entry first (2.5 s for a simulated year, against under 0.1 s here)
                for movement, (physical, book) in self.ledgers.open_movements(sku, loc).items():
                    if book != 0 or physical == 0:
                        continue  # posted in part, or posted and not moved: not goods awaiting a posting
                    cause = "unposted_issue" if physical < 0 else "unposted_receipt"
                    into = never if movement in self.never_posted else pending
                    into[cause] = into.get(cause, 0.0) - physical
        return ({c: round(q, 6) for c, q in pending.items() if round(q, 6)},
                {c: round(q, 6) for c, q in never.items() if round(q, 6)})

    def positions(self) -> pd.DataFrame:
        """Book, physical and the discrepancy by cause per SKU × location at the end of the run, and
        (when the run kept its inventory) what is reserved and available (book − reserved), on order, in
        transit there, and moved but not yet posted (``unposted_in``, ``unposted_out``): the engine's
        :class:`~jxcsim.engine.StockPosition`."""
        rows = []
        for sku in self.skus:
            for loc in self.locations:
                book = self.ledgers.balance(Ledger.BOOK, sku, loc)
                physical = self.ledgers.balance(Ledger.PHYSICAL, sku, loc)
                causes = self.ledgers.discrepancy_by_cause(sku, loc)
                held = {}
                if self.inventory is not None:
                    p = self.inventory.position(sku, loc)
                    held = {"reserved": p.reserved, "available": p.available, "on_order": p.on_order,
                            "in_transit": p.in_transit, "unposted_in": p.unposted_in, "unposted_out": p.unposted_out}
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
        zone = self.scenario.timezone
        epoch = pd.Timestamp(str(self.scenario.start)).tz_localize(zone)
        utc = wall_clock_utc(frame.pop("time_h").to_numpy(dtype=float), epoch, zone)  # as the log's times
        frame.insert(0, "time", pd.DatetimeIndex(utc).tz_convert(zone))
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
    # the collector held back for the run, each week's survivors frozen, numpy's huge-page hint off (also
    # while the frame is built): see memory_policy
    with Progress([f"week {w + 1}" for w in range(weeks)], enabled=progress, desc="simulating") as bar, \
            run_memory() as held:
        for week in range(weeks):
            bar.step(f"week {week + 1}/{weeks}")
            world.run(until=(week + 1) * HOURS_PER_WEEK)
            world.recorder.seal()  # the week's log rows into columns, while they are fresh in memory
            rows = len(world.recorder)
            # room for the whole log while growing is cheap (outgrown late, the store copies all of it and
            # touches twice the room): a first week has 70-80 % of a later week's rows, weeks 2-4 the pace
            if week == 0:
                first = rows
                world.recorder.reserve(rows * weeks * 3 // 2)
            elif week == 3:
                world.recorder.reserve(rows + (rows - first) * (weeks - 4) * 2 // 5)  # the pace, +20 %
            held.checkpoint()
        log = world.recorder.frame()
    return SimulationResult(scenario=scenario, weeks=weeks, seed=seed, log=log,
                            ledgers=world.ledgers, inventory=world.inventory,
                            profile=log_profile(scenario.activity_names, scenario.timezone),
                            locations=world.locations, skus=world.skus, never_posted=frozenset(world.never_posted))


_LOG_FILES = {"csv": "log.csv", "xes": "log.xes.gz", "ocel": "log.ocel.sqlite"}
_MONEY = ("amount", "price")  # the log's money columns, written to MONEY_DECIMALS places
MONEY_DECIMALS = 6


def write_simulation(result: SimulationResult, out: str | Path, *, formats: tuple[str, ...] = ("csv", "xes", "ocel"),
                     kpis: dict[str, Any] | None = None, progress: bool = False) -> dict[str, Path]:
    """Write the log (CSV, XES, OCEL 2.0), its profile, the truth and the KPI summary under ``out``
    (``progress``: a bar over the files, which take longer than the run itself for a large log)."""
    from ..eventlog.write import write_event_log

    out = Path(out)
    (out / "truth").mkdir(parents=True, exist_ok=True)
    log = result.log.drop(columns=[SEMANTIC])
    for column in _MONEY:  # sums of quantity x price carry float noise (4069.0200000000004); 6 decimals keep any price
        log[column] = log[column].round(MONEY_DECIMALS)
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
        written["kpis.json"] = write_kpis(out, kpis)
    return written


def write_kpis(out: str | Path, kpis: dict[str, Any]) -> Path:
    """``kpis.json`` under ``out``."""
    path = Path(out) / "kpis.json"
    path.write_text(json.dumps(kpis, indent=2, ensure_ascii=False), encoding="utf-8")
    return path


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
    pending, never = result.unposted_at_end()
    kpis = kpi_summary(result.log, timezone=result.scenario.timezone, cutoff_h=result.scenario.handoffs.order_cutoff,
                       ledgers=result.ledgers, ledgers_frame=entries, costs=costs, pending=pending,
                       never_posted=never,
                       horizon_h=result.weeks * HOURS_PER_WEEK, costing=result.scenario.catalogue.costing,
                       opening=opening_stock_costs(entries, costs), currency=result.scenario.currency)
    source = scenario_source(result.scenario)  # the file and overlays, when loaded from files
    kpis["meta"].update({"scenario": result.scenario.name, "weeks": result.weeks, "seed": result.seed,
                         **({} if source is None else {"scenario_file": source["file"], "changes": source["changes"]}),
                         **({} if result.replication is None else {"replication": result.replication})})
    return kpis


def run_and_write(scenario: Scenario, out: str | Path, *, weeks: int = 13, seed: int = 0,
                  formats: tuple[str, ...] = ("csv", "xes", "ocel"), progress: bool = False
                  ) -> tuple[dict[str, Path], dict[str, Any]]:
    """Simulate and write everything ``jxcsim simulate`` promises; returns the files and the KPIs."""
    result = simulate(scenario, weeks=weeks, seed=seed, progress=progress)
    written = write_simulation(result, out, formats=formats, progress=progress)  # kept should the KPIs fail
    kpis = simulation_kpis(result)
    written["kpis.json"] = write_kpis(out, kpis)
    return {str(Path(p).relative_to(Path(out))): p for p in written.values()}, kpis
