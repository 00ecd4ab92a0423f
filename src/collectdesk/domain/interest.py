"""Statutory late-payment interest and fixed compensation on business debts (UK 1998 Act, EU directive).

UK (Late Payment of Commercial Debts (Interest) Act 1998): the reference rate is the Bank of England
base rate in force on the last 30 June or 31 December before the debt became late, plus 8 points;
simple interest accruing daily (a 365-day year); fixed compensation £40 for a debt under £1,000,
£70 under £10,000 and £100 from £10,000. EU (Directive 2011/7/EU): the ECB reference rate in force
on the first day of the half-year in which the debt became late, plus 8 points; €40 compensation.
A debt becomes late the day after its due date. Consumers are never charged either.
Interest accrues on what is outstanding each day, so a part payment lowers it from then on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

UK = "UK"
EU = "EU"
# EU member states (ISO 3166 alpha-2); the UK's own Act applies to GB.
EU_COUNTRIES = frozenset(
    {
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    }
)
UK_COUNTRIES = frozenset({"GB", "UK"})
_DAYS_IN_YEAR = Decimal(365)


@dataclass(frozen=True)
class RateEntry:
    """A central bank rate (percent a year) in force from ``effective`` until the next entry."""

    effective: date
    percent: Decimal


@dataclass(frozen=True)
class LateInvoice:
    """An overdue invoice: its amount (the debt), what is still open, and the dated payments
    applied to it as ``(received on, amount)``."""

    number: str
    due_date: date
    amount: int
    open_amount: int
    payments: tuple[tuple[date, int], ...] = ()


@dataclass(frozen=True)
class InterestPeriod:
    """Days ``start`` to ``end`` (both counted) during which ``principal`` was outstanding."""

    start: date
    end: date
    principal: int

    @property
    def days(self) -> int:
        """How many days of interest the period carries."""
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class InvoiceInterest:
    """What the law adds to one late invoice as of a day; ``rate_percent`` is ``None`` when no
    reference rate is configured for the date the debt became late. ``principal`` is what was
    outstanding at the end, ``periods`` how it stood from the day the debt became late."""

    number: str
    late_from: date
    days_late: int
    principal: int
    reference_date: date
    rate_percent: Decimal | None
    interest: int
    compensation: int
    amount: int
    periods: tuple[InterestPeriod, ...]


@dataclass(frozen=True)
class InterestClaim:
    """Statutory interest and compensation over an account's late invoices."""

    regime: str
    compensation_currency: str
    invoices: tuple[InvoiceInterest, ...]

    @property
    def interest(self) -> int:
        """Interest to date over every invoice, in minor units of the invoices' currency."""
        return sum(line.interest for line in self.invoices)

    @property
    def compensation(self) -> int:
        """Fixed compensation over every invoice, in minor units of ``compensation_currency``."""
        return sum(line.compensation for line in self.invoices)


def regime_for(kind: str, country: str | None) -> str | None:
    """Which statute applies to an account: ``UK``, ``EU``, or ``None`` (consumers, elsewhere)."""
    if kind != "business":
        return None
    code = (country or "").upper()
    if code in UK_COUNTRIES:
        return UK
    if code in EU_COUNTRIES:
        return EU
    return None


def rate_on(entries: Sequence[RateEntry], day: date) -> Decimal | None:
    """The rate in force on ``day``: the newest entry effective on or before it."""
    in_force = [entry for entry in entries if entry.effective <= day]
    return max(in_force, key=lambda entry: entry.effective).percent if in_force else None


def reference_date(regime: str, late_from: date) -> date:
    """The day whose central bank rate fixes the reference rate for a debt late from ``late_from``."""
    if regime == UK:
        # The last 30 June or 31 December strictly before the debt became late.
        june = date(late_from.year, 6, 30)
        return june if june < late_from else date(late_from.year - 1, 12, 31)
    if regime == EU:
        return date(late_from.year, 1 if late_from.month <= 6 else 7, 1)
    raise ValueError(f"unknown regime {regime!r}")


def fixed_compensation(regime: str, debt_minor: int) -> int:
    """The fixed sum (minor units of GBP or EUR) for one debt of this size."""
    if regime == EU:
        return 4_000
    if debt_minor < 100_000:
        return 4_000
    if debt_minor < 1_000_000:
        return 7_000
    return 10_000


