"""Conformance: record-before-movement precedence, replay fitness and the temporal profile."""

from __future__ import annotations

import doctest

import pandas as pd
import pytest

import jxcsim.mining.conformance as conformance
from conftest import shared_file
from jxcsim.eventlog import read_event_log
from jxcsim.kpi.posting import PostedMovement, posting_delays
from jxcsim.mining.conformance import (check_precedence, check_temporal_profile, fitness_alignments,
                                       fitness_token_replay)
from jxcsim.mining.discovery import discover_process_model, pm4py_frame

MONDAY = pd.Timestamp("2025-01-06", tz="Asia/Shanghai")
COLUMNS = ["case:concept:name", "concept:name", "semantic", "time:timestamp", "location", "sku"]


def _wednesday_story(weeks: int = 3) -> pd.DataFrame:
    """Orders loaded at 14:00 local, Mon–Fri, at WH-A and WH-B. The system is posted 10 minutes
    before the load, except at WH-A on Wednesdays, where the driver loads and posts 3 h later."""
    rows = []
    for week in range(weeks):
        for day in range(5):
            for loc in ("WH-A", "WH-B"):
                for k in range(2):
                    case = f"SO-{week}{day}{loc[-1]}{k}"
                    load = (MONDAY + pd.Timedelta(days=7 * week + day, hours=14, minutes=10 * k)).tz_convert("UTC")
                    late = loc == "WH-A" and day == 2
                    post = load + (pd.Timedelta(hours=3) if late else -pd.Timedelta(minutes=10))
                    rows += [(case, "Receive order", "order_received", load - pd.Timedelta(hours=5), loc, None),
                             (case, "Load truck", "physical_issue", load, loc, "A"),
                             (case, "Post goods issue", "book_issue", post, loc, "A")]
    return pd.DataFrame(rows, columns=COLUMNS).sort_values("time:timestamp", kind="stable").reset_index(drop=True)


def test_late_postings_on_wednesdays_at_one_location():
    result = check_precedence(_wednesday_story(), timezone="Asia/Shanghai")
    issues = result.table[result.table["movement"] == "issue"].set_index(["location", "weekday"])
    assert issues.loc[("WH-A", 2), "deviation_rate"] == 1.0
    assert issues.loc[("WH-A", 2), ["movements", "posted_after", "never_posted"]].tolist() == [6, 6, 0]
    others = issues.drop(index=("WH-A", 2))
    assert (others["deviation_rate"] == 0.0).all() and (others["movements"] == 6).all()
    assert len(issues) == 10 and set(issues["rule"]) == {"book_issue before physical_issue"}
    by_loc = result.rates(["location"]).set_index("location")["deviation_rate"]
    assert by_loc.to_dict() == {"WH-A": pytest.approx(6 / 30), "WH-B": 0.0}
    assert set(result.skipped) == {"receipt", "transfer_out"}
    assert result.skipped["receipt"] == "the log has no physical_receipt events"
    lags = result.lags_by_location()
    assert sorted(lags) == ["WH-A", "WH-B"] and len(lags["WH-A"]) == 30
    assert lags["WH-A"].max() == pytest.approx(3.0) and lags["WH-B"].max() == pytest.approx(-1 / 6)


def test_weekday_is_local_time():
    # loaded Wednesday 23:30 UTC = Thursday 07:30 in Shanghai, posted an hour later
    t = pd.Timestamp("2025-01-08 23:30", tz="UTC")
    frame = pd.DataFrame([("C1", "Load", "physical_issue", t, "W", "A"),
                          ("C1", "Post", "book_issue", t + pd.Timedelta(hours=1), "W", "A")], columns=COLUMNS)
    assert check_precedence(frame, timezone="Asia/Shanghai").table["weekday_name"].tolist() == ["Thu"]
    assert check_precedence(frame, timezone=None).table["weekday_name"].tolist() == ["Wed"]


