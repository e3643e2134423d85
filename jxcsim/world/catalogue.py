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

import bisect
import math
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


class PurchaseCosts:
    """Each SKU's purchase unit cost over time: its catalogue cost × the price-list changes in effect
    (``catalogue.cost_changes``), rounded to cents.

    >>> from jxcsim.world.scenario import parse_scenario
    >>> sc = parse_scenario({"name": "t", "locations": {"WH-A": {}}, "catalogue": {"cost_changes": [
    ...     {"effective": "2025-01-08", "factor": 1.1},
    ...     {"effective": "2025-01-20", "factor": 1.1, "groups": ["GEN"]}]}})
    >>> sku = build_catalogue(sc)[0][0]
    >>> costs = PurchaseCosts(sc, [sku])
    >>> [round(costs.at(sku, h) / sku.cost, 2) for h in (0.0, 47.9, 48.0, 14 * 24.0)]
    [1.0, 1.0, 1.1, 1.21]
    """

    def __init__(self, scenario: Scenario, skus: list[Sku]):
        changes = sorted(scenario.catalogue.cost_changes, key=lambda c: c.effective)
        self._steps: dict[str, list[tuple[float, float]]] = {}  # sku -> [(from hour, unit cost)], ascending
        for sku in skus:
            steps, factor = [(-math.inf, sku.cost)], 1.0
            for change in changes:
                if change.groups is None or sku.group in change.groups:
                    factor *= change.factor
                    steps.append(((change.effective - scenario.start).days * 24.0, round(sku.cost * factor, 2)))
            self._steps[sku.sku] = steps

    def at(self, sku: Sku, hour: float) -> float:
        """The unit cost of ``sku`` on a purchase order created at world ``hour``."""
        steps = self._steps[sku.sku]
        return steps[bisect.bisect_right(steps, (hour, math.inf)) - 1][1]
