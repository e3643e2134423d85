"""kpi.shared: inside ``sharing(frame)`` a shared function runs once per frame and arguments."""

from __future__ import annotations

import pandas as pd
import pytest

from jxcsim.kpi.example import example_log
from jxcsim.kpi.posting import PostedMovement, match_postings
from jxcsim.kpi.shared import shared, sharing
from jxcsim.kpi.summary import kpi_summary

calls: list[tuple] = []


@shared
def _count(frame: pd.DataFrame, *args, **kwargs) -> int:
    calls.append((id(frame), args, tuple(kwargs.items())))
    if args and args[0] == "fail":
        raise ValueError("no")
    return len(frame) + len(args)


@pytest.fixture(autouse=True)
def _clear():
    calls.clear()


def test_once_per_frame_and_arguments_inside_the_block_only():
    a, b = pd.DataFrame({"x": [1, 2]}), pd.DataFrame({"x": [1, 2]})
    with sharing(a):
        assert [_count(a), _count(a), _count(a, "k"), _count(a, "k"), _count(a, key=1), _count(b), _count(b)] \
            == [2, 2, 3, 3, 2, 2, 2]
        assert len(calls) == 5  # a, a+"k", a+key, and b twice (b is not shared)
        with sharing(a):  # a nested block shares the outer one's results
            _count(a)
        assert len(calls) == 5
    _count(a)
    assert len(calls) == 6  # the block ended: computed again


def test_unhashable_arguments_and_errors_are_never_kept():
    a = pd.DataFrame({"x": [1]})
    with sharing(a):
        _count(a, ["list"]), _count(a, ["list"])
        for _ in range(2):
            with pytest.raises(ValueError):
                _count(a, "fail")
    assert len(calls) == 4


def test_a_block_ends_cleanly_after_an_error():
    a = pd.DataFrame({"x": [1]})
    with pytest.raises(RuntimeError), sharing(a):
        _count(a)
        raise RuntimeError
    _count(a)
    assert len(calls) == 2


def test_shared_matching_gives_the_same_kpis():
    log = example_log()
    with sharing(log):
        assert match_postings(log, PostedMovement.ISSUE) is match_postings(log, PostedMovement.ISSUE)
    assert match_postings(log, PostedMovement.ISSUE) is not match_postings(log, PostedMovement.ISSUE)
    once = kpi_summary(log, timezone="Asia/Shanghai")
    with sharing(log):
        assert kpi_summary(log, timezone="Asia/Shanghai") == once