def test_never_posted_counts_and_pending_at_the_end_does_not():
    t = pd.Timestamp("2025-01-06 06:00", tz="UTC")
    frame = pd.DataFrame([
        ("C1", "Load", "physical_issue", t, "W", "A"),  # never posted, 3 days before the end
        ("C2", "Load", "physical_issue", t + pd.Timedelta(days=1), "W", "A"),
        ("C2", "Post", "book_issue", t + pd.Timedelta(days=1, minutes=-5), "W", "A"),
        ("C3", "Load", "physical_issue", t + pd.Timedelta(days=3), "W", "A"),  # 1 h before the end: pending
        ("C4", "Post", "book_issue", t + pd.Timedelta(days=3, hours=1), "W", "B"),  # posting of nothing
    ], columns=COLUMNS)
    totals = check_precedence(frame, timezone=None).rates(["movement"]).iloc[0]
    assert totals[["movements", "posted_first", "never_posted", "pending", "deviations"]].tolist() == [2, 1, 1, 1, 1]
    assert totals["deviation_rate"] == 0.5


def test_without_sku_movements_match_postings_of_their_case():
    frame = _wednesday_story(weeks=1).drop(columns=["sku"])
    rates = check_precedence(frame, timezone="Asia/Shanghai").rates(["location"]).set_index("location")
    assert rates["deviation_rate"].to_dict() == {"WH-A": pytest.approx(2 / 10), "WH-B": 0.0}


def test_without_location_rates_are_per_weekday():
    result = check_precedence(_wednesday_story(weeks=1).drop(columns=["location"]), timezone="Asia/Shanghai")
    assert result.table["location"].isna().all()
    assert result.table.set_index("weekday")["deviation_rate"].to_dict() == {0: 0.0, 1: 0.0, 2: 0.5, 3: 0.0, 4: 0.0}
    assert list(result.lags_by_location()) == ["(all)"]


def test_skipped_with_a_reason_when_semantics_are_missing():
    frame = _wednesday_story(weeks=1)
    no_profile = check_precedence(frame.drop(columns=["semantic"]), timezone=None)
    assert not no_profile.available and no_profile.table.empty
    assert no_profile.skipped["issue"] == "the log has no semantics (read without a profile, or its profile maps no activity)"
    no_postings = check_precedence(frame[frame["semantic"] != "book_issue"], timezone=None)
    assert no_postings.skipped["issue"] == "the log has no book_issue events (postings)"


def test_precedence_agrees_with_pm4py_declare():
    import pm4py

    frame = _wednesday_story()
    ours = check_precedence(frame, timezone="Asia/Shanghai").table["deviations"].sum()
    model = {"precedence": {("Post goods issue", "Load truck"): {"support": 1.0, "confidence": 1.0}}}
    traces = pm4py.conformance_declare(pm4py_frame(frame), model)  # pm4py wants rows grouped by case
    assert ours == sum(1 for t in traces if t["deviations"]) == 6


def test_simulated_log_rates_agree_with_the_posting_kpi():
    from jxcsim.world.scenario import load_scenario
    from jxcsim.world.simulate import simulate

    result = simulate(load_scenario("scenarios/baseline.yaml"), weeks=2, seed=1)
    log, tz = result.log, result.profile.timezone
    found = check_precedence(log, timezone=tz)
    issue = found.rates(["movement"]).set_index("movement").loc["issue"]
    kpi = posting_delays(log, PostedMovement.ISSUE, timezone=tz)
    assert issue["movements"] + issue["pending"] == kpi.n_physical
    assert issue["posted_after"] / (issue["posted_first"] + issue["posted_after"]) == pytest.approx(
        kpi.share_physical_first)
    assert set(found.table["location"]) == set(result.locations)
    rates = found.table["deviation_rate"]
    assert rates.dropna().between(0, 1).all() and (found.table.loc[rates.isna(), "movements"] == 0).all()
    for movement, name in ((PostedMovement.ISSUE, "issue"), (PostedMovement.RECEIPT, "receipt")):
        kpi = posting_delays(log, movement, timezone=tz)  # never posted and pending judged alike
        row = found.rates(["movement"]).set_index("movement").loc[name]
        assert (row["never_posted"], row["pending"]) == (kpi.never_posted, kpi.pending_at_end)


