"""Discovery: process maps (frequency and performance DFG) and inductive-miner models."""

from __future__ import annotations

import doctest

import pandas as pd
import pytest

import jxcsim.mining.discovery as discovery
from conftest import shared_file
from jxcsim.eventlog import read_event_log
from jxcsim.mining.discovery import (AnalysisUnavailable, discover_bpmn, discover_process_map,
                                     discover_process_model, draw_case_sample, pm4py_frame)

T0 = pd.Timestamp("2025-01-06 08:00", tz="UTC")  # a Monday


def _log(traces: dict[str, list[tuple[str, float]]], **extra) -> pd.DataFrame:
    """A canonical frame from ``{case: [(activity, hours after T0), ...]}``."""
    rows = [(case, act, T0 + pd.Timedelta(hours=h)) for case, events in traces.items() for act, h in events]
    frame = pd.DataFrame(rows, columns=["case:concept:name", "concept:name", "time:timestamp"])
    for col, values in extra.items():
        frame[col] = values
    return frame


STORY = {  # three orders: two straight through, one with a second pick
    "SO-1": [("Receive", 0), ("Pick", 2), ("Load", 3)],
    "SO-2": [("Receive", 1), ("Pick", 5), ("Load", 9)],
    "SO-3": [("Receive", 2), ("Pick", 3), ("Pick", 4), ("Load", 10)],
}


def test_process_map_counts_and_times_of_a_story_log():
    pmap = discover_process_map(_log(STORY))
    edges = pmap.edges.set_index(["source", "target"])
    assert edges["count"].to_dict() == {("Receive", "Pick"): 3, ("Pick", "Load"): 3, ("Pick", "Pick"): 1}
    # Receive -> Pick: 2 h, 4 h, 1 h; Pick -> Load: 1 h, 4 h, 6 h
    assert edges.loc[("Receive", "Pick"), "mean_h"] == pytest.approx(7 / 3)
    assert edges.loc[("Receive", "Pick"), "median_h"] == pytest.approx(2.0)
    assert edges.loc[("Pick", "Load"), "mean_h"] == pytest.approx(11 / 3)
    assert edges.loc[("Pick", "Pick"), "mean_h"] == pytest.approx(1.0)
    assert list(pmap.edges["count"]) == sorted(pmap.edges["count"], reverse=True)
    assert pmap.start_activities == {"Receive": 3} and pmap.end_activities == {"Load": 3}
    assert pmap.activities.loc["Pick", "events"] == 4 and pmap.activities.loc["Pick", "cases"] == 3
    assert (pmap.cases, pmap.events) == (3, 10)


def test_pm4py_frame_orders_by_completion_and_leaves_the_log_alone():
    frame = _log(STORY)
    frame = frame.sample(frac=1.0, random_state=3).reset_index(drop=True)  # rows out of order
    # a start column with gaps: pm4py would sort on it and put the NaT rows last
    frame["start_timestamp"] = frame["time:timestamp"].where(frame["concept:name"] != "Receive")
    before = frame.copy()
    events = pm4py_frame(frame)
    assert list(events.columns) == ["case:concept:name", "concept:name", "time:timestamp"]
    assert events[events["case:concept:name"] == "SO-3"]["concept:name"].tolist() == ["Receive", "Pick", "Pick", "Load"]
    pd.testing.assert_frame_equal(frame, before)
    assert discover_process_map(frame).start_activities == {"Receive": 3}
    pd.testing.assert_frame_equal(frame, before)  # pm4py wrote into its own copy, not ours


def test_ties_keep_the_log_order():
    frame = _log({"C1": [("A", 0), ("B", 1), ("C", 1)], "C2": [("A", 0), ("C", 1), ("B", 1)]})
    edges = discover_process_map(frame).edges.set_index(["source", "target"])["count"].to_dict()
    assert edges == {("A", "B"): 1, ("A", "C"): 1, ("B", "C"): 1, ("C", "B"): 1}


def test_process_map_on_semantics_drops_unmapped_events():
    frame = _log(STORY, semantic=["order_received", "pick", "physical_issue"] * 2 + ["order_received", None, "pick",
                                                                                      "physical_issue"])
    pmap = discover_process_map(frame, activity_key="semantic")
    assert pmap.events == 9 and pmap.activity_key == "semantic"
    assert set(pmap.activities.index) == {"order_received", "pick", "physical_issue"}
    with pytest.raises(AnalysisUnavailable, match="semantic"):
        discover_process_map(frame.assign(semantic=None), activity_key="semantic")


