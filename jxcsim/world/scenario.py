"""Scenario files: a wholesaler's world as validated data (pydantic), with ``extends:`` overlays.

A scenario names locations, the SKU catalogue, customers, staff and their shifts, demand,
activity durations, hand-offs, posting habits, purchasing, counts and the rules a what-if can
change. Unknown keys are rejected and every error names the field path. Mappings are keyed by
name (staff, habits, groups) so a small overlay can add or switch off one entry, and ``"*"``
changes every entry the scenario has (whatever their names)::

    extends: ../baseline.yaml
    rules: {scan_to_ship: {enabled: true}}
    posting: {habits: {"*": {enabled: false}}}

>>> s = parse_scenario({"name": "tiny", "locations": {"WH-A": {}}})
>>> s.schema_version, s.timezone, list(s.locations)
(1, 'Asia/Shanghai', ['WH-A'])
"""

from __future__ import annotations

import copy
import json
import re
import weakref
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, GetJsonSchemaHandler,
                      ValidationError, ValidationInfo, WithJsonSchema, field_validator, model_validator)

from ..validation import closest, field_message, is_named_mapping
from .distributions import Count, Duration, Quantity
from .shifts import WEEKDAY_NAMES, WeeklyCalendar

SCHEMA_VERSION = 1
_CLOCK = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")


class ScenarioError(ValueError):
    """A scenario file is invalid; the message names the file and the field path."""


class MissingStaff(ScenarioError, LookupError):
    """The scenario has nobody in a role the world needs (at a location, for the warehouse roles)."""


_FULL_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _weekday(value: Any) -> int:
    """0..6, ``Mon``..``Sun`` or ``Monday``..``Sunday`` (any case); not a YAML yes/no, not ``Monkey``."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 6:
        return value
    if isinstance(value, str):
        name = value.strip().title()
        for names in (WEEKDAY_NAMES, _FULL_DAYS):
            if name in names:
                return names.index(name)
    hint = " (YAML reads an unquoted yes/no/on/off as true/false)" if isinstance(value, bool) else ""
    raise ValueError(f"not a weekday: {value!r}{hint} (use Mon..Sun or 0..6)")


def _clock(value: Any) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value <= 24:
        return float(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 24 * 60:  # YAML 1.1: 6:00 is 360
        raise ValueError(f"not a time of day: {value!r} — YAML reads an unquoted {value // 60}:{value % 60:02d} as "
                         f"the number {value}; write it in quotes: \"{value // 60:02d}:{value % 60:02d}\"")
    match = _CLOCK.match(str(value))
    if not match or (match.group(1) == "24" and match.group(2) != "00"):
        shape = re.match(r"^\s*\d{1,2}:\d{2}\s*$", str(value))
        if shape:  # HH:MM, out of range
            raise ValueError(f"not a time of day: {value!r} (hours run 00-23 and minutes 00-59, 24:00 ends a day; "
                             "hours past midnight end at the next day's time: \"22:00\" to \"02:00\")")
        raise ValueError(f"not a time of day: {value!r} (use HH:MM)")
    return int(match.group(1)) + int(match.group(2)) / 60


def _habit_hour(value: Any) -> Any:
    """A habit's start or end: ``"HH:MM"`` as a :data:`Clock`, a number as it is (up to 48: ``[22, 26]``)."""
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool) and 60 <= value <= 24 * 60):
        return _clock(value)  # an unquoted 20:00 is YAML's 1200: the error says so
    return value


def _a_list_of(what: str) -> BeforeValidator:
    """Refuse one value where a list is due, saying how to write it as one (YAML reads ``[Godown #1]``'s
    ``#1]`` as a comment, so the example is quoted)."""
    def check(value: Any) -> Any:
        if isinstance(value, (str, int)) and not isinstance(value, bool):
            raise ValueError(f"a list of {what}; for one write [{json.dumps(value, ensure_ascii=False)}]")
        return value
    return BeforeValidator(check)


# JSON Schema of what a file may write (the input forms, not the validated values: a weekday as Mon, a
# range as [2, 7]); editors check scenario files against it (scenarios/scenario.schema.json).
_CLOCK_SCHEMA = {"type": "string", "pattern": r"^(?:(?:[01]?\d|2[0-3]):[0-5]\d|24:00)$",
                 "description": "a time of day, HH:MM"}


def _any_case(word: str) -> str:
    """A regular expression for ``word`` in any letter case, without flags (JSON Schema patterns have none)."""
    return "".join(f"[{c.upper()}{c.lower()}]" if c.isalpha() else re.escape(c) for c in word)


_WEEKDAY_SCHEMA = {"anyOf": [
    {"type": "integer", "minimum": 0, "maximum": 6},
    {"enum": list(WEEKDAY_NAMES)},  # what an editor offers
    {"type": "string", "pattern": r"^\s*(?:" + "|".join(map(_any_case, (*_FULL_DAYS, *WEEKDAY_NAMES))) + r")\s*$"}],
    "description": "a weekday: Mon..Sun, Monday..Sunday (any case) or 0 (Monday)..6"}
Weekday = Annotated[int, BeforeValidator(_weekday), WithJsonSchema(_WEEKDAY_SCHEMA)]
Weekdays = Annotated[list[Weekday], _a_list_of("weekdays")]
Locations = Annotated[list[str], _a_list_of("location names")]
Clock = Annotated[float, BeforeValidator(_clock), WithJsonSchema({
    "anyOf": [_CLOCK_SCHEMA, {"type": "number", "minimum": 0, "maximum": 24}],
    "description": 'a time of day: "HH:MM" (quoted) or hours (16.5)'})]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", use_enum_values=False)


