"""Exact quantities: the engine counts in integer micro-units and shows floats.

Real quantities are decimals (2.5 kg, 0.3 m). Summed as binary floats, 0.3 received and three
issues of 0.1 leave -2.8e-17 on the shelf, a stock-out that never happened. So every quantity is
rounded once, on the way in, to :data:`QTY_DECIMALS` decimal places and kept as an integer number
of units of ``10**-QTY_DECIMALS``. Sums are then exact and independent of order, which is what
makes "cached balance == rebuild", "reversal restores the balance" and "book - physical == sum
of causes" hold *exactly* rather than approximately.

>>> to_units(0.3), to_units(0.1) * 3
(300000, 300000)
>>> from_units(to_units(0.1) + to_units(0.2))
0.3
"""

from __future__ import annotations

import math

QTY_DECIMALS = 6
"""Decimal places kept for every quantity (a micro-unit: far finer than any unit of measure)."""
SCALE: int = 10**QTY_DECIMALS
MAX_QTY = 1e9
"""Largest magnitude of a single quantity; keeps the float <-> units round trip exact."""


def to_units(qty: float) -> int:
    """Integer micro-units of ``qty``, rounded half to even at :data:`QTY_DECIMALS` places.

    >>> to_units(2.5), to_units(-1e-7), to_units(0.1 + 0.2)
    (2500000, 0, 300000)
    """
    if qty.__class__ is float and -MAX_QTY <= qty <= MAX_QTY:  # the common case, checked at once (NaN fails)
        return round(qty * SCALE)
    value = float(qty)
    if not math.isfinite(value) or abs(value) > MAX_QTY:
        raise ValueError(f"quantity must be finite and at most {MAX_QTY:g} in magnitude, got {qty!r}")
    return round(value * SCALE)


def from_units(units: int) -> float:
    """The float closest to ``units`` micro-units.

    >>> from_units(1_250_000)
    1.25
    """
    return units / SCALE
