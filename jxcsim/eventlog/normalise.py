"""Turn a reader's raw rows into the canonical frame: map, parse, validate, pair, quarantine.

Every input row ends up either in the frame (alone, or as the start of an activity instance)
or in the quarantine with a reason; ``rows_read == rows_accepted + len(quarantine)``.

>>> raw = pd.DataFrame({"case": ["1", "1", ""], "activity": ["a", "b", "c"],
...                     "timestamp": ["2024-01-01 08:00", "not a time", "2024-01-01 09:00"]})
>>> out = normalise_events(raw, LogProfile())
>>> len(out.frame), out.quarantine["reason"].tolist()
(1, ["unparseable timestamp 'not a time'", 'missing case id'])
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .columns import resolve_columns
from .csv_reader import BAD_LINE, TRIMMED
from .errors import EventLogError
from .fastpath import all_text, blank_mask, text_array
from .numbers import COMMA, Decimal, ambiguity_note, choose_decimal, decimal_note, read_numbers
from .pairing import pair_lifecycle
from .profile import LogProfile, match_activities
from .schema import (ACTIVITY, BOOK, CASE, COUNTED, DIRECTED_SEMANTICS, LIFECYCLE, RESOURCE, ROLE_COLUMNS,
                     SEMANTIC, SEMANTIC_VALUES, START, TIMESTAMP)
from .timezone import ParsedTimes, offset_counts, offsets_note, parse_timestamps

ROW = "source_row"
REASON = "reason"


@dataclass
class NormalisedEvents:
    """Accepted activity instances, quarantined rows, and what pairing found."""

    frame: pd.DataFrame
    quarantine: pd.DataFrame
    timezone: str
    columns: dict[str, str | list[str]]
    rows_read: int
    paired_starts: int = 0
    unmatched_starts: int = 0
    instances_without_start: int = 0
    notes: list[str] = field(default_factory=list)


class _Reasons:
    """First reason wins: later checks only mark rows that are still clean."""

    def __init__(self, n: int):
        self.values = np.full(n, None, dtype=object)

    def mark(self, mask: np.ndarray | pd.Series, text: str | pd.Series) -> None:
        mask = np.asarray(mask, dtype=bool) & pd.isna(self.values)
        if not mask.any():
            return
        if isinstance(text, pd.Series):
            self.values[mask] = text.to_numpy(dtype=object)[mask]
        else:
            self.values[mask] = text

    @property
    def bad(self) -> np.ndarray:
        return ~pd.isna(self.values)


def _column(raw: pd.DataFrame, ref: str | list[str]) -> pd.Series:
    if isinstance(ref, list):
        parts = [raw[c].astype("string").str.strip() for c in ref]
        joined = parts[0]
        for part in parts[1:]:
            joined = joined + " " + part
        return joined.astype(object)
    return raw[ref]


def _empty_rows(raw: pd.DataFrame) -> np.ndarray:
    """Rows missing in every column; stops at the first column with no missing value left to share."""
    empty = np.ones(len(raw), dtype=bool)
    for i in range(raw.shape[1]):
        empty &= raw.iloc[:, i].isna().to_numpy(dtype=bool)
        if not empty.any():
            break
    return empty


def _is_blank(values: pd.Series) -> np.ndarray:
    fast = blank_mask(values)
    if fast is not None:
        return fast.to_numpy(dtype=bool)
    if values.dtype == object or pd.api.types.is_string_dtype(values.dtype):
        return (values.isna() | (values.astype("string").str.strip() == "")).to_numpy(dtype=bool)
    return values.isna().to_numpy(dtype=bool)


def _as_text(values: pd.Series, trimmed: bool = False) -> pd.Series:
    """Text without leading or trailing whitespace (`` 007 `` is case ``007``); blank becomes missing.
    ``trimmed``: the reader trimmed the values already (the CSV fast path, in Arrow)."""
    if trimmed and all_text(values):
        return values
    if not all_text(values):
        if pd.api.types.is_float_dtype(values.dtype):
            as_int = values.dropna()
            if (as_int == as_int.round()).all():
                values = values.astype("Int64")
        values = values.astype("string").astype(object)
    arr = text_array(values)
    if arr is None:
        return values
    trimmed = pc.utf8_trim_whitespace(arr)
    if pc.all(pc.equal(trimmed, arr)).as_py() is not False and not pc.any(pc.equal(trimmed, "")).as_py():
        # nothing to trim and nothing blank; missing as pandas reads it
        return values.where(values.notna(), np.nan) if arr.null_count else values
    trimmed = pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed).to_numpy(zero_copy_only=False)
    trimmed[pd.isna(trimmed)] = np.nan  # missing as pandas reads it
    return pd.Series(trimmed, index=values.index, dtype=object)


def _to_number(values: pd.Series, role: str, decimal: Decimal, reasons: _Reasons, notes: list[str],
               seen: dict | None = None) -> pd.Series:
    """Numbers read with the log's decimal separator; bad values are marked with a reason."""
    read = read_numbers(values, decimal.separator, seen)
    garbage = read.bad & ~read.other_way
    reasons.mark(garbage, _quote(f"non-numeric {role}", values, garbage))
    if read.other_way.any():
        written, log = ("point", "commas") if decimal.separator == COMMA else ("comma", "points")
        reasons.mark(read.other_way, _quote(f"{role} with a decimal {written} in a log of decimal {log}", values,
                                            read.other_way))
    note = ambiguity_note(role, read, decimal)
    if note:
        notes.append(note)
    return read.values


