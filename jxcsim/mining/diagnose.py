"""``diagnose``: run every analysis on a log, rank the findings, write ``findings.json`` and ``report.html``.

The analyses (docs/findings.md): posting lags conditioned on location × weekday × hour
(:mod:`.lag`), never-posted movements (:mod:`.unposted`), the after-hours backlog
(:mod:`.backlog`), approval bottlenecks (:mod:`.approval`), hand-offs overall and by window
(:mod:`.handoffs`) and rework loops (:mod:`.rework`). A hand-off window that a more specific
finding already explains (same location, overlapping weekday and hours, a shared activity) is
folded into it (``details["explains"]``) instead of being reported twice. Each finding's
``details["health_effect_h"]`` says how the process-health table's step means would move
without its cases.

>>> from jxcsim.kpi.example import example_log
>>> [f.kind.value for f in diagnose(example_log(), timezone="Asia/Shanghai")]
['unposted_movement']
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..eventlog.log import EventLog
from ..kpi.common import KpiUnavailable
from ..kpi.process import order_milestones, process_health, step_durations
from ..kpi.shared import sharing
from ..memory import heavy_work
from ..progress import Progress
from .approval import find_approval_bottlenecks
from .backlog import find_after_hours_backlog
from .common import WEEKDAY_PLURAL, clock
from .findings import Finding, FindingKind, rank_findings, write_findings
from .handoffs import find_handoff_windows, find_slow_handoffs
from .lag import conditioned_lags
from .rework import find_rework
from .unposted import find_unposted


@dataclass(frozen=True)
class DiagnosisSettings:
    """The documented defaults of every test (docs/findings.md); change them per call or on the CLI."""

    fdr: float = 0.05  # Benjamini–Hochberg false discovery rate
    min_obs: int = 10  # cases a cell needs to be tested
    min_effect_h: float = 0.5  # a window's median lag must be at least max(min_effect_h, effect_factor × baseline)
    effect_factor: float = 2.0
    grace_h: float | None = None  # never-posted grace period (None: max(24 h, p99 of the delays seen))
    max_handoffs: int = 40  # most frequent hand-offs tested by window

    def tests(self) -> dict[str, Any]:
        return {"fdr": self.fdr, "min_obs": self.min_obs, "min_effect_h": self.min_effect_h,
                "effect_factor": self.effect_factor}


_SPECIFIC = (FindingKind.PHYSICAL_BEFORE_BOOK, FindingKind.LATE_POSTING, FindingKind.AFTER_HOURS_BACKLOG,
             FindingKind.APPROVAL_BOTTLENECK)


def _analyses(frame: pd.DataFrame, timezone: str | None, s: DiagnosisSettings
              ) -> list[tuple[str, Callable[[], list[Finding]]]]:
    t = s.tests()
    return [
        ("posting lags", lambda: conditioned_lags(frame, timezone=timezone, **t)),
        ("never-posted movements", lambda: find_unposted(frame, timezone=timezone, grace_h=s.grace_h)),
        ("after-hours backlog", lambda: find_after_hours_backlog(frame, timezone=timezone, **t)),
        ("approval bottlenecks", lambda: find_approval_bottlenecks(frame, timezone=timezone, **t)),
        ("hand-off windows", lambda: find_handoff_windows(frame, timezone=timezone, max_edges=s.max_handoffs, **t)),
        ("slowest hand-offs", lambda: find_slow_handoffs(frame)),
        ("rework loops", lambda: find_rework(frame)),
    ]


# What each semantic analysis needs: (analysis, any one of these sets of semantics, what they are)
_NEEDS: list[tuple[str, list[tuple[str, ...]], str]] = [
    ("posting lags and never-posted movements",
     [("physical_issue", "book_issue"), ("physical_receipt", "book_receipt"),
      ("transfer_physical_out", "transfer_book_out"), ("transfer_physical_in", "transfer_book_in"),
      ("return_physical_in", "return_book_in")], "a movement and its posting, e.g. physical_issue and book_issue"),
    ("after-hours backlog", [("order_received", "pick"), ("order_received", "allocate"),
                             ("order_received", "physical_issue")],
     "order_received and a response: pick, allocate or physical_issue"),
    ("approval bottlenecks", [("credit_hold", "credit_approved"), ("credit_hold", "credit_rejected"),
                              ("po_created", "po_approved"), ("return_requested", "return_approved")],
     "a request and its decision, e.g. credit_hold and credit_approved"),
    ("process health", [("order_received",)], "order_received"),
]


NOT_MAPPED = "needs activities mapped to"  # how a reason that a profile would cure begins


def analyses_not_run(frame: pd.DataFrame, mapped: Iterable[str] | None = None) -> dict[str, str]:
    """The analyses the log's semantics do not allow, each with what it needs. Semantics come from
    the profile (``activities``); a log read without one has none, and only the hand-off windows,
    the slowest hand-offs and rework loops run. ``mapped``: the semantics the profile maps; an
    analysis whose activities it maps but the log never holds (no credit hold in three months)
    says so, rather than asking for a mapping that is there (:data:`NOT_MAPPED` begins the latter).

    >>> analyses_not_run(pd.DataFrame({"semantic": ["order_received", "pick"]}))["approval bottlenecks"]
    'needs activities mapped to a request and its decision, e.g. credit_hold and credit_approved'
    >>> why = analyses_not_run(pd.DataFrame({"semantic": ["order_received", "pick"]}),
    ...                        mapped={"order_received", "pick", "credit_hold", "credit_approved"})
    >>> why["approval bottlenecks"].split(";")[0]
    'no such events in the log, though the profile maps them'
    """
    present = set(frame["semantic"].dropna().astype(str)) if "semantic" in frame.columns else set()
    known = set() if mapped is None else {str(getattr(m, "value", m)) for m in mapped}
    out = {}
    for name, options, what in _NEEDS:
        if any(set(option) <= present for option in options):
            continue
        if any(set(option) <= known for option in options):
            out[name] = f"no such events in the log, though the profile maps them; it needs {what}"
        else:
            out[name] = f"{NOT_MAPPED} {what}"
    return out


def diagnose(frame: pd.DataFrame, *, timezone: str | None, settings: DiagnosisSettings | None = None,
             progress: bool = False) -> list[Finding]:
    """All findings for a canonical frame (semantics from its profile), ranked (see :func:`rank_findings`)."""
    settings = settings or DiagnosisSettings()
    analyses = _analyses(frame, timezone, settings)
    findings: list[Finding] = []
    with sharing(frame), Progress([name for name, _ in analyses] + ["process health"], enabled=progress,
                                  desc="diagnosing") as bar:
        for name, run in analyses:
            bar.step(name)
            found = run()
            findings += _fold_explained(found, findings) if name == "hand-off windows" else found
        bar.step("process health")
        add_health_effects(frame, findings)
    link_past_midnight(findings)
    return rank_findings(findings)


def link_past_midnight(findings: list[Finding]) -> None:
    """Note on each of two windows that are one pattern cut at midnight (the same kind, place and
    steps; one ending at 24:00 on a weekday, the other starting at 00:00 the next day) that it runs
    on into the other: ``details["past_midnight"]`` names the other's weekday and hours, and the
    sentence says so. Both stay findings of their own (each weekday × hour window is tested apart).

    >>> from jxcsim.mining.findings import FindingKind
    >>> def window(day, hours):
    ...     return Finding(FindingKind.PHYSICAL_BEFORE_BOOK, ["Load", "Post"], "W", day, hours, 9, 4.0, 0.1, None,
    ...                    1e-6, [], "At W, goods leave early.")
    >>> late, small_hours = window(4, [22.0, 24.0]), window(5, [0.0, 3.0])
    >>> link_past_midnight([late, small_hours])
    >>> late.summary
    'At W, goods leave early. It runs on past midnight into Saturdays 00:00–03:00.'
    >>> small_hours.details["past_midnight"]
    {'weekday': 4, 'hours': [22.0, 24.0]}
    """
    def key(f: Finding) -> tuple:
        return f.kind, f.location, tuple(f.activities)

    evenings = [f for f in findings if f.weekday is not None and f.hours and f.hours[1] >= 24 and f.hours[0] > 0]
    for late in evenings:
        after = next((f for f in findings if f is not late and key(f) == key(late)
                      and f.weekday == (late.weekday + 1) % 7 and f.hours and f.hours[0] <= 0 and f.hours[1] < 24),
                     None)
        if after is None:
            continue
        late.details["past_midnight"] = {"weekday": after.weekday, "hours": list(after.hours)}
        after.details["past_midnight"] = {"weekday": late.weekday, "hours": list(late.hours)}
        late.summary += (f" It runs on past midnight into {WEEKDAY_PLURAL[after.weekday]} "
                         f"{clock(0)}–{clock(after.hours[1])}.")
        after.summary += f" It starts before midnight, on {WEEKDAY_PLURAL[late.weekday]} from {clock(late.hours[0])}."


def _spans(hours: list[float]) -> list[tuple[float, float]]:
    """A window's hours as spans within a day: ``[22, 13]`` (past midnight) is 22-24 and 0-13."""
    return [(hours[0], hours[1])] if hours[0] < hours[1] else [(hours[0], 24.0), (0.0, hours[1])]


