# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
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

# %%
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

from jxcsim.eventlog import read_event_log
from jxcsim.kpi.posting import PostedMovement
from jxcsim.kpi.process import process_health
from jxcsim.mining.diagnose import diagnose
from jxcsim.mining.heatmap import posting_lag_heatmap

if LOG is None:
    from jxcsim.world.scenario import load_scenario
    from jxcsim.world.simulate import simulate, write_simulation

    out = Path(tempfile.mkdtemp(prefix="jxcsim-"))
    write_simulation(simulate(load_scenario("../scenarios/baseline.yaml"), weeks=WEEKS, seed=SEED), out,
                     formats=("csv",))
    LOG, PROFILE = out / "log.csv", out / "profile.yaml"
log = read_event_log(LOG, profile=PROFILE)
print(f"{len(log.frame):,} activity instances, {log.frame['case:concept:name'].nunique():,} cases, "
      f"local time zone {log.timezone}; {len(log.quarantine)} rows quarantined")

# %% [markdown]
# ## Process health per step
# Mean, median and p90 hours per step of the sales process, and the share of cases blocked
# (longer than 24 h) — the table managers know.

# %%
process_health(log.frame).round(2)

# %% [markdown]
# ## The diagnosis
# Posting lags are conditioned on location × weekday × hour and tested against the rest of the
# week; never-posted movements are listed. Nothing here was eyeballed.

# %%
findings = diagnose(log.frame, timezone=log.timezone)
pd.DataFrame([{k: f.to_dict()[k] for k in ("kind", "location", "weekday", "hours", "cases", "effect_h",
                                            "baseline_h", "q_value", "summary")} for f in findings])

# %% [markdown]
# ## When do goods leave before the goods issue is posted?
# Mean hours from loading to posting, by weekday and hour of the loading, at the location of the
# top finding. A positive lag: the goods left first.

# %%
top = next((f for f in findings if f.kind.value == "physical_before_book"), None)
location = LOCATION or (top.location if top is not None else None)
grid = posting_lag_heatmap(log.frame, timezone=log.timezone, movement=PostedMovement.ISSUE, location=location)
fig, ax = plt.subplots(figsize=(10, 3.2))
image = ax.imshow(grid.to_numpy(dtype=float), aspect="auto", cmap="RdBu_r", vmin=-12, vmax=12)
ax.set_yticks(range(7), grid.index)
ax.set_xticks(range(0, 24, 2))
ax.set_xlabel(f"hour of loading ({log.timezone})")
ax.set_title(f"mean hours from loading to goods-issue posting at {location or 'all locations'}")
fig.colorbar(image, ax=ax, label="hours")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## Drill into the top finding's cases

# %%
drill = pd.DataFrame()
if top is not None:
    print(top.summary)
    cases = log.frame[log.frame["case:concept:name"].isin(top.evidence[:5])]
    columns = [c for c in ("case:concept:name", "concept:name", "time:timestamp", "org:resource", "location", "sku",
                           "qty") if c in cases.columns]
    drill = (cases[columns].assign(local_time=cases["time:timestamp"].dt.tz_convert(log.timezone))
             .sort_values(["case:concept:name", "time:timestamp"]).drop(columns=["time:timestamp"]).head(40))
drill
