"""The objects the event-log layer hands around: raw rows from a reader, and the read log."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

import numpy as np
import pandas as pd

from .profile import LogProfile
from .schema import TIMESTAMP
from .timezone import local_times, to_tzinfo


class LogFormat(str, Enum):
    """Input and output formats; the value is what ``--format`` accepts."""

    CSV = "csv"
    XES = "xes"
    OCEL2_SQLITE = "ocel2-sqlite"
    OCEL2_JSON = "ocel2-json"
    OCEL2_XML = "ocel2-xml"
    OCEL1_JSON = "ocel1-json"
    OCEL1_XML = "ocel1-xml"
    OCEL1_CSV = "ocel1-csv"
    SQL = "sql"

    @property
    def is_ocel(self) -> bool:
        return self.value.startswith("ocel")


@dataclass
class RawLog:
    """What a reader found, before mapping and validation.

    ``frame`` has one row per input record (a CSV row, an XES event, an OCEL event × object of
    the chosen type); ``row_numbers`` say where each record was in the source (1-based).
    """

    frame: pd.DataFrame
    format: LogFormat
    events_stored: int
    row_numbers: np.ndarray | None = None
    offset_hint: str | None = None
    offsets: dict[str, int] | None = None  # the UTC offsets the reader saw written, with counts
    delimiter: str | None = None  # a CSV file's
    objects: dict[str, int] | None = None
    object_type: str | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class EventLog:
    """A log read into the canonical frame, with its quarantine and provenance.

    ``rows_read == rows_accepted + len(quarantine)`` always holds.
    """

    frame: pd.DataFrame
    quarantine: pd.DataFrame
    source: str
    format: LogFormat
    timezone: str
    profile: LogProfile
    rows_read: int
    events_stored: int
    objects: dict[str, int] | None = None
    object_type: str | None = None
    paired_starts: int = 0
    unmatched_starts: int = 0
    instances_without_start: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def rows_accepted(self) -> int:
        return self.rows_read - len(self.quarantine)

    def local_timestamps(self, column: str = TIMESTAMP) -> pd.Series:
        """A timestamp column in the log's local zone (for weekday/hour analyses)."""
        return local_times(self.frame[column], self.timezone)

    def write_quarantine(self, path: str | Path) -> Path:
        """Write the quarantined rows (source row, reason, original values) as UTF-8 CSV.

        Times a reader parsed already (XES, OCEL) are written in the log's local zone with its
        offset, as the file most likely wrote them, not in UTC.
        """
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        rows = self.quarantine
        times = [c for c in rows.columns if isinstance(rows[c].dtype, pd.DatetimeTZDtype)]
        if times and self.timezone not in ("UTC", "+00:00"):
            rows = rows.assign(**{c: rows[c].dt.tz_convert(to_tzinfo(self.timezone)) for c in times})
        rows.to_csv(path, index=False)
        return path
