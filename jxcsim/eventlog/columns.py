"""Resolve which source column plays which role: from the profile, else by well-known names."""

from __future__ import annotations

import re

from .errors import EventLogError
from .profile import LogProfile
from .schema import ROLE_COLUMNS

# Well-known names per role, compared after lower-casing and dropping non-alphanumerics.
_KNOWN: dict[str, tuple[str, ...]] = {
    "case": ("case:concept:name", "case_id", "caseid", "case", "case id", "trace_id", "traceid"),
    "activity": ("concept:name", "activity", "activity_name", "activityname", "task", "event", "step"),
    "timestamp": ("time:timestamp", "timestamp", "end_time", "endtime", "end_timestamp",
                  "complete_timestamp", "completetimestamp", "time", "datetime", "end"),
    "start_timestamp": ("start_timestamp", "start_time", "starttime", "start"),
    "resource": ("org:resource", "resource", "user", "performer", "agent"),
    "lifecycle": ("lifecycle:transition", "lifecycle"),
    "location": ("location",),
    "sku": ("sku",),
    "qty": ("qty",),
    "line": ("line",),
    "doc_type": ("doc_type",),
    "customer": ("customer",),
    "supplier": ("supplier",),
    "amount": ("amount",),
    "price": ("price",),
    "to_location": ("to_location",),
    "delivery": ("delivery",),
}
REQUIRED_ROLES = ("case", "activity", "timestamp")


def _norm(name: str) -> str:
    return re.sub(r"[^0-9a-z:]", "", str(name).lower())


def resolve_columns(columns: list[str], profile: LogProfile, *, source: str | None = None) -> dict[str, str | list[str]]:
    """Map each role to a source column (or list of columns for a split timestamp).

    Roles the profile names must exist; the others are looked up by well-known names. A start
    column the profile names may be missing from a log with lifecycle transitions (an XES of
    start and complete events): its start times come from pairing those, so one profile reads
    a log written as CSV and as XES.

    >>> resolve_columns(["case_id", "activity", "end_time", "start_time"], LogProfile())
    {'case': 'case_id', 'activity': 'activity', 'timestamp': 'end_time', 'start_timestamp': 'start_time'}
    """
    given = profile.columns.model_dump()
    explicit = set(profile.columns.model_fields_set)
    available = list(columns)
    mapping: dict[str, str | list[str]] = {}
    start_from_pairs = False  # a named start column missing from a log whose lifecycle column gives the starts
    for role in ROLE_COLUMNS:
        wanted = given.get(role)
        if wanted is not None:
            names = wanted if isinstance(wanted, list) else [wanted]
            missing = [n for n in names if n not in available]
            if missing and role == "start_timestamp":
                start_from_pairs = True  # decided once the lifecycle role is resolved, below
                continue
            if missing:
                raise EventLogError(
                    f"profile maps {role} to column {missing[0]!r}, which is not in the log "
                    f"(columns: {', '.join(map(str, available[:30]))})", path=source)
            mapping[role] = wanted
        elif role not in explicit:  # an explicit null means "absent": no guessing
            by_norm = {_norm(c): c for c in reversed(available)}
            for candidate in _KNOWN[role]:
                hit = by_norm.get(_norm(candidate))
                if hit is not None and hit not in mapping.values():
                    mapping[role] = hit
                    break
    if start_from_pairs and "lifecycle" not in mapping:  # no start and complete events to pair: a wrong name
        wanted = given["start_timestamp"]
        raise EventLogError(
            f"profile maps start_timestamp to column {wanted!r}, which is not in the log "
            f"(columns: {', '.join(map(str, available[:30]))})", path=source)
    for role in REQUIRED_ROLES:
        if role not in mapping:
            raise EventLogError(
                f"no {role} column found (columns: {', '.join(map(str, available[:30]))}); "
                f"name it in a profile: columns: {{{role}: <column>}}", path=source)
    return mapping
