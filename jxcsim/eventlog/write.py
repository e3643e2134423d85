"""Write a canonical frame as CSV(.gz), XES(.gz) or OCEL 2.0 (SQLite, JSON, XML); format by suffix.

Instances with a start time become a ``start`` and a ``complete`` event in XES, as they were
read. Everything written reads back with :func:`read_event_log` to the same frame, and every
format keeps the log's local zone in its offsets.

>>> import pandas as pd, tempfile, pathlib
>>> f = pd.DataFrame({"case:concept:name": ["1"], "concept:name": ["pick"],
...                   "time:timestamp": pd.to_datetime(["2024-01-01 08:00"], utc=True)})
>>> out = write_event_log(f, pathlib.Path(tempfile.mkdtemp()) / "log.csv")
>>> out.read_text().splitlines()[1]
'1,pick,2024-01-01T08:00:00+00:00'
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .errors import EventLogError
from .log import EventLog, LogFormat
from .normalise import ROW
from .schema import CASE, LIFECYCLE, START, TIMESTAMP
from .timezone import to_tzinfo, wall_clock

SUFFIXES: dict[str, LogFormat] = {
    ".csv": LogFormat.CSV, ".csv.gz": LogFormat.CSV,
    ".xes": LogFormat.XES, ".xes.gz": LogFormat.XES,
    ".sqlite": LogFormat.OCEL2_SQLITE, ".db": LogFormat.OCEL2_SQLITE,
    ".jsonocel": LogFormat.OCEL2_JSON, ".json": LogFormat.OCEL2_JSON,
    ".xmlocel": LogFormat.OCEL2_XML, ".xml": LogFormat.OCEL2_XML,
}


def output_format(path: Path) -> LogFormat:
    """The format implied by an output file name."""
    name = path.name.lower()
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix):
            return SUFFIXES[suffix]
    known = ", ".join(sorted(SUFFIXES))
    raise EventLogError(f"cannot tell the output format from the name (use one of: {known})", path=path)


def _for_output(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=[c for c in (ROW,) if c in frame.columns])


def _iso(values: pd.Series) -> pd.Series:
    """ISO 8601 in the values' own zone, with its offset (``2024-01-01T08:00:00+08:00``)."""
    wall, offsets = wall_clock(values)
    text = wall.dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str.removesuffix(".000000") + offsets
    return text.where(values.notna())


def _in_zone(frame: pd.DataFrame, zone: str) -> pd.DataFrame:
    """The frame with its tz-aware columns in ``zone`` (same instants, local wall-clock)."""
    tz = to_tzinfo(zone)
    return frame.assign(**{c: frame[c].dt.tz_convert(tz) for c in frame.columns
                           if isinstance(frame[c].dtype, pd.DatetimeTZDtype)})


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    out = _for_output(frame).copy()
    for col in out.columns:
        if isinstance(out[col].dtype, pd.DatetimeTZDtype):
            out[col] = _iso(out[col])
    out.to_csv(path, index=False, encoding="utf-8", compression="infer")
    return path


def xes_events(frame: pd.DataFrame) -> pd.DataFrame:
    """Instances as XES events: a start event for each instance with a start time, then its complete."""
    out = _for_output(frame)
    if START not in out.columns:
        return out.assign(**{LIFECYCLE: "complete"})
    completes = out.drop(columns=[START]).assign(**{LIFECYCLE: "complete", "_k": 1})
    has = out[START].notna()
    starts = out.loc[has].drop(columns=[TIMESTAMP]).rename(columns={START: TIMESTAMP})
    starts = starts.assign(**{LIFECYCLE: "start", "_k": 0})[completes.columns]
    events = pd.concat([starts, completes], ignore_index=True)
    events = events.sort_values([CASE, TIMESTAMP, "_k"], kind="stable").drop(columns=["_k"])
    return events.reset_index(drop=True)


def write_xes(frame: pd.DataFrame, path: Path) -> Path:
    """XES 2.0 (gzipped for ``.xes.gz``), written as a stream (:mod:`.xes_writer`)."""
    from .xes_writer import write_xes_stream

    return write_xes_stream(xes_events(frame), path)


def write_event_log(log: EventLog | pd.DataFrame, path: str | Path, *, case_type: str = "case") -> Path:
    """Write ``log`` (an EventLog or a canonical frame) in the format its file name implies.

    Times are written with the UTC offset of the log's local zone (a frame's: UTC), so the file
    read back has the same local zone.
    """
    path = Path(path)
    frame = log.frame if isinstance(log, EventLog) else log
    fmt = output_format(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    zone = log.timezone if isinstance(log, EventLog) and log.timezone not in ("UTC", "+00:00") else None
    if fmt in (LogFormat.CSV, LogFormat.XES) and zone is not None:
        frame = _in_zone(frame, log.timezone)
    if fmt is LogFormat.CSV:
        return write_csv(frame, path)
    if fmt is LogFormat.XES:
        return write_xes(frame, path)
    from .ocel import write_ocel2

    return write_ocel2(_for_output(frame), path, case_type=case_type, zone=zone)
