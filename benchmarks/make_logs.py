"""Deterministic synthetic order-to-cash / warehouse logs for the benchmarks.

One log, written in several formats, of ``N`` *activity instances* (default 1,000,000): the CSV
has one row per instance (``start_timestamp`` filled for the activities that record a start),
the XES one ``start`` and one ``complete`` event per instance with a start time and a lone
``complete`` otherwise, as real XES exports do. So the CSV holds ``N`` rows, the XES ``N + S``
events (``S`` instances with a start, about 40 %), and both read to the same ``N``-row frame.

The flow of an order (about 10 to 14 activity instances per case)::

    Order received → Credit check [→ Credit hold → Credit released] [→ Cancel order: end]
    → Allocate stock [→ Backorder → Allocate stock] [→ Print pick list] → Pick goods
    [→ Quality check] → Pack goods → Load truck → Post goods issue → Deliver goods
    [→ Proof of delivery] → Create invoice [→ Payment reminder [→ Payment reminder]]
    → Receive payment

with a customer (order level), one SKU and quantity per order line, a warehouse (``WH-A`` or
``WH-B``) whose staff do the warehouse work, office staff and ``SYSTEM`` for the rest, office
hours (08:00-18:00, no Sundays) in local time, and timestamps written with their ``+08:00``
offset. The last case is cut off at ``N`` instances, as an extraction cut-off would.

Files go to a cache directory (``benchmarks/.cache/`` by default) under a name holding ``N``
and the seed, with a ``.json`` manifest; they are reused when the manifest matches.

    python benchmarks/make_logs.py --events 1000000 --seed 42 [--csv-gz] [--no-xes-gz]
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np

GENERATOR_VERSION = 1
DEFAULT_EVENTS = 1_000_000
DEFAULT_SEED = 42
CACHE_DIR = Path(__file__).resolve().parent / ".cache"
OFFSET_S = 8 * 3600  # +08:00
OFFSET_TEXT = "+08:00"
START_DAY = np.datetime64("2025-01-02", "s")
ORDERS_PER_DAY = 300  # per working day; the span grows with N
CSV_COLUMNS = ["case_id", "activity", "timestamp", "start_timestamp", "resource", "location", "sku", "qty",
               "customer", "amount"]

# How a consultant would map this log (used by the benchmarks as the read profile).
PROFILE = {
    "timezone": "Asia/Shanghai",
    "activities": {
        "Order received": "order_received",
        "Credit check": "credit_check",
        "Credit hold": "credit_hold",
        "Credit released": "credit_approved",
        "Cancel order": "order_cancelled",
        "Allocate stock": "allocate",
        "Backorder": "backorder",
        "Pick goods": "pick",
        "Load truck": "physical_issue",
        "Post goods issue": "book_issue",
        "Deliver goods": "deliver",
        "Create invoice": "invoice",
        "Payment reminder": "notification",
        "Receive payment": "payment",
    },
}


@dataclass(frozen=True)
class Slot:
    """One position in the order flow."""

    activity: str
    pool: str  # resource pool; warehouse pools are per location
    wait: tuple[float, float]  # lognormal (median minutes, sigma) after the previous activity
    duration: tuple[float, float] | None = None  # when the activity records a start time
    office_hours: bool = True


SLOTS: tuple[Slot, ...] = (
    Slot("Order received", "sales", (0, 0), office_hours=False),
    Slot("Credit check", "credit", (25, 0.8), duration=(6, 0.6)),
    Slot("Credit hold", "SYSTEM", (1, 0.5), office_hours=False),
    Slot("Credit released", "credit", (300, 1.0)),
    Slot("Cancel order", "sales", (1440, 0.8)),
    Slot("Allocate stock", "SYSTEM", (4, 0.7), office_hours=False),
    Slot("Backorder", "SYSTEM", (1, 0.3), office_hours=False),
    Slot("Allocate stock", "SYSTEM", (4320, 0.6), office_hours=False),
    Slot("Print pick list", "wh_clerk", (45, 0.9)),
    Slot("Pick goods", "picker", (35, 0.9), duration=(12, 0.5)),
    Slot("Quality check", "qc", (10, 0.6), duration=(6, 0.5)),
    Slot("Pack goods", "packer", (15, 0.8), duration=(9, 0.5)),
    Slot("Load truck", "loader", (120, 0.9), duration=(18, 0.4)),
    Slot("Post goods issue", "wh_clerk", (8, 0.7)),
    Slot("Deliver goods", "driver", (30, 0.7), duration=(170, 0.5)),
    Slot("Proof of delivery", "driver", (60, 0.8)),
    Slot("Create invoice", "ar", (1200, 0.6)),
    Slot("Payment reminder", "ar", (44640, 0.15)),
    Slot("Payment reminder", "ar", (14400, 0.3)),
    Slot("Receive payment", "ar", (30000, 0.45)),
)
SLOT_INDEX = {name: i for i, name in reversed(list(enumerate(s.activity for s in SLOTS)))}
START_RECORDED = 0.95  # share of instances of a start-recording activity whose start was scanned
LOCATIONS = ("WH-A", "WH-B")
POOL_SIZES = {"sales": 12, "credit": 4, "ar": 5, "wh_clerk": 3, "picker": 15, "qc": 2, "packer": 6,
              "loader": 5, "driver": 8}
WAREHOUSE_POOLS = ("wh_clerk", "picker", "qc", "packer", "loader", "driver")
_SURNAMES = ("wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma",
             "zhu", "hu", "guo", "he", "lin", "luo", "gao")
_GIVEN = ("wei", "fang", "na", "min", "jing", "lei", "jun", "yang", "yong", "yan", "jie", "tao", "ming", "chao",
          "xia", "ping", "gang", "hui", "li", "qiang", "lan", "bo", "hong", "ying")
_CITIES = ("上海", "杭州", "苏州", "宁波", "南京", "无锡", "广州", "深圳", "东莞", "佛山", "成都", "武汉")
_WORDS = ("恒达", "华联", "鑫源", "宏图", "永盛", "金泰", "瑞丰", "嘉禾", "天成", "百川", "顺发", "益民")
_KINDS = ("商贸有限公司", "贸易有限公司", "五金批发部", "建材商行", "电器有限公司")
_WESTERN = ("Lee & Sons Trading", "Harbour Hardware Ltd", "Pacific Supply Co", "Tan & Koh Pte Ltd",
            "Northwind Traders")


@dataclass
class GeneratedLog:
    """The log as flat arrays, one entry per activity instance, in case then flow order."""

    case: np.ndarray  # int case number (0-based)
    slot: np.ndarray  # index into SLOTS
    start: np.ndarray  # int64 seconds since the epoch, UTC; -1 when no start is recorded
    complete: np.ndarray  # int64 seconds since the epoch, UTC
    resource: np.ndarray  # object
    location: np.ndarray  # int index into LOCATIONS, per instance
    sku: np.ndarray  # object, per instance
    qty: np.ndarray  # int, per instance
    customer: np.ndarray  # object, per instance
    amount: np.ndarray  # float, NaN where the activity carries none
    case_ids: np.ndarray  # object, one per case number
    cases: int


def _lognormal_s(rng: np.random.Generator, median_min: float, sigma: float, n: int) -> np.ndarray:
    if median_min <= 0:
        return np.zeros(n, dtype=np.int64)
    return np.rint(rng.lognormal(np.log(median_min * 60.0), sigma, n)).astype(np.int64)


def _office_hours(t: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Push times outside 08:00-18:00 local (or on a Sunday) to the next working morning."""
    local = t + OFFSET_S
    day, sec = np.divmod(local, 86400)
    late = sec >= 18 * 3600
    day = day + late
    early = late | (sec < 8 * 3600)
    weekday = (day + 3) % 7  # 1970-01-01 was a Thursday; Monday == 0
    sunday = weekday == 6
    day = day + sunday
    moved = early | sunday
    jitter = rng.exponential(1200.0, len(t)).astype(np.int64)
    morning = day * 86400 + 8 * 3600 + jitter - OFFSET_S
    return np.where(moved, np.maximum(morning, t), t)


