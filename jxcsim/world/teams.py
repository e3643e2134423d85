"""Staff as SimPy processes: each worker pulls tasks from the team's queue during their shifts.

A task that starts before the shift ends is finished (overtime); after the shift the worker
stops pulling until the next shift opens. Absences are weekdays removed from the calendar.

>>> import simpy
>>> env = simpy.Environment()
>>> team = Team(env, "picker", [("Wang", WeeklyCalendar.from_days([0], 8, 12))])
>>> done = team.do(1.5)
>>> env.run(until=done)
Work(start=8.0, end=9.5, worker='Wang')
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import simpy

from .shifts import WeeklyCalendar


@dataclass(frozen=True, slots=True)
class Work:
    """When a task was worked on and by whom."""

    start: float
    end: float
    worker: str


@dataclass(slots=True)
class _Task:
    duration_h: float
    done: simpy.Event


class Team:
    """Workers of one role (at one location) sharing a FIFO queue of tasks."""

    def __init__(self, env: simpy.Environment, role: str, members: list[tuple[str, WeeklyCalendar]]):
        if not members:
            raise ValueError(f"team {role!r} has no members")
        self.env = env
        self.role = role
        self.members = members
        self.queue: simpy.Store = simpy.Store(env)
        for name, calendar in members:
            if not calendar.always_closed:
                env.process(self._work(name, calendar))

    def do(self, duration_h: float) -> simpy.Event:
        """Queue a task; the returned event fires with a :class:`Work` when it is done."""
        done = self.env.event()
        self.queue.put(_Task(max(0.0, duration_h), done))
        return done

    def on_shift(self, t: float) -> bool:
        return any(cal.is_open(t) for _, cal in self.members)

    def next_on_shift(self, t: float) -> float:
        """The earliest time at or after ``t`` when any member is on shift."""
        return min(cal.next_open(t) for _, cal in self.members if not cal.always_closed)

    def any_member(self, t: float) -> str:
        """A member on shift at ``t`` (else the first member), to name who did a quick step."""
        for name, cal in self.members:
            if cal.is_open(t):
                return name
        return self.members[0][0]

    def _work(self, name: str, calendar: WeeklyCalendar) -> Generator[Any, Any, None]:
        env = self.env
        while True:
            opens = calendar.next_open(env.now)
            if opens > env.now:
                yield env.timeout(opens - env.now)
            closes = calendar.close_of(env.now)
            get = self.queue.get()
            if not get.triggered:  # nothing waiting: wait for work or the end of the shift
                yield get | env.timeout(closes - env.now)
            else:  # work is waiting: take it at once, no shift-end timer needed
                yield get
            if not get.triggered:  # the shift closed first: stop pulling until it opens again
                get.cancel()
                continue
            task: _Task = get.value
            start = env.now
            yield env.timeout(task.duration_h)
            task.done.succeed(Work(start, env.now, name))
