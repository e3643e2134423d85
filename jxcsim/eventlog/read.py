"""``read_event_log``: any supported source to one validated canonical frame.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "log.csv"
>>> _ = p.write_text("case,activity,timestamp\\n1,Load truck,2024-01-03 14:00\\n1,Post GI,oops\\n")
>>> log = read_event_log(p, profile={"timezone": "Asia/Shanghai",
...                                  "activities": {"Load truck": "physical_issue"}})
>>> log.rows_read, log.rows_accepted, log.frame["semantic"].tolist(), str(log.frame["time:timestamp"][0])
(2, 1, ['physical_issue'], '2024-01-03 06:00:00+00:00')
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..memory import heavy_work
from ..progress import Progress
from .errors import EventLogError
from .formats import detect_format
from .log import EventLog, LogFormat, RawLog
from .normalise import normalise_events
from .profile import LogProfile, load_profile, parse_profile


def as_profile(profile: LogProfile | dict[str, Any] | str | Path | None) -> LogProfile:
    """A profile from an object, a mapping or a YAML path (``None``: an empty profile)."""
    if profile is None:
        return LogProfile()
    if isinstance(profile, LogProfile):
        return profile
    if isinstance(profile, dict):
        return parse_profile(profile)
    return load_profile(profile)


def read_raw(source: str | Path, fmt: LogFormat, profile: LogProfile, *, object_type: str | None = None,
             table: str | None = None, query: str | None = None, progress: bool = False) -> RawLog:
    """Dispatch to the reader for ``fmt`` (no mapping or validation yet)."""
    if fmt is LogFormat.SQL:
        from .sql_reader import read_sql_raw

        return read_sql_raw(source, table=table, query=query)
    path = Path(source)
    if fmt is LogFormat.CSV:
        from .csv_reader import read_csv_raw

        return read_csv_raw(path, encoding=profile.encoding, delimiter=profile.delimiter)
    if fmt is LogFormat.XES:
        from .xes_reader import read_xes_raw

        return read_xes_raw(path, progress=progress)
    if fmt.is_ocel:
        from .ocel import read_ocel_raw

        return read_ocel_raw(path, fmt, object_type=object_type or profile.object_type)
    raise EventLogError(f"no reader for format {fmt.value}", path=path)  # pragma: no cover


def read_event_log(source: str | Path, *, profile: LogProfile | dict[str, Any] | str | Path | None = None,
                   format: str | LogFormat | None = None, object_type: str | None = None,
                   table: str | None = None, query: str | None = None, progress: bool = False) -> EventLog:
    """Read, map and validate a log; bad rows are quarantined, never dropped silently.

    ``source`` is a file (CSV, XES, OCEL 1.0/2.0; gzip welcome) or a database URL; ``format``
    overrides detection; ``object_type`` picks the OCEL object type to flatten on; ``table`` or
    ``query`` select rows from a database.
    """
    prof = as_profile(profile)
    # numpy's huge-page hint off, pyarrow's system pool: the columns are written once (see jxcsim.memory)
    with Progress(["detect", "read", "validate"], enabled=progress, desc="reading log") as bar, heavy_work():
        bar.step("detect")
        fmt = detect_format(source, format)
        if (table or query) and fmt is LogFormat.OCEL2_SQLITE:
            fmt = LogFormat.SQL  # an OCEL 2.0 database queried as plain tables
        elif (table or query) and fmt is not LogFormat.SQL:
            raise EventLogError(f"--table and --query apply to databases, not to {fmt.value} files", path=source)
        bar.step("read")
        raw = read_raw(source, fmt, prof, object_type=object_type, table=table, query=query, progress=progress)
        bar.step("validate")
        out = normalise_events(raw.frame, prof, source=str(source), row_numbers=raw.row_numbers,
                               offset_hint=raw.offset_hint, offsets=raw.offsets, delimiter=raw.delimiter)
    return EventLog(frame=out.frame, quarantine=out.quarantine, source=str(source), format=raw.format,
                    timezone=out.timezone, profile=prof, rows_read=out.rows_read, events_stored=raw.events_stored,
                    objects=raw.objects, object_type=raw.object_type, paired_starts=out.paired_starts,
                    unmatched_starts=out.unmatched_starts, instances_without_start=out.instances_without_start,
                    notes=raw.notes + out.notes)
