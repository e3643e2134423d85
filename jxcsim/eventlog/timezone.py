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
import warnings
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.tseries.api import guess_datetime_format

from .fastpath import cast_timestamps
from .words import counted

_TIME = r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?"
# after a time (``08:00``, or ISO's basic ``T0800``/``T080000``): not the -2024 of 03-01-2024
_OFFSET = rf"(?:{_TIME}|T\d{{4}}(?:\d{{2}})?)\s*(?P<offset>Z|[+-]\d{{1,2}}(?::?\d{{2}})?)\s*$"
_OFFSET_RE = re.compile(_OFFSET)
# The patterns below run in pyarrow (RE2 syntax: no look-around, no back-references).
_UTC_WORD = r"(?i)(\d)\s*(?:UTC|GMT)$"
_ABBR = rf"{_TIME}(?:\s*[AaPp][Mm])?\s+(?P<abbr>[A-Za-z]{{2,5}})$"
_ABBR_STRIP = r"\s+[A-Za-z]{2,5}$"
# 06.01.2025, 1/13/2025, 13-01-25 … (both separators alike: checked after matching)
_DAY_MONTH = r"(?:^|\D)(?P<a>\d{1,2})(?P<s>[./-])(?P<b>\d{1,2})(?P<t>[./-])(?:\d{4}|\d{2})(?:\D|$)"


def _arrow(text: pd.Series) -> pa.Array:
    return pa.array(text.to_numpy(dtype=object), type=pa.string(), from_pandas=True)


def _extract(text: pd.Series, pattern: str) -> pd.DataFrame:
    """The named groups of ``pattern`` in each value (NaN where it does not match), through pyarrow."""
    found = pc.extract_regex(_arrow(text), pattern)
    hit = found.is_valid().to_numpy(zero_copy_only=False)
    names = [found.type.field(i).name for i in range(found.type.num_fields)]
    return pd.DataFrame({name: np.where(hit, found.field(name).to_numpy(zero_copy_only=False), None)
                         for name in names}, index=text.index)


def _matches(text: pd.Series, pattern: str) -> pd.Series:
    hit = pc.match_substring_regex(_arrow(text), pattern).fill_null(False)
    return pd.Series(hit.to_numpy(zero_copy_only=False), index=text.index)


def _replace(text: pd.Series, pattern: str, by: str) -> pd.Series:
    out = pc.replace_substring_regex(_arrow(text), pattern, by).to_numpy(zero_copy_only=False)
    return pd.Series(out, index=text.index, dtype=object)


def _dates(text: pd.Series) -> pd.DataFrame:
    """First and second number of each ``a/b/yyyy``-style date (rows without one dropped), and its separator."""
    found = pc.extract_regex(_arrow(text), _DAY_MONTH)
    ok = pc.and_(found.is_valid(), pc.equal(found.field("s"), found.field("t"))).fill_null(False)
    dates = found.filter(ok)
    return pd.DataFrame({"first": pc.cast(dates.field("a"), pa.int32()).to_numpy(zero_copy_only=False),
                         "sep": dates.field("s").to_numpy(zero_copy_only=False),
                         "second": pc.cast(dates.field("b"), pa.int32()).to_numpy(zero_copy_only=False)},
                        index=text.index[ok.to_numpy(zero_copy_only=False)])


_FIXED_RE = re.compile(r"^(?:UTC)?([+-])(\d{2}):?(\d{2})$")
SAMPLE_SIZE = 2000


@dataclass(frozen=True)
class ParsedTimes:
    """Result of :func:`parse_timestamps`: UTC times (NaT where unparseable), what failed, a
    specific reason for some unparseable values (None elsewhere), and notes on how it was read."""

    utc: pd.Series
    unparseable: pd.Series  # bool: a value was present but could not be parsed
    missing: pd.Series  # bool: no value at all
    reasons: pd.Series | None = None
    notes: tuple[str, ...] = ()


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
    if text.upper() == "Z":
        return "+00:00"
    text = text.replace(":", "")
    if len(text) in (2, 4):  # +8, +800: one digit of hours
        text = text[0] + "0" + text[1:]
    text = text if len(text) > 3 else text + "00"  # +08
    return f"{text[:3]}:{text[3:]}"


