"""Money KPIs: gross margin by product, the customers behind 80 % of revenue, receivables turnover.

>>> from jxcsim.kpi.example import COSTS, example_log
>>> g = gross_margin(example_log(), COSTS)
>>> g.basis, g.revenue, g.cost, g.margin, g.margin_pct
('physical_issue', 1400.0, 1050.0, 350.0, 0.25)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..eventlog.schema import CASE, TIMESTAMP, Semantic
from .common import HOUR, KpiUnavailable, events, hours, local_midnights, require_columns

PARETO_SHARE = 0.8
_EPS = 1e-9


@dataclass(frozen=True)
class GrossMargin:
    """Revenue, cost and margin in total and per SKU (see :func:`gross_margin`)."""

    basis: str
    revenue: float
    cost: float | None
    margin: float | None
    margin_pct: float | None
    n_rows_without_price: int
    skus_without_cost: list[str]
    by_product: pd.DataFrame = field(compare=False, repr=False)


def gross_margin(frame: pd.DataFrame, costs: Mapping[str, float] | None = None) -> GrossMargin:
    """Gross margin by product from the goods that left: Σ qty × price − Σ qty × unit cost.

    Revenue is read from ``physical_issue`` events (``qty`` × ``price``), so goods that left but
    were never posted still count as sales; a log with no ``physical_issue`` events (many ERP
    logs record only postings) falls back to ``book_issue``; ``basis`` says which was used.
    Customer returns (``return_physical_in``, or ``return_book_in`` with the book basis) count
    with their quantity negative: sales undone. Cost
    uses the standard unit cost per SKU in ``costs``; without ``costs`` only revenue is given.
    Rows without a price are left out and counted; SKUs without a cost are left out of cost,
    margin and margin % (of the revenue of costed SKUs) and listed. ``by_product``: per SKU
    ``qty``, ``revenue``, ``cost``, ``margin``, ``margin_pct``, by revenue, largest first.

    >>> from jxcsim.kpi.example import COSTS, example_log
    >>> by_product = gross_margin(example_log(), COSTS).by_product
    >>> by_product["margin"].to_dict(), by_product["margin_pct"].to_dict()
    ({'A': 140.0, 'B': 210.0}, {'A': 0.2, 'B': 0.3})
    """
    require_columns(frame, ["sku", "qty", "price"], "gross margin")
    rows = events(frame, Semantic.PHYSICAL_ISSUE, "gross margin", required=False)
    basis, back = Semantic.PHYSICAL_ISSUE, Semantic.RETURN_PHYSICAL_IN
    if rows.empty:
        rows, basis = events(frame, Semantic.BOOK_ISSUE, "gross margin"), Semantic.BOOK_ISSUE
        back = Semantic.RETURN_BOOK_IN
    returned = events(frame, back, "gross margin", required=False)  # goods sent back: sales undone
    rows = pd.concat([rows, returned.assign(qty=-returned["qty"].astype(float))]) if len(returned) else rows
    priced = rows[rows["price"].notna() & rows["qty"].notna()]
    qty = priced["qty"].astype(float)
    table = pd.DataFrame({"qty": qty, "revenue": qty * priced["price"].astype(float)})
    if costs is not None:
        table["cost"] = qty * priced["sku"].map(costs).astype(float)
    by_product = table.groupby(priced["sku"].astype(str), sort=False).sum(min_count=1)
    by_product.index.name = "sku"
    if costs is None:
        by_product["cost"] = np.nan
    by_product["margin"] = by_product["revenue"] - by_product["cost"]
    by_product["margin_pct"] = by_product["margin"] / by_product["revenue"].where(by_product["revenue"] != 0)
    by_product = by_product.sort_values(["revenue"], ascending=False, kind="stable")
    costed = by_product["cost"].notna()
    revenue = float(by_product["revenue"].sum())
    cost = float(by_product.loc[costed, "cost"].sum()) if costs is not None else None
    margin = float(by_product.loc[costed, "margin"].sum()) if costs is not None else None
    costed_revenue = float(by_product.loc[costed, "revenue"].sum())
    return GrossMargin(basis=basis.value, revenue=revenue, cost=cost, margin=margin,
                       margin_pct=(margin / costed_revenue) if margin is not None and costed_revenue else None,
                       n_rows_without_price=int(len(rows) - len(priced)),
                       skus_without_cost=[] if costs is None else sorted(by_product.index[~costed]),
                       by_product=by_product)


def _case_customers(frame: pd.DataFrame) -> pd.Series:
    """Customer of each case: its first non-empty ``customer`` value on any event."""
    known = frame.loc[frame["customer"].notna(), [CASE, "customer"]]
    return known.drop_duplicates(CASE).set_index(CASE)["customer"].astype(str)


@dataclass(frozen=True)
class CustomerPareto:
    """The smallest set of customers making ``share`` of invoiced revenue."""

    share: float
    n_customers: int
    n_top: int
    share_of_customers: float
    revenue_share_of_top: float
    top: list[str]
    revenue: pd.Series = field(compare=False, repr=False)


def customer_pareto(frame: pd.DataFrame, *, share: float = PARETO_SHARE) -> CustomerPareto:
    """The customers behind 80 % (``share``) of revenue, from ``invoice`` amounts net of credit notes.

    Revenue per customer = Σ ``amount`` of its ``invoice`` events − Σ that of its ``credit_note``
    events (goods sent back; the customer of a case is the
    first ``customer`` value on any of its events, so logs that name the customer only on the
    order still work). Customers are sorted by revenue (largest first, then by name); ``top`` is
    the shortest prefix whose cumulative revenue reaches ``share`` of the total.
    ``share_of_customers`` = ``n_top`` ÷ customers with an invoice.

    >>> from jxcsim.kpi.example import example_log
    >>> p = customer_pareto(example_log())           # C1 invoiced 1,000 of 1,400: not yet 80 %
    >>> p.top, p.n_customers, p.share_of_customers
    (['C1', 'C2'], 2, 1.0)
    >>> p = customer_pareto(example_log(), share=0.7)
    >>> p.top, p.share_of_customers, p.revenue_share_of_top
    (['C1'], 0.5, 0.7142857142857143)
    """
    require_columns(frame, ["customer", "amount"], "customer Pareto")
    invoices = events(frame, Semantic.INVOICE, "customer Pareto")
    credits = events(frame, Semantic.CREDIT_NOTE, "customer Pareto", required=False)
    billed = pd.concat([invoices[[CASE, "amount"]], credits[[CASE, "amount"]].assign(amount=-credits["amount"])],
                       ignore_index=True)
    billed = billed[billed["amount"].notna()]
    customer = billed[CASE].map(_case_customers(frame))
    revenue = billed["amount"].astype(float).groupby(customer, sort=False).sum()
    if revenue.empty or revenue.sum() <= 0:
        raise KpiUnavailable("customer Pareto needs invoices with a customer and a positive total amount")
    order = np.lexsort((revenue.index.to_numpy(dtype=str), -revenue.to_numpy()))
    revenue = revenue.iloc[order]
    revenue.index.name = "customer"
    cumulative = revenue.cumsum() / revenue.sum()
    n_top = int(np.searchsorted(cumulative.to_numpy(), share - _EPS) + 1)
    n_top = min(n_top, len(revenue))
    return CustomerPareto(share=share, n_customers=int(len(revenue)), n_top=n_top,
                          share_of_customers=n_top / len(revenue),
                          revenue_share_of_top=float(cumulative.iloc[n_top - 1]),
                          top=[str(c) for c in revenue.index[:n_top]], revenue=revenue)


@dataclass(frozen=True)
class Receivables:
    """Invoiced amount over the log horizon against the average amount outstanding."""

    invoiced: float  # net of credit notes
    paid: float
    credited: float  # credit notes for goods sent back
    refunded: float  # paid back to customers (credits after payment)
    average_receivables: float
    turnover: float | None
    horizon_days: float
    days_sales_outstanding: float | None
    n_snapshots: int

    @property
    def turnover_per_year(self) -> float | None:
        """The turnover at this pace over 365 days (the horizon's turnover is for its own length).

        >>> Receivables(100.0, 80.0, 0.0, 0.0, 20.0, 5.0, 73.0, 14.6, 73).turnover_per_year
        25.0
        """
        if self.turnover is None or not self.horizon_days > 0:
            return None
        return self.turnover * 365 / self.horizon_days


def _refunds_owed(moves: pd.DataFrame) -> pd.Series:
    """The signed amounts of ``moves`` (sorted by case and time), each refund cut to what the case
    owed back at that moment (payments and credits beyond its invoices, less the refunds before): a
    refund of a credit from before the log is no new debt."""
    amount = moves["amount"]
    refund = moves["refund"].eq(True).to_numpy() if "refund" in moves.columns else np.zeros(len(moves), dtype=bool)
    if not refund.any():
        return amount
    cases = moves[CASE]
    refunds = amount.where(refund, 0.0)
    others = amount.where(~refund, 0.0).groupby(cases, sort=False).cumsum()  # the balance, refunds left out
    before = refunds.groupby(cases, sort=False).cumsum() - refunds
    owed = (-others - before).clip(lower=0.0)
    return amount.where(~refund, np.minimum(amount, owed))


def receivables_turnover(frame: pd.DataFrame, *, timezone: str | None) -> Receivables:
    """Receivables turnover = invoiced amount over the log horizon ÷ average receivables.

    Outstanding per case = Σ ``invoice`` and ``refund`` amounts − Σ ``payment`` and
    ``credit_note`` amounts so far, floored at 0 (a payment for an invoice from before the log, an
    overpayment or a credit after payment is not negative debt; the refund that pays such a
    credit back brings the case to 0, not above, and a refund beyond what the case owed back —
    of a credit from before the log — adds nothing). ``invoiced`` is net of credit notes
    (``credited``); ``refunded`` is what went back to customers.
    Receivables = Σ over cases, snapshotted at each local midnight within the log horizon (first
    to last event) and averaged. Also ``days_sales_outstanding`` = average receivables ÷
    (invoiced ÷ horizon days).

    >>> from jxcsim.kpi.example import example_log
    >>> r = receivables_turnover(example_log(), timezone="Asia/Shanghai")
    >>> r.invoiced, r.n_snapshots, r.average_receivables, round(r.turnover, 4)   # (0+1000+1000+1400)/4
    (1400.0, 4, 850.0, 1.6471)
    """
    require_columns(frame, ["amount"], "receivables turnover")
    invoices = events(frame, Semantic.INVOICE, "receivables turnover")
    payments = events(frame, Semantic.PAYMENT, "receivables turnover", required=False)
    credits = events(frame, Semantic.CREDIT_NOTE, "receivables turnover", required=False)
    refunds = events(frame, Semantic.REFUND, "receivables turnover", required=False)
    moves = pd.concat([invoices[[CASE, TIMESTAMP, "amount"]],
                       payments[[CASE, TIMESTAMP, "amount"]].assign(amount=-payments["amount"]),
                       credits[[CASE, TIMESTAMP, "amount"]].assign(amount=-credits["amount"]),
                       refunds[[CASE, TIMESTAMP, "amount"]].assign(refund=True)], ignore_index=True)
    moves = moves[moves["amount"].notna()].sort_values([CASE, TIMESTAMP], kind="stable")
    moves["amount"] = moves["amount"].astype(float)
    moves["amount"] = _refunds_owed(moves)
    balance = moves.groupby(CASE, sort=False)["amount"].cumsum().clip(lower=0.0)
    moves["delta"] = balance - balance.groupby(moves[CASE], sort=False).shift(1).fillna(0.0)
    moves = moves.sort_values(TIMESTAMP, kind="stable")
    first, last = frame[TIMESTAMP].min(), frame[TIMESTAMP].max()
    snapshots = local_midnights(first, last, timezone)
    if len(snapshots) == 0:
        raise KpiUnavailable("receivables turnover needs a log spanning at least one midnight")
    level = np.concatenate([[0.0], np.cumsum(moves["delta"].to_numpy())])
    at = np.searchsorted(hours(moves[TIMESTAMP]).to_numpy(), hours(pd.Series(snapshots)).to_numpy(), side="right")
    average = float(level[at].mean())
    credited = float(credits["amount"].astype(float).sum()) if len(credits) else 0.0
    refunded = float(refunds["amount"].astype(float).sum()) if len(refunds) else 0.0
    invoiced = float(invoices["amount"].astype(float).sum()) - credited  # net sales on credit
    horizon_days = float((last - first) / HOUR / 24)
    turnover = invoiced / average if average > 0 else None
    dso = average / (invoiced / horizon_days) if invoiced > 0 and horizon_days > 0 else None
    return Receivables(invoiced=invoiced, paid=float(payments["amount"].astype(float).sum()),
                       credited=credited, refunded=refunded, average_receivables=average, turnover=turnover,
                       horizon_days=horizon_days,
                       days_sales_outstanding=dso, n_snapshots=int(len(snapshots)))