def _time_reasons(prefix: str, values: pd.Series, parsed: ParsedTimes) -> pd.Series:
    """The reason of each unparseable time: the parser's specific one, else ``prefix 'value'``."""
    text = _quote(prefix, values, parsed.unparseable.to_numpy())
    if parsed.reasons is not None:
        text = parsed.reasons.where(parsed.reasons.notna(), text)
    return text


def _count_column(raw: pd.DataFrame, profile: LogProfile, key: str, target: str) -> str | None:
    """The column of the counted or book quantity: the profile's, else the canonical name when the
    profile's is absent and the log has that (as our XES and OCEL carry it)."""
    name = getattr(profile.count_columns, key)
    if name is not None and name not in raw.columns and target in raw.columns:
        return target
    return name


def _quote(prefix: str, values: pd.Series, mask: np.ndarray) -> pd.Series:
    out = pd.Series(None, index=values.index, dtype=object)
    out[mask] = [f"{prefix} {str(v)[:80]!r}" for v in values[mask]]
    return out


def normalise_events(raw: pd.DataFrame, profile: LogProfile, *, source: str | None = None,
                     row_numbers: np.ndarray | None = None, offset_hint: str | None = None,
                     offsets: dict[str, int] | None = None, delimiter: str | None = None) -> NormalisedEvents:
    """Map ``raw`` rows onto the canonical frame; see the module docstring. ``offset_hint`` and
    ``offsets`` are the dominant UTC offset and the offsets' counts a reader found in the file;
    ``delimiter`` (of a CSV file) breaks the tie when no number of the log tells its decimal separator."""
    n = len(raw)
    trimmed = bool(raw.attrs.get(TRIMMED))
    if not (isinstance(raw.index, pd.RangeIndex) and raw.index.start == 0 and raw.index.step == 1):
        raw = raw.reset_index(drop=True)  # (a copy of every column, so only when needed)
    rows = np.arange(1, n + 1) if row_numbers is None else np.asarray(row_numbers)
    reasons = _Reasons(n)
    if BAD_LINE in raw.columns:
        reasons.mark(raw[BAD_LINE].notna().to_numpy(), raw[BAD_LINE].astype(object))
        raw = raw.drop(columns=[BAD_LINE])
    if n and len(raw.columns):
        reasons.mark(_empty_rows(raw), "empty row")
    cols = resolve_columns(list(raw.columns), profile, source=source)
    out: dict[str, pd.Series] = {}

    case = _column(raw, cols["case"])
    reasons.mark(_is_blank(case), "missing case id")
    out[CASE] = _as_text(case, trimmed)
    activity = _column(raw, cols["activity"])
    reasons.mark(_is_blank(activity), "missing activity")
    out[ACTIVITY] = _as_text(activity, trimmed)

    notes: list[str] = []
    ts_raw = _column(raw, cols["timestamp"])
    zone = profile.timezone
    parsed = parse_timestamps(ts_raw, tz=zone, fmt=profile.timestamp_format, dayfirst=profile.dayfirst)
    reasons.mark(parsed.missing, "missing timestamp")
    reasons.mark(parsed.unparseable, _time_reasons("unparseable timestamp", ts_raw, parsed))
    notes += parsed.notes
    out[TIMESTAMP] = parsed.utc
    if "start_timestamp" in cols:
        st_raw = _column(raw, cols["start_timestamp"])
        st = parse_timestamps(st_raw, tz=zone, fmt=profile.timestamp_format, dayfirst=profile.dayfirst,
                              label="start timestamp")
        reasons.mark(st.unparseable, _time_reasons("unparseable start timestamp", st_raw, st))
        reasons.mark((st.utc > parsed.utc).fillna(False), "start timestamp after completion timestamp")
        notes += [n for n in st.notes if n not in notes]
        out[START] = st.utc
    if zone is None:
        counts = Counter(offsets) if offsets else offset_counts(ts_raw)
        zone = offset_hint or (counts.most_common(1)[0][0] if counts else None) or "UTC"
        notes += [n for n in [offsets_note(counts, zone)] if n]

    mapping = {k: v.value for k, v in profile.activities.items()}
    if mapping:
        mapping, activity_notes = match_activities(mapping, [str(a) for a in out[ACTIVITY].dropna().unique()])
        notes += activity_notes
        semantic = out[ACTIVITY].map(mapping)
    elif SEMANTIC in raw.columns:  # a log we wrote ourselves carries its semantics
        semantic = raw[SEMANTIC].where(raw[SEMANTIC].isin(SEMANTIC_VALUES))
        cols = {**cols, SEMANTIC: SEMANTIC}
    else:
        semantic = pd.Series(None, index=raw.index, dtype=object)
    if profile.strict:
        reasons.mark(semantic.isna().to_numpy() & ~_is_blank(activity),
                     _quote("activity not in the strict profile:", out[ACTIVITY], semantic.isna().to_numpy()))
    out[SEMANTIC] = semantic.astype(object)

    number_notes: list[str] = []
    count_names = {key: _count_column(raw, profile, key, target) for key, target in (("counted", COUNTED),
                                                                                    ("book", BOOK))}
    numeric = [_column(raw, cols[r]) for r in ("qty", "amount", "price") if r in cols]
    seen: dict = {}  # each numeric column's text, worked out once
    decimal = choose_decimal(numeric + [raw[c] for c in count_names.values() if c in raw.columns],
                             profile.decimal, delimiter, seen)
    for role in ROLE_COLUMNS:
        if role in ("case", "activity", "timestamp", "start_timestamp") or role not in cols:
            continue
        target = ROLE_COLUMNS[role]
        values = _column(raw, cols[role])
        if role in ("qty", "amount", "price"):
            out[target] = _to_number(values, role, decimal, reasons, number_notes, seen)
        else:
            out[target] = _as_text(values, trimmed)
    count_sources: set[str] = set()  # the raw columns the count quantities were read from
    for key, target in (("counted", COUNTED), ("book", BOOK)):
        name = count_names[key]
        if name is not None and name not in raw.columns:
            if not (semantic == "count").any():
                continue  # no count events, so no quantities to read (an XES writes no empty attribute)
            raise EventLogError(f"profile count_columns.{key} names column {name!r}, not in the log", path=source)
        if name is not None:
            out[target] = _to_number(raw[name], f"{key} quantity", decimal, reasons, number_notes, seen)
            count_sources.add(name)
    notes += number_notes or [n for n in [decimal_note(decimal, delimiter)] if n]
    if "qty" in out:
        negative = (out["qty"] < 0).to_numpy() & semantic.isin(DIRECTED_SEMANTICS).to_numpy()
        if negative.any():
            text = pd.Series(None, index=raw.index, dtype=object)
            text[negative] = [f"negative qty for {s} (the semantic gives the direction)" for s in semantic[negative]]
            reasons.mark(negative, text)

    dup = _duplicates(raw, rows, parsed.utc.array.asi8)  # equal text gives an equal time
    if dup is not None:
        reasons.mark(dup.mask, dup.text)

    used = {c for ref in cols.values() for c in (ref if isinstance(ref, list) else [ref])}
    used |= count_sources
    frame = pd.DataFrame(out)
    for name in raw.columns:
        if name in used:
            continue
        target = name if name not in frame.columns else f"{name}_source"
        frame[target] = raw[name].to_numpy()
    frame[ROW] = rows

    result = NormalisedEvents(frame=frame, quarantine=pd.DataFrame(), timezone=zone, columns=cols, rows_read=n,
                              notes=notes)
    if LIFECYCLE in frame.columns:
        frame = _pair(frame, reasons, result)
    bad = reasons.bad
    quarantine = raw.loc[bad].copy()
    quarantine.insert(0, ROW, rows[bad])
    quarantine.insert(1, REASON, reasons.values[bad])
    keep = frame.loc[~bad[frame["_pos"].to_numpy()]] if "_pos" in frame.columns else frame.loc[~bad]
    keep = keep.drop(columns=[c for c in ("_pos",) if c in keep.columns])
    order = np.argsort(keep[TIMESTAMP].array.asi8, kind="stable")
    keep = keep.iloc[order]
    keep.index = pd.RangeIndex(len(keep))  # (reset_index would copy every column again)
    if START in keep.columns and keep[START].isna().all():
        keep = keep.drop(columns=[START])
    result.frame = keep
    result.quarantine = quarantine.reset_index(drop=True)
    return result


