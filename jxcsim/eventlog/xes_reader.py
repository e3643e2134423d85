"""Read XES / XES.gz: the ``rustxes`` fast path when installed, pm4py's iterparse otherwise.

Both paths give the same raw frame: rustxes fills trace attributes a trace does not carry with
the log's global defaults, pm4py leaves them empty, so those defaults are blanked here; rustxes
returns naive UTC times, pm4py tz-aware ones, so both end up tz-aware UTC. The offsets written
in the file are sampled to give the log's local zone.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import zlib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from .errors import EventLogError
from .log import LogFormat, RawLog
from .timezone import _format_offset

_TS_OFFSET = re.compile(rb'key="time:timestamp"\s+value="[^"]*?(Z|[+-]\d{2}:?\d{2})"')
CHUNK = 1 << 22


def _stream(path: Path) -> Iterator[bytes]:
    with open(path, "rb") as handle:
        gz = handle.read(2) == b"\x1f\x8b"
        handle.seek(0)
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS) if gz else None
        while chunk := handle.read(CHUNK):
            if inflater is None:
                yield chunk
                continue
            try:
                yield inflater.decompress(chunk)
            except zlib.error as exc:
                raise EventLogError(f"damaged gzip file: {exc}", path=path) from None
        if inflater is not None and not inflater.eof:
            raise EventLogError("damaged gzip file: the compressed stream ends early (truncated?)", path=path)


def scan_xes(path: Path) -> Counter[str]:
    """Check the file is complete (ends with ``</log>``) and count the UTC offsets of its first events' times."""
    offsets: Counter[str] = Counter()
    tail = b""
    for i, chunk in enumerate(_stream(path)):
        if i == 0 and not chunk.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
            start = chunk.lstrip()[:40].decode("utf-8", "replace")
            raise EventLogError(f"does not look like XES (it begins {start!r}, not with '<'); "
                                f"drop --format to detect the format", path=path)
        if i < 4:
            offsets.update(_format_offset(m.group(1).decode()) for m in _TS_OFFSET.finditer(chunk))
        tail = (tail + chunk)[-256:]
    if not tail.rstrip().endswith(b"</log>"):
        raise EventLogError("XES file ends before </log> (truncated?)", path=path)
    return offsets


@contextlib.contextmanager
def _quiet_fd2() -> Iterator[None]:
    """Silence native code writing to file descriptor 2 (rustxes prints panics there)."""
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 2)
            yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def _blank_trace_defaults(frame: pd.DataFrame, meta: str) -> pd.DataFrame:
    try:
        globals_ = json.loads(meta).get("global_trace_attrs") or []
    except (ValueError, AttributeError):
        return frame
    for attr in globals_:
        col = f"case:{attr['key']}"
        if col not in frame.columns or col == "case:concept:name":
            continue
        kind, default = attr["value"]["type"], attr["value"]["content"]
        values = frame[col]
        if kind == "Date":
            stamp = pd.Timestamp(default)
            stamp = stamp.tz_convert("UTC").tz_localize(None) if stamp.tzinfo else stamp
            is_default = values == stamp
        else:
            is_default = values.astype(str) == str(default)
        frame[col] = values.where(~is_default.fillna(False))
    return frame


def _read_rustxes(path: Path) -> pd.DataFrame:
    import rustxes

    with _quiet_fd2():
        frame_pl, meta = rustxes.import_xes(str(path))
    frame = frame_pl.to_pandas()
    frame = _blank_trace_defaults(frame, meta)
    for col in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[col].dtype) and getattr(frame[col].dt, "tz", None) is None:
            frame[col] = frame[col].dt.tz_localize("UTC")
    return frame


def _read_pm4py(path: Path, progress: bool) -> pd.DataFrame:
    import pm4py
    from lxml import etree

    try:
        return pm4py.read_xes(str(path), variant="iterparse", return_legacy_log_object=False,
                              show_progress_bar=progress)
    except etree.XMLSyntaxError as exc:
        raise EventLogError(f"broken XML: {exc.msg}", path=path, row=exc.lineno) from None
    except (OSError, EOFError, zlib.error) as exc:
        raise EventLogError(f"cannot read XES: {exc}", path=path) from None


def read_xes_raw(path: Path, *, fast: bool = True, progress: bool = False) -> RawLog:
    """Read an XES file into raw event rows (one per XES event, file order)."""
    offsets = scan_xes(path)
    notes: list[str] = []
    frame = None
    if fast:
        try:
            frame = _read_rustxes(path)
        except ImportError:
            notes.append("rustxes not installed: read with pm4py")
        except BaseException as exc:  # rustxes panics raise pyo3's PanicException (a BaseException)
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            notes.append("rustxes could not read the file; read with pm4py")
    if frame is None:
        frame = _read_pm4py(path, progress)
    if "case:concept:name" in frame.columns:
        frame["case:concept:name"] = frame["case:concept:name"].astype("string").astype(object)
    return RawLog(frame=frame.reset_index(drop=True), format=LogFormat.XES, events_stored=len(frame),
                  row_numbers=np.arange(1, len(frame) + 1), offset_hint=offsets.most_common(1)[0][0] if offsets else None, offsets=dict(offsets),
                  notes=notes)
