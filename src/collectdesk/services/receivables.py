"""Receivables health in SQL: aging, DSO, best possible DSO, ADD, CEI and the within-30-days share.

An invoice's balance as of a day is its amount less the allocations of payments received on or
before that day, for invoices issued on or before it; written-off invoices are left out entirely
(from AR and from credit sales). Because ``open_amount`` is kept equal to amount − all allocations,
the balance as of a day is computed as ``open_amount`` + allocations of payments received *after*
that day: sums over the invoice totals the triggers keep per currency, issue date and due date
(``store/invoice_totals.py``) plus a range of the allocation totals they keep per day received
(``store/allocation_totals.py``), whatever the number of payments.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, select
from sqlalchemy.orm import Session

from collectdesk.store.models import AllocationTotal, InvoiceTotal
from collectdesk.store.sqlfuncs import date_plus_days

DAYS_PER_MONTH = 30.4375  # 365.25 / 12: CEI's N (months in the period) = days / 30.4375
WITHIN_DAYS = 30


@dataclass(frozen=True)
class AgingBucket:
    """Receivables whose days past due fall between ``low`` and ``high`` (None: no upper end)."""

    label: str
    low: int | None
    high: int | None
    amount: int


@dataclass(frozen=True)
class Receivables:
    """Portfolio health in one currency: aging as of ``as_of``, period ratios over the period."""

    currency: str
    invoices: int  # invoices with an open balance today
    buckets: list[AgingBucket]
    total_ar: int
    current_ar: int
    opening_ar: int
    closing_ar: int
    closing_current_ar: int
    credit_sales: int
    days: int
    months: float
    dso: float | None
    best_possible_dso: float | None
    average_days_delinquent: float | None
    cei: float | None
    within_30_due: int
    within_30_paid: int
    within_30_share: float | None
    within_30_goal: float

    @property
    def overdue_ar(self) -> int:
        """Receivables past their due date as of ``as_of``."""
        return self.total_ar - self.current_ar

    @property
    def meets_goal(self) -> bool | None:
        """Whether the within-30-days share reaches the goal (None: nothing to judge)."""
        return None if self.within_30_share is None else self.within_30_share >= self.within_30_goal


@dataclass(frozen=True)
class Dates:
    """The days receivables are measured on."""

    as_of: date  # aging
    date_from: date  # first day of the period
    end: date  # last day of the period (never after as_of)

    @property
    def opening(self) -> date:
        """The day before the period starts: opening AR is measured at its close."""
        return self.date_from - timedelta(days=1)

    @property
    def within_window(self) -> tuple[date, date]:
        """Due dates whose 30-day window closes inside the period."""
        window = timedelta(days=WITHIN_DAYS)
        return (self.date_from - window, self.end - window)


def bucket_ranges(edges: list[int]) -> list[tuple[str, int | None, int | None]]:
    """(label, low, high) days past due: ``[0, 30, 60, 90]`` → current, 1–30, 31–60, 61–90, 90+."""
    ranges: list[tuple[str, int | None, int | None]] = [("current", None, edges[0])]
    for low, high in pairwise(edges):
        ranges.append((f"{low + 1}–{high}", low + 1, high))
    ranges.append((f"{edges[-1]}+", edges[-1] + 1, None))
    return ranges


def _past_due_between(due: Any, day: date, low: int | None, high: int | None) -> list[Any]:
    # days past due = day − due: "low ≤ days ≤ high" becomes a range of due dates (index-friendly).
    conditions = []
    if high is not None:
        conditions.append(due >= day - timedelta(days=high))
    if low is not None:
        conditions.append(due <= day - timedelta(days=low))
    return conditions


def _figures(
    source: Any,
    value: Any,
    dates: Dates,
    edges: list[int],
    issued_by: date | None = None,
) -> dict[date, list[ColumnElement[Any]]]:
    """Filtered sums of ``value`` shared by the totals and the late-allocation correction, by the
    day each measures on (aging on ``as_of``, closing on ``end``, opening on ``opening``).

    ``source`` has the ``issue_date`` and ``due_date`` columns (invoices, or invoice totals).
    ``issued_by``: the query already keeps only invoices issued by then (no need to test again).
    """

    def held(day: date, *more: Any) -> Any:
        issued = [] if issued_by is not None and issued_by <= day else [source.issue_date <= day]
        cond = [*issued, *more]
        summed = case((and_(*cond), value), else_=0) if cond else value
        return func.coalesce(func.sum(summed), 0)

    by_day: dict[date, list[ColumnElement[Any]]] = defaultdict(list)
    by_day[dates.as_of] += [
        held(dates.as_of, *_past_due_between(source.due_date, dates.as_of, low, high)).label(f"b{i}")
        for i, (_, low, high) in enumerate(bucket_ranges(edges))
    ]
    if not _closing_is_aging(dates, edges):
        by_day[dates.end] += [
            held(dates.end).label("closing"),
            held(dates.end, source.due_date >= dates.end).label("closing_current"),
        ]
    by_day[dates.opening].append(held(dates.opening).label("opening"))
    return by_day


def _closing_is_aging(dates: Dates, edges: list[int]) -> bool:
    # When the period ends on the aging day (the usual case), closing AR is the sum of the aging
    # buckets and its current part is the first bucket: summing them again would cost a pass.
    return dates.end == dates.as_of and edges[0] == 0


def compute_receivables(session: Session, dates: Dates, edges: list[int], goal: float) -> dict[str, Receivables]:
    """Receivables health for every currency with invoices, keyed by currency."""
    figures_of: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    last_day = max(dates.as_of, dates.end)
    low_due, high_due = dates.within_window
    t = InvoiceTotal
    # Three narrow reads of the totals: open balances, credit sales and the within-30 window.
    open_now = (
        select(
            t.currency.label("currency"),
            func.coalesce(func.sum(t.invoices), 0).label("invoices"),
            *[
                column
                for columns in _figures(t, t.open_amount, dates, edges, issued_by=last_day).values()
                for column in columns
            ],
        )
        .where(t.issue_date <= last_day)
        .group_by(t.currency)
    )
    sales = (
        select(t.currency.label("currency"), func.coalesce(func.sum(t.amount), 0).label("credit_sales"))
        .where(t.issue_date >= dates.date_from, t.issue_date <= dates.end)
        .group_by(t.currency)
    )
    within = (
        select(
            t.currency.label("currency"),
            func.coalesce(func.sum(t.amount), 0).label("w_due"),
            func.coalesce(func.sum(t.amount - t.open_amount), 0).label("w_paid"),
        )
        .where(t.due_date >= low_due, t.due_date <= high_due)
        .group_by(t.currency)
    )
    for query in (open_now, sales, within):
        for row in session.execute(query).mappings():
            figures_of[row["currency"]].update({k: int(v) for k, v in row.items() if k != "currency"})
    # Payments received after a measuring day were still owed on it: add them back, one read of
    # the allocation totals per measuring day, each over the days received after it only (when
    # the aging day is today that range is empty). Late payments in the within-30 window were
    # all received after the opening day, so the earliest day's read takes them out too.
    first_day = min(dates.as_of, dates.end, dates.opening)
    a = AllocationTotal
    in_window = and_(a.due_date >= low_due, a.due_date <= high_due)
    late_paid = and_(in_window, a.received_on > date_plus_days(a.due_date, WITHIN_DAYS))
    for day, columns in _figures(a, a.amount, dates, edges).items():
        if day == first_day:
            columns = [*columns, func.coalesce(func.sum(case((late_paid, a.amount), else_=0)), 0).label("w_late")]
        correction = select(a.currency.label("currency"), *columns).where(a.received_on > day).group_by(a.currency)
        for row in session.execute(correction).mappings():
            figures = figures_of[row["currency"]]
            for key, value in row.items():
                if key == "w_late":
                    figures["w_paid"] -= int(value)
                elif key != "currency":
                    figures[key] += int(value)
    if _closing_is_aging(dates, edges):
        for figures in figures_of.values():
            figures["closing"] = sum(figures[f"b{i}"] for i in range(len(bucket_ranges(edges))))
            figures["closing_current"] = figures["b0"]
    # Totals of fully paid invoices stay behind as zeros: a currency with nothing at all is left out.
    return {
        currency: _health(currency, figures, dates, edges, goal)
        for currency, figures in figures_of.items()
        if any(figures.values())
    }


def _ratio(numerator: float, denominator: float) -> float | None:
    return None if denominator == 0 else numerator / denominator


def _health(currency: str, figures: dict[str, int], dates: Dates, edges: list[int], goal: float) -> Receivables:
    ranges = bucket_ranges(edges)
    buckets = [AgingBucket(label, low, high, figures[f"b{i}"]) for i, (label, low, high) in enumerate(ranges)]
    days = max((dates.end - dates.date_from).days + 1, 0)
    months = days / DAYS_PER_MONTH
    sales, opening = figures["credit_sales"], figures["opening"]
    closing, closing_current = figures["closing"], figures["closing_current"]
    dso = _ratio(closing * days, sales)
    best = _ratio(closing_current * days, sales)
    monthly_sales = _ratio(sales, months) or 0.0
    cei_top = opening + monthly_sales - closing
    cei_bottom = opening + monthly_sales - closing_current
    cei = None if months == 0 else _ratio(cei_top * 100, cei_bottom)
    return Receivables(
        currency=currency,
        invoices=figures["invoices"],
        buckets=buckets,
        total_ar=sum(b.amount for b in buckets),
        current_ar=buckets[0].amount,
        opening_ar=opening,
        closing_ar=closing,
        closing_current_ar=closing_current,
        credit_sales=sales,
        days=days,
        months=months,
        dso=dso,
        best_possible_dso=best,
        average_days_delinquent=None if dso is None or best is None else dso - best,
        cei=cei,
        within_30_due=figures["w_due"],
        within_30_paid=figures["w_paid"],
        within_30_share=_ratio(figures["w_paid"], figures["w_due"]),
        within_30_goal=goal,
    )


def empty_receivables(currency: str, dates: Dates, edges: list[int], goal: float) -> Receivables:
    """Receivables health of a currency with no invoices at all."""
    figures: dict[str, int] = defaultdict(int)
    return _health(currency, figures, dates, edges, goal)
