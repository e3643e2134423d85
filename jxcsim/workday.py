"""When a working day starts: midnight, unless the work goes on around it (a night shift).

Standard library only: the world's calendars (:func:`jxcsim.world.shifts.day_start_of`) and the
log's readers (:func:`jxcsim.kpi.common.workday_start`) decide it alike, from how much work falls
in each hour of each weekday.

>>> day_start_from_counts([0] * 7 + [10] * 11 + [0] * 6)       # 07:00-18:00
0.0
>>> day_start_from_counts([9] * 6 + [0] * 14 + [9] * 4)        # 20:00-06:00
13.0
>>> nights = [[9] * 6 + [0] * 14 + [9] * 4] * 7                # 20:00-06:00 every night
>>> day_start_from_week(nights)
13.0
>>> days = [[0] * 8 + [9] * 9 + [0] * 7] * 6                   # Mon-Sat 08:00-17:00 ...
>>> sunday_night = [[0] * 22 + [9] * 2]                         # ... and one crew on Sunday 22:00-06:00
>>> monday = [[9] * 6 + [0] * 2 + [9] * 9 + [0] * 7]
>>> day_start_from_week(monday + days[1:] + sunday_night)      # one night in seven: midnight
0.0
"""

from __future__ import annotations

from collections.abc import Sequence

QUIET_SHARE = 0.02  # an hour with less than this share of the busiest hour's work is a quiet hour
MIN_QUIET_H = 4  # a working day that crosses midnight starts within a run of at least this many quiet hours


def day_start_from_counts(counts: Sequence[float]) -> float:
    """The hour of day a working day starts for work spread over the 24 hours as ``counts`` (work
    in 00:00-01:00, 01:00-02:00, ...): midnight (0.0) where work is quiet at midnight (the hour
    before it or after it), else the middle of the longest run of quiet hours, so that "the next
    day" means the next shift; midnight too without work, round the clock, or when the quiet run
    is shorter than ``MIN_QUIET_H``."""
    busiest = max(counts, default=0)
    if busiest <= 0:
        return 0.0
    quiet = [c < QUIET_SHARE * busiest for c in counts]
    if quiet[0] or quiet[23]:
        return 0.0
    return _middle_of_quiet_run(quiet)


def day_start_from_week(week: Sequence[Sequence[float]]) -> float:
    """The hour of day a working day starts for work spread over a week as ``week`` (seven rows,
    Monday first, of 24 hourly counts): midnight unless most working days (days with work) run
    across midnight, busy in their last hour and the next day's first; then the middle of the
    longest run of quiet hours in the week's hours added up (as :func:`day_start_from_counts`).
    A single weekly night shift beside a day crew keeps the other days' midnight.
    """
    cells = [c for day in week for c in day]
    busiest = max(cells, default=0)
    if busiest <= 0:
        return 0.0
    busy = [[c >= QUIET_SHARE * busiest for c in day] for day in week]
    working = sum(any(day) for day in busy)
    crossing = sum(busy[d][23] and busy[(d + 1) % len(busy)][0] for d in range(len(busy)))
    if 2 * crossing <= working:
        return 0.0
    pooled = [sum(day[h] for day in week) for h in range(24)]
    return _middle_of_quiet_run([c < QUIET_SHARE * max(pooled) for c in pooled])


def _middle_of_quiet_run(quiet: Sequence[bool]) -> float:
    """The middle hour of the longest run of ``quiet`` hours (wrapping round midnight); midnight when
    it is shorter than ``MIN_QUIET_H``."""
    best_start, best_len = 0, 0
    for start in range(24):
        if quiet[start] and not quiet[start - 1]:
            length = 0
            while length < 24 and quiet[(start + length) % 24]:
                length += 1
            if length > best_len:
                best_start, best_len = start, length
    return float((best_start + best_len // 2) % 24) if best_len >= MIN_QUIET_H else 0.0
