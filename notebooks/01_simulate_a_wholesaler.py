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
# # Simulate a wholesaler
#
# The baseline scenario is a food & beverage wholesaler with two warehouses. At WH-A, drivers
# load on Wednesday afternoons before the goods issue is posted; at WH-B, goods received on
# Fridays are posted on Monday. We run it, watch book and shelf part ways for one SKU, and read
# the KPI table a manager would see.

# %% tags=["parameters"]
SCENARIO = "../scenarios/baseline.yaml"
WEEKS = 13
SEED = 0
SKU = None  # None: the SKU with the most phantom stock at WH-A
LOCATION = "WH-A"

# %%
import matplotlib.pyplot as plt
import pandas as pd

from jxcsim.kpi.summary import render_kpis
from jxcsim.world.scenario import load_scenario
from jxcsim.world.simulate import planted_truth, simulate, simulation_kpis

scenario = load_scenario(SCENARIO)
result = simulate(scenario, weeks=WEEKS, seed=SEED)
print(f"{len(result.log):,} events from {result.log['case:concept:name'].nunique():,} documents")
pd.DataFrame(planted_truth(scenario))[["name", "kind", "locations", "weekday_names", "hours"]]

# %% [markdown]
# ## Book versus shelf for one SKU
# Every movement acts on two ledgers: the shelf (physical) and the system (book). The gap between
# them, movement by movement, is what a month-end count finds.

# %%
positions = result.positions()
at_location = positions[positions["location"] == LOCATION]
sku = SKU or at_location.sort_values("cause:unposted_issue" if "cause:unposted_issue" in at_location else "discrepancy",
                                      ascending=False)["sku"].iloc[0]
timeline = result.stock_timeline(sku, LOCATION)
fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 5), sharex=True, height_ratios=[3, 1])
top.step(timeline["time"], timeline["physical"], where="post", label="physical (shelf)")
top.step(timeline["time"], timeline["book"], where="post", label="book (system)", alpha=0.8)
top.set_ylabel("units")
top.legend()
top.set_title(f"{sku} at {LOCATION}")
bottom.step(timeline["time"], timeline["book_minus_physical"], where="post", color="tab:red")
bottom.set_ylabel("book − shelf")
plt.show()

# %% [markdown]
# ## Where the discrepancy comes from
# The engine explains every unit of `book − physical` by a cause; in simulation nothing is left over.

# %%
cause_columns = [c for c in positions.columns if c.startswith("cause:")]
explained = positions[cause_columns].sum(axis=1)
assert (explained - positions["discrepancy"]).abs().max() < 1e-6
positions.groupby("location")[["discrepancy", *cause_columns]].sum()

# %% [markdown]
# ## The KPI table

# %%
kpis = simulation_kpis(result)
print(render_kpis(kpis))

# %% [markdown]
# ## What the goods cost: moving average against FIFO
# The scenario's suppliers raise their prices during the run (`catalogue.cost_changes`), and each
# goods receipt carries its purchase order's unit cost. The engine values the posted issues by
# moving average (the scenario's `catalogue.costing`) or FIFO: while costs rise, FIFO expenses the
# older, cheaper layers first, so its cost of goods is lower and its closing stock worth more.

# %%
from jxcsim.kpi import cost_of_goods
from jxcsim.world.simulate import ledger_frame, opening_stock_costs

costs = {sku: s.cost for sku, s in result.skus.items()}
opening = opening_stock_costs(ledger_frame(result.ledgers), costs)
runs = {m: cost_of_goods(result.log, m, opening=opening, standard_costs=costs) for m in ("moving_average", "fifo")}
pd.DataFrame({m: {"cost of goods sold": c.cogs, "closing stock value": c.closing_value}
              for m, c in runs.items()}).round(2)

# %% [markdown]
# ## What would scan-to-ship change?
# The same firm with the loading scan posting every goods issue (`scenarios/changes/scan_to_ship.yaml`),
# run with the same seed: each source of randomness has its own stream, so both runs meet the same
# customers ordering the same goods at the same times, and the difference is the change's. (One run
# per side has no interval; `jxcsim compare` over `--replications` gives one.)

# %%
from jxcsim.kpi.compare import compare_kpis

CHANGE = "../scenarios/changes/scan_to_ship.yaml"
scan = simulate(load_scenario(SCENARIO, changes=[CHANGE]), weeks=WEEKS, seed=SEED)
comparison = compare_kpis(kpis, simulation_kpis(scan))
table = pd.DataFrame(comparison["kpis"]).set_index("kpi")[["unit", "base", "what_if", "difference", "verdict"]]
changed = table[table["verdict"] != "same"].copy()
for column in ("base", "what_if", "difference"):  # one format for hours, shares and money alike
    changed[column] = changed[column].map(lambda v: "n/a" if pd.isna(v) else f"{v:,.3f}")
changed
