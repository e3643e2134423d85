"""Open a gzip-compressed SQLite file: SQLite needs a plain file, so it is unpacked to a temp dir."""

from __future__ import annotations

import contextlib
import gzip
import shutil
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path

from .errors import EventLogError


@contextlib.contextmanager
def unpacked_sqlite(path: Path) -> Iterator[Path]:
    """Yield a plain copy of ``path`` (gzip) that is removed afterwards; plain files pass through."""
    path = Path(path)
    with open(path, "rb") as handle:
        magic = handle.read(2)
    if magic != b"\x1f\x8b":
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="jxcsim-") as tmp:
        plain = Path(tmp) / path.name.removesuffix(".gz")
        try:
            with gzip.open(path, "rb") as src, open(plain, "wb") as dst:
                shutil.copyfileobj(src, dst, length=1 << 20)
        except (OSError, EOFError, zlib.error) as exc:
            raise EventLogError(f"damaged gzip file: {exc}", path=path) from None
        yield plain
