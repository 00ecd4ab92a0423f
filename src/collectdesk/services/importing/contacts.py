"""Importing contacts: one per (customer, name), phones stored as E.164."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from collectdesk.services.context import AppContext
from collectdesk.services.importing.headers import ColumnMap
from collectdesk.services.importing.lookups import customer_facts, refs_in_file
from collectdesk.services.importing.reading import RawTable
from collectdesk.services.importing.report import ImportReport
from collectdesk.services.importing.rows import ContactRow, RowContext
from collectdesk.services.importing.validation import (
    Progress,
    chunks,
    find_duplicates,
    refuse_if_any,
    validate_rows,
)
from collectdesk.services.importing.writing import write_changes
from collectdesk.store.models import Contact

_OPTIONAL = ("role", "phone", "email")


def import_contacts(
    session: Session,
    ctx: AppContext,
    table: RawTable,
    columns: ColumnMap,
    report: ImportReport,
    progress: Progress | None,
) -> None:
    """Validate and write a contacts file (nothing is written in a dry run or on any error)."""
    facts = customer_facts(session, refs_in_file(table, columns))
    rows, errors = validate_rows(ContactRow, table, columns, RowContext(customers=facts), progress)
    errors += find_duplicates(
        rows, lambda r: (r.customer_ref, r.name), table.file, columns.headings["name"], "customer and contact name"
    )
    refuse_if_any(table.file, errors)
    given = [column for column in _OPTIONAL if column in columns.positions]
    current: dict[tuple[int, str], dict[str, Any]] = {}
    customer_ids = sorted({facts[row.customer_ref].id for _, row in rows})
    for part in chunks(customer_ids):
        query = select(
            Contact.id,
            Contact.customer_id,
            Contact.name,
            Contact.role,
            Contact.phone,
            Contact.email,
            Contact.wrong_number,
        ).where(Contact.customer_id.in_(part))
        for found in session.execute(query).mappings():
            current[(found["customer_id"], found["name"])] = dict(found)
    now = ctx.clock.now()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    for _, row in rows:
        customer_id = facts[row.customer_ref].id
        values = {column: getattr(row, column) for column in given}
        before = current.get((customer_id, row.name))
        if before is None:
            inserts.append(
                {
                    "customer_id": customer_id,
                    "name": row.name,
                    "role": None,
                    "phone": None,
                    "email": None,
                    **values,
                    "do_not_call": False,
                    "wrong_number": False,
                    "created_at": now,
                }
            )
        elif any(before[column] != value for column, value in values.items()):
            if "phone" in values:
                # A new number is worth trying again even if the old one was flagged as wrong.
                same_phone = values["phone"] == before["phone"]
                values["wrong_number"] = before["wrong_number"] and same_phone
            updates.append({"id": before["id"], **values})
        else:
            report.unchanged += 1
    write_changes(session, report, Contact, inserts, updates)
