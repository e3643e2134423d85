"""Teams: who works on which task when (FIFO queue, shifts, overtime, absences)."""

from __future__ import annotations

from types import SimpleNamespace

import simpy
from hypothesis import given, strategies as st

from jxcsim.world.shifts import WeeklyCalendar
from jxcsim.world.teams import Team, Work

MON_8_12 = WeeklyCalendar.from_days([0], 8, 12)


def _run(env: simpy.Environment, requests: list[tuple[float, Team, float]]) -> list[Work]:
    """Queue each (time, team, duration) task at its time; the Work of each, in request order."""
    out: list[Work | None] = [None] * len(requests)

    def request(i: int, at: float, team: Team, duration: float):
        yield env.timeout(at)
        out[i] = yield team.do(duration)

    for i, (at, team, duration) in enumerate(requests):
        env.process(request(i, at, team, duration))
    env.run(until=400)
    assert all(w is not None for w in out)
    return out  # type: ignore[return-value]


def test_tasks_wait_for_the_shift_and_run_one_after_another():
    env = simpy.Environment()
    team = Team(env, "picker", [("Wang", MON_8_12)])
    works = _run(env, [(0.0, team, 1.5), (1.0, team, 1.0), (9.0, team, 0.5)])
    assert works == [Work(8.0, 9.5, "Wang"), Work(9.5, 10.5, "Wang"), Work(10.5, 11.0, "Wang")]


def test_a_task_started_before_the_shift_ends_is_finished_then_the_rest_waits_a_week():
    env = simpy.Environment()
    team = Team(env, "picker", [("Wang", MON_8_12)])
    works = _run(env, [(11.5, team, 2.0), (11.6, team, 1.0)])
    assert works[0] == Work(11.5, 13.5, "Wang")  # overtime
    assert works[1] == Work(168 + 8.0, 168 + 9.0, "Wang")  # next Monday


def test_two_workers_share_the_queue_first_free_first():
    env = simpy.Environment()
    team = Team(env, "driver", [("Liu", MON_8_12), ("Sun", MON_8_12)])
    works = _run(env, [(8.0, team, 2.0), (8.0, team, 1.0), (8.5, team, 1.0), (8.6, team, 1.0)])
    assert [(w.worker, w.start) for w in works] == [("Liu", 8.0), ("Sun", 8.0), ("Sun", 9.0), ("Liu", 10.0)]


def test_an_absent_weekday_is_skipped_and_a_zero_or_negative_duration_takes_no_time():
    env = simpy.Environment()
    mon_tue = SimpleNamespace(days=[0, 1], start=8, end=12)
    team = Team(env, "approver", [("Chen", WeeklyCalendar.of_member(mon_tue, absent_weekdays=[0]))])
    works = _run(env, [(1.0, team, -1.0), (1.0, team, 0.0)])
    assert works == [Work(32.0, 32.0, "Chen"), Work(32.0, 32.0, "Chen")]


def test_an_absence_empties_its_day_on_a_round_the_clock_shift():
    # every day 00-24 merges into one open week; the Tuesday absence must still close Tuesday
    allday = SimpleNamespace(days=range(7), start=0.0, end=24.0)
    env = simpy.Environment()
    team = Team(env, "approver", [("Chen", WeeklyCalendar.of_member(allday, absent_weekdays=[1]))])
    works = _run(env, [(30.0, team, 1.0), (47.5, team, 1.0)])
    assert works == [Work(48.0, 49.0, "Chen"), Work(49.0, 50.0, "Chen")]


def test_idle_workers_cost_no_events():
    env = simpy.Environment()
    team = Team(env, "clerk", [("Gao", MON_8_12), ("Lin", MON_8_12)])
    env.run()  # returns at once: nothing is scheduled while there is no work
    assert env.now == 0
    env.run(until=3 * 168)
    done = team.do(1.0)
    env.run(until=done)
    assert done.value == Work(3 * 168 + 8.0, 3 * 168 + 9.0, "Gao")


def test_helpers_name_who_is_on_shift():
    env = simpy.Environment()
    team = Team(env, "clerk", [("Gao", MON_8_12), ("Lin", WeeklyCalendar.from_days([1], 8, 12))])
    assert team.on_shift(9.0) and not team.on_shift(13.0)
    assert team.any_member(24 + 9.0) == "Lin" and team.any_member(13.0) == "Gao"
    assert team.next_on_shift(13.0) == 24 + 8.0
    assert team.member_on_shift(24 + 9.0) == "Lin" and team.member_on_shift(13.0) is None


minutes = st.integers(0, 24 * 60 - 1)


@given(minutes, st.integers(1, 24 * 60), st.lists(st.integers(0, 6), min_size=1, max_size=7, unique=True),
       st.floats(0, 60 * 168))
def test_the_next_open_time_is_open_for_any_shift_to_the_minute(start, length, days, t):
    """A shift starting at 08:20 (8.333... h) began, from the second week on, a hair before its own
    window, so a worker waiting for it woke to a closed shift and waited again at once, for ever."""
    calendar = WeeklyCalendar.from_days(days, start / 60, (start + length) / 60 % 24 or 24.0)
    opened = calendar.next_open(t)
    assert calendar.is_open(opened) and t <= opened < t + 168


def test_a_worker_on_a_shift_starting_at_08_20_works_past_the_first_week():
    env = simpy.Environment()
    office = WeeklyCalendar.from_days([0, 1, 2, 3, 4], 8 + 20 / 60, 17.0)
    team = Team(env, "sales", [("ana", office)])
    done = []

    def jobs():
        for week in range(4):
            yield env.timeout(week * 168 + 20 - env.now)  # a Monday evening: waits for Tuesday 08:20
            work = yield team.do(0.5)
            done.append(work.start - week * 168)

    env.process(jobs())
    steps = 0
    while env.peek() < 5 * 168 and steps < 10_000:  # bounded: the bug woke the worker at one instant for ever
        env.step()
        steps += 1
    assert steps < 10_000 and len(done) == 4 and all(abs(start - (24 + 8 + 20 / 60)) < 1e-9 for start in done)
