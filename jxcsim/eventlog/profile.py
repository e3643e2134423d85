"""Log profiles: how a foreign log's columns and activity names map onto engine semantics.

A profile is a small YAML file a consultant writes in minutes (docs/profiles.md)::

    columns: {case: order_no, activity: step, timestamp: done_at, location: warehouse}
    timezone: Asia/Shanghai
    activities: {Load truck: physical_issue, Post goods issue: book_issue}

>>> p = LogProfile.model_validate({"columns": {"case": "order_no"},
...                                "activities": {"Load truck": "physical_issue"}})
>>> p.columns.case, p.activities["Load truck"].value
('order_no', 'physical_issue')
"""

from __future__ import annotations

import difflib
import re
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from ..validation import field_message
from .errors import ProfileError
from .schema import Semantic

ColumnRef = str | list[str] | None


class ColumnMap(BaseModel):
    """Which source column plays which role. ``None`` means: absent (or auto-detected).

    A timestamp may be a list of columns joined with a space, e.g. a date and a time column
    (SAP's ``ERDAT`` + ``ERZET``).
    """

    model_config = ConfigDict(extra="forbid")

    case: str | None = None
    activity: str | None = None
    timestamp: ColumnRef = None
    start_timestamp: ColumnRef = None
    resource: str | None = None
    lifecycle: str | None = None
    location: str | None = None
    sku: str | None = None
    qty: str | None = None
    line: str | None = None
    doc_type: str | None = None
    customer: str | None = None
    supplier: str | None = None
    amount: str | None = None
    price: str | None = None
    to_location: str | None = None
    delivery: str | None = None


class CountColumns(BaseModel):
    """Columns with the counted and the book quantity on ``count`` events."""

    model_config = ConfigDict(extra="forbid")

    counted: str | None = None
    book: str | None = None


class LogProfile(BaseModel):
    """Mapping of one log's columns and activity names onto jxcsim's canonical frame."""

    model_config = ConfigDict(extra="forbid")

    columns: ColumnMap = Field(default_factory=ColumnMap)
    timezone: str | None = None
    strict: bool = False
    activities: dict[str, Semantic] = Field(default_factory=dict)
    count_columns: CountColumns = Field(default_factory=CountColumns)
    timestamp_format: str | None = None
    dayfirst: bool | None = None  # None: from the data (see timezone.day_first)
    encoding: str | None = None
    delimiter: str | None = None
    decimal: Literal[".", ","] | None = None  # None: from the data, else ',' for ';'-delimited files
    object_type: str | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str | None) -> str | None:
        if value is None:
            return value
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r} (use an IANA name such as Asia/Shanghai)") from exc
        return value

    def semantic_of(self, activity: str) -> Semantic | None:
        """The semantic of a log activity name, or ``None`` when the profile does not map it."""
        return self.activities.get(activity)


def _loose(name: str) -> str:
    """An activity name as compared loosely: case-folded, each run of whitespace, hyphens, underscores
    or other punctuation one space (``Credit-Hold``, ``credit_hold`` and ``Credit  hold`` are alike);
    a name of punctuation only keeps it, so it is not alike every other such name.

    >>> _loose("Credit-Hold"), _loose("post_goods  issue"), _loose("装车 (WH-A)"), _loose(" -> ")
    ('credit hold', 'post goods issue', '装车 wh a', '->')
    """
    text = str(name)
    loose = re.sub(r"[\W_]+", " ", text).strip()
    return (loose or re.sub(r"\s+", " ", text).strip()).casefold()


MAX_NAMED = 10  # profile activities named in the note on those the log lacks


