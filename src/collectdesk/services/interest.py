"""Statutory late-payment interest for an account, with the rates from configuration."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select

from collectdesk.domain.interest import InterestClaim, RateEntry, account_claim
from collectdesk.services.context import AppContext
from collectdesk.settings import InterestRules
from collectdesk.store.models import Customer, Invoice

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


def account_interest(ctx: AppContext, customer_id: int) -> InterestClaim | None:
    """Statutory interest to date and compensation on one account's overdue, undisputed invoices
    (``None`` for consumers, accounts outside the UK and EU, or nothing late)."""
    today = ctx.clock.today()
    with ctx.db.session() as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            return None
        rows = session.execute(
            select(Invoice.number, Invoice.due_date, Invoice.open_amount)
            .where(
                Invoice.customer_id == customer_id,
                Invoice.status == "open",
                Invoice.open_amount > 0,
                Invoice.due_date < today,
            )
            .order_by(Invoice.due_date, Invoice.number)
        ).all()
        return claim_for(
            ctx.settings.interest, customer.kind, customer.country, [(n, d, int(a)) for n, d, a in rows], today
        )