def simple_interest(principal: int, percent: Decimal, days: int) -> int:
    """Simple daily interest on ``principal`` minor units at ``percent`` a year, rounded half up."""
    return _rounded(_exact_interest(principal, percent, days))


def _exact_interest(principal: int, percent: Decimal, days: int) -> Decimal:
    if days <= 0 or principal <= 0:
        return Decimal(0)
    return Decimal(principal) * percent / Decimal(100) * Decimal(days) / _DAYS_IN_YEAR


def _rounded(raw: Decimal) -> int:
    return int(raw.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def outstanding_periods(invoice: LateInvoice, as_of: date) -> tuple[InterestPeriod, ...]:
    """How much of a late invoice was outstanding over which days, from the day it became late
    to ``as_of``; empty when it is not late or nothing was owed.

    Payments on or before the due date lower the starting principal. A payment on a later day
    counts from the day after it: the day of payment still carries the old principal, as the
    day ``as_of`` does, so an invoice paid in full on day D bears the interest it had as of D.
    Payments after ``as_of`` had not happened yet on that day. Whatever the open balance is
    lower by than the dated payments explain (paid in the accounting system before import)
    is taken as paid before the debt became late, so the claim never asks for more than is owed.
    """
    late_from = invoice.due_date + timedelta(days=1)
    if as_of < late_from:
        return ()
    undated = max(0, invoice.amount - invoice.open_amount - sum(amount for _, amount in invoice.payments))
    principal = invoice.amount - undated
    later: dict[date, int] = {}
    for day, amount in invoice.payments:
        if day <= invoice.due_date:
            principal -= amount
        elif day <= as_of:
            later[day] = later.get(day, 0) + amount
    periods: list[InterestPeriod] = []
    start = late_from
    for day in sorted(later):
        if principal > 0:
            periods.append(InterestPeriod(start, day, principal))
        principal -= later[day]
        start = day + timedelta(days=1)
    if principal > 0 and start <= as_of:
        periods.append(InterestPeriod(start, as_of, principal))
    return tuple(periods)


def invoice_interest(
    regime: str,
    invoice: LateInvoice,
    *,
    as_of: date,
    rates: Sequence[RateEntry],
    margin_points: Decimal,
) -> InvoiceInterest | None:
    """Interest and compensation on one unpaid invoice as of a day; ``None`` if it is not late
    or nothing is owed on it."""
    late_from = invoice.due_date + timedelta(days=1)
    periods = outstanding_periods(invoice, as_of)
    if not periods or invoice.open_amount <= 0:
        return None
    ref_day = reference_date(regime, late_from)
    base = rate_on(rates, ref_day)
    rate = None if base is None else base + margin_points
    # Rounded once per invoice, not per period, so part payments add no rounding of their own.
    interest = (
        0 if rate is None else _rounded(sum((_exact_interest(p.principal, rate, p.days) for p in periods), Decimal(0)))
    )
    return InvoiceInterest(
        number=invoice.number,
        late_from=late_from,
        days_late=(as_of - invoice.due_date).days,
        principal=periods[-1].principal if periods[-1].end == as_of else 0,
        reference_date=ref_day,
        rate_percent=rate,
        interest=interest,
        # The fixed sum is set by the size of the debt the contract created (the 1998 Act's
        # s.5A bands "the amount of the debt"; the directive's €40 is per debt), not by what is
        # left of it: a part payment does not move a £12,000 invoice into the £70 band.
        compensation=fixed_compensation(regime, invoice.amount),
        amount=invoice.amount,
        periods=periods,
    )


def account_claim(
    kind: str,
    country: str | None,
    invoices: Sequence[LateInvoice],
    *,
    as_of: date,
    uk_rates: Sequence[RateEntry],
    eu_rates: Sequence[RateEntry],
    margin_points: Decimal = Decimal(8),
) -> InterestClaim | None:
    """The statutory claim over an account's unpaid invoices, or ``None`` when no statute applies
    (consumers, other countries) or nothing is late."""
    regime = regime_for(kind, country)
    if regime is None:
        return None
    rates = uk_rates if regime == UK else eu_rates
    lines = [
        line
        for invoice in invoices
        if (line := invoice_interest(regime, invoice, as_of=as_of, rates=rates, margin_points=margin_points))
        is not None
    ]
    if not lines:
        return None
    return InterestClaim(regime=regime, compensation_currency="GBP" if regime == UK else "EUR", invoices=tuple(lines))
