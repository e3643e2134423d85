"""Read CSV / CSV.gz exports: encoding (UTF-8, GB18030/GBK, cp1252) and delimiter detected or given.

All cells are read as text; the normaliser parses them. Rows with the wrong number of fields
are not fatal: they come back as quarantine candidates with their line number.

>>> import tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "a.csv"
>>> _ = p.write_bytes("单号;活动;时间\\n1;出库;2024-01-01 08:00\\n".encode("gbk"))
>>> raw = read_csv_raw(p)
>>> raw.frame.columns.tolist(), raw.notes
(['单号', '活动', '时间'], ['encoding gb18030', "delimiter ';'"])
"""

from __future__ import annotations

import csv
import gzip
import io
import re
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import EventLogError
from .log import LogFormat, RawLog
from .words import counted

DELIMITERS = (",", ";", "\t", "|")
BAD_LINE = "_bad_line"
_UTF8 = ("utf-8", "utf8", "utf-8-sig", "utf_8", "utf_8_sig")


def read_bytes(path: Path) -> bytes:
    """The file's bytes, decompressed when it is gzip; damaged gzip gives an EventLogError."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as exc:
            raise EventLogError(f"damaged gzip file: {exc}", path=path) from None
    return data


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


# A byte GB18030 reads as the lead of a character, and what follows it: a four-byte character
# (digit, high byte, digit) or the trail byte of a two-byte one (captured).
_GB_LEAD = re.compile(rb"[\x81-\xfe](?:[\x30-\x39][\x81-\xfe][\x30-\x39]|(.))", re.S)
_GB_SAMPLE = 20_000  # lead bytes looked at: plenty to tell the two apart, and quick on any file
CP1252_NOTE = ("encoding cp1252 (guessed: not UTF-8, and not Chinese GB18030 text); "
               "name it in the profile (encoding: ...) if wrong")


def looks_single_byte(data: bytes) -> bool:
    """Whether non-UTF-8 bytes are Western single-byte text (cp1252/Latin-1) rather than GB18030/GBK.

    GB18030 accepts almost any bytes, so decoding is no test. In Chinese text the trail byte of a
    two-byte character is nearly always a high byte (GB2312: 0xA1-0xFE; only rare GBK extension
    characters take 0x40-0x7E). In cp1252 text a high byte (``ü``, ``ß``) stands alone between
    ASCII letters, so a GB18030 reading pairs it with the ASCII byte after it. The rule: of the
    first 20 000 lead bytes, more than half followed by an ASCII byte means single-byte text.

    >>> looks_single_byte("Müller;Jörg;Auftrag erfaßt".encode("cp1252"))
    True
    >>> looks_single_byte("装车;过账;华东仓".encode("gbk"))
    False
    """
    ascii_trail = pairs = 0
    for match in _GB_LEAD.finditer(data):
        trail = match.group(1)
        pairs += 1
        ascii_trail += trail is not None and trail[0] < 0x80
        if pairs >= _GB_SAMPLE:
            break
    return pairs > 0 and 2 * ascii_trail > pairs


def decode(data: bytes, path: Path, encoding: str | None = None) -> tuple[str, str, str | None]:
    """Decode with the given encoding, else UTF-8, else GB18030 (a superset of GBK), else cp1252
    when the bytes look like Western single-byte text (:func:`looks_single_byte`); the text, the
    encoding used and a note (``None`` for UTF-8)."""
    if encoding:
        tries = [encoding]
    else:
        tries = ["utf-8-sig", "gb18030"]
        try:
            return data.decode("utf-8-sig"), "utf-8-sig", None
        except UnicodeDecodeError:
            if looks_single_byte(data):
                tries = ["utf-8-sig", "cp1252", "gb18030"]
    first_error: UnicodeDecodeError | None = None
    for enc in tries:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError as exc:
            first_error = first_error or exc
            continue
        except LookupError:
            raise EventLogError(f"unknown encoding {encoding!r}", path=path) from None
        if enc == "cp1252" and not encoding:
            return text, enc, CP1252_NOTE
        return text, enc, None if enc.lower() in _UTF8 else f"encoding {enc}"
    assert first_error is not None
    line = _line_of(data, first_error.start)
    tried = " or ".join(tries)
    hint = "" if encoding else "; name it in the profile (encoding: ...)"
    raise EventLogError(f"cannot decode as {tried}: byte {data[first_error.start]:#04x} is invalid{hint}",
                        path=path, row=line) from None


def sniff_delimiter(text: str) -> str:
    """The most plausible delimiter of the first lines (comma when nothing else fits)."""
    head = "\n".join(text[:65536].splitlines()[:20])
    try:
        return csv.Sniffer().sniff(head, delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        counts = {d: head.splitlines()[0].count(d) if head else 0 for d in DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


TRIMMED = "jxcsim_text_trimmed"  # a frame's attrs key: its text values have no surrounding whitespace


def _read_fast(text: str, delimiter: str, utf8: bytes | None = None) -> pd.DataFrame:
    """pyarrow's parser with every column as text (its own type inference would rewrite times)."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    end = text.find("\n")
    header = next(csv.reader([text[: end if end >= 0 else len(text)].rstrip("\r")], delimiter=delimiter))
    names = [h.strip() for h in header]
    if len(set(names)) != len(names):
        raise ValueError("duplicate column names: use the tolerant parser, which renames them")
    import pyarrow.compute as pc

    table = pacsv.read_csv(
        io.BytesIO(utf8 if utf8 is not None else text.encode("utf-8")),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, ignore_empty_lines=False),
        convert_options=pacsv.ConvertOptions(column_types={h: pa.string() for h in header},
                                             strings_can_be_null=True, null_values=[""]),
    )
    # values trimmed here, in Arrow (a whitespace-only one missing), which is much cheaper than later
    for i, column in enumerate(table.columns):
        trimmed = pc.utf8_trim_whitespace(column)
        if pc.all(pc.equal(pc.binary_length(trimmed), pc.binary_length(column))).as_py() is not False:
            continue  # nothing to trim (most columns): left as read
        table = table.set_column(i, table.column_names[i],
                                 pc.if_else(pc.equal(trimmed, ""), pa.scalar(None, pa.string()), trimmed))
    frame = table.to_pandas()
    frame.attrs[TRIMMED] = True
    return frame


