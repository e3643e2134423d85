"""What a reader of report.html sees: labels instead of JSON keys, units, figures that fit, and a
say-why note wherever a table row or a section has nothing to show."""

from __future__ import annotations

import re
import shutil

import pytest

from jxcsim.kpi.example import TIMEZONE, example_log
from jxcsim.mining.discovery import discover_process_map, discover_process_model
from jxcsim.mining.findings import Finding, FindingKind
from jxcsim.mining.overview import ProcessOverview
from jxcsim.report.diagnosis import report_sections
from jxcsim.report.findings_page import render_findings_page
from jxcsim.report.tables import health_table_html, table_html

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz 'dot' is not installed")
RAW_KEYS = ("mean_h", "std_h", "deviation_share", "n_excluded", "share_blocked", "activity_instances", "first_event",
            "n_cases", "p90_h", "cases_deviating", "moved_at")


def _headers(page: str) -> list[str]:
    return re.findall(r"<th[^>]*>([^<]*)</th>", page)


def _health(**overrides) -> list[dict]:
    rows = []
    for step in ("order_review", "availability_check", "shipping_preparation", "delivery", "invoicing", "settlement"):
        rows.append({"step": step, "n_cases": 0, "n_excluded": 1266, "mean_h": None, "median_h": None, "p90_h": None,
                     "share_blocked": None, "blocked_after_h": 24.0, "n_negative": 0})
    rows[-1].update(n_cases=1125, n_excluded=141, mean_h=298.96, median_h=270.39, p90_h=476.97, share_blocked=0.988,
                    n_negative=8, **overrides)
    return rows


def test_tables_and_the_meta_line_show_labels_not_json_keys():
    meta = {"source": "log.csv", "activity_instances": 9119, "cases": 608, "first_event": "2011-01-01 06:29",
            "last_event": "2011-10-14 22:31"}
    temporal = [{"source": "a", "target": "b", "mean_h": 1.5, "std_h": 0.5, "observations": 10, "deviations": 2,
                 "deviation_share": 0.2, "cases_deviating": 2}]
    page = render_findings_page([], title="t", meta=meta, tables={"Temporal": temporal, "Health": _health()})
    heads = _headers(page)
    for key in RAW_KEYS:
        assert key not in heads and f"{key}:" not in page, key
    assert {"mean (h)", "std dev (h)", "share deviating", "cases excluded", "share blocked (&gt; 24 h)"} <= set(heads)
    assert "activity instances: 9,119" in page
    assert "first event: 2011-01-01 06:29" in page
    assert "<td class=num>20%</td>" in page  # a share reads as a percentage


def test_a_key_not_in_the_mapping_still_reads_as_words():
    assert _headers(table_html([{"lead_time_h": 1.0, "cases_late": 3}])) == ["lead time (h)", "cases late"]


def test_empty_process_health_rows_say_which_events_their_step_needs():
    page = health_table_html(_health())
    rows = page.split("<tr>")[2:]
    assert len(rows) == 6
    assert "no cases (needs order_received and credit_check/credit_approved events" in rows[0]
    assert "no cases (needs deliver and invoice events" in rows[4]
    for row in rows[:5]:
        assert re.search(r"<td colspan=5 class=empty>no cases \(needs ", row), row  # mean .. cases ending before
        assert "<td></td>" not in row  # no blank cells
    assert "no cases" not in rows[5] and "298.96" in rows[5]
    assert "blocked after" not in page  # one threshold for every step: said in the header


def test_process_health_keeps_a_threshold_column_when_steps_differ():
    rows = _health()
    rows[0]["blocked_after_h"] = 48.0
    heads = _headers(health_table_html(rows))
    assert "share blocked" in heads and "blocked after (h)" in heads


def test_table_cells_from_the_log_are_escaped():
    page = table_html([{"location": "<script>x</script>", "mean_h": None}, {"location": "a", "mean_h": 2.0}])
    assert "<script>" not in page and "&lt;script&gt;" in page


def _finding(kind: FindingKind, impact: float | None) -> Finding:
    return Finding(kind, ["Load truck", "Post goods issue"], "WH-A", 2, [13.0, 18.0], 117, 7.4, 0.8, impact, 1e-9,
                   ["c1"], "late", details={"transition": "Load truck->Post goods issue"})


def test_stock_impact_has_its_unit_unit_hours_for_a_posting_window_units_for_never_posted():
    page = render_findings_page([_finding(FindingKind.PHYSICAL_BEFORE_BOOK, 970383.0),
                                 _finding(FindingKind.UNPOSTED_MOVEMENT, 120.0),
                                 _finding(FindingKind.BOTTLENECK, None)], title="t")
    assert "970,383&nbsp;unit·h" in page and "120&nbsp;units" in page
    head = next(h for h in re.findall(r"<th[^>]*>stock impact</th>", page))
    assert "unit·h" in head  # the header's tooltip says what the number is


def test_a_q_value_stays_on_one_line():
    from dataclasses import replace

    page = render_findings_page([replace(_bottleneck("Allocate", "Pick"), q_value=7.3e-29)], title="t")
    assert '<td class="num q">7.3e-29</td>' in page
    assert "td.q{white-space:nowrap}" in page  # "7.3e-29" is never broken after its "e-"