def test_a_receipt_posted_soon_after_the_unloading_conforms_and_a_late_one_deviates():
    """The baseline posts receipts after unloading (half an hour, on average): that is the normal
    order, so receipts deviate only when posted more than 2 h later (WH-B's Fridays, on Monday)."""
    from jxcsim.world.scenario import load_scenario
    from jxcsim.world.simulate import simulate

    result = simulate(load_scenario("scenarios/baseline.yaml"), weeks=4, seed=1)
    found = check_precedence(result.log, timezone=result.profile.timezone)
    table = found.table[found.table["movement"] == "receipt"]
    assert set(table["rule"]) == {"book_receipt within 2 h after physical_receipt"}
    rates = table.set_index(["location", "weekday"])["deviation_rate"]
    assert rates[("WH-B", 4)] > 0.9  # Friday's receipts, posted on Monday
    assert rates.drop(("WH-B", 4)).mean() < 0.3 and table["posted_after"].sum() > table["deviations"].sum()


STORY = {f"C{i}": ["Receive", "Check", "Ship"] for i in range(8)}


def _flat(traces: dict[str, list[str]], gaps_h: dict[str, float] | None = None) -> pd.DataFrame:
    rows = []
    for n, (case, acts) in enumerate(traces.items()):
        t = pd.Timestamp("2025-01-06", tz="UTC") + pd.Timedelta(hours=n)
        for i, act in enumerate(acts):
            gap = (gaps_h or {}).get(case, 1.0) if i == len(acts) - 1 else 1.0
            t = t + pd.Timedelta(hours=gap if i else 0)
            rows.append((case, act, t))
    return pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp"])


def test_fitness_is_perfect_on_the_model_of_the_log():
    frame = _flat(STORY)
    for measure in (fitness_token_replay, fitness_alignments):
        result = measure(frame, noise_threshold=0.0)
        assert result.log_fitness == pytest.approx(1.0, abs=1e-3)
        assert result.share_fit_cases == 1.0 and result.variants_checked == 1 and not result.sampled


def test_fitness_of_a_deviating_case_matches_pm4py():
    import pm4py

    model = discover_process_model(_flat(STORY), noise_threshold=0.0)
    frame = _flat({**STORY, "BAD": ["Receive", "Ship"], "BAD2": ["Receive", "Ship"]})
    events = frame.copy()
    for measure, reference in ((fitness_token_replay, pm4py.fitness_token_based_replay),
                               (fitness_alignments, pm4py.fitness_alignments)):
        result = measure(frame, model=model)
        expected = reference(events, model.net, model.initial_marking, model.final_marking)
        assert result.log_fitness == pytest.approx(expected["log_fitness"])
        assert result.average_trace_fitness == pytest.approx(expected["average_trace_fitness"])
        assert result.share_fit_cases == pytest.approx(0.8) and result.variants_checked == 2
        assert not result.cases.loc["BAD", "is_fit"] and result.cases.loc["C0", "is_fit"]
        assert result.cases.loc["BAD", "fitness"] < 1.0


def test_alignments_that_time_out_are_left_out(monkeypatch):
    import pm4py

    original = pm4py.conformance_diagnostics_alignments
    seen = {}

    def first_variant_times_out(log, *args, **kwargs):
        seen.update(kwargs)
        aligned = original(log, *args, **kwargs)
        names = [trace.attributes["concept:name"] for trace in log]
        return [None if name == "v000000" else a for name, a in zip(names, aligned)]

    monkeypatch.setattr(pm4py, "conformance_diagnostics_alignments", first_variant_times_out)
    frame = _flat({**STORY, "BAD": ["Receive", "Ship"]})
    model = discover_process_model(_flat(STORY), noise_threshold=0.0)
    result = fitness_alignments(frame, model=model, max_seconds_per_variant=5.0)
    assert seen["max_align_time_trace"] == 5.0 and seen["multi_processing"] is False
    # variants are numbered in case order: v000000 is BAD's, the one that does not fit
    assert result.cases_used == 9 and result.cases_skipped == 1
    assert pd.isna(result.cases.loc["BAD", "fitness"]) and not result.cases.loc["BAD", "is_fit"]
    assert result.share_fit_cases == 1.0 and result.log_fitness == pytest.approx(1.0, abs=1e-3)


