"""Account-level portfolio figures: accounts per escalation stage and those ready for the agency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, Subquery, func, select
from sqlalchemy.orm import Session

from collectdesk.store.models import STAGES, Customer, Invoice

OPEN_STATUSES = ("open", "disputed", "agency")


@dataclass(frozen=True)
class AccountLine:
    """One account in a short list: what it owes and how late its oldest invoice is."""

    customer_id: int
    ref: str
    name: str
    currency: str
    stage: str
    overdue: int
    oldest_due_on: date
    days_past_due: int
    score: float | None = None


def accounts_per_stage(session: Session) -> dict[str, int]:
    """Accounts with an open balance per escalation stage (every stage present, in order)."""
    owing = select(Invoice.customer_id).where(
        Invoice.customer_id == Customer.id, Invoice.open_amount > 0,
        Invoice.status.in_(OPEN_STATUSES))
    counts = dict(session.execute(
        select(Customer.stage, func.count()).where(owing.exists()).group_by(Customer.stage)
    ).all())
    return {stage: int(counts.get(stage, 0)) for stage in STAGES}


def _overdue_by_account(as_of: date) -> Subquery:
    """Per account: the oldest due date and the sum of open, undisputed balances past due."""
    return (
        select(Invoice.customer_id.label("customer_id"),
               func.min(Invoice.due_date).label("oldest"),
               func.sum(Invoice.open_amount).label("overdue"))
        .where(Invoice.status == "open", Invoice.open_amount > 0, Invoice.due_date < as_of)
        .group_by(Invoice.customer_id)
        .subquery()
    )


def _account_lines(session: Session, query: Select[Any], as_of: date) -> list[AccountLine]:
    return [
        AccountLine(customer_id=row.customer_id, ref=row.ref, name=row.name, currency=row.currency,
                    stage=row.stage, overdue=int(row.overdue), oldest_due_on=row.oldest,
                    days_past_due=(as_of - row.oldest).days)
        for row in session.execute(query)
    ]


def _with_customer(overdue: Subquery) -> Select[Any]:
    return (
        select(Customer.id.label("customer_id"), Customer.ref, Customer.name, Customer.currency,
               Customer.stage, overdue.c.oldest, overdue.c.overdue)
        .join(Customer, Customer.id == overdue.c.customer_id)
        .where(Customer.stage != "agency")
    )


def agency_ready(
    session: Session, as_of: date, agency_days: int, limit: int = 20
) -> tuple[int, list[AccountLine]]:
    """Accounts whose oldest open invoice is ``agency_days`` or more past due and not yet at agency:
    how many there are, and the oldest ``limit`` of them."""
    overdue = _overdue_by_account(as_of)
    ready = _with_customer(overdue).where(overdue.c.oldest <= as_of - timedelta(days=agency_days))
    count = session.scalar(select(func.count()).select_from(ready.subquery())) or 0
    oldest_first = ready.order_by(overdue.c.oldest, overdue.c.overdue.desc(), Customer.id)
    return int(count), _account_lines(session, oldest_first.limit(limit), as_of)
