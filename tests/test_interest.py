"""Statutory late-payment interest and compensation, checked against figures worked by hand."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from collectdesk.domain.interest import (
    EU,
    UK,
    account_claim,
    fixed_compensation,
    reference_date,
    regime_for,
)
from collectdesk.services.interest import claim_for
from collectdesk.settings import InterestRules

RULES = InterestRules()


def _claim(kind: str, country: str, invoices: list[tuple[str, date, int]], as_of: date):
    return claim_for(RULES, kind, country, invoices, as_of)


def test_uk_first_half_uses_the_31_december_base_rate() -> None:
    # £5,000.00 due 15 Mar 2025 is late from 16 Mar; base rate on 31 Dec 2024 was 4.75 %, so
    # 12.75 % a year: 5,000 × 12.75 % × 90 / 365 = £157.1918 → £157.19; £70 for a debt under £10,000.
    claim = _claim("business", "GB", [("INV-1", date(2025, 3, 15), 500_000)], date(2025, 6, 13))
    assert claim is not None and claim.regime == UK and claim.compensation_currency == "GBP"
    (line,) = claim.invoices
    assert line.reference_date == date(2024, 12, 31)
    assert line.rate_percent == Decimal("12.75")
    assert line.days_late == 90
    assert line.interest == 15_719
    assert line.compensation == 7_000


def test_uk_second_half_uses_the_30_june_base_rate() -> None:
    # £12,000.00 due 10 Jul 2025: base rate on 30 Jun 2025 was 4.25 % → 12.25 %;
    # 12,000 × 12.25 % × 30 / 365 = £120.8219 → £120.82; £100 from £10,000.
    claim = _claim("business", "GB", [("INV-2", date(2025, 7, 10), 1_200_000)], date(2025, 8, 9))
    assert claim is not None
    (line,) = claim.invoices
    assert (line.rate_percent, line.days_late, line.interest, line.compensation) == (
        Decimal("12.25"),
        30,
        12_082,
        10_000,
    )


def test_uk_reference_day_is_strictly_before_the_debt_became_late() -> None:
    assert reference_date(UK, date(2025, 7, 1)) == date(2025, 6, 30)  # due 30 June
    assert reference_date(UK, date(2025, 6, 30)) == date(2024, 12, 31)  # due 29 June
    assert reference_date(UK, date(2026, 1, 1)) == date(2025, 12, 31)  # due 31 December


@pytest.mark.parametrize(
    "debt, sum_due", [(99_999, 4_000), (100_000, 7_000), (999_999, 7_000), (1_000_000, 10_000), (5, 4_000)]
)
def test_uk_fixed_sums_by_size_of_debt(debt: int, sum_due: int) -> None:
    assert fixed_compensation(UK, debt) == sum_due


def test_eu_uses_the_ecb_rate_on_the_first_day_of_the_half_year() -> None:
    # €2,000.00 due 10 Feb 2025: ECB rate on 1 Jan 2025 was 3.15 % → 11.15 %;
    # 2,000 × 11.15 % × 30 / 365 = €18.3288 → €18.33; €40 compensation.
    claim = _claim("business", "DE", [("R-7", date(2025, 2, 10), 200_000)], date(2025, 3, 12))
    assert claim is not None and claim.regime == EU and claim.compensation_currency == "EUR"
    (line,) = claim.invoices
    assert line.reference_date == date(2025, 1, 1)
    assert (line.rate_percent, line.interest, line.compensation) == (Decimal("11.15"), 1_833, 4_000)


def test_totals_add_up_over_invoices() -> None:
    claim = _claim(
        "business",
        "GB",
        [("INV-1", date(2025, 3, 15), 500_000), ("INV-2", date(2025, 7, 10), 1_200_000)],
        date(2025, 8, 9),
    )
    assert claim is not None
    # INV-1: 5,000 × 12.75 % × 147 / 365 = £256.7466 → £256.75; INV-2 as above £120.82.
    assert [line.interest for line in claim.invoices] == [25_675, 12_082]
    assert claim.interest == 37_757
    assert claim.compensation == 17_000


def test_never_for_consumers_or_outside_the_uk_and_eu() -> None:
    invoices = [("INV-1", date(2025, 3, 15), 500_000)]
    assert _claim("consumer", "GB", invoices, date(2025, 6, 13)) is None
    assert _claim("consumer", "FR", invoices, date(2025, 6, 13)) is None
    assert _claim("business", "US", invoices, date(2025, 6, 13)) is None
    assert regime_for("business", "gb") == UK and regime_for("business", "IE") == EU


def test_nothing_before_the_debt_is_late() -> None:
    assert _claim("business", "GB", [("INV-1", date(2025, 3, 15), 500_000)], date(2025, 3, 15)) is None
    claim = _claim("business", "GB", [("INV-1", date(2025, 3, 15), 500_000)], date(2025, 3, 16))
    assert claim is not None and claim.invoices[0].days_late == 1
    # 5,000 × 12.75 % / 365 = £1.7466 → £1.75
    assert claim.interest == 175


def test_dates_before_any_configured_rate_get_compensation_but_no_interest() -> None:
    claim = account_claim(
        "business",
        "GB",
        [("OLD", date(2020, 1, 10), 100_000)],
        as_of=date(2020, 3, 1),
        uk_rates=[],
        eu_rates=[],
    )
    assert claim is not None
    assert claim.invoices[0].rate_percent is None and claim.interest == 0 and claim.compensation == 7_000


def test_rates_come_from_configuration() -> None:
    from collectdesk.settings import DatedRate

    rules = InterestRules(uk_base_rates=[DatedRate(since=date(2020, 1, 1), percent=Decimal("2"))])
    claim = claim_for(rules, "business", "GB", [("INV-1", date(2025, 3, 15), 365_000)], date(2025, 3, 25))
    # 3,650 × 10 % × 10 / 365 = £10.00
    assert claim is not None and claim.interest == 1_000
    assert (
        claim_for(InterestRules(enabled=False), "business", "GB", [("X", date(2025, 1, 1), 1)], date(2025, 2, 1))
        is None
    )