def offset_counts(values: pd.Series) -> Counter[str]:
    """How often each UTC offset is written in a sample of timestamp strings."""
    sample = values.dropna()
    if sample.empty or not (sample.dtype == object or pd.api.types.is_string_dtype(sample.dtype)):
        return Counter()
    sample = sample.iloc[:: max(1, len(sample) // SAMPLE_SIZE)].astype(str)
    return Counter(_format_offset(m.group(1)) for v in sample if (m := _OFFSET_RE.search(v.strip())))


def dominant_offset(values: pd.Series) -> str | None:
    """The most common UTC offset written in a sample of timestamp strings, or ``None``."""
    counts = offset_counts(values)
    return counts.most_common(1)[0][0] if counts else None


def offsets_note(counts: Counter[str] | dict[str, int], zone: str) -> str | None:
    """A note when a log without a profile zone writes several UTC offsets (daylight saving, two
    servers): the local zone is one fixed offset all year, and an IANA zone would follow DST.

    >>> offsets_note({"+01:00": 6, "+02:00": 4}, "+01:00")[:52]
    'times carry several UTC offsets (+01:00 60%, +02:00 '
    """
    if len(counts) < 2:
        return None
    total = sum(counts.values())
    shares = ", ".join(f"{k} {v / total:.0%}" for k, v in sorted(counts.items(), key=lambda kv: -kv[1]))
    return (f"times carry several UTC offsets ({shares}); weekday and hour analyses use {zone} all year; "
            f"if the offsets are one zone's daylight saving time, set timezone: to its IANA name "
            f"(e.g. Europe/Berlin) in a profile")


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


DAY_ORDER_SAMPLE = 20_000  # dates looked at to tell day from month


def _day_order(text: pd.Series) -> tuple[bool, bool]:
    """Whether ``a.b.yyyy``-style dates put the day first, and whether some date shows it."""
    sample = text.dropna()
    sample = sample.iloc[:: max(1, len(sample) // DAY_ORDER_SAMPLE)].astype(str)
    parts = _dates(sample)
    if parts.empty:
        return False, False
    days_first, days_second = int((parts["first"] > 12).sum()), int((parts["second"] > 12).sum())
    if days_first != days_second:
        return days_first > days_second, True
    return bool((parts["sep"] == ".").mean() > 0.5), False


def day_first(text: pd.Series) -> bool:
    """Whether dates written ``a.b.yyyy`` / ``a/b/yyyy`` / ``a-b-yyyy`` put the day first, from the data:
    yes when more first numbers are above 12 (13.01.2025) than second ones (1/13/2025), no when
    fewer; without such a date, day first for dots (the German, Russian … way), month first
    otherwise. Looks at up to ``DAY_ORDER_SAMPLE`` values, evenly spread.

    >>> day_first(pd.Series(["06.01.2025 08:00"])), day_first(pd.Series(["01/06/2025", "01/13/2025"]))
    (True, False)
    >>> day_first(pd.Series(["05/01/2025", "08:00 13/01/2025"]))
    True
    """
    return _day_order(text)[0]


def _fallback(text: pd.Series, dayfirst: bool, aware: bool) -> tuple[pd.Series, pd.Series]:
    """Times that are not ISO 8601: the format of the first, else pandas' guess per value (which
    values needed the guess is the second result)."""
    kwargs = {"errors": "coerce", "utc": aware}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "parsing dates in %d/%m/%Y format when dayfirst=False"
        guessed = guess_datetime_format(text.iloc[0], dayfirst=dayfirst)
    if guessed and "%d" in guessed and "%m" in guessed and (guessed.index("%d") < guessed.index("%m")) != dayfirst:
        guessed = None  # the first date (13/01) forced the other order: read each value, then check it
    empty = "datetime64[ns, UTC]" if aware else "datetime64[ns]"
    parsed = _guarded(lambda: pd.to_datetime(text, format=guessed, **kwargs), text, aware) if guessed \
        else pd.Series(pd.NaT, index=text.index, dtype=empty)
    still = parsed.isna()
    if still.any():
        def mixed() -> pd.Series:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)  # "could not infer format": expected here
                return pd.to_datetime(text[still], format="mixed", dayfirst=dayfirst, **kwargs)
        again = _guarded(mixed, text[still], aware)
        parsed = parsed.astype(empty) if parsed.dtype != again.dtype else parsed
        parsed[still] = again.astype(empty)
    return parsed, still


def _guarded(parse, text: pd.Series, aware: bool) -> pd.Series:
    """``parse()``, but values read as naive that carried a UTC offset in a form the offset pattern
    does not know (``+8``, ``GMT+0800``, ``20240103T080000+0800``) come out missing, to be quarantined
    as unreadable: never read at the wrong hour, nor a crash on a column of mixed kinds."""
    empty = "datetime64[ns, UTC]" if aware else "datetime64[ns]"
    try:
        out = parse()
    except (TypeError, ValueError, OverflowError):
        return pd.Series(pd.NaT, index=text.index, dtype=empty)
    if not pd.api.types.is_datetime64_any_dtype(out.dtype):  # mixed aware and naive values: objects
        return pd.Series(pd.NaT, index=text.index, dtype=empty)
    if not aware and out.dt.tz is not None:
        return pd.Series(pd.NaT, index=text.index, dtype=empty)
    return out


def _against_day_order(text: pd.Series, parsed: pd.Series, dayfirst: bool) -> pd.Series:
    """Parsed ``a/b/yyyy`` dates whose day and month are not those of the column's day order
    (pandas swaps them where the order gives no date, as in ``01/13/2024`` read day first)."""
    parts = _dates(text)
    parts = parts[parsed[parts.index].notna()]
    wrong = pd.Series(False, index=text.index)
    if parts.empty:
        return wrong
    day, month = (parts["first"], parts["second"]) if dayfirst else (parts["second"], parts["first"])
    times = parsed[parts.index]
    wrong[parts.index] = (times.dt.day.to_numpy() != day.to_numpy()) | (times.dt.month.to_numpy() != month.to_numpy())
    return wrong


class _Kinds:
    """Each present value's kind: with a UTC offset, with a time-zone abbreviation, or naive."""

    def __init__(self, text: pd.Series):
        self.text = text
        if _matches(text, _UTC_WORD).any():
            text = _replace(text, _UTC_WORD, r"\1+00:00")  # 08:00 UTC
        self.offset = _extract(text, _OFFSET)["offset"]
        abbr = _extract(text, _ABBR)["abbr"].where(self.offset.isna())
        self.abbr = abbr.where(~abbr.str.upper().isin(["AM", "PM"]))
        self.aware = self.offset.notna()
        self.abbreviated = self.abbr.notna()
        self.parse_text = text
        if self.abbreviated.any():
            self.parse_text = text.where(~self.abbreviated, _replace(text, _ABBR_STRIP, ""))


def _parse_strings(text: pd.Series, fmt: str | None, dayfirst: bool | None, tz: str | None,
                   label: str) -> tuple[pd.Series, pd.Series, list[str]]:
    """Present, stripped strings to UTC; a reason for each value that is wrong in a known way; notes."""
    reasons = pd.Series(None, index=text.index, dtype=object)
    notes: list[str] = []
    if fmt:
        aware = "%z" in fmt or "%Z" in fmt
        utc = _localize(pd.to_datetime(text, format=fmt, errors="coerce", utc=aware), tz)
        failed = utc.isna()
        if 2 * failed.sum() > len(text):  # most values: the format, not the values, is likely wrong
            notes.append(_format_misfit_note(text[failed], fmt, dayfirst, tz, label, len(text)))
        return utc, reasons, notes
    kinds = _Kinds(text)
    aware, naive = kinds.aware, ~kinds.aware
    work = kinds.parse_text
    out_aware = pd.to_datetime(work[aware], format="ISO8601", errors="coerce", utc=True)
    out_naive = pd.to_datetime(work[naive], format="ISO8601", errors="coerce")
    failed = pd.concat([work[aware][out_aware.isna()], work[naive][out_naive.isna()]])
    if len(failed):
        shown = dayfirst is not None
        if dayfirst is None:
            dayfirst, shown = _day_order(failed)
        for group, out, is_aware in ((aware, out_aware, True), (naive, out_naive, False)):
            retry = work[group][out.isna()]
            if retry.empty:
                continue
            again, guessed = _fallback(retry, dayfirst, is_aware)  # the first's format keeps the day order
            wrong = _against_day_order(retry[guessed], again[guessed], dayfirst).reindex(retry.index, fill_value=False)
            order = "day" if dayfirst else "month"
            reasons[wrong[wrong].index] = [f"{label} with the other day order (the column reads {order} first) "
                                           f"{text[i]!r}" for i in wrong[wrong].index]
            out.loc[retry.index] = again.where(~wrong)
        note = None if shown else _day_order_note(failed, dayfirst)
        notes += [note] if note else []
    zone = tz
    if tz is None and aware.any() and naive.any():
        zone = _format_offset(kinds.offset.value_counts().index[0])
        plain = int(out_naive[~kinds.abbreviated[naive]].notna().sum())
        if plain:
            notes.append(f"{counted(plain, label)} without a UTC offset read at {zone}, the column's most common "
                         f"offset; set timezone: in a profile if {'it is' if plain == 1 else 'they are'} in another "
                         f"zone")
    local = _localize(out_naive.astype("datetime64[ns]"), zone)
    abbreviated = kinds.abbreviated[naive]
    if abbreviated.any():
        bad = _wrong_abbreviations(out_naive[abbreviated], kinds.abbr[naive][abbreviated], tz)
        for i in bad.index:
            reasons[i] = (f"{label} with a time-zone abbreviation {'not of ' + tz if tz else '(ambiguous)'}: write "
                          f"a UTC offset such as +01:00{'' if tz else ', or drop it and set timezone: in a profile'} "
                          f"{text[i]!r}")
        local = local.where(~local.index.isin(bad.index))
    utc = pd.concat([out_aware.dt.tz_convert("UTC"), local]).reindex(text.index)
    return utc, reasons, notes


def _format_misfit_note(failed: pd.Series, fmt: str, dayfirst: bool | None, tz: str | None, label: str,
                        present: int) -> str:
    """Why most values of a column failed: the profile's format fits them not; and whether the
    reader would read them itself (tried on the first hundred) without it."""
    sample = failed.iloc[0]
    head = (f"no {label} matches" if len(failed) == present
            else f"{len(failed):,} of {counted(present, label)} do not match")
    head = f"{head} the profile's timestamp_format {fmt!r} (values look like {sample!r})"
    try:
        readable = _parse_strings(failed.iloc[:100], None, dayfirst, tz, label)[0].notna().mean() > 0.5
    except (ValueError, TypeError):  # pragma: no cover - the parser quarantines what it cannot read
        readable = False
    if readable:
        return f"{head}; remove it to let the reader detect the format (ISO 8601, or the day order from the data)"
    return f"{head}; correct it to match the values (strftime codes such as %d.%m.%Y %H:%M)"


def _wrong_abbreviations(naive: pd.Series, abbr: pd.Series, tz: str | None) -> pd.Series:
    """The values whose abbreviation (``CET``) is not what ``tz`` calls that local time (all without ``tz``)."""
    if tz is None or naive.empty:
        return abbr
    named = _localize(naive, tz).dt.tz_convert(to_tzinfo(tz)).dt.strftime("%Z")
    return abbr[(named.str.upper() != abbr.str.upper()) & naive.notna()]


def _day_order_note(failed: pd.Series, dayfirst: bool) -> str | None:
    """Why the column was read day (or month) first when no date, or as many either way, showed it
    (``None`` when no date reads two ways, such as ``01/01/2024``)."""
    parts = _dates(failed)
    order, other = ("day", "false") if dayfirst else ("month", "true")
    cure = f"set dayfirst: {other} in the profile if that is wrong"
    if len(parts):
        first, second = parts["first"], parts["second"]
        if (first > 12).any() and (second > 12).any():
            a, b = failed[first[first > 12].index[0]], failed[second[second > 12].index[0]]
            return (f"day order: dates show both ({a!r} is day first, {b!r} month first, as many each way); "
                    f"read {order} first, the others are quarantined; {cure}")
    two_ways = parts.index[(parts["first"] != parts["second"]).to_numpy()]
    if not len(two_ways) or (dayfirst and (parts["sep"] == ".").mean() > 0.5):
        return None  # no date reads two ways, or dots, which put the day first wherever they are used
    return f"day order: no date shows it, so dates such as {failed[two_ways[0]]!r} were read {order} first; {cure}"


def parse_timestamps(values: pd.Series, *, tz: str | None = None, fmt: str | None = None,
                     dayfirst: bool | None = None, label: str = "timestamp") -> ParsedTimes:
    """Parse a column of timestamps to tz-aware UTC.

    Each value is read by its own kind: one with a UTC offset at that offset (mixed offsets are
    normalised, not rejected); a naive one in ``tz`` (an IANA name or fixed offset), else at the
    column's most common offset (noted), else as UTC; one with a time-zone abbreviation
    (``08:00 CET``) only when ``tz`` calls that time so (``UTC``/``GMT`` are offsets), else it gets
    a reason. Dates that are not ISO 8601 are read with one day order for the whole column:
    ``dayfirst``, or when it is None the order the data shows (:func:`day_first`); a date that
    contradicts it gets a reason. ``label`` names the column in reasons and notes.

    >>> p = parse_timestamps(pd.Series(["2024-01-03T08:00:00+08:00", "2024-01-03 09:00", "2024-01-03 09:00 PST"]))
    >>> [t.hour for t in p.utc[:2]], p.reasons.iloc[2][:45]
    ([0, 1], 'timestamp with a time-zone abbreviation (ambi')
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
    text = values[~missing].astype(str).str.strip()
    utc_present, reasons, notes = _parse_strings(text, fmt, dayfirst, tz, label)
    utc = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns, UTC]")
    utc[~missing] = utc_present.dt.tz_convert("UTC") if len(utc_present) else utc_present
    unparseable = utc.isna() & ~missing
    return ParsedTimes(utc, unparseable, missing, reasons.reindex(values.index), tuple(notes))


def wall_clock(values: pd.Series) -> tuple[pd.Series, np.ndarray]:
    """Tz-aware times as naive wall-clock times of their own zone and each one's UTC offset text
    (``+08:00``); what a writer needs to keep a log's local zone.

    >>> t = pd.Series(pd.to_datetime(["2024-01-01 00:00", "2024-07-01 00:00"], utc=True)).dt.tz_convert("Europe/Berlin")
    >>> wall, offsets = wall_clock(t)
    >>> [str(w) for w in wall], offsets.tolist()
    (['2024-01-01 01:00:00', '2024-07-01 02:00:00'], ['+01:00', '+02:00'])
    """
    wall = values.dt.tz_localize(None)
    shift_s = (wall - values.dt.tz_convert("UTC").dt.tz_localize(None)).dt.total_seconds()
    codes, uniques = pd.factorize(shift_s)
    texts = [f"{'-' if u < 0 else '+'}{int(abs(u)) // 3600:02d}:{int(abs(u)) % 3600 // 60:02d}" for u in uniques]
    return wall, np.array(texts + [""], dtype=object)[codes]


def local_times(utc: pd.Series, zone: str | None) -> pd.Series:
    """UTC timestamps converted to the log's local zone (UTC when ``zone`` is ``None``)."""
    return utc.dt.tz_convert(to_tzinfo(zone) if zone else timezone.utc)
