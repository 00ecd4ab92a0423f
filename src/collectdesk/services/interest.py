"""Statutory late-payment interest for an account, with the rates from configuration."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from collectdesk.domain.interest import InterestClaim, LateInvoice, RateEntry, account_claim, regime_for
from collectdesk.services.context import AppContext
from collectdesk.settings import InterestRules
from collectdesk.store.models import Customer, Invoice, Payment, PaymentAllocation

STATUTES = {
    "UK": "The Late Payment of Commercial Debts (Interest) Act 1998",
    "EU": "The EU Late Payment Directive (2011/7/EU)",
}


@dataclass(frozen=True)
class OwedInvoice:
    """An open invoice the claim may cover: id, number, due date, amount and open balance."""

    invoice_id: int
    number: str
    due_date: date
    amount: int
    open_amount: int


def claim_for(
    rules: InterestRules, kind: str, country: str | None, invoices: Sequence[LateInvoice], as_of: date
) -> InterestClaim | None:
    """The statutory claim on an account's open invoices (with their dated payments), or
    ``None`` for consumers, other countries, nothing late, or when turned off."""
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


def dated_payments(
    session: Session, customer_id: int, invoice_ids: Iterable[int], as_of: date
) -> dict[int, list[tuple[date, int]]]:
    """The payments applied to these invoices of one account, ``(received on, amount)`` oldest
    first, read in one query for the whole account (only its open invoices due before ``as_of``
    are read, so a long-paid history costs nothing)."""
    wanted = set(invoice_ids)
    paid: dict[int, list[tuple[date, int]]] = {invoice_id: [] for invoice_id in wanted}
    if not wanted:
        return paid
    rows = session.execute(
        select(PaymentAllocation.invoice_id, Payment.received_on, PaymentAllocation.amount)
        .join(Invoice, Invoice.id == PaymentAllocation.invoice_id)
        .join(Payment, Payment.id == PaymentAllocation.payment_id)
        .where(Invoice.customer_id == customer_id, Invoice.open_amount > 0, Invoice.due_date < as_of)
        .order_by(Payment.received_on, PaymentAllocation.id)
    )
    for invoice_id, received_on, amount in rows:
        if invoice_id in wanted:
            paid[invoice_id].append((received_on, int(amount)))
    return paid


def claim_on(
    session: Session,
    rules: InterestRules,
    account: tuple[int, str, str | None],
    invoices: Sequence[OwedInvoice],
    as_of: date,
) -> InterestClaim | None:
    """The statutory claim on these open invoices of an account ``(id, kind, country)`` as of a
    day, interest on what was outstanding day by day (``None`` for consumers, other countries,
    or nothing late)."""
    customer_id, kind, country = account
    late = [i for i in invoices if i.due_date < as_of and i.open_amount > 0]
    if not rules.enabled or not late or regime_for(kind, country) is None:
        return None
    paid = dated_payments(session, customer_id, [i.invoice_id for i in late], as_of)
    return claim_for(
        rules,
        kind,
        country,
        [LateInvoice(i.number, i.due_date, i.amount, i.open_amount, tuple(paid[i.invoice_id])) for i in late],
        as_of,
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
            select(Invoice.id, Invoice.number, Invoice.due_date, Invoice.amount, Invoice.open_amount)
            .where(
                Invoice.customer_id == customer_id,
                Invoice.status == "open",
                Invoice.open_amount > 0,
                Invoice.due_date < today,
            )
            .order_by(Invoice.due_date, Invoice.number)
        ).all()
        owed = [OwedInvoice(i, n, d, int(a), int(o)) for i, n, d, a, o in rows]
        return claim_on(session, ctx.settings.interest, (customer_id, customer.kind, customer.country), owed, today)