def _scan_records(text: str, delimiter: str) -> tuple[list[str], list[int], dict[int, tuple[int, str]]]:
    """The header's fields, and per data record its field count, first line and (for records of the
    wrong width) its text; the csv module splits records as pandas does (quotes, newlines in quotes)."""
    csv.field_size_limit(max(csv.field_size_limit(), len(text) + 1))  # a long quoted note is one field, as for pandas
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    header = next(reader, [])
    width = len(header)
    while width > 1 and not header[width - 1].strip():
        width -= 1  # a trailing delimiter on the header line names no column
    lines: list[int] = []
    wrong: dict[int, tuple[int, str]] = {}
    previous_end = reader.line_num
    for i, record in enumerate(reader):
        lines.append(previous_end + 1)
        previous_end = reader.line_num
        n = len(record)
        if n == width or (n > width and not any(f.strip() for f in record[width:])):
            continue  # a trailing delimiter (or several) adds empty fields that carry nothing
        if any(f.strip() for f in record):  # else a blank line: an empty row
            wrong[i] = (n, delimiter.join(record)[:120])
    return header[:width], lines, wrong


def _read_tolerant(text: str, delimiter: str) -> tuple[pd.DataFrame, np.ndarray]:
    """pandas' parser for what pyarrow's refuses; the rows, and the line each starts on.

    A record with the wrong number of fields is kept as an empty row whose ``_bad_line`` says
    ``expected N fields, found M: <text>``; empty fields after the last column (a trailing
    delimiter) are ignored.
    """
    try:
        header, lines, wrong = _scan_records(text, delimiter)
    except csv.Error as exc:
        raise pd.errors.ParserError(str(exc)) from None
    if not header:
        raise pd.errors.EmptyDataError("no header")
    width = len(header)
    frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, engine="c", index_col=False,
                        usecols=range(width), keep_default_na=False, na_values=[""], skip_blank_lines=False)
    if len(frame) != len(lines):  # pragma: no cover - the two parsers split records alike
        raise pd.errors.ParserError(f"found {len(frame)} rows but {len(lines)} records")
    if wrong:
        bad = np.fromiter(wrong, dtype=np.int64)
        frame.iloc[bad] = None
        reasons = np.full(len(frame), None, dtype=object)
        reasons[bad] = [f"expected {counted(width, 'field')}, found {n}: {line}" for n, line in wrong.values()]
        frame[BAD_LINE] = reasons
    return frame, np.asarray(lines, dtype=np.int64)


