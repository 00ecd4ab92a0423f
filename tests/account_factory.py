"""Builds small real portfolios for engine tests: customers, invoices and promises."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select

from collectdesk.services.context import AppContext
from collectdesk.store.models import Customer, Invoice, Promise, User

TODAY = date(2026, 11, 23)
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def add_customer(ctx: AppContext, ref: str, **fields: Any) -> int:
    """Insert a customer (default: US business in USD, reminder stage) and return its id."""
    row: dict[str, Any] = {
        "ref": ref,
        "name": f"{ref} Ltd",
        "kind": "business",
        "country": "US",
        "currency": "USD",
        "terms_days": 30,
        "stage": "reminder",
        "on_hold": False,
        "do_not_call": False,
        "cease_contact": False,
        "lawyer_represented": False,
        "failed_attempts": 0,
        "created_at": NOW - timedelta(days=400),
        "updated_at": NOW - timedelta(days=400),
    }
    row.update(fields)
    with ctx.db.session() as session:
        return int(session.execute(insert(Customer).returning(Customer.id), [row]).scalar_one())


def add_invoice(
    ctx: AppContext,
    customer_id: int,
    *,
    days_past_due: int,
    amount: int = 100_000,
    open_amount: int | None = None,
    status: str | None = None,
    paid_days_after_due: int | None = None,
    issued_days_before_due: int = 30,
    number: str | None = None,
    currency: str = "USD",
    **fields: Any,
) -> int:
    """Insert an invoice due ``days_past_due`` days before TODAY (negative: not yet due)."""
    due = TODAY - timedelta(days=days_past_due)
    paid_on = None if paid_days_after_due is None else due + timedelta(days=paid_days_after_due)
    if open_amount is None:
        open_amount = 0 if paid_on else amount
    row: dict[str, Any] = {
        "customer_id": customer_id,
        "number": number or f"INV-{customer_id}-{due.isoformat()}-{amount}-{paid_days_after_due}",
        "issue_date": due - timedelta(days=issued_days_before_due),
        "due_date": due,
        "amount": amount,
        "currency": currency,
        "open_amount": open_amount,
        "status": status or ("paid" if paid_on else "open"),
        "paid_on": paid_on,
        "created_at": NOW - timedelta(days=400),
    }
    row.update(fields)
    with ctx.db.session() as session:
        return int(session.execute(insert(Invoice).returning(Invoice.id), [row]).scalar_one())


def add_promise(
    ctx: AppContext,
    customer_id: int,
    *,
    promised_on: date,
    status: str = "open",
    amount: int = 50_000,
    grace_days: int = 3,
) -> int:
    """Insert a promise taken by the context's user."""
    with ctx.db.session() as session:
        user_id = session.scalars(select(User.id).where(User.name == ctx.user.name)).one()
        return int(
            session.execute(
                insert(Promise).returning(Promise.id),
                [
                    {
                        "customer_id": customer_id,
                        "taken_by_id": user_id,
                        "amount": amount,
                        "currency": "USD",
                        "promised_on": promised_on,
                        "broken_on": promised_on + timedelta(days=grace_days),
                        "status": status,
                        "paid_amount": 0,
                        "created_at": NOW - timedelta(days=30),
                    }
                ],
            ).scalar_one()
        )
