"""What ``jxcsim inspect`` reports about a log: counts, time span, weekday × hour, quarantine.

>>> import pandas as pd
>>> from jxcsim.eventlog.read import read_event_log
>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "l.csv"
>>> _ = p.write_text("case,activity,timestamp\\n1,a,2024-01-01 08:00\\n1,b,2024-01-01 09:00\\n2,a,bad\\n")
>>> s = summarize_log(read_event_log(p))
>>> s["cases"], s["events"], s["activity_instances"], s["quarantined"], s["weekday_hour"][0][8]
(1, 3, 2, 1, 1)
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pandas as pd

from .log import EventLog
from .normalise import REASON
from .schema import ACTIVITY, CASE, RESOURCE, SEMANTIC, START, TIMESTAMP
from .words import counted

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DETAIL = re.compile(r"( '.*'| \d+| [-+]?\d+(\.\d+)?)$")


def reason_kind(reason: str) -> str:
    """A quarantine reason without the offending value, for counting.

    >>> reason_kind("unparseable timestamp 'xx'"), reason_kind("exact duplicate of input row 7")
    ('unparseable timestamp', 'exact duplicate of input row')
    >>> reason_kind("expected 3 fields, found 4: 1,a,2024-01-01,x"), reason_kind("activity not in the strict profile: 'x'")
    ('expected 3 fields, found 4', 'activity not in the strict profile')
    """
    if reason.startswith("expected "):  # "expected 3 fields, found 4: <the line>"
        return reason.split(":", 1)[0]
    return _DETAIL.sub("", str(reason)).strip().rstrip(":")


def describe_rows(log: EventLog, *, top: int = 3) -> str:
    """``4 read = 1 accepted + 3 quarantined (3 unparseable timestamp)``: the rows' fate in one line."""
    counts = f"{log.rows_read:,} read = {log.rows_accepted:,} accepted + {len(log.quarantine):,} quarantined"
    if not len(log.quarantine):
        return counts
    kinds = log.quarantine[REASON].map(reason_kind).value_counts()
    shown = "; ".join(f"{n:,} {kind}" for kind, n in kinds.head(top).items()) + ("; …" if len(kinds) > top else "")
    return f"{counts} ({shown})"


def _iso(ts: pd.Timestamp | None) -> str | None:
    return None if ts is None or pd.isna(ts) else ts.isoformat()


def summarize_log(log: EventLog, *, top_activities: int = 50) -> dict[str, Any]:
    """A JSON-ready summary of ``log`` (see ``jxcsim inspect --json`` in the README)."""
    frame = log.frame
    local = log.local_timestamps() if len(frame) else pd.Series([], dtype="datetime64[ns, UTC]")
    grid = np.zeros((7, 24), dtype=int)
    if len(frame):
        np.add.at(grid, (local.dt.weekday.to_numpy(), local.dt.hour.to_numpy()), 1)
    reasons = log.quarantine[REASON].map(reason_kind).value_counts() if len(log.quarantine) else pd.Series(dtype=int)
    activity_counts = frame[ACTIVITY].value_counts() if len(frame) else pd.Series(dtype=int)
    has_res = RESOURCE in frame.columns
    summary: dict[str, Any] = {
        "source": log.source,
        "format": log.format.value,
        "timezone": log.timezone,
        "cases": int(frame[CASE].nunique()) if len(frame) else 0,
        "events": int(log.events_stored),
        "activity_instances": int(len(frame)),
        "activities": int(frame[ACTIVITY].nunique()) if len(frame) else 0,
        "resources": int(frame[RESOURCE].nunique()) if has_res else 0,
        "start": _iso(frame[TIMESTAMP].min()) if len(frame) else None,
        "end": _iso(frame[TIMESTAMP].max()) if len(frame) else None,
        "rows_read": int(log.rows_read),
        "rows_accepted": int(log.rows_accepted),
        "quarantined": int(len(log.quarantine)),
        "quarantine_reasons": {str(k): int(v) for k, v in reasons.items()},
        "pairing": {
            "start_times": bool(START in frame.columns and frame[START].notna().any()),
            "paired_starts": int(log.paired_starts),
            "unmatched_starts": int(log.unmatched_starts),
            "instances_without_start": int(log.instances_without_start),
        },
        "activity_counts": {str(k): int(v) for k, v in activity_counts.head(top_activities).items()},
        "weekday_hour": grid.tolist(),
        "notes": list(log.notes),
    }
    if SEMANTIC in frame.columns and frame[SEMANTIC].notna().any():
        summary["semantics"] = {str(k): int(v) for k, v in frame[SEMANTIC].value_counts().items()}
    if log.objects is not None:
        summary["objects"] = dict(log.objects)
        summary["object_type"] = log.object_type
    return summary