def test_fitness_samples_cases_unless_full(monkeypatch):
    import concurrent.futures
    import multiprocessing

    def refuse(*args, **kwargs):
        raise AssertionError("pm4py started worker processes")

    monkeypatch.setattr(multiprocessing, "Pool", refuse)
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", refuse)
    frame = _flat({f"C{i}": ["Receive", "Check", "Ship"] if i % 3 else ["Receive", "Ship"] for i in range(30)})
    sampled = fitness_alignments(frame, sample_cases=10, seed=2, noise_threshold=0.0)
    again = fitness_alignments(frame, sample_cases=10, seed=2, noise_threshold=0.0)
    assert (sampled.cases_used, sampled.cases_total, sampled.sampled) == (10, 30, True)
    assert list(sampled.cases.index) == list(again.cases.index)
    full = fitness_token_replay(frame, sample_cases=10, full=True)
    assert full.cases_used == 30 and not full.sampled


def test_temporal_profile_finds_the_slow_pair_and_agrees_with_pm4py():
    import pm4py

    traces = {f"C{i:02d}": ["Receive", "Check", "Ship"] for i in range(20)}
    frame = _flat(traces, gaps_h={"C07": 30.0})  # Check -> Ship takes 30 h once, 1 h otherwise
    result = check_temporal_profile(frame, zeta=2.0, top=None)
    pairs = result.pairs.set_index(["source", "target"])
    assert result.pairs.iloc[0][["source", "target"]].tolist() in (["Check", "Ship"], ["Receive", "Ship"])
    for pair in (("Check", "Ship"), ("Receive", "Ship")):
        assert pairs.loc[pair, ["observations", "deviations", "slower", "faster", "cases_deviating"]].tolist() == \
            [20, 1, 1, 0, 1]
    assert pairs.loc[("Receive", "Check"), "deviations"] == 0
    assert pairs.loc[("Receive", "Check"), "mean_h"] == pytest.approx(1.0)
    assert pairs.loc[("Check", "Ship"), "mean_h"] == pytest.approx((19 + 30) / 20)
    reference = pm4py.conformance_temporal_profile(frame.copy(), pm4py.discover_temporal_profile(frame.copy()), zeta=2.0)
    assert result.pairs["deviations"].sum() == sum(len(d) for d in reference)


def test_temporal_profile_sample_and_top():
    frame = _flat({f"C{i:02d}": ["Receive", "Check", "Ship", "Check"] for i in range(40)})
    result = check_temporal_profile(frame, sample_cases=15, top=3)
    assert (result.cases_used, result.cases_total, result.sampled) == (15, 40, True)
    assert len(result.pairs) == 3
    assert check_temporal_profile(frame, sample_cases=15, full=True, top=None).pairs["observations"].sum() == 40 * 6


@pytest.mark.shared
def test_real_logs_without_semantics_degrade_gracefully():
    log = read_event_log(shared_file("running_example.xes"))
    precedence = check_precedence(log.frame, timezone=log.timezone)
    assert not precedence.available and set(precedence.skipped) == {"issue", "receipt", "transfer_out"}
    fit = fitness_token_replay(log.frame, noise_threshold=0.0)
    assert fit.cases_used == 6 and fit.log_fitness == pytest.approx(1.0)
    profile = check_temporal_profile(log.frame, top=None)
    assert profile.cases_used == 6
    assert profile.pairs.loc[(profile.pairs["source"] == "register request")
                             & (profile.pairs["target"] == "decide"), "observations"].item() == 9


@pytest.mark.shared
def test_purchasing_example_fitness_on_a_sample():
    frame = read_event_log(shared_file("purchasing_example.xes.gz")).frame
    model = discover_process_model(frame)
    tokens = fitness_token_replay(frame, model=model, sample_cases=200, seed=1)
    aligned = fitness_alignments(frame, model=model, sample_cases=40, seed=1)
    assert tokens.cases_used == 200 and aligned.cases_used == 40
    assert 0.5 < tokens.log_fitness <= 1.0 and 0.5 < aligned.log_fitness <= 1.0
    profile = check_temporal_profile(frame, sample_cases=200)
    assert profile.pairs["deviations"].iloc[0] > 0 and profile.pairs["deviations"].is_monotonic_decreasing


@pytest.mark.shared
def test_ocel_flattened_log_replays():
    log = read_event_log(shared_file("ocel2_p2p_tiny.sqlite"), object_type="Purchase Order")
    assert fitness_token_replay(log.frame, noise_threshold=0.0).share_fit_cases == 1.0
    assert check_precedence(log.frame, timezone=log.timezone).skipped["issue"].startswith("the log has no")


def test_doctests():
    result = doctest.testmod(conformance, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
