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
# # Read a log and check it
#
# A consultant's first ten minutes with a client's export: read it with a profile, see what was
# quarantined and why, and look at when work happens in the log's own time zone.

# %% tags=["parameters"]
LOG = "../eventlogs/sample_wholesaler.csv"
PROFILE = "../eventlogs/sample_wholesaler.profile.yaml"

# %%
import matplotlib.pyplot as plt

from jxcsim.eventlog import read_event_log, summarize_log
from jxcsim.eventlog.summary import WEEKDAYS, render_summary

log = read_event_log(LOG, profile=PROFILE)
summary = summarize_log(log)
print(render_summary(summary))

# %% [markdown]
# Every input row is either accepted or quarantined with a reason; the counts add up.

# %%
assert log.rows_read == log.rows_accepted + len(log.quarantine)
log.quarantine[["source_row", "reason"]]

# %% [markdown]
# The canonical frame: one row per activity instance, pm4py column names, UTC timestamps, and the
# semantic each activity has in the profile.

# %%
log.frame.head()

# %%
fig, ax = plt.subplots(figsize=(9, 3))
ax.imshow(summary["weekday_hour"], aspect="auto", cmap="Blues")
ax.set_yticks(range(7), WEEKDAYS)
ax.set_xlabel(f"hour of day ({log.timezone})")
ax.set_title("activity instances per weekday and hour")
plt.show()
