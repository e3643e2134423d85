"""Conditioned lags: windows of location × weekday × hour where a transition waits longer."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from jxcsim.mining.findings import Finding, FindingKind, write_findings
from jxcsim.mining.common import bh
from jxcsim.mining.cells import mwu_greater, rest_medians
from jxcsim.mining.lag import _windows, conditioned_lags

ROOT = Path(__file__).resolve().parents[1]
SHARED_LOG = ROOT.parent / "shared" / "eventlogs" / "orders_interval.csv.gz"
SEEDS = (1, 2, 3)
CASE, ACT, TS, SEM = "case:concept:name", "concept:name", "time:timestamp", "semantic"
MONDAY = pd.Timestamp("2025-01-06", tz="UTC")


# ---------------------------------------------------------------- hand-built frames


def _issue_frame(lag_of, *, weeks=4, per_hour=3, hours=range(8, 18), days=range(5), location=None,
                 lines=1, qty=None, tz_shift_h=0.0):
    """Issue movements and postings; ``lag_of(weekday, hour, k)`` gives each case's lag (h)."""
    rows = []
    for week in range(weeks):
        for day in days:
            for hour in hours:
                for k in range(per_hour):
                    case = f"SO-{week}-{day}-{hour}-{k}"
                    t = MONDAY + pd.Timedelta(days=7 * week + day, hours=hour - tz_shift_h, minutes=5 * k)
                    lag = lag_of(day, hour, k)
                    for line in range(lines):
                        extra = {"location": location} if location is not None else {}
                        if qty is not None:
                            extra["qty"] = qty
                        rows.append({CASE: case, ACT: "Load", SEM: "physical_issue", TS: t, "sku": f"S{line}",
                                     "line": line, **extra})
                        rows.append({CASE: case, ACT: "Post GI", SEM: "book_issue", TS: t + pd.Timedelta(hours=lag),
                                     "sku": f"S{line}", "line": line, **extra})
    return pd.DataFrame(rows)


def _noise(day, hour, k):
    return (-0.3, 0.0, 0.2)[k % 3]


def test_exact_window_hand_built():
    frame = _issue_frame(lambda d, h, k: 4.0 + 0.1 * k if (d == 2 and 13 <= h < 16) else _noise(d, h, k),
                         location="WH-X", qty=2.0)
    found = conditioned_lags(frame, timezone="UTC")
    assert len(found) == 1
    f = found[0]
    assert isinstance(f, Finding) and f.kind is FindingKind.PHYSICAL_BEFORE_BOOK
    assert (f.location, f.weekday, f.hours) == ("WH-X", 2, [13.0, 16.0])
    assert f.cases == 4 * 3 * 3
    assert f.activities == ["Load", "Post GI"]
    assert f.effect_h == pytest.approx(4.1)
    assert f.baseline_h == pytest.approx(np.mean([-0.3, 0.0, 0.2]))
    assert f.stock_impact_qty == pytest.approx(2.0 * 36 * 4.1)
    assert f.q_value is not None and f.q_value <= 0.05
    assert len(f.evidence) == 20 and f.evidence[0].endswith("-2")  # largest lags first (k = 2)
    assert f.summary.startswith("At WH-X on Wednesdays 13:00–16:00, goods leave 4.1 h before the goods issue "
                                 "is posted (vs ") and f.summary.endswith("; median 4.1 h vs 0.0 h); 36 cases.")


def test_two_windows_one_gap_and_local_time():
    # Tuesday 9-11 and Tuesday 12-14 (11 is normal and tested): two windows, not one.
    def lag(d, h, k):
        return 3.0 if d == 1 and (9 <= h < 11 or 12 <= h < 14) else _noise(d, h, k)
    # events written in UTC, 8 h behind the local clock of the log
    frame = _issue_frame(lag, tz_shift_h=8.0)
    found = conditioned_lags(frame, timezone="+08:00")
    assert sorted((f.weekday, f.hours) for f in found) == [(1, [9.0, 11.0]), (1, [12.0, 14.0])]
    assert all(f.location is None and f.summary.startswith("On Tuesdays") for f in found)
    assert found[0].stock_impact_qty is None
    # read in UTC the same window shows up 8 hours earlier
    utc = conditioned_lags(frame, timezone="UTC")
    assert sorted((f.weekday, f.hours) for f in utc) == [(1, [1.0, 3.0]), (1, [4.0, 6.0])]


