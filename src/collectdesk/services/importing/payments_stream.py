"""Importing a large plain payments file: checked rows staged a chunk at a time; duplicates, unknown
invoices and payments already stored found in SQL; then the new payments applied customer by
customer (their payments in date order against their invoices) and written a batch at a time."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from json.encoder import encode_basestring_ascii
from typing import Any, cast

from sqlalchemy import Connection, Table, and_, exists, func, insert, literal, select
from sqlalchemy.orm import Session

from collectdesk.domain.allocation import OpenItem
from collectdesk.domain.invoice_status import PAID, WRITTEN_OFF
from collectdesk.domain.money import amount_formatter
from collectdesk.services.context import AppContext
from collectdesk.services.importing.ledger import Ledger, apply_payment
from collectdesk.services.importing.payments import APPLIED_TO_ONE, PAYMENT_FIELDS, noon, note_credit_totals
from collectdesk.services.importing.payments_direct import settle_direct
from collectdesk.services.importing.payments_stages import APPLIED, BALANCES, PARTS, SETTLED, STAGE
from collectdesk.services.importing.report import ImportFailed, ImportReport, RowError, merged_errors
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
from collectdesk.store.allocation_totals import rebuild_allocation_totals
from collectdesk.store.bulk import indexes_set_aside, update_from
from collectdesk.store.import_stage import create_stage, dates_as_text, driver_executemany, drop_stage, load_stage
from collectdesk.store.models import Activity, Invoice, Payment, PaymentAllocation
from collectdesk.store.totals_delta import TotalsDelta

# Customers whose payments are applied and written together: their invoices and payments are read at once.
_CUSTOMERS_AT_ONCE = 2_000


def _stage(
    connection: Connection, stream: RowStream, report: ImportReport, progress: Progress | None
) -> tuple[int, bool]:
    """Check and stage every row (the usual ones in SQL on SQLite) and add them into the report's
    totals: how many were staged, and whether two of them may be the same payment."""
    text = dates_as_text(connection)
    staged = 0
    totals = report.totals
    s = STAGE.c
    sums = select(s.currency, func.count(), func.sum(s.amount)).group_by(s.currency)
    for good in stream.staged_chunks(connection, STAGE, progress):
        rows = []
        for line, row in good:
            customer = stream.customers[row.customer_ref]
            received: Any = row.received_on.isoformat() if text else row.received_on
            texts = (row.invoice_number, row.method, row.reference, row.import_key())
            rows.append((line, customer.id, row.amount, customer.currency, received, *texts, 1))
        load_stage(connection, STAGE, rows)
        for currency, count, amount in connection.execute(sums.where(s.line.between(*stream.chunk_lines))):
            # PostgreSQL sums integers as numeric: back to int for the report.
            totals[currency] = totals.get(currency, 0) + int(amount)
            staged += count
    repeated = select(s.import_key).group_by(s.import_key).having(func.count() > 1).limit(1)
    return staged, staged > 1 and connection.execute(repeated).first() is not None


def _problems(connection: Connection, stream: RowStream, repeated: bool) -> list[RowError]:
    """Rows repeating an earlier line's payment, and rows naming an invoice their customer lacks."""
    s = STAGE.c
    errors: list[RowError] = []
    if repeated:
        first = func.min(s.line).over(partition_by=s.import_key).label("first")
        ranked = select(s.line, first).subquery()
        column = stream.columns.headings["amount"]
        for line, earlier in connection.execute(
            select(ranked.c.line, ranked.c.first).where(ranked.c.line != ranked.c.first).order_by(ranked.c.line)
        ):
            message = f"duplicate of line {earlier} (same customer, date, amount, reference and invoice)"
            errors.append(RowError(stream.file, line, column, message))
    i = cast(Table, Invoice.__table__).c
    named = exists().where(and_(i.customer_id == s.customer_id, i.number == s.invoice_number))
    unknown = select(s.line, s.customer_id, s.invoice_number).where(s.invoice_number.is_not(None), ~named)
    refs: dict[int, str] | None = None
    for line, customer_id, number in connection.execute(unknown.order_by(s.line)):
        refs = refs or {facts.id: ref for ref, facts in stream.customers.items()}
        column = stream.columns.headings["invoice_number"]
        message = f"customer {refs[customer_id]} has no invoice {number!r}"
        errors.append(RowError(stream.file, line, column, message))
    return errors


