"""The last step every importer shares: count what changes, then bulk insert and update (unless a dry run)."""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.orm import Session

from collectdesk.services.importing.report import ImportReport
from collectdesk.store.models import Base

_BATCH = 50_000


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


def update_by_id(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """``UPDATE … WHERE id = :id`` for each row (all with the same keys), as one Core executemany."""
    if not rows:
        return
    table = cast(Table, model.__table__)
    columns = [key for key in rows[0] if key != "id"]
    statement = (
        update(table)
        .where(table.c.id == bindparam("_id"))
        .values({column: bindparam(f"_{column}") for column in columns})
    )
    connection = session.connection()
    for start in range(0, len(rows), _BATCH):
        part = rows[start : start + _BATCH]
        connection.execute(statement, [{f"_{key}": value for key, value in row.items()} for row in part])