def test_sparse_hour_is_bridged_only_when_it_agrees():
    def lag(d, h, k):
        return 5.0 if d == 2 and 13 <= h < 18 else _noise(d, h, k)
    frame = _issue_frame(lag)
    # drop most of Wednesday 15:00 (lunch): 2 cases left, below min_obs
    sparse = frame[CASE].str.match(r"SO-[1-3]-2-15-") | frame[CASE].str.match(r"SO-0-2-15-2")
    found = conditioned_lags(frame[~sparse], timezone="UTC")
    assert [(f.weekday, f.hours) for f in found] == [(2, [13.0, 18.0])]
    # the same sparse hour with normal lags splits the window
    frame2 = _issue_frame(lambda d, h, k: 5.0 if d == 2 and 13 <= h < 18 and h != 15 else _noise(d, h, k))
    found2 = conditioned_lags(frame2[~sparse], timezone="UTC")
    assert sorted(f.hours for f in found2) == [[13.0, 15.0], [16.0, 18.0]]


def test_lines_count_once_and_min_obs_counts_cases():
    # 2 cases of 10 lines each with a huge lag at Friday 18:00 must not make a finding
    base = _issue_frame(_noise)
    extra = _issue_frame(lambda d, h, k: 9.0, weeks=1, per_hour=2, hours=[18], days=[4], lines=10)
    extra[CASE] = "X" + extra[CASE]
    assert conditioned_lags(pd.concat([base, extra], ignore_index=True), timezone="UTC") == []


def test_posted_first_and_small_effects_are_not_findings():
    # Wednesday afternoon posted 2 h before the load, else 0.1 h: no physical-before-book
    assert conditioned_lags(_issue_frame(lambda d, h, k: -2.0 if d == 2 and h >= 13 else 0.1 * k),
                            timezone="UTC") == []
    # a real shift of 0.3 h is below min_effect_h = 0.5
    assert conditioned_lags(_issue_frame(lambda d, h, k: 0.3 + 0.01 * k if d == 2 and h >= 13 else 0.01 * k),
                            timezone="UTC") == []
    # but found when the caller asks for small effects
    small = conditioned_lags(_issue_frame(lambda d, h, k: 0.3 + 0.01 * k if d == 2 and h >= 13 else 0.01 * k),
                             timezone="UTC", min_effect_h=0.2)
    assert [(f.weekday, f.hours) for f in small] == [(2, [13.0, 18.0])]


def test_generic_pair_and_sorting(tmp_path):
    rows = []
    for week in range(4):
        for day in range(5):
            for hour in range(8, 18):
                for k in range(3):
                    case = f"C{week}{day}{hour}{k}"
                    t = MONDAY + pd.Timedelta(days=7 * week + day, hours=hour)
                    wait = 0.5 + 0.1 * k
                    if day == 0 and hour in (9, 10):
                        wait = 6.0 + k
                    if day == 3 and hour == 16:
                        wait = 3.0 + k
                    rows += [(case, "Hold", "credit_hold", t), (case, "Other", "alert", t + pd.Timedelta(hours=0.1)),
                             (case, "Approve", "credit_approved", t + pd.Timedelta(hours=wait))]
    frame = pd.DataFrame(rows, columns=[CASE, ACT, SEM, TS])
    found = conditioned_lags(frame, timezone="UTC", pairs=[("credit_hold", "credit_approved")])
    assert [(f.kind, f.weekday, f.hours) for f in found] == [
        (FindingKind.BOTTLENECK, 0, [9.0, 11.0]), (FindingKind.BOTTLENECK, 3, [16.0, 17.0])]
    assert found[0].activities == ["Hold", "Approve"]
    assert found[0].effect_h == pytest.approx(7.0)
    assert "'Approve' follows 'Hold' after 7.0 h" in found[0].summary
    # the default (posting) transitions need sku and the movement semantics: nothing here
    assert conditioned_lags(frame, timezone="UTC") == []
    out = write_findings(found, tmp_path / "findings.json")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["findings"][0]["hours"] == [9.0, 11.0]


