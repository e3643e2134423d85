"""Figures and tables of the diagnosis report, also written as files under ``figures/``.

:func:`report_sections` turns a log, its findings and its :class:`~jxcsim.mining.overview.ProcessOverview`
into the page's sections: the process map, weekday × hour heatmaps of each key transition (each
posting movement per location, then the transitions behind the top findings), posting-lag
distributions by location, the "posting before movement" conformance rates by location ×
weekday, model fit and temporal-profile deviations, and the BPMN model. A figure that cannot be
drawn (no Graphviz, nothing to draw) becomes a note instead.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd

from ..kpi.common import KpiUnavailable, jsonable
from ..kpi.posting import PostedMovement, match_postings
from ..mining.backlog import order_responses
from ..mining.common import activity_name, has_semantics
from ..mining.findings import Finding, FindingKind, rank_findings
from ..mining.handoffs import directly_follows
from ..mining.heatmap import WEEKDAYS, handoff_heatmap, lag_grid, posting_lag_heatmap
from ..mining.overview import ProcessOverview
from .figures import (
    GraphvizMissing,
    bpmn_svg,
    fit_svg,
    img_tag,
    lag_distribution_png,
    process_map_svg,
    weekday_hour_heatmap_png,
)
from .tables import table_html

MAX_HEATMAPS = 10
# the names :class:`_Figures` gives its files: a two-digit (or longer) number, a slug, .png or .svg
FIGURE_NAME = re.compile(r"\d{2,}_[a-z0-9-]{1,60}\.(?:png|svg)")
_MOVEMENTS = (PostedMovement.ISSUE, PostedMovement.RECEIPT)


class _Figures:
    """Collects figures as HTML and, when ``folder`` is set, as files; the figures an earlier run
    left in ``folder`` go first (:func:`remove_stale_figures`)."""

    def __init__(self, folder: Path | None):
        self.folder = folder
        self.written: dict[str, Path] = {}
        self.notes: list[str] = []
        if folder is not None:
            folder.mkdir(parents=True, exist_ok=True)
            remove_stale_figures(folder)

    def _path(self, stem: str, suffix: str) -> Path | None:
        if self.folder is None:
            return None
        slug = re.sub(r"[^A-Za-z0-9]+", "-", stem).strip("-").lower()[:60] or "figure"
        path = self.folder / f"{len(self.written) + 1:02d}_{slug}{suffix}"
        self.written[f"figures/{path.name}"] = path
        return path

    def png(self, png: bytes, *, stem: str, caption: str) -> str:
        path = self._path(stem, ".png")
        if path is not None:
            path.write_bytes(png)
        return f"<figure>{img_tag(png, alt=caption)}<figcaption>{html.escape(caption)}</figcaption></figure>"

    def svg(self, svg: str, *, stem: str, caption: str) -> str:
        """The graph scaled to the page's width, with a link to its file at full size."""
        path = self._path(stem, ".svg")
        link = ""
        if path is not None:
            path.write_text(svg, encoding="utf-8")
            href = html.escape(f"{self.folder.name}/{path.name}", quote=True)
            link = f' · <a href="{href}" target="_blank" rel="noopener">open full size</a>'
        return f"<figure>{fit_svg(svg)}<figcaption>{html.escape(caption)}{link}</figcaption></figure>"


def remove_stale_figures(folder: Path) -> list[Path]:
    """Remove from ``folder`` the figures an earlier diagnosis wrote there, so that it holds only
    this run's: files named as this module names its figures (:data:`FIGURE_NAME`, e.g.
    ``02_lag-issue-wh-a.png``, ``14_bpmn.svg``), nothing else (no other file, no folder, nothing
    below it). Returns what was removed.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> for name in ("01_process-map.svg", "14_bpmn.svg", "notes.txt", "my-chart.png", "01_Mine.PNG"):
    ...     _ = (folder / name).write_text("x")
    >>> [p.name for p in remove_stale_figures(folder)]
    ['01_process-map.svg', '14_bpmn.svg']
    >>> sorted(p.name for p in folder.iterdir())
    ['01_Mine.PNG', 'my-chart.png', 'notes.txt']
    """
    removed = []
    for path in sorted(folder.iterdir()):
        if FIGURE_NAME.fullmatch(path.name) and path.is_file() and not path.is_symlink():
            path.unlink()
            removed.append(path)
    return removed