def _stored(connection: Connection, stream: RowStream, report: ImportReport) -> list[dict[str, Any]]:
    """Staged payments already stored: counted unchanged, or their new method; marked not new."""
    s, p = STAGE.c, cast(Table, Payment.__table__).c
    query = select(s.line, p.id, p.method, s.method).join_from(
        STAGE, Payment, and_(p.customer_id == s.customer_id, p.import_key == s.import_key)
    )
    changes: list[dict[str, Any]] = []
    stored: list[tuple[int]] = []
    with_method = "method" in stream.columns.positions
    for line, payment_id, method, given in connection.execute(query):
        stored.append((line,))
        if with_method and method != given:
            changes.append({"id": payment_id, "method": given})
        else:
            report.unchanged += 1
    driver_executemany(connection, f"UPDATE {STAGE.name} SET new = 0 WHERE line = ?", stored)
    return changes


@dataclass
class _Credit:
    """Money that fitted on no open invoice, for the report."""

    totals: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    refs: list[str] = field(default_factory=list)


_LEDGERS = (
    "SELECT i.id, i.customer_id, i.number, i.due_date, i.open_amount, i.status, "
    "i.amount - i.open_amount - coalesce(a.applied, 0), i.currency, i.issue_date, i.amount "
    f"FROM invoices i LEFT JOIN {APPLIED.name} a "
    "ON a.invoice_id = i.id WHERE i.customer_id BETWEEN ? AND ? "
    f"AND i.customer_id NOT IN (SELECT customer_id FROM {SETTLED.name})"
)
# Every new payment, its customer's in date order (then file order), with the id it was stored under.
_NEW_PAYMENTS = (
    "SELECT s.customer_id, p.id, s.amount, s.currency, s.received_on, s.invoice_number, s.method, s.reference "
    f"FROM {STAGE.name} s LEFT JOIN payments p ON p.customer_id = s.customer_id AND p.import_key = s.import_key "
    f"WHERE s.new = 1 AND s.customer_id NOT IN (SELECT customer_id FROM {SETTLED.name}) "
    "ORDER BY s.customer_id, s.received_on, s.line"
)
# The same, once they are stored (on SQLite, in that order, with ids counting up from ``?``).
_STORED_PAYMENTS = (
    "SELECT customer_id, id, amount, currency, received_on, invoice_number, method, reference "
    f"FROM payments WHERE id > ? AND customer_id NOT IN (SELECT customer_id FROM {SETTLED.name}) ORDER BY id"
)


def _cursor(connection: Connection, sql: str, parameters: Sequence[Any] = ()) -> Any:
    """A driver cursor running ``sql`` (``?`` placeholders) in the caller's transaction."""
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(sql if connection.dialect.name == "sqlite" else sql.replace("?", "%s"), parameters)
    return cursor


def _ledgers(connection: Connection, low: int, high: int) -> dict[int, Ledger]:
    """The invoices of customers ``low``…``high`` with what was applied before this import."""
    text = dates_as_text(connection)
    days: dict[Any, date] = {}
    ledgers: dict[int, Ledger] = defaultdict(Ledger)
    cursor = _cursor(connection, _LEDGERS, (low, high))
    try:
        rows = cursor.fetchall()
    finally:
        cursor.close()
    for invoice_id, customer_id, number, due, open_amount, status, reflected, currency, issue, amount in rows:
        ledger = ledgers[customer_id]
        ledger.by_number[number] = invoice_id
        if text:
            day = days.get(due)
            if day is None:
                day = days[due] = date.fromisoformat(due)
        else:
            day = due
        ledger.items[invoice_id] = OpenItem(invoice_id, number, day, open_amount)
        ledger.status[invoice_id] = status
        ledger.stored[invoice_id] = (currency, issue, due, amount, open_amount, status)
        if reflected and reflected > 0:
            ledger.reflected[invoice_id] = int(reflected)
    return ledgers


def _json_text(value: str | None) -> str:
    return "null" if value is None else str(encode_basestring_ascii(value))