def match_activities(activities: dict[str, str], names: list[str]) -> tuple[dict[str, str], list[str]]:
    """Map the log's activity ``names`` through the profile's ``activities`` (name -> semantic).

    A profile name absent from the log takes the log's names equal to it ignoring case, whitespace,
    hyphens, underscores and other punctuation (``Load Truck`` takes ``Load truck``, ``Credit-Hold``
    takes ``Credit hold``), with a note; one close to a log name in that loose form (:mod:`difflib`,
    ratio at least 0.85) is noted with a did-you-mean. Other absent names are noted only when no
    profile name is in the log: a profile usually maps more than one log holds (the simulator's
    maps transfers and returns a baseline never has).

    >>> match_activities({"Load Truck": "physical_issue", "Post GI": "book_issue"}, ["Load truck", "Post GI"])
    ({'Load Truck': 'physical_issue', 'Post GI': 'book_issue', 'Load truck': 'physical_issue'}, ["profile activity 'Load Truck' matched the log's 'Load truck' (case, spaces or punctuation differ)"])
    >>> match_activities({"Pick goodz": "pick", "Pack goods": "pick"}, ["Pick goods", "Pack goods"])[1]
    ["profile activities not in the log: 'Pick goodz' (did you mean 'Pick goods'?)"]
    """
    present = set(names)
    mapping = dict(activities)
    by_loose: dict[str, list[str]] = {}
    for name in names:
        if name not in activities:
            by_loose.setdefault(_loose(name), []).append(name)
    notes: list[str] = []
    missing: list[str] = []
    absent = 0
    for wanted, semantic in activities.items():
        if wanted in present:
            continue
        absent += 1
        loose = by_loose.get(_loose(wanted), [])
        if loose:
            mapping.update({name: semantic for name in loose})
            found = ", ".join(repr(n) for n in loose)
            notes.append(f"profile activity {wanted!r} matched the log's {found} (case, spaces or punctuation differ)")
            continue
        # a typo: close, in the loose form, to a log name the profile does not map
        close = difflib.get_close_matches(_loose(wanted), list(by_loose), n=1, cutoff=0.85)
        if close:
            missing.append(f"{wanted!r} (did you mean {by_loose[close[0]][0]!r}?)")
    if absent == len(activities) and mapping == activities:  # nothing of the profile is in the log
        which = "the profile's only activity is not" if len(activities) == 1 else \
            f"none of the profile's {len(activities):,} activities is"
        notes.append(f"{which} in the log: is the profile for "
                     f"another log? (log activities: {', '.join(repr(n) for n in names[:5])}"
                     f"{', …' if len(names) > 5 else ''})")
    if missing:
        more = f", and {len(missing) - MAX_NAMED} more" if len(missing) > MAX_NAMED else ""
        notes.append(f"profile activities not in the log: {', '.join(missing[:MAX_NAMED])}{more}")
    return mapping, notes


def _format_validation_error(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"]) or "<root>"
        msg = field_message(LogProfile, err) or err["msg"]
        if err["type"] == "enum":
            msg = f"unknown semantic {err.get('input')!r}; see docs/semantics.md"
        parts.append(f"{path}: {msg}")
    return "; ".join(parts)


def parse_profile(data: Any, *, source: str | Path | None = None) -> LogProfile:
    """Validate a profile given as a mapping; errors name the field path.

    >>> parse_profile({"colums": {}})
    Traceback (most recent call last):
    ...
    jxcsim.eventlog.errors.ProfileError: <input>: invalid log profile: colums: unknown key (did you mean 'columns'?)
    """
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ProfileError("a log profile must be a mapping of keys to values", path=source)
    try:
        return LogProfile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(f"invalid log profile: {_format_validation_error(exc)}", path=source) from None


def load_profile(path: str | Path) -> LogProfile:
    """Read and validate a YAML log profile."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ProfileError(f"cannot read profile: {exc.strerror or exc}", path=path) from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ProfileError(f"not valid YAML: {getattr(exc, 'problem', exc)}", path=path,
                           row=None if mark is None else mark.line + 1) from None
    return parse_profile(data, source=path)


def dump_profile(profile: LogProfile) -> str:
    """The profile as YAML text, omitting empty fields (round-trips through :func:`parse_profile`)."""
    data = profile.model_dump(mode="json", exclude_none=True, exclude_defaults=True)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