def _clean(text: Any) -> str:
    """Text from a log made safe for a terminal: control characters shown escaped."""
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in str(text))


def render_summary(summary: dict[str, Any]) -> str:
    """The summary as the plain text ``jxcsim inspect`` prints."""
    span = (f"{summary['start']} .. {summary['end']} (UTC)" if summary["start"] is not None
            else "none: no accepted rows")
    lines = [
        f"source        {_clean(summary['source'])} ({summary['format']})",
        f"cases         {summary['cases']:,}",
        f"events        {summary['events']:,} stored, {counted(summary['activity_instances'], 'activity instance')}",
        f"activities    {summary['activities']:,}",
        f"resources     {summary['resources']:,}",
        f"time span     {span}; local zone {summary['timezone']}",
        f"rows          {summary['rows_read']:,} read = {summary['rows_accepted']:,} accepted"
        f" + {summary['quarantined']:,} quarantined",
    ]
    if "objects" in summary:
        objs = ", ".join(f"{_clean(k)}: {v:,}" for k, v in summary["objects"].items())
        lines.append(f"objects       {objs} (flattened on {_clean(summary['object_type'])})")
    pairing = summary["pairing"]
    if pairing["paired_starts"] or pairing["unmatched_starts"]:
        lines.append(f"start/complete {pairing['paired_starts']:,} paired, "
                     f"{counted(pairing['unmatched_starts'], 'start')} without complete, "
                     f"{counted(pairing['instances_without_start'], 'complete')} without start")
    elif pairing["start_times"]:
        lines.append("start/complete start times from a start column")
    for reason, count in summary["quarantine_reasons"].items():
        lines.append(f"  quarantined  {count:>8,}  {_clean(reason)}")
    lines.append("")
    if not summary["activity_instances"]:
        lines.append("no accepted rows: no activities or weekday x hour counts to show (see the quarantine reasons"
                     " and notes)")
        lines += [f"note: {_clean(note)}" for note in summary["notes"]]
        return "\n".join(lines)
    lines.append("top activities")
    for name, count in list(summary["activity_counts"].items())[:15]:
        lines.append(f"  {count:>8,}  {_clean(name)}")
    lines.append("")
    lines.append(f"activity instances per weekday x hour (local time, {summary['timezone']})")
    grid = [[row[h] + row[h + 1] for h in range(0, 24, 2)] for row in summary["weekday_hour"]]
    width = max(5, 1 + max((len(str(b)) for bins in grid for b in bins), default=1))  # a space between numbers
    total = max(7, max((len(f"{sum(row):,}") for row in summary["weekday_hour"]), default=1))
    lines.append("       " + "".join(f"{h:>{width}}" for h in range(0, 24, 2)) + "   (2-hour bins)")
    for day, bins, row in zip(WEEKDAYS, grid, summary["weekday_hour"]):
        lines.append(f"  {day}  " + "".join(f"{b:>{width}}" for b in bins) + f"   {sum(row):>{total},}")
    for note in summary["notes"]:
        lines.append(f"note: {_clean(note)}")
    return "\n".join(lines)
