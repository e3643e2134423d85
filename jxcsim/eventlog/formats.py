"""Detect a source's format from its name and its first bytes; ``--format`` overrides.

>>> detect_format("postgresql+psycopg://u@h/db")
<LogFormat.SQL: 'sql'>
"""

from __future__ import annotations

import gzip
import re
import sqlite3
import zlib
from pathlib import Path

from .errors import EventLogError
from .log import LogFormat

_URL = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
SQLITE_MAGIC = b"SQLite format 3\x00"
GZIP_MAGIC = b"\x1f\x8b"
PEEK_BYTES = 65536
OCEL2_TABLES = {"event", "object", "event_object"}


def is_database_url(source: str | Path) -> bool:
    return isinstance(source, str) and bool(_URL.match(source)) and not source.startswith("file://")


def peek(path: Path, size: int = PEEK_BYTES) -> bytes:
    """The first ``size`` bytes of a file, decompressed when it is gzip."""
    with open(path, "rb") as handle:
        head = handle.read(size)
    if head[:2] != GZIP_MAGIC:
        return head
    try:
        with gzip.open(path, "rb") as handle:
            return handle.read(size)
    except (OSError, EOFError, zlib.error) as exc:
        raise EventLogError(f"damaged gzip file: {exc}", path=path) from None


def sqlite_tables(path: Path) -> list[str]:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as con:
            return [r[0] for r in con.execute("select name from sqlite_master where type in ('table','view')")]
    except sqlite3.DatabaseError as exc:
        raise EventLogError(f"not a readable SQLite database: {exc}", path=path) from None


# Formats jxcsim does not read, by their first bytes: what the file looks like, and the cure.
_FOREIGN: tuple[tuple[bytes, str, str], ...] = (
    (b"PAR1", "a Parquet file", "export it as CSV"),
    (b"ARROW1", "an Arrow/Feather file", "export it as CSV"),
    (b"\xd0\xcf\x11\xe0", "an old Excel workbook (.xls)", "save the sheet as CSV"),
    (b"%PDF", "a PDF document", "export the events as CSV"),
    (b"7z\xbc\xaf", "a 7-Zip archive", "unpack it"),
    (b"Rar!", "a RAR archive", "unpack it"),
    (b"BZh", "a bzip2 file", "unpack it (gzip is read as it is)"),
    (b"\xfd7zXZ", "an xz file", "unpack it (gzip is read as it is)"),
    (b"\x7fELF", "a program, not a log", "give the log file"),
)
_EXCEL_SUFFIXES = (".xlsx", ".xlsm", ".xls")


def _refuse_foreign(path: Path, head: bytes) -> None:
    """An EventLogError for binary files that are no log jxcsim reads (rather than a misleading
    CSV decoding error)."""
    found = next(((what, cure) for magic, what, cure in _FOREIGN if head.startswith(magic)), None)
    if found is None and head.startswith(b"PK"):
        excel = b"xl/" in head or b"[Content_Types].xml" in head or path.suffix.lower() in _EXCEL_SUFFIXES
        found = ("an Excel workbook", "save the sheet as CSV") if excel else ("a ZIP archive", "unzip it")
    if found is None and head.startswith((b"\xff\xfe", b"\xfe\xff")):
        found = ("UTF-16 text", "save it as UTF-8, or set encoding: utf-16 in the profile")
    if found is None and b"\x00" in head[:4096]:
        found = ("a binary file, not text", "give a CSV, XES, OCEL or SQLite log")
    if found is not None:
        what, cure = found
        raise EventLogError(f"looks like {what}; {cure}", path=path)


def _from_text(path: Path, head: bytes) -> LogFormat:
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    name = path.name.lower()
    if text.startswith((b"{", b"[")):
        if b'"ocel:events"' in head or b'"ocel:global-log"' in head or b'"ocel:objects"' in head:
            return LogFormat.OCEL1_JSON
        if any(key in head for key in (b'"objectTypes"', b'"eventTypes"', b'"events"', b'"objects"')):
            return LogFormat.OCEL2_JSON
        raise EventLogError("a JSON file that is not OCEL (no \"objectTypes\", \"events\" or \"ocel:events\"); "
                            "export the events as CSV, or pass --format if it is OCEL after all", path=path)
    if text.startswith(b"<"):
        if b"<trace" in head or b"xes.version" in head or b"xes.features" in head or ".xes" in name:
            return LogFormat.XES
        if b"<object-types" in head or b"<event-types" in head or b"<objects" in head:
            return LogFormat.OCEL2_XML
        if b"ocel:" in head:
            return LogFormat.OCEL1_XML
        if b"<log" in head:
            return LogFormat.XES
        if re.match(rb"(?i)<!doctype html|<html", text):
            raise EventLogError("looks like a web page (HTML), not a log: was the page saved instead of the "
                                "export?", path=path)
        raise EventLogError("XML file that is neither XES nor OCEL", path=path)
    first_line = text.split(b"\n", 1)[0]
    if b"ocel:eid" in first_line and b"ocel:activity" in first_line:
        return LogFormat.OCEL1_CSV
    return LogFormat.CSV


def detect_format(source: str | Path, override: str | LogFormat | None = None) -> LogFormat:
    """The format of a file or database URL; ``override`` wins when given."""
    if override is not None:
        try:
            return LogFormat(override)
        except ValueError:
            choices = ", ".join(f.value for f in LogFormat)
            raise EventLogError(f"unknown format {override!r} (choose one of: {choices})", path=source) from None
    if is_database_url(source):
        return LogFormat.SQL
    path = Path(source)
    if not path.exists():
        raise EventLogError("no such file", path=path)
    if path.is_dir():
        raise EventLogError("is a directory, not a log file", path=path)
    if path.stat().st_size == 0:
        raise EventLogError("empty file (0 bytes)", path=path)
    head = peek(path)
    if not head.strip():
        raise EventLogError("file holds no data", path=path)
    if head.startswith(SQLITE_MAGIC):
        tables = set(sqlite_tables(path) if path.suffix != ".gz" else _gz_sqlite_tables(path))
        return LogFormat.OCEL2_SQLITE if OCEL2_TABLES <= tables else LogFormat.SQL
    _refuse_foreign(path, head)
    return _from_text(path, head)


def _gz_sqlite_tables(path: Path) -> list[str]:
    from .sqlite_gz import unpacked_sqlite

    with unpacked_sqlite(path) as plain:
        return sqlite_tables(plain)
