"""Rules as data: frozen records with pure decision methods (DESIGN.md §3).

A rule never acts; it answers a question (hold this order? which signals are due? when does a
person see this?) and whoever drives the documents acts on the answer. So a what-if changes a
rule's numbers, never a code path. Times are hours since the run's epoch, a Monday 00:00 local
time, so ``t % 24`` is the hour of the day.

>>> CreditRule(review_threshold=50_000).review_reason(63_200, exposure=0.0, credit_limit=None)
'amount 63,200 above review threshold 50,000'
>>> ApprovalRule(threshold=10_000).needs_approval(9_999.5)
False
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable

__all__ = [
    "ApprovalRule", "CreditRule", "Notifications", "PostingDeadline", "Signal", "SignalKind", "WorkingTime",
]


def _money(value: float) -> str:
    """``63200.0 -> '63,200'``, ``1234.5 -> '1,234.5'``."""
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def _optional_nonnegative(name: str, value: float | None) -> None:
    if value is not None and not (math.isfinite(value) and value >= 0):
        raise ValueError(f"{name} must be None or a finite number >= 0, got {value!r}")


@dataclass(frozen=True, slots=True)
class CreditRule:
    """When a sales order is held for a credit review.

    An order of ``amount`` from a customer whose open exposure (unpaid orders and invoices,
    *before* this order) is ``exposure`` is reviewed when either

    - ``review_threshold`` is set and ``amount > review_threshold``, unless the fast track applies:
      ``fast_track_below`` is set and ``amount < fast_track_below``. The fast track exempts from
      the threshold only (it has an effect only when ``fast_track_below > review_threshold``);
    - ``use_credit_limit`` and the customer has a limit and ``exposure + amount > credit_limit``.
      The fast track does not exempt from this: a breached limit is a risk, not a routine check.

    Both limits are strict: an amount exactly at the threshold passes.

    >>> rule = CreditRule(50_000, fast_track_below=80_000)
    >>> rule.review_reason(63_200, exposure=0.0, credit_limit=200_000) is None   # fast-tracked
    True
    >>> rule.review_reason(63_200, exposure=150_000, credit_limit=200_000)
    'exposure 150,000 + amount 63,200 = 213,200 above credit limit 200,000'
    >>> CreditRule(50_000).review_reason(90_000, exposure=150_000, credit_limit=200_000)
    'amount 90,000 above review threshold 50,000; exposure 150,000 + amount 90,000 = 240,000 above credit limit 200,000'
    """

    review_threshold: float | None
    use_credit_limit: bool = True
    fast_track_below: float | None = None

    def __post_init__(self) -> None:
        _optional_nonnegative("review_threshold", self.review_threshold)
        _optional_nonnegative("fast_track_below", self.fast_track_below)

    def review_reason(self, amount: float, exposure: float, credit_limit: float | None) -> str | None:
        """Why an order must be reviewed (reasons joined by ``"; "``), or None if it passes."""
        reasons = []
        fast = self.fast_track_below is not None and amount < self.fast_track_below
        if self.review_threshold is not None and amount > self.review_threshold and not fast:
            reasons.append(f"amount {_money(amount)} above review threshold {_money(self.review_threshold)}")
        if self.use_credit_limit and credit_limit is not None and exposure + amount > credit_limit:
            reasons.append(f"exposure {_money(exposure)} + amount {_money(amount)} = {_money(exposure + amount)} "
                           f"above credit limit {_money(credit_limit)}")
        return "; ".join(reasons) or None


@dataclass(frozen=True, slots=True)
class ApprovalRule:
    """Purchase orders and customer returns of ``amount >= threshold`` need a person's approval.

    ``threshold=None`` means nothing needs approval (every document is approved automatically).

    >>> rule = ApprovalRule(5_000)
    >>> rule.needs_approval(4_999.99), rule.needs_approval(5_000), ApprovalRule(None).needs_approval(1e9)
    (False, True, False)
    """

    threshold: float | None

    def __post_init__(self) -> None:
        _optional_nonnegative("threshold", self.threshold)

    def needs_approval(self, amount: float) -> bool:
        return self.threshold is not None and amount >= self.threshold


class SignalKind(StrEnum):
    """Signals the rules raise; values are the semantic activity names of DESIGN.md §4."""

    ALERT = "alert"
    ESCALATION = "escalation"
    NOTIFICATION = "notification"


@dataclass(frozen=True, slots=True)
class Signal:
    """A signal of ``kind`` about ``subject`` (a movement id, a document id) due at ``time``."""

    kind: SignalKind
    subject: str
    time: float
    location: str


@dataclass(frozen=True, slots=True)
class PostingDeadline:
    """Goods that moved must be posted within ``hours``; else an alert, and later an escalation.

    An alert is due ``hours`` after the goods moved, an escalation ``escalate_after_h`` after
    they moved (not after the alert; None: no escalation). The rule applies at ``locations``
    (None: every location).

    >>> rule = PostingDeadline(2.0, escalate_after_h=4.0, locations=frozenset({"WH-A"}))
    >>> rule.due_signals([("SO-1/1", "WH-A", 14.0), ("SO-2/1", "WH-B", 14.0)], now=19.0)
    [Signal(kind=<SignalKind.ALERT: 'alert'>, subject='SO-1/1', time=16.0, location='WH-A'), \
Signal(kind=<SignalKind.ESCALATION: 'escalation'>, subject='SO-1/1', time=18.0, location='WH-A')]
    """

    hours: float
    escalate_after_h: float | None = None
    locations: frozenset[str] | None = None

    def __post_init__(self) -> None:
        if not (math.isfinite(self.hours) and self.hours > 0):
            raise ValueError(f"hours must be a positive finite number, got {self.hours!r}")
        if self.escalate_after_h is not None and not (math.isfinite(self.escalate_after_h)
                                                      and self.escalate_after_h >= self.hours):
            raise ValueError(f"escalate_after_h must be None or finite and >= hours ({self.hours:g}), "
                             f"got {self.escalate_after_h!r}")
        if self.locations is not None:
            if isinstance(self.locations, str):
                raise ValueError(f"locations must be a collection of location ids, got the string {self.locations!r}")
            object.__setattr__(self, "locations", frozenset(self.locations))

    def applies_to(self, location: str) -> bool:
        return self.locations is None or location in self.locations

    def alert_due(self, moved_at: float) -> float:
        """When the alert is due for goods moved at ``moved_at``."""
        return moved_at + self.hours

    def escalation_due(self, moved_at: float) -> float | None:
        """When the escalation is due (None when the rule does not escalate)."""
        return None if self.escalate_after_h is None else moved_at + self.escalate_after_h

    def due_signals(self, unposted: Iterable[tuple[str, str, float]], now: float, *,
                    since: float | None = None) -> list[Signal]:
        """Signals due for ``unposted`` movements ``(movement_id, location, moved_at)`` in ``(since, now]``.

        Without ``since`` every signal due by ``now`` is listed (a caller polling at intervals
        passes its previous ``now`` so nothing is raised twice). Sorted by time, then kind
        (alert first), then subject. The rule is stateless: it trusts that ``unposted`` lists
        only movements still unposted at ``now``.
        """
        low = -math.inf if since is None else since
        signals = []
        for movement_id, location, moved_at in unposted:
            if not self.applies_to(location):
                continue
            for kind, due in ((SignalKind.ALERT, self.alert_due(moved_at)),
                              (SignalKind.ESCALATION, self.escalation_due(moved_at))):
                if due is not None and low < due <= now:
                    signals.append(Signal(kind, movement_id, due, location))
        order = {SignalKind.ALERT: 0, SignalKind.ESCALATION: 1}
        return sorted(signals, key=lambda s: (s.time, order[s.kind], s.subject))


@runtime_checkable
class WorkingTime(Protocol):
    """When a person is at work: ``next_open(t)`` is ``t`` when working at ``t``, else when they next are.

    ``jxcsim.world.shifts.WeeklyCalendar`` is one; the engine does not import it.
    """

    def next_open(self, t: float) -> float: ...


@dataclass(frozen=True, slots=True)
class Notifications:
    """How a person learns of a new item (an order to release, an order on hold).

    - ``push_on_new_order``: a message at once; seen at ``created_at`` if the recipient is
      working then, else when they next are.
    - otherwise ``digest_hours`` (hours of the day, e.g. ``(9.0, 17.0)``): a digest at the first
      of those times at or after ``created_at`` (the next day's first if none is left today);
      seen then if the recipient is working, else when they next are.
    - neither: nobody is told; :meth:`seen_at` is ``math.inf`` and the caller's own hand-off
      (a queue someone checks) decides.

    >>> office = lambda t: t if 8 <= t % 24 < 18 else (t // 24 + (t % 24 >= 18)) * 24 + 8   # 08-18 daily
    >>> digest = Notifications(push_on_new_order=False, digest_hours=(9.0, 17.0))
    >>> digest.seen_at(16.0, office), digest.seen_at(17.5, office), digest.seen_at(8.0, office)
    (17.0, 33.0, 9.0)
    >>> Notifications(push_on_new_order=True).seen_at(19.0, office)
    32.0
    """

    push_on_new_order: bool = False
    digest_hours: tuple[float, ...] = ()

    def __post_init__(self) -> None:
        hours = tuple(sorted(set(float(h) for h in self.digest_hours)))
        if any(not 0 <= h < 24 for h in hours):
            raise ValueError(f"digest_hours must be hours of the day in [0, 24), got {self.digest_hours!r}")
        object.__setattr__(self, "digest_hours", hours)

    def digest_at(self, t: float) -> float:
        """The first digest time at or after ``t`` (``math.inf`` without digests)."""
        if not self.digest_hours:
            return math.inf
        day = math.floor(t / 24) * 24
        for hour in self.digest_hours:
            if day + hour >= t:
                return day + hour
        return day + 24 + self.digest_hours[0]

    def seen_at(self, created_at: float, working: WorkingTime | Callable[[float], float]) -> float:
        """When the recipient sees an item created at ``created_at``.

        ``working`` is a :class:`WorkingTime` (anything with ``next_open``) or a function doing
        the same.
        """
        next_open = getattr(working, "next_open", working)
        sent = created_at if self.push_on_new_order else self.digest_at(created_at)
        return sent if math.isinf(sent) else float(next_open(sent))