def _overlaps(a: list[float] | None, b: list[float] | None) -> bool:
    """Whether two windows' hours meet (any hours when either is None; a window may run past midnight).

    >>> _overlaps([16.0, 24.0], [17.0, 18.0]), _overlaps([22.0, 13.0], [1.0, 2.0]), _overlaps([22.0, 13.0], [14, 15])
    (True, True, False)
    """
    return a is None or b is None or any(x0 < y1 and y0 < x1 for x0, x1 in _spans(a) for y0, y1 in _spans(b))


def _starts_within(hour: float, window: list[float]) -> bool:
    return any(lo <= hour < hi for lo, hi in _spans(window))


EXPLAINED_SHARE = 0.8  # a hand-off window most of whose cases a specific finding holds is that finding's


def _explains(specific: Finding, other: Finding) -> bool:
    """Same place, day and hours, and a step in common or most of the window's cases (a cut-off also
    shows as the wait between two steps inside it, from the credit check to the allocation). A
    cut-off explains only a wait that starts where its orders do (at their receipt), in its evening
    hours, or one most of whose cases are its orders: a wait after the pick, or of a day nobody
    checks orders, is a finding of its own."""
    if not ((specific.location is None or other.location is None or specific.location == other.location)
            and (specific.weekday is None or other.weekday is None or specific.weekday == other.weekday)
            and _overlaps(specific.hours, other.hours)):
        return False
    theirs = set(other.case_ids)
    if bool(theirs) and len(theirs & set(specific.case_ids)) >= EXPLAINED_SHARE * len(theirs):
        return True
    if specific.kind is FindingKind.AFTER_HOURS_BACKLOG:
        return (other.activities[:1] == specific.activities[:1] and other.hours is not None
                and specific.hours is not None and _starts_within(other.hours[0], specific.hours))
    return bool(set(specific.activities) & set(other.activities))


