"""Writing the append-only activity log: one entry, or many at once through Core."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, Select, String, bindparam, func, insert, literal, select
from sqlalchemy.orm import Session

from collectdesk.store.bulk import insert_rows
from collectdesk.store.models import Activity, UTCDateTime

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
    table = Activity.metadata.tables[Activity.__tablename__]
    unknown = set().union(*rows) - set(_COLUMNS)
    if unknown:
        raise ValueError(f"unknown activity fields {sorted(unknown)}")
    insert_rows(session.connection(), table, _COLUMNS, [[row[name] for name in _COLUMNS] for row in rows])


def log_for_accounts(session: Session, *, at: datetime, kind: str, user_id: int | None, entries: Select[Any]) -> int:
    """Append one entry per row of ``entries`` (customer id, summary, details), all of one kind, at
    one instant, by one user, for passes that log thousands of accounts: the database writes them
    from the query (INSERT … SELECT), none passing through Python. Returns how many."""
    if kind not in KINDS:
        raise ValueError(f"unknown activity kind {kind!r}")
    table = Activity.metadata.tables[Activity.__tablename__]
    found = entries.subquery("entries")
    rows = select(
        bindparam("at", at, type_=UTCDateTime()),
        literal(kind, String()),
        func.substr(found.c.summary, 1, 500),
        found.c.customer_id,
        bindparam("user_id", user_id, type_=Integer()),
        found.c.details,
    ).order_by(found.c.customer_id)
    # INSERT … SELECT keeps its row count only when asked to (SQLAlchemy keeps it for UPDATE/DELETE).
    written = session.connection().execute(
        insert(table).from_select(["at", "kind", "summary", "customer_id", "user_id", "details"], rows),
        execution_options={"preserve_rowcount": True},
    )
    return int(written.rowcount)