def test_empty_and_missing_semantics():
    assert conditioned_lags(pd.DataFrame(columns=[CASE, ACT, TS, SEM]), timezone="UTC") == []
    assert conditioned_lags(pd.DataFrame({CASE: ["a"], ACT: ["x"], TS: [MONDAY]}), timezone="UTC") == []


def test_vectorised_mann_whitney_matches_scipy():
    rng = np.random.default_rng(0)
    lags = np.round(rng.exponential(1.0, 500), 1)  # many ties
    cells = rng.integers(0, 12, 500)
    ranks = stats.rankdata(lags)
    _, counts = np.unique(lags, return_counts=True)
    tie = float((counts.astype(float) ** 3 - counts).sum())
    for c in range(12):
        inside = cells == c
        mine = mwu_greater(np.array([ranks[inside].sum()]), np.array([float(inside.sum())]), len(lags), tie)[0]
        ref = stats.mannwhitneyu(lags[inside], lags[~inside], alternative="greater", method="asymptotic").pvalue
        assert mine == pytest.approx(ref, rel=1e-9, abs=1e-12)


def test_helpers():
    assert _windows([3, 4, 5, 9]) == [(3, 6), (9, 10)]
    assert _windows([3, 5], {4}) == [(3, 6)]
    p = np.array([0.01, 0.04, 0.03, 0.5])
    assert bh(p) == pytest.approx([0.04, 0.16 / 3, 0.16 / 3, 0.5])
    assert bh(p) == pytest.approx(stats.false_discovery_control(p))


# ---------------------------------------------------------------- the simulated world


@pytest.fixture(scope="module")
def worlds():
    from jxcsim.world.scenario import load_scenario
    from jxcsim.world.simulate import simulate

    out = {}
    for seed in SEEDS:
        out[("habit", seed)] = simulate(load_scenario(ROOT / "scenarios" / "baseline.yaml"), weeks=8, seed=seed)
        out[("clean", seed)] = simulate(load_scenario(ROOT / "scenarios" / "baseline.yaml",
                                                      changes=[ROOT / "scenarios" / "changes" / "no_habits.yaml"]),
                                        weeks=8, seed=seed)
    return out


@pytest.mark.parametrize("seed", SEEDS)
def test_finds_planted_wednesday_habit(worlds, seed):
    from jxcsim.world.simulate import planted_truth

    r = worlds[("habit", seed)]
    found = conditioned_lags(r.log, timezone=r.scenario.timezone)
    truths = [t for t in planted_truth(r.scenario) if t["kind"] == "physical_before_book" and t["movement"] == "issue"
              and not t.get("optional")]
    assert truths
    for truth in truths:
        hits = [f for f in found if f.kind is FindingKind.PHYSICAL_BEFORE_BOOK and f.location in truth["locations"]
                and f.weekday in truth["weekdays"] and abs(f.hours[0] - truth["hours"][0]) <= 1
                and abs(f.hours[1] - truth["hours"][1]) <= 1 and f.activities == truth["activities"]]
        assert hits, [f.summary for f in found]
        assert hits[0].effect_h > 1.0 and hits[0].cases >= 30 and hits[0].stock_impact_qty > 0
    # the habit is the top finding
    assert found[0].location == "WH-A" and found[0].weekday == 2