class Range(_Model):
    """A closed interval ``[low, high]``, written as a two-item list."""

    low: float
    high: float

    @model_validator(mode="before")
    @classmethod
    def _from_list(cls, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            if len(value) != 2:
                raise ValueError("a range is [low, high]")
            return {"low": value[0], "high": value[1]}
        if isinstance(value, (int, float)):
            return {"low": value, "high": value}
        return value

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: GetJsonSchemaHandler) -> dict[str, Any]:
        """The forms a file may write: ``[low, high]``, one number (low = high) or ``{low: 2, high: 7}``."""
        fields = handler.resolve_ref_schema(handler(core_schema))
        return _range_schema({"type": "number"}, {k: v for k, v in fields.items() if k not in ("title", "description")},
                             single=True)

    def at(self, fraction: float) -> float:
        """The point ``fraction`` (in [0, 1)) of the way from ``low`` to ``high``.

        >>> Range(low=2, high=6).at(0.25)
        3.0
        """
        return self.low + (self.high - self.low) * fraction

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.low > self.high:
            raise ValueError(f"low {self.low} is above high {self.high}")
        return self


def _range_schema(item: dict[str, Any], mapping: dict[str, Any], *, single: bool) -> dict[str, Any]:
    """A :class:`Range` as written: ``[low, high]`` of ``item``, one number if ``single``, or ``mapping``."""
    pair = {"type": "array", "items": item, "minItems": 2, "maxItems": 2, "description": "[low, high]"}
    forms = [pair, *([{"type": "number", "description": "low and high alike"}] if single else []), mapping]
    return {"anyOf": forms, "description": "a range [low, high] (low at most high)"}


def _range_within(what: str, *, low: float | None = None, below: float | None = None) -> AfterValidator:
    """A :class:`Range` of ``what`` whose ``low`` is at least ``low`` and whose ``high`` is under
    ``below``; the error names the end that is out."""
    def check(value: Range) -> Range:
        if low is not None and value.low < low:
            raise ValueError(f"{what} start at {low:g}; got [{value.low:g}, {value.high:g}]")
        if below is not None and value.high >= below:
            raise ValueError(f"{what} stay below {below:g}; got [{value.low:g}, {value.high:g}]")
        return value
    return AfterValidator(check)


Days = Annotated[Range, _range_within("days (counted from an event, never before it)", low=0)]
Price = Annotated[Range, _range_within("prices (rounded to cents)", low=0.01)]
Margin = Annotated[Range, _range_within(
    "margins (unit cost = price × (1 − margin): a margin of 1 gives the goods away)", below=1.0)]
Amount = Annotated[Range, _range_within("amounts", low=0)]


HabitHours = Annotated[Range, WithJsonSchema({
    **_range_schema({"anyOf": [_CLOCK_SCHEMA, {"type": "number", "minimum": 0, "maximum": 48}]}, {
        "type": "object", "additionalProperties": False, "required": ["low", "high"],
        "properties": {"low": {"type": "number", "minimum": 0, "maximum": 24},
                       "high": {"type": "number", "minimum": 0, "maximum": 48}}}, single=False),
    "description": 'from, to: "HH:MM" or hours; an end before the start is on the next day (["22:00", "02:00"])'})]


_MAX_COVER_DAYS = 3650.0  # stock for ten years of demand: beyond it quantities outgrow what the ledgers hold
_FIRST_START, _LAST_START = date(1900, 1, 1), date(2200, 12, 31)  # a run's times must fit the log's timestamps


class Location(_Model):
    name: str = ""


class SkuGroup(_Model):
    """``count`` SKUs named ``{prefix}-{n:03d}``; prices and margins drawn from the catalogue seed."""

    count: int = Field(ge=1, le=100_000)  # SKUs in the group
    category: str = ""
    price: Price = Range(low=20, high=200)
    margin: Margin = Range(low=0.1, high=0.3)  # may be negative (sold below cost)
    demand_weight: float = Field(1.0, gt=0)
    supplier: str = "SUP-1"
    lead_time_days: Days = Range(low=2, high=5)


class ReorderPolicyKind(str, Enum):
    S_S = "sS"  # order up to S when the inventory position falls to s or below
    R_Q = "rQ"  # order Q when the inventory position falls to r or below


class Reorder(_Model):
    """Reorder policy for every SKU, parametrised in days of average demand."""

    policy: ReorderPolicyKind = ReorderPolicyKind.S_S
    reorder_point_days: float = Field(6.0, ge=0, le=_MAX_COVER_DAYS)
    order_up_to_days: float = Field(20.0, gt=0, le=_MAX_COVER_DAYS)
    review_time: Clock = 7.5
    review_days: Weekdays = [0, 1, 2, 3, 4]


class CostChange(_Model):
    """A supplier price-list change: purchase orders created from ``effective`` (local midnight) pay
    ``factor`` × the unit cost before it, for the SKU groups named (every group when none are);
    changes multiply."""

    effective: date
    factor: float = Field(gt=0)
    groups: list[str] | None = None


class Catalogue(_Model):
    groups: dict[str, SkuGroup] = Field(default_factory=lambda: {"GEN": SkuGroup(count=10)})
    reorder: Reorder = Reorder()
    initial_cover_days: float = Field(15.0, ge=0, le=_MAX_COVER_DAYS)
    costing: Literal["moving_average", "fifo"] = "moving_average"  # how the KPIs value issued goods (engine's
    # CostingMethod; named here as text so the scenario needs no engine)
    cost_changes: list[CostChange] = []

    @model_validator(mode="after")
    def _known_groups(self) -> Catalogue:
        for i, change in enumerate(self.cost_changes):
            unknown = [g for g in change.groups or [] if g not in self.groups]
            if unknown:
                raise ValueError(f"cost_changes.{i}.groups: unknown group(s) {', '.join(map(repr, unknown))} "
                                 f"(groups: {', '.join(sorted(self.groups))})")
        return self


class CustomerGroup(_Model):
    """``count`` customers named ``{prefix}-{n:03d}``."""

    count: int = Field(ge=1, le=1_000_000)  # customers in the group
    credit_limit: Amount = Range(low=50_000, high=200_000)
    pay_days: Days = Range(low=15, high=45)
    order_weight: float = Field(1.0, gt=0)
    qty_factor: float = Field(1.0, gt=0, le=1_000)