@dataclass
class _Dup:
    mask: np.ndarray
    text: pd.Series


def _duplicates(raw: pd.DataFrame, rows: np.ndarray, key: np.ndarray | None = None) -> _Dup | None:
    """Rows equal in every column to an earlier one. Only rows sharing their ``key`` (a value that
    equal rows share, such as the parsed time) with another row are compared in full."""
    if key is not None:
        shared = pd.Series(key).duplicated(keep=False).to_numpy()
        if not shared.any():
            return None
        if not shared.all():
            found = _duplicates(raw.loc[shared], rows[shared])
            if found is None:
                return None
            mask = np.zeros(len(raw), dtype=bool)
            mask[shared] = found.mask
            text = pd.Series(None, index=raw.index, dtype=object)
            text[mask] = found.text[found.mask].to_numpy()
            return _Dup(mask, text)
    try:
        mask = raw.duplicated(keep="first").to_numpy()
    except TypeError:  # unhashable cells (lists): compare their text
        mask = raw.astype(str).duplicated(keep="first").to_numpy()
    if not mask.any():
        return None
    hashed = pd.util.hash_pandas_object(raw.astype(str), index=False)
    first = pd.Series(rows, index=raw.index).groupby(hashed.to_numpy()).transform("first")
    text = pd.Series(None, index=raw.index, dtype=object)
    text[mask] = [f"exact duplicate of input row {int(r)}" for r in first[mask]]
    return _Dup(mask, text)


