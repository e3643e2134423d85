"""Scoring findings against planted truth: what a log lets the diagnosis see."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import REPO
from jxcsim.mining.findings import Finding, FindingKind
from jxcsim.mining.truth import MIN_CASES, expectations, habit_window, score_findings
from jxcsim.world.scenario import load_scenario, parse_scenario
from jxcsim.world.simulate import planted_truth
from jxcsim.world.planted import effective_cutoff

FRIDAY_EVENING = {"name": "fri", "kind": "physical_before_book", "movement": "issue", "locations": ["A", "B"],
                  "weekdays": [4], "hours": [17.0, 22.0], "p_never": 0.0}


def _loads(location: str, hours: list[int], weeks: int = 4, per_hour: int = 5) -> list[tuple]:
    """Loads at ``location`` on Fridays (2025-01-10 + weeks) at each of ``hours``, UTC."""
    rows = []
    for week in range(weeks):
        for hour in hours:
            for k in range(per_hour):
                t = pd.Timestamp("2025-01-10", tz="UTC") + pd.Timedelta(days=7 * week, hours=hour, minutes=10 * k)
                rows.append((f"{location}-{week}-{hour}-{k}", "physical_issue", location, t))
    return rows


def _log(rows: list[tuple], posted: bool = True) -> pd.DataFrame:
    """The movements, each posted an hour later (unless not ``posted``)."""
    book = {"physical_issue": "book_issue", "physical_receipt": "book_receipt"}
    postings = [(c, book[sem], loc, t + pd.Timedelta(hours=1)) for c, sem, loc, t in rows] if posted else []
    return pd.DataFrame(rows + postings, columns=["case:concept:name", "semantic", "location", "time:timestamp"])


def _finding(location: str, hours: list[float], kind: FindingKind = FindingKind.PHYSICAL_BEFORE_BOOK,
             weekday: int | None = 4) -> Finding:
    return Finding(kind, ["Load", "Post"], location, weekday, hours, 40, 3.0, 0.1, None, 1e-9, [],
                   f"{location} {hours}")


def test_a_habit_whose_window_saw_too_few_movements_is_unobservable_not_missed():
    log = _log(_loads("A", [17, 18, 19]) + _loads("B", [18], weeks=1, per_hour=MIN_CASES - 1))
    cases = {e["location"]: e["cases"] for e in expectations([FRIDAY_EVENING], log, timezone="UTC")}
    assert cases == {"A": 60, "B": MIN_CASES - 1}
    score = score_findings([_finding("A", [17.0, 20.0])], [FRIDAY_EVENING], frame=log, timezone="UTC")
    assert (score["expected"], score["found"], score["false_alarms"]) == (1, 1, 0)
    assert [(u["location"], u["cases"]) for u in score["unobservable"]] == [("B", MIN_CASES - 1)]
    # found even so (a day-level finding), it is no false alarm either
    score = score_findings([_finding("B", [17.0, 20.0])], [FRIDAY_EVENING], frame=log, timezone="UTC")
    assert score["false_alarms"] == 0 and score["unobservable"][0]["found"]
    # without the log nothing is known to be unobservable
    assert score_findings([], [FRIDAY_EVENING])["expected"] == 2


def test_a_few_movements_at_the_edge_apart_from_the_rest_do_not_stretch_the_span():
    """A Saturday-morning habit from 06:00 whose loads start at 11:00, but for two stray loads at 06:00
    with nothing at 07:00-10:00: the goods moved in 11:00-14:00, where the finding's window is."""
    habit = {"movement": "issue", "weekdays": [4], "hours": [6.0, 14.0]}
    log = _log(_loads("A", [11, 12, 13]) + _loads("A", [6], weeks=1, per_hour=2))
    assert habit_window(log, habit, "A", timezone="UTC")[1] == [11.0, 14.0]
    # as many at 06:00 as the fewest cases a test takes: they stretch it
    log = _log(_loads("A", [11, 12, 13]) + _loads("A", [6], weeks=1, per_hour=MIN_CASES))
    assert habit_window(log, habit, "A", timezone="UTC")[1] == [6.0, 14.0]