class Shift(_Model):
    """Working hours on some weekdays; an end before the start runs past midnight (22:00-06:00);
    round the clock is 00:00-24:00."""

    days: Weekdays = Field(min_length=1)
    start: Clock
    end: Clock

    @model_validator(mode="after")
    def _some_hours(self) -> Shift:
        if self.start == self.end:
            raise ValueError(f"start and end are both {self.start:g} h: a shift of no hours (round the clock is "
                             f"start 00:00, end 24:00)")
        return self


class Role(str, Enum):
    SALES = "sales"  # order entry and credit check
    CREDIT_APPROVER = "credit_approver"
    PICKER = "picker"
    DRIVER = "driver"
    WAREHOUSE_CLERK = "warehouse_clerk"  # goods issue / receipt postings, counts
    BUYER = "buyer"
    ACCOUNTANT = "accountant"  # invoices, payments


WAREHOUSE_ROLES = frozenset({Role.PICKER, Role.DRIVER, Role.WAREHOUSE_CLERK})


class StaffMember(_Model):
    role: Role
    location: str | None = None  # None: serves every location
    shift: str = "office"  # when none is given (the scenario must then have an office shift)
    absent_weekdays: Weekdays = []
    enabled: bool = True


class Demand(_Model):
    """Customer orders: a non-homogeneous Poisson process by weekday × hour."""

    orders_per_week: float = Field(300.0, gt=0, le=1_000_000)
    weekday_weights: list[float] = Field(default_factory=lambda: [1, 1, 1, 1, 1, 0.3, 0.1], min_length=7,
                                         max_length=7)
    hour_weights: list[float] = Field(
        default_factory=lambda: [0] * 7 + [1, 3, 4, 4, 3, 2, 3, 4, 3, 2, 1, 0.6, 0.6, 0.5, 0.3, 0, 0],
        min_length=24, max_length=24)
    lines_per_order: Count = Count(mean=3)
    qty_per_line: Quantity = Quantity(mean=12, cv=0.8)
    location_weights: dict[str, float] = Field(default_factory=dict)  # none: every location weighs 1

    def location_weight(self, location: str) -> float:
        """The share weight of ``location``'s orders: its ``location_weights`` entry; without any entries
        every location weighs 1 (a scenario giving some gives every location one)."""
        return self.location_weights.get(location, 0.0 if self.location_weights else 1.0)

    @field_validator("weekday_weights", "hour_weights")
    @classmethod
    def _non_negative(cls, value: list[float]) -> list[float]:
        if any(w < 0 for w in value) or sum(value) <= 0:
            raise ValueError("weights must be non-negative with a positive sum")
        return value

    @field_validator("location_weights")
    @classmethod
    def _some_location(cls, value: dict[str, float]) -> dict[str, float]:
        negative = [loc for loc, w in value.items() if w < 0]
        if negative:
            raise ValueError(f"weights must be non-negative; {', '.join(map(repr, negative))} "
                             f"{'has' if len(negative) == 1 else 'have'} a negative weight")
        if value and sum(value.values()) <= 0:
            raise ValueError("every weight is 0: the location weights leave no location to order from; give at "
                             "least one location a positive weight")
        return value


class Durations(_Model):
    """Working time of each step, in hours."""

    order_entry: Duration = Duration(mean_h=0.1, cv=0.5)
    credit_check: Duration = Duration(mean_h=0.2, cv=0.5)
    credit_approval: Duration = Duration(mean_h=0.3, cv=0.5)
    pick_per_line: Duration = Duration(mean_h=0.15, cv=0.6)
    load: Duration = Duration(mean_h=0.3, cv=0.4)
    drive: Duration = Duration(mean_h=3.0, cv=0.4)
    invoice: Duration = Duration(mean_h=0.1, cv=0.5)
    po_create: Duration = Duration(mean_h=0.3, cv=0.5)
    po_approve: Duration = Duration(mean_h=0.2, cv=0.5)
    unload: Duration = Duration(mean_h=0.5, cv=0.4)
    count_per_sku: Duration = Duration(mean_h=0.05, cv=0.3)
    return_approval: Duration = Duration(mean_h=0.2, cv=0.5)


class Release(_Model):
    """How work reaches the next department: ``push`` at once, or ``batch`` at fixed times of day."""

    mode: Literal["push", "batch"] = "batch"
    times: list[Clock] = [8.0, 13.0]


class Handoffs(_Model):
    order_cutoff: Clock = 16.5  # orders after it wait for the next day's first release
    to_warehouse: Release = Release()
    to_credit_approver: Release = Release(times=[10.0, 15.0])


class PostingBehaviour(_Model):
    """How a movement is posted: goods may move before the posting (``p_move_before_post``), which
    then follows ``delay_h`` after the movement, or never (``p_never`` of those); otherwise it is
    posted as the movement's work starts. Drawn when a worker starts moving the goods (the driver
    loading, the clerk unloading)."""

    p_move_before_post: float = Field(0.3, ge=0, le=1)
    delay_h: Duration = Duration(dist="exponential", mean_h=0.15)
    p_never: float = Field(0.0, ge=0, le=1)


class Movement(str, Enum):
    ISSUE = "issue"
    RECEIPT = "receipt"


