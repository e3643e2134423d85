"""Story tests of the analyses beyond posting lags: backlog, approvals, rework, hand-offs, folding."""

from __future__ import annotations

import doctest
from dataclasses import replace
import importlib

import numpy as np
import pandas as pd
import pytest
from conftest import shared_file

from jxcsim.mining.approval import find_approval_bottlenecks, hours_on_weekdays, resource_presence
from jxcsim.mining.backlog import find_after_hours_backlog
from jxcsim.mining.diagnose import _fold_explained, add_health_effects, diagnose
from jxcsim.mining.findings import Finding, FindingKind, rank_findings
from jxcsim.mining.handoffs import directly_follows, find_handoff_windows, find_slow_handoffs
from jxcsim.mining.lag import merge_daily
from jxcsim.mining.rework import find_rework, rework_occurrences

CASE, ACT, TS, SEM, RES = "case:concept:name", "concept:name", "time:timestamp", "semantic", "org:resource"
MONDAY = pd.Timestamp("2025-01-06", tz="UTC")


@pytest.mark.parametrize("module", ["common", "backlog", "approval", "rework", "handoffs", "diagnose", "findings",
                                    "unposted", "heatmap", "lag"])
def test_docstring_examples_run(module):
    result = doctest.testmod(importlib.import_module(f"jxcsim.mining.{module}"), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


# ---------------------------------------------------------------- after-hours backlog


def _orders(cutoff_h, *, days=14, locations=("A", "B"), tz_shift_h=0.0, response="pick"):
    rows = []
    for day in range(days):
        for loc in locations:
            for minute in range(7 * 60, 23 * 60, 15):
                case = f"{loc}{day}-{minute}"
                t = MONDAY + pd.Timedelta(days=day, minutes=minute - 60 * tz_shift_h)
                local_day = MONDAY + pd.Timedelta(days=day, hours=-tz_shift_h)
                late = minute >= cutoff_h * 60
                done = local_day + pd.Timedelta(days=1, hours=8) if late else t + pd.Timedelta(hours=1.5)
                rows += [(case, "Order in", "order_received", t, loc), (case, "Respond", response, done, loc)]
    return pd.DataFrame(rows, columns=[CASE, ACT, SEM, TS, "location"])


def test_backlog_per_location_in_local_time():
    frame = _orders(16.5, tz_shift_h=8.0)
    found = find_after_hours_backlog(frame, timezone="+08:00")
    assert sorted((f.location, f.hours) for f in found) == [("A", [16.5, 24.0]), ("B", [16.5, 24.0])]
    f = found[0]
    assert f.kind is FindingKind.AFTER_HOURS_BACKLOG and f.weekday is None and f.activities == ["Order in", "Respond"]
    assert f.cases == 14 * 26 and f.baseline_h == pytest.approx(1.5) and f.effect_h > 10
    assert f.q_value < 1e-6 and f.details["share_overnight"] == 1.0 and len(f.case_ids) == f.cases
    assert "after 16:30" in f.summary
    # read in UTC the cut-off moves by the offset (and wraps: no window reaches midnight)
    assert all(g.hours != [16.5, 24.0] for g in find_after_hours_backlog(frame, timezone="UTC"))


def test_backlog_needs_a_daytime_and_the_semantics():
    everything_waits = _orders(0.0)
    assert find_after_hours_backlog(everything_waits, timezone="UTC") == []
    nothing_waits = _orders(24.0)
    assert find_after_hours_backlog(nothing_waits, timezone="UTC") == []
    assert find_after_hours_backlog(_orders(17.0).drop(columns=SEM), timezone="UTC") == []
    # allocate stands in when the log has no pick
    alloc = find_after_hours_backlog(_orders(17.0, response="allocate"), timezone="UTC")
    assert [f.hours for f in alloc] == [[17.0, 24.0], [17.0, 24.0]]
    assert alloc[0].details["response_semantic"] == "allocate"


def test_a_cut_off_is_judged_without_the_waits_over_days_the_warehouse_is_closed():
    """The warehouse picks on Mondays to Wednesdays only, orders come every day: most orders before the
    17:00 cut-off (Thursday to Sunday's) wait for Monday, so all earlier orders' median wait is
    longer than the cut-off's one night. Judged on the orders of Mondays and Tuesdays, it shows."""
    rows = []
    for day in range(28):
        for minute in range(8 * 60, 22 * 60, 30):
            case, t = f"O{day}-{minute}", MONDAY + pd.Timedelta(days=day, minutes=minute)
            if day % 7 < 3 and minute < 17 * 60:
                done = t + pd.Timedelta(hours=1)
            else:  # the next Monday to Wednesday, at 08:00
                ahead = next(k for k in range(1, 8) if (day + k) % 7 < 3)
                done = MONDAY + pd.Timedelta(days=day + ahead, hours=8)
            rows += [(case, "Order in", "order_received", t, "A"), (case, "Pick", "pick", done, "A")]
    frame = pd.DataFrame(rows, columns=[CASE, ACT, SEM, TS, "location"])
    found = find_after_hours_backlog(frame, timezone="UTC")
    assert [(f.location, f.hours) for f in found] == [("A", [17.0, 24.0])]
    assert found[0].baseline_h > 24  # reported over every order, days off included
    f = found[0]
    if f.effect_h <= f.baseline_h:  # the means say the late orders wait less: the sentence leads with the medians
        assert "in the median case" in f.summary and f.details["median_h"] > 2 * f.details["median_before_h"]


def test_a_small_firms_cut_off_starts_at_the_sparse_hours_before_the_busy_evening():
    """A week of orders: a few per half hour from 12:00 (seven each, too few to test), more from 14:00;
    all after 12:00 wait a night: the cut-off is 12:00, not the first half hour with ten orders
    (14:00). A sparse half hour whose orders are mostly answered the same day stops it."""
    def frame(prompt_at_13: bool) -> pd.DataFrame:
        rows = []
        slots = [(m, 4) for m in range(8 * 60, 12 * 60, 30)] + [(m, 1) for m in range(12 * 60, 14 * 60, 30)] \
            + [(m, 2) for m in range(14 * 60, 18 * 60, 30)]
        for day in range(7):
            for minute, per in slots:
                for k in range(per):
                    case, t = f"O{day}-{minute}-{k}", MONDAY + pd.Timedelta(days=day, minutes=minute + k)
                    late = minute >= 12 * 60 and not (prompt_at_13 and minute == 13 * 60 and day % 2 == 0)
                    done = MONDAY + pd.Timedelta(days=day + 1, hours=8) if late else t + pd.Timedelta(hours=1)
                    rows += [(case, "Order in", "order_received", t, "A"), (case, "Pick", "pick", done, "A")]
        return pd.DataFrame(rows, columns=[CASE, ACT, SEM, TS, "location"])

    assert [f.hours for f in find_after_hours_backlog(frame(False), timezone="UTC")] == [[12.0, 24.0]]
    assert [f.hours for f in find_after_hours_backlog(frame(True), timezone="UTC")] == [[13.5, 24.0]]


# ---------------------------------------------------------------- approvals


def _holds(approver_days, *, weeks=6, slow_day=1, resource=True, clerk="clerk"):
    rows = []
    for week in range(weeks):
        for day in range(5):
            for k in range(4):
                case = f"S{week}{day}{k}"
                t = MONDAY + pd.Timedelta(days=7 * week + day, hours=9 + 2 * k)
                wait = 24.0 + k if day == slow_day else 1.0 + 0.1 * k
                decided = t + pd.Timedelta(hours=wait)
                who = "Chen" if decided.weekday() in approver_days else "Deputy"
                rows += [(case, "Hold", "credit_hold", t, "system"), (case, "OK", "credit_approved", decided, who)]
            rows.append((f"X{week}{day}", "Other", "order_received", MONDAY + pd.Timedelta(days=7 * week + day,
                                                                                       hours=8), clerk))
    frame = pd.DataFrame(rows, columns=[CASE, ACT, SEM, TS, RES])
    return frame if resource else frame.drop(columns=RES)


def test_absent_approver_explains_the_slow_weekday():
    frame = _holds(approver_days={0, 2, 3, 4})
    found = find_approval_bottlenecks(frame, timezone="UTC")
    assert [(f.kind, f.weekday, f.hours, f.details["absent"]) for f in found] == [
        (FindingKind.APPROVAL_BOTTLENECK, 1, None, ["Chen"])]
    assert found[0].cases == 24 and found[0].effect_h == pytest.approx(25.5)
    assert "Chen, who makes 100% of the decisions, never works on Tuesdays (nobody decides then)" in found[0].summary
    assert found[0].details["nobody_decides"] is True
    presence = resource_presence(frame, timezone="UTC")
    assert presence.loc["Chen", 1] == 0.0 and presence.loc["Chen", 0] == 1.0


def test_slow_weekday_without_an_absence_is_a_plain_bottleneck():
    # Chen is at work on Tuesdays (doing other things) and still leaves the holds for Wednesday
    present = find_approval_bottlenecks(_holds(approver_days={0, 2, 3, 4}, clerk="Chen"), timezone="UTC")
    no_resources = find_approval_bottlenecks(_holds(approver_days={0, 2, 3, 4}, resource=False), timezone="UTC")
    for found in (present, no_resources):
        assert [(f.kind, f.weekday) for f in found] == [(FindingKind.BOTTLENECK, 1)]
    assert find_approval_bottlenecks(_holds(approver_days={0, 2, 3, 4}, slow_day=9), timezone="UTC") == []



def _office_holds(approver_days, *, weeks=8):
    """Holds raised on working days 09:00-17:00 (Mon-Fri), each decided at the approver's next
    working half hour (09:00-17:00 on ``approver_days``): Friday holds of a Mon-Fri office wait
    over the weekend, holds pending on a day the approver is away wait a day more."""
    rows, decision_slots = [], []
    for week in range(weeks + 2):
        for day in approver_days:
            decision_slots += [MONDAY + pd.Timedelta(days=7 * week + day, hours=9 + h / 2) for h in range(16)]
    slots = pd.Series(sorted(decision_slots))
    for week in range(weeks):
        for day in range(5):
            for k in range(4):
                case = f"H{week}{day}{k}"
                t = MONDAY + pd.Timedelta(days=7 * week + day, hours=9.25 + 2 * k)
                decided = slots[slots >= t + pd.Timedelta(hours=1)].iloc[0]
                rows += [(case, "Hold", "credit_hold", t, "system"), (case, "OK", "credit_approved", decided, "Chen")]
            rows.append((f"X{week}{day}", "Other", "order_received", MONDAY + pd.Timedelta(days=7 * week + day,
                                                                                       hours=8), "clerk"))
    return pd.DataFrame(rows, columns=[CASE, ACT, SEM, TS, RES])


def test_an_absence_next_to_the_weekend_is_found_and_the_weekend_is_not_a_bottleneck():
    # the only approver never works on Fridays: what is pending on Friday waits for Monday
    friday = find_approval_bottlenecks(_office_holds({0, 1, 2, 3}), timezone="UTC")
    assert [(f.kind, f.weekday, f.details["absent"]) for f in friday] == [
        (FindingKind.APPROVAL_BOTTLENECK, 4, ["Chen"])]
    assert friday[0].details["not_counted_weekdays"] == [5, 6]
    assert friday[0].summary.endswith("(not counting Saturdays and Sundays, when no such requests are raised).")
    assert friday[0].effect_h > 20 > friday[0].baseline_h  # a lost day, counted in the process's own hours
    # the same on Mondays
    monday = find_approval_bottlenecks(_office_holds({1, 2, 3, 4}), timezone="UTC")
    assert [(f.kind, f.weekday) for f in monday] == [(FindingKind.APPROVAL_BOTTLENECK, 0)]
    # an approver at work all week: Friday afternoon's holds wait over the weekend, which is no finding
    assert find_approval_bottlenecks(_office_holds({0, 1, 2, 3, 4}), timezone="UTC") == []


def test_a_weekend_approver_is_not_absent_on_the_weekdays_someone_else_decides():
    # Chen decides Mon-Fri, "Weekend" on Sat-Sun; holds on Wed-Fri come in fewer than half of the
    # weeks, so the days the process "runs" are Mon, Tue, Sat, Sun. Tuesday's holds queue into the
    # evening: a slow weekday, but not Weekend's absence (Tuesday is outside its week)
    rows = []
    for week in range(8):
        for day in range(7):
            if day in (2, 3, 4) and week > 2:
                continue
            for k in range(4):
                case = f"H{week}{day}{k}"
                t = MONDAY + pd.Timedelta(days=7 * week + day, hours=9 + 2 * k)
                wait = 6.0 + k if day == 1 else 1.0 + 0.1 * k
                who = "Weekend" if day in (5, 6) else "Chen"
                rows += [(case, "Hold", "credit_hold", t, "system"),
                         (case, "OK", "credit_approved", t + pd.Timedelta(hours=wait), who)]
    found = find_approval_bottlenecks(pd.DataFrame(rows, columns=[CASE, ACT, SEM, TS, RES]), timezone="UTC")
    assert [(f.kind, f.weekday) for f in found] == [(FindingKind.BOTTLENECK, 1)]


def test_two_absence_days_are_each_measured_against_the_untouched_requests():
    # away on Mondays and Wednesdays: what waits over one absence is not the other's baseline
    found = find_approval_bottlenecks(_office_holds({1, 3, 4}), timezone="UTC")
    assert sorted((f.kind, f.weekday) for f in found) == [(FindingKind.APPROVAL_BOTTLENECK, 0),
                                                          (FindingKind.APPROVAL_BOTTLENECK, 2)]
    assert all(f.baseline_h < 2 < 20 < f.effect_h for f in found)  # the untouched requests wait about an hour


def test_a_weekend_with_a_clock_change_counts_as_the_wall_clock_shows():
    """Friday 12:00 to Monday 10:00 across the end of daylight saving: 22 working hours, not 23."""
    from jxcsim.mining.approval import _Kind, _requests

    rows = []
    for week in range(4):  # the process runs Mon-Fri: four weeks of holds, decided the same day
        for day in range(5):
            t = pd.Timestamp("2024-10-07 10:00", tz="Europe/Berlin") + pd.Timedelta(days=7 * week + day)
            rows += [(f"H{week}{day}", "Hold", "credit_hold", t.tz_convert("UTC"), "system"),
                     (f"H{week}{day}", "OK", "credit_approved", (t + pd.Timedelta(hours=1)).tz_convert("UTC"), "Chen")]
    friday = pd.Timestamp("2024-10-25 12:00", tz="Europe/Berlin")
    monday = pd.Timestamp("2024-10-28 10:00", tz="Europe/Berlin")  # 71 h later: the clock went back on Sunday
    rows += [("X", "Hold", "credit_hold", friday.tz_convert("UTC"), "system"),
             ("X", "OK", "credit_approved", monday.tz_convert("UTC"), "Chen")]
    frame = pd.DataFrame(rows, columns=[CASE, ACT, SEM, TS, RES])
    waits = _requests(frame, "credit_hold", ("credit_approved", "credit_rejected"), "Europe/Berlin")
    kind = _Kind(frame, "credit_hold", ("credit_approved", "credit_rejected"), waits)
    assert kind.idle == [5, 6] and waits.loc["X", "wait_h"] == pytest.approx(71.0)
    assert kind.working_h[list(waits.index).index("X")] == pytest.approx(22.0)


def test_hours_on_weekdays():
    start = np.array([24.0 + 12, 0.0, 5 * 24.0])  # Fri 1970-01-02 12:00; Thu 00:00; Tue 00:00
    end = np.array([24.0 + 12 + 72, 14 * 24.0, 5 * 24.0 + 3])
    assert hours_on_weekdays(start, end, [5, 6]).tolist() == [48.0, 4 * 24.0, 0.0]
    assert hours_on_weekdays(start, end, []).tolist() == [0.0, 0.0, 0.0]


# ---------------------------------------------------------------- rework


def test_rework_is_a_loop_not_a_repeat_and_lines_are_separate():
    rows = []
    for i in range(30):
        t = MONDAY + pd.Timedelta(hours=i)
        # per-line allocation (line 1 of every third order is backordered first); the order is
        # confirmed between the two lines' allocations
        steps = ["Allocate", "Backorder", "Allocate"] if i % 3 == 0 else ["Allocate"]
        rows += [(f"O{i}", a, t + pd.Timedelta(minutes=10 * k), 1) for k, a in enumerate(steps)]
        rows += [(f"O{i}", "Confirm", t + pd.Timedelta(minutes=5), None), (f"O{i}", "Allocate", t + pd.Timedelta(minutes=8), 2)]
        rows += [(f"O{i}", "Ship", t + pd.Timedelta(hours=2), None), (f"O{i}", "Ship", t + pd.Timedelta(hours=2.1), None)]
    frame = pd.DataFrame(rows, columns=[CASE, ACT, TS, "line"])
    loops = rework_occurrences(frame)
    assert set(loops["activity"]) == {"Allocate"} and len(loops) == 10 and set(loops["before"]) == {"Backorder"}
    found = find_rework(frame)
    assert [(f.activities, f.cases) for f in found] == [(["Backorder", "Allocate"], 10)]
    # without the line column, line 2's allocation after line 1's would look like a loop
    assert len(rework_occurrences(frame.drop(columns="line"))) == 40


def test_a_second_shipment_is_no_rework_but_a_redelivery_of_the_same_one_is():
    rows = []
    for i in range(60):
        t = MONDAY + pd.Timedelta(hours=i)
        shipments = ["DL-1", "DL-2"] if i % 2 else ["DL-1"]  # half the orders ship a backorder later
        for k, dl in enumerate(shipments):
            rows += [(f"O{i}", "Pick", t + pd.Timedelta(hours=3 * k), dl),
                     (f"O{i}", "Deliver", t + pd.Timedelta(hours=3 * k + 1), dl)]
        if i % 5 == 0:  # refused at the door and delivered again: the same delivery twice
            rows += [(f"O{i}", "Call customer", t + pd.Timedelta(hours=7), None),
                     (f"O{i}", "Deliver", t + pd.Timedelta(hours=8), "DL-1")]
    frame = pd.DataFrame(rows, columns=[CASE, ACT, TS, "delivery"])
    assert [(f.activities, f.cases) for f in find_rework(frame)] == [(["Call customer", "Deliver"], 12)]
    assert len(rework_occurrences(frame.drop(columns="delivery"))) > 60  # without deliveries: every reshipment


def test_one_loop_of_two_activities_is_one_finding():
    rows = []
    for i in range(40):
        steps = ["Check", "Fix", "Check", "Fix", "Done"] if i % 2 else ["Check", "Fix", "Done"]
        rows += [(f"C{i}", a, MONDAY + pd.Timedelta(hours=i + k)) for k, a in enumerate(steps)]
    found = find_rework(pd.DataFrame(rows, columns=[CASE, ACT, TS]))
    assert len(found) == 1 and found[0].cases == 20
    assert {found[0].activities[1], *found[0].details["also_repeated"]} == {"Check", "Fix"}


# ---------------------------------------------------------------- hand-offs


@pytest.mark.shared
def test_directly_follows_agrees_with_pm4py():
    import pm4py

    from jxcsim.eventlog import read_event_log

    frame = read_event_log(shared_file("running_example.xes")).frame
    pairs = directly_follows(frame)
    ours = pairs.groupby(["from", "to"]).size().to_dict()
    theirs, _, _ = pm4py.discover_dfg(frame[[CASE, ACT, TS]])
    assert ours == {k: v for k, v in theirs.items()}
    perf = pm4py.discover_performance_dfg(frame[[CASE, ACT, TS]])[0]
    means = pairs.groupby(["from", "to"])["lag_h"].mean()
    for edge, stats in perf.items():
        assert means[edge] * 3600 == pytest.approx(stats["mean"], rel=1e-9)


def _handoff_frame(slow):
    rows = []
    for week in range(4):
        for day in range(5):
            for hour in range(8, 18):
                for k in range(3):
                    case = f"C{week}{day}{hour}{k}"
                    t = MONDAY + pd.Timedelta(days=7 * week + day, hours=hour, minutes=5 * k)
                    wait = slow(day, hour) or 0.5 + 0.1 * k
                    rows += [(case, "Receive", t, "W1"), (case, "Check", t + pd.Timedelta(hours=wait), "W1"),
                             (case, "Check", t + pd.Timedelta(hours=wait + 0.1), "W1")]
    return pd.DataFrame(rows, columns=[CASE, ACT, TS, "location"])


def test_handoff_windows_and_daily_merge():
    one_day = find_handoff_windows(_handoff_frame(lambda d, h: 6.0 if d == 0 and h in (9, 10) else None),
                                   timezone="UTC")
    assert [(f.kind, f.location, f.weekday, f.hours, f.activities) for f in one_day] == [
        (FindingKind.BOTTLENECK, "W1", 0, [9.0, 11.0], ["Receive", "Check"])]
    with_qty = _handoff_frame(lambda d, h: 6.0 if d == 0 and h in (9, 10) else None).assign(qty=5.0)
    assert [f.stock_impact_qty for f in find_handoff_windows(with_qty, timezone="UTC")] == [None]  # no stock waits
    every_day = find_handoff_windows(_handoff_frame(lambda d, h: 6.0 if h >= 15 else None), timezone="UTC")
    assert [(f.weekday, f.hours, f.cases) for f in every_day] == [(None, [15.0, 18.0], 5 * 4 * 3 * 3)]
    assert every_day[0].details["weekdays"] == [0, 1, 2, 3, 4] and "on Mondays–Fridays 15:00–18:00" in every_day[0].summary
    # fewer weekdays than daily_after stay separate
    kept = merge_daily(one_day, daily_after=3)
    assert kept == one_day
    # a few waits of weeks elsewhere lift the rest's mean above the daily window's: the sentence leads
    # with the medians, which carry the finding, not with means that read as a speed-up
    slow = lambda d, h: 6.0 if h >= 15 else 300.0 if (d, h) == (0, 8) else None  # noqa: E731
    tails = find_handoff_windows(_handoff_frame(slow), timezone="UTC")
    daily = next(f for f in tails if f.weekday is None)
    assert daily.effect_h < daily.baseline_h and "after 6.0 h in the median case" in daily.summary


def test_a_daily_merge_is_not_widened_by_whole_day_windows():
    """07:00-08:00 on Tuesday to Thursday, 08:00-10:00 on Monday, and whole Saturdays and Sundays: the
    weekend days lift the hours covered to 07:00-10:00, which the one-hour windows share too little
    of; they still fold into one daily 07:00-08:00 window."""
    def window(day, a, b):
        return Finding(kind=FindingKind.BOTTLENECK, activities=["A", "B"], location="W", weekday=day, hours=[a, b],
                       cases=10, effect_h=3.0, baseline_h=0.5, stock_impact_qty=None, q_value=0.01, evidence=[],
                       summary="", details={"transition": "A -> B"})

    found = merge_daily([window(1, 7, 8), window(2, 7, 8), window(3, 7, 8), window(0, 8, 10), window(5, 0, 24),
                         window(6, 0, 24)], daily_after=3)
    assert sorted((f.weekday if f.weekday is not None else -1, f.hours) for f in found) == [
        (-1, [7.0, 8.0]), (0, [8, 10]), (5, [0, 24]), (6, [0, 24])]


def test_slowest_handoff_holds_most_of_the_waiting():
    frame = _handoff_frame(lambda d, h: None)
    rows = [(c, "Pay", t + pd.Timedelta(hours=100), "W1") for c, t in frame.groupby(CASE)[TS].max().items()]
    frame = pd.concat([frame, pd.DataFrame(rows, columns=[CASE, ACT, TS, "location"])], ignore_index=True)
    found = find_slow_handoffs(frame)
    assert [f.activities for f in found] == [["Check", "Pay"]]
    assert found[0].effect_h == pytest.approx(100.0) and found[0].details["share_of_waiting"] > 0.9
    assert found[0].tier == 2


@pytest.mark.shared
def test_perturbed_real_log_handoff_is_found():
    """Delay everything after 'prepare delivery' by 72 h for deliveries prepared on Tuesday 14:00-17:00."""
    from jxcsim.eventlog import read_event_log

    frame = read_event_log(shared_file("orders_interval.csv.gz")).frame
    before = find_handoff_windows(frame, timezone="UTC")
    pairs = directly_follows(frame)
    edge = pairs[(pairs["from"] == "prepare delivery") & (pairs["to"] == "make delivery")]
    t = edge["first_time"].dt.tz_convert("UTC")
    hit = set(edge.loc[(t.dt.weekday == 1) & (t.dt.hour >= 14) & (t.dt.hour < 17), "case"])
    assert len(hit) >= 20
    after = frame.copy()
    move = after[CASE].isin(hit) & \
        (after[TS] > after[CASE].map(frame[frame[ACT] == "prepare delivery"].groupby(CASE)[TS].min()))
    after.loc[move, TS] = after.loc[move, TS] + pd.Timedelta(hours=72)
    found = find_handoff_windows(after, timezone="UTC")
    hits = [f for f in found if f.activities == ["prepare delivery", "make delivery"] and f.weekday == 1
            and abs(f.hours[0] - 14) <= 1 and abs(f.hours[1] - 17) <= 1]
    assert hits, [f.summary for f in found]
    assert hits[0].effect_h > 72 and set(hits[0].case_ids) <= hit
    assert not [f for f in before if f.activities == ["prepare delivery", "make delivery"] and f.weekday == 1]


# ---------------------------------------------------------------- diagnose: folding, ranking, health


def _finding(kind, activities, location, weekday, hours, q=0.01, cases=10, effect=5.0):
    return Finding(kind, activities, location, weekday, hours, cases, effect, 1.0, None, q, [], "s")


def test_specific_findings_absorb_the_handoff_windows_they_explain():
    backlog = _finding(FindingKind.AFTER_HOURS_BACKLOG, ["Order in", "Pick"], "A", None, [16.5, 24.0])
    same = _finding(FindingKind.BOTTLENECK, ["Order in", "Check"], "A", 2, [18.0, 20.0])
    other_place = _finding(FindingKind.BOTTLENECK, ["Order in", "Check"], "B", 2, [18.0, 20.0])
    morning = _finding(FindingKind.BOTTLENECK, ["Order in", "Check"], "A", 2, [9.0, 11.0])
    unrelated = _finding(FindingKind.BOTTLENECK, ["Deliver", "Invoice"], "A", 2, [18.0, 20.0])
    after_pick = _finding(FindingKind.BOTTLENECK, ["Pick", "Post GI"], "A", 4, [17.0, 20.0])  # after the response
    weekend = _finding(FindingKind.BOTTLENECK, ["Order in", "Check"], "A", 5, [0.0, 24.0])  # nobody checks Saturdays
    kept = _fold_explained([same, other_place, morning, unrelated, after_pick, weekend], [backlog])
    assert kept == [other_place, morning, unrelated, after_pick, weekend] and backlog.details["explains"] == ["s"]
    # a wait between two steps inside the backlog's orders (credit check to allocation) is the cut-off too
    inside = replace(_finding(FindingKind.BOTTLENECK, ["Check", "Allocate"], "A", None, [16.0, 19.0]),
                     case_ids=("O1", "O2", "O3", "O4", "O5"))
    elsewhere = replace(inside, case_ids=("O1", "X2", "X3", "X4", "X5"))
    late = replace(backlog, case_ids=("O1", "O2", "O3", "O4", "O5", "O6"), details={})
    assert _fold_explained([inside, elsewhere], [late]) == [elsewhere] and late.details["explains"] == ["s"]


def test_ranking_puts_book_and_shelf_first():
    big_wait = _finding(FindingKind.BOTTLENECK, ["a", "b"], None, 1, [0, 24], cases=1000, effect=100.0)
    small_gap = _finding(FindingKind.PHYSICAL_BEFORE_BOOK, ["a", "b"], None, 1, [13, 18], cases=5, effect=2.0)
    rework = _finding(FindingKind.REWORK, ["a", "b"], None, None, None, q=None, cases=5000, effect=100.0)
    assert rank_findings([rework, big_wait, small_gap]) == [small_gap, big_wait, rework]


def test_health_effect_of_a_finding(tmp_path):
    from jxcsim.kpi.example import example_log

    frame = example_log()
    f = _finding(FindingKind.BOTTLENECK, ["a", "b"], None, None, None)
    f.case_ids = ("SO-2",)
    add_health_effects(frame, [f], min_rest=1)  # the example's few orders
    assert f.details["health_effect_h"]["order_review"] > 0  # SO-2 waited on credit
    add_health_effects(frame, [f])  # too few orders outside the finding to compare with
    assert f.details["health_effect_h"] == {}
    g = _finding(FindingKind.BOTTLENECK, ["a", "b"], None, None, None)
    add_health_effects(frame.drop(columns=SEM), [g])
    assert "health_effect_h" not in g.details


def test_diagnose_on_a_log_without_semantics_or_locations():
    rng = np.random.default_rng(0)
    rows = []
    for i in range(300):
        t = MONDAY + pd.Timedelta(hours=float(rng.uniform(0, 24 * 28)))
        for k, a in enumerate(["A", "B", "C"]):
            rows.append((f"c{i}", a, t + pd.Timedelta(hours=k * float(rng.exponential(2.0)))))
    found = diagnose(pd.DataFrame(rows, columns=[CASE, ACT, TS]), timezone=None)
    assert all(f.kind in (FindingKind.BOTTLENECK, FindingKind.REWORK) for f in found)


# ---------------------------------------------------------------- local time


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from jxcsim.eventlog.timezone import local_times  # noqa: E402
from jxcsim.mining.common import local_clock  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=2_000_000_000), min_size=1, max_size=50),
       st.sampled_from(["Asia/Shanghai", "Europe/Berlin", "America/New_York", "Asia/Kathmandu", "+05:30", "-03:00",
                        None]))