@pytest.mark.parametrize("seed", SEEDS)
def test_finds_every_planted_posting_habit(worlds, seed):
    """Recall over every posting habit in truth/planted.json: kind, location, weekday, hours ±1 h."""
    from jxcsim.world.simulate import planted_truth

    r = worlds[("habit", seed)]
    found = conditioned_lags(r.log, timezone=r.scenario.timezone)
    truths = [t for t in planted_truth(r.scenario)
              if t["kind"] in ("physical_before_book", "late_posting") and not t.get("optional")]
    assert {t["kind"] for t in truths} == {"physical_before_book", "late_posting"}
    for truth in truths:
        hits = [f for f in found if f.kind.value == truth["kind"] and f.location in truth["locations"]
                and f.weekday in truth["weekdays"] and abs(f.hours[0] - truth["hours"][0]) <= 1
                and abs(f.hours[1] - truth["hours"][1]) <= 1 and f.activities == truth["activities"]]
        assert hits, (truth["name"], [f.summary for f in found])
    assert len(found) == len(truths)  # and nothing else


@pytest.mark.parametrize("seed", SEEDS)
def test_clean_world_has_no_posting_finding(worlds, seed):
    r = worlds[("clean", seed)]
    found = conditioned_lags(r.log, timezone=r.scenario.timezone)
    assert [f.summary for f in found] == []


# ---------------------------------------------------------------- a real shared log, perturbed


def _with_semantics(frame):
    """Give the real log semantics: the start and the completion of 'place order', two consecutive
    events of every case (its end-to-end lags, e.g. place order → send invoice at 107 ± 64 h, are
    far too spread for a +5 h shift on ~50 cases to be detectable by any test)."""
    placed = frame[frame[ACT] == "place order"].dropna(subset=["start_timestamp"])
    start = placed.assign(**{ACT: "place order (start)", TS: placed["start_timestamp"], SEM: "order_started"})
    done = placed.assign(**{SEM: "order_placed"})
    rest = frame[frame[ACT] != "place order"]
    return pd.concat([start, done, rest], ignore_index=True)[[CASE, ACT, TS, SEM]]


@pytest.mark.skipif(not SHARED_LOG.exists(), reason="shared log absent")
def test_perturbed_real_log():
    from jxcsim.eventlog import read_event_log

    frame = _with_semantics(read_event_log(SHARED_LOG).frame)
    pairs = [("order_started", "order_placed")]
    before = conditioned_lags(frame, timezone="+00:00", pairs=pairs)
    assert not [f for f in before if f.weekday == 1 and f.hours[0] < 17 and f.hours[1] > 14]

    started = frame[frame[SEM] == "order_started"].groupby(CASE)[TS].min()
    local = started.dt.tz_convert("UTC")
    hit = started.index[(local.dt.weekday == 1) & (local.dt.hour >= 14) & (local.dt.hour < 17)]
    assert len(hit) >= 30
    after = frame.copy()
    move = after[CASE].isin(hit) & (after[SEM] == "order_placed")
    after.loc[move, TS] = after.loc[move, TS] + pd.Timedelta(hours=5)
    found = conditioned_lags(after, timezone="+00:00", pairs=pairs)
    hits = [f for f in found if f.weekday == 1 and abs(f.hours[0] - 14) <= 1 and abs(f.hours[1] - 17) <= 1]
    assert hits, [f.summary for f in found]
    assert hits[0].kind is FindingKind.BOTTLENECK and hits[0].activities == ["place order (start)", "place order"]
    assert hits[0].effect_h > 4.0 and hits[0].cases == len(hit)
    assert set(hits[0].evidence) <= set(hit)
    # nothing else appears because of the perturbation
    assert len(found) == len(before) + 1


def test_many_rows_of_noise_give_no_finding():
    """Large, patternless input (timing is in benchmarks/, never asserted here)."""
    rng = np.random.default_rng(1)
    n = 100_000  # movements; with postings 200k rows
    t = MONDAY + pd.to_timedelta(rng.integers(0, 8 * 7 * 86400, n), unit="s")
    lag = rng.normal(0.0, 0.5, n)
    cases = np.array([f"SO-{i}" for i in range(n)], dtype=object)
    frame = pd.DataFrame({
        CASE: np.concatenate([cases, cases]), ACT: ["Load"] * n + ["Post"] * n,
        SEM: ["physical_issue"] * n + ["book_issue"] * n,
        TS: np.concatenate([t, t + pd.to_timedelta(lag, unit="h")]),
        "sku": "S", "location": np.tile(rng.choice(["A", "B"], n), 2), "qty": 1.0,
    })
    assert conditioned_lags(frame, timezone="UTC") == []


