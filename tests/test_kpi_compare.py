"""jxcsim compare: a what-if's KPIs against its baseline, with the change and a verdict."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from conftest import REPO
from jxcsim.cli import app
from jxcsim.kpi.compare import CompareError, compare_kpis, read_run, render_comparison

BASELINE = str(REPO / "scenarios" / "baseline.yaml")
SCAN = str(REPO / "scenarios" / "changes" / "scan_to_ship.yaml")


def _run(tmp_path, name, *extra):
    out = tmp_path / name
    result = CliRunner().invoke(app, ["simulate", BASELINE, *extra, "--weeks", "2", "--seed", "4", "--out", str(out),
                                      "--no-progress", "--formats", "csv"])
    assert result.exit_code == 0, result.output
    return out


def _rep(values, **meta):
    return {"scenario": "s", "weeks": 4, "seed": 1, "replications": len(values), **meta,
            "kpis": {"fill_rate": {"unit": "share", "values": values}}}


def _single(value, **meta):
    return {"meta": {"scenario": "s", "weeks": 4, "seed": 1, **meta},
            "kpis": {"fill_rate": {"unit": "share", "value": value}}}


def test_scan_to_ship_takes_away_the_issue_posting_delay_and_the_phantom_stock(tmp_path):
    base, scan = _run(tmp_path, "base"), _run(tmp_path, "scan", "--change", SCAN)
    out = tmp_path / "c.json"
    result = CliRunner().invoke(app, ["compare", str(base), str(scan), "--json", str(out)])
    assert result.exit_code == 0, result.output
    rows = {r["kpi"]: r for r in json.loads(out.read_text())["kpis"]}
    assert rows["issue_posting_delay"]["what_if"] == pytest.approx(0.0, abs=1e-9)
    assert rows["issue_posting_delay"]["verdict"] == "better"
    assert rows["phantom_stock_sku_days"]["verdict"] == "better"
    assert rows["step_order_review"]["verdict"] == "same"  # the same orders, checked alike: no change at sales
    assert "one run per side" in result.output and "issue_posting_delay" in result.output


def test_paired_replications_give_an_interval_and_unclear_when_it_holds_zero():
    base, what_if = _rep([0.90, 0.92, 0.91]), _rep([0.95, 0.96, 0.97])
    row = compare_kpis(base, what_if)["kpis"][0]
    assert row["n_pairs"] == 3 and row["low"] > 0 and row["verdict"] == "better"
    noisy = compare_kpis(base, _rep([0.80, 1.00, 0.97]))["kpis"][0]
    assert noisy["low"] < 0 < noisy["high"] and noisy["verdict"] == "unclear"
    text = render_comparison(compare_kpis(base, _rep([0.80, 1.00, 0.97])))
    assert "note: unclear: a change whose 95 % interval holds zero over the 3 paired replications (1 KPI)" in text
    tiny = compare_kpis(base, _rep([0.899, 0.925, 0.907]))["kpis"][0]  # +0.03 pp: immaterial, interval or not
    assert tiny["verdict"] == "same"
    other_seed = compare_kpis(base, _rep([0.95, 0.96, 0.97], seed=2))
    assert other_seed["kpis"][0]["n_pairs"] == 0 and "differ in seeds" in other_seed["notes"][0]
    tested = render_comparison(compare_kpis(base, what_if)).splitlines()[2]
    assert tested.endswith(" better") and "(one run)" not in tested


def test_a_verdict_of_one_run_a_side_says_so():
    one = {"kpis": {"fill_rate": {"value": 0.90, "unit": "share"}, "credit_wait": {"value": 12.0, "unit": "h"}}}
    other = {"kpis": {"fill_rate": {"value": 0.95, "unit": "share"}, "credit_wait": {"value": 12.0, "unit": "h"}}}
    result = compare_kpis(one, other)
    assert {r["kpi"]: r["verdict"] for r in result["kpis"]} == {"fill_rate": "better", "credit_wait": "same"}
    lines = {x.split()[0]: x for x in render_comparison(result).splitlines()[2:4]}
    assert lines["fill_rate"].endswith("better (one run)") and lines["credit_wait"].endswith(" same")


def test_a_kpi_without_a_better_way_changes_and_one_without_a_value_is_na():
    base = {"kpis": {"cost_of_goods_sold": {"value": 100.0, "unit": "money"}, "credit_wait": {"value": None}}}
    what_if = {"kpis": {"cost_of_goods_sold": {"value": 120.0, "unit": "money"}, "credit_wait": {"value": 3.0}}}
    rows = {r["kpi"]: r["verdict"] for r in compare_kpis(base, what_if)["kpis"]}
    assert rows == {"cost_of_goods_sold": "changed", "credit_wait": "n/a"}
    nearer = compare_kpis({"kpis": {"discrepancy_by_cause": {"value": -50.0, "unit": "units"}}},
                          {"kpis": {"discrepancy_by_cause": {"value": 20.0, "unit": "units"}}})
    assert nearer["kpis"][0]["verdict"] == "better"  # nearer zero


def test_a_directory_without_kpis_is_refused_clearly(tmp_path):
    with pytest.raises(CompareError, match="no replications.json or kpis.json"):
        read_run(tmp_path)
    (tmp_path / "kpis.json").write_text("{not json")
    with pytest.raises(CompareError, match="not a KPI file jxcsim wrote"):
        read_run(tmp_path)
    result = CliRunner().invoke(app, ["compare", str(tmp_path), str(tmp_path)])
    assert result.exit_code == 2 and "error:" in result.output


def test_replications_of_different_counts_pair_as_far_as_both_go(tmp_path):
    base, what_if = _rep([0.90, 0.92, 0.91]), _rep([0.95, 0.96, 0.97, 0.99, 0.80])
    result = compare_kpis(base, what_if)
    row = result["kpis"][0]
    assert row["n_pairs"] == 3 and row["difference"] == pytest.approx(0.05) and row["low"] < 0.05 < row["high"]
    assert "3 against 5 replications" in result["notes"][0]
    (tmp_path / "kpis.json").write_text(json.dumps({"kpis": {}}))  # a stale replications.json and a newer run
    (tmp_path / "replications.json").write_text(json.dumps(base))
    import os
    os.utime(tmp_path / "replications.json", (1, 1))
    assert read_run(tmp_path)["_source"].endswith("kpis.json")


def test_replications_against_a_single_run_say_so_and_give_no_interval():
    result = compare_kpis(_rep([0.90, 0.92, 0.91]), _single(0.95))
    row = result["kpis"][0]
    assert row["n_pairs"] == 0 and row["low"] is None and row["difference"] == pytest.approx(0.04)
    assert not any("one run per side" in n for n in result["notes"])
    assert result["notes"] == ["3 replications against a single run: the baseline's mean over 3 runs against the "
                               "what-if's one run, with no interval; the single run is not one of the replications "
                               "(replication i draws from child i of the seed), so none pair: run the what-if with "
                               "--replications 3 too"]
    other_way = compare_kpis(_single(0.95), _rep([0.90, 0.92, 0.91, 0.93]))["notes"]
    assert other_way[0].startswith("4 replications against a single run: the what-if's mean over 4 runs")
    assert "run the baseline with --replications 4 too" in other_way[0]
    assert compare_kpis(_single(0.9), _single(0.95))["notes"][0].startswith("one run per side")
    # a replication's own directory against the other side's replications: it is one of them
    own = compare_kpis(_rep([0.90, 0.92, 0.91]), _single(0.95, replication=1))["notes"][0]
    assert own.startswith("3 replications against a single run, replication 2 of its seed")
    assert "the baseline's replication 2 directory for the pair" in own


def test_runs_of_different_scenarios_say_what_differs_and_money_in_two_currencies_has_no_difference():
    def run(value, cost, **meta):
        side = _single(value, **meta)
        side["kpis"]["cost_of_goods_sold"] = {"unit": "money", "value": cost}
        return side

    base = run(0.90, 100.0, scenario="Cash & carry", timezone="Australia/Sydney", currency="AUD")
    other = run(0.95, 300.0, scenario="Pharma", timezone="America/New_York", currency="USD")
    result = compare_kpis(base, other)
    assert result["notes"][0] == ("the runs are of different scenarios ('Cash & carry' vs 'Pharma'; time zone "
                                  "Australia/Sydney vs America/New_York, currency AUD vs USD): a what-if is its "
                                  "baseline's scenario with --change overlays, so these differences are between "
                                  "two scenarios, not a change's effect")
    rows = {r["kpi"]: r for r in result["kpis"]}
    assert rows["cost_of_goods_sold"]["verdict"] == "withheld" and rows["cost_of_goods_sold"]["difference"] is None
    assert rows["fill_rate"]["verdict"] == "better"
    assert "cost_of_goods_sold in AUD vs USD" in result["notes"][-1]
    line = next(x for x in render_comparison(result).splitlines() if x.startswith("cost_of_goods_sold"))
    assert "100.00 AUD" in line and "300.00 USD" in line and "withheld" in line
    same = compare_kpis(base, run(0.95, 120.0, scenario="Cash & carry", timezone="Europe/London", currency="AUD"))
    assert same["notes"][0].startswith("the runs differ in time zone Australia/Sydney vs Europe/London: an overlay")
    assert not any("different scenarios" in n for n in same["notes"])
    assert {r["kpi"]: r["verdict"] for r in same["kpis"]}["cost_of_goods_sold"] == "changed"
    assert not any("different" in n for n in compare_kpis(base, base)["notes"])


def _replications_dir(folder, cutoff_h, evening_orders, values):
    """A ``simulate --replications`` output: replications.json and each replication's kpis.json."""
    folder.mkdir()
    summary = {"scenario": "s", "weeks": 4, "seed": 1, "replications": len(values),
               "kpis": {"evening_order_response": {"unit": "h", "values": values}}}
    (folder / "replications.json").write_text(json.dumps(summary))
    for i, (value, n) in enumerate(zip(values, evening_orders, strict=True)):
        (folder / f"replication-{i + 1:02d}").mkdir()
        details = {"cutoff_h": cutoff_h, "evening": {"n_orders": n}}
        run = {"meta": {"timezone": "Asia/Shanghai", "cutoff_h": cutoff_h, "seed": 1, "replication": i},
               "kpis": {"evening_order_response": {"unit": "h", "value": value, "details": details}}}
        (folder / f"replication-{i + 1:02d}" / "kpis.json").write_text(json.dumps(run))
    return folder