class _Writer:
    """Applies and writes the new payments of a range of customers at a time."""

    def __init__(self, connection: Connection, ctx: AppContext, credit: _Credit, write: bool) -> None:
        self.connection = connection
        self.user_id = ctx.user.id
        self.now = ctx.clock.now()
        self.credit = credit
        self.write = write
        self.text = dates_as_text(connection)
        self.noons: dict[date, Any] = {}
        self.refs: dict[int, str] = {}
        activity = cast(Table, Activity.__table__)
        self._at = activity.c.at.type.dialect_impl(connection.dialect).bind_processor(connection.dialect)
        self.allocations: list[tuple[Any, ...]] = []
        self.balances: dict[int, tuple[Any, ...]] = {}
        self.activities: list[tuple[Any, ...]] = []
        self.stored: dict[int, tuple[Any, ...]] = {}
        # Set when the load runs without triggers: the totals they keep, added up here instead.
        self.totals: TotalsDelta | None = None
        # The day each invoice was paid off, for the customers being applied.
        self.paid_on: dict[int, date] = {}
        self._money: dict[str, Callable[[int], str]] = {}
        self._json: dict[str | None, str] = {}

    def noon(self, received: Any) -> Any:
        """When the payment shows on the timeline, as the driver takes it (worked out once a day)."""
        at = self.noons.get(received)
        if at is None:
            at = noon(date.fromisoformat(received) if self.text else received, self.now)
            if self._at is not None:
                at = self._at(at)
            self.noons[received] = at
        return at

    def apply(
        self,
        customer_ids: list[int],
        new: int,
        progress: Progress | None,
        stored_after: int | None = None,
        applied: int = 0,
    ) -> None:
        """Apply the new payments of ``customer_ids``, customer by customer, writing what they
        change as it goes; progress counts on from ``applied`` of all ``new`` payments."""
        ranges = iter(_ranges(customer_ids))
        high = -1
        ledgers: dict[int, Ledger] = {}
        cursor = (
            _cursor(self.connection, _NEW_PAYMENTS)
            if stored_after is None
            else _cursor(self.connection, _STORED_PAYMENTS, (stored_after,))
        )
        try:
            while rows := cursor.fetchmany(_CUSTOMERS_AT_ONCE * 5):
                if progress is not None and new:
                    progress("applying", applied, new)
                applied += len(rows)
                for customer_id, group in groupby(rows, key=lambda row: row[0]):
                    while customer_id > high:
                        low, high = next(ranges)
                        self.flush()
                        ledgers = _ledgers(self.connection, low, high)
                    self._customer(ledgers[customer_id], customer_id, group)
        finally:
            cursor.close()
        if progress is not None and new:
            progress("applying", applied, new)
        self.flush()

    def _customer(self, ledger: Ledger, customer_id: int, rows: Iterable[Any]) -> None:
        """Apply one customer's new payments (or the next of them, as fetched) in date order.
        Days stay as the driver gives and takes them (ISO text on SQLite)."""
        paid_on = self.paid_on
        touched: dict[int, None] = {}
        allocations = self.allocations
        activities = self.activities
        stored = ledger.stored
        write = self.write
        for _, payment_id, amount, currency, received, invoice_number, method, reference in rows:
            parts, unapplied, closed = apply_payment(ledger, amount, invoice_number)
            for invoice_id in closed:
                paid_on[invoice_id] = received
            if unapplied:
                self.credit.totals[currency] += unapplied
                self.credit.refs.append(self.refs[customer_id])
            if not write:
                continue
            for invoice_id, part in parts.items():
                billed_in, issue, due, _, _, status = stored[invoice_id]
                allocations.append(
                    (payment_id, invoice_id, part, received, billed_in, issue, due, int(status != WRITTEN_OFF))
                )
                touched[invoice_id] = None
            activities.append(
                self._activity(ledger, customer_id, amount, currency, received, method, reference, parts, unapplied)
            )
        if not write:
            return
        items, status = ledger.items, ledger.status
        for invoice_id in touched:
            open_amount = items[invoice_id].open_amount
            if open_amount == 0:
                self.balances[invoice_id] = (invoice_id, open_amount, PAID, paid_on.get(invoice_id))
            else:
                self.balances[invoice_id] = (invoice_id, open_amount, status[invoice_id], None)
            self.stored[invoice_id] = stored[invoice_id]

    def flush(self) -> None:
        """Write what the payments applied so far change."""
        self.paid_on = {}
        if not self.write:
            return
        connection = self.connection
        load_stage(connection, PARTS, self.allocations)
        load_stage(connection, BALANCES, list(self.balances.values()))
        driver_executemany(
            connection,
            "INSERT INTO activity (at, kind, summary, customer_id, user_id, details) VALUES (?, 'payment', ?, ?, ?, ?)",
            self.activities,
        )
        if self.totals is not None:
            for invoice_id, open_amount, status, _ in self.balances.values():
                self.totals.balance(self.stored[invoice_id], open_amount, status)
        self.allocations, self.balances, self.activities, self.stored = [], {}, [], {}

    def _activity(
        self,
        ledger: Ledger,
        customer_id: int,
        amount: int,
        currency: str,
        received: Any,
        method: str | None,
        reference: str | None,
        parts: dict[int, int],
        unapplied: int,
    ) -> tuple[Any, ...]:
        """The timeline entry for one imported payment: (at, summary, customer, user, details as JSON)."""
        money = self._money.get(currency)
        if money is None:
            money = self._money[currency] = amount_formatter(currency)
        as_json = self._json
        if currency not in as_json:
            as_json[currency] = _json_text(currency)
        if method not in as_json:
            as_json[method] = _json_text(method)
        day = received if self.text else received.isoformat()
        shown = money(amount)
        items = ledger.items
        if len(parts) == 1 and not unapplied:
            # The usual payment: all of it on one invoice.
            ((invoice_id, part),) = parts.items()
            number = items[invoice_id].number
            summary = APPLIED_TO_ONE.format(amount=shown, day=day, number=number)
            allocated = f"[{encode_basestring_ascii(number)}, {part}]"
        else:
            summary = f"Payment of {shown} received {day}"
            if parts:
                summary += " applied to " + ", ".join(
                    f"{items[invoice_id].number} ({money(part)})" for invoice_id, part in parts.items()
                )
            if unapplied:
                summary += f"; {money(unapplied)} unapplied credit"
            allocated = ", ".join(f"[{encode_basestring_ascii(items[i].number)}, {part}]" for i, part in parts.items())
        details = (
            f'{{"amount": {amount}, "currency": {as_json[currency]}, "received_on": "{day}", '
            f'"reference": {"null" if reference is None else encode_basestring_ascii(reference)}, '
            f'"method": {as_json[method]}, "unapplied": {unapplied}, "allocations": [{allocated}]}}'
        )
        return (self.noon(received), summary[:500], customer_id, self.user_id, details)


