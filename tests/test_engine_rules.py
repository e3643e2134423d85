"""Rules as data: credit review, approvals, posting deadlines with alerts and escalations, notifications."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given, strategies as st

from jxcsim.engine import (
    ApprovalRule, CreditRule, Notifications, PostingDeadline, Signal, SignalKind, WorkingTime,
)

MON, TUE, WED = 0.0, 24.0, 48.0
ALERT, ESCALATION = SignalKind.ALERT, SignalKind.ESCALATION


class Weekdays:
    """Working 08:00-17:00 on the given weekdays (the shape of the world's WeeklyCalendar)."""

    def __init__(self, days: set[int]) -> None:
        self.days = days

    def next_open(self, t: float) -> float:
        day = int(t // 24)
        hour = t - day * 24
        if day % 7 in self.days and hour < 17:
            return max(t, day * 24 + 8.0)
        day += 1
        while day % 7 not in self.days:
            day += 1
        return day * 24 + 8.0


# ---------------------------------------------------------------- credit


def test_credit_review_reasons_name_the_amounts():
    rule = CreditRule(review_threshold=50_000)
    assert rule.review_reason(63_200, exposure=0.0, credit_limit=None) == "amount 63,200 above review threshold 50,000"
    assert rule.review_reason(50_000, exposure=0.0, credit_limit=None) is None          # at the threshold: passes
    assert rule.review_reason(1_234.5, exposure=99_000, credit_limit=100_000) == (
        "exposure 99,000 + amount 1,234.5 = 100,234.5 above credit limit 100,000")
    assert CreditRule(50_000, use_credit_limit=False).review_reason(10, exposure=1e6, credit_limit=5.0) is None
    assert CreditRule(None).review_reason(1e8, exposure=0.0, credit_limit=None) is None


def test_fast_track_skips_the_threshold_review_but_not_the_credit_limit():
    rule = CreditRule(review_threshold=50_000, fast_track_below=80_000)
    assert rule.review_reason(63_200, exposure=0.0, credit_limit=200_000) is None
    assert rule.review_reason(80_000, exposure=0.0, credit_limit=200_000) == (
        "amount 80,000 above review threshold 50,000")                                # not below: no fast track
    assert rule.review_reason(63_200, exposure=190_000, credit_limit=200_000).startswith("exposure 190,000")
    # a fast track below the threshold changes nothing
    low = CreditRule(review_threshold=50_000, fast_track_below=10_000)
    assert low.review_reason(63_200, 0.0, None) == CreditRule(50_000).review_reason(63_200, 0.0, None)


money = st.floats(0, 1e6, allow_nan=False)
optional = st.none() | money


@given(optional, st.booleans(), optional, money, money, optional)
def test_credit_review_is_exactly_the_documented_condition(threshold, use_limit, fast, amount, exposure, limit):
    rule = CreditRule(threshold, use_limit, fast)
    over_threshold = threshold is not None and amount > threshold and not (fast is not None and amount < fast)
    over_limit = use_limit and limit is not None and exposure + amount > limit
    reason = rule.review_reason(amount, exposure, limit)
    assert (reason is not None) == (over_threshold or over_limit)
    if reason is not None:
        assert ("review threshold" in reason) == over_threshold and ("credit limit" in reason) == over_limit


def test_rules_are_frozen_data_and_check_their_numbers():
    rule = CreditRule(50_000)
    with pytest.raises(dataclasses.FrozenInstanceError):
        rule.review_threshold = 1.0
    assert dataclasses.replace(rule, fast_track_below=80_000) == CreditRule(50_000, True, 80_000)
    with pytest.raises(ValueError, match="review_threshold"):
        CreditRule(-1.0)
    with pytest.raises(ValueError, match="threshold"):
        ApprovalRule(float("nan"))


def test_approval_is_needed_at_or_above_the_threshold():
    rule = ApprovalRule(10_000)
    assert [rule.needs_approval(a) for a in (9_999.99, 10_000, 25_000)] == [False, True, True]
    assert not ApprovalRule(None).needs_approval(1e9)
    assert ApprovalRule(0.0).needs_approval(0.01)


# ---------------------------------------------------------------- posting deadline


def test_posting_deadline_alerts_at_2h_and_escalates_at_4h_only_at_named_locations():
    rule = PostingDeadline(hours=2.0, escalate_after_h=4.0, locations=frozenset({"WH-A"}))
    moved = WED + 14.0
    unposted = [("SO-1/1", "WH-A", moved), ("SO-2/1", "WH-B", moved)]
    assert rule.applies_to("WH-A") and not rule.applies_to("WH-B")
    assert (rule.alert_due(moved), rule.escalation_due(moved)) == (WED + 16.0, WED + 18.0)
    assert rule.due_signals(unposted, now=WED + 15.9) == []
    assert rule.due_signals(unposted, now=WED + 16.0) == [Signal(ALERT, "SO-1/1", WED + 16.0, "WH-A")]
    assert rule.due_signals(unposted, now=WED + 20.0) == [
        Signal(ALERT, "SO-1/1", WED + 16.0, "WH-A"), Signal(ESCALATION, "SO-1/1", WED + 18.0, "WH-A")]
    # polling: each signal once
    polled = [s for start, end in ((WED + 14, WED + 17), (WED + 17, WED + 19), (WED + 19, WED + 30))
              for s in rule.due_signals(unposted, now=end, since=start)]
    assert [s.kind for s in polled] == [ALERT, ESCALATION]
    everywhere = PostingDeadline(2.0)
    assert [s.location for s in everywhere.due_signals(unposted, now=WED + 20.0)] == ["WH-A", "WH-B"]
    assert everywhere.escalation_due(moved) is None


@given(st.lists(st.tuples(st.sampled_from(("M1", "M2", "M3")), st.sampled_from(("WH-A", "WH-B", "WH-C")),
                          st.integers(0, 100).map(float)), max_size=10),
       st.integers(1, 8).map(float), st.one_of(st.none(), st.integers(0, 8).map(float)),
       st.one_of(st.none(), st.sets(st.sampled_from(("WH-A", "WH-B")))), st.integers(0, 120).map(float),
       st.integers(0, 120).map(float))
def test_due_signals_are_the_due_times_in_the_window(unposted, hours, extra, locations, a, b):
    since, now = min(a, b), max(a, b)
    rule = PostingDeadline(hours, None if extra is None else hours + extra,
                           None if locations is None else frozenset(locations))
    signals = rule.due_signals(unposted, now, since=since)
    expected = []
    for movement, location, moved in unposted:
        if locations is None or location in locations:
            expected.append((moved + hours, ALERT, movement))
            if extra is not None:
                expected.append((moved + hours + extra, ESCALATION, movement))
    assert sorted((s.time, s.kind, s.subject) for s in signals) == sorted(
        e for e in expected if since < e[0] <= now)
    assert [s.time for s in signals] == sorted(s.time for s in signals)
    assert all(rule.applies_to(s.location) for s in signals)
    # windows that tile the time axis raise every signal exactly once
    halves = rule.due_signals(unposted, (since + now) / 2, since=since) + \
        rule.due_signals(unposted, now, since=(since + now) / 2)
    assert sorted(halves, key=repr) == sorted(signals, key=repr)


def test_posting_deadline_refuses_nonsense():
    with pytest.raises(ValueError, match="hours must be a positive"):
        PostingDeadline(0.0)
    with pytest.raises(ValueError, match="escalate_after_h"):
        PostingDeadline(4.0, escalate_after_h=2.0)
    with pytest.raises(ValueError, match="the string 'WH-A'"):
        PostingDeadline(2.0, locations="WH-A")
    assert PostingDeadline(2.0, locations=["WH-A", "WH-A"]).locations == frozenset({"WH-A"})


# ---------------------------------------------------------------- notifications


def test_digests_at_9_and_17_and_the_recipient_reads_them_when_at_work():
    warehouse = Weekdays({0, 1, 2, 3, 4})
    digest = Notifications(push_on_new_order=False, digest_hours=(17.0, 9.0))
    assert digest.digest_hours == (9.0, 17.0)
    cases = {
        MON + 7.0: MON + 9.0,        # before the morning digest
        MON + 9.0: MON + 9.0,        # at it
        MON + 10.0: TUE + 8.0,       # 17:00 digest comes after hours: read at 08:00 next day
        MON + 16.0: TUE + 8.0,       # the Monday order at 16:00: seen next morning
        MON + 17.5: TUE + 9.0,       # after the evening digest: next morning's digest
        4 * 24 + 18.0: 7 * 24 + 8.0,  # Friday evening: Saturday's digest, read on Monday at 08:00
    }
    for created, seen in cases.items():
        assert digest.seen_at(created, warehouse) == seen, created
    assert isinstance(warehouse, WorkingTime)


def test_push_is_seen_at_once_during_working_time_else_at_the_next_start():
    warehouse = Weekdays({0, 1, 2, 3, 4})
    push = Notifications(push_on_new_order=True, digest_hours=(9.0, 17.0))
    assert push.seen_at(MON + 16.0, warehouse) == MON + 16.0
    assert push.seen_at(MON + 16.0, lambda t: t) == MON + 16.0           # a plain function works too
    assert push.seen_at(MON + 20.0, warehouse) == TUE + 8.0
    assert push.seen_at(5 * 24 + 10.0, warehouse) == 7 * 24 + 8.0       # Saturday


def test_without_push_or_digests_nobody_is_told():
    assert Notifications().seen_at(10.0, lambda t: t) == math.inf
    assert Notifications().digest_at(10.0) == math.inf
    with pytest.raises(ValueError, match="digest_hours"):
        Notifications(digest_hours=(24.0,))


@given(st.integers(0, 24 * 14 * 4).map(lambda q: q / 4), st.sets(st.integers(0, 95).map(lambda q: q / 4),
                                                                   min_size=1, max_size=4), st.booleans())
def test_seen_at_is_never_before_creation_and_lands_on_working_time(created, hours, push):
    warehouse = Weekdays({0, 2, 3, 4})                                    # absent on Tuesdays
    rule = Notifications(push, tuple(hours))
    seen = rule.seen_at(created, warehouse)
    assert seen >= created and warehouse.next_open(seen) == seen
    if not push:
        digest = rule.digest_at(created)
        assert created <= digest < created + 24 and digest % 24 in rule.digest_hours
        assert seen == warehouse.next_open(digest)
