"""Numbers written as text: a decimal point (``1,250.5``) or a decimal comma (``1.250,5``).

A log writes its numbers one way. The profile's ``decimal`` says which; unset, the values of
the log's numeric columns decide (``2,5``, ``0,75`` and ``1.250,75`` can only be decimal
commas; ``2.5`` and ``1,250,000`` only decimal points), the more common way winning; when no
value tells, a ``;``-delimited file is taken to use the decimal comma and any other the point.
A value that reads both ways (``1,250``: 1250 or 1.25) is noted, so it is never silently 1000×
off, unless more values showed the separator than read both ways; a value written the other way
(``2.5`` in a decimal-comma log) is quarantined.

>>> qty = pd.Series(["1,250", "2,5", None])
>>> choose_decimal([qty], None, ";")
Decimal(separator=',', source='data', example='2,5', votes=1)
>>> read_numbers(qty, ",").values.tolist()
[1.25, 2.5, nan]
>>> read_numbers(pd.Series(["1.250,75", "2.5"]), ",").other_way.tolist()
[False, True]
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .fastpath import text_array
from .words import counted

POINT, COMMA = ".", ","
# A number with `sep` as decimal separator and the other as optional thousands separator
# (groups of three after a first group that does not start with 0); RE2 syntax, for pyarrow.
_EXP = r"(?:[eE][+-]?\d+)?"
_FORMS = {
    sep: rf"^[+-]?(?:(?:\d+|[1-9]\d{{0,2}}(?:\{other}\d{{3}})+)(?:\{sep}\d*)?|\{sep}\d+){_EXP}$"
    for sep, other in ((POINT, COMMA), (COMMA, POINT))
}


class Decimal(NamedTuple):
    """The decimal separator of a log's numbers, and what chose it (``profile``, ``data`` or
    ``delimiter``) with a value that showed it when the data did."""

    separator: str
    source: str
    example: str | None = None
    votes: int = 0  # values that can only be read with this separator


class Numbers(NamedTuple):
    """A column read as numbers: the values (NaN where blank or bad), which present values are
    bad and which of those are written with the other separator, and how many values read
    either way (with one example)."""

    values: pd.Series
    bad: np.ndarray
    other_way: np.ndarray
    ambiguous: int
    ambiguous_example: str | None


class _Texts(NamedTuple):
    """A text column as its distinct values (trimmed) and, per row, the index of its value (-1 when
    missing); checks run once per distinct value, which a log repeats many times."""

    unique: pa.Array
    codes: np.ndarray
    point: np.ndarray  # per distinct value: fits a decimal point
    comma: np.ndarray  # per distinct value: fits a decimal comma

    def rows(self, per_value: np.ndarray, missing=False) -> np.ndarray:
        """``per_value`` spread over the rows (``missing`` where the row has no value)."""
        return np.append(per_value, np.asarray([missing], dtype=per_value.dtype))[self.codes]

    def first(self, rows: np.ndarray) -> str | None:
        """The text of the first row in ``rows``."""
        where = np.flatnonzero(rows)
        return None if not len(where) else self.unique[int(self.codes[where[0]])].as_py()


def _texts(values: pd.Series) -> _Texts:
    arr = text_array(values)
    if arr is None:
        arr = pa.array(values.astype("string").to_numpy(dtype=object, na_value=None), type=pa.string())
    encoded = pc.dictionary_encode(arr)
    unique = pc.utf8_trim_whitespace(encoded.dictionary)
    codes = encoded.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
    return _Texts(unique, codes, _fits(unique, POINT), _fits(unique, COMMA))


def _fits(text: pa.Array, sep: str) -> np.ndarray:
    return pc.match_substring_regex(text, _FORMS[sep]).fill_null(False).to_numpy(zero_copy_only=False)


Seen = dict  # column name -> its _Texts, worked out once


def _seen(values: pd.Series, seen: Seen | None) -> _Texts:
    key = values.name
    if seen is not None and key is not None and key in seen and len(seen[key].codes) == len(values):
        return seen[key]
    found = _texts(values)
    if seen is not None and key is not None:
        seen[key] = found
    return found


def choose_decimal(columns: list[pd.Series], given: str | None, delimiter: str | None,
                   seen: Seen | None = None) -> Decimal:
    """The decimal separator for a log's numeric text columns (see the module docstring); ``seen``
    keeps what was worked out per column for :func:`read_numbers`."""
    if given is not None:
        return Decimal(given, "profile")
    votes = {POINT: 0, COMMA: 0}
    examples: dict[str, str | None] = {}
    for values in columns:
        if pd.api.types.is_numeric_dtype(values.dtype):
            continue
        texts = _seen(values, seen)
        for sep, only in ((POINT, texts.point & ~texts.comma), (COMMA, texts.comma & ~texts.point)):
            rows = texts.rows(only)
            votes[sep] += int(rows.sum())
            if examples.get(sep) is None:
                examples[sep] = texts.first(rows)
    if votes[POINT] != votes[COMMA]:
        sep = POINT if votes[POINT] > votes[COMMA] else COMMA
        return Decimal(sep, "data", examples[sep], votes[sep])
    return Decimal(COMMA if delimiter == ";" else POINT, "delimiter")


def decimal_note(decimal: Decimal, delimiter: str | None) -> str | None:
    """A note when the data chose a separator other than the delimiter's default."""
    default = COMMA if delimiter == ";" else POINT
    if decimal.source != "data" or decimal.separator == default:
        return None
    name = "comma" if decimal.separator == COMMA else "point"
    return f"numbers read with a decimal {name} (values such as {decimal.example!r}); `decimal:` in a profile overrides"


