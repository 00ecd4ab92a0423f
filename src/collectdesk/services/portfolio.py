"""Account-level portfolio figures: accounts per escalation stage and those ready for the agency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func, literal_column, select, union_all
from sqlalchemy.orm import Session

from collectdesk.domain import invoice_status
from collectdesk.domain.stages import REFERRED, STAGES
from collectdesk.store.models import Customer, Invoice

OPEN_STATUSES = invoice_status.OWING
OTHER_OWING_STATUSES = invoice_status.OWING_OUTSIDE_OPEN_BALANCE


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
    # ``open_balance`` (kept by triggers) covers open invoices: those accounts are counted from the
    # stage and balance index alone. Disputed and agency invoices are few: only the accounts with
    # nothing open but one of those are looked up, through the invoices' own partial index.
    other_owing = select(Invoice.customer_id).where(
        Invoice.open_amount > literal_column("0"),
        Invoice.status.in_([literal_column(f"'{s}'") for s in OTHER_OWING_STATUSES]),
    )
    with_open = (
        select(Customer.stage, func.count()).where(Customer.open_balance > literal_column("0")).group_by(Customer.stage)
    )
    only_other = (
        select(Customer.stage, func.count())
        .where(Customer.open_balance <= literal_column("0"), Customer.id.in_(other_owing))
        .group_by(Customer.stage)
    )
    counts: dict[str, int] = dict.fromkeys(STAGES, 0)
    for stage, count in session.execute(union_all(with_open, only_other)).all():
        counts[stage] = counts.get(stage, 0) + int(count)
    return {stage: counts[stage] for stage in STAGES}


def _overdue_of_account(as_of: date) -> Any:
    """The account's open, undisputed balance past due (a correlated subquery on ``customers``)."""
    return (
        select(func.coalesce(func.sum(Invoice.open_amount), 0))
        .where(
            Invoice.customer_id == Customer.id,
            Invoice.status == "open",
            Invoice.open_amount > 0,
            Invoice.due_date < as_of,
        )
        .scalar_subquery()
    )


def agency_ready(session: Session, as_of: date, agency_days: int, limit: int = 20) -> tuple[int, list[AccountLine]]:
    """Accounts whose oldest open invoice is ``agency_days`` or more past due and not yet at agency:
    how many there are, and the oldest ``limit`` of them."""
    # ``oldest_open_due`` (kept by triggers) is the oldest open invoice's due date; once it is
    # past due it is also the oldest past-due one, so no invoice needs aggregating to select.
    cutoff = min(as_of - timedelta(days=agency_days), as_of - timedelta(days=1))
    ready = [Customer.stage != REFERRED, Customer.oldest_open_due <= cutoff]
    count = session.scalar(select(func.count()).select_from(Customer).where(*ready)) or 0
    if limit < 1 or count == 0:
        return int(count), []
    # Ties on the last listed due date are broken by the overdue amount: keep all of them.
    last = session.scalar(
        select(Customer.oldest_open_due).where(*ready).order_by(Customer.oldest_open_due).offset(limit - 1).limit(1)
    )
    if last is not None:
        ready.append(Customer.oldest_open_due <= last)
    overdue = _overdue_of_account(as_of).label("overdue")
    query = (
        select(
            Customer.id.label("customer_id"),
            Customer.ref,
            Customer.name,
            Customer.currency,
            Customer.stage,
            Customer.oldest_open_due.label("oldest"),
            overdue,
        )
        .where(*ready)
        .order_by(Customer.oldest_open_due, overdue.desc(), Customer.id)
        .limit(limit)
    )
    return int(count), _account_lines(session, query, as_of)


def _account_lines(session: Session, query: Select[Any], as_of: date) -> list[AccountLine]:
    return [
        AccountLine(
            customer_id=row.customer_id,
            ref=row.ref,
            name=row.name,
            currency=row.currency,
            stage=row.stage,
            overdue=int(row.overdue),
            oldest_due_on=row.oldest,
            days_past_due=(as_of - row.oldest).days,
        )
        for row in session.execute(query)
    ]