def _ranges(customer_ids: Sequence[int]) -> list[tuple[int, int]]:
    """Runs of customer ids, ``_CUSTOMERS_AT_ONCE`` customers each."""
    return [
        (customer_ids[start], customer_ids[min(start + _CUSTOMERS_AT_ONCE, len(customer_ids)) - 1])
        for start in range(0, len(customer_ids), _CUSTOMERS_AT_ONCE)
    ]


def import_payments_stream(
    session: Session, ctx: AppContext, stream: RowStream, report: ImportReport, progress: Progress | None
) -> None:
    """Check, stage, apply and write a plain payments file (nothing written in a dry run or on any
    error: every bad row is named)."""
    connection = in_transaction(session)
    create_stage(connection, STAGE)
    staged, repeated = _stage(connection, stream, report, progress)
    errors = stream.check_errors + _problems(connection, stream, repeated)
    errors.sort(key=lambda e: e.line or 0)
    if errors or stream.shaper.errors:
        raise ImportFailed(stream.file, merged_errors(stream.shaper.errors, errors))
    method_changes = _stored(connection, stream, report)
    new = staged - report.unchanged - len(method_changes)
    report.added, report.updated = new, len(method_changes)
    s = STAGE.c
    customer_ids = list(
        connection.execute(select(s.customer_id).where(s.new == 1).distinct().order_by(s.customer_id)).scalars()
    )
    # What payments applied before this import, read before any index is set aside for the load.
    for stage in (APPLIED, SETTLED):
        create_stage(connection, stage)
    a = cast(Table, PaymentAllocation.__table__).c
    applied = select(a.invoice_id, func.sum(a.amount)).group_by(a.invoice_id)
    connection.execute(insert(APPLIED).from_select(["invoice_id", "applied"], applied))
    credit = _Credit()
    writer = _Writer(connection, ctx, credit, write=not report.dry_run and new > 0)
    writer.refs = {facts.id: ref for ref, facts in stream.customers.items()}
    if report.dry_run or not new:
        writer.apply(customer_ids, new, progress)
    else:
        if method_changes:
            update_by_id(session, Payment, method_changes)
        _write(session, ctx, writer, new, customer_ids, progress)
    note_credit_totals(report, dict(credit.totals), credit.refs)
    for stage in (SETTLED, APPLIED, STAGE):
        drop_stage(connection, stage)


