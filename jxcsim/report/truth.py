"""The report's section on a simulated world's planted truth: which planted habits the diagnosis found.

A simulated log comes with ``truth/planted.json`` (what the world was told to do); scored with
:func:`jxcsim.mining.truth.score_findings`, the section lists each planted habit with what became
of it — found (by which findings), missed, found in part, not expected (the log holds too few of
its cases), or optional — and the findings of a scored kind that match nothing planted (false
alarms). Every name comes from the scenario or the log and is escaped.

>>> score = {"expected": 1, "found": 1, "recall": 1.0, "false_alarms": 0, "false_alarm_summaries": [],
...          "false_alarm_ranks": [], "hits": [{"name": "<wed>", "kind": "late_posting", "location": "WH-A",
...          "weekdays": [2], "hours": [13.0, 18.0], "found": ["At WH-A ..."], "ranks": [1]}], "misses": [],
...          "unobservable": [], "optional": [], "partial": [], "unscored": 0}
>>> html = truth_section(score, source="truth/planted.json")
>>> "&lt;wed&gt;" in html and "<wed>" not in html, "found" in html
(True, True)
"""

from __future__ import annotations

from typing import Any

from ..kpi.common import WEEKDAYS
from ..mining.common import clock
from .findings_page import SHOWN, _e

_RESULTS = (  # score key, result label, css class, what it means
    ("hits", "found", "hit", "a finding matches it"),
    ("misses", "missed", "miss", "expected, and no finding matches it"),
    ("unobservable", "not expected", "quiet", "the log holds too few of its cases for any test"),
    ("optional", "optional", "quiet", "may show or not (another approver covers, or few cases): not counted"),
)
_STYLE = ("<style>.truth td.hit{color:#1e6b34;font-weight:600} .truth td.miss{color:#b02a37;font-weight:600}"
          " .truth td.part{color:#8a5a00;font-weight:600} .truth td.quiet{color:#5b6675}</style>")


def _link(rank: Any) -> str:
    """A link to finding ``rank`` of the report's table (to the folded list for one beyond the first
    ``SHOWN``: a browser does not open a closed list to show a row inside it)."""
    rank = int(rank)
    target = f"f{rank}" if rank <= SHOWN else "more"
    return f'<a href="#{target}">#{rank}</a>'



def when_text(weekdays: list[int] | None, hours: list[float] | None) -> str:
    """A planted habit's weekdays and hours as the report writes them.

    >>> when_text([2], [13.0, 18.0]), when_text([0, 1, 2, 3, 4, 5, 6], [16.0, 24.0]), when_text(None, None)
    ('Wed 13:00–18:00', 'every day 16:00–24:00', '—')
    """
    if weekdays is None or sorted(weekdays) == list(range(7)):
        day = "every day" if weekdays is not None or hours is not None else ""
    else:
        day = ", ".join(WEEKDAYS[d] for d in sorted(weekdays))
    if hours is None or (hours[0] <= 0 and hours[1] >= 24):
        return day or "—"
    return f"{day} {clock(hours[0])}–{clock(hours[1])}".strip()


def truth_summary(score: dict[str, Any]) -> str:
    """One sentence: expected habits found, false alarms, and what was left out of the count.

    >>> truth_summary({"expected": 3, "found": 2, "false_alarms": 0, "unobservable": [{}], "optional": []})
    'Found 2 of the 3 planted habits the log can show; 0 false alarms; 1 planted habit not expected (too few cases).'
    """
    text = (f"Found {score['found']} of the {score['expected']} planted habit{'s' if score['expected'] != 1 else ''} "
            f"the log can show; {score['false_alarms']} false alarm{'s' if score['false_alarms'] != 1 else ''}")
    quiet = len(score.get("unobservable") or [])
    if quiet:
        text += f"; {quiet} planted habit{'s' if quiet != 1 else ''} not expected (too few cases)"
    return text + "."


def truth_section(score: dict[str, Any], *, source: str, note: str | None = None) -> str:
    """The section's HTML: the summary, one row per planted habit (per location), the false alarms.
    ``source`` names the truth file; ``note`` (escaped) is shown under the summary."""
    partial = {(p["name"], p.get("location")): p for p in score.get("partial") or []}
    rows = []
    for key, result, css, meaning in _RESULTS:
        for item in score.get(key) or []:
            found = ", ".join(_link(r) for r in item.get("ranks") or [])
            label, cls, title = result, css, meaning
            part = partial.get((item["name"], item.get("location")))
            if key == "misses" and part is not None:
                label, cls, title = "in part", "part", "a finding covers part of its hours only"
                found = _link(part["rank"])
            if key == "unobservable" and item.get("cases") is not None:
                title = f"{meaning}: {item['cases']} case(s)"
            rows.append(f"<tr><td>{_e(item['name'])}</td><td>{_e(item['kind'])}</td>"
                        f"<td>{_e(item.get('location') or '—')}</td>"
                        f"<td>{_e(when_text(item.get('weekdays'), item.get('hours')))}</td>"
                        f"<td class={cls} title=\"{_e(title)}\">{_e(label)}</td><td>{found}</td></tr>")
    alarms = "".join(f"<li>{_link(rank)}: {_e(summary)}</li>"
                     for rank, summary in zip(score["false_alarm_ranks"], score["false_alarm_summaries"], strict=True))
    body = [_STYLE, f"<p>{_e(truth_summary(score))} Scored against <code>{_e(source)}</code>; "
                    "# numbers are the findings' ranks above.</p>"]
    if note:
        body.append(f"<p class=warn>{_e(note)}</p>")
    body.append("<table class=truth><tr><th>planted habit</th><th>kind</th><th>location</th><th>when</th>"
                "<th>result</th><th>finding(s)</th></tr>" + "".join(rows) + "</table>")
    body.append(f"<p>False alarms (findings of a scored kind that match nothing planted):</p><ul>{alarms}</ul>"
                if alarms else "<p class=note>No false alarms: every posting, backlog and approval finding matches "
                               "something planted.</p>")
    return "".join(body)
