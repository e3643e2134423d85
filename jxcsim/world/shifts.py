"""Weekly calendars: when a shift is open, when it next opens, when it closes.

World time is hours since the run's epoch, a Monday 00:00 in the scenario's time zone, so
``t % 168`` is the hour of the week (Mon 00:00 = 0).

>>> cal = WeeklyCalendar.from_days([0, 1, 2, 3, 4], 8.5, 17.5)   # Mon-Fri 08:30-17:30
>>> cal.is_open(9.0), cal.next_open(18.0), cal.close_of(9.0)
(True, 32.5, 17.5)
>>> cal.next_open(4 * 24 + 18.0)   # Friday evening -> Monday 08:30 next week
176.5
"""

from __future__ import annotations

import bisect
import calendar
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from ..workday import day_start_from_week

HOURS_PER_WEEK = 168.0
WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def weekday_of(t: float) -> int:
    """Weekday (Mon=0) of world time ``t``."""
    return int((t % HOURS_PER_WEEK) // 24)


def office_weekdays(shifts: Mapping[str, Any]) -> frozenset[int]:
    """The firm's working days: the weekdays of the shift named ``office`` (else of the first shift),
    the calendar the world's office keeps; a shift past midnight works on the days it starts.

    >>> from types import SimpleNamespace as Shift
    >>> sorted(office_weekdays({"yard": Shift(days=[0, 1, 2, 3, 4, 5]), "office": Shift(days=[6, 0, 1, 2, 3])}))
    [0, 1, 2, 3, 6]
    """
    shift = shifts["office"] if "office" in shifts else next(iter(shifts.values()))
    return frozenset(int(d) for d in shift.days)


def hour_of(t: float) -> float:
    """Hour of day (0-24, fractional) of world time ``t``."""
    return (t % HOURS_PER_WEEK) % 24


@dataclass(frozen=True)
class WeeklyCalendar:
    """Open windows within a week, as sorted, non-overlapping ``(start_h, end_h)`` hours of the week."""

    windows: tuple[tuple[float, float], ...]
    _starts: tuple[float, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_starts", tuple(w[0] for w in self.windows))

    @staticmethod
    def from_days(days: Iterable[int], start_h: float, end_h: float) -> WeeklyCalendar:
        """Open ``start_h``-``end_h`` on each weekday in ``days`` (an end before the start runs past midnight)."""
        spans = []
        for day in sorted(set(days)):
            begin = day * 24 + start_h
            end = day * 24 + (end_h if end_h > start_h else end_h + 24)
            spans.append((begin, end))
        return WeeklyCalendar.merge(spans)

    @staticmethod
    def merge(spans: Iterable[tuple[float, float]]) -> WeeklyCalendar:
        """A calendar from possibly overlapping spans (hours of the week; may wrap past Sunday)."""
        pieces: list[tuple[float, float]] = []
        for begin, end in spans:
            if end <= begin:
                continue
            if end > HOURS_PER_WEEK:  # wraps into next Monday
                pieces.append((begin, HOURS_PER_WEEK))
                pieces.append((0.0, end - HOURS_PER_WEEK))
            else:
                pieces.append((begin, end))
        pieces.sort()
        merged: list[tuple[float, float]] = []
        for begin, end in pieces:
            if merged and begin <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((begin, end))
        return WeeklyCalendar(tuple(merged))

    @staticmethod
    def of_member(shift: Any, absent_weekdays: Iterable[int] = ()) -> WeeklyCalendar:
        """One person's week: ``shift``'s (``days``, ``start``, ``end``) without the shifts that begin on
        an ``absent_weekdays`` day. Built from the days worked, so an absence empties its day even when
        the shift runs round the clock (24 h days merge into one window that no weekday owns).

        >>> from types import SimpleNamespace
        >>> allday = SimpleNamespace(days=range(7), start=0.0, end=24.0)
        >>> WeeklyCalendar.of_member(allday, [1]).windows   # out on Tuesdays
        ((0.0, 24.0), (48.0, 168.0))
        """
        return WeeklyCalendar.from_days(set(shift.days) - set(absent_weekdays), shift.start, shift.end)

    def union(self, other: WeeklyCalendar) -> WeeklyCalendar:
        return WeeklyCalendar.merge(self.windows + other.windows)

    @property
    def always_closed(self) -> bool:
        return not self.windows

    def next_day_open(self, t: float, weekdays: frozenset[int]) -> float:
        """The start of the first day after ``t``'s whose weekday is in ``weekdays`` (world hours; the
        next day when ``weekdays`` is empty).

        >>> WeeklyCalendar(()).next_day_open(4 * 24 + 15.0, frozenset({0, 1, 2, 3, 4}))  # Friday -> Monday
        168.0
        """
        day = math.floor(t / 24) + 1
        for _ in range(7):
            if not weekdays or day % 7 in weekdays:
                break
            day += 1
        return day * 24.0

    def _locate(self, t: float) -> tuple[float, int]:
        week_start = (t // HOURS_PER_WEEK) * HOURS_PER_WEEK
        return week_start, bisect.bisect_right(self._starts, t - week_start) - 1

    def is_open(self, t: float) -> bool:
        if not self.windows:
            return False
        week_start = (t // HOURS_PER_WEEK) * HOURS_PER_WEEK
        i = bisect.bisect_right(self._starts, t - week_start) - 1
        return i >= 0 and t - week_start < self.windows[i][1]

    def next_open(self, t: float) -> float:
        """``t`` itself when open, else the start of the next window: a time :meth:`is_open` takes as open
        (a week's start plus a window's start, such as 08:20 = 8.333... h, can round to just before the
        window; the float after it is taken then, or a worker waiting for their shift would wait for ever).
        Raises if never open.

        >>> office = WeeklyCalendar.from_days([0, 1, 2, 3, 4], 8 + 20 / 60, 17.5)
        >>> all(office.is_open(office.next_open(week * 168.0 + 20.0)) for week in range(200))
        True
        """
        if not self.windows:
            raise ValueError("calendar is never open")
        week_start, i = self._locate(t)
        if i >= 0 and t - week_start < self.windows[i][1]:
            return t
        if i + 1 < len(self.windows):
            start = week_start + self.windows[i + 1][0]
        else:
            start = week_start + HOURS_PER_WEEK + self.windows[0][0]
        while not self.is_open(start):  # rounded to just before the window (a few steps of a float at most)
            start = math.nextafter(start, math.inf)
        return start

    def close_of(self, t: float) -> float:
        """End of the window open at ``t`` (``t`` must be open)."""
        week_start, i = self._locate(t)
        if i < 0 or t - week_start >= self.windows[i][1]:
            raise ValueError(f"calendar is closed at {t}")
        return week_start + self.windows[i][1]

    def open_hours_between(self, t0: float, t1: float) -> float:
        """Open hours in ``[t0, t1)``."""
        total, t = 0.0, t0
        while t < t1 and self.windows:
            t = self.next_open(t)
            if t >= t1:
                break
            end = min(self.close_of(t), t1)
            total += end - t
            t = end
        return total


def day_start_of(calendar: WeeklyCalendar | None) -> float:
    """The hour a working day starts for work on ``calendar`` (a location's pickers): midnight unless
    most of its working days run across midnight, then the middle of the shifts' longest run of
    hours off (:func:`jxcsim.workday.day_start_from_week`, as the log's readers decide it): a night
    crew on 20:00-06:00 starts its day at 13:00, a day crew on 06:00-21:00 at midnight, and so does
    a day crew with one Sunday night shift.

    >>> day_start_of(WeeklyCalendar.from_days([0, 1, 2, 3, 4], 20.0, 6.0)), day_start_of(None)
    (13.0, 0.0)
    >>> days = WeeklyCalendar.from_days([0, 1, 2, 3, 4], 8.0, 17.0).windows
    >>> day_start_of(WeeklyCalendar.merge(days + WeeklyCalendar.from_days([6], 22.0, 6.0).windows))
    0.0
    """
    if calendar is None:
        return 0.0
    week = [[0] * 24 for _ in range(7)]  # open quarter hours, by weekday and hour of day
    for q in range(7 * 96):
        if calendar.is_open(q / 4):
            week[q // 96][q // 4 % 24] += 1
    return day_start_from_week(week)


def release_time(times: list[float], t: float, *, push: bool = False, cutoff: float | None = None,
                 day_start: float = 0.0) -> float:
    """When work handed over at world time ``t`` is seen by the next department.

    Pushed work is seen at once. Batched work is seen at the next of ``times`` (hours of day);
    work handed over at or after ``cutoff`` (hour of day) waits for the next day's first time.
    Days begin at ``day_start`` (the receiving crew's, :func:`day_start_of`: midnight for a day
    shift, 13:00 for a night crew on 20:00-06:00, whose 01:00 cut-off then sends the orders after
    it to the next night while the evening's go out that night).

    >>> release_time([8.0, 14.0], 10.0), release_time([8.0, 14.0], 17.0, cutoff=16.5)
    (14.0, 32.0)
    >>> night = [20.5, 22.0, 23.5, 1.0, 2.5]
    >>> [release_time(night, t, cutoff=1.0, day_start=13.0) for t in (20.0, 24.5, 25.0)]  # 20:00, 00:30, 01:00
    [20.5, 25.0, 44.5]
    """
    if push:
        return t
    clocks = sorted(times) or [0.0]
    if day_start and cutoff is not None and cutoff < 24:  # read the hours, and the cut-off, from the day's start
        shifted = sorted((c - day_start) % 24 for c in clocks)
        return day_start + release_time(shifted, t - day_start, cutoff=(cutoff - day_start) % 24)
    day = math.floor(t / 24) * 24
    hour = t - day
    if cutoff is not None and hour >= cutoff:
        return day + 24 + clocks[0]
    for clock in clocks:
        if clock >= hour:
            return day + clock
    return day + 24 + clocks[0]


def count_times(start: date, horizon_h: float, time_of_day: float) -> list[float]:
    """World times of the last weekday (Mon-Fri) of each month within the horizon.

    >>> count_times(date(2025, 1, 6), 13 * 168, 17.0)   # Fri 31 Jan, Fri 28 Feb, Mon 31 Mar
    [617.0, 1289.0, 2033.0]
    """
    out = []
    year, month = start.year, start.month
    while True:
        last = date(year, month, calendar.monthrange(year, month)[1])
        while last.weekday() > 4:
            last -= timedelta(days=1)
        t = (last - start).days * 24 + time_of_day
        if t >= horizon_h:
            return out
        if t >= 0:
            out.append(float(t))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