def _names(rng: np.random.Generator, count: int) -> list[str]:
    seen: list[str] = []
    while len(seen) < count:
        name = f"{rng.choice(_SURNAMES)}.{rng.choice(_GIVEN)}"
        if name not in seen:
            seen.append(name)
    return seen


def _arrivals(rng: np.random.Generator, n_cases: int) -> np.ndarray:
    """Order arrival times (UTC seconds), sorted: weekdays, a little Saturday, office-hour peaks."""
    days = max(7, int(np.ceil(n_cases / ORDERS_PER_DAY * 7 / 5.4)))
    day_index = np.arange(days)
    weekday = (START_DAY.astype("datetime64[D]").astype(np.int64) + day_index + 3) % 7
    weight = np.select([weekday < 5, weekday == 5], [1.0, 0.4], 0.02)
    day = rng.choice(day_index, size=n_cases, p=weight / weight.sum())
    hour_weight = np.array([0.1] * 7 + [1, 4, 8, 9, 7, 3, 5, 8, 8, 6, 4, 2, 1, 0.6, 0.4, 0.2, 0.1])
    hour = rng.choice(24, size=n_cases, p=hour_weight / hour_weight.sum())
    sec = rng.integers(0, 3600, n_cases)
    base = START_DAY.astype(np.int64)
    return np.sort(base + day * 86400 + hour * 3600 + sec - OFFSET_S)