class PostingHabit(PostingBehaviour):
    """A habit that replaces the default behaviour at some locations, weekdays and hours (of the
    movement: the load or the unloading, in the scenario's time zone). What it does not give
    (``p_move_before_post``, ``delay_h``, ``p_never``) is the world's usual behaviour for its movement
    (``posting.issue`` or ``posting.receipt``).

    ``post_at: next_workday`` posts at the next working day's first office hour (Friday
    receipts posted on Monday) instead of after ``delay_h``; such a habit moves the goods first
    (``p_move_before_post`` 1.0) unless it gives another share. Hours may run past midnight into the
    next day: ``[22, 2]`` (or ``[22, 26]``) on Friday is Friday 22:00 to Saturday 02:00. Hours are
    numbers or ``"HH:MM"`` as shift times are: ``["22:00", "02:00"]`` is ``[22, 2]``.

    >>> night = PostingHabit(weekdays=[4], hours=[22, 2])
    >>> night.hours.high, night.windows()
    (26.0, [((4,), 22.0, 24.0), ((5,), 0.0, 2.0)])
    >>> night.applies(Movement.ISSUE, "WH-A", 5, 1.5), night.applies(Movement.ISSUE, "WH-A", 4, 1.5)
    (True, False)
    >>> PostingHabit(hours=["20:30", "02:00"]).hours
    Range(low=20.5, high=26.0)
    """

    enabled: bool = True
    movement: Movement = Movement.ISSUE
    locations: Annotated[list[str], Field(min_length=1), _a_list_of("location names")] | None = None  # None: all
    weekdays: Weekdays = Field(default=[0, 1, 2, 3, 4, 5, 6], min_length=1)
    hours: HabitHours = Range(low=0, high=24)
    post_at: Literal["after_delay", "next_workday"] = "after_delay"

    @field_validator("hours", mode="before")
    @classmethod
    def _past_midnight(cls, value: Any) -> Any:
        """``"HH:MM"`` as hours; ``[22, 2]``: an end before the start is on the next day (``[22, 26]``)."""
        if isinstance(value, (list, tuple)) and len(value) == 2:
            value = [_habit_hour(v) for v in value]
            if all(isinstance(v, (int, float)) for v in value) and 0 <= value[1] < value[0]:
                return [value[0], value[1] + 24]
        return value

    @field_validator("hours")
    @classmethod
    def _hours_of_a_day(cls, hours: Range) -> Range:
        if not (0 <= hours.low < 24 and hours.low < hours.high <= min(hours.low + 24, 48)):
            raise ValueError(f"hours run from a start in [0, 24) to a later end, at most a day on; got "
                             f"[{hours.low:g}, {hours.high:g}] (past midnight: [22, 2], i.e. 22:00 to 02:00 the "
                             f"next day)")
        return hours

    def windows(self) -> list[tuple[tuple[int, ...], float, float]]:
        """The habit as (weekdays, from hour, to hour) within a day: one, or two when it runs past midnight
        (the part after midnight on the days after its weekdays)."""
        days = tuple(sorted(set(self.weekdays)))
        low, high = float(self.hours.low), float(self.hours.high)
        if high <= 24:
            return [(days, low, high)]
        return [(days, low, 24.0), (tuple(sorted({(d + 1) % 7 for d in days})), 0.0, high - 24)]

    def applies(self, movement: Movement, location: str, weekday: int, hour: float) -> bool:
        return (self.enabled and movement is self.movement
                and (self.locations is None or location in self.locations)
                and any(weekday in days and low <= hour < high for days, low, high in self.windows()))


class Posting(_Model):
    """How goods issues and receipts are posted, and the habits that differ at some places and times.
    A habit's ``p_move_before_post``, ``delay_h`` and ``p_never``, when it does not give them, are
    those of its movement's behaviour here (``issue`` or ``receipt``), but for a ``post_at: next_workday``
    habit's ``p_move_before_post``, 1.0 (posted the next working day, the goods moved first)."""

    issue: PostingBehaviour = PostingBehaviour()
    receipt: PostingBehaviour = PostingBehaviour(p_move_before_post=1.0, delay_h=Duration(mean_h=0.5, cv=0.5))
    habits: dict[str, PostingHabit] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _habits_inherit(cls, data: Any) -> Any:
        """Fill each habit's missing behaviour keys from its movement's (as given, else the defaults); a habit
        posting on the next working day moves the goods first (``p_move_before_post`` 1.0) unless it says
        otherwise: posted on the next working day means moved before the posting."""
        if not isinstance(data, dict) or not isinstance(data.get("habits"), dict):
            return data
        defaults = {"issue": cls.model_fields["issue"].default, "receipt": cls.model_fields["receipt"].default}
        habits = {}
        for name, habit in data["habits"].items():
            if isinstance(habit, dict):
                movement = habit.get("movement", Movement.ISSUE.value)
                movement = getattr(movement, "value", movement)
                usual = data.get(movement) if movement in defaults else None
                if isinstance(usual, PostingBehaviour):
                    usual = usual.model_dump()
                base = defaults[movement].model_dump() if movement in defaults else {}
                if isinstance(usual, dict):
                    base.update(usual)
                if habit.get("post_at") == "next_workday":
                    base["p_move_before_post"] = 1.0
                habit = {**{k: base[k] for k in ("p_move_before_post", "delay_h", "p_never") if k in base}, **habit}
            habits[name] = habit
        return {**data, "habits": habits}


class Purchasing(_Model):
    approval_threshold: float | None = Field(20_000, ge=0)  # None: no purchase order needs approval
    supplier_invoice_days: Days = Range(low=2, high=7)
    payment_days: Days = Range(low=20, high=40)
    receiving_shift: str = "warehouse"