def test_a_window_may_end_where_the_movements_ran_out_not_later_than_planted_plus_tolerance():
    log = _log(_loads("A", [17, 18, 19]) + _loads("A", [21], weeks=1, per_hour=1))  # one straggler at 21:00
    assert habit_window(log, FRIDAY_EVENING, "A", timezone="UTC") == (61, [17.0, 20.0], {4: 1.0})
    ran_out = _finding("A", [17.0, 20.0])
    assert score_findings([ran_out], [FRIDAY_EVENING], frame=log, timezone="UTC")["found"] == 1
    assert score_findings([ran_out], [FRIDAY_EVENING])["found"] == 0  # planted 17-22, no log: 2 h short
    too_late = _finding("A", [17.0, 23.5])
    assert score_findings([too_late], [FRIDAY_EVENING], frame=log, timezone="UTC")["false_alarms"] == 1


def test_a_day_level_finding_matches_a_habit_holding_nearly_all_the_days_movements():
    morning = {**FRIDAY_EVENING, "kind": "late_posting", "movement": "receipt", "hours": [6.0, 14.0]}
    rows = [(c, "physical_receipt", loc, t) for c, _, loc, t in _loads("A", [6, 7, 8]) + _loads("B", [6, 16, 17])]
    log = _log(rows)
    day = _finding("A", [0.0, 24.0], FindingKind.LATE_POSTING)
    day.details["granularity"] = "day"
    assert score_findings([day], [morning], frame=log, timezone="UTC")["hits"][0]["location"] == "A"
    b = _finding("B", [0.0, 24.0], FindingKind.LATE_POSTING)
    b.details["granularity"] = "day"  # at B two thirds of Friday's receipts come at 16-18, outside the habit
    assert habit_window(log, morning, "B", timezone="UTC")[2] == {4: pytest.approx(1 / 3)}
    assert score_findings([b], [morning], frame=log, timezone="UTC")["false_alarms"] == 1


def test_movements_never_posted_give_no_lag_to_see():
    log = _log(_loads("A", [17, 18]), posted=False)
    assert habit_window(log, FRIDAY_EVENING, "A", timezone="UTC")[0] == 0


def test_the_log_time_zone_places_the_window():
    log = _log(_loads("A", [9, 10, 11]))  # 17:00-20:00 in Shanghai
    assert habit_window(log, FRIDAY_EVENING, "A", timezone="Asia/Shanghai")[0] == 60
    assert habit_window(log, FRIDAY_EVENING, "A", timezone="UTC")[0] == 0


def test_an_absence_others_cover_is_optional_found_or_not():
    data = load_scenario(REPO / "scenarios" / "baseline.yaml").model_dump(mode="json")
    data["staff"]["Xu Ming"] = {"role": "credit_approver", "shift": "office", "absent_weekdays": [2]}
    truth = planted_truth(parse_scenario(data))
    approvals = {t["name"]: t for t in truth if t["kind"] == "approval_bottleneck"}
    assert [m for m, t in approvals.items() if not t.get("optional")] == []  # no day without an approver
    optional = {t["name"]: t["weekdays"] for t in approvals.values() if t.get("optional")}
    assert optional == {"Chen Jing absent (others cover)": [1], "Xu Ming absent (others cover)": [2]}
    monday = _finding(None, None, FindingKind.APPROVAL_BOTTLENECK, weekday=1)
    score = score_findings([monday], truth)
    assert score["false_alarms"] == 0 and [o["name"] for o in score["optional"] if o["found"]] == [
        "Chen Jing absent (others cover)"]
    assert all(not t.get("optional") for t in planted_truth(load_scenario(REPO / "scenarios" / "baseline.yaml"))
               if t["kind"] == "approval_bottleneck")