def test_a_moved_cut_off_withholds_the_evening_verdict_and_names_both_cut_offs(tmp_path):
    base = read_run(_replications_dir(tmp_path / "base", 16.5, [980, 994], [20.0, 21.0]))
    later = read_run(_replications_dir(tmp_path / "eve", 21.0, [100, 106], [14.0, 14.5]))
    result = compare_kpis(base, later)
    assert (result["base"]["cutoff_h"], result["what_if"]["cutoff_h"]) == (16.5, 21.0)
    row = result["kpis"][0]
    assert row["verdict"] == "withheld" and row["difference"] is None and row["low"] is None
    assert row["withheld"] == "orders after 16:30 vs after 21:00" and row["what_if"] == pytest.approx(14.25)
    assert result["notes"][-1] == ("the order cut-off differs (16:30 vs 21:00): evening_order_response measures the "
                                   "orders after each run's own cut-off (987 vs 103 orders a run), not the same "
                                   "orders, so it has no difference and its verdict is withheld")
    same = compare_kpis(base, read_run(_replications_dir(tmp_path / "same", 16.5, [990, 990], [18.0, 19.0])))
    assert same["kpis"][0]["verdict"] == "better" and not any("cut-off" in n for n in same["notes"])


def test_compare_says_what_each_side_was_simulated_from():
    base = _single(0.90, scenario_file="scenarios/baseline.yaml", changes=[])
    what_if = _single(0.95, scenario_file="scenarios/baseline.yaml", changes=["scenarios/changes/scan_to_ship.yaml"])
    notes = compare_kpis(base, what_if)["notes"]
    assert ("the baseline was simulated from scenarios/baseline.yaml, the what-if from scenarios/baseline.yaml + "
            "scenarios/changes/scan_to_ship.yaml") in notes
    assert any(n.startswith("both sides were simulated from scenarios/baseline.yaml:")
               for n in compare_kpis(base, base)["notes"])
    assert not any("simulated from" in n for n in compare_kpis(_single(0.9), what_if)["notes"])  # one side silent


