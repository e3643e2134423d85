# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Find the posting gaps
#
# A consultant's walk-through: load a client's log with its profile, look at the process health
# per step, see when goods leave before the system records it, let the diagnosis find the
# windows on its own, and drill into the cases behind the top finding.
#
# By default the "client" is a simulated wholesaler (so we know the truth); point `LOG` and
# `PROFILE` at any export to use your own.

# %% tags=["parameters"]
LOG = None  # a log file; None: simulate the baseline scenario first
PROFILE = None
WEEKS = 13
SEED = 0
LOCATION = None  # None: the location of the top finding
TRUTH = None  # a simulated run's truth/planted.json to score the diagnosis against; None: the run simulated here

# %%
import tempfile
from pathlib import Path

import pandas as pd
from IPython.display import SVG, Image, display

from jxcsim.eventlog import read_event_log
from jxcsim.kpi.posting import PostedMovement
from jxcsim.kpi.process import process_health
from jxcsim.mining.conformance import check_precedence
from jxcsim.mining.diagnose import diagnose
from jxcsim.mining.discovery import discover_process_map
from jxcsim.mining.heatmap import posting_lag_heatmap
from jxcsim.report.figures import GraphvizMissing, process_map_svg, weekday_hour_heatmap_png

if LOG is None:
    from jxcsim.world.scenario import load_scenario
    from jxcsim.world.simulate import simulate, write_simulation

    out = Path(tempfile.mkdtemp(prefix="jxcsim-"))
    write_simulation(simulate(load_scenario("../scenarios/baseline.yaml"), weeks=WEEKS, seed=SEED), out,
                     formats=("csv",))
    LOG, PROFILE, TRUTH = out / "log.csv", out / "profile.yaml", TRUTH or out / "truth" / "planted.json"
log = read_event_log(LOG, profile=PROFILE)
print(f"{len(log.frame):,} activity instances, {log.frame['case:concept:name'].nunique():,} cases, "
      f"local time zone {log.timezone}; {len(log.quarantine)} rows quarantined")

# %% [markdown]
# ## The process map
# Every activity with its number of events; every hand-off with its cases and mean time. The
# thick arrows are the main flow.

# %%
process_map = discover_process_map(log.frame)
try:
    display(SVG(process_map_svg(process_map, max_edges=40)))
except GraphvizMissing as exc:  # drawing needs Graphviz's dot
    print(exc)
hand_offs = process_map.edges[process_map.edges["source"] != process_map.edges["target"]]  # lines of one order aside
hand_offs.head(10).round(2)

# %% [markdown]
# ## Process health per step
# Mean, median and p90 hours per step of the sales process, and the share of cases blocked
# (longer than 24 h) — the table managers know.

# %%
process_health(log.frame).round(2)

# %% [markdown]
# ## The diagnosis
# Posting lags and every frequent hand-off are conditioned on location × weekday × hour and
# tested against the rest of the week; never-posted movements, the after-hours backlog, approvals
# that wait for an absent approver and rework loops are found too. Nothing here was eyeballed.

# %%
findings = diagnose(log.frame, timezone=log.timezone)
pd.DataFrame([{k: f.to_dict()[k] for k in ("kind", "location", "weekday", "hours", "cases", "effect_h",
                                            "baseline_h", "q_value", "summary")} for f in findings])

# %% [markdown]
# ## Did the diagnosis find what was planted?
# A simulated log comes with the world's truth: each planted habit, found (by which findings, by
# rank above), missed, or not expected because the log holds too few of its cases; and the
# findings that match nothing planted (false alarms). On a client's own log there is no truth to
# score against.

# %%
truth_table = pd.DataFrame()
if TRUTH is not None:
    from jxcsim.mining.truth import read_planted, score_findings
    from jxcsim.report.truth import truth_summary, when_text

    score = score_findings(findings, read_planted(TRUTH)["habits"], frame=log.frame, timezone=log.timezone)
    print(truth_summary(score))
    truth_table = pd.DataFrame([
        {"planted habit": item["name"], "kind": item["kind"], "location": item["location"] or "—",
         "when": when_text(item["weekdays"], item["hours"]), "result": result,
         "findings": ", ".join(f"#{r}" for r in item["ranks"])}
        for key, result in (("hits", "found"), ("misses", "missed"), ("unobservable", "not expected"),
                            ("optional", "optional")) for item in score[key]])
    for rank, summary in zip(score["false_alarm_ranks"], score["false_alarm_summaries"], strict=True):
        print(f"false alarm #{rank}: {summary}")
truth_table

# %% [markdown]
# ## When do goods leave before the goods issue is posted?
# Mean hours from loading to posting, by weekday and hour of the loading, at the location of the
# top finding. A positive lag: the goods left first. Then the share of loads posted only after
# the goods left, by weekday.

# %%
top = next((f for f in findings if f.kind.value == "physical_before_book"), None)
location = LOCATION or (top.location if top is not None else None)
grid = posting_lag_heatmap(log.frame, timezone=log.timezone, movement=PostedMovement.ISSUE, location=location)
display(Image(weekday_hour_heatmap_png(grid, title=f"Loading to goods-issue posting at {location or 'all locations'}"
                                       f" (mean hours, {log.timezone})")))
precedence = check_precedence(log.frame, timezone=log.timezone)
if precedence.available:
    rates = precedence.rates(by=["movement", "location", "weekday"])
    shares = rates[rates["movement"] == "issue"].pivot(index="location", columns="weekday", values="deviation_rate")
    display(shares.rename(columns=dict(enumerate(grid.index))).round(2))

# %% [markdown]
# ## Drill into the top finding
# The movements of the window (SKU, quantity, when the goods left, how long until the posting),
# how the finding moves the process-health table, and the events of its first cases.

# %%
drill = pd.DataFrame()
if top is not None:
    print(top.summary)
    print("effect on the mean time per step (h):", top.details.get("health_effect_h"))
    display(pd.DataFrame(top.details.get("movements", [])).head(10))
    cases = log.frame[log.frame["case:concept:name"].isin(top.evidence[:3])]
    columns = [c for c in ("case:concept:name", "concept:name", "time:timestamp", "org:resource", "location", "sku",
                           "qty") if c in cases.columns]
    drill = (cases[columns].assign(local_time=cases["time:timestamp"].dt.tz_convert(log.timezone))
             .sort_values(["case:concept:name", "time:timestamp"]).drop(columns=["time:timestamp"]).head(40))
drill