def test_a_daily_posting_gap_is_one_finding():
    """Loads at the end of every working day posted the next morning: one finding, not five."""
    frame = _issue_frame(lambda d, h, k: 14.0 + 0.1 * k if h == 17 else _noise(d, h, k), location="WH-X", qty=1.0)
    found = conditioned_lags(frame, timezone="UTC")
    assert [(f.kind, f.weekday, f.hours, f.details["weekdays"]) for f in found] == [
        (FindingKind.PHYSICAL_BEFORE_BOOK, None, [17.0, 18.0], [0, 1, 2, 3, 4])]
    f = found[0]
    assert f.cases == 5 * 4 * 3 and f.effect_h == pytest.approx(14.1)
    assert f.summary.startswith("At WH-X on Mondays–Fridays 17:00–18:00, goods leave 14.1 h before the goods "
                                "issue is posted")
    assert "; median 14.1 h vs 0.0 h" in f.summary and f.details["median_h"] == pytest.approx(14.1)
    assert len(f.details["movements"]) == 60 and len(f.details["windows"]) == 5
    # two weekdays only stay two findings
    two = conditioned_lags(frame[~frame[CASE].str.match(r"SO-\d-[234]-17-")], timezone="UTC")
    assert sorted(f.weekday for f in two) == [0, 1]


def test_a_whole_day_habit_stays_apart_from_an_end_of_day_habit_on_other_days():
    """Mondays' loads all wait 10 h; on Tuesdays to Thursdays only the 16:00 loads wait: the Monday
    habit is not folded into the 16:00 one (which once made one Mon–Thu 16:00 finding of both)."""
    def lag(d, h, k):
        return 10.0 + 0.1 * k if d == 0 else 14.0 + 0.1 * k if (d in (1, 2, 3) and h == 16) else _noise(d, h, k)

    found = conditioned_lags(_issue_frame(lag, location="WH-X", qty=1.0), timezone="UTC")
    shapes = sorted(((f.weekday, f.hours, f.details.get("weekdays")) for f in found), key=str)
    assert shapes == sorted([(0, [0.0, 24.0], None), (None, [16.0, 17.0], [1, 2, 3])], key=str)
    daily = next(f for f in found if f.weekday is None)
    assert daily.cases == 3 * 4 * 3 and "on Tuesdays–Thursdays 16:00–17:00" in daily.summary


def test_a_night_habit_keeps_its_hours_when_one_night_has_no_late_loads():
    """A 00:00–04:00 habit on Tuesdays to Thursdays, with no loads after 02:00 on Thursdays: one
    finding over 00:00–04:00, not the 00:00–02:00 the three nights share."""
    frame = _issue_frame(lambda d, h, k: 9.0 + 0.1 * k if h < 4 else _noise(d, h, k), location="WH-N", qty=1.0,
                         hours=range(0, 8), days=range(1, 4))
    frame = frame[~frame[CASE].str.match(r"SO-\d-3-[23]-")]  # Thursdays: nothing loaded at 02:00-04:00
    found = conditioned_lags(frame, timezone="UTC")
    assert [(f.weekday, f.hours, f.details.get("weekdays")) for f in found] == [(None, [0.0, 4.0], [1, 2, 3])]


def test_a_sparse_afternoon_habit_is_found_in_blocks_and_a_shift_end_effect_of_every_day_is_not():
    """One load an hour for six weeks (too few per hour to test, too few of Wednesday's to move its
    median): Wednesday's 12:00-14:00 loads wait 9 h — a habit —, and every day's 17:00 loads wait
    14 h overnight — the shift's end, not a habit of any weekday."""
    def lag(d, h, k):
        return 9.0 + 0.1 * h if d == 2 and 12 <= h < 14 else 14.0 if h == 17 else 0.2 + 0.05 * (h % 3)

    found = conditioned_lags(_issue_frame(lag, weeks=6, per_hour=1, location="WH-S", qty=1.0), timezone="UTC")
    assert [(f.weekday, f.hours, f.cases, f.details.get("granularity")) for f in found] == [
        (2, [12.0, 14.0], 12, "block")]
    assert found[0].summary.startswith("At WH-S on Wednesdays 12:00–14:00, goods leave")