def _fold_explained(windows: list[Finding], earlier: list[Finding]) -> list[Finding]:
    """The hand-off windows no specific finding explains; the others are noted on the one that does."""
    kept = []
    specific = [f for f in earlier if f.kind in _SPECIFIC]
    for w in windows:
        owner = next((f for f in specific if _explains(f, w)), None)
        if owner is None:
            kept.append(w)
        else:
            owner.details.setdefault("explains", []).append(w.summary)
    return kept


def add_health_effects(frame: pd.DataFrame, findings: list[Finding], *, min_delta_h: float = 0.05,
                       min_rest: int = 20) -> None:
    """Set ``details["health_effect_h"]`` on each finding: per process-health step, its mean over
    all sales-order cases minus its mean without the finding's cases (positive: the finding makes
    that step slower). Steps that move less than ``min_delta_h`` are left out, and so are steps
    that end before they start in most cases (see :func:`health_table`) and steps fewer than
    ``min_rest`` cases outside the finding went through (a finding holding nearly every case
    leaves no mean to compare with); nothing is set when the log has no sales-order semantics."""
    try:
        durations = step_durations(order_milestones(frame))
    except KpiUnavailable:
        return
    durations = durations.drop(columns=[c for c in durations.columns if _mostly_negative(durations[c])])
    means = durations.mean()
    for f in findings:
        if not f.case_ids:
            continue
        rest = durations[~durations.index.astype(str).isin(set(f.case_ids))]
        without = rest.mean().where(rest.count() >= min_rest)
        delta = (means - without).dropna()
        f.details["health_effect_h"] = {str(k): round(float(v), 3) for k, v in delta.items() if abs(v) >= min_delta_h}