@needs_dot
def test_graphs_fit_the_page_width_with_a_link_to_the_full_size_file(tmp_path):
    frame = example_log()
    overview = ProcessOverview(process_map=discover_process_map(frame), model=discover_process_model(frame))
    sections, written = report_sections(frame, [], overview, timezone=TIMEZONE, figures_dir=tmp_path / "figures")
    html = dict(sections)["Process model (BPMN)"]
    root = re.search(r"<svg\b[^>]*>", html).group(0)
    assert 'width="100%"' in root and "height:auto" in root and "viewBox=" in root
    assert not re.search(r'\s(width|height)="[\d.]+pt"', root)  # not drawn at its natural size
    natural = re.search(r'<svg width="([\d.]+)pt"', written[next(k for k in written if k.endswith("bpmn.svg"))]
                        .read_text()).group(1)
    assert f"max-width:{natural}pt" in root  # and never blown up beyond it
    assert "class=wide" not in html and "overflow-x" not in html  # no scroll box
    link = re.search(r'<a href="(figures/[^"]+bpmn\.svg)" target="_blank"[^>]*>open full size</a>', html).group(1)
    assert link in written and written[link].read_text().startswith("<svg")
    assert 'width="100%"' in dict(sections)["Process map"]


def test_without_graphviz_one_note_names_every_figure_it_would_have_drawn(tmp_path, monkeypatch):
    import jxcsim.report.diagnosis as diagnosis
    from jxcsim.report.figures import GraphvizMissing

    def missing(*_):
        raise GraphvizMissing("Graphviz's 'dot' program is needed ...; install Graphviz")

    monkeypatch.setattr(diagnosis, "process_map_svg", missing)
    monkeypatch.setattr(diagnosis, "bpmn_svg", missing)
    frame = example_log()
    overview = ProcessOverview(process_map=discover_process_map(frame), model=discover_process_model(frame))
    sections, _ = report_sections(frame, [], overview, timezone=TIMEZONE, figures_dir=tmp_path / "figures")
    headings = dict(sections)
    assert "Process map" not in headings and "Process model (BPMN)" not in headings
    notes = headings["Notes"]
    assert notes.count("install Graphviz") == 1
    assert "not drawn: the process map and the process model (BPMN)." in notes


def _bottleneck(a: str, b: str, **kw) -> Finding:
    return Finding(FindingKind.BOTTLENECK, [a, b], None, None, None, 3, 20.0, 2.0, None, None, ["SO-1"],
                   f"'{b}' waits for '{a}'", details={"scope": "whole log", **kw})


def test_a_whole_log_bottleneck_is_mapped_by_weekday_and_hour(tmp_path):
    """A P2P log's slow hand-offs have no window (no hours, no transition) but still a wait to map."""
    frame = example_log().drop(columns=["semantic"])  # no postings: only the finding can be mapped
    sections, written = report_sections(frame, [_bottleneck("Allocate", "Pick")], ProcessOverview(),
                                        timezone=TIMEZONE, figures_dir=tmp_path / "figures")
    body = dict(sections)["Where it waits: weekday × hour"]
    assert "Allocate → Pick: mean wait (h) by weekday × hour of the first event, whole log" in body
    assert body.count("data:image/png;base64,") == 1 and any(k.endswith("mean-wait.png") for k in written)


def test_the_figures_folder_holds_only_this_runs_figures_and_every_file_not_named_as_one(tmp_path):
    folder = tmp_path / "figures"
    folder.mkdir()
    stale = ["01_lag-issue-wh-a.png", "02_lag-issue-wh-a.png", "01_process-map.svg", "14_bpmn.svg", "103_x.png"]
    kept = ["notes.txt", "my-chart.png", "01_Mine.PNG", "01_lag.png.bak", "1_short.png"]
    for name in stale + kept:
        (folder / name).write_text("from before")
    (folder / "05_sub.png").mkdir()  # a folder named like a figure is not jxcsim's
    frame = example_log().drop(columns=["semantic"])
    _, written = report_sections(frame, [_bottleneck("Allocate", "Pick")], ProcessOverview(), timezone=TIMEZONE,
                                 figures_dir=folder)
    now = [p.name for p in written.values()]
    assert sorted(p.name for p in folder.iterdir()) == sorted([*kept, "05_sub.png", *now])
    assert all(p.read_bytes() != b"from before" for p in written.values())


def test_with_nothing_to_map_the_section_says_why():
    frame = example_log().drop(columns=["semantic"])
    rework = Finding(FindingKind.REWORK, ["Pick", "Allocate"], None, None, None, 2, 9.0, 3.0, None, None, ["SO-1"],
                     "again")
    sections, _ = report_sections(frame, [rework, rework, _bottleneck("Invoice", "<b>Allocate</b>")],
                                  ProcessOverview(), timezone=TIMEZONE)
    body = dict(sections)["Where it waits: weekday × hour"]
    assert "No lags to map" not in body and body.startswith("<p class=empty>Nothing to map: ")
    assert "no movement with its posting (needs activities mapped to physical_issue and book_issue" in body
    assert "the findings (1 rework) have no wait to map" in body  # the same loop twice is drawn (or not) once
    assert "no case goes straight from Invoice to &lt;b&gt;Allocate&lt;/b&gt; (named by a finding)" in body


def test_a_long_list_of_findings_folds_the_lower_ranked_ones():
    from jxcsim.mining.findings import Finding, FindingKind
    from jxcsim.report.findings_page import SHOWN, render_findings_page

    many = [Finding(FindingKind.BOTTLENECK, ["A", "B"], "W", d % 7, [9.0, 10.0], 10 + d, 2.0, 1.0, None, 0.01, [],
                    f"window {d}") for d in range(SHOWN + 7)]
    page = render_findings_page(many, title="t")
    folded = page.split("<details class=more id=more>")[1]
    assert f"7 more findings, ranked {SHOWN + 1}–{SHOWN + 7} (7 bottleneck)" in folded
    assert page.count("<tr class=tier") == SHOWN + 7 and folded.count("<tr class=tier") == 7
    assert f"id=f{SHOWN + 1}>" in folded and "id=f1>" not in folded
    assert "<details class=more" not in render_findings_page(many[:SHOWN], title="t")
