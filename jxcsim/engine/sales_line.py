"""A sales order's line as ordered: a validated, immutable named tuple (cheap to make from plain values).

>>> line = SalesLine(1, "A-1", 4.0, 2.5)
>>> line.amount, line == SalesLine(1, "A-1", 4.0, 2.5), line == (1, "A-1", 4.0, 2.5)
(10.0, True, False)
"""

from __future__ import annotations

import math
from collections import namedtuple
from collections.abc import Iterable
from typing import Self

from .documents import check_id, qty_units
from .quantity import MAX_QTY, SCALE

_INF = math.inf
_MIN_QTY = 1 / SCALE  # a float at least this large is at least one unit (smaller ones take the checked path)


def _check_line(line_no: object, sku: object, qty: object, unit_price: object) -> None:
    """The checks of a :class:`SalesLine`'s fields, in order, with their errors."""
    if not isinstance(line_no, int):
        raise ValueError(f"line_no must be an int, got {line_no!r}")  # noqa: TRY004 - as it always was
    if sku.__class__ is not str or not sku:
        check_id("sku", sku)
    if not (qty.__class__ is float and _MIN_QTY <= qty <= MAX_QTY):
        qty_units(qty)
    if not (math.isfinite(unit_price) and unit_price >= 0):
        raise ValueError(f"unit_price must be finite and >= 0, got {unit_price!r}")


_new_tuple = tuple.__new__


class SalesLine(namedtuple("SalesLine", ("line_no", "sku", "qty", "unit_price"))):
    """A line as ordered: ``qty`` > 0 of ``sku`` at ``unit_price`` >= 0 (immutable; the values as given).

    Equal to a line of the same values (of the same class), not to a plain tuple; not ordered.

    >>> SalesLine(1, "A-1", 4, 2.5).amount
    10.0
    """

    __slots__ = ()

    def __new__(cls, line_no: int, sku: str, qty: float, unit_price: float) -> Self:
        if not (line_no.__class__ is int and sku.__class__ is str and sku and qty.__class__ is float
                and _MIN_QTY <= qty <= MAX_QTY and unit_price.__class__ is float and 0.0 <= unit_price < _INF):
            _check_line(line_no, sku, qty, unit_price)  # the full checks, and their errors
        return _new_tuple(cls, (line_no, sku, qty, unit_price))

    @classmethod
    def _make(cls, iterable: Iterable[object]) -> Self:
        return cls(*iterable)  # checked (``_replace`` goes through here)

    def __eq__(self, other: object) -> bool:  # as a dataclass's: only to a line of the same class
        if other.__class__ is self.__class__:
            return _tuple_eq(self, other)
        return False if isinstance(other, tuple) else NotImplemented  # (a tuple would compare as one)

    def __ne__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return _tuple_ne(self, other)
        return True if isinstance(other, tuple) else NotImplemented

    __hash__ = tuple.__hash__

    def _unordered(self, other: object) -> bool:
        return NotImplemented  # lines have no order (as a tuple would)

    __lt__ = __le__ = __gt__ = __ge__ = _unordered

    @property
    def amount(self) -> float:
        """``qty * unit_price``."""
        return self.qty * self.unit_price


_tuple_eq, _tuple_ne = tuple.__eq__, tuple.__ne__