_NON_SPACE = re.compile(rb"\S")


def _simple(data: bytes | str) -> bool:
    """No quotes: pyarrow's parser reads it as the tolerant parser would (a blank line is a ragged
    row to it, so such a file goes to the tolerant parser too)."""
    return ('"' if isinstance(data, str) else b'"') not in data


def _read_utf8_bytes(data: bytes, delimiter: str | None) -> tuple[pd.DataFrame, str] | None:
    """The common case read straight from the bytes: simple UTF-8 text, without decoding the whole file
    in Python first (pyarrow checks the encoding itself); ``None`` when the case does not apply."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    if not _simple(data):
        return None
    end = data.find(b"\n")
    try:
        header = data[: end if end >= 0 else len(data)].decode("utf-8")
        sep = delimiter or sniff_delimiter(data[:65536].decode("utf-8", errors="ignore"))
        return _read_fast(header, sep, data), sep
    except Exception:  # not UTF-8, or ragged rows (pyarrow raises its own error types): the careful path
        return None


_BLANK = b" \t\r\n"


def drop_trailing_blank_lines(data: bytes) -> bytes:
    """``data`` without the blank lines at its very end (Excel and many tools write one), which are
    no rows; the buffer itself (no copy) when it has none. Blank lines elsewhere stay empty rows.

    >>> drop_trailing_blank_lines(b"a,b\\n1,2\\n\\n \\r\\n")
    b'a,b\\n1,2\\n'
    """
    tail = data[-4096:]
    content = tail.rstrip(_BLANK)
    if not content and len(tail) < len(data):  # a long run of whitespace: look at the whole file
        tail, content = data, data.rstrip(_BLANK)
    if tail.count(b"\n", len(content)) < 2:
        return data  # at most the last line's own line break
    cut = len(data) - len(tail) + len(content)
    newline = data.find(b"\n", cut)
    return data[: newline + 1]


def read_csv_raw(path: Path, *, encoding: str | None = None, delimiter: str | None = None) -> RawLog:
    """Read a CSV file into raw text rows (see the module docstring)."""
    data = read_bytes(path)
    if not _NON_SPACE.search(data):
        raise EventLogError("file holds no data", path=path)
    data = drop_trailing_blank_lines(data)
    fast = _read_utf8_bytes(data, delimiter) if encoding is None or encoding.lower() in _UTF8 else None
    rows = None
    encoding_note = None
    if fast is not None:
        (frame, sep), used_encoding = fast, "utf-8-sig"
    else:
        text, used_encoding, encoding_note = decode(data, path, encoding)
        if not text.strip():
            raise EventLogError("file holds no data", path=path)
        sep = delimiter or sniff_delimiter(text)
        try:
            if not _simple(text):
                raise ValueError("needs the tolerant parser")
            utf8 = data.removeprefix(b"\xef\xbb\xbf") if used_encoding == "utf-8-sig" else None
            frame = _read_fast(text, sep, utf8)
        except (ValueError, Exception):  # pyarrow raises its own error types for ragged rows
            try:
                frame, rows = _read_tolerant(text, sep)
            except pd.errors.ParserError as exc:
                raise EventLogError(f"not a readable CSV file: {exc}", path=path) from None
            except pd.errors.EmptyDataError:
                raise EventLogError("file holds no data", path=path) from None
    notes = [encoding_note] if encoding_note else []
    if sep != ",":
        notes.append(f"delimiter {sep!r}")
    frame.columns = [str(c).strip() for c in frame.columns]
    unnamed = [c for c in frame.columns if c == "" and frame[c].isna().all()]  # a trailing delimiter's column
    frame = frame.drop(columns=unnamed) if unnamed else frame
    if len(frame.columns) == 1:
        only = frame.columns[0]
        guess = next((d for d in DELIMITERS if d in only), None)
        if guess and guess != sep:
            raise EventLogError(f"only one column {only!r} was found with delimiter {sep!r}; "
                                f"the delimiter looks like {guess!r} (set it in the profile: delimiter: '{guess}')",
                                path=path, row=1)
    if rows is None:
        rows = np.arange(2, len(frame) + 2)
    return RawLog(frame=frame, format=LogFormat.CSV, events_stored=len(frame), row_numbers=rows, delimiter=sep,
                  notes=notes)