def _pair(frame: pd.DataFrame, reasons: _Reasons, result: NormalisedEvents) -> pd.DataFrame:
    """Collapse start/complete events into instances; unmatched starts are quarantined."""
    frame = frame.copy()
    frame["_pos"] = np.arange(len(frame))
    ok = ~reasons.bad
    candidates = frame.loc[ok]
    keys = [CASE, ACTIVITY] + ([RESOURCE] if RESOURCE in frame.columns else [])
    paired = pair_lifecycle(candidates, keys=keys, lifecycle=LIFECYCLE, time=TIMESTAMP)
    cand_pos = candidates["_pos"].to_numpy()
    if len(paired.other_rows):
        values = pd.Series(paired.other_values)
        mask = np.zeros(len(frame), dtype=bool)
        mask[cand_pos[paired.other_rows]] = True
        text = pd.Series(None, index=frame.index, dtype=object)
        text.iloc[cand_pos[paired.other_rows]] = [f"lifecycle {v!r} is not start or complete" for v in values]
        reasons.mark(mask, text)
    if len(paired.unmatched_starts):
        mask = np.zeros(len(frame), dtype=bool)
        mask[cand_pos[paired.unmatched_starts]] = True
        reasons.mark(mask, "start event without a matching complete event")
    completes = candidates.iloc[paired.complete_rows].copy()
    has_start = paired.start_rows >= 0
    start_src = candidates.iloc[paired.start_rows[has_start]]
    ns = np.full(len(completes), np.iinfo(np.int64).min, dtype=np.int64)  # NaT
    ns[has_start] = start_src[TIMESTAMP].array.asi8
    start_times = pd.Series(pd.to_datetime(ns, utc=True), index=completes.index)
    if START in completes.columns:
        completes[START] = completes[START].where(completes[START].notna(), start_times)
    else:
        completes.insert(3, START, start_times)
    if RESOURCE in completes.columns:
        res = completes[RESOURCE].to_numpy(dtype=object).copy()
        fill = has_start & pd.isna(res)
        res[fill] = start_src[RESOURCE].to_numpy(dtype=object)[fill[has_start]]
        completes[RESOURCE] = res
    completes = completes.drop(columns=[LIFECYCLE])
    result.paired_starts = int(has_start.sum())
    result.unmatched_starts = len(paired.unmatched_starts)
    result.instances_without_start = int((~has_start).sum()) if has_start.any() else 0
    # Paired starts are accepted input rows too: they live on as the instance's start time.
    return completes
