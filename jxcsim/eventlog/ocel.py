"""Object-centric event logs: read OCEL 1.0/2.0 flattened on one object type, write OCEL 2.0.

Reading goes through pm4py's importers. A flattening has one raw row per event × related
object of the chosen type; that object's id becomes the case id. Writing turns a canonical
frame into an OCEL 2.0 log with one object per case, per SKU and per location.

>>> import tempfile
>>> frame = pd.DataFrame({CASE: ["SO1", "SO1"], ACTIVITY: ["pick", "book_issue"],
...                       TIMESTAMP: pd.to_datetime(["2024-03-01 08:00", "2024-03-01 09:00"], utc=True),
...                       "sku": ["A", "A"], "qty": [2.0, 2.0]})
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = write_ocel2(frame, Path(tmp) / "log.sqlite")
...     raw = read_ocel_raw(path, LogFormat.OCEL2_SQLITE, object_type="case")
>>> raw.frame[CASE].tolist(), raw.frame[ACTIVITY].tolist(), raw.objects
(['SO1', 'SO1'], ['pick', 'book_issue'], {'case': 1, 'sku': 1})
"""

from __future__ import annotations

import contextlib
import copy
import io
import re
import sqlite3
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import quote

import numpy as np
import pandas as pd

from .errors import EventLogError
from .log import LogFormat, RawLog
from .ocel_sqlite import write_tables
from .schema import ACTIVITY, CASE, RESOURCE, TIMESTAMP, check_frame
from .sqlite_gz import unpacked_sqlite
from .timezone import to_tzinfo
from .words import counted

if TYPE_CHECKING:
    from pm4py.objects.ocel.obj import OCEL

EID = "ocel:eid"
OID = "ocel:oid"
OTYPE = "ocel:type"
OACTIVITY = "ocel:activity"
OTIME = "ocel:timestamp"
QUALIFIER = "ocel:qualifier"
_RESOURCE_NAMES = ("org:resource", "resource")  # event attributes taken as the resource, first wins
# Frame columns that become objects when writing: column (also the qualifier) -> object type.
_OBJECT_COLUMNS = {"sku": "sku", "location": "location", "to_location": "location", "delivery": "delivery"}
_NOT_ATTRIBUTES = {CASE, ACTIVITY, TIMESTAMP, "source_row"}  # source_row: of another file
_SUFFIXES = {".sqlite": LogFormat.OCEL2_SQLITE, ".db": LogFormat.OCEL2_SQLITE,
             ".json": LogFormat.OCEL2_JSON, ".jsonocel": LogFormat.OCEL2_JSON,
             ".xml": LogFormat.OCEL2_XML, ".xmlocel": LogFormat.OCEL2_XML}


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """pm4py prints a banner and tqdm progress bars; keep them off the user's terminal."""
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        yield


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or "no details"
    return f"{type(exc).__name__}: {text[:300]}"


def _import(path: Path, fmt: LogFormat) -> OCEL:
    # OCEL 2.0 JSON/XML: pm4py's own parsers, not its rustxes fast path. rustxes returns a
    # truncated XML file's first events without complaint and panics (a BaseException, with
    # a Rust message on stderr) on broken JSON; the Python parsers raise ordinary errors.
    with _quiet():
        import pm4py
        from pm4py.objects.ocel.importer.jsonocel import importer as json_importer
        from pm4py.objects.ocel.importer.xmlocel import importer as xml_importer

        if fmt is LogFormat.OCEL2_SQLITE:
            return pm4py.read_ocel2_sqlite(str(path))
        if fmt is LogFormat.OCEL2_JSON:
            return json_importer.apply(str(path), variant=json_importer.Variants.OCEL20_STANDARD)
        if fmt is LogFormat.OCEL2_XML:
            return xml_importer.apply(str(path), variant=xml_importer.Variants.OCEL20)
        if fmt is LogFormat.OCEL1_JSON:
            return pm4py.read_ocel_json(str(path))
        if fmt is LogFormat.OCEL1_XML:
            return pm4py.read_ocel_xml(str(path))
        if fmt is LogFormat.OCEL1_CSV:
            return pm4py.read_ocel_csv(str(path))
    raise EventLogError(f"format {fmt.value!r} is not an OCEL format", path=path)


