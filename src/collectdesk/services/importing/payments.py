"""Importing payments, applied to the named invoice first, then the oldest; the rest is credit."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from typing import Any, cast

from sqlalchemy import Connection, Table, false, func, insert, select, update
from sqlalchemy.orm import Session

from collectdesk.domain.allocation import OpenItem
from collectdesk.domain.money import format_amount
from collectdesk.services.context import AppContext
from collectdesk.services.importing.headers import ColumnMap
from collectdesk.services.importing.ledger import Ledger, apply_payment
from collectdesk.services.importing.lookups import customer_facts, refs_in_file
from collectdesk.services.importing.reading import RawTable
from collectdesk.services.importing.report import ImportReport, RowError
from collectdesk.services.importing.rows import CustomerFacts, PaymentRow, RowContext, payment_check
from collectdesk.services.importing.validation import (
    Progress,
    check_rows,
    chunks,
    find_duplicates,
    refuse_if_any,
)
from collectdesk.services.importing.writing import bulk_loading, bulk_writes, large_load, update_by_id
from collectdesk.store.bulk import indexes_set_aside, insert_rows, update_rows
from collectdesk.store.models import Activity, Invoice, Payment, PaymentAllocation


def _ledgers(session: Session, customer_ids: list[int]) -> dict[int, Ledger]:
    ledgers: dict[int, Ledger] = defaultdict(Ledger)
    applied = (
        select(PaymentAllocation.invoice_id, func.sum(PaymentAllocation.amount).label("applied"))
        .group_by(PaymentAllocation.invoice_id)
        .subquery()
    )
    for part in chunks(customer_ids):
        query = (
            select(
                Invoice.id,
                Invoice.customer_id,
                Invoice.number,
                Invoice.due_date,
                Invoice.open_amount,
                Invoice.status,
                Invoice.amount - Invoice.open_amount - func.coalesce(applied.c.applied, 0),
            )
            .outerjoin(applied, applied.c.invoice_id == Invoice.id)
            .where(Invoice.customer_id.in_(part))
        )
        for invoice_id, customer_id, number, due, open_amount, status, reflected in session.execute(query):
            ledger = ledgers[customer_id]
            ledger.by_number[number] = invoice_id
            ledger.items[invoice_id] = OpenItem(invoice_id, number, due, open_amount)
            ledger.status[invoice_id] = status
            if reflected and reflected > 0:
                ledger.reflected[invoice_id] = int(reflected)
    return ledgers


def _existing(session: Session, customer_ids: list[int]) -> dict[tuple[int, str], tuple[int, Any]]:
    found: dict[tuple[int, str], tuple[int, Any]] = {}
    for part in chunks(customer_ids):
        query = select(Payment.customer_id, Payment.import_key, Payment.id, Payment.method).where(
            Payment.customer_id.in_(part)
        )
        for customer_id, key, payment_id, method in session.execute(query):
            found[(customer_id, key)] = (payment_id, method)
    return found


def noon(day: date, now: datetime) -> datetime:
    """When a payment shows on the timeline: midday UTC on the day it arrived, never after now."""
    return min(datetime.combine(day, time(12, 0), now.tzinfo), now)


def import_payments(
    session: Session,
    ctx: AppContext,
    table: RawTable,
    columns: ColumnMap,
    report: ImportReport,
    progress: Progress | None,
) -> None:
    """Validate, write and apply a payments file (nothing written in a dry run or on any error)."""
    facts = customer_facts(session, refs_in_file(table, columns))
    context = RowContext(customers=facts, today=ctx.clock.today())
    rows: list[tuple[int, PaymentRow]]
    rows, errors = check_rows(payment_check, table, columns, context, progress)
    keys = {line: row.import_key() for line, row in rows}
    errors += find_duplicates(
        list(keys.items()),
        str,
        table.file,
        columns.headings["amount"],
        "customer, date, amount, reference and invoice",
    )
    customer_ids = sorted({facts[row.customer_ref].id for _, row in rows})
    ledgers = _ledgers(session, customer_ids)
    for line, row in rows:
        ledger = ledgers[facts[row.customer_ref].id]
        if row.invoice_number and row.invoice_number not in ledger.by_number:
            errors.append(
                RowError(
                    table.file,
                    line,
                    columns.headings["invoice_number"],
                    f"customer {row.customer_ref} has no invoice {row.invoice_number!r}",
                )
            )
    refuse_if_any(table.file, errors)
    for _, row in rows:
        currency = facts[row.customer_ref].currency
        report.totals[currency] = report.totals.get(currency, 0) + row.amount
    existing = _existing(session, customer_ids)
    new: list[tuple[int, PaymentRow]] = []
    method_changes: list[dict[str, Any]] = []
    for line, row in rows:
        known = existing.get((facts[row.customer_ref].id, keys[line]))
        if known is None:
            new.append((line, row))
        elif "method" in columns.positions and known[1] != row.method:
            method_changes.append({"id": known[0], "method": row.method})
        else:
            report.unchanged += 1
    new.sort(key=lambda item: (item[1].received_on, item[0]))
    applied = _apply(new, facts, ledgers)
    report.added, report.updated = len(new), len(method_changes)
    _note_credit(report, new, applied, facts)
    if report.dry_run:
        return
    _write(session, ctx, new, keys, applied, facts, ledgers, method_changes)


@dataclass(frozen=True)
class _Applied:
    """Where a new payment went: (invoice id, amount) parts, the credit left, invoices it closed."""

    parts: tuple[tuple[int, int], ...]
    unapplied: int
    closed: tuple[int, ...]


def _apply(
    new: list[tuple[int, PaymentRow]], facts: dict[str, CustomerFacts], ledgers: dict[int, Ledger]
) -> list[_Applied]:
    """Apply each new payment in date order, updating the in-memory ledgers as it goes."""
    results = []
    for _, row in new:
        ledger = ledgers[facts[row.customer_ref].id]
        merged, unapplied, closed = apply_payment(ledger, row.amount, row.invoice_number)
        results.append(_Applied(tuple(merged.items()), unapplied, tuple(closed)))
    return results


def _note_credit(
    report: ImportReport, new: list[tuple[int, PaymentRow]], applied: list[_Applied], facts: dict[str, CustomerFacts]
) -> None:
    """Tell the user about money that did not fit on any open invoice."""
    credit: dict[str, int] = defaultdict(int)
    refs: list[str] = []
    for (_, row), result in zip(new, applied, strict=True):
        if result.unapplied:
            credit[facts[row.customer_ref].currency] += result.unapplied
            refs.append(row.customer_ref)
    note_credit_totals(report, credit, refs)


def note_credit_totals(report: ImportReport, credit: dict[str, int], refs: list[str]) -> None:
    """The note on unapplied credit: ``credit`` by currency, ``refs`` one per payment that left some."""
    if refs:
        amounts = ", ".join(format_amount(total, currency) for currency, total in sorted(credit.items()))
        shown = ", ".join(sorted(set(refs))[:10]) + (", …" if len(set(refs)) > 10 else "")
        report.notes.append(
            f"{len(refs)} payment{'s' if len(refs) > 1 else ''} came to more than "
            f"the open invoices: {amounts} kept as unapplied credit ({shown})"
        )


def _write(
    session: Session,
    ctx: AppContext,
    new: list[tuple[int, PaymentRow]],
    keys: dict[int, str],
    applied: list[_Applied],
    facts: dict[str, CustomerFacts],
    ledgers: dict[int, Ledger],
    method_changes: list[dict[str, Any]],
) -> None:
    """Insert the new payments and their allocations, update the invoices, log each payment."""
    now = ctx.clock.now()
    if method_changes:
        update_by_id(session, Payment, method_changes)
    if not new:
        return
    with bulk_writes(session, bulk_loading(session, len(new))):
        _write_new(session, ctx, new, keys, applied, facts, ledgers, now)


def _write_new(
    session: Session,
    ctx: AppContext,
    new: list[tuple[int, PaymentRow]],
    keys: dict[int, str],
    applied: list[_Applied],
    facts: dict[str, CustomerFacts],
    ledgers: dict[int, Ledger],
    now: datetime,
) -> None:
    """Insert new payments, their allocations and timeline entries; update the invoices they pay."""
    payment_table = cast(Table, Payment.__table__)
    allocation_table = cast(Table, PaymentAllocation.__table__)
    activity_table = cast(Table, Activity.__table__)
    connection = session.connection()
    payment_rows = [
        (
            facts[row.customer_ref].id,
            row.amount,
            facts[row.customer_ref].currency,
            row.received_on,
            row.method,
            row.reference,
            row.invoice_number,
            keys[line],
            now,
        )
        for line, row in new
    ]
    with indexes_set_aside(connection, payment_table, when=large_load(connection, payment_table, len(payment_rows))):
        payment_ids = _insert_with_ids(connection, payment_table, payment_rows)
    allocations = [
        (payment_id, invoice_id, amount)
        for payment_id, result in zip(payment_ids, applied, strict=True)
        for invoice_id, amount in result.parts
    ]
    paid_on: dict[int, date] = {}
    numbers: dict[int, str] = {}
    touched: dict[int, Ledger] = {}
    for (_, row), result in zip(new, applied, strict=True):
        ledger = ledgers[facts[row.customer_ref].id]
        for invoice_id, _amount in result.parts:
            touched[invoice_id] = ledger
            numbers[invoice_id] = ledger.items[invoice_id].number
        for invoice_id in result.closed:
            paid_on[invoice_id] = row.received_on
    invoice_updates = []
    for invoice_id, ledger in touched.items():
        open_amount = ledger.items[invoice_id].open_amount
        closed = open_amount == 0
        status = "paid" if closed else ledger.status[invoice_id]
        invoice_updates.append((open_amount, status, paid_on.get(invoice_id) if closed else None, invoice_id))
    # Made as they are written: a timeline entry with its details per payment is the largest thing here.
    activities = (
        _activity(row, result, facts, numbers, ctx.user.id, now) for (_, row), result in zip(new, applied, strict=True)
    )
    with indexes_set_aside(
        connection, allocation_table, when=large_load(connection, allocation_table, len(allocations))
    ):
        insert_rows(connection, allocation_table, ("payment_id", "invoice_id", "amount"), allocations)
    invoice_table = cast(Table, Invoice.__table__)
    # Updating an invoice's balance touches most of its indexes: for a large share of the table,
    # building them again once is cheaper.
    with indexes_set_aside(
        connection, invoice_table, when=large_load(connection, invoice_table, 2 * len(invoice_updates))
    ):
        update_rows(connection, invoice_table, ("open_amount", "status", "paid_on"), invoice_updates)
    with indexes_set_aside(connection, activity_table, when=large_load(connection, activity_table, len(new))):
        insert_rows(connection, activity_table, _ACTIVITY_COLUMNS, activities, count=len(new))


# The timeline's summary of the usual payment: all of it on one invoice (both large-file paths).
APPLIED_TO_ONE = "Payment of {amount} received {day} applied to {number} ({amount})"

# What a payments file gives each payment, in the order both import paths write it.
PAYMENT_FIELDS = (
    "customer_id",
    "amount",
    "currency",
    "received_on",
    "method",
    "reference",
    "invoice_number",
    "import_key",
)
_PAYMENT_COLUMNS = ("id", *PAYMENT_FIELDS, "created_at")
_ACTIVITY_COLUMNS = ("at", "kind", "summary", "customer_id", "user_id", "details")


def _insert_with_ids(connection: Connection, table: Table, rows: list[tuple[Any, ...]]) -> Sequence[int]:
    """Insert payment ``rows`` (``_PAYMENT_COLUMNS`` without the id) and return their ids in order.
    SQLite cannot return ids of a batched insert in order, so there the ids are handed out after
    taking the write lock (nobody else can insert then)."""
    if connection.dialect.name != "sqlite":
        returning = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        named = [dict(zip(_PAYMENT_COLUMNS[1:], row, strict=True)) for row in rows]
        return list(connection.execute(returning, named).scalars())
    connection.execute(update(table).where(false()).values(id=table.c.id))  # takes the write lock
    first = int(connection.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1
    ids = range(first, first + len(rows))
    insert_rows(connection, table, _PAYMENT_COLUMNS, [(row_id, *row) for row_id, row in zip(ids, rows, strict=True)])
    return ids


def _activity(
    row: PaymentRow,
    result: _Applied,
    facts: dict[str, CustomerFacts],
    numbers: dict[int, str],
    user_id: int,
    now: datetime,
) -> tuple[Any, ...]:
    """The timeline entry for one imported payment (values in the order of ``_ACTIVITY_COLUMNS``)."""
    currency = facts[row.customer_ref].currency
    summary = row.describe(currency)
    if result.parts:
        summary += " applied to " + ", ".join(
            f"{numbers[invoice_id]} ({format_amount(amount, currency)})" for invoice_id, amount in result.parts
        )
    if result.unapplied:
        summary += f"; {format_amount(result.unapplied, currency)} unapplied credit"
    details = {
        "amount": row.amount,
        "currency": currency,
        "received_on": row.received_on.isoformat(),
        "reference": row.reference,
        "method": row.method,
        "unapplied": result.unapplied,
        "allocations": [[numbers[i], a] for i, a in result.parts],
    }
    return (noon(row.received_on, now), "payment", summary[:500], facts[row.customer_ref].id, user_id, details)