def _heatmaps(frame: pd.DataFrame, findings: list[Finding], timezone: str | None, figs: _Figures) -> str:
    out = _posting_heatmaps(frame, timezone, figs)
    posted = bool(out)
    pairs, responses, drawn = None, None, set()
    unmapped: dict[str, int] = {}  # finding kinds with no lag to map, and how many
    empty: list[str] = []  # hand-offs a finding names that no case makes directly
    for f in rank_findings(findings):
        if len(out) >= MAX_HEATMAPS:
            break
        key = (f.kind, tuple(f.activities), f.location)
        if key in drawn:
            continue
        drawn.add(key)
        where = f" at {f.location}" if f.location else ""
        if f.kind is FindingKind.BOTTLENECK and len(f.activities) == 2:
            # a window, a whole day or the whole log: the hand-off's wait by weekday × hour either way
            pairs = directly_follows(frame) if pairs is None else pairs
            grid = handoff_heatmap(frame, f.activities[0], f.activities[1], timezone=timezone, location=f.location,
                                   pairs=pairs)
            title = f"{f.activities[0]} → {f.activities[1]}{where}: mean wait"
        elif f.kind is FindingKind.AFTER_HOURS_BACKLOG:
            if responses is None:
                responses = [order_responses(frame, timezone=timezone)]
            orders = responses[0]
            if orders is None:
                continue
            if f.location is not None:
                orders = orders[orders["location"] == f.location]
            grid = lag_grid(orders["received"], orders["lag_h"], timezone=timezone)
            title = f"{f.activities[0]} → {f.activities[1]}{where}: mean response"
        else:
            unmapped[f.kind.value] = unmapped.get(f.kind.value, 0) + 1
            continue
        if not grid.notna().to_numpy().any():
            empty.append(f"{' to '.join(f.activities)}{where}")
            continue
        scope = ", whole log" if f.details.get("scope") == "whole log" else ""
        out.append(figs.png(weekday_hour_heatmap_png(grid, title=title), stem=title,
                            caption=f"{title} (h) by weekday × hour of the first event{scope}"))
    if out:
        return f"<div class=figs>{''.join(out)}</div>"
    return f"<p class=empty>{html.escape(_why_no_heatmap(frame, findings, posted, unmapped, empty))}</p>"


def _why_no_heatmap(frame: pd.DataFrame, findings: list[Finding], posted: bool, unmapped: dict[str, int],
                    empty: list[str]) -> str:
    """What the section would map and why this log gives it nothing."""
    reasons = []
    if not posted:
        movements = [m for m in _MOVEMENTS if has_semantics(frame, m.physical.value, m.book.value)]
        if not movements:
            reasons.append("no movement with its posting (needs activities mapped to physical_issue and book_issue, "
                           "or physical_receipt and book_receipt)")
        elif "sku" not in frame.columns:
            reasons.append("no sku column to match movements with their postings")
        else:
            reasons.append("no movement matched with its posting")
    if not findings:
        reasons.append("no findings")
    else:
        if unmapped:
            kinds = ", ".join(f"{n} {kind}" for kind, n in unmapped.items())
            reasons.append(f"the findings ({kinds}) have no wait to map by weekday × hour (bottlenecks and "
                           f"after-hours backlogs do)")
        if empty:
            reasons.append("no case goes straight from " + "; nor from ".join(empty) + " (named by a finding)")
    return "Nothing to map: " + "; ".join(reasons) + "."


def _posting_heatmaps(frame: pd.DataFrame, timezone: str | None, figs: _Figures) -> list[str]:
    """Each movement's posting lag by weekday × hour, per location."""
    out: list[str] = []
    for movement in _MOVEMENTS:
        if not has_semantics(frame, movement.physical.value, movement.book.value) or "sku" not in frame.columns:
            continue
        names = f"{activity_name(frame, movement.physical.value)} → {activity_name(frame, movement.book.value)}"
        locations = sorted(frame["location"].dropna().astype(str).unique()) if "location" in frame.columns else [None]
        try:
            matched = match_postings(frame, movement)
        except KpiUnavailable:
            continue
        for location in locations or [None]:
            grid = posting_lag_heatmap(frame, timezone=timezone, movement=movement, location=location, pairs=matched)
            if grid.notna().to_numpy().any():
                where = f" at {location}" if location else ""
                out.append(figs.png(weekday_hour_heatmap_png(grid, title=f"{names}{where}: mean posting lag"),
                                    stem=f"lag-{movement.name}-{location or 'all'}",
                                    caption=f"{names}{where}: mean posting lag (h) by weekday × hour of the movement"))
    return out


