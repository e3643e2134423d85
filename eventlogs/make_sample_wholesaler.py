"""Generate eventlogs/sample_wholesaler.csv: a small, seeded order-to-cash log of a wholesaler.

Two warehouses; at WH-A on Wednesday afternoons drivers load before the goods issue is posted
(hours later, sometimes never). A few rows are deliberately bad so the quarantine has work.
Run: python eventlogs/make_sample_wholesaler.py   (the committed CSV is its output, seed 7)
"""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np

OUT = Path(__file__).with_name("sample_wholesaler.csv")
SKUS = [f"SKU-{i:03d}" for i in range(1, 31)]
STAFF = {"sales": ["Zhang Wei", "Li Na"], "wh": ["Wang Qiang", "Zhao Min", "Chen Jie"],
         "driver": ["Liu Yang", "Sun Hao"], "finance": ["Zhou Lan"]}


def _hours(rng: np.random.Generator, mean: float) -> timedelta:
    return timedelta(hours=float(rng.gamma(2.0, mean / 2.0)))


def generate(seed: int = 7, orders: int = 400) -> list[dict[str, str]]:
    rng = np.random.default_rng(seed)
    start = datetime(2024, 3, 4, 8, 0)
    rows: list[dict[str, str]] = []
    for n in range(orders):
        day = start + timedelta(days=int(rng.integers(0, 56)))
        t = day.replace(hour=int(rng.integers(8, 18)), minute=int(rng.integers(0, 60)))
        case, wh = f"SO-{10000 + n}", str(rng.choice(["WH-A", "WH-B"]))
        sku, qty = str(rng.choice(SKUS)), int(rng.integers(1, 40))

        def add(activity: str, when: datetime, who: str, **extra: str) -> None:
            rows.append({"case": case, "activity": activity, "timestamp": when.strftime("%Y-%m-%d %H:%M:%S"),
                         "resource": who, "warehouse": wh, "sku": sku, "qty": str(qty), **extra})

        add("Order received", t, str(rng.choice(STAFF["sales"])))
        t += _hours(rng, 1.0)
        add("Credit check", t, str(rng.choice(STAFF["finance"])))
        t += _hours(rng, 2.0)
        add("Pick goods", t, str(rng.choice(STAFF["wh"])))
        t += _hours(rng, 1.0)
        load = t.replace(hour=max(t.hour, 13)) if t.weekday() == 2 and wh == "WH-A" else t
        habit = load.weekday() == 2 and wh == "WH-A" and 13 <= load.hour < 18
        post = load + (_hours(rng, 4.0) if habit else timedelta(minutes=float(rng.integers(2, 20))))
        add("Load truck", load, str(rng.choice(STAFF["driver"])))
        if not (habit and rng.random() < 0.1):
            add("Post goods issue", post, str(rng.choice(STAFF["wh"])))
        t = max(load, post) + _hours(rng, 20.0)
        add("Deliver to customer", t, str(rng.choice(STAFF["driver"])))
        t += _hours(rng, 24.0)
        add("Issue invoice", t, str(rng.choice(STAFF["finance"])))
    rows.append(dict(rows[5]))  # an exact duplicate export line
    rows.append({**rows[8], "timestamp": "31/02/2024 25:00"})  # a hand-typed impossible time
    rows.append({**rows[11], "qty": "twelve"})
    rows.append({**rows[14], "case": ""})
    return rows


def main() -> None:
    rows = generate()
    with open(OUT, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"wrote {OUT} ({len(rows)} rows)")


if __name__ == "__main__":
    main()