class Transfers(_Model):
    """Stock moved between locations (off unless enabled): on ``review_days`` at ``review_time`` a
    SKU whose available stock at a location is below ``below_days`` of its expected demand (and
    whose position there, on order and in transit included, is below ``up_to_days``) is topped
    up to ``up_to_days`` from the location with the most spare stock, as far as that one keeps
    ``max(keep_days, below_days)`` (a location short itself never gives). Picked and loaded at the
    source, ``transit_days`` on the road (arriving in the receiving shift), unloaded by a clerk at
    the destination; the out leg is posted as issues are (``posting.issue``; at the loading scan
    where scan-to-ship applies), the in leg as receipts are (``posting.receipt``) once the out
    leg is; no habit applies."""

    enabled: bool = False
    review_days: Weekdays = [0, 2, 4]
    review_time: Clock = 9.0
    below_days: float = Field(2.0, ge=0, le=_MAX_COVER_DAYS)
    up_to_days: float = Field(6.0, gt=0, le=_MAX_COVER_DAYS)
    keep_days: float = Field(8.0, ge=0, le=_MAX_COVER_DAYS)
    transit_days: Days = Range(low=0.5, high=1.5)

    @model_validator(mode="after")
    def _ordered_days(self) -> Transfers:
        if self.up_to_days < self.below_days:
            raise ValueError(f"up_to_days ({self.up_to_days}) is below below_days ({self.below_days})")
        return self


class Returns(_Model):
    """Customers send goods back: a delivered line comes back (in part) with chance ``p_line``, the
    customer asking ``after_days`` (rounded to whole days, at least one) after the delivery, at about the time of
    day it came (the next office opening if the office is closed then); a return worth more than
    ``approval_threshold`` waits for a sales approver (none: no approval), then the goods travel
    back for ``transit_days`` (arriving in the receiving shift), a clerk unloads them and they are
    posted as receipts are (``posting.receipt``: its delay and its share never posted; no habit)."""

    enabled: bool = False
    p_line: float = Field(0.02, ge=0, le=1)
    share: Range = Range(low=0.1, high=1.0)  # of the delivered quantity (at least one unit)
    after_days: Days = Range(low=1, high=10)
    approval_threshold: float | None = Field(1_000, ge=0)
    transit_days: Days = Range(low=1, high=3)

    @field_validator("share")
    @classmethod
    def _a_share(cls, value: Range) -> Range:
        if not 0 < value.low <= value.high <= 1:
            raise ValueError(f"a share of the delivered quantity is in (0, 1], got [{value.low}, {value.high}]")
        return value


class Counts(_Model):
    """Stock counts: every SKU at every location on the last working day of each month."""

    enabled: bool = True
    time: Clock = 17.0
    locations: Locations | None = None


class Scope(_Model):
    enabled: bool = False
    locations: Locations | None = None  # None: every location


class CreditRules(_Model):
    """When an order is held for the credit approver (the engine's ``CreditRule``): an amount above
    ``review_threshold`` (None: no threshold), unless below ``fast_track_below``, or a customer's
    exposure plus the order above the credit limit (``use_credit_limit``)."""

    review_threshold: float | None = Field(50_000, ge=0)
    use_credit_limit: bool = True
    fast_track_below: float | None = Field(None, ge=0)


class PostingDeadlineRule(Scope):
    """Goods moved and not posted within ``hours`` raise an alert; still unposted ``escalate_after_h``
    after they moved (not after the alert; None: never; not given: twice ``hours``), an escalation (the
    engine's ``PostingDeadline``).

    >>> PostingDeadlineRule(enabled=True, hours=5).escalate_after_h
    10.0
    """

    hours: float = Field(2.0, gt=0)
    escalate_after_h: float | None = Field(4.0, gt=0, validate_default=True,
                                           description="hours after the goods moved; default: twice hours")

    @model_validator(mode="before")
    @classmethod
    def _escalate_twice_as_late(cls, data: Any) -> Any:
        """Not given, the escalation comes at twice the alert's hours (4 h for the default 2 h)."""
        if isinstance(data, dict) and "escalate_after_h" not in data:
            hours = data.get("hours", 2.0)
            if isinstance(hours, (int, float)) and not isinstance(hours, bool):
                return {**data, "escalate_after_h": 2.0 * hours}
        return data

    @field_validator("escalate_after_h")
    @classmethod
    def _escalates_after_the_alert(cls, value: float | None, info: ValidationInfo) -> float | None:
        hours = info.data.get("hours")
        if value is not None and hours is not None and value < hours:
            raise ValueError(f"{value:g} h is before the alert (hours: {hours:g}); both count from the movement, "
                             f"so the escalation comes at or after the alert")
        return value


class NotificationRules(_Model):
    """Who is told of new work (the engine's ``Notifications``): ``push_on_new_order`` tells the
    warehouse of each order as it arrives (logged then), so a released order is picked when a picker
    is next on shift, whatever the cut-off and the batch times; ``digest_times`` send the credit
    approver a digest of the orders on hold, which they see at the first digest or their own look
    (``handoffs.to_credit_approver``), whichever comes first (logged when the digest does). The push
    applies at ``locations`` (None: every location); the digests reach the one credit office.

    >>> NotificationRules(push_on_new_order=True, locations=["WH-A"]).pushes("WH-B")
    False
    """

    push_on_new_order: bool = False
    digest_times: list[Clock] = []
    locations: Locations | None = None  # where the warehouse is told of each order (None: every location)

    @field_validator("digest_times")
    @classmethod
    def _of_the_day(cls, times: list[float]) -> list[float]:
        """A digest at 24:00 is the next day's at 00:00."""
        return [t % 24 for t in times]

    def pushes(self, location: str) -> bool:
        """Whether the warehouse at ``location`` is told of each new order as it arrives."""
        return self.push_on_new_order and (self.locations is None or location in self.locations)


class Rules(_Model):
    credit: CreditRules = CreditRules()
    scan_to_ship: Scope = Scope()
    posting_deadline: PostingDeadlineRule = PostingDeadlineRule()
    notifications: NotificationRules = NotificationRules()