def test_local_clock_is_tz_convert(seconds, zone):
    ts = pd.Series(pd.to_datetime(np.array(seconds, dtype="int64") * 10**9 + 123_456_789, utc=True))
    day, weekday, hours = local_clock(ts, zone)
    local = local_times(ts, zone)
    naive = local.dt.tz_localize(None)
    assert weekday.tolist() == local.dt.weekday.tolist()
    assert np.floor(hours).astype(int).tolist() == local.dt.hour.tolist()
    assert (pd.to_datetime(day, unit="D") == naive.dt.normalize()).all()
    exact = naive.dt.hour + naive.dt.minute / 60 + (naive.dt.second + naive.dt.microsecond / 1e6) / 3600
    assert np.allclose(hours, exact.to_numpy(), atol=1e-6)


# ---------------------------------------------------------------- never posted


def _receipts(*, weeks=6, friday_delay_h=66.0, unposted=()):
    """Receipts Mon-Fri at 10:00 posted 0.5 h later, Friday ones on Monday; ``unposted``: (week, day) never posted."""
    rows = []
    for week in range(weeks):
        for day in range(5):
            case = f"PO-{week}-{day}"
            t = MONDAY + pd.Timedelta(days=7 * week + day, hours=10)
            rows.append((case, "Arrive", "physical_receipt", t, "S1", 5.0, "WH"))
            if (week, day) not in unposted:
                delay = friday_delay_h if day == 4 else 0.5
                rows.append((case, "Post", "book_receipt", t + pd.Timedelta(hours=delay), "S1", 5.0, "WH"))
    end = MONDAY + pd.Timedelta(days=7 * weeks - 1, hours=23)  # the log runs to Sunday night
    rows.append(("X", "Other", "alert", end, None, None, "WH"))
    return pd.DataFrame(rows, columns=[CASE, ACT, SEM, TS, "sku", "qty", "location"])


