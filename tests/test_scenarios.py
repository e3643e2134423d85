"""Scenario files: every file loads, overlays merge, errors name the field, the JSON Schema is current."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from conftest import REPO
from jxcsim.world import export_schema
from jxcsim.world.scenario import ScenarioError, load_scenario, parse_scenario, scenario_json_schema

SCENARIOS = REPO / "scenarios"
CHANGES = sorted((SCENARIOS / "changes").glob("*.yaml"))


def test_baseline_is_the_wholesaler_of_the_design_story():
    sc = load_scenario(SCENARIOS / "baseline.yaml")
    assert sc.timezone == "Asia/Shanghai" and list(sc.locations) == ["WH-A", "WH-B"]
    assert sum(g.count for g in sc.catalogue.groups.values()) >= 30
    assert sum(g.count for g in sc.customers.values()) >= 50
    approvers = [n for n, m in sc.staff.items() if m.role.value == "credit_approver"]
    assert approvers == ["Chen Jing"] and sc.staff["Chen Jing"].absent_weekdays == [1]
    assert sc.rules.credit.review_threshold == 50_000
    wed = sc.posting.habits["wed_afternoon_load_before_post"]
    assert (wed.locations, wed.weekdays, wed.hours.low, wed.hours.high) == (["WH-A"], [2], 13, 18)
    assert 0 < wed.p_never < 0.1
    fri = sc.posting.habits["friday_receipts_posted_monday"]
    assert fri.locations == ["WH-B"] and fri.weekdays == [4] and fri.post_at == "next_workday"


@pytest.mark.parametrize("change", CHANGES, ids=lambda p: p.stem)
def test_every_overlay_loads_both_ways(change: Path):
    alone = load_scenario(change)  # through its own extends
    applied = load_scenario(SCENARIOS / "baseline.yaml", changes=[change])
    assert alone == applied
    assert alone != load_scenario(SCENARIOS / "baseline.yaml")


def test_overlays_change_what_they_say():
    base = SCENARIOS / "baseline.yaml"
    assert load_scenario(base, changes=[SCENARIOS / "changes/scan_to_ship.yaml"]).rules.scan_to_ship.enabled
    clean = load_scenario(base, changes=[SCENARIOS / "changes/no_habits.yaml"])
    assert not any(h.enabled for h in clean.posting.habits.values())
    evening = load_scenario(base, changes=[SCENARIOS / "changes/evening_pick_shift.yaml"])
    assert "Deng Hui" in evening.staff and "Wang Qiang" in evening.staff  # added, nothing lost


def test_every_entry_of_a_mapping_with_a_star(tmp_path):
    """"*" changes every entry the scenario has, named entries win over it, and it never becomes an entry."""
    path = tmp_path / "star.yaml"
    path.write_text(json.dumps({"extends": str(SCENARIOS / "baseline.yaml"), "posting": {"habits": {
        "*": {"enabled": False, "p_never": 0.5},
        "wed_afternoon_load_before_post": {"enabled": True}}}, "counts": {"*": {"x": 1}}}))
    with pytest.raises(ScenarioError, match=r"counts\.enabled: Input should be a valid boolean"):
        load_scenario(path)  # "*" under counts reaches its fields, which are no mappings
    data = json.loads(path.read_text())
    del data["counts"]
    path.write_text(json.dumps(data))
    habits = load_scenario(path).posting.habits
    assert set(habits) == {"wed_afternoon_load_before_post", "friday_receipts_posted_monday"}
    assert habits["wed_afternoon_load_before_post"].enabled and habits["wed_afternoon_load_before_post"].p_never == 0.5
    assert not habits["friday_receipts_posted_monday"].enabled
    # with no entries to apply to, "*" adds none
    base = tmp_path / "base.yaml"
    base.write_text(json.dumps({"name": "tiny", "locations": {"WH-A": {}}, "posting": {"habits": {"*": {}}}}))
    assert load_scenario(base).posting.habits == {}


@pytest.mark.parametrize("change", ["no_habits.yaml", "scan_to_ship.yaml", "posting_deadline_2h.yaml",
                                    "new_order_notifications.yaml"])
def test_generic_overlays_apply_to_a_world_they_were_not_written_for(change):
    world = SCENARIOS / "examples" / "hardware_distributor_de.yaml"
    applied = load_scenario(world, changes=[SCENARIOS / "changes" / change])
    original = load_scenario(world)
    assert applied != original and list(applied.locations) == list(original.locations)
    assert set(applied.posting.habits) == set(original.posting.habits)  # no habit of the baseline's added
    if change == "no_habits.yaml":
        assert not any(h.enabled for h in applied.posting.habits.values())


@pytest.mark.parametrize(("overlay", "message"), [
    ({"demand": {"orders_per_wek": 3}}, "demand.orders_per_wek: unknown key (did you mean 'orders_per_week'?)"),
    ({"zzz": 1}, "zzz: unknown key (known: schema_version, name, description, timezone,"),
    ({"posting": {"habits": {"x": {"weekdays": ["Funday"]}}}}, "posting.habits.x.weekdays.0: not a weekday"),
    ({"staff": {"Li": {"role": "picker", "location": "WH-Z"}}}, "staff.Li.location: unknown location 'WH-Z'"),
    ({"staff": {"Li": {"role": "picker"}}}, "staff.Li.location: a picker works at one location"),
    ({"start": "2025-01-07"}, "start: 2025-01-07 is a Tue; a scenario starts on a Monday"),
    ({"schema_version": 2}, "schema_version: Input should be 1"),
    ({"posting": {"habits": {"x": {"hours": [-1, 4]}}}}, "posting.habits.x.hours: hours run from a start in [0, 24)"),
    ({"posting": {"habits": {"x": {"hours": [20, 50]}}}}, "posting.habits.x.hours: hours run from a start in [0, 24)"),
    ({"staff": {"Chen Jing": {"absent_weekdays": ["Monkey"]}}}, "staff.Chen Jing.absent_weekdays.0: not a weekday"),
    ({"staff": {"Chen Jing": {"absent_weekdays": [True]}}}, "YAML reads an unquoted yes/no/on/off as true/false"),
    ({"staff": {"Chen Jing": {"absent_weekdays": ["Monday", "tue", "Wed", "Thu", "Fri"]}}},
     "staff.Chen Jing.absent_weekdays: absent on every day of shift 'office', Chen Jing never works"),
    ({"shifts": {"office": {"start": 360}}}, 'YAML reads an unquoted 6:00 as the number 360; write it in quotes: "06:00"'),
    ({"shifts": {"office": {"start": "08:00", "end": "08:00"}}}, "shifts.office: start and end are both 8 h"),
    ({"shifts": {"office": {"days": []}}}, "shifts.office.days: List should have at least 1 item"),
    ({"posting": {"habits": {"x": {"weekdays": []}}}}, "posting.habits.x.weekdays: List should have at least 1 item"),
    ({"currency": "euro"}, "currency: 'euro' is not an ISO 4217 currency code"),
    ({"catalogue": {"groups": {"X": {"count": 3, "price": [10, 5]}}}}, "catalogue.groups.X.price: low 10.0 is above"),
    ({"handoffs": {"order_cutoff": "25:00"}}, "handoffs.order_cutoff: not a time of day"),
    ({"posting": {"habits": {"*": False}}}, "posting.habits.*: must be a mapping merged into every entry"),
    ({"activity_names": {"book_issue": "Post", "book_receipt": "Post"}},
     "activity_names: book_issue and book_receipt are both 'Post': each step needs its own name"),
    ({"activity_names": {"pick": " "}}, "activity_names: pick: an activity name cannot be blank"),
    ({"posting": {"habits": {"none": {"hours": [5, 5]}}}},
     "posting.habits.none.hours: hours run from a start in [0, 24) to a later end, at most a day on; got [5, 5]"),
    ({"staff": {"Zhang Wei": {"location": "WH-A"}}},
     "staff.Zhang Wei.location: a sales serves every location; remove location"),
    ({"posting": {"habits": {"nowhere": {"locations": []}}}}, "posting.habits.nowhere.locations: List should have"),
    ({"staff": {"Moana": {"shift": "office"}}}, "staff.Moana.role: required: add it (one of 'sales', "
                                                "'credit_approver', 'picker', 'driver', 'warehouse_clerk', 'buyer', "
                                                "'accountant')"),
    ({"staff": {"Moana": {"role": "clerk"}}}, "staff.Moana.role: 'clerk' is not one of 'sales', 'credit_approver', "
                                              "'picker', 'driver', 'warehouse_clerk', 'buyer', 'accountant' (did you "
                                              "mean 'warehouse_clerk'?)"),
    ({"staff": {"Moana": {"role": "acountant"}}}, "(did you mean 'accountant'?)"),
    # values that would have stopped a run midway (a negative delay, a unit cost below zero)
    ({"rules": {"credit": {"review_threshold": -1}}}, "rules.credit.review_threshold: Input should be greater than"),
    ({"rules": {"credit": {"fast_track_below": -5}}}, "rules.credit.fast_track_below: Input should be greater than"),
    ({"rules": {"posting_deadline": {"hours": 3, "escalate_after_h": 2}}},
     "rules.posting_deadline.escalate_after_h: 2 h is before the alert (hours: 3)"),
    ({"catalogue": {"groups": {"X": {"count": 3, "margin": [0.2, 1.0]}}}},
     "catalogue.groups.X.margin: margins (unit cost = price × (1 − margin): a margin of 1 gives the goods away) "
     "stay below 1; got [0.2, 1]"),
    ({"catalogue": {"groups": {"X": {"count": 3, "price": [0, 5]}}}},
     "catalogue.groups.X.price: prices (rounded to cents) start at 0.01; got [0, 5]"),
    ({"catalogue": {"groups": {"X": {"count": 3, "lead_time_days": [-1, 2]}}}},
     "catalogue.groups.X.lead_time_days: days (counted from an event, never before it) start at 0; got [-1, 2]"),
    ({"customers": {"CUST": {"pay_days": [-10, 30]}}}, "customers.CUST.pay_days: days"),
    ({"customers": {"CUST": {"credit_limit": [-1000, 30]}}}, "customers.CUST.credit_limit: amounts start at 0"),
    ({"purchasing": {"approval_threshold": -1}}, "purchasing.approval_threshold: Input should be greater than"),
    ({"purchasing": {"payment_days": [-3, 4]}}, "purchasing.payment_days: days"),
    ({"catalogue_seed": -1}, "catalogue_seed: Input should be greater than or equal to 0"),
    ({"catalogue": {"reorder": {"order_up_to_days": 1e9}}},
     "catalogue.reorder.order_up_to_days: Input should be less than or equal to 3650"),
    ({"start": "9999-12-27"}, "start: 9999-12-27 is outside 1900-2200"),
    ({"demand": {"qty_per_line": {"mean": 1e9}}}, "demand.qty_per_line.mean: Input should be less than or equal to"),
    ({"demand": {"orders_per_week": 1e9}}, "demand.orders_per_week: Input should be less than or equal to"),
])
def test_errors_name_the_field_path(tmp_path, overlay, message):
    path = tmp_path / "bad.yaml"
    path.write_text(json.dumps({"extends": str(SCENARIOS / "baseline.yaml"), **overlay}))
    with pytest.raises(ScenarioError) as err:
        load_scenario(path)
    assert message in str(err.value) and str(path) in str(err.value)


def test_a_habit_no_one_is_there_to_act_on_is_noted_not_refused():
    from jxcsim.world.scenario import inert_habits

    base = load_scenario(SCENARIOS / "baseline.yaml").model_dump(mode="json")
    assert inert_habits(parse_scenario(base)) == []
    base["posting"]["habits"]["night"] = {"locations": ["WH-B"], "weekdays": ["Sun"], "hours": [1, 5]}
    base["posting"]["habits"]["after"] = {"weekdays": ["Wed"], "hours": [18, 19]}  # loads finishing in overtime
    assert inert_habits(parse_scenario(base)) == [
        "posting.habits.night: never acts: no driver at WH-B works on Sun 01:00-05:00, when the habit's issues "
        "would be moved (their shifts: drivers (Mon/Tue/Wed/Thu/Fri/Sat 08:00-18:00))"]
    base["staff"]["Night Driver"] = {"role": "driver", "location": "WH-B", "shift": "night"}
    base["shifts"]["night"] = {"days": ["Sat"], "start": "22:00", "end": "06:00"}  # Saturday's night runs into Sunday
    assert inert_habits(parse_scenario(base)) == []
    base["shifts"]["night"]["days"] = ["Fri"]  # a what-if moving the night crew: a note, not an error
    base["staff"]["Ma Chao"]["absent_weekdays"] = ["Wed"]
    assert ("(their shifts: drivers (Mon/Tue/Wed/Thu/Fri/Sat 08:00-18:00); drivers (Mon/Tue/Wed/Thu/Fri/Sat "
            "08:00-18:00, away Wed); night (Fri 22:00-06:00))") in inert_habits(parse_scenario(base))[0]


def test_transfers_need_two_locations():
    with pytest.raises(ScenarioError, match=r"transfers\.enabled: transfers move goods between locations; "
                                            r"the scenario has 1 \(W1\)"):
        parse_scenario({"name": "one", "locations": {"W1": {}}, "transfers": {"enabled": True}})


def test_extends_cycle_and_yaml_errors(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text("extends: b.yaml\n")
    b.write_text("extends: a.yaml\n")
    with pytest.raises(ScenarioError, match="cycle"):
        load_scenario(a)
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: [unclosed\n")
    with pytest.raises(ScenarioError, match=r"bad.yaml:\d+: not valid YAML"):
        load_scenario(bad)
    orphan = tmp_path / "orphan.yaml"
    orphan.write_text("extends: nope.yaml\n")
    with pytest.raises(ScenarioError) as err:
        load_scenario(orphan)
    assert str(err.value) == (f"{orphan}: extends: 'nope.yaml': no such file ({tmp_path / 'nope.yaml'}; the path is "
                              "relative to the folder of the file that extends it)")


def test_a_posting_deadline_given_only_its_hours_escalates_at_twice_them(tmp_path):
    path = tmp_path / "late.yaml"
    path.write_text(json.dumps({"extends": str(SCENARIOS / "baseline.yaml"),
                                "rules": {"posting_deadline": {"enabled": True, "hours": 5}}}))
    rule = load_scenario(path).rules.posting_deadline
    assert (rule.hours, rule.escalate_after_h) == (5.0, 10.0)
    assert parse_scenario({"name": "t", "locations": {"W": {}}}).rules.posting_deadline.escalate_after_h == 4.0
    none = parse_scenario({"name": "t", "locations": {"W": {}},
                           "rules": {"posting_deadline": {"hours": 5, "escalate_after_h": None}}})
    assert none.rules.posting_deadline.escalate_after_h is None


def test_a_digest_at_24_00_is_the_next_days_at_midnight():
    sc = parse_scenario({"name": "t", "locations": {"W": {}}, "rules": {"notifications": {"digest_times": ["24:00"]}}})
    assert sc.rules.notifications.digest_times == [0.0]


def test_the_schema_writer_takes_an_output_path_and_knows_its_options(tmp_path, capsys):
    out = tmp_path / "schema.json"
    export_schema.main([str(out)])
    assert json.loads(out.read_text(encoding="utf-8")) == scenario_json_schema()
    for option in ("--help", "--bogus"):  # an option is never taken for a file to write
        with pytest.raises(SystemExit):
            export_schema.main([option])
        assert not (Path.cwd() / option).exists()
    assert "usage: python -m jxcsim.world.export_schema" in capsys.readouterr().out


def test_checked_in_json_schema_is_current():
    stored = json.loads((SCENARIOS / "scenario.schema.json").read_text())
    assert stored == scenario_json_schema(), "run: python -m jxcsim.world.export_schema"


class _EditorLoader(yaml.SafeLoader):
    """YAML as an editor's language server reads it (YAML 1.2): an unquoted 2025-01-06 is text, not a date."""


_EditorLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()}
SHIPPED = sorted([*SCENARIOS.glob("*.yaml"), *CHANGES, *(SCENARIOS / "examples").glob("*.yaml"),
                  *(REPO / "benchmarks" / "scenarios").glob("*.yaml")])
# draft 2020-12 is what pydantic writes; draft 7 is what editors (yaml-language-server, VS Code) implement
VALIDATORS = [jsonschema.Draft202012Validator, jsonschema.Draft7Validator]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(REPO)))
def test_every_shipped_file_points_an_editor_at_the_schema(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# yaml-language-server: $schema="), first
    assert (path.parent / first.split("$schema=", 1)[1]).resolve() == (SCENARIOS / "scenario.schema.json").resolve()


@pytest.fixture(scope="module", params=VALIDATORS, ids=lambda v: v.__name__)
def schema_check(request) -> jsonschema.protocols.Validator:
    schema = json.loads((SCENARIOS / "scenario.schema.json").read_text())
    request.param.check_schema(schema)
    return request.param(schema, format_checker=request.param.FORMAT_CHECKER)


def _schema_errors(check: jsonschema.protocols.Validator, data: dict) -> list[str]:
    return [f"{'.'.join(map(str, e.absolute_path)) or '(top)'}: {e.message}" for e in check.iter_errors(data)]


def _jxcsim_error(data: dict, tmp_path: Path) -> str | None:
    """What jxcsim says of ``data`` as a file (an overlay extending the baseline when it has ``extends``)."""
    if "extends" in data:
        data = {**data, "extends": str(SCENARIOS / "baseline.yaml")}
    path = tmp_path / "file.yaml"
    path.write_text(json.dumps(data))
    try:
        load_scenario(path)
    except ScenarioError as exc:
        return str(exc)
    return None


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: str(p.relative_to(REPO)))
def test_every_shipped_scenario_and_overlay_passes_the_checked_in_schema(path: Path, schema_check):
    """What an editor pointed at the schema says of the files jxcsim ships: nothing (they all load)."""
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=_EditorLoader)
    assert _schema_errors(schema_check, data) == []