def test_a_log_too_sparse_to_test_any_hour_still_gets_the_day_level_test():
    """Six loads per hour cell at most: no hour is tested, yet the day-level pass sees Wednesdays
    (it used to be skipped when no hour cell anywhere had enough cases)."""
    frame = _issue_frame(lambda d, h, k: 9.0 if d == 2 else 0.2 + 0.05 * (h % 3), weeks=6, per_hour=1,
                         location="WH-S", qty=1.0)
    found = conditioned_lags(frame, timezone="UTC")
    assert [(f.weekday, f.hours, f.details.get("granularity")) for f in found] == [(2, [0.0, 24.0], "day")]


def test_an_hour_window_holding_the_whole_day_is_the_day():
    """Friday receipts all arriving at 07:00 and posted on Monday: a Friday habit, not a 07:00 one."""
    rows = []
    for week in range(8):
        for day in range(5):
            for k in range(6 if day == 4 else 10):
                hour = 7 if day == 4 else 7 + k
                case = f"PO-{week}-{day}-{k}"
                t = MONDAY + pd.Timedelta(days=7 * week + day, hours=hour, minutes=5 * k)
                lag = 70.0 + k if day == 4 else 0.3 + 0.05 * k
                rows += [(case, "Arrive", "physical_receipt", t, "S"), (case, "Post", "book_receipt",
                                                                      t + pd.Timedelta(hours=lag), "S")]
    frame = pd.DataFrame(rows, columns=[CASE, ACT, SEM, TS, "sku"])
    found = conditioned_lags(frame, timezone="UTC")
    assert [(f.kind, f.weekday, f.hours, f.details.get("hour_windows")) for f in found] == [
        (FindingKind.LATE_POSTING, 4, [0.0, 24.0], [[7.0, 8.0]])]
    # a few Friday receipts at 14:00 posted at once: the habit is the morning's, not the day's
    extra = []
    for week in range(8):
        case = f"PX-{week}"
        t = MONDAY + pd.Timedelta(days=7 * week + 4, hours=14)
        extra += [(case, "Arrive", "physical_receipt", t, "S"), (case, "Post", "book_receipt",
                                                               t + pd.Timedelta(hours=0.3), "S")]
    mixed = pd.concat([frame, pd.DataFrame(extra, columns=frame.columns)], ignore_index=True)
    assert [(f.weekday, f.hours) for f in conditioned_lags(mixed, timezone="UTC")] == [(4, [7.0, 8.0])]


def test_a_habit_covering_most_of_a_location_is_measured_against_the_rest():
    """Receipts that mostly arrive on the habit's Monday: the week's median is the habit's own lag,
    so the effect is judged against the other days' receipts."""
    rows = []
    for week in range(10):
        for day in range(5):
            for k in range(12 if day == 0 else 1):  # three receipts in four arrive on Mondays
                case = f"PO-{week}-{day}-{k}"
                t = MONDAY + pd.Timedelta(days=7 * week + day, hours=8 + k % 6, minutes=5 * k)
                lag = 22.0 + 0.1 * k if day == 0 else 0.4 + 0.05 * k
                rows += [(case, "Arrive", "physical_receipt", t, "S"), (case, "Post", "book_receipt",
                                                                      t + pd.Timedelta(hours=lag), "S")]
    frame = pd.DataFrame(rows, columns=[CASE, ACT, SEM, TS, "sku"])
    found = conditioned_lags(frame, timezone="UTC")
    assert [(f.kind, f.weekday) for f in found] == [(FindingKind.LATE_POSTING, 0)]
    assert found[0].details["median_otherwise_h"] < 1.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 2), st.integers(0, 4), st.floats(-50, 50, allow_nan=False)),
                min_size=1, max_size=60))
