"""Statutory late-payment interest for an account, with the rates from configuration."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from collectdesk.domain.interest import InterestClaim, RateEntry, account_claim
from collectdesk.settings import InterestRules

STATUTES = {
    "UK": "The Late Payment of Commercial Debts (Interest) Act 1998",
    "EU": "The EU Late Payment Directive (2011/7/EU)",
}


def claim_for(
    rules: InterestRules, kind: str, country: str | None, invoices: Sequence[tuple[str, date, int]], as_of: date
) -> InterestClaim | None:
    """The statutory claim on an account's open, overdue ``(number, due, open amount)`` invoices,
    or ``None`` for consumers, other countries, or when turned off."""
    if not rules.enabled:
        return None
    return account_claim(
        kind,
        country,
        invoices,
        as_of=as_of,
        uk_rates=[RateEntry(r.since, r.percent) for r in rules.uk_base_rates],
        eu_rates=[RateEntry(r.since, r.percent) for r in rules.ecb_rates],
        margin_points=rules.margin_points,
    )
