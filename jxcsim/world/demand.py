"""What customers order, drawn a span of hours at a time: arrival times, customers, warehouses, lines.

Orders arrive as a Poisson process whose rate is constant within each hour of the week
(``Demand.orders_per_week`` spread by weekday × hour weights). An order's customer is drawn by
order weight, its warehouse by location weight, its number of lines from ``lines_per_order`` (at
most the number of SKUs), its SKUs by demand weight without replacement (the lines in order of
the draw) and each line's quantity from ``qty_per_line`` times the customer's quantity factor,
rounded up. All of it comes from the generator passed in, in one numpy call per quantity for the
whole span, so drawing a week of orders costs about as much as drawing one.

The world's order arrivals and the benchmark's bare flow both draw from here, so they see the
same orders.

>>> import numpy as np
>>> from jxcsim.world.catalogue import build_catalogue
>>> from jxcsim.world.scenario import parse_scenario
>>> sc = parse_scenario({"name": "t", "locations": {"WH-A": {}}})
>>> skus, customers = build_catalogue(sc)
>>> draws = OrderDraws(sc.demand, customers, list(sc.locations), skus)
>>> orders = draws.between(np.random.default_rng(1), 0, 168)
>>> t, customer, location, lines = orders[0]
>>> 0 <= t < 168, location, all(qty >= 1 for _, qty in lines)
(True, 'WH-A', True)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .catalogue import Customer, Sku
from .scenario import Demand
from .shifts import HOURS_PER_WEEK

_MAX_KEYS = 1_000_000  # SKU keys drawn at once (orders × SKUs), to bound the memory of a large catalogue

DrawnOrder = tuple[float, Customer, str, list[tuple[Sku, float]]]
"""(arrival time in world hours, customer, location, lines as (SKU, quantity))"""


class OrderDraws:
    """The orders of ``demand``, drawn for any span of whole hours (see the module docstring)."""

    def __init__(self, demand: Demand, customers: Sequence[Customer], locations: Sequence[str],
                 skus: Sequence[Sku]):
        if not customers or not locations or not skus:
            raise ValueError("orders need at least one customer, one location and one SKU")
        day_w = np.asarray(demand.weekday_weights, dtype=float)
        hour_w = np.asarray(demand.hour_weights, dtype=float)
        self.rate = demand.orders_per_week * np.outer(day_w / day_w.sum(), hour_w / hour_w.sum()).ravel()
        self.customers, self.locations, self.skus = list(customers), list(locations), list(skus)
        self.customer_cum = np.cumsum([c.order_weight for c in self.customers])
        loc_w = [demand.location_weight(loc) for loc in locations]
        if sum(loc_w) <= 0:
            raise ValueError("the location weights leave no location to order from")
        self.location_cum = np.cumsum(loc_w)
        self.qty_factor = np.asarray([c.qty_factor for c in self.customers])
        self.sku_exponent = 1.0 / np.asarray([s.demand_weight for s in self.skus])
        self.lines_per_order, self.qty_per_line = demand.lines_per_order, demand.qty_per_line

    def between(self, rng: np.random.Generator, start_h: int, end_h: int) -> list[DrawnOrder]:
        """The orders arriving in ``[start_h, end_h)`` (whole world hours), in time order."""
        hours = np.arange(start_h, end_h)
        per_hour = rng.poisson(self.rate[hours % int(HOURS_PER_WEEK)])
        n = int(per_hour.sum())
        if n == 0:
            return []
        times = np.sort(np.repeat(hours, per_hour) + rng.random(n))
        last_customer, last_location = len(self.customers) - 1, len(self.locations) - 1
        who = np.minimum(np.searchsorted(self.customer_cum, rng.random(n) * self.customer_cum[-1], side="right"),
                         last_customer)
        where = np.minimum(np.searchsorted(self.location_cum, rng.random(n) * self.location_cum[-1], side="right"),
                           last_location)
        n_skus = len(self.skus)
        n_lines = np.minimum(self.lines_per_order.many(rng, n), n_skus)
        # weighted sampling without replacement: the largest u^(1/w) of each order (Efraimidis & Spirakis),
        # a block of orders at a time (at most about a million keys in memory, whatever the catalogue)
        width = int(n_lines.max())
        ranked: list[list[int]] = []
        block = max(1, _MAX_KEYS // n_skus)
        for first in range(0, n, block):
            keys = -(rng.random((min(block, n - first), n_skus)) ** self.sku_exponent)
            # only the ``width`` largest keys matter: partition, then sort those (as a full sort would
            # order them; only keys tied at the boundary, when u ** (1/w) underflows to 0, may differ)
            if width < n_skus:
                top = np.argpartition(keys, width - 1, axis=1)[:, :width]
                order = np.argsort(np.take_along_axis(keys, top, axis=1), axis=1, kind="stable")
                ranked.extend(np.take_along_axis(top, order, axis=1).tolist())
            else:
                ranked.extend(np.argsort(keys, axis=1, kind="stable").tolist())
        qty = np.ceil(self.qty_per_line.many(rng, int(n_lines.sum())) * np.repeat(self.qty_factor[who], n_lines))
        qty_list = qty.tolist()
        customers, locations, skus = self.customers, self.locations, self.skus
        orders: list[DrawnOrder] = []
        at = 0
        drawn = zip(times.tolist(), who.tolist(), where.tolist(), n_lines.tolist(), ranked, strict=True)
        for t, c, loc, k, chosen in drawn:
            lines = [(skus[j], q) for j, q in zip(chosen[:k], qty_list[at:at + k], strict=True)]
            orders.append((t, customers[c], locations[loc], lines))
            at += k
        return orders