def _include(rng: np.random.Generator, n_cases: int) -> np.ndarray:
    """Which flow positions each case passes through (cases × slots)."""
    s = SLOT_INDEX
    inc = np.ones((n_cases, len(SLOTS)), dtype=bool)
    u = lambda p: rng.random(n_cases) < p  # noqa: E731
    hold = u(0.08)
    inc[:, s["Credit hold"]] = hold
    inc[:, s["Credit released"]] = hold & ~u(0.15)  # some holds are never released...
    cancel = u(0.015) | (hold & ~inc[:, s["Credit released"]])  # ...and end in a cancellation
    inc[:, s["Cancel order"]] = cancel
    back = u(0.06)
    inc[:, s["Backorder"]] = back
    inc[:, s["Backorder"] + 1] = back  # the second allocation
    inc[:, s["Print pick list"]] = u(0.85)
    inc[:, s["Quality check"]] = u(0.2)
    inc[:, s["Proof of delivery"]] = u(0.7)
    remind = u(0.15)
    inc[:, s["Payment reminder"]] = remind
    inc[:, s["Payment reminder"] + 1] = remind & u(0.3)
    inc[cancel, s["Cancel order"] + 1:] = False
    return inc


def generate(n_instances: int, seed: int = DEFAULT_SEED) -> GeneratedLog:
    """The log with exactly ``n_instances`` activity instances (see the module docstring)."""
    if n_instances < 1:
        raise ValueError("need at least one activity instance")
    rng = np.random.default_rng(seed)
    n_cases = int(n_instances / 11.0) + 16  # mean length is ≈ 12.2; grown below if short
    while True:
        inc = _include(rng, n_cases)
        if inc.sum() >= n_instances:
            break
        n_cases = int(n_cases * 1.2) + 16
    arrival = _arrivals(rng, n_cases)

    # Times, slot by slot, vectorised over cases.
    n_slots = len(SLOTS)
    start = np.full((n_cases, n_slots), -1, dtype=np.int64)
    complete = np.zeros((n_cases, n_slots), dtype=np.int64)
    prev = arrival.copy()
    pgi = SLOT_INDEX["Post goods issue"]
    for k, slot in enumerate(SLOTS):
        t = prev + _lognormal_s(rng, slot.wait[0], slot.wait[1], n_cases)
        if k == pgi:  # now and then booked late (next morning or later): book and shelf disagree
            t = t + np.where(rng.random(n_cases) < 0.07, _lognormal_s(rng, 900, 0.7, n_cases), 0)
        if slot.office_hours:
            t = _office_hours(t, rng)
        if slot.duration is not None:
            done = t + np.maximum(30, _lognormal_s(rng, slot.duration[0], slot.duration[1], n_cases))
            recorded = rng.random(n_cases) < START_RECORDED
            start[:, k] = np.where(recorded, t, -1)
        else:
            done = t
        complete[:, k] = done
        prev = np.where(inc[:, k], done, prev)
    # Flatten in case then flow order and cut at n_instances.
    case, slot = np.nonzero(inc)
    case, slot = case[:n_instances], slot[:n_instances]
    n_used = int(case[-1]) + 1
    st = start[case, slot]
    co = complete[case, slot]

    # Order attributes: customer, SKU, quantity, warehouse.
    n_customers, n_skus = 800, 2000
    customers = np.array([_customer(rng, i) for i in range(n_customers)], dtype=object)
    cust_w = 1.0 / np.arange(1, n_customers + 1) ** 0.9
    sku_w = 1.0 / np.arange(1, n_skus + 1) ** 1.05
    skus = np.array([f"SKU-{10000 + i}" for i in rng.permutation(n_skus)], dtype=object)
    price = np.round(rng.lognormal(np.log(35.0), 0.9, n_skus), 2)
    case_customer = rng.choice(n_customers, size=n_used, p=cust_w / cust_w.sum())
    case_sku = rng.choice(n_skus, size=n_used, p=sku_w / sku_w.sum())
    case_qty = np.maximum(1, np.rint(rng.lognormal(np.log(12.0), 1.0, n_used))).astype(np.int64)
    case_loc = (rng.random(n_used) < 0.4).astype(np.int64)  # WH-B takes 40 %

    # Resources: office pools shared, warehouse pools per location; SYSTEM for automatic steps.
    names = _names(rng, sum(POOL_SIZES.values()) + sum(POOL_SIZES[p] for p in WAREHOUSE_POOLS))
    pools: dict[tuple[str, int], np.ndarray] = {}
    taken = 0
    for pool, size in POOL_SIZES.items():
        for loc in (range(len(LOCATIONS)) if pool in WAREHOUSE_POOLS else (0,)):
            pools[(pool, loc)] = np.array(names[taken:taken + size], dtype=object)
            taken += size
    resource = np.empty(n_instances, dtype=object)
    loc = case_loc[case]
    for k, s in enumerate(SLOTS):
        at = slot == k
        if not at.any():
            continue
        if s.pool == "SYSTEM":
            resource[at] = "SYSTEM"
            continue
        for w in (range(len(LOCATIONS)) if s.pool in WAREHOUSE_POOLS else (0,)):
            here = at & (loc == w) if s.pool in WAREHOUSE_POOLS else at
            members = pools[(s.pool, w)]
            resource[here] = members[rng.integers(0, len(members), int(here.sum()))]

    amount = np.full(n_instances, np.nan)
    billed = np.isin(slot, [SLOT_INDEX["Create invoice"], SLOT_INDEX["Receive payment"]])
    amount[billed] = np.round(case_qty[case[billed]] * price[case_sku[case[billed]]], 2)
    year = (START_DAY.astype("datetime64[Y]").astype(int) + 1970) % 100
    case_ids = np.array([f"SO{year:02d}{i + 1:07d}" for i in range(n_used)], dtype=object)
    return GeneratedLog(case=case, slot=slot, start=st, complete=co, resource=resource, location=loc,
                        sku=skus[case_sku][case], qty=case_qty[case], customer=customers[case_customer][case],
                        amount=amount, case_ids=case_ids, cases=n_used)


