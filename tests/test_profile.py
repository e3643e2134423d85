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
    ({"columns": {"cas": "x"}}, "columns.cas: Extra inputs are not permitted"),
    ({"activities": {"Load truck": "loaded"}}, "activities.Load truck: unknown semantic 'loaded'"),
    ({"timezone": "Mars/Olympus"}, "timezone: Value error, unknown time zone 'Mars/Olympus'"),
    ({"strict": "sometimes"}, "strict: Input should be a valid boolean"),
    ({"count_columns": {"counted": "c", "bok": "b"}}, "count_columns.bok: Extra inputs are not permitted"),
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