def _as_utc(values: pd.Series) -> pd.Series:
    values = pd.to_datetime(values)
    return values.dt.tz_localize("UTC") if values.dt.tz is None else values.dt.tz_convert("UTC")


def load_ocel(path: Path, fmt: LogFormat) -> OCEL:
    """Read an OCEL file into pm4py's ``OCEL`` object, event timestamps as UTC.

    ``.sqlite.gz`` is unpacked to a temporary file first. Damaged or unreadable files raise
    :class:`EventLogError` naming the file.

    >>> load_ocel(Path("missing.jsonocel"), LogFormat.OCEL2_JSON)
    Traceback (most recent call last):
    ...
    jxcsim.eventlog.errors.EventLogError: missing.jsonocel: no such file
    """
    path = Path(path)
    if not fmt.is_ocel:
        raise EventLogError(f"format {fmt.value!r} is not an OCEL format", path=path)
    if not path.is_file():
        raise EventLogError("no such file", path=path)
    try:
        if fmt is LogFormat.OCEL2_SQLITE:
            with unpacked_sqlite(path) as plain:
                ocel = _import(plain, fmt)
        else:
            ocel = _import(path, fmt)
    except (EventLogError, MemoryError, KeyboardInterrupt):
        raise
    except Exception as exc:  # pm4py, lxml, sqlite, pandas and json all raise their own types
        raise EventLogError(f"cannot read as {fmt.value}: {_one_line(exc)}", path=path) from None
    if len(ocel.events) == 0:
        raise EventLogError(f"no events found (is this really {fmt.value}?)", path=path)
    ocel.events[OTIME] = _as_utc(ocel.events[OTIME])
    if OTIME in ocel.relations.columns:
        ocel.relations[OTIME] = _as_utc(ocel.relations[OTIME])
    return ocel


_STAMP = re.compile(rb"(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})(?![\d:])")
OFFSET_SAMPLE_BYTES = 1 << 22
OFFSET_SAMPLE_ROWS = 500


def _sqlite_times(path: Path) -> list[bytes]:
    """A sample of the event times of an OCEL 2.0 SQLite file, as written (``ocel_time`` text)."""
    with sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True) as con:
        tables = [r[0] for r in con.execute("select ocel_type_map from event_map_type")]
        times: list[bytes] = []
        for table in tables:
            rows = con.execute(f'select ocel_time from "event_{table.replace(chr(34), chr(34) * 2)}" '
                               f"limit {OFFSET_SAMPLE_ROWS}").fetchall()
            times += [str(r[0]).encode() for r in rows if r[0] is not None]
    return times


def written_offsets(path: Path, fmt: LogFormat) -> Counter[str]:
    """How often each UTC offset is written in an OCEL file's times (empty: all naive).

    pm4py converts times to UTC, so the offsets are read from the file: event times of a SQLite
    file, else every ISO 8601 time in its first few MiB, except the ``1970-01-01`` an object's
    initial attribute values carry.
    """
    from .formats import peek
    from .timezone import _format_offset

    try:
        if fmt is LogFormat.OCEL2_SQLITE:
            with unpacked_sqlite(path) as plain:
                chunks = _sqlite_times(plain)
        else:
            chunks = [peek(path, OFFSET_SAMPLE_BYTES)]
    except (sqlite3.Error, OSError, EventLogError):
        return Counter()  # the import reported what is wrong with the file; no hint
    return Counter(_format_offset(m.group(2).decode()) for chunk in chunks for m in _STAMP.finditer(chunk)
                   if m.group(1) != b"1970-01-01")


def _object_counts(ocel: OCEL) -> dict[str, int]:
    counts = ocel.objects[OTYPE].astype(str).value_counts()
    return {str(t): int(n) for t, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))}


MAX_EVENTS_PER_CASE_OBJECT = 50