WORLD = {"name": "t", "locations": {"A": {}, "B": {}}}
OVERLAY = {"extends": "../baseline.yaml"}


@pytest.mark.parametrize("data", [
    {**WORLD, "shifts": {"warehouse": {"days": ["monday", " TUE ", 2, "Sun"], "start": "8:00", "end": 17.5}}},
    {**WORLD, "customers": {"C": {"count": 3, "credit_limit": {"low": 1, "high": 2}, "pay_days": 30}},
     "catalogue": {"groups": {"G": {"count": 2, "price": [1.5, 9]}}}},
    {**WORLD, "posting": {"habits": {"late": {"hours": ["22:00", 2], "weekdays": ["Fri"], "locations": ["B"]}}},
     "handoffs": {"order_cutoff": "16:30", "to_warehouse": {"times": ["08:00", 13.5]}}},
    {**WORLD, "start": "2025-03-03", "catalogue": {"cost_changes": [{"effective": "2025-04-01", "factor": 1.05}]}},
    {**OVERLAY, "posting": {"habits": {"*": {"enabled": False}}}, "staff": {"Chen Jing": {"absent_weekdays": ["Wed"]}}},
    {**OVERLAY, "shifts": {"office": {"start": "09:00"}}, "customers": {"KA": {"pay_days": [20, 30]}}},
], ids=["weekdays-and-times", "ranges", "habit-hours", "dates", "overlay-star", "overlay-partial-entries"])
def test_the_schema_takes_what_a_file_may_write(data, schema_check, tmp_path):
    assert _jxcsim_error(data, tmp_path) is None
    assert _schema_errors(schema_check, data) == []


