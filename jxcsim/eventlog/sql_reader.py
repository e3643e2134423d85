"""Read an event table or query through SQLAlchemy, read-only.

SOURCE is a database URL (``sqlite:///erp.db``, ``postgresql+psycopg://user@host/db``) or a
SQLite file path. Pass a table name or a SELECT query.

>>> import sqlite3, tempfile, pathlib
>>> db = pathlib.Path(tempfile.mkdtemp()) / "erp.db"
>>> with sqlite3.connect(db) as con:
...     _ = con.execute("create table ev (case_id, activity, ts)")
...     _ = con.execute("insert into ev values ('1', 'pick', '2024-01-01 08:00')")
>>> read_sql_raw(str(db), table="ev").frame.shape
(1, 3)
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .errors import EventLogError
from .formats import is_database_url
from .log import LogFormat, RawLog


def database_url(source: str | Path) -> str:
    """A read-only SQLAlchemy URL for a database URL or a SQLite file path."""
    if is_database_url(source):
        return str(source)
    path = Path(source).resolve()
    if not path.exists():
        raise EventLogError("no such file", path=source)
    return f"sqlite:///file:{path}?mode=ro&uri=true"


def _engine(url: str):
    import sqlalchemy as sa

    try:
        engine = sa.create_engine(url)
    except (sa.exc.ArgumentError, sa.exc.NoSuchModuleError, ImportError) as exc:
        raise EventLogError(f"cannot open database URL: {exc}", path=url) from None
    if engine.dialect.name == "postgresql":
        engine = engine.execution_options(postgresql_readonly=True)
    return engine


def list_tables(source: str | Path) -> list[str]:
    """Tables and views of a database (for error messages and ``inspect``)."""
    import sqlalchemy as sa

    url = database_url(source)
    try:
        inspector = sa.inspect(_engine(url))
        return sorted(inspector.get_table_names() + inspector.get_view_names())
    except sa.exc.SQLAlchemyError as exc:
        raise EventLogError(f"cannot read database: {exc.__class__.__name__}: {exc.orig if hasattr(exc, 'orig') else exc}",
                            path=str(source)) from None


def read_sql_raw(source: str | Path, *, table: str | None = None, query: str | None = None) -> RawLog:
    """Rows of ``table`` or of ``query`` (exactly one of them)."""
    import sqlalchemy as sa

    if (table is None) == (query is None):
        tables = list_tables(source)
        raise EventLogError(f"a database needs --table or --query (tables: {', '.join(tables) or 'none'})",
                            path=str(source))
    url = database_url(source)
    engine = _engine(url)
    try:
        with engine.connect() as con:
            if table is not None:
                meta = sa.MetaData()
                try:
                    tab = sa.Table(table, meta, autoload_with=con)
                except sa.exc.NoSuchTableError:
                    raise EventLogError(f"no table {table!r} (tables: {', '.join(list_tables(source))})",
                                        path=str(source)) from None
                statement = sa.select(tab)
            else:
                statement = sa.text(query)
            frame = pd.read_sql(statement, con)
    except sa.exc.SQLAlchemyError as exc:
        detail = getattr(exc, "orig", None) or exc
        raise EventLogError(f"query failed: {detail}", path=str(source)) from None
    finally:
        engine.dispose()
    frame.columns = [str(c) for c in frame.columns]
    return RawLog(frame=frame, format=LogFormat.SQL, events_stored=len(frame),
                  row_numbers=np.arange(1, len(frame) + 1))
