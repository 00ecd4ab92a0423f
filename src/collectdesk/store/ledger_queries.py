"""Loading the promise ledger in batches: promises, the payments that may count towards them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Date, Select, and_, cast, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from collectdesk.domain.clock import start_of_day
from collectdesk.domain.promises import PaymentFacts, PromiseFacts
from collectdesk.store.models import Payment, PaymentAllocation, Promise, PromiseInvoice


def day_of(session: Session, column: Any) -> ColumnElement[Any]:
    """The calendar date (UTC) of a stored instant, comparable with date columns on any backend."""
    if session.get_bind().dialect.name == "sqlite":
        return func.date(column)
    return cast(column, Date)


@dataclass(frozen=True)
class StoredPromise:
    """A promise as the database holds it now (to compare with a fresh evaluation)."""

    id: int
    customer_id: int
    amount: int
    currency: str
    promised_on: date
    status: str
    paid_amount: int
    resolved_on: date | None
    invoice_ids: frozenset[int]


@dataclass
class CustomerLedger:
    """One customer's promises and the payments that may count towards them."""

    promises: list[PromiseFacts] = field(default_factory=list)
    payments: list[PaymentFacts] = field(default_factory=list)
    stored: dict[int, StoredPromise] = field(default_factory=dict)


def customers_with_open_promises() -> Select[Any]:
    """The customers that have at least one open promise (a subquery)."""
    return select(Promise.customer_id).where(Promise.status == "open").distinct()


def load_ledgers(session: Session, customers: Select[Any] | Sequence[int],
                 as_of: date) -> dict[int, CustomerLedger]:
    """Every promise created by ``as_of`` of the given customers, and their payments in the windows.

    Four queries whatever the number of customers: promises, the invoices they name, payments
    received between a customer's first promise and its last broken-on date, and their allocations.
    """
    scope = (Promise.customer_id.in_(customers) if not isinstance(customers, Select)
             else Promise.customer_id.in_(customers.scalar_subquery()))
    created_by = Promise.created_at < start_of_day(as_of + timedelta(days=1))
    ledgers: dict[int, CustomerLedger] = defaultdict(CustomerLedger)

    named: dict[int, set[int]] = defaultdict(set)
    for promise_id, invoice_id in session.execute(
        select(PromiseInvoice.promise_id, PromiseInvoice.invoice_id)
        .join(Promise, Promise.id == PromiseInvoice.promise_id).where(scope, created_by)
    ):
        named[promise_id].add(invoice_id)

    for row in session.execute(
        select(Promise.id, Promise.customer_id, Promise.amount, Promise.currency,
               Promise.promised_on, Promise.broken_on, Promise.created_at, Promise.status,
               Promise.paid_amount,
               Promise.resolved_on).where(scope, created_by)
    ):
        invoices = frozenset(named.get(row.id, ()))
        cancelled_on = None
        if row.status == "cancelled":
            cancelled_on = row.resolved_on or row.created_at.date()
        ledger = ledgers[row.customer_id]
        ledger.promises.append(PromiseFacts(row.id, row.amount, row.promised_on, row.broken_on,
                                            row.created_at.date(), invoices, cancelled_on))
        ledger.stored[row.id] = StoredPromise(row.id, row.customer_id, row.amount, row.currency,
                                              row.promised_on, row.status, row.paid_amount,
                                              row.resolved_on, invoices)

    windows = (
        select(Promise.customer_id.label("customer_id"),
               func.min(day_of(session, Promise.created_at)).label("lo"),
               func.max(Promise.broken_on).label("hi"))
        .where(scope, created_by).group_by(Promise.customer_id).subquery()
    )
    in_window = and_(Payment.customer_id == windows.c.customer_id,
                     Payment.received_on >= windows.c.lo, Payment.received_on <= windows.c.hi,
                     Payment.received_on <= as_of)
    allocations: dict[int, dict[int, int]] = defaultdict(dict)
    for payment_id, invoice_id, amount in session.execute(
        select(PaymentAllocation.payment_id, PaymentAllocation.invoice_id, PaymentAllocation.amount)
        .join(Payment, Payment.id == PaymentAllocation.payment_id).join(windows, in_window)
    ):
        allocations[payment_id][invoice_id] = amount
    for pay in session.execute(
        select(Payment.id, Payment.customer_id, Payment.amount, Payment.received_on)
        .join(windows, in_window)
    ):
        ledgers[pay.customer_id].payments.append(
            PaymentFacts(pay.id, pay.amount, pay.received_on, allocations.get(pay.id, {})))
    return dict(ledgers)