@pytest.mark.parametrize(("data", "where"), [
    ({**WORLD, "zzz": 1}, "(top)"),
    ({**OVERLAY, "staff": {"Chen Jing": {"absent_wekdays": ["Tue"]}}}, "staff.Chen Jing"),
    ({**WORLD, "demand": {"orders_per_week": "many"}}, "demand.orders_per_week"),
    ({**OVERLAY, "staff": {"Chen Jing": {"role": "janitor"}}}, "staff.Chen Jing.role"),
    ({**WORLD, "shifts": {"warehouse": {"days": ["Funday"], "start": 8, "end": 17}}}, "shifts.warehouse.days.0"),
    ({**OVERLAY, "handoffs": {"order_cutoff": 990}}, "handoffs.order_cutoff"),  # YAML 1.1's unquoted 16:30
    ({**OVERLAY, "handoffs": {"order_cutoff": "24:30"}}, "handoffs.order_cutoff"),
    ({**OVERLAY, "catalogue": {"groups": {"SNK": {"price": [1, 2, 3]}}}}, "catalogue.groups.SNK.price"),
    ({**OVERLAY, "counts": {"locations": "WH-A"}}, "counts.locations"),
    ({**WORLD, "start": "2025-13-06"}, "start"),
    ({**OVERLAY, "currency": "eur"}, "currency"),
    ({"locations": {"A": {}}}, "(top)"),  # no name, and no extends to take one from
    ({**OVERLAY, "catalogue": {"cost_changes": [{"factor": 1.1}]}}, "catalogue.cost_changes.0"),  # lists replace
    ({**OVERLAY, "posting": {"habits": {"*": True}}}, "posting.habits.*"),
], ids=["unknown-key", "unknown-key-in-overlay", "wrong-type", "unknown-role", "weekday", "unquoted-time",
        "time-past-24", "range-of-three", "one-location-for-a-list", "date", "currency", "no-name",
        "list-item-in-overlay", "star-not-a-mapping"])
