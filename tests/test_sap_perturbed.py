"""A real ERP log with movements and postings: the SAP document flow (transfer order = goods picked,
goods movement = goods issue posted), perturbed on one weekday afternoon. Timestamps are SAP's
local creation times without a zone, read as UTC."""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import shared_file
from jxcsim.eventlog import read_event_log
from jxcsim.kpi.posting import PostedMovement, match_postings
from jxcsim.mining.findings import FindingKind
from jxcsim.mining.lag import conditioned_lags

pytestmark = pytest.mark.shared
PROFILE = {"columns": {"case": "VBELV", "activity": "VBTYP_N", "timestamp": ["ERDAT", "ERZET"], "sku": "MATNR",
                       "qty": "RFMNG", "line": "POSNV"},
           "timestamp_format": "%Y%m%d %H%M%S", "activities": {"Q": "physical_issue", "R": "book_issue"}}
CASE, TS, SEM = "case:concept:name", "time:timestamp", "semantic"


@pytest.fixture(scope="module")
def sap():
    return read_event_log(shared_file("sap_vbfa_document_flow.csv.gz"), profile=PROFILE)


def _thursday_afternoon(window_pairs):
    t = window_pairs["physical_time"]
    return (t.dt.weekday == 3) & (t.dt.hour >= 13) & (t.dt.hour < 16)


def test_a_posting_delay_on_thursday_afternoons_is_found(sap):
    frame = sap.frame
    before = conditioned_lags(frame, timezone="UTC")
    # the log's own pattern: one Tuesday-morning hour posted half an hour after the transfer order
    assert [(f.weekday, f.hours) for f in before] == [(1, [10.0, 11.0])]
    pairs = match_postings(frame, PostedMovement.ISSUE).dropna(subset=["delay_h"])
    hit = pairs[_thursday_afternoon(pairs)]
    cases = set(hit[CASE])
    assert len(cases) >= 100  # 27 years of deliveries
    # the goods issues of those deliveries are posted 3 hours late
    after = frame.copy()
    late = after[CASE].isin(cases) & (after[SEM] == "book_issue")
    after.loc[late, TS] = after.loc[late, TS] + pd.Timedelta(hours=3)
    found = conditioned_lags(after, timezone="UTC")
    hits = [f for f in found if f.kind is FindingKind.PHYSICAL_BEFORE_BOOK and f.weekday == 3
            and abs(f.hours[0] - 13) <= 1 and abs(f.hours[1] - 16) <= 1]
    assert hits, [f.summary for f in found]
    assert hits[0].details["median_h"] == pytest.approx(3.0, abs=0.01)
    assert hits[0].details["median_otherwise_h"] < 0.01  # posted within seconds of the transfer order
    assert set(hits[0].case_ids) <= cases and hits[0].activities == ["Q", "R"]
    # nothing else appears because of the perturbation
    assert len(found) == len(before) + 1