def test_an_absence_too_few_held_orders_waited_over_is_unobservable():
    boss = {"name": "boss absent", "kind": "approval_bottleneck", "locations": None, "weekdays": [5], "hours": None}
    quiet = _log(_loads("A", [10]))  # no order was ever held
    score = score_findings([], [boss], frame=quiet, timezone="UTC")
    assert score["expected"] == 0 and [u["cases"] for u in score["unobservable"]] == [0]
    def holds(n: int) -> pd.DataFrame:  # n held orders pending over a Saturday (Friday to Monday)
        rows = [(f"H{k}", sem, None, pd.Timestamp("2025-01-10 15:00", tz="UTC") + pd.Timedelta(days=7 * k, hours=h))
                for k in range(n) for sem, h in (("credit_hold", 0), ("credit_approved", 66))]
        return pd.concat([quiet, _log(rows, posted=False)], ignore_index=True)

    # fewer than min_obs (10) pending requests: the approval analysis cannot test the absence
    sparse = score_findings([], [boss], frame=holds(8), timezone="UTC")
    assert sparse["expected"] == 0 and [u["cases"] for u in sparse["unobservable"]] == [8]
    assert score_findings([], [boss], frame=holds(12), timezone="UTC")["misses"][0]["name"] == "boss absent"


def test_hours_drivers_load_without_a_clerk_are_an_optional_truth_any_window_within_matches():
    data = load_scenario(REPO / "scenarios" / "baseline.yaml").model_dump(mode="json")
    data["shifts"]["yard"] = {"days": [0, 1, 2, 3, 4, 5], "start": 8.0, "end": 12.0}  # drivers stay until 18:00
    truth = [t for t in planted_truth(parse_scenario(data)) if t["name"] == "loads while no clerk is on shift"]
    # (and finish the loads they began before 18:00: three mean loads of 0.3 h, until 18:54)
    assert [(t["locations"], t["weekdays"], t["hours"], t["optional"]) for t in truth] == [
        (["WH-A"], [0, 1, 2, 3, 4, 5], [12.0, 19.0], True), (["WH-B"], [0, 1, 2, 3, 4, 5], [12.0, 19.0], True)]
    inside, beyond = _finding("WH-A", [13.0, 16.0]), _finding("WH-A", [10.0, 16.0])
    inside.weekday = beyond.weekday = 2
    score = score_findings([inside, beyond], truth)
    assert score["expected"] == 0 and score["false_alarms"] == 1 and score["false_alarm_summaries"] == [beyond.summary]


def test_a_late_crews_loads_after_midnight_are_hours_without_a_clerk_on_the_next_day():
    data = load_scenario(REPO / "scenarios" / "baseline.yaml").model_dump(mode="json")
    data["shifts"]["drivers"] = {"days": [0, 1, 2, 3, 4, 5], "start": 14.0, "end": 24.0}
    data["shifts"]["yard"] = {"days": [0, 1, 2, 3, 4, 5], "start": 7.0, "end": 19.0}
    truth = [t for t in planted_truth(parse_scenario(data))
             if t["name"] == "loads while no clerk is on shift" and t["locations"] == ["WH-A"]]
    # the evening's hours on the shift's days, and the loads finished after midnight on the days after them
    assert [(t["weekdays"], t["hours"]) for t in truth] == [([0, 1, 2, 3, 4, 5], [19.0, 24.0]),
                                                           ([1, 2, 3, 4, 5, 6], [0.0, 1.0])]
    after_midnight = _finding("WH-A", [0.0, 1.0])
    after_midnight.weekday = 1  # a Monday night's loads, on Tuesday's calendar day
    assert score_findings([after_midnight], truth)["false_alarms"] == 0


def test_receipts_as_the_night_clerks_leave_may_wait_for_their_next_shift():
    """A receipt unloaded as the night clerk leaves at 06:00 is posted at 20:00: an optional truth on
    the mornings a shift ends, by calendar day, not on the closed Wednesday's Thursday."""
    scenario = load_scenario(REPO / "scenarios" / "examples" / "night_fulfilment_nz.yaml",
                             changes=[REPO / "scenarios" / "changes" / "no_habits.yaml"])
    truth = [t for t in planted_truth(scenario) if t["name"] == "receipts as the clerks leave"]
    assert [(t["locations"], t["weekdays"], t["hours"], t["kind"]) for t in truth] == [
        (["AKL-NIGHT"], [0, 1, 2, 4, 5, 6], [6.0, 8.0], "late_posting"),
        (["HAM-2"], [0, 1, 2, 4, 5, 6], [6.0, 8.0], "late_posting")]
    sunday_morning = _finding("HAM-2", [5.0, 7.0], FindingKind.LATE_POSTING, weekday=6)
    thursday_morning = _finding("HAM-2", [5.0, 7.0], FindingKind.LATE_POSTING, weekday=3)
    score = score_findings([sunday_morning, thursday_morning], planted_truth(scenario))
    assert score["false_alarm_summaries"] == [thursday_morning.summary]