def test_never_posted_movements_with_their_grace():
    from jxcsim.mining.unposted import find_unposted

    frame = _receipts(unposted={(1, 2), (3, 0)})
    found = find_unposted(frame, timezone="UTC")
    assert [(f.kind, f.location, f.cases, f.stock_impact_qty) for f in found] == [
        (FindingKind.UNPOSTED_MOVEMENT, "WH", 2, 10.0)]
    assert sorted(m["case"] for m in found[0].details["movements"]) == ["PO-1-2", "PO-3-0"]
    assert found[0].effect_h == pytest.approx(66.0)  # the 99th percentile of the delays: the Fridays


def test_a_friday_receipt_still_waiting_for_monday_is_pending_not_lost():
    from jxcsim.mining.unposted import find_unposted

    # the last Friday's receipt is unposted at Sunday night (61 h old): Friday receipts take 66 h
    frame = _receipts(unposted={(5, 4)})
    assert find_unposted(frame, timezone="UTC") == []
    # an older Wednesday receipt is lost (85 h, beyond every grace)
    old = _receipts(unposted={(5, 2)})
    lost = find_unposted(old, timezone="UTC")
    assert [f.cases for f in lost] == [1]
    listed = lost[0].details["movements"][0]
    assert listed["unposted_h"] >= listed["grace_h"] and listed["unposted_h"] > 80  # its own age beside its grace
    # a fixed grace period overrides the learnt one, once the warehouse posts again: before, nothing says the
    # clerk is back (its last posting came before the receipt), and the receipt is pending
    assert find_unposted(frame, timezone="UTC", grace_h=48) == []
    back = pd.concat([frame, pd.DataFrame([("PO-Z", "Post", "book_receipt", frame[TS].max(), "S2", 1.0, "WH")],
                                          columns=frame.columns)], ignore_index=True)
    assert [f.effect_h for f in find_unposted(back, timezone="UTC", grace_h=48)] == [48.0]


