"""Time handling: parse timestamps to tz-aware UTC and find a log's local zone.

Timestamps are stored in UTC; weekday and hour analyses run in the log's local zone: the
profile's ``timezone`` when given, else the most common UTC offset written in the data.

>>> s = pd.Series(["2024-03-01T10:00:00+08:00", "2024-03-01T03:00:00+01:00"])
>>> parse_timestamps(s).utc.dt.hour.tolist()
[2, 2]
>>> dominant_offset(s)
'+08:00'
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format

from .fastpath import cast_timestamps

_OFFSET_RE = re.compile(r"(Z|[+-]\d{2}:?\d{2})\s*$")
_FIXED_RE = re.compile(r"^(?:UTC)?([+-])(\d{2}):?(\d{2})$")
SAMPLE_SIZE = 2000


@dataclass(frozen=True)
class ParsedTimes:
    """Result of :func:`parse_timestamps`: UTC times (NaT where unparseable) and what failed."""

    utc: pd.Series
    unparseable: pd.Series  # bool: a value was present but could not be parsed
    missing: pd.Series  # bool: no value at all


def to_tzinfo(name: str) -> tzinfo:
    """A tzinfo for an IANA name (``Asia/Shanghai``) or a fixed offset (``+08:00``, ``UTC-05:00``).

    >>> to_tzinfo("+08:00")
    datetime.timezone(datetime.timedelta(seconds=28800))
    """
    match = _FIXED_RE.match(name.strip())
    if match:
        sign, hh, mm = match.groups()
        delta = timedelta(hours=int(hh), minutes=int(mm))
        return timezone(-delta if sign == "-" else delta)
    if name.upper() in ("UTC", "Z"):
        return timezone.utc
    return ZoneInfo(name)


def _format_offset(text: str) -> str:
    if text == "Z":
        return "+00:00"
    text = text.replace(":", "")
    return f"{text[:3]}:{text[3:]}"


def dominant_offset(values: pd.Series) -> str | None:
    """The most common UTC offset written in a sample of timestamp strings, or ``None``."""
    sample = values.dropna()
    if sample.empty:
        return None
    sample = sample.iloc[:: max(1, len(sample) // SAMPLE_SIZE)].astype(str)
    counts = Counter(_format_offset(m.group(1)) for v in sample if (m := _OFFSET_RE.search(v)))
    return counts.most_common(1)[0][0] if counts else None


def _blank(values: pd.Series) -> pd.Series:
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        stripped = values.astype("string").str.strip()
        return values.isna() | (stripped == "") | stripped.str.lower().isin(["nan", "nat", "null", "none"])
    return values.isna()


def _localize(times: pd.Series, tz: str | None) -> pd.Series:
    if times.dt.tz is not None:
        return times.dt.tz_convert("UTC")
    zone = to_tzinfo(tz) if tz else timezone.utc
    ambiguous = np.zeros(len(times), dtype=bool)  # ambiguous DST hours: take standard time
    return times.dt.tz_localize(zone, ambiguous=ambiguous, nonexistent="shift_forward").dt.tz_convert("UTC")


_DAY_MONTH = r"(?<!\d)(\d{1,2})([./-])(\d{1,2})\2(?:\d{4}|\d{2})(?!\d)"  # 06.01.2025, 1/13/2025, 13-01-25 …
DAY_ORDER_SAMPLE = 20_000  # dates looked at to tell day from month


def day_first(text: pd.Series) -> bool:
    """Whether dates written ``a.b.yyyy`` / ``a/b/yyyy`` / ``a-b-yyyy`` put the day first, from the data:
    yes when some first number is above 12 (13.01.2025), no when some second one is (1/13/2025);
    without such a date, day first for dots (the German, Russian … way), month first otherwise.
    Looks at up to ``DAY_ORDER_SAMPLE`` values, evenly spread.

    >>> day_first(pd.Series(["06.01.2025 08:00"])), day_first(pd.Series(["01/06/2025", "01/13/2025"]))
    (True, False)
    >>> day_first(pd.Series(["05/01/2025", "08:00 13/01/2025"]))
    True
    """
    sample = text.dropna()
    sample = sample.iloc[:: max(1, len(sample) // DAY_ORDER_SAMPLE)].astype(str)
    parts = sample.str.extract(_DAY_MONTH)
    if parts.empty or parts[0].isna().all():
        return False
    parts = parts.dropna()
    first, second = parts[0].astype(int), parts[2].astype(int)
    if (first > 12).any() and not (second > 12).any():
        return True
    if (second > 12).any() and not (first > 12).any():
        return False
    return bool((parts[1] == ".").mean() > 0.5)


def _parse_strings(text: pd.Series, fmt: str | None, dayfirst: bool | None, aware: bool) -> pd.Series:
    kwargs = {"errors": "coerce", "utc": aware}
    if fmt:
        return pd.to_datetime(text, format=fmt, **kwargs)
    parsed = pd.to_datetime(text, format="ISO8601", **kwargs)
    failed = parsed.isna() & text.notna()
    if failed.any():
        if dayfirst is None:
            dayfirst = day_first(text[failed])
        first = text[failed].iloc[0]
        guessed = guess_datetime_format(first, dayfirst=dayfirst)
        retry = text[failed]
        if guessed:
            again = pd.to_datetime(retry, format=guessed, **kwargs)
        else:
            again = pd.Series(pd.NaT, index=retry.index, dtype=parsed.dtype)
        still = again.isna()
        if still.any():
            again[still] = pd.to_datetime(retry[still], format="mixed", dayfirst=dayfirst, **kwargs)
        if not aware and again.dt.tz is not None:
            again = again.dt.tz_localize(None)
        parsed = parsed.astype(again.dtype) if parsed.dtype != again.dtype else parsed
        parsed[failed] = again
    return parsed


def parse_timestamps(values: pd.Series, *, tz: str | None = None, fmt: str | None = None,
                     dayfirst: bool | None = None) -> ParsedTimes:
    """Parse a column of timestamps to tz-aware UTC.

    Strings with an offset are converted (mixed offsets are normalised, not rejected); naive
    strings are read in ``tz`` (an IANA name or fixed offset; UTC when ``None``). Dates that are
    not ISO 8601 are read with one day order for the whole column: ``dayfirst``, or when it is
    None the order the data shows (:func:`day_first`).
    """
    if isinstance(values.dtype, pd.DatetimeTZDtype) or pd.api.types.is_datetime64_any_dtype(values.dtype):
        utc = _localize(pd.Series(values), tz)
        return ParsedTimes(utc, pd.Series(False, index=values.index), values.isna())
    aware = dominant_offset(values) is not None
    if fmt is None:
        fast = cast_timestamps(values, aware=aware)
        if fast is not None:
            utc = fast if aware else _localize(fast, tz)
            return ParsedTimes(utc, pd.Series(False, index=values.index), fast.isna())
    missing = _blank(values)
    text = values.where(~missing).astype(object)
    text = text.where(text.isna(), text.astype(str).str.strip())
    parsed = _parse_strings(text, fmt, dayfirst, aware)
    if parsed.dt.tz is None:
        parsed = _localize(parsed, tz)
    else:
        parsed = parsed.dt.tz_convert("UTC")
    unparseable = parsed.isna() & ~missing
    return ParsedTimes(parsed, unparseable, missing)


def local_times(utc: pd.Series, zone: str | None) -> pd.Series:
    """UTC timestamps converted to the log's local zone (UTC when ``zone`` is ``None``)."""
    return utc.dt.tz_convert(to_tzinfo(zone) if zone else timezone.utc)
