"""Errors of the event-log layer: each names the file and, where known, the row or line."""

from __future__ import annotations

from pathlib import Path


class EventLogError(Exception):
    """Input that cannot be read at all (as opposed to single rows, which are quarantined).

    >>> str(EventLogError("timestamp column 'ts' not found", path="a.csv", row=1))
    "a.csv:1: timestamp column 'ts' not found"
    """

    def __init__(self, message: str, *, path: str | Path | None = None, row: int | None = None):
        self.message = message
        self.path = None if path is None else str(path)
        self.row = row
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = self.path or "<input>"
        if self.row is not None:
            where = f"{where}:{self.row}"
        return f"{where}: {self.message}"


class ProfileError(EventLogError):
    """A log profile is invalid; the message names the field path."""
