"""Loading the promise ledger in batches: promises, the payments that may count towards them."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import Date, Select, String, and_, cast, func, select, type_coerce
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from collectdesk.domain.clock import start_of_day
from collectdesk.domain.promise_status import CANCELLED, OPEN
from collectdesk.domain.promises import PaymentFacts, PromiseFacts
from collectdesk.store.models import Payment, PaymentAllocation, Promise, PromiseInvoice

PROMISES = Promise.__table__
PAYMENTS = Payment.__table__
ALLOCATIONS = PaymentAllocation.__table__
PROMISE_INVOICES = PromiseInvoice.__table__


def day_of(session: Session, column: Any) -> ColumnElement[Any]:
    """The calendar date (UTC) of a stored instant, comparable with date columns on any backend."""
    if session.get_bind().dialect.name == "sqlite":
        return func.date(column)
    return cast(column, Date)


def _raw_day(session: Session, column: Any) -> ColumnElement[Any]:
    """A date column fetched cheaply: ISO text on SQLite (parsed by :func:`_day`), else a date."""
    if session.get_bind().dialect.name == "sqlite":
        return type_coerce(column, String)
    return column  # type: ignore[no-any-return]


@lru_cache(maxsize=8192)
def _day(value: Any) -> date:
    # Cached: a ledger holds 100k+ dates but only a few hundred distinct days.
    return value if isinstance(value, date) else date.fromisoformat(value[:10])


def _maybe_day(value: Any) -> date | None:
    return None if value is None else _day(value)


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
    return select(PROMISES.c.customer_id).where(PROMISES.c.status == OPEN).distinct()


def load_ledgers(session: Session, customers: Select[Any] | Sequence[int], as_of: date) -> dict[int, CustomerLedger]:
    """Every promise created by ``as_of`` of the given customers, and their payments in the windows.

    Four queries whatever the number of customers: promises, the invoices they name, payments
    received between a customer's first promise and its last broken-on date, and their allocations.
    Rows are fetched through Core with dates as ISO text on SQLite: this runs over 100k promises.
    """
    pr = PROMISES
    scope = (
        pr.c.customer_id.in_(customers)
        if not isinstance(customers, Select)
        else pr.c.customer_id.in_(customers.scalar_subquery())
    )
    created_by = pr.c.created_at < start_of_day(as_of + timedelta(days=1))
    conn = session.connection()
    ledgers: dict[int, CustomerLedger] = defaultdict(CustomerLedger)

    named: dict[int, set[int]] = defaultdict(set)
    for promise_id, invoice_id in conn.execute(
        select(PROMISE_INVOICES.c.promise_id, PROMISE_INVOICES.c.invoice_id)
        .join(pr, pr.c.id == PROMISE_INVOICES.c.promise_id)
        .where(scope, created_by)
    ).all():
        named[promise_id].add(invoice_id)

    no_invoices: frozenset[int] = frozenset()
    for (
        pid,
        customer_id,
        amount,
        currency,
        promised_raw,
        broken_raw,
        created_raw,
        status,
        paid,
        resolved_raw,
    ) in conn.execute(
        select(
            pr.c.id,
            pr.c.customer_id,
            pr.c.amount,
            pr.c.currency,
            _raw_day(session, pr.c.promised_on),
            _raw_day(session, pr.c.broken_on),
            _raw_day(session, day_of(session, pr.c.created_at)),
            pr.c.status,
            pr.c.paid_amount,
            _raw_day(session, pr.c.resolved_on),
        ).where(scope, created_by)
    ).all():
        invoices = frozenset(named[pid]) if pid in named else no_invoices
        promised_on, created_on = _day(promised_raw), _day(created_raw)
        resolved_on = _maybe_day(resolved_raw)
        cancelled_on = (resolved_on or created_on) if status == CANCELLED else None
        ledger = ledgers[customer_id]
        ledger.promises.append(
            PromiseFacts(pid, amount, promised_on, _day(broken_raw), created_on, invoices, cancelled_on)
        )
        ledger.stored[pid] = StoredPromise(
            pid, customer_id, amount, currency, promised_on, status, paid, resolved_on, invoices
        )

    windows = (
        select(
            pr.c.customer_id.label("customer_id"),
            func.min(day_of(session, pr.c.created_at)).label("lo"),
            func.max(pr.c.broken_on).label("hi"),
        )
        .where(scope, created_by)
        .group_by(pr.c.customer_id)
        .subquery()
    )
    pay = PAYMENTS
    in_window = and_(
        pay.c.customer_id == windows.c.customer_id,
        pay.c.received_on >= windows.c.lo,
        pay.c.received_on <= windows.c.hi,
        pay.c.received_on <= as_of,
    )
    al = ALLOCATIONS
    rows = conn.execute(
        select(
            pay.c.id,
            pay.c.customer_id,
            pay.c.amount,
            _raw_day(session, pay.c.received_on),
            al.c.invoice_id,
            al.c.amount,
        )
        .join(windows, in_window)
        .outerjoin(al, al.c.payment_id == pay.c.id)
        .order_by(pay.c.id)
    ).all()
    index = 0
    while index < len(rows):
        payment_id, customer_id, amount, received_raw = rows[index][:4]
        allocations: dict[int, int] = {}
        while index < len(rows) and rows[index][0] == payment_id:
            if rows[index][4] is not None:
                allocations[rows[index][4]] = rows[index][5]
            index += 1
        ledgers[customer_id].payments.append(PaymentFacts(payment_id, amount, _day(received_raw), allocations))
    return dict(ledgers)
