"""Importing invoices: one per (customer, number); open balances stay in step with payments."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from collectdesk.domain.money import format_amount
from collectdesk.services.context import AppContext
from collectdesk.services.importing.headers import ColumnMap
from collectdesk.services.importing.lookups import customer_facts, refs_in_file
from collectdesk.services.importing.reading import RawTable
from collectdesk.services.importing.report import ImportFailed, ImportReport, RowError
from collectdesk.services.importing.rows import InvoiceRow, RowContext, invoice_check
from collectdesk.services.importing.validation import (
    Progress,
    check_rows,
    chunks,
    find_duplicates,
    refuse_if_any,
)
from collectdesk.services.importing.writing import write_rows
from collectdesk.store.models import Invoice, PaymentAllocation

COMPARED = ("issue_date", "due_date", "amount")
_INSERTED = (
    "customer_id",
    "number",
    "issue_date",
    "due_date",
    "amount",
    "currency",
    "open_amount",
    "status",
    "paid_on",
    "created_at",
)


def _existing(session: Session, customer_ids: list[int]) -> dict[tuple[int, str], dict[str, Any]]:
    current: dict[tuple[int, str], dict[str, Any]] = {}
    for part in chunks(customer_ids):
        query = select(
            Invoice.id,
            Invoice.customer_id,
            Invoice.number,
            Invoice.issue_date,
            Invoice.due_date,
            Invoice.amount,
            Invoice.currency,
            Invoice.open_amount,
            Invoice.status,
            Invoice.paid_on,
        ).where(Invoice.customer_id.in_(part))
        for found in session.execute(query).mappings():
            current[(found["customer_id"], found["number"])] = dict(found)
    return current


def _allocated(session: Session, invoice_ids: list[int]) -> dict[int, int]:
    """How much of each invoice payments already cover."""
    paid: dict[int, int] = {}
    for part in chunks(invoice_ids):
        query = (
            select(PaymentAllocation.invoice_id, func.sum(PaymentAllocation.amount))
            .where(PaymentAllocation.invoice_id.in_(part))
            .group_by(PaymentAllocation.invoice_id)
        )
        paid.update({invoice_id: int(total) for invoice_id, total in session.execute(query)})
    return paid


def import_invoices(
    session: Session,
    ctx: AppContext,
    table: RawTable,
    columns: ColumnMap,
    report: ImportReport,
    progress: Progress | None,
) -> None:
    """Validate and write an invoices file (nothing is written in a dry run or on any error)."""
    facts = customer_facts(session, refs_in_file(table, columns))
    rows: list[tuple[int, InvoiceRow]]
    rows, errors = check_rows(invoice_check, table, columns, RowContext(customers=facts), progress)
    errors += find_duplicates(
        rows,
        lambda r: (r.customer_ref, r.number),
        table.file,
        columns.headings["number"],
        "customer and invoice number",
    )
    refuse_if_any(table.file, errors)
    for _, row in rows:
        currency = facts[row.customer_ref].currency
        shown = row.open_amount if report.kind == "aging" and row.open_amount is not None else row.amount
        report.totals[currency] = report.totals.get(currency, 0) + shown
    current = _existing(session, sorted({facts[row.customer_ref].id for _, row in rows}))
    changed: list[tuple[int, InvoiceRow, dict[str, Any]]] = []
    now = ctx.clock.now()
    inserts: list[tuple[Any, ...]] = []
    for line, row in rows:
        customer = facts[row.customer_ref]
        before = current.get((customer.id, row.number))
        if before is None:
            open_amount = row.amount if row.open_amount is None else row.open_amount
            inserts.append(
                (
                    customer.id,
                    row.number,
                    row.issue_date,
                    row.due_date,
                    row.amount,
                    customer.currency,
                    open_amount,
                    "open" if open_amount else "paid",
                    None if open_amount else row.issue_date,
                    now,
                )
            )
        elif any(before[column] != getattr(row, column) for column in COMPARED) or (
            row.open_amount is not None and before["open_amount"] != row.open_amount
        ):
            changed.append((line, row, before))
        else:
            report.unchanged += 1
    updates, errors = stored_updates(session, table.file, columns, changed, ctx)
    if errors:
        raise ImportFailed(table.file, errors)
    write_rows(session, report, Invoice, _INSERTED, inserts, updates)


def stored_updates(
    session: Session,
    file: str,
    columns: ColumnMap,
    changed: list[tuple[int, InvoiceRow, dict[str, Any]]],
    ctx: AppContext,
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """New values for changed invoices, keeping what payments already cover."""
    paid = _allocated(session, [before["id"] for _, _, before in changed])
    updates: list[dict[str, Any]] = []
    errors: list[RowError] = []
    for line, row, before in changed:
        covered = paid.get(before["id"], 0)
        if row.amount < covered:
            errors.append(
                RowError(
                    file,
                    line,
                    columns.headings["amount"],
                    f"payments of {format_amount(covered, before['currency'])} are "
                    "already applied to this invoice; the amount cannot be less",
                )
            )
            continue
        open_amount = row.amount - covered
        if row.open_amount is not None and not covered:
            # The accounting system's open balance stands when no payment was applied here.
            open_amount = row.open_amount
        status, paid_on = before["status"], before["paid_on"]
        if open_amount == 0 and status == "open":
            status, paid_on = "paid", paid_on or ctx.clock.today()
        elif open_amount > 0 and status == "paid":
            status, paid_on = "open", None
        updates.append(
            {
                "id": before["id"],
                "issue_date": row.issue_date,
                "due_date": row.due_date,
                "amount": row.amount,
                "open_amount": open_amount,
                "status": status,
                "paid_on": paid_on,
            }
        )
    return updates, errors