def read_numbers(values: pd.Series, decimal: str, seen: Seen | None = None) -> Numbers:
    """``values`` as floats with ``decimal`` as the decimal separator (see :class:`Numbers`)."""
    none = np.zeros(len(values), dtype=bool)
    if pd.api.types.is_numeric_dtype(values.dtype):
        return Numbers(values.astype(float), none, none, 0, None)
    other = COMMA if decimal == POINT else POINT
    texts = _seen(values, seen)
    text = texts.unique
    fits, fits_other = (texts.point, texts.comma) if decimal == POINT else (texts.comma, texts.point)
    present = pc.greater(pc.utf8_length(text), 0).fill_null(False).to_numpy(zero_copy_only=False)
    plain = pc.replace_substring(pc.replace_substring(text, other, ""), decimal, ".")
    plain = pc.if_else(pa.array(fits), plain, pa.nulls(len(text), pa.string()))
    numbers = pc.cast(plain, pa.float64()).to_numpy(zero_copy_only=False).astype(float)
    either = texts.rows(fits & fits_other & pc.match_substring_regex(text, r"[.,]").fill_null(False)
                        .to_numpy(zero_copy_only=False))
    bad = texts.rows(present & ~fits)
    return Numbers(pd.Series(texts.rows(numbers, np.nan), index=values.index, dtype=float), bad,
                   bad & texts.rows(fits_other), int(either.sum()), texts.first(either))


def ambiguity_note(role: str, numbers: Numbers, decimal: Decimal) -> str | None:
    """A note on values that read both ways (``1,250``), unless the profile named the separator or
    more values of the log showed it than there are such values."""
    if not numbers.ambiguous or decimal.source == "profile" or decimal.votes > numbers.ambiguous:
        return None
    example = numbers.ambiguous_example
    as_point, as_comma = (float(example.replace(o, "").replace(d, ".")) for d, o in ((POINT, COMMA), (COMMA, POINT)))
    comma = decimal.separator == COMMA
    read, other = (as_comma, as_point) if comma else (as_point, as_comma)
    if decimal.source == "data":
        why = f"values such as {decimal.example!r} show"
    else:
        why = f"no value tells and the file is {'' if comma else 'not '}';'-delimited"
    they = "it means" if numbers.ambiguous == 1 else "they mean"
    return (f"{role}: {counted(numbers.ambiguous, 'value')} such as {example!r} read as {read:g} (decimal "
            f"{'comma' if comma else 'point'}, as {why}); if {they} {other:g}, set "
            f"decimal: '{POINT if comma else COMMA}' in the profile")