def test_a_day_level_finding_is_judged_by_the_share_of_its_own_weekday():
    two_mornings = {"name": "mornings", "kind": "late_posting", "movement": "receipt", "locations": ["A"],
                    "weekdays": [3, 4], "hours": [6.0, 10.0], "p_never": 0.0}
    thursday = [(c.replace("A-", "T-"), "physical_receipt", "A", t - pd.Timedelta(days=1))
                for c, _, _, t in _loads("A", [7, 15, 16])]  # a third of Thursday's receipts in the hours
    friday = [(c, "physical_receipt", "A", t) for c, _, _, t in _loads("A", [7, 8])]  # all of Friday's
    log = _log(thursday + friday)
    assert habit_window(log, two_mornings, "A", timezone="UTC")[2] == {3: pytest.approx(1 / 3), 4: 1.0}
    day = {}
    for weekday in (3, 4):
        day[weekday] = _finding("A", [0.0, 24.0], FindingKind.LATE_POSTING, weekday=weekday)
        day[weekday].details["granularity"] = "day"
    assert score_findings([day[4]], [two_mornings], frame=log, timezone="UTC")["found"] == 1
    assert score_findings([day[3]], [two_mornings], frame=log, timezone="UTC")["false_alarms"] == 1


def test_approvers_away_together_are_one_truth_and_days_no_approver_works_are_optional():
    data = load_scenario(REPO / "scenarios" / "baseline.yaml").model_dump(mode="json")
    data["shifts"]["saturday_desk"] = {"days": [0, 1, 2, 3, 4, 5], "start": 8.5, "end": 17.5}
    data["staff"]["Li Na"]["shift"] = "saturday_desk"  # a sales clerk checks orders on Saturdays too
    data["staff"]["Xu Ming"] = {"role": "credit_approver", "shift": "office", "absent_weekdays": [1, 4]}
    approvals = {t["name"]: (t["weekdays"], bool(t.get("optional")))
                 for t in planted_truth(parse_scenario(data)) if t["kind"] == "approval_bottleneck"}
    assert approvals == {"Chen Jing and Xu Ming absent": ([1], False),  # Tuesday: nobody approves, one truth
                         "Xu Ming absent (others cover)": ([4], True),
                         "no approver works": ([5], True)}  # held on Saturday, decided on Monday
    saturday = _finding(None, None, FindingKind.APPROVAL_BOTTLENECK, weekday=5)
    assert score_findings([saturday], planted_truth(parse_scenario(data)))["false_alarms"] == 0


def test_a_day_off_outside_the_approvers_shift_or_on_a_day_nothing_is_checked_plants_no_expected_truth():
    data = load_scenario(REPO / "scenarios" / "baseline.yaml").model_dump(mode="json")
    data["staff"]["Chen Jing"]["absent_weekdays"] = [5]  # Saturday: outside the office shift, and no sales then
    approvals = [t for t in planted_truth(parse_scenario(data)) if t["kind"] == "approval_bottleneck"]
    assert approvals == []
    data["shifts"]["saturday_desk"] = {"days": [0, 1, 2, 3, 4, 5], "start": 8.5, "end": 17.5}
    data["staff"]["Li Na"]["shift"] = "saturday_desk"  # orders are checked on Saturdays: nobody approves then
    approvals = {t["name"]: (t["weekdays"], bool(t.get("optional")))
                 for t in planted_truth(parse_scenario(data)) if t["kind"] == "approval_bottleneck"}
    assert approvals == {"no approver works": ([5], True)}
    data["staff"]["Li Na"]["shift"] = "office"
    data["staff"]["Chen Jing"].update(shift="saturday_desk", absent_weekdays=[5])  # her day off, nothing checked
    approvals = {t["name"]: (t["weekdays"], bool(t.get("optional")))
                 for t in planted_truth(parse_scenario(data)) if t["kind"] == "approval_bottleneck"}
    assert approvals == {"Chen Jing absent (no orders checked)": ([5], True)}


