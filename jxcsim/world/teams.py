"""Staff: each worker takes tasks from the team's FIFO queue while on shift.

A task that starts before the shift ends is finished (overtime); after the shift the worker
takes no new task until the next shift opens. Absences are weekdays removed from the calendar.

No process per worker: a task is one SimPy event, its completion, scheduled when a worker
takes it. A free worker is *idle* and available whenever its calendar is open, so an idle
worker costs no event at all; a worker is woken (one timeout) only when it is free, off
shift and work is waiting. Between simultaneous events the worker is freed (and takes the next
task) before whoever waited for the task resumes. A task may carry a callback run at the moment
a worker takes it (with its :class:`Work`): what depends on when the work really starts — a
driver who finds the goods issue not yet posted — is decided then, not when the task was queued.

>>> import simpy
>>> env = simpy.Environment()
>>> team = Team(env, "picker", [("Wang", WeeklyCalendar.from_days([0], 8, 12))])
>>> done = team.do(1.5)
>>> env.run(until=done)
Work(start=8.0, end=9.5, worker='Wang')
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from functools import partial
from typing import NamedTuple

import simpy
from simpy.events import NORMAL

from .shifts import WeeklyCalendar


class Work(NamedTuple):
    """When a task was worked on and by whom."""

    start: float
    end: float
    worker: str


_work = partial(tuple.__new__, Work)  # a Work from a tuple of its fields (no keyword handling)


class _Done(simpy.Event):
    """A task's completion: triggered with its :class:`Work` when a worker takes the task."""

    def __init__(self, env: simpy.Environment, duration_h: float, on_start: Callable[[Work], None] | None):
        super().__init__(env)
        self.duration_h = duration_h
        self.on_start = on_start


class _Worker:
    """One member of a team: a name, a calendar, and the callback that frees it (after a task or a sleep)."""

    __slots__ = ("calendar", "free", "name")

    def __init__(self, team: Team, name: str, calendar: WeeklyCalendar):
        self.name, self.calendar = name, calendar
        self.free = partial(team._free, self)  # an event callback: called with the event


class Team:
    """Workers of one role (at one location) sharing a FIFO queue of tasks."""

    def __init__(self, env: simpy.Environment, role: str, members: list[tuple[str, WeeklyCalendar]]):
        if not members:
            raise ValueError(f"team {role!r} has no members")
        self.env = env
        self.role = role
        self.members = members
        self._open_calendars = [cal for _, cal in members if not cal.always_closed]
        self._tasks: deque[_Done] = deque()  # waiting for a worker, oldest first
        # free workers, longest free first; one whose shift is over is moved out when passed over
        self._idle: deque[_Worker] = deque(_Worker(self, name, cal) for name, cal in members
                                           if not cal.always_closed)

    def do(self, duration_h: float, on_start: Callable[[Work], None] | None = None) -> simpy.Event:
        """Queue a task; the returned event fires with a :class:`Work` when it is done. ``on_start``,
        if given, is called with that :class:`Work` when a worker takes the task (at its start).

        >>> env = simpy.Environment()
        >>> team = Team(env, "driver", [("Li", WeeklyCalendar.from_days([0], 8, 12))])
        >>> started = []
        >>> done = team.do(0.5, on_start=started.append)
        >>> _ = env.run(until=done)
        >>> started
        [Work(start=8.0, end=8.5, worker='Li')]
        """
        done = _Done(self.env, duration_h if duration_h > 0.0 else 0.0, on_start)
        idle, now = self._idle, self.env.now
        while idle:
            worker = idle.popleft()
            if worker.calendar.is_open(now):
                self._start(worker, done)
                return done
            self._sleep(worker)  # off shift: back when the next shift opens
        self._tasks.append(done)
        return done

    def _start(self, worker: _Worker, done: _Done) -> None:
        env = self.env
        now = env.now
        done._ok = True  # triggered now, processed when the work ends (as simpy.Timeout does)
        done._value = work = _work((now, now + done.duration_h, worker.name))
        done.callbacks.insert(0, worker.free)  # free the worker before the requester resumes
        env.schedule(done, NORMAL, done.duration_h)
        if done.on_start is not None:
            done.on_start(work)

    def _free(self, worker: _Worker, _: simpy.Event | None = None) -> None:
        """``worker`` finished a task or its shift opened: take the next task, else go idle."""
        if not worker.calendar.is_open(self.env.now):
            if self._tasks:
                self._sleep(worker)
            else:
                self._idle.append(worker)
        elif self._tasks:
            self._start(worker, self._tasks.popleft())
        else:
            self._idle.append(worker)

    def _sleep(self, worker: _Worker) -> None:
        env = self.env
        env.timeout(worker.calendar.next_open(env.now) - env.now).callbacks.append(worker.free)

    def on_shift(self, t: float) -> bool:
        return any(cal.is_open(t) for _, cal in self.members)

    def next_on_shift(self, t: float) -> float:
        """The earliest time at or after ``t`` when any member is on shift."""
        return min(cal.next_open(t) for cal in self._open_calendars)

    def member_on_shift(self, t: float) -> str | None:
        """The first member on shift at ``t``, or None."""
        for name, cal in self.members:
            if cal.is_open(t):
                return name
        return None

    def any_member(self, t: float) -> str:
        """A member on shift at ``t`` (else the first member), to name who did a quick step."""
        for name, cal in self.members:
            if cal.is_open(t):
                return name
        return self.members[0][0]
