"""Importing a large plain invoices file: checked rows staged a chunk at a time, then compared with
the stored invoices and written set-wise, in the import's one transaction."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Connection, Table, case, func, insert, literal, select
from sqlalchemy.orm import Session

from collectdesk.domain.invoice_status import OPEN, PAID
from collectdesk.services.context import AppContext
from collectdesk.services.importing.invoices import COMPARED, stored_updates
from collectdesk.services.importing.report import ImportFailed, ImportReport, RowError, merged_errors
from collectdesk.services.importing.rows import InvoiceRow
from collectdesk.services.importing.streaming import RowStream
from collectdesk.services.importing.validation import Progress
from collectdesk.services.importing.writing import (
    bulk_loading,
    bulk_writes,
    in_transaction,
    large_load,
    refresh_loaded_facts,
    update_by_id,
)
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
        # The open balance the file gives, if any (else the whole amount is open).
        ("open_given", "int"),
        ("currency", "text"),
        ("stored", "int"),
    ],
)
_COPIED = ("customer_id", "number", "issue_date", "due_date", "amount", "currency")
# What a staged row's open balance, status and day paid are: all follow from its open balance.
_OPEN = func.coalesce(STAGE.c.open_given, STAGE.c.amount)
_STATUS = case((_OPEN > 0, OPEN), else_=PAID)
_PAID_ON = case((_OPEN > 0, None), else_=STAGE.c.issue_date)


def _stage(
    connection: Connection, stream: RowStream, report: ImportReport, progress: Progress | None, delta: TotalsDelta
) -> tuple[int, bool]:
    """Check and stage every row (the usual ones in SQL on SQLite); add what they come to into the
    report's totals and into ``delta`` (as if all were new). How many were staged, and whether two
    of them may be the same invoice."""
    text = dates_as_text(connection)
    staged = 0
    for good in stream.staged_chunks(connection, STAGE, progress):
        rows = []
        for line, row in good:
            customer = stream.customers[row.customer_ref]
            issue: Any = row.issue_date.isoformat() if text else row.issue_date
            due: Any = row.due_date.isoformat() if text else row.due_date
            given = row.open_amount
            rows.append((line, customer.id, row.number, issue, due, row.amount, given, customer.currency, 0))
        load_stage(connection, STAGE, rows)
        staged += _add_sums(connection, stream.chunk_lines, report.totals, delta)
    return staged, staged > 1 and _may_repeat(connection)


def _add_sums(connection: Connection, lines: tuple[int, int], totals: dict[str, int], delta: TotalsDelta) -> int:
    """Add the staged rows of ``lines`` (first, last) into the report's totals and the invoice
    totals' ``delta``; how many there are."""
    s = STAGE.c
    is_open = case((_OPEN > 0, 1), else_=0)
    query = (
        select(
            s.currency,
            s.issue_date,
            s.due_date,
            func.count(),
            func.sum(is_open),
            func.sum(_OPEN),
            func.sum(s.amount),
        )
        .where(s.line.between(*lines))
        .group_by(s.currency, s.issue_date, s.due_date)
    )
    staged = 0
    text = dates_as_text(connection)
    for currency, issue, due, count, *sums in connection.execute(query):
        # PostgreSQL sums integers as numeric: back to int for the report and the totals.
        opened, open_amount, amount = map(int, sums)
        totals[currency] = totals.get(currency, 0) + amount
        key = (currency, issue.isoformat(), due.isoformat()) if text else (currency, issue, due)
        delta.add_sums(key, opened, open_amount, amount)
        staged += count
    return staged


def _may_repeat(connection: Connection) -> bool:
    """Whether two staged rows share a customer and invoice number."""
    s = STAGE.c
    repeated = select(s.customer_id).group_by(s.customer_id, s.number).having(func.count() > 1).limit(1)
    return connection.execute(repeated).first() is not None


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
    staged, repeated = _stage(connection, stream, report, progress, totals)
    errors = stream.check_errors + (_duplicates(connection, stream) if repeated else [])
    errors.sort(key=lambda e: e.line or 0)
    if errors or stream.shaper.errors:
        raise ImportFailed(stream.file, merged_errors(stream.shaper.errors, errors))
    changed = _stored(connection, report, totals)
    updates, problems = stored_updates(session, stream.file, stream.columns, changed, ctx)
    if problems:
        raise ImportFailed(stream.file, problems)
    inserts = staged - report.unchanged - len(changed)
    report.added, report.updated = inserts, len(updates)
    if not report.dry_run:
        if progress is not None:
            progress("saving", 0, 0)
        invoices = cast(Table, Invoice.__table__)
        bulk = bulk_loading(session, inserts + len(updates))
        if bulk:
            _changed_totals(connection, totals, changed, updates)
        with bulk_writes(session, bulk, kept=("invoice_totals", "account_facts")):
            connection = session.connection()
            with indexes_set_aside(connection, invoices, when=large_load(connection, invoices, inserts + len(updates))):
                if inserts:
                    values = [*(STAGE.c[name] for name in _COPIED), _OPEN, _STATUS, _PAID_ON]
                    source = (
                        select(*values, literal(ctx.clock.now(), invoices.c.created_at.type))
                        .where(STAGE.c.stored == 0)
                        .order_by(STAGE.c.line)
                    )
                    written = [*_COPIED, "open_amount", "status", "paid_on", "created_at"]
                    connection.execute(insert(invoices).from_select(written, source))
                update_by_id(session, Invoice, updates)
                if bulk:
                    totals.apply(connection)
            if bulk:
                # Their facts, worked out afresh once the invoices' indexes are back.
                customers = f"SELECT DISTINCT customer_id FROM {STAGE.name}"
                refresh_loaded_facts(connection, customers, len(stream.customers))
    drop_stage(connection, STAGE)