def test_rest_medians_are_the_medians_of_the_rest(obs):
    rows = pd.DataFrame(sorted(obs, key=lambda o: (o[0], o[1])), columns=["g", "cell", "lag_h"])
    table = rows.groupby(["g", "cell"], sort=True).size().reset_index()[["g", "cell"]]
    got = rest_medians(rows, rows["cell"].to_numpy(), table)
    for i, (g, cell) in enumerate(zip(table["g"], table["cell"], strict=True)):
        group = rows[rows["g"] == g]
        rest = group.loc[group["cell"] != cell, "lag_h"].to_numpy()
        if len(rest):
            assert got[i] == pytest.approx(float(np.median(rest)))
        else:
            assert np.isnan(got[i])


def test_a_finding_says_when_its_late_postings_were_made_in_local_time():
    """Friday-afternoon loads posted on Monday at 08:xx (Shanghai): the sentence says so, counted per case;
    a same-day lag says nothing of the kind."""
    def lag(d, h, k):
        if d == 4 and 14 <= h < 17:  # to Monday 08:00 + 10 minutes a case, local
            return (24 * 3 + 8 - h) + k / 6
        return 2.5 if d == 2 and 13 <= h < 16 else _noise(d, h, k)

    frame = _issue_frame(lag, location="WH-X", lines=3, tz_shift_h=8.0)
    found = {f.weekday: f for f in conditioned_lags(frame, timezone="Asia/Shanghai")}
    friday = found[4]
    assert friday.details["posted"] == {"later_share": 1.0, "weekday": 0, "weekday_share": 1.0, "hours": [8, 9]}
    assert friday.summary.endswith("All of them were posted on a later day: on Mondays, mostly 08:00–09:00.")
    assert "posted" not in found[2].details and "later day" not in found[2].summary
    in_utc = {f.weekday: f for f in conditioned_lags(frame, timezone="UTC")}  # Monday 00:xx UTC
    assert in_utc[4].hours == [6.0, 9.0] and in_utc[4].details["posted"]["hours"] == [0, 1]


def test_a_window_takes_in_the_sparse_hours_next_to_it_whose_lags_agree():
    """Wednesday 13:00-16:00: twelve loads in the 13:00 hour (significant), a few in each of the next
    two (too few to test, just as late): one window 13-16, not 13-14."""
    def lag(d, h, k):
        return 4.0 + 0.1 * k if d == 2 and 13 <= h < 16 else _noise(d, h, k)

    frame = _issue_frame(lag, location="WH-X")
    sparse = frame[~((frame[TS].dt.weekday == 2) & frame[TS].dt.hour.isin([14, 15])
                     & frame[CASE].str.endswith(("-1", "-2")))]  # one case an hour a week left at 14 and 15
    found = conditioned_lags(sparse, timezone="UTC")
    assert [(f.weekday, f.hours) for f in found] == [(2, [13.0, 16.0])]


def test_postings_of_a_log_with_dates_only_are_not_given_hours():
    from jxcsim.mining.posted_when import posted_when

    dated = pd.DataFrame({"case": ["a", "b", "c"], "hour": [0, 0, 0], "later_days": [3, 3, 3],
                          "posted_weekday": [0, 0, 0], "posted_hour": [0, 0, 0]})
    assert posted_when(dated)[1] == "All of them were posted on a later day: on Mondays."
    timed = dated.assign(hour=[9, 10, 11])
    assert posted_when(timed)[1].endswith("on Mondays, mostly 00:00–01:00.")


