"""A warehouse working at night: its day, not the calendar's, decides which orders wait for the next one.

The world (the order cut-off against the releases' day), the planted truth, the evening KPI and the
backlog analysis read the same night warehouse alike: orders of the evening go out that night, those
after the 01:00 cut-off wait for the next night.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import REPO
from jxcsim.kpi.common import clock, workday_start
from jxcsim.kpi.process import evening_response
from jxcsim.kpi.summary import kpi_summary, render_kpis
from jxcsim.mining.diagnose import diagnose
from jxcsim.mining.truth import score_findings
from jxcsim.world.planted import planted_truth, workday_start as warehouse_day_start
from jxcsim.world.scenario import load_scenario
from jxcsim.world.shifts import WeeklyCalendar, day_start_of, release_time
from jxcsim.world.simulate import simulate

NIGHT = REPO / "scenarios" / "examples" / "night_fulfilment_nz.yaml"


def calendar_release(times: list[float], t: float, cutoff: float | None) -> float:
    """The release rule read on the calendar day (what a day warehouse has always had)."""
    clocks = sorted(times)
    day = math.floor(t / 24) * 24
    hour = t - day
    if cutoff is not None and hour >= cutoff:
        return day + 24 + clocks[0]
    return next((day + c for c in clocks if c >= hour), day + 24 + clocks[0])


clocks = st.lists(st.integers(0, 95).map(lambda q: q / 4), min_size=1, max_size=6, unique=True)


minutes = st.integers(0, 14 * 24 * 60).map(lambda m: m / 60)


cutoffs = st.one_of(st.none(), st.integers(0, 96).map(lambda q: q / 4))


@given(clocks, minutes, cutoffs, st.sampled_from([0.0, 11.0, 13.0]))
def test_a_release_comes_at_a_release_time_not_before_the_hand_over(times, t, cutoff, day_start):
    seen = release_time(times, t, cutoff=cutoff, day_start=day_start)
    assert t <= seen < t + 48
    assert any(abs((seen - c) / 24 - round((seen - c) / 24)) < 1e-9 for c in times)  # at one of the times
    if not day_start or cutoff is None or cutoff >= 24:
        assert seen == pytest.approx(calendar_release(times, t, cutoff))  # a day crew's releases: as ever


def test_a_night_crews_day_begins_by_day_and_a_day_crews_at_midnight():
    nights = WeeklyCalendar.from_days([0, 1, 3, 4, 5, 6], 20.0, 6.0)
    assert day_start_of(nights) == 13.0
    night = [20.5, 22.0, 23.5, 1.0, 2.5]
    # the evening's orders go out at the evening's releases; those after the 01:00 cut-off the next night
    assert [release_time(night, h, cutoff=1.0, day_start=13.0) for h in (19.0, 21.0, 24.8, 25.0, 30.0, 36.0)] == \
        [20.5, 22.0, 25.0, 44.5, 44.5, 44.5]
    # a day crew with a morning and an evening wave of releases keeps the calendar's day
    waves = WeeklyCalendar.from_days(range(6), 6.0, 21.0)
    assert day_start_of(waves) == 0.0
    assert release_time([6.0, 19.0], 17.0, cutoff=17.0, day_start=day_start_of(waves)) == 30.0  # the next morning
    evening = load_scenario(REPO / "scenarios" / "baseline.yaml",
                            changes=[REPO / "scenarios" / "changes" / "evening_pick_shift.yaml"])
    assert {warehouse_day_start(evening, loc) for loc in evening.locations} == {0.0}


@pytest.fixture(scope="module")
def night():
    scenario = load_scenario(NIGHT)
    return scenario, simulate(scenario, weeks=4, seed=3)


def _orders(log: pd.DataFrame, timezone: str) -> pd.DataFrame:
    def first(semantic: str) -> pd.Series:
        rows = log[log["semantic"].astype(str) == semantic]
        return rows.groupby("case:concept:name", observed=True)["time:timestamp"].min()

    orders = pd.DataFrame({"received": first("order_received"), "picked": first("pick")}).dropna()
    held = set(log.loc[log["semantic"].astype(str) == "credit_hold", "case:concept:name"])
    orders = orders[~orders.index.isin(held)]
    local = orders["received"].dt.tz_convert(timezone)
    return orders.assign(hour=local.dt.hour + local.dt.minute / 60,
                         lag_h=(orders["picked"] - orders["received"]).dt.total_seconds() / 3600)


def test_the_evenings_orders_go_out_that_night_and_the_late_ones_the_next(night):
    scenario, result = night
    orders = _orders(result.log, scenario.timezone)
    evening = orders[(orders["hour"] >= 19.0) & (orders["hour"] < 22.5)]
    late = orders[(orders["hour"] >= 2.0) & (orders["hour"] < 10.0)]
    assert len(evening) > 50 and len(late) > 10
    # picked at the evening's releases, before midnight (read on the calendar day all would wait for 01:00)
    assert (evening["lag_h"] < 24.0 - evening["hour"]).mean() > 0.5
    # after the cut-off: the next night's first release, 20:30 the same calendar day, never the 01:00 after it
    assert late["lag_h"].median() < 20 and (late["lag_h"] < 24).mean() > 0.7  # (a closed Wednesday: longer)


def test_truth_kpi_and_diagnosis_read_the_night_warehouses_day(night):
    scenario, result = night
    cutoffs = [h for h in planted_truth(scenario) if h["kind"] == "after_hours_backlog" and not h.get("held")]
    assert [c["hours"] for c in cutoffs] == [[1.0, 13.0]]  # from the cut-off to where the pickers' day begins
    log = result.log
    picks = log.loc[log["semantic"].astype(str) == "pick", "time:timestamp"].dt.tz_convert(scenario.timezone)
    start = workday_start((picks.dt.hour + picks.dt.minute / 60).to_numpy())
    assert 6 <= start <= 20  # in the day, when nobody picks
    table = evening_response(log, timezone=scenario.timezone, cutoff_h=1.0)
    local = log.loc[log["semantic"].astype(str) == "order_received"].groupby("case:concept:name", observed=True)[
        "time:timestamp"].min().dt.tz_convert(scenario.timezone)
    hours = local.dt.hour + local.dt.minute / 60 + local.dt.second / 3600
    received = set(log.loc[log["semantic"].astype(str) == "pick", "case:concept:name"])
    assert table.at["evening", "n_orders"] == int(((hours >= 1.0) & (hours < start)).sum())  # not 01:00-24:00
    assert table.at["evening", "n_orders"] < table.at["daytime", "n_orders"] and received
    findings = diagnose(log, timezone=scenario.timezone)
    backlog = [f for f in findings if f.kind.value == "after_hours_backlog" and f.location == "AKL-NIGHT"]
    assert backlog and backlog[0].hours[0] == 1.0 and 6 <= backlog[0].hours[1] <= 20, [f.summary for f in backlog]
    assert f"received between 01:00 and {backlog[0].details['day_start']} wait" in backlog[0].summary
    # where the evening ends, in the KPI's details: as the backlog analysis reads it, off the first picks
    assert clock(table.attrs["day_start_h"]["AKL-NIGHT"]) == backlog[0].details["day_start"]
    summary = kpi_summary(log, timezone=scenario.timezone, cutoff_h=1.0)
    assert summary["kpis"]["evening_order_response"]["details"]["day_start_h"] == table.attrs["day_start_h"]
    line = next(x for x in render_kpis(summary).splitlines() if x.startswith("evening_order_response"))
    assert f"evening orders (after 01:00; AKL-NIGHT until {backlog[0].details['day_start']}" in line, line
    score = score_findings(findings, planted_truth(scenario), frame=log, timezone=scenario.timezone)
    hit = [h for h in score["hits"] if h["kind"] == "after_hours_backlog" and h["location"] == "AKL-NIGHT"]
    assert hit and score["false_alarms"] == 0, score["misses"]


def test_workday_start_is_midnight_for_a_day_and_an_evening_shift():
    day = np.repeat(np.arange(7.0, 18.0), 20)
    evening = np.concatenate([day, np.repeat(np.arange(18.0, 23.0), 10)])
    assert workday_start(day) == workday_start(evening) == 0.0
    assert workday_start(np.arange(0.0, 24.0, 0.5)) == 0.0  # round the clock: midnight


def test_one_weekly_night_shift_keeps_the_day_crews_midnight(tmp_path):
    """A crew on Sunday 22:00-06:00 beside the weekday day crew: the warehouse's day still starts at
    midnight, for the world's cut-off, the planted truth and the log's readers alike."""
    overlay = tmp_path / "sunday_night.yaml"
    overlay.write_text(f"extends: {REPO / 'scenarios' / 'baseline.yaml'}\n"
                       "shifts:\n  sunday_night: {days: [Sun], start: '22:00', end: '06:00'}\n"
                       "staff:\n  Night Picker: {role: picker, location: WH-A, shift: sunday_night}\n")
    scenario = load_scenario(overlay)
    assert warehouse_day_start(scenario, "WH-A") == 0.0  # the week's hours added up would say 19:00
    cutoffs = [h for h in planted_truth(scenario) if h["kind"] == "after_hours_backlog" and "WH-A" in h["locations"]]
    assert cutoffs and all(c["hours"][1] == 24.0 for c in cutoffs)
    # the log's side: a day crew's picks and one night's, read by weekday, keep midnight too
    day = [(d, h + 0.5) for d in range(6) for h in range(7, 17) for _ in range(20)]
    night = [(6, 22.5), (6, 23.5), (0, 0.5), (0, 3.5)] * 10
    weekdays, hours = zip(*(day + night), strict=True)
    assert workday_start(np.array(hours), np.array(weekdays)) == 0.0
    assert workday_start(np.array(hours)) != 0.0  # (what the hours alone would say)
    every_night = [(d, h + 0.5) for d in range(7) for h in (20, 21, 22, 23, 0, 1, 2, 3, 4, 5)] * 10
    weekdays, hours = zip(*every_night, strict=True)
    assert workday_start(np.array(hours), np.array(weekdays)) == 13.0