def test_receipts_before_a_clerks_day_off_are_an_optional_truth():
    data = load_scenario(REPO / "scenarios" / "baseline.yaml").model_dump(mode="json")
    data["staff"]["Lin Tao"]["absent_weekdays"] = [2]  # WH-B's only clerk is off on Wednesdays
    truth = [t for t in planted_truth(parse_scenario(data)) if t["name"] == "receipts before a clerk's day off"]
    assert [(t["locations"], t["weekdays"], t["kind"], t["optional"]) for t in truth] == [
        (["WH-B"], [1], "late_posting", True)]  # not Fridays: the weekend is no day off
    tuesday = _finding("WH-B", [0.0, 24.0], FindingKind.LATE_POSTING, weekday=1)
    thursday = _finding("WH-B", [0.0, 24.0], FindingKind.LATE_POSTING, weekday=3)
    assert score_findings([tuesday, thursday], truth)["false_alarm_summaries"] == [thursday.summary]


def test_late_receipts_before_the_weekend_are_an_optional_truth_of_the_afternoon():
    """Clerks work Monday to Saturday until 18:00: a receipt late on Saturday waits for Monday, as a
    Friday-to-Monday habit would; a finding of Saturday 15-18 is no false alarm, one of Saturday
    morning is."""
    truth = [t for t in planted_truth(load_scenario(REPO / "scenarios" / "baseline.yaml"))
             if t["name"] == "late receipts before the weekend"]
    assert [(t["locations"], t["weekdays"], t["hours"], t["optional"]) for t in truth] == [
        (["WH-A"], [5], [14.0, 24.0], True), (["WH-B"], [5], [14.0, 24.0], True)]
    late = _finding("WH-B", [15.0, 18.0], FindingKind.LATE_POSTING, weekday=5)
    morning = _finding("WH-B", [8.0, 10.0], FindingKind.LATE_POSTING, weekday=5)
    assert score_findings([late, morning], truth)["false_alarm_summaries"] == [morning.summary]


def test_a_cut_off_is_expected_only_where_the_warehouse_answers_earlier_orders_the_same_day():
    cutoff = {"name": "orders after cut-off wait overnight", "kind": "after_hours_backlog", "locations": ["W"],
              "weekdays": list(range(7)), "hours": [16.0, 24.0]}

    def log(morning_lag_h: float, days: int = 10, early_lag_h: float | None = None) -> pd.DataFrame:
        rows = []
        early = [] if early_lag_h is None else [(8, early_lag_h)]
        for day in range(days):
            for hour, lag in (*early, (9, morning_lag_h), (11, morning_lag_h), (19, 13.0)):
                t = pd.Timestamp("2025-01-06", tz="UTC") + pd.Timedelta(days=day, hours=hour)
                case = f"O{day}-{hour}"
                rows += [(case, "In", "order_received", "W", t),
                         (case, "Pick", "pick", "W", t + pd.Timedelta(hours=lag))]
        return pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "semantic", "location",
                                           "time:timestamp"])

    keeping_up = score_findings([], [cutoff], frame=log(1.0), timezone="UTC")
    assert keeping_up["expected"] == 1 and keeping_up["misses"][0]["name"] == cutoff["name"]
    behind = score_findings([], [cutoff], frame=log(26.0), timezone="UTC")  # even 09:00 orders wait a day
    assert behind["expected"] == 0
    # a third of the earlier orders answered the same day: their median wait is overnight too, no cut-off shows
    third = score_findings([], [cutoff], frame=log(26.0, early_lag_h=1.0), timezone="UTC")
    assert third["expected"] == 0 and third["unobservable"][0]["cases"] == 10
    assert behind["expected"] == 0 and [u["cases"] for u in behind["unobservable"]] == [10]
    sparse = score_findings([], [cutoff], frame=log(1.0, days=9), timezone="UTC")  # no half hour of ten late orders
    assert sparse["expected"] == 0 and [u["cases"] for u in sparse["unobservable"]] == [9]
    # the diagnosis's min_obs sets the fewest orders a half hour needs: run with 9, the cut-off is expected
    assert score_findings([], [cutoff], frame=log(1.0, days=9), timezone="UTC", min_obs=9)["expected"] == 1
    no_orders = log(1.0).assign(semantic="pick")  # no order received: nothing to see, no crash
    assert score_findings([], [cutoff], frame=no_orders, timezone="UTC")["expected"] == 0