def _posting_lags(overview: ProcessOverview, frame: pd.DataFrame, figs: _Figures) -> str:
    if overview.precedence is None or not overview.precedence.available:
        return ""
    out = []
    for movement in _MOVEMENTS:
        lags = overview.precedence.lags_by_location(movement)
        if not lags:
            continue
        names = f"{activity_name(frame, movement.physical.value)} → {activity_name(frame, movement.book.value)}"
        out.append(figs.png(lag_distribution_png(lags, title=f"{names}: posting lag by location"),
                            stem=f"posting-lag-{movement.name}", caption=f"{names}: posting lag (h) by location"))
    return f"<div class=figs>{''.join(out)}</div>"


def _records(table: pd.DataFrame) -> list[dict]:
    return jsonable(table.reset_index(drop=True).to_dict("records"))


def _conformance(overview: ProcessOverview) -> str:
    parts = []
    p = overview.precedence
    if p is not None and p.available:
        rates = p.rates(by=["movement", "rule", "location"])
        parts.append("<p>Share of movements recorded late (after the goods left; more than the rule's hours after they "
                     "arrived) or never, by location:</p>"
                     + table_html(_records(rates)))
        for movement, table in p.table.groupby("movement", sort=False):
            pivot = table.pivot_table(index="location", columns="weekday", values="deviation_rate", dropna=False)
            pivot = pivot.reindex(columns=range(7))
            pivot.columns = list(WEEKDAYS)
            records = [{"location": loc, **{d: None if pd.isna(v) else f"{v:.0%}" for d, v in row.items()}}
                       for loc, row in pivot.iterrows()]
            parts.append(f"<p>{html.escape(str(movement))}: deviation rate by location × weekday</p>"
                         + table_html(records))
    fits = []
    for name, fit in (("token replay", overview.token_replay), ("alignments", overview.alignments)):
        if fit is not None:
            fits.append({"method": name, "log fitness": fit.log_fitness, "fit cases": fit.share_fit_cases,
                         "cases used": f"{fit.cases_used:,} of {fit.cases_total:,}",
                         "cases skipped": fit.cases_skipped})
    if fits:
        parts.append("<p>Fit of the log to the mined model (a seeded case sample unless run with --full):</p>"
                     + table_html(fits))
    t = overview.temporal
    if t is not None and len(t.pairs):
        parts.append(f"<p>Temporal profile: activity pairs whose time apart most often deviates by more than "
                     f"{t.zeta:g} standard deviations ({t.cases_used:,} of {t.cases_total:,} cases):</p>"
                     + table_html(_records(t.pairs.head(10))))
    return "".join(parts)


def report_sections(frame: pd.DataFrame, findings: list[Finding], overview: ProcessOverview, *,
                    timezone: str | None, figures_dir: Path | None = None) -> tuple[list[tuple[str, str]], dict[str, Path]]:
    """The report's sections (heading, HTML) and the figure files written under ``figures_dir``."""
    figs = _Figures(figures_dir)
    sections: list[tuple[str, str]] = []
    undrawn: list[str] = []  # figures Graphviz would have drawn: one note names them all
    hint = ""
    if overview.process_map is not None:
        try:
            sections.append(("Process map", figs.svg(process_map_svg(overview.process_map), stem="process-map",
                                                     caption="Activities with their events; hand-offs with cases "
                                                             "and mean time (the 60 most frequent)")))
        except GraphvizMissing as exc:
            undrawn.append("the process map")
            hint = str(exc)
    sections.append(("Where it waits: weekday × hour", _heatmaps(frame, findings, timezone, figs)))
    lags = _posting_lags(overview, frame, figs)
    if lags:
        sections.append(("Posting lags by location", lags))
    conformance = _conformance(overview)
    if conformance:
        sections.append(("Conformance", conformance))
    if overview.model is not None:
        try:
            caption = (f"Inductive miner (noise threshold {overview.model.noise_threshold:g}) on "
                       f"{overview.model.cases_used:,} of {overview.model.cases_total:,} cases")
            sections.append(("Process model (BPMN)", figs.svg(bpmn_svg(overview.model), stem="bpmn", caption=caption)))
        except GraphvizMissing as exc:
            undrawn.append("the process model (BPMN)")
            hint = str(exc)
    if undrawn:
        figs.notes.append(f"not drawn: {' and '.join(undrawn)}. {hint}")
    notes = [f"{k}: {v}" for k, v in overview.notes.items()] + figs.notes
    if notes:
        sections.append(("Notes", "<ul>" + "".join(f"<li class=note>{html.escape(n)}</li>" for n in notes) + "</ul>"))
    return sections, figs.written
