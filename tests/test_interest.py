"""Statutory late-payment interest and compensation, checked against figures worked by hand."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from collectdesk.domain.clock import Clock
from collectdesk.domain.interest import (
    EU,
    UK,
    InterestClaim,
    InvoiceInterest,
    LateInvoice,
    account_claim,
    fixed_compensation,
    reference_date,
    regime_for,
)
from collectdesk.services.accounts import account_detail
from collectdesk.services.context import AppContext
from collectdesk.services.importing import import_csv
from collectdesk.services.interest import account_interest, claim_for
from collectdesk.services.reminder_desk import chosen_template
from collectdesk.settings import DatedRate, InterestRules
from collectdesk.store.models import Customer
from collectdesk.tui.panel import invoices_text
from importing_helpers import write
from reminder_fixtures import open_as, reminder_settings

RULES = InterestRules()


def _unpaid(invoices: list[tuple[str, date, int]]) -> list[LateInvoice]:
    """Invoices with nothing paid on them: ``(number, due date, amount)``."""
    return [LateInvoice(number, due, amount, amount) for number, due, amount in invoices]


def _claim(kind: str, country: str, invoices: list[tuple[str, date, int]], as_of: date) -> InterestClaim | None:
    return claim_for(RULES, kind, country, _unpaid(invoices), as_of)


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
        _unpaid([("OLD", date(2020, 1, 10), 100_000)]),
        as_of=date(2020, 3, 1),
        uk_rates=[],
        eu_rates=[],
    )
    assert claim is not None
    assert claim.invoices[0].rate_percent is None and claim.interest == 0 and claim.compensation == 7_000


def test_rates_come_from_configuration() -> None:
    rules = InterestRules(uk_base_rates=[DatedRate(since=date(2020, 1, 1), percent=Decimal("2"))])
    claim = claim_for(rules, "business", "GB", _unpaid([("INV-1", date(2025, 3, 15), 365_000)]), date(2025, 3, 25))
    # 3,650 × 10 % × 10 / 365 = £10.00
    assert claim is not None and claim.interest == 1_000
    assert (
        claim_for(
            InterestRules(enabled=False), "business", "GB", _unpaid([("X", date(2025, 1, 1), 1)]), date(2025, 2, 1)
        )
        is None
    )


FOUR_PERCENT = InterestRules(uk_base_rates=[DatedRate(since=date(2025, 8, 7), percent=Decimal("4.00"))])


def test_a_part_payment_lowers_the_principal_from_the_day_after_it_was_paid() -> None:
    # £10,000.00 due 31 Jan 2026, late from 1 Feb; base rate 4.00 % on 31 Dec 2025 → 12 %.
    # £4,000.00 paid on 2 Mar 2026 (30 days late). As of 1 Apr 2026 (60 days late):
    #   1 Feb – 2 Mar, 30 days on £10,000: 10,000 × 12 % × 30 / 365 = £98.6301
    #   3 Mar – 1 Apr, 30 days on  £6,000:  6,000 × 12 % × 30 / 365 = £59.1781
    #   together £157.8082 → £157.81 (the old figure, 6,000 × 12 % × 60 / 365, was £118.36).
    # Compensation is banded by the debt, £10,000 → £100, though only £6,000 is left.
    invoice = LateInvoice("INV-10", date(2026, 1, 31), 1_000_000, 600_000, ((date(2026, 3, 2), 400_000),))
    claim = claim_for(FOUR_PERCENT, "business", "GB", [invoice], date(2026, 4, 1))
    assert claim is not None
    (line,) = claim.invoices
    assert line.rate_percent == Decimal("12.00") and line.days_late == 60
    assert [(p.start, p.end, p.days, p.principal) for p in line.periods] == [
        (date(2026, 2, 1), date(2026, 3, 2), 30, 1_000_000),
        (date(2026, 3, 3), date(2026, 4, 1), 30, 600_000),
    ]
    assert (line.interest, line.compensation, line.principal) == (15_781, 10_000, 600_000)
    # With the shipped rates the base rate on 31 Dec 2025 is 3.75 % (cut on 18 Dec) → 11.75 %:
    # 10,000 × 11.75 % × 30 / 365 + 6,000 × 11.75 % × 30 / 365 = £96.5753 + £57.9452 = £154.5205 → £154.52
    shipped = _claim_of(claim_for(RULES, "business", "GB", [invoice], date(2026, 4, 1)))
    assert (shipped.rate_percent, shipped.interest) == (Decimal("11.75"), 15_452)


def _claim_of(claim: InterestClaim | None) -> InvoiceInterest:
    assert claim is not None
    (line,) = claim.invoices
    return line


def test_payments_on_time_or_undated_lower_the_starting_principal_and_later_ones_wait() -> None:
    # £2,000.00 due 31 Jan 2026 at 12 %, £500.00 still open: £300.00 paid on 20 Jan (on time),
    # £1,000.00 on 10 Feb, and £200.00 the payments on record do not explain (settled in the
    # accounting system before import, taken as paid before the debt was late). From 1 Feb:
    #   1 Feb – 10 Feb, 10 days on £1,500: 1,500 × 12 % × 10 / 365 = £4.9315
    #   11 Feb – 2 Mar, 20 days on  £500:    500 × 12 % × 20 / 365 = £3.2877
    #   as of 2 Mar £8.2192 → £8.22; compensation £70 for a £2,000 debt (not £40 for the £500 left).
    invoice = LateInvoice(
        "INV-11", date(2026, 1, 31), 200_000, 50_000, ((date(2026, 1, 20), 30_000), (date(2026, 2, 10), 100_000))
    )
    line = _claim_of(claim_for(FOUR_PERCENT, "business", "GB", [invoice], date(2026, 3, 2)))
    assert [(p.days, p.principal) for p in line.periods] == [(10, 150_000), (20, 50_000)]
    assert (line.interest, line.compensation) == (822, 7_000)
    # As of 5 Feb the £1,000.00 of 10 Feb has not been paid yet: 1,500 × 12 % × 5 / 365 = £2.4658 → £2.47
    early = _claim_of(claim_for(FOUR_PERCENT, "business", "GB", [invoice], date(2026, 2, 5)))
    assert [(p.days, p.principal) for p in early.periods] == [(5, 150_000)] and early.interest == 247


def test_eu_compensation_stays_40_euros_after_a_part_payment() -> None:
    # €2,000.00 due 10 Feb 2025 at 3.15 % + 8 = 11.15 %; €1,500.00 paid on 20 Feb (10 days late):
    # 2,000 × 11.15 % × 10 / 365 + 500 × 11.15 % × 20 / 365 = €6.1096 + €3.0548 = €9.1644 → €9.16
    invoice = LateInvoice("R-8", date(2025, 2, 10), 200_000, 50_000, ((date(2025, 2, 20), 150_000),))
    line = _claim_of(claim_for(RULES, "business", "FR", [invoice], date(2025, 3, 12)))
    assert (line.interest, line.compensation) == (916, 4_000)


CUSTOMERS_CSV = """ref,name,kind,country,currency,email
GB1,Harbour Joinery Ltd,business,GB,GBP,ap@harbour.example
"""
INVOICES_CSV = """customer_ref,number,issue_date,due_date,amount,currency
GB1,INV-A,2026-08-31,2026-09-30,"10,000.00",GBP
GB1,INV-B,2026-10-14,2026-11-13,"1,000.00",GBP
"""
# The first names no invoice, so it goes to the oldest (INV-A); the second names INV-B and
# arrives before INV-B is due.
PAYMENTS_CSV = """customer_ref,amount,received_on,invoice_number,method,reference
GB1,"4,000.00",2026-10-30,,bacs,HJ-1
GB1,400.00,2026-11-03,INV-B,bacs,HJ-2
"""


@pytest.fixture
def imported(db_url: str, frozen_clock: Clock, tmp_path: Path) -> Iterator[tuple[AppContext, int]]:
    """A UK business with two invoices and two part payments, imported as the app imports them."""
    context = open_as(db_url, reminder_settings(tmp_path / "outbox"), frozen_clock)
    for kind, text in (("customers", CUSTOMERS_CSV), ("invoices", INVOICES_CSV), ("payments", PAYMENTS_CSV)):
        import_csv(context, kind, write(tmp_path, f"{kind}.csv", text))
    with context.db.session() as session:
        customer_id = session.scalars(select(Customer.id).where(Customer.ref == "GB1")).one()
    yield context, customer_id
    context.close()


# As of 23 Nov 2026 (the test clock), shipped rates: base rate on 30 Jun 2026 3.75 % → 11.75 %.
# INV-A, £10,000.00 due 30 Sep 2026, late from 1 Oct; £4,000.00 paid on 30 Oct (30 days late):
#   1 Oct – 30 Oct, 30 days on £10,000: 10,000 × 11.75 % × 30 / 365 = £96.5753
#   31 Oct – 23 Nov, 24 days on £6,000:  6,000 × 11.75 % × 24 / 365 = £46.3562
#   £142.9315 → £142.93; compensation £100 (a £10,000 debt, though £6,000 is left)
# INV-B, £1,000.00 due 13 Nov 2026; £400.00 paid on 3 Nov, before it was due, so from 14 Nov:
#   14 Nov – 23 Nov, 10 days on £600: 600 × 11.75 % × 10 / 365 = £1.9315 → £1.93; compensation £70
# Together £144.86 interest and £170.00 compensation.


def test_imported_part_payments_lower_the_interest_on_the_account(imported: tuple[AppContext, int]) -> None:
    ctx, customer_id = imported
    claim = account_interest(ctx, customer_id)
    assert claim is not None
    assert [(line.number, line.interest, line.compensation) for line in claim.invoices] == [
        ("INV-A", 14_293, 10_000),
        ("INV-B", 193, 7_000),
    ]
    assert [(p.days, p.principal) for p in claim.invoices[0].periods] == [(30, 1_000_000), (24, 600_000)]
    assert (claim.interest, claim.compensation) == (14_486, 17_000)


def test_the_panel_and_a_reminder_show_the_figures_after_part_payments(imported: tuple[AppContext, int]) -> None:
    ctx, customer_id = imported
    invoices = invoices_text(account_detail(ctx, customer_id)).plain
    assert invoices.startswith("§ UK late payment 1998: £144.86 interest + £170.00 compensation\n")
    (line_a,) = [row for row in invoices.splitlines() if row.startswith("INV-A")]
    assert line_a.endswith("£6,000.00 §£142.93+£100")
    rendered = chosen_template(ctx, customer_id, "overdue_reminder").rendered
    for text in (rendered.email_body, rendered.letter_text):
        assert "that comes to £144.86 interest and\n£170.00 compensation" in text
        assert "INV-A            54 days at 11.75%: £142.93 + £100.00" in text
        assert "£10,000.00 outstanding for 30 days from 2026-10-01" in text
        assert "£6,000.00 outstanding for 24 days from 2026-10-31" in text