def test_a_release_as_the_pickers_leave_does_not_count_towards_the_cut_off():
    data = load_scenario(REPO / "scenarios" / "baseline.yaml").model_dump(mode="json")
    data["handoffs"]["to_warehouse"] = {"mode": "batch", "times": [9.0, 11.0, 13.0, 15.0, 17.0]}
    data["handoffs"]["order_cutoff"] = 20.0
    data["shifts"]["warehouse"]["end"] = "15:00"  # the 15:00 batch meets no picker: picked the next morning
    cutoffs = {t["hours"][0] for t in planted_truth(parse_scenario(data))
               if t["kind"] == "after_hours_backlog" and not t["held"]}
    assert cutoffs == {13.0}


def test_a_night_crew_picking_the_evening_release_moves_the_cut_off_to_the_sales_office_closing():
    """WH-A's pickers work 22:00-06:00 and a batch goes out at 22:00: the afternoon's orders are picked
    that night, so only orders the sales office checks the next morning (after 17:30) wait a day."""
    data = load_scenario(REPO / "scenarios" / "baseline.yaml").model_dump(mode="json")
    data["shifts"]["night_pick"] = {"days": [0, 1, 2, 3, 4, 5], "start": 22.0, "end": 6.0}
    for member in data["staff"].values():
        if member["role"] == "picker" and member["location"] == "WH-A":
            member["shift"] = "night_pick"
    data["handoffs"]["to_warehouse"] = {"mode": "batch", "times": [8.0, 12.0, 22.0]}
    data["handoffs"]["order_cutoff"] = 23.0
    cutoffs = {tuple(t["locations"]): t["hours"][0] for t in planted_truth(parse_scenario(data))
               if t["kind"] == "after_hours_backlog" and not t["held"]}
    assert cutoffs == {("WH-A",): 17.5, ("WH-B",): 12.0}  # WH-B: day pickers, gone by the 22:00 batch
    data["shifts"]["night_pick"].update(days=list(range(7)), start=0.0, end=24.0)  # picking round the clock
    data["handoffs"]["to_warehouse"] = {"mode": "push", "times": []}
    assert effective_cutoff(parse_scenario(data), "WH-A") == 17.5  # still the checks: orders wait for sales


def test_a_window_inside_a_habits_hours_is_partial_not_a_false_alarm():
    """Friday 17-22 planted; a finding of Friday 17-18 at A found part of it (no false alarm, the
    habit still missed); the same hours on Thursday, or at C, are false alarms."""
    inside, thursday, elsewhere = _finding("A", [17.0, 18.0]), _finding("A", [17.0, 18.0], weekday=3), \
        _finding("C", [17.0, 18.0])
    score = score_findings([inside, thursday, elsewhere], [FRIDAY_EVENING])
    assert score["found"] == 0 and [m["location"] for m in score["misses"]] == ["A", "B"]
    assert score["partial"] == [{"name": "fri", "location": "A", "found": inside.summary, "rank": 1}]
    assert score["false_alarm_summaries"] == [thursday.summary, elsewhere.summary]


def test_a_habit_past_midnight_expects_its_never_posted_movements_once():
    data = load_scenario(REPO / "scenarios" / "baseline.yaml").model_dump(mode="json")
    data["posting"]["habits"] = {"fn": {"movement": "issue", "locations": ["WH-A"], "weekdays": ["Fri"],
                                        "hours": [22, 2], "p_never": 0.1}}
    data["shifts"]["night"] = {"days": ["Fri"], "start": "21:00", "end": "03:00"}
    data["staff"]["Night Driver"] = {"role": "driver", "location": "WH-A", "shift": "night"}
    names = [e["name"] for e in expectations(planted_truth(parse_scenario(data)))]
    assert names.count("fn (never posted)") == 1 and not any("after midnight) (never" in n for n in names)


