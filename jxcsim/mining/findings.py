"""Findings: what diagnosis reports, one record per problem, ranked, as JSON for machines.

>>> f = Finding(kind=FindingKind.UNPOSTED_MOVEMENT, activities=["Load truck"], location="WH-A",
...             weekday=None, hours=None, cases=2, effect_h=0.0, baseline_h=0.0, stock_impact_qty=12.0,
...             q_value=None, evidence=["SO-1", "SO-2"], summary="2 loads at WH-A were never posted.")
>>> f.to_dict()["kind"], f.to_dict()["hours"]
('unposted_movement', None)
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, replace
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np

MAX_EVIDENCE = 20


class FindingKind(str, Enum):
    """What kind of problem a finding describes (docs/findings.md)."""

    PHYSICAL_BEFORE_BOOK = "physical_before_book"  # goods move hours before the system records it
    LATE_POSTING = "late_posting"  # receipts (or other postings) recorded long after the goods moved
    UNPOSTED_MOVEMENT = "unposted_movement"  # goods moved, never posted by the end of the log
    AFTER_HOURS_BACKLOG = "after_hours_backlog"  # orders after a cut-off wait for the next morning
    APPROVAL_BOTTLENECK = "approval_bottleneck"  # approvals wait for an absent approver
    BOTTLENECK = "bottleneck"  # a hand-off waits much longer in some window
    REWORK = "rework"  # an activity repeats within a case


@dataclass
class Finding:
    """One problem found in a log. ``weekday``/``hours`` are those of the first event, local time."""

    kind: FindingKind
    activities: list[str]
    location: str | None
    weekday: int | None
    hours: list[float] | None
    cases: int
    effect_h: float
    baseline_h: float
    stock_impact_qty: float | None
    q_value: float | None
    evidence: list[str]
    summary: str
    details: dict[str, Any] = field(default_factory=dict)
    case_ids: tuple[str, ...] = field(default=(), repr=False, compare=False)  # every case, not written to JSON

    @property
    def tier(self) -> int:
        """Ranking tier: 0 where book and shelf part ways (posting findings), 1 tested waits
        (backlogs, approvals, hand-off windows), 2 descriptive findings (rework, overall slow hand-offs)."""
        if self.kind in _STOCK_KINDS:
            return 0
        if self.q_value is not None:
            return 1
        return 2

    @property
    def score(self) -> float:
        """Ranking key: how much time the finding explains (effect over baseline × cases)."""
        return abs(self.effect_h - self.baseline_h) * max(self.cases, 1) + (self.stock_impact_qty or 0.0) * 1e-6

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (NaN becomes ``None``)."""
        data = asdict(replace(self, case_ids=()))  # (asdict would copy every case id first)
        del data["case_ids"]
        data["kind"] = self.kind.value
        data["evidence"] = [str(e) for e in self.evidence[:MAX_EVIDENCE]]
        for key in ("effect_h", "baseline_h", "stock_impact_qty", "q_value"):
            value = data[key]
            data[key] = None if value is None or (isinstance(value, float) and math.isnan(value)) else float(value)
        return data


_STOCK_KINDS = frozenset({FindingKind.PHYSICAL_BEFORE_BOOK, FindingKind.LATE_POSTING, FindingKind.UNPOSTED_MOVEMENT})


def rank_findings(findings: list[Finding]) -> list[Finding]:
    """Findings ordered by :attr:`Finding.tier`, then :attr:`Finding.score`, largest first (stable for ties)."""
    return sorted(findings, key=lambda f: (f.tier, -f.score))


def write_findings(findings: list[Finding], path: str | Path, *, meta: dict[str, Any] | None = None,
                   extra: dict[str, Any] | None = None) -> Path:
    """Write ``{"meta": ..., "findings": [...], **extra}`` (findings ranked) as UTF-8 JSON."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"meta": meta or {}, "findings": [f.to_dict() for f in rank_findings(findings)], **(extra or {})}
    # strict JSON (NaN and infinities as null), which every parser reads
    path.write_text(json.dumps(_finite(payload), indent=2, ensure_ascii=False, default=str, allow_nan=False),
                    encoding="utf-8")
    return path


def _finite(value: Any) -> Any:
    """``value`` with every non-finite float (NaN, ±inf, also numpy's) as ``None``, containers walked."""
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if isinstance(value, float | np.floating):
        return float(value) if math.isfinite(value) else None
    return value
