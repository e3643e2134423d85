"""Any valid world simulates: random scenarios (zones, shifts, staff, habits, rules) keep every invariant.

Each example builds a scenario from a seed — 1 to 4 locations, random shifts (day shifts, some past
midnight or round the clock) and staff (an approver possibly away one day), up to three posting
habits (some past midnight), cut-offs before and after midnight, either reorder policy,
hand-offs and rules, seven time zones and start dates next to the clock changes — runs it for a
few weeks and checks that the ledgers hold their invariants and explain every unit, every event
has a time, the KPIs and the planted truth serialise, and the diagnosis reads the log.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jxcsim.mining.diagnose import diagnose
from jxcsim.world.scenario import parse_scenario
from jxcsim.world.simulate import planted_truth, simulate, simulation_kpis

ZONES = ["Asia/Shanghai", "Europe/Berlin", "America/New_York", "UTC", "Australia/Sydney", "America/Sao_Paulo",
         "Asia/Kolkata"]
STARTS = ["2025-01-06", "2025-03-24", "2025-10-20", "2024-12-30"]  # Mondays, two just before a clock change
DAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]


def _clock(hour: float) -> str:
    return f"{int(hour):02d}:{int(round(hour % 1 * 60)) % 60:02d}"


def _days(r: random.Random, low: int) -> list[str]:
    return [DAYS[d] for d in sorted(r.sample(range(7), r.randint(low, 7)))]


def _shift(r: random.Random) -> dict:
    """A day shift, now and then one past midnight (22:00-06:00) or round the clock."""
    kind = r.random()
    if kind < 0.1:
        return {"days": _days(r, 3), "start": "00:00", "end": "24:00"}
    if kind < 0.25:
        start = r.choice([18, 20, 22, 23.5])
        return {"days": _days(r, 3), "start": _clock(start), "end": _clock((start + r.choice([6, 8, 10])) % 24)}
    start = r.choice([5, 6, 7, 8, 9, 13]) + r.choice([0, 0, 10, 20, 50]) / 60  # 08:20 is no exact float
    return {"days": _days(r, 3), "start": _clock(start), "end": _clock(min(23.5, start + r.choice([6, 8, 10, 12])))}


def _staff(r: random.Random, locations: list[str]) -> dict:
    staff: dict[str, dict] = {}

    def add(role: str, shift: str, count: int, location: str | None = None, absent: list[str] | None = None):
        for i in range(count):
            member = {"role": role, "shift": shift, **({"location": location} if location else {})}
            if absent and i == 0:
                member["absent_weekdays"] = absent
            staff[f"{role}-{location or 'office'}-{i}"] = member

    add("sales", "office", r.randint(1, 3))
    add("credit_approver", "office", r.randint(1, 2), absent=[r.choice(DAYS)] if r.random() < 0.6 else None)
    add("accountant", "office", r.randint(1, 3))
    add("buyer", "office", 1)
    for loc in locations:
        add("picker", "warehouse", r.randint(1, 4), loc)
        add("driver", "drivers", r.randint(1, 3), loc)
        add("warehouse_clerk", "yard", r.randint(1, 2), loc)
    return staff


def _habit(r: random.Random, locations: list[str]) -> dict:
    low = r.randint(0, 23)
    dist = r.choice(["gamma", "lognormal", "exponential"])
    high = r.randint(low + 1, 24) if r.random() < 0.7 else (low + r.randint(1, 12)) % 24  # [22, 3]: past midnight
    habit = {"movement": r.choice(["issue", "receipt"]), "weekdays": sorted(r.sample(range(7), r.randint(1, 4))),
             "hours": [low, high if high != low else 24], "p_move_before_post": round(r.uniform(0.5, 1.0), 2),
             "delay_h": {"dist": dist, "mean_h": round(r.uniform(0.5, 30), 1), **({} if dist == "exponential"
                                                                                 else {"cv": 0.5})},
             "p_never": r.choice([0.0, 0.0, 0.05, 0.2])}
    if r.random() < 0.5:
        habit["locations"] = r.sample(locations, r.randint(1, len(locations)))
    if r.random() < 0.3:
        habit["post_at"] = "next_workday"
    return habit


def scenario(r: random.Random) -> dict:
    """A random valid scenario (as data) drawn from ``r``."""
    locations = [f"L{i}" for i in range(r.randint(1, 4))]
    hours = r.choice([0.5, 2.0, 8.0])  # the posting deadline's
    groups = {f"G{g}": {"count": r.randint(1, 40), "category": "c", "price": [1, r.choice([10, 100, 1000])],
                        "margin": [0.05, 0.4], "supplier": f"S{g % 2}", "lead_time_days": [1, r.randint(2, 12)]}
              for g in range(r.randint(1, 3))}
    return {
        "schema_version": 1, "name": "fuzz", "timezone": r.choice(ZONES), "start": r.choice(STARTS),
        "catalogue_seed": r.randint(0, 999),
        "locations": {loc: {} for loc in locations},
        "catalogue": {"groups": groups, "initial_cover_days": r.randint(0, 20),
                      "reorder": {"policy": r.choice(["sS", "rQ"]), "reorder_point_days": r.randint(1, 8),
                                  "order_up_to_days": r.randint(9, 25), "review_days": _days(r, 1),
                                  "review_time": _clock(r.choice([0, 6, 7.5, 12, 23]))},
                      "costing": r.choice(["moving_average", "fifo"]),
                      "cost_changes": [{"effective": str(date.fromisoformat(r.choice(STARTS))
                                                         + timedelta(days=r.randint(-9, 20))),
                                        "factor": r.choice([0.8, 1.05, 1.5]),
                                        "groups": r.choice([None, [r.choice(list(groups))]])}
                                       for _ in range(r.randint(0, 2))]},
        "customers": {"A": {"count": r.randint(1, 100), "credit_limit": [1000, r.choice([5000, 100000, 1e7])],
                            "pay_days": [0, r.randint(1, 60)], "qty_factor": r.choice([0.5, 1, 5])}},
        "shifts": {name: _shift(r) for name in ("office", "warehouse", "drivers", "yard")},
        "staff": _staff(r, locations),
        "demand": {"orders_per_week": r.choice([5, 50, 200]),
                   "weekday_weights": [round(r.random(), 2) for _ in range(7)],
                   "hour_weights": [round(r.random(), 2) for _ in range(24)],
                   "lines_per_order": {"dist": "poisson", "mean": r.choice([1, 2, 4])},
                   "qty_per_line": {"mean": r.choice([1, 5, 20]), "cv": 0.8}},
        "handoffs": {"order_cutoff": _clock(r.choice([12, 16.5, 20, 23.5, 1, 3])),
                     "to_warehouse": r.choice([{"mode": "push"}, {"mode": "batch", "times": ["08:00", "14:00"]}]),
                     "to_credit_approver": {"mode": "batch", "times": [_clock(r.choice([9, 10, 11])), "15:00"]}},
        "posting": {"issue": {"p_move_before_post": round(r.random(), 2),
                              "delay_h": {"dist": "exponential", "mean_h": 0.2}},
                    "habits": {f"h{i}": _habit(r, locations) for i in range(r.randint(0, 3))}},
        "purchasing": {"approval_threshold": r.choice([None, 100, 20000]), "receiving_shift": "warehouse"},
        "counts": {"enabled": r.random() < 0.7, "time": _clock(r.choice([8, 17, 23]))},
        "returns": {"enabled": r.random() < 0.4, "p_line": r.choice([0.01, 0.2, 1.0]),
                    "share": r.choice([[0.1, 1.0], [1.0, 1.0]]), "after_days": [0, r.randint(0, 9)],
                    "approval_threshold": r.choice([None, 0, 1000]), "transit_days": [0, r.choice([0, 3])]},
        "transfers": {"enabled": len(locations) > 1 and r.random() < 0.4, "review_days": _days(r, 1),
                      "review_time": _clock(r.choice([0, 9, 23.5])), "below_days": r.choice([0, 2, 5]),
                      "up_to_days": r.choice([5, 10]), "keep_days": r.choice([0, 4, 12]),
                      "transit_days": [0, r.choice([0, 2])]},
        "rules": {"credit": {"review_threshold": r.choice([100, 5000, 1e9]), "use_credit_limit": r.random() < 0.7},
                  "scan_to_ship": {"enabled": r.random() < 0.2, "locations": _some(r, locations)},
                  "posting_deadline": {"enabled": r.random() < 0.3, "hours": hours,
                                       "escalate_after_h": r.choice([None, hours, hours + 2]),
                                       "locations": _some(r, locations)},
                  "notifications": {"push_on_new_order": r.random() < 0.3,
                                    "digest_times": r.choice([[], ["09:00", "17:00"], ["00:00", "23:30"]]),
                                    "locations": _some(r, locations)}},
    }


def _some(r: random.Random, locations: list[str]) -> list[str] | None:
    """Every location (None), or some of them."""
    return None if r.random() < 0.5 else sorted(r.sample(locations, r.randint(1, len(locations))))


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(0, 2**32 - 1))
def test_any_valid_world_simulates_and_keeps_its_invariants(seed):
    r = random.Random(seed)
    sc = parse_scenario(scenario(r))
    result = simulate(sc, weeks=r.choice([1, 2, 3]), seed=seed % 1000)
    result.ledgers.check_invariants()
    positions = result.positions()
    causes = positions[[c for c in positions.columns if c.startswith("cause:")]].sum(axis=1)
    assert np.allclose(positions["discrepancy"], causes)  # residual zero
    pending, never = result.unposted_at_end()  # the goods awaiting a posting, still to come or never
    for cause in ("unposted_issue", "unposted_receipt"):
        total = positions.get(f"cause:{cause}", pd.Series(dtype=float)).sum()
        assert np.isclose(pending.get(cause, 0.0) + never.get(cause, 0.0), total), (cause, pending, never, total)
    assert result.log["time:timestamp"].notna().all()
    json.dumps(planted_truth(sc))
    kpis = simulation_kpis(result)
    json.dumps(kpis, default=str)
    cogs = kpis["kpis"]["cost_of_goods_sold"]
    assert cogs["value"] is None or (cogs["details"]["method"] == sc.catalogue.costing and cogs["value"] >= 0)
    assert_staff_work_on_shift(result)
    diagnose(result.log, timezone=sc.timezone)


def _works_at(shift, absent: list[int], hour_of_week: float) -> bool:
    """Whether a member on ``shift`` (less the ``absent`` weekdays) works at ``hour_of_week`` (Mon 00:00 = 0),
    worked out from the shift's days and hours alone (not with the world's calendars)."""
    length = (shift.end - shift.start) % 24 or 24  # past midnight: 22:00-06:00 is 8 h; 00:00-24:00 is 24 h
    return any(0 <= (hour_of_week - (day * 24 + shift.start)) % 168 < length
               for day in set(shift.days) - set(absent))


def assert_staff_work_on_shift(result) -> None:
    """Every step a staff member starts, and every posting or order entry a member records, falls in
    that member's working hours (their shift's days less their absences): read off the log's own
    times, in local wall-clock hours since the run's start. (A delivery's start is the end of the
    loading, which a driver may finish past the shift's end; quick system steps name nobody.)"""
    sc, log = result.scenario, result.log
    members = {name: m for name, m in sc.staff.items() if m.enabled}
    semantic = log["concept:name"].map({a: s.value for a, s in result.profile.activities.items()})
    staffed = log["org:resource"].isin(members)
    epoch = pd.Timestamp(str(sc.start))

    def hours(stamps: pd.Series) -> np.ndarray:
        return ((stamps.dt.tz_convert(sc.timezone).dt.tz_localize(None) - epoch) / pd.Timedelta(hours=1)).to_numpy()

    second = 1 / 3600  # the log's times are whole seconds (a step begun at 17:59:59.6 shows as 18:00:00)
    started = staffed & log["start_timestamp"].notna() & (semantic != "deliver")
    at_time = staffed & semantic.isin(["book_issue", "book_receipt", "order_received", "stock_count"])
    for mask, stamps in ((started, "start_timestamp"), (at_time, "time:timestamp")):
        rows = log[mask]
        for who, t, activity in zip(rows["org:resource"], hours(rows[stamps]), rows["concept:name"], strict=True):
            m = members[who]
            shift = sc.shifts[m.shift]
            assert any(_works_at(shift, m.absent_weekdays, (t + d) % 168) for d in (0, -second, second)), (
                f"{who} did {activity!r} at {t:.3f} h ({stamps}) off their shift {shift} "
                f"(absent on {m.absent_weekdays})")