def test_a_habit_posting_as_well_as_usual_plants_nothing():
    data = load_scenario(REPO / "scenarios" / "baseline.yaml").model_dump(mode="json")
    data["posting"]["habits"] = {"disciplined": {"movement": "issue", "weekdays": ["Tue"], "hours": [9, 12],
                                                 "p_move_before_post": 0.0},
                                 "as_usual": {"movement": "issue", "weekdays": ["Thu"], "hours": [9, 12]},
                                 "slow": {"movement": "issue", "weekdays": ["Fri"], "hours": [9, 12],
                                          "delay_h": {"dist": "exponential", "mean_h": 3.0}}}
    names = {t["name"] for t in planted_truth(parse_scenario(data))}
    assert "slow" in names and not names & {"disciplined", "as_usual"}


def test_the_cut_off_stays_expected_where_held_orders_meet_the_same_one():
    """Every order held: with no cut-off of their own for held orders (the same hour), the one
    cut-off is expected; where a held one exists, that one is, and the other is optional."""
    rows = []
    for day in range(6):
        for hour in (9, 10, 11, 19, 20, 21):
            t = pd.Timestamp("2025-01-06", tz="UTC") + pd.Timedelta(days=day, hours=hour)
            pick = t + pd.Timedelta(hours=1) if hour < 17 else t.normalize() + pd.Timedelta(days=1, hours=8)
            case = f"O{day}-{hour}"
            rows += [(case, "order_received", "W", t), (case, "credit_hold", "W", t + pd.Timedelta(minutes=5)),
                     (case, "pick", "W", pick)]
    frame = pd.DataFrame(rows, columns=["case:concept:name", "semantic", "location", "time:timestamp"])
    frame["concept:name"] = frame["semantic"]
    cutoff = {"name": "orders after cut-off wait overnight", "kind": "after_hours_backlog", "locations": ["W"],
              "weekdays": list(range(7)), "hours": [17.0, 24.0], "held": False}
    alone = expectations([cutoff], frame, timezone="UTC")
    assert [e.get("optional", False) for e in alone] == [False]
    held = {**cutoff, "name": "held orders after cut-off wait overnight", "hours": [12.0, 24.0], "held": True,
            "optional": True}
    both = {e["name"]: e.get("optional") for e in expectations([cutoff, held], frame, timezone="UTC")}
    assert both == {"orders after cut-off wait overnight": True, "held orders after cut-off wait overnight": False}


def test_an_edge_hour_next_to_the_rest_is_kept_however_sparse():
    habit = {"movement": "issue", "weekdays": [4], "hours": [6.0, 14.0]}
    log = _log(_loads("A", [7, 9, 11], weeks=1, per_hour=3))  # sparse hours, one empty hour between each
    assert habit_window(log, habit, "A", timezone="UTC")[1] == [7.0, 12.0]


def test_an_absence_of_two_days_needs_enough_pending_requests_on_one_of_them():
    """Six holds pending over a Tuesday and six over a Thursday: twelve in all, but the approval
    analysis tests each absence day on its own, and neither day has ten."""
    boss = {"name": "boss absent", "kind": "approval_bottleneck", "locations": None, "weekdays": [1, 3],
            "hours": None}
    rows = []
    for k in range(6):
        for day in (1, 3):  # Tuesday and Thursday holds, decided the next morning
            t = pd.Timestamp("2025-01-06 15:00", tz="UTC") + pd.Timedelta(days=7 * k + day)
            rows += [(f"H{k}{day}", "credit_hold", None, t), (f"H{k}{day}", "credit_approved", None,
                                                                t + pd.Timedelta(hours=18))]
    frame = pd.concat([_log(_loads("A", [10])), _log(rows, posted=False)], ignore_index=True)
    score = score_findings([], [boss], frame=frame, timezone="UTC")
    assert score["expected"] == 0 and [u["cases"] for u in score["unobservable"]] == [12]