_BALANCE_COLUMNS = ("open_amount", "status", "paid_on")
# The new allocations added to the allocation totals, as their triggers would have added them one by one.
_ALLOCATION_TOTALS = (
    "INSERT INTO allocation_totals (received_on, currency, issue_date, due_date, amount) "
    f"SELECT received_on, currency, issue_date, due_date, sum(amount) FROM {PARTS.name} WHERE counted = 1 "
    "GROUP BY received_on, currency, issue_date, due_date "
    "ON CONFLICT (received_on, currency, issue_date, due_date) DO UPDATE SET "
    "amount = allocation_totals.amount + excluded.amount"
)


def _write(
    session: Session, ctx: AppContext, writer: _Writer, new: int, customer_ids: list[int], progress: Progress | None
) -> None:
    """Insert the new payments in date order, then apply them a range of customers at a time."""
    connection = writer.connection
    tables = [cast(Table, model.__table__) for model in (Payment, PaymentAllocation, Invoice, Activity)]
    payments, allocations, invoices, activity = tables
    bulk = bulk_loading(session, new)
    if bulk:
        writer.totals = TotalsDelta()
    with bulk_writes(session, bulk, kept=("invoice_totals", "allocation_totals", "account_facts")):
        connection = session.connection()
        with (
            indexes_set_aside(connection, payments, when=large_load(connection, payments, new)),
            indexes_set_aside(connection, allocations, when=large_load(connection, allocations, new)),
            indexes_set_aside(
                connection, invoices, when=large_load(connection, invoices, 2 * new), columns=_BALANCE_COLUMNS
            ),
            indexes_set_aside(connection, activity, when=large_load(connection, activity, new)),
        ):
            s = STAGE.c
            # In the order they are applied: each customer's in date order. Their unique index on
            # (customer, import key) then grows at its end instead of all over.
            source = (
                select(*(s[name] for name in PAYMENT_FIELDS), literal(writer.now, payments.c.created_at.type))
                .where(s.new == 1)
                .order_by(s.customer_id, s.received_on, s.line)
            )
            last_id = connection.execute(select(func.coalesce(func.max(payments.c.id), 0))).scalar_one()
            connection.execute(insert(payments).from_select([*PAYMENT_FIELDS, "created_at"], source))
            for stage in (PARTS, BALANCES):
                create_stage(connection, stage)
            # SQLite numbers the new rows on from the highest id, one writer at a time: they are read
            # back by id, with no join to the staged rows.
            stored_after = last_id if dates_as_text(connection) else None
            if progress is not None:
                progress("applying", 0, new)
            settled = settle_direct(connection, writer.user_id, writer.noon, writer.totals, stored_after)
            others = [customer_id for customer_id in customer_ids if customer_id not in settled.customers]
            writer.apply(others, new, progress, stored_after, applied=settled.payments)
            if progress is not None:
                progress("saving", 0, 0)
            # In key order, each page of the tables and their indexes is written once, not again and again.
            parts = select(PARTS.c.payment_id, PARTS.c.invoice_id, PARTS.c.amount).order_by(
                PARTS.c.payment_id, PARTS.c.invoice_id
            )
            connection.execute(insert(allocations).from_select(["payment_id", "invoice_id", "amount"], parts))
            update_from(connection, invoices, BALANCES, "invoice_id", _BALANCE_COLUMNS)
            if writer.totals is not None:
                writer.totals.apply(connection)
                if writer.totals.recounted:
                    rebuild_allocation_totals(connection)
                else:
                    connection.exec_driver_sql(_ALLOCATION_TOTALS)
            for stage in (PARTS, BALANCES):
                drop_stage(connection, stage)
        if writer.totals is not None:
            # Without the per-row triggers, the applied customers' facts are worked out afresh, once
            # the invoices' indexes are back (each fact is a look-up in them).
            refresh_loaded_facts(
                connection, f"SELECT DISTINCT customer_id FROM {STAGE.name} WHERE new = 1", len(customer_ids)
            )