def _choose_type(stats: pd.DataFrame, object_type: str | None, types: list[str], path: Path) -> str:
    """The given type (checked), else the most case-like type.

    ``stats`` has per type ``events``, ``objects`` and ``activities`` (distinct). A type whose
    objects average more than ``MAX_EVENTS_PER_CASE_OBJECT`` events each (employees, plants,
    trucks: resources and master data rather than cases) is only taken when every type is like
    that. Among the rest the type seeing the most distinct activities wins (it shows the most of
    the process), then the one relating to the most events, then alphabetical order.
    """
    if object_type is not None:
        if object_type not in types:
            events = stats["events"] if len(stats) else pd.Series(dtype=int)
            listing = ", ".join(f"{t} ({counted(int(events.get(t, 0)), 'event', grouped=False)})" for t in types)
            raise EventLogError(f"object type {object_type!r} is not in this log; "
                                f"its object types are: {listing}", path=path)
        return object_type
    if stats.empty:
        raise EventLogError("no event relates to any object, so there is nothing to flatten on", path=path)
    per_object = stats["events"] / stats["objects"].clip(lower=1)
    pool = stats[per_object <= MAX_EVENTS_PER_CASE_OBJECT]
    pool = pool if not pool.empty else stats
    ranked = sorted(pool.itertuples(), key=lambda r: (-r.activities, -r.events, str(r.Index)))
    return str(ranked[0].Index)


def _attribute_name(name: str, taken: set[str]) -> str:
    if name in (CASE, ACTIVITY, TIMESTAMP, EID) or name in taken:
        return f"event:{name}"
    return name


def _sizes(row: pd.Series) -> str:
    """An object type's events and activities as a note writes them: ``1210 events, 1 activity``."""
    return (f"{counted(int(row['events']), 'event', grouped=False)}, "
            f"{counted(int(row['activities']), 'activity', grouped=False)}")


def read_ocel_raw(path: Path, fmt: LogFormat, *, object_type: str | None = None) -> RawLog:
    """Read an OCEL log flattened on ``object_type``: one raw row per event × object of that type.

    Without ``object_type`` the most case-like type is taken (see :func:`_choose_type`). Columns: case id (the object id), activity, UTC timestamp, ``ocel:eid`` and
    the event attributes (one named ``resource`` becomes ``org:resource``). ``row_numbers`` give
    each row's event position (1-based) in the log's event table.
    """
    path = Path(path)
    ocel = load_ocel(path, fmt)
    events = ocel.events.reset_index(drop=True)
    relations = ocel.relations[[EID, OID, OTYPE]].astype({OTYPE: str})
    linked = relations.merge(ocel.events[[EID, OACTIVITY]], on=EID, how="left")
    stats = linked.groupby(OTYPE).agg(events=(EID, "nunique"), objects=(OID, "nunique"),
                                      activities=(OACTIVITY, "nunique"))
    events_per_type = stats["events"]
    objects = _object_counts(ocel)
    types = sorted(set(objects) | set(events_per_type.index))
    chosen = _choose_type(stats, object_type, types, path)

    links = relations.loc[relations[OTYPE] == chosen, [EID, OID]]
    repeated = links.duplicated()
    links = links.loc[~repeated]
    numbered = events.assign(_row=np.arange(1, len(events) + 1))
    flat = numbered.merge(links, on=EID, how="inner", sort=False)
    flat = flat.sort_values("_row", kind="stable").reset_index(drop=True)
    if flat.empty:
        raise EventLogError(f"no event relates to an object of type {chosen!r}", path=path)

    frame = pd.DataFrame({CASE: flat[OID].astype(str), ACTIVITY: flat[OACTIVITY], TIMESTAMP: flat[OTIME],
                          EID: flat[EID]})
    attributes = [c for c in events.columns if c not in (EID, OACTIVITY, OTIME)]
    resource = next((c for c in _RESOURCE_NAMES if c in attributes), None)
    for name in attributes:
        target = RESOURCE if name == resource else _attribute_name(name, set(frame.columns) | {RESOURCE})
        frame[target] = flat[name]

    notes = []
    if object_type is None:
        others = ", ".join(f"{t} ({_sizes(r)})" for t, r in stats.iterrows() if t != chosen)
        notes.append(f"flattened on object type {chosen!r} ({_sizes(stats.loc[chosen])}); "
                     f"other types: {others or 'none'}; "
                     f"--object-type chooses another")
    offsets = written_offsets(path, fmt)
    unrelated = len(events) - int(events[EID].isin(links[EID]).sum())
    if unrelated:
        notes.append(f"{counted(unrelated, 'event', grouped=False)} {'relates' if unrelated == 1 else 'relate'} to no "
                     f"object of type {chosen!r} and {'is' if unrelated == 1 else 'are'} not in this flattening")
    shared = int(links[EID].duplicated().sum())
    if shared:
        notes.append(f"{counted(shared, 'extra row', grouped=False)}: events related to several {chosen!r} objects "
                     f"appear once per object")
    if repeated.any():
        relations = counted(int(repeated.sum()), "repeated event-object relation", grouped=False)
        notes.append(f"{relations} (other qualifiers) counted once")
    return RawLog(frame=frame, format=fmt, events_stored=len(events), row_numbers=flat["_row"].to_numpy(),
                  offset_hint=offsets.most_common(1)[0][0] if offsets else None, offsets=dict(offsets),
                  objects=objects, object_type=chosen, notes=notes)


