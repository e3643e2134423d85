"""SKUs and customers generated from a scenario's groups, deterministically (``catalogue_seed``).

The catalogue is part of the scenario, not of a replication: every replication of a scenario
sees the same SKUs, prices and credit limits.

>>> from jxcsim.world.scenario import parse_scenario
>>> sc = parse_scenario({"name": "t", "locations": {"WH-A": {}}})
>>> skus, customers = build_catalogue(sc)
>>> len(skus), skus[0].sku, round(skus[0].cost / skus[0].price, 2) < 1
(10, 'GEN-001', True)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .scenario import Range, Scenario


@dataclass(frozen=True, slots=True)
class Sku:
    sku: str
    group: str
    category: str
    price: float
    cost: float
    supplier: str
    lead_time_days: Range
    demand_weight: float


@dataclass(frozen=True, slots=True)
class Customer:
    customer: str
    credit_limit: float
    pay_days: Range
    order_weight: float
    qty_factor: float


def _draw(rng: np.random.Generator, r: Range) -> float:
    return float(r.low if r.low == r.high else rng.uniform(r.low, r.high))


def build_catalogue(scenario: Scenario) -> tuple[list[Sku], list[Customer]]:
    """The SKUs and customers of ``scenario`` (same seed, same catalogue)."""
    rng = np.random.default_rng(scenario.catalogue_seed)
    skus = []
    for prefix, group in scenario.catalogue.groups.items():
        for n in range(1, group.count + 1):
            price = round(_draw(rng, group.price), 2)
            cost = round(price * (1 - _draw(rng, group.margin)), 2)
            skus.append(Sku(f"{prefix}-{n:03d}", prefix, group.category or prefix, price, cost, group.supplier,
                            group.lead_time_days, group.demand_weight * float(rng.uniform(0.5, 1.5))))
    customers = []
    for prefix, cg in scenario.customers.items():
        for n in range(1, cg.count + 1):
            limit = round(_draw(rng, cg.credit_limit), -3)
            customers.append(Customer(f"{prefix}-{n:03d}", limit, cg.pay_days,
                                      cg.order_weight * float(rng.uniform(0.5, 1.5)), cg.qty_factor))
    return skus, customers