def test_the_schema_refuses_what_jxcsim_refuses(data, where, schema_check, tmp_path):
    assert _jxcsim_error(data, tmp_path) is not None
    errors = _schema_errors(schema_check, data)
    assert errors and all(e.startswith(f"{where}: ") or where == "(top)" for e in errors), errors


def test_minimal_scenario_has_sensible_defaults():
    sc = parse_scenario({"name": "tiny", "locations": {"A": {}}})
    assert sc.counts.enabled and sc.rules.credit.review_threshold == 50_000


def test_a_date_yaml_cannot_read_names_the_file(tmp_path):
    path = tmp_path / "bad_date.yaml"
    path.write_text(f"extends: {SCENARIOS / 'baseline.yaml'}\ncatalogue: {{cost_changes: [{{effective: 2025-13-01, "
                    "factor: 1.1}]}\n")
    with pytest.raises(ScenarioError, match=r"bad_date.yaml: a value YAML cannot read: month must be in 1..12"):
        load_scenario(path)


def test_a_scenario_not_saved_as_utf8_says_so(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: café\nlocations: {W: {}}\n".encode("latin-1"))
    with pytest.raises(ScenarioError, match=r"latin1.yaml: not UTF-8 text \(byte 9\); save the file as UTF-8"):
        load_scenario(path)


def test_a_habit_takes_what_it_does_not_give_from_its_movements_usual_posting():
    sc = parse_scenario({"name": "t", "locations": {"W": {}},
                         "posting": {"receipt": {"p_move_before_post": 0.9, "p_never": 0.01},
                                     "habits": {"late": {"movement": "receipt", "delay_h": {"mean_h": 9}},
                                                "issue": {"weekdays": ["Mon"], "p_never": 0.5}}}})
    late, issue = sc.posting.habits["late"], sc.posting.habits["issue"]
    assert (late.p_move_before_post, late.p_never, late.delay_h.mean_h) == (0.9, 0.01, 9.0)
    assert (issue.p_move_before_post, issue.delay_h) == (sc.posting.issue.p_move_before_post, sc.posting.issue.delay_h)
    assert issue.p_never == 0.5


def test_location_weights_give_every_location_one_and_some_order():
    """All-zero weights crashed the purchasing demand (ZeroDivisionError); a location left out silently got no
    orders: both are refused, naming what to write."""
    world = {"name": "t", "locations": {"A": {}, "B": {}, "C": {}}}
    with pytest.raises(ScenarioError, match=r"demand\.location_weights: every weight is 0: the location weights leave "
                                            r"no location to order from"):
        parse_scenario({**world, "demand": {"location_weights": {"A": 0, "B": 0, "C": 0}}})
    with pytest.raises(ScenarioError, match=r"demand\.location_weights: weights must be non-negative; 'B' has"):
        parse_scenario({**world, "demand": {"location_weights": {"A": 1, "B": -1, "C": 0}}})
    with pytest.raises(ScenarioError, match=r"demand\.location_weights: no weight for 'B', 'C': with location_weights "
                                            r"given, every location needs one \(give it 0 for no orders there\)"):
        parse_scenario({**world, "demand": {"location_weights": {"A": 1}}})
    sc = parse_scenario({**world, "demand": {"location_weights": {"A": 1, "B": 0, "C": 2}}})
    assert [sc.demand.location_weight(loc) for loc in "ABC"] == [1, 0, 2]
    assert parse_scenario(world).demand.location_weight("B") == 1.0  # none given: every location weighs 1


def test_habit_hours_take_hh_mm_as_shift_times_do():
    def hours(value):
        sc = parse_scenario({"name": "t", "locations": {"W": {}}, "posting": {"habits": {"x": {"hours": value}}}})
        return sc.posting.habits["x"].hours.low, sc.posting.habits["x"].hours.high

    assert hours(["20:00", "02:00"]) == hours([20, 2]) == (20.0, 26.0)  # past midnight either way
    assert hours(["08:30", "24:00"]) == (8.5, 24.0) and hours(["13:00", 18]) == (13.0, 18.0)
    with pytest.raises(ScenarioError, match=r"posting\.habits\.x\.hours: not a time of day: '25:00' \(hours run "
                                            r"00-23 and minutes 00-59, 24:00 ends a day; hours past midnight end at "
                                            r"the next day's time: \"22:00\" to \"02:00\"\)"):
        hours(["25:00", "02:00"])
    with pytest.raises(ScenarioError, match=r"posting\.habits\.x\.hours: not a time of day: '22h00' \(use HH:MM\)"):
        hours(["22h00", "02:00"])
    with pytest.raises(ScenarioError, match=r'YAML reads an unquoted 20:00 as the number 1200; write it in quotes'):
        hours([1200, 120])
    schema = json.dumps(scenario_json_schema()["$defs"]["PostingHabit"]["properties"]["hours"])
    assert '"type": "string"' in schema and '"type": "array"' in schema  # the schema lets "HH:MM" through


@pytest.mark.parametrize(("data", "message"), [
    ({"posting": {"habits": {"x": {"locations": "Godown #1 (Teku)"}}}},
     'posting.habits.x.locations: a list of location names; for one write ["Godown #1 (Teku)"]'),
    ({"counts": {"locations": "Godown #1 (Teku)"}}, 'counts.locations: a list of location names; for one write'),
    ({"posting": {"habits": {"x": {"weekdays": "Mon"}}}}, 'posting.habits.x.weekdays: a list of weekdays; for one '
                                                          'write ["Mon"]'),
    ({"shifts": {"s": {"days": 4, "start": 8, "end": 9}}}, "shifts.s.days: a list of weekdays; for one write [4]"),
    ({"posting": {"habits": {"x": {"locations": []}}}}, "posting.habits.x.locations: List should have at least 1"),
])
def test_one_name_where_a_list_is_due_says_how_to_write_the_list(data, message):
    with pytest.raises(ScenarioError) as err:
        parse_scenario({"name": "t", "locations": {"Godown #1 (Teku)": {}}, **data})
    assert message in str(err.value)


def test_a_member_without_a_shift_is_told_office_is_the_default_not_a_typo():
    world = {"name": "t", "locations": {"W": {}}, "shifts": {"shop": {"days": ["Mon"], "start": 9, "end": 17}}}
    with pytest.raises(ScenarioError, match=r"staff\.Naya\.shift: none given, and the default 'office' \(used when a "
                                            r"member names no shift\) is not a shift of this scenario: give Naya one "
                                            r"of shop \(shift: shop\), or add a shift named 'office' under shifts"):
        parse_scenario({**world, "staff": {"Naya": {"role": "sales"}}})
    with pytest.raises(ScenarioError, match=r"staff\.Naya\.shift: unknown shift 'office' \(known: shop\)"):
        parse_scenario({**world, "staff": {"Naya": {"role": "sales", "shift": "office"}}})  # written: as it is
    assert parse_scenario({"name": "t", "locations": {"W": {}}, "staff": {"Naya": {"role": "sales"}}}).staff[
        "Naya"].shift == "office"


def test_an_overlay_cannot_switch_off_an_entry_the_scenario_lacks(tmp_path):
    """A typo'd habit (or staff member) given only enabled: false used to add a new disabled entry and leave the one
    meant on; refused with the closest name. A file alone may still hold a disabled entry."""
    overlay = tmp_path / "off.yaml"
    overlay.write_text(json.dumps({"posting": {"habits": {"WED_afternoon_load_before_post": {"enabled": False}}}}))
    typo = (r"off\.yaml: posting\.habits\.WED_afternoon_load_before_post: no such habit in the scenario \(did you "
            r"mean 'wed_afternoon_load_before_post'\?\); an overlay giving only enabled: false would add a new, "
            r"disabled habit")
    with pytest.raises(ScenarioError, match=typo):
        load_scenario(SCENARIOS / "baseline.yaml", changes=[overlay])
    overlay.write_text(json.dumps({"extends": str(SCENARIOS / "baseline.yaml"),
                                   "staff": {"Chen  Jing": {"enabled": False}}}))
    with pytest.raises(ScenarioError, match=r"staff\.Chen  Jing: no such staff member in the scenario \(did you mean "
                                            r"'Chen Jing'\?\)"):
        load_scenario(overlay)  # through its own extends too
    overlay.write_text(json.dumps({"staff": {"Chen Jing": {"enabled": False}},  # an existing one: switched off
                                   "rules": {"scan_to_ship": {"enabled": False}}}))  # a model's field, not an entry
    assert not load_scenario(SCENARIOS / "baseline.yaml", changes=[overlay]).staff["Chen Jing"].enabled
    alone = tmp_path / "alone.yaml"
    alone.write_text(json.dumps({"name": "t", "locations": {"W": {}}, "posting": {"habits": {"later": {
        "enabled": False}}}}))
    assert not load_scenario(alone).posting.habits["later"].enabled


def test_an_overlay_removing_an_entry_with_null_says_it_cannot_and_what_to_do(tmp_path):
    overlay = tmp_path / "drop.yaml"
    overlay.write_text(json.dumps({"locations": {"WH-B": None}}))
    with pytest.raises(ScenarioError, match=r"drop\.yaml: locations\.WH-B: an overlay cannot remove a location \(null "
                                            r"removes nothing: mappings merge key by key\); to take its orders away "
                                            r"give it 0 in demand\.location_weights"):
        load_scenario(SCENARIOS / "baseline.yaml", changes=[overlay])
    overlay.write_text(json.dumps({"staff": {"Chen Jing": None}}))
    with pytest.raises(ScenarioError, match=r"staff\.Chen Jing: an overlay cannot remove a staff member .*; switch "
                                            r"them off with enabled: false"):
        load_scenario(SCENARIOS / "baseline.yaml", changes=[overlay])
    overlay.write_text(json.dumps({"demand": {"location_weights": {"WH-B": None}}}))
    with pytest.raises(ScenarioError, match=r"location_weights\.WH-B: an overlay cannot remove an entry .*; give it 0 "
                                            r"for no orders there"):
        load_scenario(SCENARIOS / "baseline.yaml", changes=[overlay])
    overlay.write_text(json.dumps({"demand": {"location_weights": {"WH-A": 0.6, "WH-B": 0}}}))  # what it says works
    assert load_scenario(SCENARIOS / "baseline.yaml", changes=[overlay]).demand.location_weight("WH-B") == 0


def test_the_inert_habit_note_writes_a_whole_day_as_00_00_to_24_00():
    from jxcsim.world.scenario import inert_habits

    sc = parse_scenario({"name": "t", "locations": {"W": {}},
                         "shifts": {"day": {"days": ["Mon"], "start": "00:00", "end": "24:00"}},
                         "staff": {"D": {"role": "driver", "location": "W", "shift": "day"}},
                         "purchasing": {"receiving_shift": "day"},
                         "posting": {"habits": {"sat": {"weekdays": ["Sat"]}}}})  # every hour of Saturday
    assert inert_habits(sc) == ["posting.habits.sat: never acts: no driver at W works on Sat 00:00-24:00, when the "
                                "habit's issues would be moved (their shifts: day (Mon 00:00-24:00))"]


def test_a_habit_posting_next_workday_moves_the_goods_first_unless_it_says_otherwise():
    """An issue habit posting on the next working day used to inherit posting.issue's 0.3 and post ~70 % at once."""
    sc = parse_scenario({"name": "t", "locations": {"W": {}}, "posting": {"issue": {"p_move_before_post": 0.2},
        "habits": {"fri": {"weekdays": ["Fri"], "post_at": "next_workday"},
                   "half": {"weekdays": ["Fri"], "post_at": "next_workday", "p_move_before_post": 0.5},
                   "late": {"weekdays": ["Fri"], "p_never": 0.1}}}})
    habits = sc.posting.habits
    assert habits["fri"].p_move_before_post == 1.0 and habits["fri"].p_never == sc.posting.issue.p_never
    assert habits["half"].p_move_before_post == 0.5  # given: kept
    assert habits["late"].p_move_before_post == 0.2  # after a delay: the movement's usual share
