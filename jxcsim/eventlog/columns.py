"""Resolve which source column plays which role: from the profile, else by well-known names."""

from __future__ import annotations

import re
import unicodedata

from .errors import EventLogError
from .profile import LogProfile
from .schema import ROLE_COLUMNS

# Well-known names per role, compared case-insensitively ignoring spaces, underscores and punctuation
# (letters of any script kept). First the process-mining names, then what ERP and spreadsheet exports
# call them, in English, Chinese and German; within a role the first name present wins.
_KNOWN: dict[str, tuple[str, ...]] = {
    "case": ("case:concept:name", "case_id", "caseid", "case", "case id", "trace_id", "traceid",
             "order_id", "order_no", "order_number", "order", "document_id", "document_no", "document", "doc_no",
             "单号", "单据号", "单据编号", "订单号", "订单编号", "Auftrag", "Auftragsnummer", "Belegnummer", "Beleg"),
    "activity": ("concept:name", "activity", "activity_name", "activityname", "task", "event", "step",
                 "event_name", "action", "operation", "活动", "环节", "步骤", "操作", "动作", "事件",
                 "Aktivität", "Schritt", "Tätigkeit", "Vorgang"),
    "timestamp": ("time:timestamp", "timestamp", "end_time", "endtime", "end_timestamp",
                  "complete_timestamp", "completetimestamp", "time", "datetime", "end", "event_time",
                  "completed_at", "when", "date", "时间", "完成时间", "发生时间", "操作时间", "日期时间", "日期",
                  "Zeitpunkt", "Zeitstempel", "Endzeit", "Datum"),
    "start_timestamp": ("start_timestamp", "start_time", "starttime", "start", "started_at", "开始时间",
                        "Startzeit", "Beginn"),
    "resource": ("org:resource", "resource", "user", "performer", "agent", "operator", "employee", "staff",
                 "操作员", "操作人", "经办人", "执行人", "处理人", "员工", "Bearbeiter", "Mitarbeiter", "Benutzer"),
    "lifecycle": ("lifecycle:transition", "lifecycle"),
    "location": ("location", "warehouse", "仓库", "Lager", "Lagerort"),
    "sku": ("sku", "material", "product", "article", "item", "商品编码", "物料编码", "商品", "物料", "Artikel",
            "Material"),  # "item" after "material": in SAP exports an item is a line number
    "qty": ("qty", "quantity", "数量", "Menge"),
    "line": ("line", "line_no", "行号", "Position"),
    "doc_type": ("doc_type", "document_type", "单据类型", "Belegart"),
    "customer": ("customer", "customer_id", "客户", "Kunde"),
    "supplier": ("supplier", "vendor", "supplier_id", "供应商", "Lieferant"),
    "amount": ("amount", "金额", "Betrag"),
    "price": ("price", "unit_price", "单价", "Preis"),
    "to_location": ("to_location",),
    "delivery": ("delivery", "delivery_no", "发货单号", "Lieferschein"),
}
# A date and a time of day in two columns: detected as the timestamp, read together (date first).
_DATE_ONLY = frozenset({"date", "日期", "datum", "day"})
_TIME_ONLY = frozenset({"time", "时间", "uhrzeit", "zeit", "timeofday"})
REQUIRED_ROLES = ("case", "activity", "timestamp")


def _norm(name: str) -> str:
    """A column name as compared: case-folded, letters (of any script), digits and ``:`` only.

    >>> _norm("Case ID"), _norm("订单 号"), _norm("Aktivität")
    ('caseid', '订单号', 'aktivität')
    """
    return re.sub(r"[^\w:]|_", "", unicodedata.normalize("NFC", str(name)).casefold())


def _with_partner(column: str, by_norm: dict[str, str]) -> str | list[str]:
    """A detected date column with a time-of-day column beside it (or the other way round): both,
    date first, to be read as one timestamp; else the column alone."""
    name = _norm(column)
    for own, other in ((_DATE_ONLY, _TIME_ONLY), (_TIME_ONLY, _DATE_ONLY)):
        if name in own:
            partner = next((by_norm[n] for n in sorted(other) if n in by_norm), None)
            if partner is not None:
                return [column, partner] if own is _DATE_ONLY else [partner, column]
    return column


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
            by_norm = {_norm(c): c for c in reversed(available) if _norm(c)}  # a name of only punctuation: none
            for candidate in _KNOWN[role]:
                hit = by_norm.get(_norm(candidate))
                if hit is not None and hit not in mapping.values():
                    mapping[role] = _with_partner(hit, by_norm) if role == "timestamp" else hit
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