class ActivityNames(_Model):
    """The log's activity name for each step (what a real ERP would write)."""

    order_received: str = "Order received"
    credit_check: str = "Credit check"
    credit_hold: str = "Credit hold"
    credit_approved: str = "Credit approved"
    credit_rejected: str = "Credit rejected"
    allocate: str = "Allocate stock"
    backorder: str = "Backorder"
    pick: str = "Pick goods"
    physical_issue: str = "Load truck"
    book_issue: str = "Post goods issue"
    deliver: str = "Deliver to customer"
    invoice: str = "Issue invoice"
    payment: str = "Payment received"
    credit_note: str = "Credit note"
    refund: str = "Refund customer"
    po_created: str = "Create purchase order"
    po_approved: str = "Approve purchase order"
    physical_receipt: str = "Goods arrive"
    book_receipt: str = "Post goods receipt"
    supplier_invoice: str = "Supplier invoice"
    supplier_payment: str = "Pay supplier"
    transfer_created: str = "Create transfer order"
    transfer_cancelled: str = "Cancel transfer order"
    transfer_physical_out: str = "Transfer leaves"
    transfer_book_out: str = "Post transfer out"
    transfer_physical_in: str = "Transfer arrives"
    transfer_book_in: str = "Post transfer in"
    return_requested: str = "Return requested"
    return_approved: str = "Return approved"
    return_physical_in: str = "Returned goods arrive"
    return_book_in: str = "Post customer return"
    count: str = "Stock count"
    adjustment: str = "Stock adjustment"
    alert: str = "Posting alert"
    escalation: str = "Posting escalation"
    notification: str = "New order notification"

    @model_validator(mode="after")
    def _distinct(self) -> ActivityNames:
        """Each step its own name: the log's profile maps a name to one semantic, so two steps under
        one name (a goods issue and a goods receipt both "Post") could not be told apart when read back."""
        seen: dict[str, str] = {}
        for step, name in self.model_dump().items():
            if not name.strip():
                raise ValueError(f"{step}: an activity name cannot be blank")
            if name in seen:
                raise ValueError(f"{seen[name]} and {step} are both {name!r}: each step needs its own name "
                                 "(the log's profile maps a name to one semantic)")
            seen[name] = step
        return self


class Scenario(_Model):
    """A complete, validated world description."""

    schema_version: Literal[1] = SCHEMA_VERSION
    name: str
    description: str = ""
    timezone: str = "Asia/Shanghai"
    currency: str | None = Field(None, json_schema_extra={"pattern": "^[A-Z]{3}$"})  # ISO 4217 code of every
    # amount (prices, invoices, KPIs); None: unnamed
    start: date = date(2025, 1, 6)
    catalogue_seed: int = Field(7, ge=0)
    locations: dict[str, Location] = Field(min_length=1)
    catalogue: Catalogue = Catalogue()
    customers: dict[str, CustomerGroup] = Field(default_factory=lambda: {"CUST": CustomerGroup(count=20)})
    shifts: dict[str, Shift] = Field(default_factory=lambda: {
        "office": Shift(days=[0, 1, 2, 3, 4], start=8.5, end=17.5),
        "warehouse": Shift(days=[0, 1, 2, 3, 4, 5], start=7.0, end=16.5)})
    staff: dict[str, StaffMember] = Field(default_factory=dict)
    demand: Demand = Demand()
    durations: Durations = Durations()
    handoffs: Handoffs = Handoffs()
    posting: Posting = Posting()
    purchasing: Purchasing = Purchasing()
    counts: Counts = Counts()
    returns: Returns = Returns()
    transfers: Transfers = Transfers()
    rules: Rules = Rules()
    activity_names: ActivityNames = ActivityNames()

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}") from exc
        return value

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str | None) -> str | None:
        if value is not None and not (len(value) == 3 and value.isascii() and value.isalpha() and value.isupper()):
            raise ValueError(f"{value!r} is not an ISO 4217 currency code (three capital letters, e.g. CNY, EUR, USD)")
        return value

    @field_validator("start")
    @classmethod
    def _monday(cls, value: date) -> date:
        if not _FIRST_START <= value <= _LAST_START:
            raise ValueError(f"{value} is outside {_FIRST_START.year}-{_LAST_START.year}, the years a log's "
                             f"timestamps can hold with a run's weeks after them")
        if value.weekday() != 0:
            raise ValueError(f"{value} is a {WEEKDAY_NAMES[value.weekday()]}; a scenario starts on a Monday")
        return value

    @model_validator(mode="after")
    def _references(self) -> Scenario:
        known = set(self.locations)

        def check(where: str, locations: list[str] | None) -> None:
            for loc in locations or []:
                if loc not in known:
                    raise ValueError(f"{where}: unknown location {loc!r} (known: {', '.join(sorted(known))})")

        for name, member in self.staff.items():
            if member.location is not None and member.role not in WAREHOUSE_ROLES:
                raise ValueError(f"staff.{name}.location: a {member.role.value} serves every location; remove "
                                 f"location (only pickers, drivers and warehouse clerks work at one)")
            if member.location is not None:
                check(f"staff.{name}.location", [member.location])
            elif member.role in WAREHOUSE_ROLES:
                raise ValueError(f"staff.{name}.location: a {member.role.value} works at one location; name it")
            if member.shift not in self.shifts and "shift" not in member.model_fields_set:
                raise ValueError(f"staff.{name}.shift: none given, and the default {member.shift!r} (used when a "
                                 f"member names no shift) is not a shift of this scenario: give {name} one of "
                                 f"{', '.join(sorted(self.shifts))} (shift: {sorted(self.shifts)[0]}), or add a "
                                 f"shift named {member.shift!r} under shifts")
            if member.shift not in self.shifts:
                raise ValueError(f"staff.{name}.shift: unknown shift {member.shift!r} "
                                 f"(known: {', '.join(sorted(self.shifts))})")
            if member.enabled and not set(self.shifts[member.shift].days) - set(member.absent_weekdays):
                raise ValueError(f"staff.{name}.absent_weekdays: absent on every day of shift {member.shift!r}, "
                                 f"{name} never works (switch them off with enabled: false)")
        for name, habit in self.posting.habits.items():
            check(f"posting.habits.{name}.locations", habit.locations)
        check("demand.location_weights", list(self.demand.location_weights))
        unweighted = [loc for loc in self.locations if self.demand.location_weights and
                      loc not in self.demand.location_weights]
        if unweighted:
            raise ValueError(f"demand.location_weights: no weight for {', '.join(map(repr, unweighted))}: with "
                             f"location_weights given, every location needs one (give it 0 for no orders there)")
        check("counts.locations", self.counts.locations)
        check("rules.scan_to_ship.locations", self.rules.scan_to_ship.locations)
        check("rules.posting_deadline.locations", self.rules.posting_deadline.locations)
        check("rules.notifications.locations", self.rules.notifications.locations)
        if self.purchasing.receiving_shift not in self.shifts:
            raise ValueError(f"purchasing.receiving_shift: unknown shift {self.purchasing.receiving_shift!r}")
        if self.transfers.enabled and len(self.locations) < 2:
            raise ValueError(f"transfers.enabled: transfers move goods between locations; the scenario has "
                             f"{len(self.locations)} ({', '.join(self.locations)})")
        return self


