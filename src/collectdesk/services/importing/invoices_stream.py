"""Importing a large plain invoices file: checked rows staged a chunk at a time, then compared with
the stored invoices and written set-wise, in the import's one transaction."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Connection, Table, func, insert, literal, select
from sqlalchemy.orm import Session

from collectdesk.domain.invoice_status import OPEN, PAID
from collectdesk.services.context import AppContext
from collectdesk.services.importing.duplicates import Fingerprints
from collectdesk.services.importing.invoices import COMPARED, stored_updates
from collectdesk.services.importing.report import ImportFailed, ImportReport, RowError, merged_errors
from collectdesk.services.importing.rows import InvoiceRow
from collectdesk.services.importing.streaming import RowStream
from collectdesk.services.importing.validation import Progress
from collectdesk.services.importing.writing import BULK_ROWS, bulk_writes, in_transaction, large_load, update_by_id
from collectdesk.store.bulk import indexes_set_aside
from collectdesk.store.import_stage import create_stage, dates_as_text, drop_stage, load_stage, stage_table
from collectdesk.store.models import Invoice
from collectdesk.store.totals_delta import TotalsDelta

STAGE = stage_table(
    "import_invoices_stage",
    [
        ("customer_id", "int"),
        ("number", "text"),
        ("issue_date", "date"),
        ("due_date", "date"),
        ("amount", "int"),
        ("open_given", "int"),
        ("open_amount", "int"),
        ("status", "text"),
        ("paid_on", "date"),
        ("currency", "text"),
        ("stored", "int"),
    ],
)
_WRITTEN = ("customer_id", "number", "issue_date", "due_date", "amount", "currency", "open_amount", "status", "paid_on")


def _stage(
    connection: Connection, stream: RowStream, report: ImportReport, progress: Progress | None, delta: TotalsDelta
) -> Fingerprints:
    """Check and stage every row; what identifies each good row is kept to find duplicates, and
    what each adds to the invoice totals (if it is new)."""
    text = dates_as_text(connection)
    seen = Fingerprints()
    customers = stream.customers
    totals = report.totals
    for good in stream.chunks(progress):
        rows = []
        for line, row in good:
            customer = customers[row.customer_ref]
            seen.add((customer.id, row.number))
            totals[customer.currency] = totals.get(customer.currency, 0) + row.amount
            issue: Any = row.issue_date.isoformat() if text else row.issue_date
            due: Any = row.due_date.isoformat() if text else row.due_date
            open_amount = row.amount if row.open_amount is None else row.open_amount
            status, paid_on = (OPEN, None) if open_amount else (PAID, issue)
            delta.add((customer.currency, issue, due), open_amount, row.amount, status)
            amounts = (row.amount, row.open_amount, open_amount)
            rows.append((line, customer.id, row.number, issue, due, *amounts, status, paid_on, customer.currency, 0))
        load_stage(connection, STAGE, rows)
    return seen


def _duplicates(connection: Connection, stream: RowStream) -> list[RowError]:
    """Every row whose customer and invoice number an earlier line already had."""
    first = func.min(STAGE.c.line).over(partition_by=(STAGE.c.customer_id, STAGE.c.number)).label("first")
    ranked = select(STAGE.c.line, first).subquery()
    query = select(ranked.c.line, ranked.c.first).where(ranked.c.line != ranked.c.first).order_by(ranked.c.line)
    column = stream.columns.headings["number"]
    return [
        RowError(stream.file, line, column, f"duplicate of line {first} (same customer and invoice number)")
        for line, first in connection.execute(query)
    ]


def _stored(
    connection: Connection, report: ImportReport, totals: TotalsDelta
) -> list[tuple[int, InvoiceRow, dict[str, Any]]]:
    """Staged rows of invoices already stored and differing from them; the same ones are counted
    (and what staging added for them to the totals taken back)."""
    invoices = cast(Table, Invoice.__table__)
    s, i = STAGE.c, invoices.c
    query = (
        select(
            s.line, s.number, s.issue_date, s.due_date, s.amount, s.open_given,
            i.id, i.issue_date, i.due_date, i.amount, i.open_amount, i.currency, i.status, i.paid_on,
        )
        .join_from(STAGE, invoices, (i.customer_id == s.customer_id) & (i.number == s.number))
        .order_by(s.line)
    )  # fmt: skip
    changed: list[tuple[int, InvoiceRow, dict[str, Any]]] = []
    matched: list[tuple[int]] = []
    as_text = dates_as_text(connection)
    for line, number, issue, due, amount, given, *stored in connection.execute(query):
        matched.append((line,))
        staged_open = amount if given is None else given
        dates = (issue.isoformat(), due.isoformat()) if as_text else (issue, due)
        totals.add((stored[5], *dates), staged_open, amount, OPEN if staged_open else PAID, -1)
        row = InvoiceRow("", number, issue, due, None, amount, given)
        keys = ("id", "issue_date", "due_date", "amount", "open_amount", "currency", "status", "paid_on")
        before = dict(zip(keys, stored, strict=True))
        if any(before[column] != getattr(row, column) for column in COMPARED) or (
            given is not None and before["open_amount"] != given
        ):
            changed.append((line, row, before))
        else:
            report.unchanged += 1
    if matched:
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        mark = "?" if connection.dialect.name == "sqlite" else "%s"
        try:
            cursor.executemany(f"UPDATE {STAGE.name} SET stored = 1 WHERE line = {mark}", matched)
        finally:
            cursor.close()
    return changed


def _changed_totals(
    connection: Connection,
    totals: TotalsDelta,
    changed: list[tuple[int, InvoiceRow, dict[str, Any]]],
    updates: list[dict[str, Any]],
) -> None:
    """What the updated invoices move in the totals: out as they were stored, in as they will be."""
    as_text = dates_as_text(connection)

    def day(value: Any) -> Any:
        return value.isoformat() if as_text else value

    after = {update["id"]: update for update in updates}
    for _, _, before in changed:
        update = after[before["id"]]
        currency = before["currency"]
        old_key = (currency, day(before["issue_date"]), day(before["due_date"]))
        totals.add(old_key, before["open_amount"], before["amount"], before["status"], -1)
        new_key = (currency, day(update["issue_date"]), day(update["due_date"]))
        totals.add(new_key, update["open_amount"], update["amount"], update["status"])


def import_invoices_stream(
    session: Session, ctx: AppContext, stream: RowStream, report: ImportReport, progress: Progress | None
) -> None:
    """Check, stage, compare and write a plain invoices file (nothing written in a dry run or on any
    error: every bad row is named)."""
    connection = in_transaction(session)
    create_stage(connection, STAGE)
    totals = TotalsDelta()
    seen = _stage(connection, stream, report, progress, totals)
    errors = stream.check_errors + (_duplicates(connection, stream) if seen.repeated() else [])
    errors.sort(key=lambda e: e.line or 0)
    if errors or stream.shaper.errors:
        raise ImportFailed(stream.file, merged_errors(stream.shaper.errors, errors))
    changed = _stored(connection, report, totals)
    updates, problems = stored_updates(session, stream.file, stream.columns, changed, ctx)
    if problems:
        raise ImportFailed(stream.file, problems)
    inserts = len(seen) - report.unchanged - len(changed)
    report.added, report.updated = inserts, len(updates)
    if not report.dry_run:
        if progress is not None:
            progress("saving", 0, 0)
        invoices = cast(Table, Invoice.__table__)
        bulk = inserts + len(updates) >= BULK_ROWS
        if bulk:
            _changed_totals(connection, totals, changed, updates)
        with bulk_writes(session, inserts + len(updates), kept=("invoice_totals",)):
            connection = session.connection()
            with indexes_set_aside(connection, invoices, when=large_load(connection, invoices, inserts + len(updates))):
                if inserts:
                    values = [STAGE.c[name] for name in _WRITTEN]
                    source = (
                        select(*values, literal(ctx.clock.now(), invoices.c.created_at.type))
                        .where(STAGE.c.stored == 0)
                        .order_by(STAGE.c.line)
                    )
                    connection.execute(insert(invoices).from_select([*_WRITTEN, "created_at"], source))
                update_by_id(session, Invoice, updates)
                if bulk:
                    totals.apply(connection)
    drop_stage(connection, STAGE)
