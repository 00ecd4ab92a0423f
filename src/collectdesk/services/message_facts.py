"""The variables a message template is filled with, read from one account."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from collectdesk.domain.escalation import ready_for_referral, render_next_step
from collectdesk.domain.interest import InterestClaim
from collectdesk.domain.money import format_amount
from collectdesk.services.context import AppContext
from collectdesk.services.interest import STATUTES, OwedInvoice, claim_on
from collectdesk.store.models import Contact, Customer, Invoice, Promise

_AP_ROLES = ("accounts", "ap", "payable", "finance", "billing")


@dataclass(frozen=True)
class Recipient:
    """Who a message is addressed to: the contact (if any) and the email address (if any)."""

    name: str | None
    role: str | None
    email: str | None


@dataclass(frozen=True)
class ChaseableInvoice:
    """An invoice a reminder may chase: its id and number."""

    id: int
    number: str


def chaseable_invoices(session: Session, customer_id: int, excluded: set[int] | None = None) -> list[ChaseableInvoice]:
    """The account's open (not disputed, not referred) invoices with a balance, oldest due first."""
    rows = session.execute(
        select(Invoice.id, Invoice.number)
        .where(Invoice.customer_id == customer_id, Invoice.status == "open", Invoice.open_amount > 0)
        .order_by(Invoice.due_date, Invoice.number)
    ).all()
    return [ChaseableInvoice(row.id, row.number) for row in rows if row.id not in (excluded or set())]


def recipient_for(customer: Customer) -> Recipient:
    """The accounts-payable contact with an email, else any contact with one, else the account's."""
    with_email = [c for c in customer.contacts if c.email]
    ap = [c for c in with_email if any(word in (c.role or "").lower().split() for word in _AP_ROLES)]
    chosen: Contact | None = next(iter(ap or with_email), None)
    if chosen is not None:
        return Recipient(chosen.name, chosen.role, customer.email or chosen.email)
    named = next(iter(customer.contacts), None)
    return Recipient(named.name if named else None, named.role if named else None, customer.email)


def _address(customer: Customer) -> list[str]:
    """The billing address as letter lines: street (may hold several lines), city, region and
    postal code, country."""
    lines = [line.strip() for line in (customer.address_street or "").splitlines() if line.strip()]
    town = " ".join(
        part for part in (customer.address_city, customer.address_region, customer.address_postal_code) if part
    )
    if town:
        lines.append(town)
    if customer.country:
        lines.append(customer.country)
    return lines


def _invoice_view(invoice: Invoice, as_of: date) -> dict[str, Any]:
    return {
        "number": invoice.number,
        "issue_date": invoice.issue_date.isoformat(),
        "due_date": invoice.due_date.isoformat(),
        "amount": invoice.amount,
        "open_amount": invoice.open_amount,
        "amount_text": format_amount(invoice.amount, invoice.currency),
        "open_text": format_amount(invoice.open_amount, invoice.currency),
        "days_late": max(0, (as_of - invoice.due_date).days),
    }


def _interest_view(claim: InterestClaim | None, currency: str) -> dict[str, Any] | None:
    if claim is None or not claim.invoices:
        return None
    return {
        "regime": claim.regime,
        "statute": STATUTES[claim.regime],
        "interest": claim.interest,
        "compensation": claim.compensation,
        "interest_text": format_amount(claim.interest, currency),
        "compensation_text": format_amount(claim.compensation, claim.compensation_currency),
        "lines": [
            {
                "number": line.number,
                "days_late": line.days_late,
                "rate": "unknown rate" if line.rate_percent is None else f"{line.rate_percent.normalize()}%",
                "interest_text": format_amount(line.interest, currency),
                "compensation_text": format_amount(line.compensation, claim.compensation_currency),
                # Shown when a part payment lowered the principal, so the figure can be checked.
                "periods": [
                    {
                        "start": period.start.isoformat(),
                        "end": period.end.isoformat(),
                        "days": period.days,
                        "principal_text": format_amount(period.principal, currency),
                    }
                    for period in line.periods
                ],
            }
            for line in claim.invoices
        ],
    }


def _promise_view(session: Session, promise: Promise) -> dict[str, Any]:
    plan = [promise]
    if promise.plan_id is not None:
        plan = list(
            session.scalars(
                select(Promise)
                .where(Promise.customer_id == promise.customer_id, Promise.plan_id == promise.plan_id)
                .order_by(Promise.promised_on)
            )
        )
    return {
        "amount": promise.amount,
        "amount_text": format_amount(promise.amount, promise.currency),
        "date": promise.promised_on.isoformat(),
        "method": promise.method,
        "instalments": [
            {"date": p.promised_on.isoformat(), "amount_text": format_amount(p.amount, p.currency)} for p in plan
        ],
    }


def message_variables(
    ctx: AppContext,
    session: Session,
    customer: Customer,
    invoices: list[Invoice],
    *,
    as_of: date,
    promise: Promise | None = None,
) -> dict[str, Any]:
    """Everything a template can use: customer, contact, invoices, balance, promise, next step,
    sales rep, sender and statutory interest (UK/EU business accounts only)."""
    currency = customer.currency
    recipient = recipient_for(customer)
    overdue = [i for i in invoices if i.due_date < as_of]
    claim = claim_on(
        session,
        ctx.settings.interest,
        (customer.id, customer.kind, customer.country),
        [OwedInvoice(i.id, i.number, i.due_date, i.amount, i.open_amount) for i in overdue],
        as_of,
    )
    rules = ctx.settings.escalation
    oldest_days = max(((as_of - i.due_date).days for i in overdue), default=0)
    pay_by = (
        as_of + timedelta(days=rules.final_demand_days)
        if ready_for_referral(customer.stage, oldest_days, rules)
        else None
    )
    open_total = sum(i.open_amount for i in invoices)
    overdue_total = sum(i.open_amount for i in overdue)
    return {
        "today": as_of.isoformat(),
        "customer": {
            "ref": customer.ref,
            "name": customer.name,
            "kind": customer.kind,
            "country": customer.country,
            "email": customer.email,
            "address": _address(customer),
        },
        "contact": {"name": recipient.name, "role": recipient.role} if recipient.name else None,
        "invoices": [_invoice_view(i, as_of) for i in invoices],
        "balance": {
            "currency": currency,
            "open": open_total,
            "overdue": overdue_total,
            "open_text": format_amount(open_total, currency),
            "overdue_text": format_amount(overdue_total, currency),
        },
        "stage": customer.stage,
        "promise": _promise_view(session, promise) if promise is not None else None,
        "next_step": render_next_step(
            customer.stage, sales_rep=customer.sales_rep, agency_days=rules.agency_days, final_demand_by=pay_by
        ),
        "final_demand_by": (pay_by or as_of + timedelta(days=rules.final_demand_days)).isoformat(),
        "sales_rep": customer.sales_rep,
        "sender": {"name": ctx.settings.mail.sender_name, "email": ctx.settings.mail.sender},
        "interest": _interest_view(claim, currency),
    }