def inert_habits(scenario: Scenario) -> list[str]:
    """A note for each enabled posting habit that can never act: its hours on its weekdays lie outside
    the shifts (less absences, plus an allowance for work finishing after the shift: three times the
    mean load or unload) of every driver (issues) or warehouse clerk (receipts) at its locations, the
    habit being drawn as they finish moving the goods. Not an error: a what-if may take those people
    away on purpose.

    >>> sc = parse_scenario({"name": "t", "locations": {"W": {}},
    ...     "staff": {"D": {"role": "driver", "location": "W", "shift": "warehouse"}},
    ...     "posting": {"habits": {"night": {"weekdays": ["Sun"], "hours": [1, 5]}}}})
    >>> inert_habits(sc)[0].split(":")[0]
    'posting.habits.night'
    """
    notes = []
    for name, habit in scenario.posting.habits.items():
        if not habit.enabled:
            continue
        role = Role.DRIVER if habit.movement is Movement.ISSUE else Role.WAREHOUSE_CLERK
        where = list(scenario.locations) if habit.locations is None else habit.locations
        movers = [m for m in scenario.staff.values() if m.enabled and m.role is role and m.location in where]
        if not movers:
            continue  # no one moves these goods at all: the run says which staff is missing
        work = scenario.durations.load if habit.movement is Movement.ISSUE else scenario.durations.unload
        allowance = 3 * work.mean_h
        worked = WeeklyCalendar.merge((a, b + allowance) for m in movers for a, b in WeeklyCalendar.of_member(
            scenario.shifts[m.shift], m.absent_weekdays).windows)
        hours = WeeklyCalendar.merge((d * 24 + low, d * 24 + high) for days, low, high in habit.windows() for d in days)
        if any(a < d and c < b for a, b in hours.windows for c, d in worked.windows):
            continue
        who = sorted({f"{m.shift} ({_shift_text(scenario.shifts[m.shift])}"
                      + (f", away {'/'.join(WEEKDAY_NAMES[d] for d in sorted(set(m.absent_weekdays)))}"
                         if m.absent_weekdays else "") + ")" for m in movers})
        notes.append(f"posting.habits.{name}: never acts: no {role.value} at {', '.join(where) or 'any location'} "
                     f"works on {', '.join(WEEKDAY_NAMES[d] for d in sorted(set(habit.weekdays)))} "
                     f"{_clock_text(habit.hours.low)}-{_clock_text(habit.hours.high, end=True)}, when the habit's "
                     f"{habit.movement.value}s would be moved (their shifts: {'; '.join(who)})")
    return notes


def _clock_text(hours: float, *, end: bool = False) -> str:
    """``hours`` as HH:MM of its day; an ``end`` at a midnight after the start is 24:00 (a whole day is
    00:00-24:00, not 00:00-00:00).

    >>> _clock_text(26.5), _clock_text(24.0), _clock_text(24.0, end=True), _clock_text(0.0, end=True)
    ('02:30', '00:00', '24:00', '00:00')
    """
    minutes = round(hours * 60)
    if end and minutes > 0 and minutes % (24 * 60) == 0:
        return "24:00"
    minutes %= 24 * 60
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _shift_text(shift: Shift) -> str:
    return f"{'/'.join(WEEKDAY_NAMES[d] for d in sorted(set(shift.days)))} {_clock_text(shift.start)}-" \
           f"{_clock_text(shift.end, end=True)}"


_ENTRY_NOUNS = {"habits": "habit", "staff": "staff member", "locations": "location", "groups": "SKU group",
                "customers": "customer group", "shifts": "shift"}
_KEEP_IT = "change its fields instead, or write a scenario without it instead of extending one"
_INSTEAD_OF_REMOVING = {
    "location_weights": "give it 0 for no orders there",
    "shifts": "move its staff to another shift instead (a shift nobody works changes nothing)",
    "groups": "give its SKUs less demand instead, or write a scenario without the group",
    "locations": "to take its orders away give it 0 in demand.location_weights (keeping its pickers, drivers and "
                 "clerks: the world still needs them there); to drop it, write a scenario without it instead of "
                 "extending one",
    "staff": "switch them off with enabled: false",
    "habits": "switch it off with enabled: false ('*': {enabled: false} switches off every habit)",
}
EVERY = "*"  # an overlay's key for "every entry of this mapping" (habits: {"*": {enabled: false}})


