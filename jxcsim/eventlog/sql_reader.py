"""Read an event table or query through SQLAlchemy, read-only.

SOURCE is a database URL (``sqlite:///erp.db``, ``postgresql+psycopg://user@host/db``) or a
SQLite file path. Pass a table name or a query that reads rows (``SELECT``/``WITH``/``VALUES``).
Every SQLite source, path or URL, is opened as a ``mode=ro`` file URI, so nothing can write to
it and a missing file is an error rather than a new empty database; PostgreSQL runs in
read-only transactions.

>>> import sqlite3, tempfile, pathlib
>>> db = pathlib.Path(tempfile.mkdtemp()) / "erp.db"
>>> with sqlite3.connect(db) as con:
...     _ = con.execute("create table ev (case_id, activity, ts)")
...     _ = con.execute("insert into ev values ('1', 'pick', '2024-01-01 08:00')")
>>> read_sql_raw(str(db), table="ev").frame.shape
(1, 3)
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pandas as pd

from .errors import EventLogError
from .formats import is_database_url
from .log import LogFormat, RawLog

_COMMENTS = re.compile(r"(--[^\n]*\n?|/\*.*?\*/|\s)+", re.S)
_READS = ("select", "with", "values", "table")


def _one_line(detail: object) -> str:
    return " ".join(str(detail).split())


def sqlite_file(source: str | Path) -> Path | None:
    """The file of a SQLite source (a path, or a ``sqlite:///`` URL naming one); ``None`` for another
    database or an in-memory SQLite. A missing file is an :class:`EventLogError` naming it."""
    if is_database_url(source):
        import sqlalchemy as sa

        try:
            url = sa.engine.make_url(str(source))
        except sa.exc.ArgumentError as exc:
            raise EventLogError(f"cannot open database URL: {exc}", path=str(source)) from None
        if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
            return None
        name = url.database
        if url.query.get("uri") == "true" and name.startswith("file:"):
            name = name.removeprefix("file:")
    else:
        name = str(source)
    path = Path(name).expanduser().resolve()
    if not path.exists():
        raise EventLogError("no such SQLite file", path=path)
    if not path.is_file():
        raise EventLogError("not a SQLite file (a directory?)", path=path)
    return path


def _engine(source: str | Path):
    import sqlalchemy as sa

    path = sqlite_file(source)
    if path is not None:
        uri = f"file:{quote(str(path))}?mode=ro"
        return sa.create_engine("sqlite://", creator=lambda: sqlite3.connect(uri, uri=True))
    url = str(source)
    try:
        engine = sa.create_engine(url)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
        raise EventLogError(f"cannot open database URL: {_one_line(exc)}", path=url) from None
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(postgresql_readonly=True)
    return engine


def _database_error(exc: Exception, what: str, source: str | Path) -> EventLogError:
    detail = getattr(exc, "orig", None) or exc
    return EventLogError(f"{what}: {_one_line(detail)}", path=str(source))


def list_tables(source: str | Path) -> list[str]:
    """Tables and views of a database (for error messages and ``inspect``)."""
    import sqlalchemy as sa

    engine = _engine(source)
    try:
        inspector = sa.inspect(engine)
        return sorted(inspector.get_table_names() + inspector.get_view_names())
    except sa.exc.SQLAlchemyError as exc:
        raise _database_error(exc, "cannot read database", source) from None
    finally:
        engine.dispose()


def check_query(query: str, source: str | Path | None = None) -> None:
    """Refuse a statement that does not read rows (``DROP``, ``DELETE``, ``PRAGMA`` …).

    >>> check_query("/* events */ select * from ev")
    >>> check_query("drop table ev")
    Traceback (most recent call last):
    ...
    jxcsim.eventlog.errors.EventLogError: <input>: only a query that reads rows (SELECT, WITH, VALUES) can be run, not 'drop table ev'
    """
    text = _COMMENTS.sub(" ", query).strip()
    first = re.match(r"\W*(\w+)", text)  # the first keyword, after any brackets: (select ...), select*from
    if first is None or first.group(1).lower() not in _READS:
        raise EventLogError(f"only a query that reads rows (SELECT, WITH, VALUES) can be run, not {text[:80]!r}",
                            path=None if source is None else str(source))


def read_sql_raw(source: str | Path, *, table: str | None = None, query: str | None = None) -> RawLog:
    """Rows of ``table`` or of ``query`` (exactly one of them)."""
    import sqlalchemy as sa

    if table is not None and query is not None:
        raise EventLogError("--table and --query exclude each other: give one", path=str(source))
    if table is None and query is None:
        tables = list_tables(source)
        raise EventLogError(f"a database needs --table or --query (tables: {', '.join(tables) or 'none'})",
                            path=str(source))
    if query is not None:
        check_query(query, source)
    engine = _engine(source)
    try:
        with engine.connect() as con:
            if table is not None:
                meta = sa.MetaData()
                try:
                    tab = sa.Table(table, meta, autoload_with=con)
                except sa.exc.NoSuchTableError:
                    raise EventLogError(f"no table {table!r} (tables: {', '.join(list_tables(source)) or 'none'})",
                                        path=str(source)) from None
                statement = sa.select(tab)
            else:
                statement = sa.text(query)
            frame = pd.read_sql(statement, con)
    except sa.exc.SQLAlchemyError as exc:
        raise _database_error(exc, "query failed", source) from None
    finally:
        engine.dispose()
    frame.columns = [str(c) for c in frame.columns]
    return RawLog(frame=frame, format=LogFormat.SQL, events_stored=len(frame),
                  row_numbers=np.arange(1, len(frame) + 1))
