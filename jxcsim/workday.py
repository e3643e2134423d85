"""When a working day starts: midnight, unless the work goes on around it (a night shift).

Standard library only: the world's calendars (:func:`jxcsim.world.shifts.day_start_of`) and the
log's readers (:func:`jxcsim.kpi.common.workday_start`) decide it alike, from how much work falls
in each hour of the day.

>>> day_start_from_counts([0] * 7 + [10] * 11 + [0] * 6)       # 07:00-18:00
0.0
>>> day_start_from_counts([9] * 6 + [0] * 14 + [9] * 4)        # 20:00-06:00
13.0
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
    best_start, best_len = 0, 0
    for start in range(24):
        if quiet[start] and not quiet[start - 1]:
            length = 0
            while length < 24 and quiet[(start + length) % 24]:
                length += 1
            if length > best_len:
                best_start, best_len = start, length
    return float((best_start + best_len // 2) % 24) if best_len >= MIN_QUIET_H else 0.0