def test_a_load_after_the_clerks_went_home_is_pending_until_the_location_posts_again():
    """A Friday 16:10 load where the clerk left at 16:00; the log ends on Sunday night, 55 h later."""
    from jxcsim.mining.unposted import find_unposted

    rows = []
    for week in range(4):
        for day in range(5):
            t = MONDAY + pd.Timedelta(days=7 * week + day, hours=9)
            rows += [(f"S-{week}-{day}", "Load", "physical_issue", t, "A", 1.0, "WH"),
                     (f"S-{week}-{day}", "Post", "book_issue", t + pd.Timedelta(hours=0.2), "A", 1.0, "WH")]
    friday = MONDAY + pd.Timedelta(days=7 * 3 + 4, hours=16, minutes=10)
    rows += [("LATE", "Load", "physical_issue", friday, "A", 4.0, "WH"),
             ("WEB", "Order", "order_received", friday + pd.Timedelta(hours=55), None, None, "WH")]
    frame = pd.DataFrame(rows, columns=[CASE, ACT, SEM, TS, "sku", "qty", "location"])
    assert find_unposted(frame, timezone="UTC") == []  # web orders came in, nobody posted anything
    monday = MONDAY + pd.Timedelta(days=7 * 4, hours=9)
    later = pd.concat([frame, pd.DataFrame([("M", "Post", "book_issue", monday + pd.Timedelta(hours=h), "A", 1.0, "WH")
                                            for h in (0, 26)], columns=frame.columns)], ignore_index=True)
    assert [f.cases for f in find_unposted(later, timezone="UTC")] == [1]  # posting went on without it


