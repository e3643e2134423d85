"""Log profiles: the documented form loads; every mistake names the field."""

from __future__ import annotations

import pytest

from conftest import REPO
from jxcsim.eventlog import LogProfile, ProfileError, Semantic, dump_profile, load_profile, parse_profile

EXAMPLE = REPO / "docs" / "examples" / "wholesaler_profile.yaml"


def test_documented_profile_loads_and_round_trips():
    profile = load_profile(EXAMPLE)
    assert profile.columns.location == "warehouse"
    assert profile.columns.start_timestamp is None and "start_timestamp" in profile.columns.model_fields_set
    assert profile.activities["Load truck"] is Semantic.PHYSICAL_ISSUE
    assert profile.count_columns.counted == "counted_qty"
    assert profile.timezone == "Asia/Shanghai"
    again = parse_profile(__import__("yaml").safe_load(dump_profile(profile)))
    assert again == profile


@pytest.mark.parametrize(("data", "message"), [
    ({"columns": {"cas": "x"}}, "columns.cas: unknown key (did you mean 'case'?)"),
    ({"activities": {"Load truck": "loaded"}}, "activities.Load truck: unknown semantic 'loaded'"),
    ({"timezone": "Mars/Olympus"}, "timezone: Value error, unknown time zone 'Mars/Olympus'"),
    ({"strict": "sometimes"}, "strict: Input should be a valid boolean"),
    ({"count_columns": {"counted": "c", "bok": "b"}}, "count_columns.bok: unknown key (did you mean 'book'?)"),
])
def test_errors_name_the_field(data, message):
    with pytest.raises(ProfileError) as err:
        parse_profile(data)
    assert message in str(err.value)


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("columns:\n  case: a\n  activity: [unclosed\n")
    with pytest.raises(ProfileError, match=rf"{path}:\d+: not valid YAML"):
        load_profile(path)


def test_profile_must_be_a_mapping(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("- just\n- a list\n")
    with pytest.raises(ProfileError, match="must be a mapping"):
        load_profile(path)


def test_every_semantic_has_a_direction_rule():
    assert Semantic.BOOK_RECEIPT.direction == 1 and Semantic.PHYSICAL_ISSUE.direction == -1
    assert Semantic.ADJUSTMENT.direction == 0 and not Semantic.ADJUSTMENT.is_movement
    assert Semantic.PHYSICAL_ISSUE.is_physical and not Semantic.BOOK_ISSUE.is_physical
    assert LogProfile().semantic_of("anything") is None


def _frame_of(rows: str, profile: dict, tmp_path):
    from jxcsim.eventlog import read_event_log

    path = tmp_path / "log.csv"
    path.write_text(rows, encoding="utf-8")
    return read_event_log(path, profile=LogProfile.model_validate(profile))


def test_count_columns_fall_back_to_the_canonical_names_once(tmp_path):
    rows = ("case,activity,time,counted_qty,book_qty\n"
            "CNT-1,Count,2025-01-06T10:00:00+00:00,4,5\n")
    profile = {"activities": {"Count": "count"}, "count_columns": {"counted": "Gezählt", "book": "Buchbestand"}}
    frame = _frame_of(rows, profile, tmp_path).frame
    assert frame["counted_qty"].tolist() == [4.0] and frame["book_qty"].tolist() == [5.0]
    assert not [c for c in frame.columns if c.endswith("_source")]  # read once, not copied again
    # a log with no count events needs no count columns at all
    assert len(_frame_of("case,activity,time\nA,Pick,2025-01-06T10:00:00+00:00\n", profile, tmp_path).frame) == 1


def test_a_missing_start_column_is_only_forgiven_where_lifecycle_pairs_give_the_starts(tmp_path):
    from jxcsim.eventlog import EventLogError

    rows = ("case,activity,time,lifecycle\nA,Pick,2025-01-06T10:00:00+00:00,start\n"
            "A,Pick,2025-01-06T11:00:00+00:00,complete\n")
    paired = _frame_of(rows, {"columns": {"start_timestamp": "Begin"}}, tmp_path)
    assert len(paired.frame) == 1 and paired.frame["start_timestamp"].notna().all()
    with pytest.raises(EventLogError, match="start_timestamp to column 'Begin'"):
        _frame_of(rows, {"columns": {"start_timestamp": "Begin", "lifecycle": None}}, tmp_path)


def test_profile_activities_absent_from_the_log_are_noted_or_matched_loosely(tmp_path):
    from jxcsim.eventlog import read_event_log

    path = tmp_path / "log.csv"
    path.write_text("case,activity,timestamp\nC1,Load truck,2024-01-03 10:00\nC1,Post goods issue,2024-01-03 12:00\n")
    log = read_event_log(path, profile={"activities": {"Load  Truck": "physical_issue", "Post goods isue": "book_issue",
                                                       "Count stock": "count"}})
    assert log.frame["semantic"].iloc[0] == "physical_issue" and log.frame["semantic"].isna().iloc[1]
    assert log.notes == ["profile activity 'Load  Truck' matched the log's 'Load truck' (case, spaces or punctuation differ)",
                         "profile activities not in the log: 'Post goods isue' (did you mean 'Post goods issue'?)"]
    other = read_event_log(path, profile={"activities": {"Count stock": "count"}})
    assert other.notes == ["the profile's only activity is not in the log: is the profile for another log? "
                           "(log activities: 'Load truck', 'Post goods issue')"]


def test_activity_names_differing_in_punctuation_match_and_typos_are_compared_loosely(tmp_path):
    from jxcsim.eventlog import read_event_log

    path = tmp_path / "log.csv"
    path.write_text("case,activity,timestamp\nC1,Credit hold,2024-01-03 10:00\nC1,Post goods issue,2024-01-03 12:00\n"
                    "C1,Load truck,2024-01-03 13:00\n")
    log = read_event_log(path, profile={"activities": {"Credit-Hold": "credit_hold", "post_goods issue": "book_issue",
                                                       "LOAD-TRUK": "physical_issue"}})
    assert log.frame["semantic"].tolist()[:2] == ["credit_hold", "book_issue"]
    assert log.notes == [
        "profile activity 'Credit-Hold' matched the log's 'Credit hold' (case, spaces or punctuation differ)",
        "profile activity 'post_goods issue' matched the log's 'Post goods issue' (case, spaces or punctuation differ)",
        "profile activities not in the log: 'LOAD-TRUK' (did you mean 'Load truck'?)"]
