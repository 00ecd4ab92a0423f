"""Writing the append-only activity log: one entry, or many at once through Core."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from collectdesk.store.models import Activity

KINDS = (
    "call",
    "note",
    "promise",
    "promise_kept",
    "promise_partially_kept",
    "promise_broken",
    "promise_cancelled",
    "promise_renegotiated",
    "payment",
    "escalation",
    "dispute",
    "hold",
    "import",
    "override",
    "correction",
    "receipt_confirmed",
    "wrong_number",
    "user",
    "assignment",
    "cover",
    "call_released",
    "reminder",
    "reminder_failed",
    "pause",
    "email_opt_out",
    "agency_referral",
    "agency_recall",
)


def log_activity(
    session: Session,
    *,
    at: datetime,
    kind: str,
    summary: str,
    customer_id: int | None = None,
    user_id: int | None = None,
    details: dict[str, Any] | None = None,
    call_id: int | None = None,
    promise_id: int | None = None,
    corrects_id: int | None = None,
) -> Activity:
    """Append one entry to the activity log (in the caller's transaction)."""
    if kind not in KINDS:
        raise ValueError(f"unknown activity kind {kind!r}")
    entry = Activity(
        at=at,
        kind=kind,
        summary=summary[:500],
        customer_id=customer_id,
        user_id=user_id,
        details=details,
        call_id=call_id,
        promise_id=promise_id,
        corrects_id=corrects_id,
    )
    session.add(entry)
    return entry


_COLUMNS = ("at", "kind", "summary", "customer_id", "user_id", "details", "call_id", "promise_id", "corrects_id")


def log_many(session: Session, entries: Sequence[dict[str, Any]]) -> None:
    """Append many entries in one bulk insert; each dict has the keyword names of :func:`log_activity`."""
    if not entries:
        return
    rows = []
    for entry in entries:
        if entry["kind"] not in KINDS:
            raise ValueError(f"unknown activity kind {entry['kind']!r}")
        rows.append(
            {
                "customer_id": None,
                "user_id": None,
                "details": None,
                "call_id": None,
                "promise_id": None,
                "corrects_id": None,
                **entry,
                "summary": str(entry["summary"])[:500],
            }
        )
    connection = session.connection()
    table = Activity.metadata.tables[Activity.__tablename__]
    if connection.dialect.name != "sqlite":
        # Core insert on the table: the ORM bulk path costs ~10x more per row.
        connection.execute(insert(table), rows)
        return
    # SQLite: the values as Core would bind them (each column type's own conversion), handed to the
    # driver in one executemany; Core's per-row handling costs more than the insert itself.
    unknown = set().union(*rows) - set(_COLUMNS)
    if unknown:
        raise ValueError(f"unknown activity fields {sorted(unknown)}")
    dialect = connection.dialect
    values = [[row[name] for name in _COLUMNS] for row in rows]
    for index, name in enumerate(_COLUMNS):
        process = table.c[name].type.dialect_impl(dialect).bind_processor(dialect)
        if process is None:
            continue
        if name == "at":  # usually one instant for the whole batch: converted once
            converted = {at: process(at) for at in {row_values[index] for row_values in values}}
            for row_values in values:
                row_values[index] = converted[row_values[index]]
        else:
            for row_values in values:
                row_values[index] = process(row_values[index])
    connection.exec_driver_sql(
        f"INSERT INTO {table.name} ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' for _ in _COLUMNS)})",
        [tuple(row_values) for row_values in values],
    )