def test_findings_json_is_strict_json_and_a_backlog_on_allocate_or_loads_is_not_reported_as_not_run(tmp_path):
    import json

    import numpy as np

    from jxcsim.mining.diagnose import analyses_not_run
    from jxcsim.mining.findings import write_findings

    path = write_findings([], tmp_path / "findings.json", extra={"health": [{"mean_h": float("nan")},
                                                                           {"p90_h": np.float64("inf")}]})
    text = path.read_text()
    assert "NaN" not in text and json.loads(text)["health"] == [{"mean_h": None}, {"p90_h": None}]
    for response in ("allocate", "physical_issue"):
        assert "after-hours backlog" not in analyses_not_run(pd.DataFrame({"semantic": ["order_received", response]}))
    assert "after-hours backlog" in analyses_not_run(pd.DataFrame({"semantic": ["order_received"]}))


def test_a_step_the_log_runs_the_other_way_round_is_noted_and_left_out_of_health_effects():
    """Invoices issued two days before the delivery: 'invoicing' ends before it starts in every case."""
    from jxcsim.kpi.example import example_log
    from jxcsim.mining.diagnose import health_table

    frame = example_log()
    invoices = frame[SEM] == "invoice"
    frame.loc[invoices, TS] = frame.loc[invoices, TS] - pd.Timedelta(days=3)
    rows = {r["step"]: r for r in health_table(frame)}
    assert rows["invoicing"]["mean_h"] < 0 and "the other way round" in rows["invoicing"]["note"]
    assert "note" not in rows["order_review"]
    f = _finding(FindingKind.BOTTLENECK, ["a", "b"], None, None, None)
    f.case_ids = ("SO-1",)
    add_health_effects(frame, [f], min_rest=1)
    assert "invoicing" not in f.details["health_effect_h"] and f.details["health_effect_h"]


def test_a_stray_order_hours_before_the_evening_does_not_move_the_cut_off():
    """Orders 09-12 answered the same day, 17-20 the next morning, and one 13:10 order that waited:
    the empty hours between stop the run of sparse bins; the cut-off stays 17:00."""
    rows = []
    for day in range(10):
        for minute in [*range(9 * 60, 12 * 60, 15), *range(17 * 60, 20 * 60, 15)]:
            case, t = f"O{day}-{minute}", MONDAY + pd.Timedelta(days=day, minutes=minute)
            done = MONDAY + pd.Timedelta(days=day + 1, hours=8) if minute >= 17 * 60 else t + pd.Timedelta(hours=1)
            rows += [(case, "Order in", "order_received", t, "A"), (case, "Pick", "pick", done, "A")]
    stray = MONDAY + pd.Timedelta(days=3, hours=13, minutes=10)
    rows += [("S", "Order in", "order_received", stray, "A"), ("S", "Pick", "pick", stray + pd.Timedelta(hours=20), "A")]
    frame = pd.DataFrame(rows, columns=[CASE, ACT, SEM, TS, "location"])
    assert [f.hours for f in find_after_hours_backlog(frame, timezone="UTC")] == [[17.0, 24.0]]