def _customer(rng: np.random.Generator, i: int) -> str:
    if i % 40 == 7:
        return _WESTERN[(i // 40) % len(_WESTERN)]
    return f"{rng.choice(_CITIES)}{rng.choice(_WORDS)}{rng.choice(_KINDS)}"


# ----------------------------------------------------------------------------------------- writers

def _local_text(seconds: np.ndarray, sep: str) -> np.ndarray:
    """``YYYY-MM-DD<sep>HH:MM:SS`` in local time, as a numpy string array."""
    text = np.datetime_as_string((seconds + OFFSET_S).astype("datetime64[s]"), unit="s")
    return np.char.replace(text, "T", sep) if sep != "T" else text


def write_csv(log: GeneratedLog, path: Path, *, gz: bool = False) -> None:
    """One row per activity instance, sorted by completion time as an ERP change log would be."""
    import pyarrow as pa
    from pyarrow import csv as pacsv

    order = np.lexsort((log.slot, log.case, log.complete))
    acts = np.array([s.activity for s in SLOTS], dtype=object)
    ts = np.char.add(_local_text(log.complete[order], " "), OFFSET_TEXT)
    has_start = log.start[order] >= 0
    st = np.char.add(_local_text(np.where(has_start, log.start[order], 0), " "), OFFSET_TEXT)
    amount = log.amount[order]
    columns = {
        "case_id": pa.array(log.case_ids[log.case[order]], pa.string()),
        "activity": pa.array(acts[log.slot[order]], pa.string()),
        "timestamp": pa.array(ts.tolist(), pa.string()),
        "start_timestamp": pa.array(st.tolist(), pa.string(), mask=~has_start),
        "resource": pa.array(log.resource[order], pa.string()),
        "location": pa.array(np.array(LOCATIONS, dtype=object)[log.location[order]], pa.string()),
        "sku": pa.array(log.sku[order], pa.string()),
        "qty": pa.array(log.qty[order], pa.int64()),
        "customer": pa.array(log.customer[order], pa.string()),
        "amount": pa.array([f"{a:.2f}" for a in amount.tolist()], pa.string(), mask=np.isnan(amount)),
    }
    table = pa.table(columns)
    for col in ("customer", "resource", "activity"):  # written unquoted: must hold no delimiter
        assert not any(("," in v or '"' in v) for v in table[col].unique().to_pylist() if v), col
    # pyarrow quotes the header whatever the style; ERP exports rarely quote anything.
    options = pacsv.WriteOptions(quoting_style="none", include_header=False)
    header = (",".join(table.column_names) + "\n").encode()
    with (gzip.open(path, "wb", compresslevel=6) if gz else open(path, "wb")) as out:
        out.write(header)
        pacsv.write_csv(table, out, options)


_XES_HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<log xes.version="1.0" xes.features="nested-attributes" openxes.version="1.0RC7">
\t<extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
\t<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
\t<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
\t<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
\t<global scope="trace">
\t\t<string key="concept:name" value="__INVALID__"/>
\t</global>
\t<global scope="event">
\t\t<string key="concept:name" value="__INVALID__"/>
\t\t<string key="lifecycle:transition" value="complete"/>
\t\t<date key="time:timestamp" value="1970-01-01T00:00:00.000+00:00"/>
\t</global>
\t<classifier name="Activity" keys="concept:name"/>
\t<classifier name="Activity classifier" keys="concept:name lifecycle:transition"/>
\t<string key="concept:name" value="jxcsim synthetic order-to-cash"/>
\t<string key="source" value="benchmarks/make_logs.py"/>
"""


def write_xes(log: GeneratedLog, path: Path, *, chunk: int = 200_000) -> int:
    """Stream the log as XES (traces in case order, events in time order); returns events written."""
    acts = [quoteattr(s.activity) for s in SLOTS]
    locs = [quoteattr(x) for x in LOCATIONS]
    written = 0
    n = len(log.case)
    first = np.concatenate(([True], log.case[1:] != log.case[:-1]))
    last = np.concatenate((log.case[1:] != log.case[:-1], [True]))
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        out.write(_XES_HEAD)
        for lo in range(0, n, chunk):
            hi = min(n, lo + chunk)
            case = log.case[lo:hi]
            has_start = log.start[lo:hi] >= 0
            done = np.char.add(_local_text(log.complete[lo:hi], "T"), ".000" + OFFSET_TEXT).tolist()
            begun = np.char.add(_local_text(np.where(has_start, log.start[lo:hi], 0), "T"),
                                ".000" + OFFSET_TEXT).tolist()
            amount = log.amount[lo:hi].tolist()
            opened = [
                f'\t<trace>\n\t\t<string key="concept:name" value="{log.case_ids[c]}"/>\n'
                f'\t\t<string key="customer" value={quoteattr(log.customer[i])}/>\n' if f else ""
                for i, c, f in zip(range(lo, hi), case.tolist(), first[lo:hi].tolist())
            ]
            pieces = []
            for j, (sl, res, lc, sku, qty) in enumerate(zip(log.slot[lo:hi].tolist(), log.resource[lo:hi].tolist(),
                                                            log.location[lo:hi].tolist(), log.sku[lo:hi].tolist(),
                                                            log.qty[lo:hi].tolist())):
                amt = amount[j]
                body = (f'\t\t\t<string key="concept:name" value={acts[sl]}/>\n'
                        f'\t\t\t<string key="org:resource" value="{escape(res)}"/>\n'
                        f'\t\t\t<string key="location" value={locs[lc]}/>\n'
                        f'\t\t\t<string key="sku" value="{sku}"/>\n'
                        f'\t\t\t<int key="qty" value="{qty}"/>\n')
                if amt == amt:  # not NaN
                    body += f'\t\t\t<float key="amount" value="{amt:.2f}"/>\n'
                text = opened[j]
                if has_start[j]:
                    text += (f'\t\t<event>\n{body}\t\t\t<string key="lifecycle:transition" value="start"/>\n'
                             f'\t\t\t<date key="time:timestamp" value="{begun[j]}"/>\n\t\t</event>\n')
                    written += 1
                text += (f'\t\t<event>\n{body}\t\t\t<string key="lifecycle:transition" value="complete"/>\n'
                         f'\t\t\t<date key="time:timestamp" value="{done[j]}"/>\n\t\t</event>\n')
                written += 1
                if last[lo + j]:
                    text += "\t</trace>\n"
                pieces.append(text)
            out.write("".join(pieces))
        out.write("</log>\n")
    return written


def _gzip_file(src: Path, dst: Path, level: int = 6) -> None:
    with open(src, "rb") as inp, gzip.open(dst, "wb", compresslevel=level) as out:
        shutil.copyfileobj(inp, out, 1 << 22)


# ------------------------------------------------------------------------------------------- cache

def paths_for(n_instances: int, seed: int, cache_dir: Path = CACHE_DIR) -> dict[str, Path]:
    stem = cache_dir / f"o2c_n{n_instances}_s{seed}"
    return {"csv": stem.with_suffix(".csv"), "csv_gz": Path(f"{stem}.csv.gz"), "xes": stem.with_suffix(".xes"),
            "xes_gz": Path(f"{stem}.xes.gz"), "manifest": stem.with_suffix(".json")}


def ensure_logs(n_instances: int = DEFAULT_EVENTS, seed: int = DEFAULT_SEED, *, cache_dir: Path = CACHE_DIR,
                csv_gz: bool = False, xes_gz: bool = True, log=print) -> dict:
    """Write (or reuse) the log's files; returns the manifest (counts and paths)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    paths = paths_for(n_instances, seed, cache_dir)
    manifest: dict = {}
    if paths["manifest"].exists():
        manifest = json.loads(paths["manifest"].read_text())
        if manifest.get("version") != GENERATOR_VERSION or manifest.get("instances") != n_instances:
            manifest = {}
    wanted = ["csv", "xes"] + (["csv_gz"] if csv_gz else []) + (["xes_gz"] if xes_gz else [])
    if manifest and all(paths[k].exists() and k in manifest.get("files", {}) for k in wanted):
        return manifest
    t0 = time.perf_counter()
    gen = generate(n_instances, seed)
    log(f"make_logs: generated {n_instances:,} instances in {time.perf_counter() - t0:.1f} s")
    with_start = int((gen.start >= 0).sum())
    manifest = {
        "version": GENERATOR_VERSION, "seed": seed, "instances": n_instances, "cases": gen.cases,
        "instances_with_start": with_start, "xes_events": n_instances + with_start,
        "activities": len({s.activity for s in SLOTS}), "files": dict(manifest.get("files", {})),
    }
    for key in wanted:
        if key in manifest["files"] and paths[key].exists():
            continue
        t0 = time.perf_counter()
        tmp = paths[key].with_name(paths[key].name + ".tmp")
        if key == "csv":
            write_csv(gen, tmp)
        elif key == "csv_gz":
            write_csv(gen, tmp, gz=True)
        elif key == "xes":
            events = write_xes(gen, tmp)
            assert events == manifest["xes_events"], (events, manifest["xes_events"])
        else:
            if not paths["xes"].exists():
                raise RuntimeError("write the .xes before its .gz")
            _gzip_file(paths["xes"], tmp)
        os.replace(tmp, paths[key])
        manifest["files"][key] = str(paths[key])
        size = paths[key].stat().st_size / 2**20
        log(f"make_logs: wrote {paths[key].name} ({size:,.0f} MiB) in {time.perf_counter() - t0:.1f} s")
        paths["manifest"].write_text(json.dumps(manifest, indent=1))
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=DEFAULT_EVENTS, help="activity instances (CSV rows)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--cache-dir", type=Path, default=CACHE_DIR)
    parser.add_argument("--csv-gz", action="store_true", help="also write .csv.gz")
    parser.add_argument("--no-xes-gz", action="store_true", help="skip the .xes.gz")
    args = parser.parse_args(argv)
    manifest = ensure_logs(args.events, args.seed, cache_dir=args.cache_dir, csv_gz=args.csv_gz,
                           xes_gz=not args.no_xes_gz, log=lambda m: print(m, file=sys.stderr))
    print(json.dumps(manifest))
    return 0


if __name__ == "__main__":
    sys.exit(main())
