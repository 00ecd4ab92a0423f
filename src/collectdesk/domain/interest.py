"""Statutory late-payment interest and fixed compensation on business debts (UK 1998 Act, EU directive).

UK (Late Payment of Commercial Debts (Interest) Act 1998): the reference rate is the Bank of England
base rate in force on the last 30 June or 31 December before the debt became late, plus 8 points;
simple interest accruing daily (a 365-day year); fixed compensation £40 for a debt under £1,000,
£70 under £10,000 and £100 from £10,000. EU (Directive 2011/7/EU): the ECB reference rate in force
on the first day of the half-year in which the debt became late, plus 8 points; €40 compensation.
A debt becomes late the day after its due date. Consumers are never charged either.
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
class InvoiceInterest:
    """What the law adds to one late invoice as of a day; ``rate_percent`` is ``None`` when no
    reference rate is configured for the date the debt became late."""

    number: str
    late_from: date
    days_late: int
    principal: int
    reference_date: date
    rate_percent: Decimal | None
    interest: int
    compensation: int


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
    if days <= 0 or principal <= 0:
        return 0
    raw = Decimal(principal) * percent / Decimal(100) * Decimal(days) / _DAYS_IN_YEAR
    return int(raw.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def invoice_interest(
    regime: str,
    *,
    number: str,
    due_date: date,
    principal: int,
    as_of: date,
    rates: Sequence[RateEntry],
    margin_points: Decimal,
) -> InvoiceInterest | None:
    """Interest and compensation on one unpaid invoice as of a day; ``None`` if it is not late."""
    late_from = due_date + timedelta(days=1)
    if as_of < late_from or principal <= 0:
        return None
    ref_day = reference_date(regime, late_from)
    base = rate_on(rates, ref_day)
    days = (as_of - due_date).days
    rate = None if base is None else base + margin_points
    return InvoiceInterest(
        number=number,
        late_from=late_from,
        days_late=days,
        principal=principal,
        reference_date=ref_day,
        rate_percent=rate,
        interest=0 if rate is None else simple_interest(principal, rate, days),
        compensation=fixed_compensation(regime, principal),
    )


def account_claim(
    kind: str,
    country: str | None,
    invoices: Sequence[tuple[str, date, int]],
    *,
    as_of: date,
    uk_rates: Sequence[RateEntry],
    eu_rates: Sequence[RateEntry],
    margin_points: Decimal = Decimal(8),
) -> InterestClaim | None:
    """The statutory claim over an account's ``(number, due date, open amount)`` invoices, or
    ``None`` when no statute applies (consumers, other countries) or nothing is late."""
    regime = regime_for(kind, country)
    if regime is None:
        return None
    rates = uk_rates if regime == UK else eu_rates
    lines = [
        line
        for number, due, principal in invoices
        if (
            line := invoice_interest(
                regime,
                number=number,
                due_date=due,
                principal=principal,
                as_of=as_of,
                rates=rates,
                margin_points=margin_points,
            )
        )
        is not None
    ]
    if not lines:
        return None
    return InterestClaim(regime=regime, compensation_currency="GBP" if regime == UK else "EUR", invoices=tuple(lines))
