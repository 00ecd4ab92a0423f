"""The last step every importer shares: count what changes, then bulk insert and update (unless a dry run)."""

from __future__ import annotations

import contextlib
from collections.abc import Collection, Sequence
from contextlib import AbstractContextManager
from typing import Any, cast

from sqlalchemy import Connection, Table, false, insert, update
from sqlalchemy.orm import Session

from collectdesk.services.importing.report import ImportReport
from collectdesk.store.account_facts import INVOICE_FACTS, refresh_invoice_facts_of
from collectdesk.store.bulk import DRIVER_ROWS, indexes_set_aside, insert_rows, row_count, update_rows
from collectdesk.store.derived import bulk_load, may_set_triggers_aside
from collectdesk.store.models import Base, Customer

_BATCH = 50_000
# From this many rows written, per-row triggers are dropped for the load and their work redone set-based.
BULK_ROWS = 10_000


def in_transaction(session: Session) -> Connection:
    """The session's connection with its transaction really open. Python's sqlite3 begins one only at
    the first INSERT/UPDATE/DELETE, so DDL before that (dropping triggers) would commit by itself and
    survive a killed import; a no-op UPDATE opens it first."""
    connection = session.connection()
    if connection.dialect.name == "sqlite":
        connection.execute(update(Customer).where(false()).values(id=Customer.id))
    return connection


def bulk_loading(session: Session, rows: int) -> bool:
    """Whether writing ``rows`` rows goes without per-row triggers: many rows, by a login that may
    set them aside (anyone else's large load keeps them: slower, the same result)."""
    return rows >= BULK_ROWS and may_set_triggers_aside(session.connection())


def bulk_writes(session: Session, bulk: bool, kept: Collection[str] = ()) -> AbstractContextManager[None]:
    """Around a load: for a ``bulk`` one (see :func:`bulk_loading`), no per-row triggers (what they
    keep is rebuilt set-based after, but what the caller ``kept`` itself); otherwise nothing special."""
    return bulk_load(in_transaction(session), kept=kept) if bulk else contextlib.nullcontext()


def large_load(connection: Connection, table: Table, rows: int) -> bool:
    """Whether writing ``rows`` rows is worth setting the table's indexes aside: as many as it holds."""
    return rows >= DRIVER_ROWS and rows >= row_count(connection, table)


def refresh_loaded_facts(connection: Connection, customers: str, count: int) -> None:
    """After a load without triggers: the invoice facts of ``customers`` (an SQL subquery of the
    ``count`` customers it wrote invoices or payments for) worked out afresh, once the invoices'
    indexes are back. The indexes on the facts are set aside for half the customers or more:
    building them again is then the cheaper."""
    table = cast(Table, Customer.__table__)
    facts = tuple(INVOICE_FACTS)
    with indexes_set_aside(connection, table, when=large_load(connection, table, 2 * count), columns=facts):
        refresh_invoice_facts_of(connection, customers)


def write_changes(
    session: Session,
    report: ImportReport,
    model: type[Base],
    inserts: list[dict[str, Any]],
    updates: list[dict[str, Any]],
) -> None:
    """Record the counts on the report and write new and changed rows through Core, in bulk."""
    report.added, report.updated = len(inserts), len(updates)
    if report.dry_run:
        return
    if inserts:
        # Core on the session's connection: the ORM's per-row bookkeeping is most of a bulk insert's cost.
        table = cast(Table, model.__table__)
        connection = session.connection()
        for start in range(0, len(inserts), _BATCH):
            connection.execute(insert(table), inserts[start : start + _BATCH])
    if updates:
        update_by_id(session, model, updates)


def write_rows(
    session: Session,
    report: ImportReport,
    model: type[Base],
    columns: Sequence[str],
    inserts: Sequence[Sequence[Any]],
    updates: list[dict[str, Any]],
) -> None:
    """Record the counts on the report and write new rows (values in the order of ``columns``) and
    changed rows (dicts with their ``id``), in bulk."""
    report.added, report.updated = len(inserts), len(updates)
    if report.dry_run:
        return
    table = cast(Table, model.__table__)
    with bulk_writes(session, bulk_loading(session, len(inserts) + len(updates))):
        connection = session.connection()
        with indexes_set_aside(connection, table, when=large_load(connection, table, len(inserts) + len(updates))):
            insert_rows(connection, table, columns, inserts)
            update_by_id(session, model, updates)


def update_by_id(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """``UPDATE … WHERE id = :id`` for each row (all with the same keys), in bulk."""
    if not rows:
        return
    table = cast(Table, model.__table__)
    columns = [key for key in rows[0] if key != "id"]
    update_rows(session.connection(), table, columns, [[*(row[c] for c in columns), row["id"]] for row in rows])