def _format_for(path: Path) -> LogFormat:
    fmt = _SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        raise EventLogError(f"cannot tell the OCEL 2.0 format from suffix {path.suffix!r} "
                            f"(use one of {', '.join(_SUFFIXES)})", path=path)
    return fmt


def _with_object_times(ocel: OCEL) -> OCEL:
    """pm4py's JSON writer prints datetime columns to whole seconds; Timestamp objects keep fractions."""
    out = copy.copy(ocel)
    out.events = ocel.events.copy()
    for name in out.events.columns:
        if pd.api.types.is_datetime64_any_dtype(out.events[name].dtype):
            out.events[name] = out.events[name].astype(object)
    return out


@contextlib.contextmanager
def _replacing(path: Path, fmt: LogFormat) -> Iterator[Path]:
    """A sibling temporary file to write, which then replaces ``path``: a failed write leaves no
    half file (and any error but running out of memory or an interrupt becomes an EventLogError)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.stem}.partial{path.suffix}")  # same suffix: pm4py checks it
    partial.unlink(missing_ok=True)
    try:
        yield partial
        partial.replace(path)
    except (MemoryError, KeyboardInterrupt):
        partial.unlink(missing_ok=True)
        raise
    except Exception as exc:  # pm4py's exporters raise whatever their backends raise
        partial.unlink(missing_ok=True)
        raise EventLogError(f"cannot write {fmt.value}: {_one_line(exc)}", path=path) from None


def _export(ocel: OCEL, path: Path, fmt: LogFormat) -> Path:
    """Write ``ocel`` with pm4py's exporters (see :func:`_replacing`)."""
    with _replacing(path, fmt) as partial, _quiet():
        import pm4py
        from pm4py.objects.ocel.exporter.sqlite import exporter as sqlite_exporter

        if fmt is LogFormat.OCEL2_SQLITE:  # not pm4py.write_ocel2: it renames ``x.db`` to ``x.db.sqlite``
            sqlite_exporter.apply(ocel, str(partial), variant=sqlite_exporter.Variants.OCEL20)
        elif fmt is LogFormat.OCEL2_JSON:
            pm4py.write_ocel2_json(_with_object_times(ocel), str(partial))
        else:
            pm4py.write_ocel2_xml(ocel, str(partial))
    return path


_SCALAR_KINDS = {"string", "integer", "floating", "mixed-integer-float", "boolean"}  # pandas' infer_dtype