REVERSED_SHARE = 0.5  # a step ending before it starts in more than this share of cases runs the other way


def _mostly_negative(values: pd.Series) -> bool:
    values = values.dropna()
    return bool(len(values)) and float((values < 0).mean()) > REVERSED_SHARE


def health_table(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """The process-health table (per step: cases, mean/median/p90 hours, share blocked) as records;
    a step that ends before it starts in most cases (a log that invoices before it delivers) gets a
    ``note`` saying its hours are not a duration."""
    try:
        table = process_health(frame)
    except KpiUnavailable:
        return []
    records = table.reset_index().to_dict("records")
    for r in records:
        if r["n_cases"] and r["n_negative"] > REVERSED_SHARE * r["n_cases"]:
            r["note"] = (f"ends before it starts in {r['n_negative'] / r['n_cases']:.0%} of cases: this log runs "
                         f"these steps the other way round, so its hours are no duration")
    return records


def diagnose_log(log: EventLog, out: str | Path, *, settings: DiagnosisSettings | None = None,
                 overview: bool = True, full: bool = False, progress: bool = False,
                 truth: dict[str, Any] | None = None, truth_source: str = "planted truth") -> dict[str, Path]:
    """Diagnose ``log``: write ``findings.json``, a self-contained ``report.html`` and the figures
    (``figures/``) under ``out``; return what was written.

    ``overview`` adds the process map, model and conformance views (:mod:`.overview`; pm4py);
    ``full`` runs pm4py's expensive views on every case instead of a seeded sample. ``truth``, a
    simulated world's planted truth (:func:`.truth.read_planted` of ``truth/planted.json``, named
    ``truth_source``), scores the findings against it: ``truth_score.json`` and a report section.
    """
    # the analyses and the report ask many of the same questions of the frame; memory settings for
    # heavy work (see jxcsim.memory)
    with sharing(log.frame), heavy_work():
        return _diagnose_log(log, out, settings=settings, overview=overview, full=full, progress=progress,
                             truth=truth, truth_source=truth_source)


def truth_timezone_note(truth: dict[str, Any], timezone: str | None) -> str | None:
    """A warning when the planted truth's time zone is not the one the log was read in (its hours
    would then be compared with other clocks), else None.

    >>> truth_timezone_note({"timezone": "Asia/Shanghai"}, "+08:00")[:40]
    "the planted truth's hours are Asia/Shang"
    >>> truth_timezone_note({"timezone": "Asia/Shanghai"}, "Asia/Shanghai") is None
    True
    """
    zone = truth.get("timezone")
    if zone is None or zone == timezone:
        return None
    return (f"the planted truth's hours are {zone} time, the log was read in {timezone or 'no time zone'}: read it "
            "with the profile.yaml written beside it (--profile) for the two clocks to agree")


def _diagnose_log(log: EventLog, out: str | Path, *, settings: DiagnosisSettings | None, overview: bool, full: bool,
                  progress: bool, truth: dict[str, Any] | None, truth_source: str) -> dict[str, Path]:
    from ..report.diagnosis import report_sections
    from ..report.findings_page import render_findings_page
    from .overview import ProcessOverview, describe_process

    settings = settings or DiagnosisSettings()
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    findings = diagnose(log.frame, timezone=log.timezone, settings=settings, progress=progress)
    views = ["process map", "process model", "precedence", "token replay", "alignments", "temporal profile"]
    with Progress((views if overview else []) + ["report"], enabled=progress, desc="describing") as bar:
        described = describe_process(log.frame, timezone=log.timezone, full=full, step=bar.step) if overview \
            else ProcessOverview(notes={"overview": "not asked for"})
        bar.step("report")
        sections, figures = report_sections(log.frame, findings, described, timezone=log.timezone,
                                            figures_dir=out / "figures")
    meta = {"source": log.source, "timezone": log.timezone, "activity_instances": int(len(log.frame)),
            "cases": int(log.frame["case:concept:name"].nunique()) if len(log.frame) else 0,
            **_span(log), "findings": len(findings), "settings": asdict(settings),
            "read": _read_counts(log, out), "not_run": analyses_not_run(log.frame, log.profile.activities.values())}
    health = health_table(log.frame)
    written: dict[str, Path] = {}
    stale = out / "truth_score.json"
    if truth is not None:
        from ..report.truth import truth_section
        from .truth import score_findings

        score = score_findings(findings, truth["habits"], frame=log.frame, timezone=log.timezone,
                               min_obs=settings.min_obs)
        note = truth_timezone_note(truth, log.timezone)
        score = {"source": truth_source, **({"note": note} if note else {}), **score}
        stale.write_text(json.dumps(score, indent=2, ensure_ascii=False, default=_plain), encoding="utf-8")
        written["truth_score.json"] = stale
        sections.insert(0, ("Against the planted truth", truth_section(score, source=truth_source, note=note)))
        meta["truth"] = {k: score[k] for k in ("expected", "found", "false_alarms")}
    else:
        stale.unlink(missing_ok=True)  # an earlier run's score would not be this diagnosis's
    written["findings.json"] = write_findings(findings, out / "findings.json", meta=meta,
                                              extra={"process": described.to_dict(), "process_health": health})
    page = render_findings_page(findings, title=f"Diagnosis of {Path(log.source).name}", meta=meta,
                                sections=sections, tables={"Process health per step": health})
    written["report.html"] = out / "report.html"
    written["report.html"].write_text(page, encoding="utf-8")
    written.update(figures)
    return written


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python value JSON takes (``json.dumps``'s ``default``)."""
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value).__name__} is not JSON serializable")


def _span(log: EventLog) -> dict[str, str | None]:
    """The first and last event's local time (``first_event``, ``last_event``)."""
    if not len(log.frame):
        return {"first_event": None, "last_event": None}
    times = log.local_timestamps()
    return {"first_event": str(times.min()), "last_event": str(times.max())}


def _read_counts(log: EventLog, out: Path) -> dict[str, Any]:
    """What reading the log left out: rows read, accepted and quarantined, the quarantine's reasons
    (by kind, most frequent first) and where its rows are, and the reader's notes."""
    from ..eventlog.summary import reason_kind

    kinds = log.quarantine["reason"].map(reason_kind).value_counts() if len(log.quarantine) else pd.Series(dtype=int)
    beside = out / "quarantine.csv"
    return {"rows_read": int(log.rows_read), "rows_accepted": int(log.rows_accepted),
            "quarantined": int(len(log.quarantine)), "reasons": {str(k): int(v) for k, v in kinds.items()},
            "quarantine_file": beside.name if len(log.quarantine) and beside.is_file() else None,
            "notes": list(log.notes)}