def test_a_sentence_leads_with_the_medians_when_the_means_hardly_part():
    """The tester's Thursday window: means 2.7 h vs 2.7 h, medians 3.4 h vs -0.2 h. The means say
    nothing; the sentence must lead with the medians the finding was judged on."""
    from jxcsim.kpi.posting import PostedMovement
    from jxcsim.mining.lag import _summary

    text = _summary(PostedMovement.ISSUE, ["Load", "Post"], "Albany", [3], 7, 11, 2.72, 2.68, 40, medians=(3.4, -0.2))
    assert ("3.4 h in the median case before the goods issue is posted "
            "(vs -0.2 h otherwise; mean 2.7 h vs 2.7 h)") in text
    clear = _summary(PostedMovement.ISSUE, ["Load", "Post"], "Albany", [3], 7, 11, 4.5, 0.3, 40, medians=(3.8, 0.2))
    assert "4.5 h before" in clear and "median 3.8 h vs 0.2 h" in clear


def test_a_weekday_slow_as_a_whole_gives_way_to_its_slow_hours_when_the_rest_is_prompt():
    """A quiet Tuesday (loads from 12:00 only, one an hour) whose 15:00-18:00 loads wait 9 h: half the
    day's loads, so the day pass finds Tuesday slow as a whole; its other loads are as prompt as the
    rest of the week's, so the finding is the 15:00-18:00 block (the habit), not the whole day."""
    def lag(d, h, k):
        return 9.0 + 0.1 * (h % 2) if d == 1 and h >= 15 else 0.2 + 0.05 * (h % 3)

    frame = _issue_frame(lag, weeks=6, per_hour=1, location="WH-Q", qty=1.0)
    frame = frame[~frame[CASE].str.match(r"SO-\d-1-(8|9|10|11)-")]
    found = conditioned_lags(frame, timezone="UTC")
    assert [(f.weekday, f.hours, f.details.get("granularity")) for f in found] == [(1, [15.0, 18.0], "block")]
    # when the rest of Tuesday is slow too, the day stays the finding
    slow = _issue_frame(lambda d, h, k: lag(d, h, k) + (1.5 if d == 1 else 0.0), weeks=6, per_hour=1,
                        location="WH-Q", qty=1.0)
    slow = slow[~slow[CASE].str.match(r"SO-\d-1-(8|9|10|11)-")]
    assert [(f.weekday, f.hours) for f in conditioned_lags(slow, timezone="UTC")] == [(1, [0.0, 24.0])]


def test_one_movement_posted_first_does_not_split_a_sparse_habit():
    """Wednesday's 12:00-16:00 loads wait 9 h, but at 13:00 there was a single load and it was
    posted first: one 12:00-16:00 window, not 12:00-13:00 and 14:00-16:00."""
    def lag(d, h, k):
        return (-0.2 if h == 13 else 9.0 + 0.1 * h) if d == 2 and 12 <= h < 16 else 0.2 + 0.05 * (h % 3)

    frame = _issue_frame(lag, weeks=6, per_hour=1, location="WH-S", qty=1.0)
    frame = frame[~frame[CASE].str.match(r"SO-[1-5]-2-13-")]  # Wednesdays 13:00: one load in six weeks
    found = conditioned_lags(frame, timezone="UTC")
    assert [(f.weekday, f.hours, f.details.get("granularity")) for f in found] == [(2, [12.0, 16.0], "block")]


def test_a_habit_past_midnight_is_two_windows_that_name_each_other():
    """Friday 22:00 to Saturday 03:00: a window on each weekday (each is tested apart), each saying
    that it runs on into, or starts before, the other."""
    from jxcsim.mining.diagnose import link_past_midnight

    def lag(d, h, k):
        return 9.0 + 0.1 * k if (d == 4 and h >= 22) or (d == 5 and h < 3) else _noise(d, h, k)

    found = conditioned_lags(_issue_frame(lag, hours=range(24), days=range(7), location="WH-N", qty=1.0),
                             timezone="UTC")
    link_past_midnight(found)
    shapes = sorted((f.weekday, f.hours, f.details.get("past_midnight")) for f in found)
    assert shapes == [(4, [22.0, 24.0], {"weekday": 5, "hours": [0.0, 3.0]}),
                      (5, [0.0, 3.0], {"weekday": 4, "hours": [22.0, 24.0]})]
    friday = next(f for f in found if f.weekday == 4)
    assert friday.summary.endswith("It runs on past midnight into Saturdays 00:00–03:00.")
