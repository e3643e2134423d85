"""Documents with state machines: what they share (history, clocks, refusals).

A document (:class:`~jxcsim.engine.documents_sales.SalesOrder`,
:class:`~jxcsim.engine.documents_purchase.PurchaseOrder`,
:class:`~jxcsim.engine.documents_stock.Transfer`, :class:`~jxcsim.engine.documents_stock.CustomerReturn`,
:class:`~jxcsim.engine.documents_stock.StockCount`) is a pure domain object: it moves no goods
and knows no clock of its own. Whoever drives it (the simulated world, a replay of a real log,
a test) calls one method per step with the time (hours since the run's epoch) and the actor.

Every step is appended to the document's :attr:`Document.history` as a :class:`Step`. A step
the state machine does not allow raises :class:`~jxcsim.engine.errors.IllegalTransition` and
leaves the document exactly as it was. Time only moves forward, per line and per document: a
line step may not be dated before the line's previous step or the document's latest own step,
and a document step not before its previous one (nor before the last step of a line it acts
on); otherwise :class:`~jxcsim.engine.errors.BackdatedTransition`. Callers that replay a log
feed it in time order.

>>> from jxcsim.engine import BackdatedTransition, SalesLine, SalesOrder
>>> so = SalesOrder("SO-1", "C-7", "WH-A", 9.0, [SalesLine(1, "A-1", 5, 12.0)])
>>> so.check_credit(9.5, "ana")
>>> try:
...     so.release(8.0)
... except BackdatedTransition as err:
...     print(err)
sales order 'SO-1': cannot go from CREDIT_CHECKED to RELEASED: at 8 h, before the previous step at 9.5 h
>>> [(s.state.name, s.time, s.actor) for s in so.history]
[('RECEIVED', 9.0, 'system'), ('CREDIT_CHECKED', 9.5, 'ana')]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from enum import StrEnum
from functools import partial
from typing import ClassVar, NamedTuple, NoReturn

from .errors import BackdatedTransition, IllegalTransition
from .quantity import to_units

__all__ = ["Document", "Step"]


class Step(NamedTuple):
    """One transition in a document's history: the state reached, when and by whom (a named tuple).

    ``line`` is the line number for a per-line step (None for the document itself), ``qty`` the
    quantity the step concerned, ``amount`` the money (an invoice, a payment), ``note`` a free
    reason (a credit hold's, a cancellation's); each is None when it does not apply.

    >>> from jxcsim.engine import SalesLineState
    >>> Step(SalesLineState.PICKED, 14.0, "li", line=2, qty=3.0)
    Step(state=<SalesLineState.PICKED: 'picked'>, time=14.0, actor='li', line=2, qty=3.0, amount=None, note=None)
    """

    state: StrEnum
    time: float
    actor: str
    line: int | None = None
    qty: float | None = None
    amount: float | None = None
    note: str | None = None


_step = partial(tuple.__new__, Step)  # a Step from a tuple of all its fields (no keyword handling)
_INF = math.inf


def check_id(name: str, value: object) -> str:
    """``value`` if it is a non-empty string, else ValueError."""
    if not isinstance(value, str) or not value:
        raise ValueError(f"{name} must be a non-empty string, got {value!r}")
    return value


def check_time(value: float) -> float:
    """``value`` as a finite float (hours since the epoch), else ValueError."""
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"time must be a finite number of hours, got {value!r}")
    return value


def qty_units(qty: float, *, allow_zero: bool = False) -> int:
    """Micro-units of a quantity that must be positive (or zero when ``allow_zero``)."""
    units = to_units(qty)
    if units < 0 or (units == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise ValueError(f"qty must be {bound} (after rounding to the quantum), got {qty!r}")
    return units


def check_amount(amount: float) -> float:
    """A positive, finite amount of money."""
    value = float(amount)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"amount must be a positive finite number, got {amount!r}")
    return value


def covers(paid: float, due: float) -> bool:
    """True when ``paid`` settles ``due`` (to float rounding of a sum of payments)."""
    return paid >= due - 1e-9 * max(1.0, abs(due))


class Document:
    """An id, an append-only history and the clocks that keep it in time order.

    Subclasses set :attr:`kind` (used in error messages) and call :meth:`_check_step`,
    :meth:`_refuse` and :meth:`_record`; they validate *everything* before recording, so a
    refused step changes nothing.
    """

    kind: ClassVar[str] = "document"
    __slots__ = ("_clock", "_history", "_id", "_line_clock")

    def __init__(self, doc_id: str, first: StrEnum, created_at: float, actor: str) -> None:
        self._id = doc_id if doc_id.__class__ is str and doc_id else check_id(f"{self.kind} id", doc_id)
        t = created_at if created_at.__class__ is float and -_INF < created_at < _INF else check_time(created_at)
        # the steps as plain tuples in Step's field order (cheaper to keep); Step objects on reading
        actor = actor if actor.__class__ is str and actor else check_id("actor", actor)
        self._history: list[tuple] = [(first, t, actor, None, None, None, None)]
        self._clock = t
        self._line_clock: dict[int, float] = {}

    @property
    def history(self) -> tuple[Step, ...]:
        """Every step so far, in the order they were recorded (the first is the creation)."""
        return tuple(map(_step, self._history))

    @property
    def created_at(self) -> float:
        """Time of the first step."""
        return self._history[0][1]

    def _label(self) -> str:
        return f"{self.kind} {self._id!r}"

    def _refuse(self, attempted: object, state: object, reason: str | None = None, *,
                line: int | None = None) -> NoReturn:
        raise IllegalTransition(self._label(), attempted, state, line=line, reason=reason)

    def _check_step(self, t: float, actor: str, attempted: object, state: object | Callable[[], object], *,
                    line: int | None = None, touches: Iterable[int] = ()) -> float:
        """Validate ``actor`` and return ``t`` if it is not before the document's clock, nor the
        clock of ``line`` (a line step) or of any line in ``touches`` (a document step acting on them).

        ``state`` (for the error message) may be a function returning it, called only on refusal.
        """
        if actor.__class__ is not str or not actor:
            check_id("actor", actor)
        if t.__class__ is not float or not -_INF < t < _INF:
            t = check_time(t)
        previous = self._clock
        at = line
        if t >= previous:
            if line is not None:
                previous = self._line_clock.get(line, -_INF)
            else:
                clocks = self._line_clock
                for at in touches:
                    previous = clocks.get(at, -_INF)
                    if t < previous:
                        break
            if t >= previous:
                return t
        raise BackdatedTransition(self._label(), attempted, state() if callable(state) else state, time=t,
                                  previous=previous, line=at)

    def _record(self, state: StrEnum, t: float, actor: str, line: int | None = None,
                qty: float | None = None, amount: float | None = None, note: str | None = None) -> None:
        self._history.append((state, t, actor, line, qty, amount, note))
        if line is None:
            self._clock = t
        else:
            self._line_clock[line] = t

    def _line_history(self, line_no: int) -> tuple[Step, ...]:
        return tuple(_step(step) for step in self._history if step[3] == line_no)