def _merge(base: Any, overlay: Any, path: tuple[str, ...] = (), *, onto_base: bool = False) -> Any:
    """Overlay onto base: mappings merge key by key, anything else replaces.

    An overlay mapping's ``"*"`` entry is merged into every entry the base already has (before
    the entries the overlay names, which win), so an overlay can switch off every habit of a
    world it has never seen; with nothing to apply to it does nothing. ``onto_base`` (an overlay on a
    scenario, not a file alone): an entry of a named mapping (staff, habits, locations...) the base
    lacks and the overlay gives only ``enabled: false`` is refused, naming the closest entry: it
    would add a disabled entry and leave the one meant (a typo's) as it was.

    >>> _merge({"a": {"on": True, "n": 1}, "b": {"on": True}}, {"*": {"on": False}, "b": {"on": True}})
    {'a': {'on': False, 'n': 1}, 'b': {'on': True}}
    """
    if isinstance(overlay, dict):
        where = "".join(f"{p}." for p in path)
        if not isinstance(base, dict):
            base = {}
        merged = dict(base)
        if EVERY in overlay:
            every = overlay[EVERY]
            if not isinstance(every, dict):
                raise ScenarioError(f"{where}{EVERY}: must be a mapping merged into every entry, "
                                    f"got {every!r}")
            for key, value in base.items():
                merged[key] = _merge(value, every, (*path, key), onto_base=onto_base)
        for key, value in overlay.items():
            if key == EVERY:
                continue
            if onto_base and value is None and is_named_mapping(Scenario, path):
                noun = _ENTRY_NOUNS.get(path[-1], "entry") if path else "entry"
                article = "an" if noun[0] in "aeiou" else "a"
                raise ScenarioError(f"{where}{key}: an overlay cannot remove {article} {noun} (null removes nothing: "
                                    f"mappings merge key by key); {_INSTEAD_OF_REMOVING.get(path[-1], _KEEP_IT)}")
            if onto_base and key not in base and value == {"enabled": False} and is_named_mapping(Scenario, path):
                near = closest(str(key), [str(k) for k in base])
                hint = (f"did you mean {near!r}?" if near else
                        f"it has {', '.join(map(repr, base))}" if base else "it has none")
                noun = _ENTRY_NOUNS.get(path[-1], "entry") if path else "entry"
                raise ScenarioError(f"{where}{key}: no such {noun} in the scenario ({hint}); an overlay giving only "
                                    f"enabled: false would add a new, disabled {noun} and switch nothing off")
            merged[key] = _merge(merged.get(key), value, (*path, key), onto_base=onto_base)
        return merged
    return copy.deepcopy(overlay)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: not UTF-8 text (byte {exc.start}); save the file as UTF-8") from None
    except ValueError as exc:  # PyYAML's own conversions: a date such as 2025-13-01
        raise ScenarioError(f"{path}: a value YAML cannot read: {exc} (a date is YYYY-MM-DD)") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ScenarioError(f"{path}{line}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: a scenario must be a mapping of keys to values")
    return data


def resolve_extends(path: Path, _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The scenario data at ``path`` with its ``extends:`` chain merged in (base first)."""
    path = path.resolve()
    if path in _seen:
        chain = " -> ".join(str(p) for p in (*_seen, path))
        raise ScenarioError(f"{path}: extends forms a cycle: {chain}")
    data = _read_yaml(path)
    parent = data.pop("extends", None)
    if parent is None:
        return _merged({}, data, path, onto_base=False)  # a "*" here has nothing to apply to
    if not isinstance(parent, str):
        raise ScenarioError(f"{path}: extends: must be a path to a scenario file")
    target = path.parent / parent
    if not target.is_file():
        what = "a directory, not a scenario file" if target.is_dir() else "no such file"
        raise ScenarioError(f"{path}: extends: {parent!r}: {what} ({target}; the path is relative to the folder of "
                            "the file that extends it)")
    base = resolve_extends(target, (*_seen, path))
    return _merged(base, data, path)


def _merged(base: dict[str, Any], overlay: dict[str, Any], path: Path | str, *, onto_base: bool = True
            ) -> dict[str, Any]:
    """:func:`_merge`, its errors naming the file."""
    try:
        return _merge(base, overlay, onto_base=onto_base)
    except ScenarioError as exc:
        raise ScenarioError(f"{path}: {exc}") from None


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        msg = field_message(Scenario, err) or msg
        parts.append(f"{field}: {msg}" if field else msg)
    return "; ".join(parts)


def parse_scenario(data: dict[str, Any], *, source: str | Path = "<scenario>") -> Scenario:
    """Validate scenario data (``extends`` already resolved)."""
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(f"{source}: invalid scenario: {_describe(exc)}") from None


def load_scenario(path: str | Path, *, changes: list[str | Path] = ()) -> Scenario:
    """Load a scenario file and apply what-if overlays in order (each may itself extend others).

    An overlay's own ``extends`` is ignored when it is applied as a change: it is merged onto
    the scenario being built.
    """
    path = Path(path)
    data = resolve_extends(path)
    for change in changes:
        overlay = _read_yaml(Path(change))
        overlay.pop("extends", None)
        data = _merged(data, overlay, change)
    source = path if not changes else f"{path} + {', '.join(str(c) for c in changes)}"
    scenario = parse_scenario(data, source=source)
    _SOURCES[id(scenario)] = {"file": str(path), "changes": [str(c) for c in changes]}
    weakref.finalize(scenario, _SOURCES.pop, id(scenario), None)
    return scenario


_SOURCES: dict[int, dict[str, Any]] = {}  # id of a loaded scenario -> its file and overlays (not part of its value)


def scenario_source(scenario: Scenario) -> dict[str, Any] | None:
    """The scenario file and ``--change`` overlays (as given) :func:`load_scenario` made ``scenario``
    from; ``None`` for a scenario built otherwise (:func:`parse_scenario`, a copy).

    >>> scenario_source(load_scenario("scenarios/baseline.yaml"))
    {'file': 'scenarios/baseline.yaml', 'changes': []}
    """
    return _SOURCES.get(id(scenario))


def scenario_json_schema() -> dict[str, Any]:
    """The JSON Schema of scenario files as written, overlays (``extends``) included: see
    :mod:`jxcsim.world.export_schema`, which writes it to ``scenarios/scenario.schema.json``."""
    from .export_schema import scenario_json_schema as schema  # it builds on this module's models
    return schema()