def _is_scalar_column(values: pd.Series) -> bool:
    present = values.dropna()
    if present.empty:
        return False
    if values.dtype != object or pd.api.types.infer_dtype(present, skipna=True) in _SCALAR_KINDS:
        return True
    return bool(present.map(lambda v: isinstance(v, (str, int, float, bool, pd.Timestamp))).all())


def _ids(values: pd.Series, prefix: str = "") -> np.ndarray:
    """Object ids as text with ``prefix``, an object array; blanks and missing values become None
    (each distinct value is converted once)."""
    codes, uniques = pd.factorize(values)
    text = (str(u).strip() for u in uniques)
    return np.array([prefix + t if t else None for t in text] + [None], dtype=object)[codes]  # code -1: missing


class _FrameObjects(NamedTuple):
    """A frame as OCEL parts: per event its id, activity, time and attributes; the relations
    (``event`` position, object id, object type, qualifier; in event order); the objects (id,
    type), in the order of their first event."""

    event_ids: list[str]
    activities: pd.Series
    times: pd.Series
    attributes: dict[str, pd.Series]
    relations: pd.DataFrame
    objects: pd.DataFrame


def _repeated(value: str, n: int) -> np.ndarray:
    """An object array of ``n`` references to one ``value`` (``np.full`` would make ``n`` strings)."""
    out = np.empty(n, dtype=object)
    out.fill(value)
    return out


def _case_objects(frame: pd.DataFrame, case_type: str) -> tuple[np.ndarray, np.ndarray]:
    """Each row's case object id and type (the case's first ``doc_type``, else ``case_type``)."""
    codes, uniques = pd.factorize(frame[CASE])
    names = np.array([str(u) for u in uniques], dtype=object)
    types = _repeated(case_type, len(uniques))
    if "doc_type" in frame.columns:
        doc_type = frame["doc_type"]
        typed = doc_type.notna().to_numpy() & (codes >= 0)
        cases, first = np.unique(codes[typed], return_index=True)
        types[cases] = [str(v) for v in doc_type.to_numpy()[typed][first]]
    return names[codes], types[codes]


def _frame_objects(frame: pd.DataFrame, case_type: str) -> _FrameObjects:
    n = len(frame)  # by position (the frame's index is not used, so the frame is not copied)
    attributes = {name: frame[name] for name in frame.columns if name not in _NOT_ATTRIBUTES
                  and not str(name).startswith("ocel:") and _is_scalar_column(frame[name])}
    positions = np.arange(n)
    case_ids, case_types = _case_objects(frame, case_type)
    parts = [(positions, case_ids, case_types, _repeated("case", n))]
    taken = set(case_ids)
    for object_type in dict.fromkeys(_OBJECT_COLUMNS.values()):
        columns = [c for c, t in _OBJECT_COLUMNS.items() if t == object_type and c in frame.columns]
        present = {v for c in columns for v in _ids(frame[c].drop_duplicates()) if v is not None}
        prefix = f"{object_type}:" if present & taken else ""  # object ids must be unique across types
        for column in columns:
            oids = _ids(frame[column], prefix)
            has = np.not_equal(oids, None)
            k = int(has.sum())
            parts.append((positions[has], oids[has], _repeated(object_type, k), _repeated(column, k)))
        taken |= {prefix + v for v in present}
    event, oid, otype, qualifier = (np.concatenate(column) for column in zip(*parts, strict=True))
    order = np.argsort(event, kind="stable")
    relations = pd.DataFrame({"event": event[order], OID: oid[order], OTYPE: otype[order],
                              QUALIFIER: qualifier[order]})
    objects = relations[[OID, OTYPE]].drop_duplicates(OID).reset_index(drop=True)
    width = len(str(n))  # ids of one width sort as they are numbered (the tables' keys fill in order)
    return _FrameObjects([f"e{i:0{width}d}" for i in range(1, n + 1)], frame[ACTIVITY].astype(str),
                         frame[TIMESTAMP], attributes, relations, objects)