def test_case_sample_is_seeded_and_independent_of_row_order():
    traces = {f"C{i:03d}": [("A", i), ("B", i + 1)] for i in range(50)}
    frame = _log(traces)
    a = draw_case_sample(frame, max_cases=10, seed=7)
    b = draw_case_sample(frame.iloc[::-1], max_cases=10, seed=7)
    c = draw_case_sample(frame, max_cases=10, seed=8)
    cases = set(a.frame["case:concept:name"])
    assert len(cases) == 10 and a.sampled and (a.cases_total, a.cases_used, a.seed) == (50, 10, 7)
    assert set(b.frame["case:concept:name"]) == cases
    assert set(c.frame["case:concept:name"]) != cases
    whole = draw_case_sample(frame, max_cases=None)
    assert not whole.sampled and len(whole.frame) == 100


def test_inductive_model_without_noise_covers_every_activity():
    model = discover_process_model(_log(STORY), noise_threshold=0.0)
    labels = {t.label for t in model.net.transitions if t.label}
    assert labels == {"Receive", "Pick", "Load"}
    tasks = {n.get_name() for n in model.bpmn.get_nodes() if type(n).__name__ == "Task"}
    assert tasks == labels
    assert (model.cases_used, model.cases_total, model.sampled) == (3, 3, False)
    with pytest.raises(ValueError, match="noise_threshold"):
        discover_process_model(_log(STORY), noise_threshold=1.5)


def test_inductive_miner_runs_single_process(monkeypatch):
    import pm4py

    seen = {}
    original = pm4py.discover_process_tree_inductive

    def spy(*args, **kwargs):
        seen.update(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(pm4py, "discover_process_tree_inductive", spy)
    discover_bpmn(_log(STORY), sample_cases=2, seed=1)
    assert seen["multi_processing"] is False


def test_simulated_log_maps_every_event():
    from jxcsim.world.scenario import load_scenario
    from jxcsim.world.simulate import simulate

    result = simulate(load_scenario("scenarios/baseline.yaml"), weeks=2, seed=1)
    log = result.log
    pmap = discover_process_map(log)
    cases = log["case:concept:name"].nunique()
    assert pmap.events == len(log) and pmap.cases == cases
    assert pmap.edges["count"].sum() == len(log) - cases  # each case of n events gives n - 1 edges
    assert sum(pmap.start_activities.values()) == cases == sum(pmap.end_activities.values())
    assert pmap.activities["events"].to_dict() == log["concept:name"].value_counts().to_dict()
    assert (pmap.edges["mean_h"] >= 0).all()
    on_semantics = discover_process_map(log, activity_key="semantic")
    assert "physical_issue" in on_semantics.activities.index
    model = discover_process_model(log, sample_cases=200, seed=3)
    assert model.sampled and model.cases_used == 200
    assert "Load truck" in {t.label for t in model.net.transitions}


@pytest.mark.shared
def test_running_example():
    pmap = discover_process_map(read_event_log(shared_file("running_example.xes")).frame)
    assert (pmap.cases, pmap.events, int(pmap.edges["count"].sum())) == (6, 42, 36)
    assert pmap.start_activities == {"register request": 6}
    assert pmap.end_activities == {"pay compensation": 3, "reject request": 3}
    assert pmap.activities.loc["reinitiate request", "cases"] == 2


@pytest.mark.shared
def test_purchasing_example_model():
    frame = read_event_log(shared_file("purchasing_example.xes.gz")).frame
    pmap = discover_process_map(frame)
    assert (pmap.cases, pmap.events, len(pmap.activities)) == (608, 9119, 21)
    model = discover_process_model(frame, noise_threshold=0.0)
    assert len({t.label for t in model.net.transitions if t.label}) == 21


@pytest.mark.shared
def test_ocel_flattened_per_object_type():
    log = read_event_log(shared_file("ocel2_p2p_tiny.sqlite"), object_type="Purchase Order")
    pmap = discover_process_map(log.frame)
    assert (pmap.cases, pmap.events) == (2, 5)
    assert pmap.start_activities == {"Create Purchase Order": 2}
    edges = pmap.edges.set_index(["source", "target"])
    assert edges.loc[("Create Purchase Order", "Change PO Quantity"), "mean_h"] == pytest.approx(74.75)


def test_doctests():
    result = doctest.testmod(discovery, optionflags=doctest.ELLIPSIS)
    assert result.failed == 0 and result.attempted > 0


@pytest.mark.shared
@pytest.mark.parametrize("name", ["purchasing_example.xes.gz", "receipt.xes.gz", "repair_example.xes.gz"])
def test_numpy_map_is_pm4py_map(name):
    frame = read_event_log(shared_file(name)).frame
    ours, theirs = discover_process_map(frame), discover_process_map(frame, engine="pm4py")
    pd.testing.assert_frame_equal(ours.edges, theirs.edges, check_exact=False, rtol=1e-9)
    pd.testing.assert_frame_equal(ours.activities, theirs.activities)
    assert ours.start_activities == theirs.start_activities and ours.end_activities == theirs.end_activities
    with pytest.raises(ValueError, match="engine"):
        discover_process_map(frame, engine="spark")
