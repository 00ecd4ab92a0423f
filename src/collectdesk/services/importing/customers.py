"""Importing customers: insert new refs, update changed ones, create missing collectors."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from collectdesk.domain.errors import InputError
from collectdesk.services.context import AppContext
from collectdesk.services.importing.headers import ColumnMap
from collectdesk.services.importing.lookups import customer_facts, refs_in_file
from collectdesk.services.importing.reading import RawTable
from collectdesk.services.importing.report import ImportFailed, ImportReport, RowError
from collectdesk.services.importing.rows import CustomerRow, RowContext
from collectdesk.services.importing.validation import (
    Progress,
    chunks,
    find_duplicates,
    refuse_if_any,
    validate_rows,
)
from collectdesk.services.importing.writing import write_changes
from collectdesk.store.models import Customer, Invoice, User

_DEFAULTS: dict[str, Any] = {
    "kind": "business",
    "country": "US",
    "currency": "USD",
    "terms_days": 30,
    "phone": None,
    "email": None,
    "timezone": None,
    "collector_id": None,
    "sales_rep": None,
    "do_not_call": False,
    "address_street": None,
    "address_city": None,
    "address_region": None,
    "address_postal_code": None,
}
_COMPARED = ("name", *_DEFAULTS)


def _values(row: CustomerRow, given: set[str], collectors: dict[str, int]) -> dict[str, Any]:
    """The columns this file sets for the customer (absent columns are left alone)."""
    values: dict[str, Any] = {"name": row.name}
    for column in _DEFAULTS:
        source = "collector" if column == "collector_id" else column
        if source not in given:
            continue
        if column == "collector_id":
            values[column] = collectors.get(row.collector) if row.collector else None
        else:
            value = getattr(row, column)
            values[column] = _DEFAULTS[column] if value is None and _DEFAULTS[column] is not None else value
    return values


def _ensure_collectors(
    session: Session, ctx: AppContext, names: set[str], dry_run: bool, report: ImportReport
) -> dict[str, int]:
    """Ids of the named users, creating the missing ones as collectors (not in a dry run)."""
    query = select(User.name, User.id).where(User.name.in_(sorted(names)))
    existing: dict[str, int] = {name: user_id for name, user_id in session.execute(query)}
    missing = sorted(names - existing.keys())
    if missing and ctx.team:
        # On a team database a collector is a login, which only `users add` creates.
        raise InputError(
            f"not users on this team database: {', '.join(missing)} (named as collector); nothing was imported. "
            "Add each first with collectdesk users add NAME --role collector"
        )
    if missing:
        verb = "would add" if dry_run else "added"
        report.notes.append(f"{verb} {len(missing)} collector{'s' if len(missing) > 1 else ''}: " + ", ".join(missing))
        if not dry_run:
            now = ctx.clock.now()
            session.execute(insert(User), [{"name": n, "role": "collector", "created_at": now} for n in missing])
            query = select(User.name, User.id).where(User.name.in_(missing))
            existing.update({name: user_id for name, user_id in session.execute(query)})
        else:
            existing.update({name: -1 - index for index, name in enumerate(missing)})
    return existing


def _currency_conflicts(
    session: Session, changes: dict[int, tuple[int, str]], file: str, heading: str
) -> list[RowError]:
    """Customers whose currency would change although they already have invoices."""
    errors = []
    ids = sorted(changes)
    for part in chunks(ids):
        query = (
            select(Invoice.customer_id, func.min(Invoice.currency))
            .where(Invoice.customer_id.in_(part))
            .group_by(Invoice.customer_id)
        )
        for customer_id, currency in session.execute(query):
            line, new = changes[customer_id]
            message = f"the customer already has invoices in {currency}; it cannot become {new}"
            errors.append(RowError(file, line, heading, message))
    return errors


def import_customers(
    session: Session,
    ctx: AppContext,
    table: RawTable,
    columns: ColumnMap,
    report: ImportReport,
    progress: Progress | None,
) -> None:
    """Validate and write a customers file (nothing is written in a dry run or on any error)."""
    existing_facts = customer_facts(session, refs_in_file(table, columns, "ref"))
    rows, errors = validate_rows(CustomerRow, table, columns, RowContext(customers=existing_facts), progress)
    errors += find_duplicates(rows, lambda r: r.ref, table.file, columns.headings["ref"], "ref")
    refuse_if_any(table.file, errors)
    given = set(columns.positions)
    names = {row.collector for _, row in rows if row.collector}
    collectors = _ensure_collectors(session, ctx, names, report.dry_run, report) if "collector" in given else {}
    current = _current(session, [row.ref for _, row in rows])
    now = ctx.clock.now()
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    currency_changes: dict[int, tuple[int, str]] = {}
    for line, row in rows:
        values = _values(row, given, collectors)
        before = current.get(row.ref)
        if before is None:
            inserts.append({**_DEFAULTS, **values, "ref": row.ref, "created_at": now, "updated_at": now})
        elif any(before[column] != value for column, value in values.items()):
            updates.append({"id": before["id"], **values, "updated_at": now})
            if values.get("currency", before["currency"]) != before["currency"]:
                currency_changes[before["id"]] = (line, values["currency"])
        else:
            report.unchanged += 1
    if currency_changes:
        conflicts = _currency_conflicts(
            session, currency_changes, table.file, columns.headings.get("currency", "currency")
        )
        if conflicts:
            raise ImportFailed(table.file, conflicts)
    write_changes(session, report, Customer, inserts, updates)


def _current(session: Session, refs: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The compared columns of existing customers, by ref."""
    current: dict[str, dict[str, Any]] = {}
    columns = [Customer.id, Customer.ref, *(getattr(Customer, c) for c in _COMPARED)]
    for part in chunks(list(refs)):
        for row in session.execute(select(*columns).where(Customer.ref.in_(part))).mappings():
            current[row["ref"]] = dict(row)
    return current