def _frame_to_ocel(frame: pd.DataFrame, case_type: str, zone: str | None = None) -> OCEL:
    """pm4py's OCEL of a canonical frame, its times shown in ``zone`` (pm4py's exporters write them
    with that zone's offsets)."""
    with _quiet():
        from pm4py.objects.ocel.obj import OCEL
    parts = _frame_objects(frame.reset_index(drop=True), case_type)  # pandas aligns columns on the index
    eids = pd.Series(parts.event_ids, dtype=object)
    events = pd.DataFrame({EID: eids, OACTIVITY: parts.activities, OTIME: _in_zone(parts.times, zone)})
    for name, values in parts.attributes.items():
        events[name] = _in_zone(values, zone)
    relations = parts.relations.assign(**{EID: eids.to_numpy()[parts.relations["event"].to_numpy()]})
    relations = relations[[EID, OID, OTYPE, QUALIFIER]].merge(events[[EID, OACTIVITY, OTIME]], on=EID, how="left")
    return OCEL(events=events, objects=parts.objects, relations=relations)


def _in_zone(values: pd.Series, zone: str | None) -> pd.Series:
    """Tz-aware times shown in ``zone`` (same instants); anything else as it is."""
    if zone is None or not isinstance(values.dtype, pd.DatetimeTZDtype):
        return values
    return values.dt.tz_convert(to_tzinfo(zone))


def _write_sqlite(frame: pd.DataFrame, path: Path, case_type: str, zone: str | None = None) -> Path:
    """OCEL 2.0 SQLite through :mod:`.ocel_sqlite` (not pm4py; see :func:`_replacing`); times at the
    offsets of ``zone`` (the log's local zone), so that it reads back."""
    parts = _frame_objects(frame, case_type)
    attributes = {name: _in_zone(values, zone) for name, values in parts.attributes.items()}
    with _replacing(path, LogFormat.OCEL2_SQLITE) as partial:
        write_tables(partial, event_ids=parts.event_ids, activities=parts.activities,
                     times=_in_zone(parts.times, zone), attributes=attributes,
                     relations=(parts.relations["event"].to_numpy(), parts.relations[OID].to_numpy(),
                                parts.relations[QUALIFIER].to_numpy()),
                     objects=(parts.objects[OID].tolist(), parts.objects[OTYPE].astype(str).tolist()))
    return path


def write_ocel2(frame: pd.DataFrame, path: Path, *, case_type: str = "case", zone: str | None = None) -> Path:
    """Write a canonical frame as OCEL 2.0; the suffix picks SQLite, JSON or XML.

    Each row becomes an event (activity, timestamp and the other scalar columns, ``sku`` and
    ``location`` included, as attributes) that relates to its case object (type: the case's
    ``doc_type``, else ``case_type``), its ``sku`` object and its ``location``/``to_location``
    objects (type ``location``). Object ids are the values, prefixed with the type (``sku:A``)
    only where they would clash with another type's ids. ``source_row`` and ``ocel:*`` columns
    are not written. SQLite is written by :mod:`.ocel_sqlite`, JSON and XML by pm4py; times are
    written at the UTC offsets of ``zone`` (the log's local zone; UTC when ``None``), which the
    reader takes the local zone from.
    """
    check_frame(frame)
    path = Path(path)
    fmt = _format_for(path)
    if fmt is LogFormat.OCEL2_SQLITE:
        return _write_sqlite(frame, path, case_type, zone)
    return _export(_frame_to_ocel(frame, case_type, zone), path, fmt)


def convert_ocel(src: Path, src_fmt: LogFormat, dst: Path) -> Path:
    """Convert an OCEL 1.0/2.0 log to OCEL 2.0, format by ``dst``'s suffix; returns ``dst``.

    Events, objects, relations and O2O links are carried over as pm4py imports them (pm4py
    drops objects without events and dangling relations). SQLite keeps every object attribute
    change; pm4py's JSON/XML writers keep only some (and JSON keeps one relation per event and
    object).
    """
    src, dst = Path(src), Path(dst)
    fmt = _format_for(dst)
    if src.resolve() == dst.resolve():
        raise EventLogError("refusing to convert a file onto itself", path=dst)
    return _export(load_ocel(src, src_fmt), dst, fmt)