def test_a_runs_kpis_name_the_files_it_was_simulated_from():
    from jxcsim.world.scenario import load_scenario
    from jxcsim.world.simulate import simulate, simulation_kpis

    change = REPO / "scenarios" / "changes" / "scan_to_ship.yaml"
    sc = load_scenario(REPO / "scenarios" / "baseline.yaml", changes=[change])
    meta = simulation_kpis(simulate(sc, weeks=1, seed=1))["meta"]
    assert meta["scenario_file"] == str(REPO / "scenarios" / "baseline.yaml") and meta["changes"] == [str(change)]


def test_counts_of_single_runs_print_without_decimals():
    base = {"kpis": {"customer_pareto": {"value": 86, "unit": "customers"}, "credit_wait": {"value": 3.0, "unit": "h"}}}
    what_if = {"kpis": {"customer_pareto": {"value": 86, "unit": "customers"},
                        "credit_wait": {"value": 3.5, "unit": "h"}}}
    lines = render_comparison(compare_kpis(base, what_if)).splitlines()
    pareto = next(x for x in lines if x.startswith("customer_pareto"))
    assert "86 customers" in pareto and "+0 customers" not in pareto and "0 customers" in pareto
    assert "3.00 h" in next(x for x in lines if x.startswith("credit_wait"))  # hours keep their decimals
