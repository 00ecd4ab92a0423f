"""Customers named only by name or email: linked to existing customers or created with a stable ref;
due dates missing from the file worked out from payment terms."""

from __future__ import annotations

import contextlib
import hashlib
import re
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from collectdesk.services.context import AppContext
from collectdesk.services.importing.headers import ColumnMap
from collectdesk.services.importing.reading import RawTable
from collectdesk.services.importing.validation import chunks
from collectdesk.store.models import Customer

_NOT_REF = re.compile(r"[^A-Z0-9]+")
DEFAULT_TERMS = 30


def folded(name: str) -> str:
    """A name as compared: lower case, single spaces."""
    return " ".join(name.lower().split())


def generated_ref(name: str) -> str:
    """The ref a customer known only by name gets: the same name always gives the same ref."""
    digest = hashlib.sha1(folded(name).encode()).hexdigest()[:6].upper()
    stem = _NOT_REF.sub("-", name.upper()).strip("-")[:24].rstrip("-")
    return f"{stem or 'CUST'}-{digest}"


@dataclass(frozen=True)
class _Known:
    ref: str
    terms_days: int


def _by_name_and_email(
    session: Session, names: set[str], emails: set[str]
) -> tuple[dict[str, _Known], dict[str, _Known]]:
    by_name: dict[str, _Known] = {}
    by_email: dict[str, _Known] = {}
    columns = (Customer.ref, Customer.name, Customer.email, Customer.terms_days)
    for part in chunks(sorted(names)):
        for ref, name, _, terms in session.execute(select(*columns).where(func.lower(Customer.name).in_(part))):
            by_name.setdefault(folded(name), _Known(ref, terms))
    for part in chunks(sorted(emails)):
        for ref, _, email, terms in session.execute(select(*columns).where(func.lower(Customer.email).in_(part))):
            if email:
                by_email.setdefault(email.lower(), _Known(ref, terms))
    return by_name, by_email


def by_name(session: Session, names: set[str]) -> dict[str, str]:
    """Refs of the customers whose folded names are among ``names``, by folded name."""
    found, _ = _by_name_and_email(session, names, set())
    return {name: known.ref for name, known in found.items()}


def _terms_of(session: Session, refs: set[str]) -> dict[str, int]:
    terms: dict[str, int] = {}
    for part in chunks(sorted(refs)):
        query = select(Customer.ref, Customer.terms_days).where(Customer.ref.in_(part))
        terms.update({ref: days for ref, days in session.execute(query)})
    return terms


class Resolution:
    """What resolving names did, for the report."""

    def __init__(self) -> None:
        self.created = 0
        self.linked = 0
        self.due_from_terms = 0


def _column(table: RawTable, name: str) -> int | None:
    return table.headings.index(name) if name in table.headings else None


def _without(table: RawTable, columns: ColumnMap, drop: set[str]) -> tuple[RawTable, ColumnMap]:
    if not drop & set(table.headings):
        return table, columns
    keep = [i for i, h in enumerate(table.headings) if h not in drop]
    headings = [table.headings[i] for i in keep]
    rows = [(line, [cells[i] for i in keep]) for line, cells in table.rows]
    positions = {h: i for i, h in enumerate(headings)}
    names = {h: columns.headings.get(h, h) for h in headings}
    return RawTable(table.file, headings, rows), ColumnMap(positions, names, columns.ignored)


def _with_column(table: RawTable, columns: ColumnMap, name: str, heading: str) -> tuple[RawTable, ColumnMap]:
    if name in table.headings:
        return table, columns
    headings = [*table.headings, name]
    rows = [(line, [*cells, ""]) for line, cells in table.rows]
    positions = {h: i for i, h in enumerate(headings)}
    names = {**columns.headings, name: heading}
    return RawTable(table.file, headings, rows), ColumnMap(positions, names, columns.ignored)


def resolve_customers(
    session: Session, ctx: AppContext, kind: str, table: RawTable, columns: ColumnMap, *, create: bool
) -> tuple[RawTable, ColumnMap, Resolution]:
    """Give every row a customer ref (``customer_ref``, or ``ref`` in a customers file) and every
    invoice a due date; customers named only by name are created when ``create`` (not in a dry run)."""
    result = Resolution()
    ref_field = "ref" if kind == "customers" else "customer_ref"
    name_field = "name" if kind == "customers" else "customer_name"
    email_field = "email" if kind == "customers" else "customer_email"
    if _column(table, name_field) is not None and (
        _column(table, ref_field) is None or any(not cells[_column(table, ref_field) or 0] for _, cells in table.rows)
    ):
        name_heading = columns.headings.get(name_field, name_field)
        table, columns = _with_column(table, columns, ref_field, name_heading)
        table = _fill_refs(session, ctx, kind, table, ref_field, name_field, email_field, create, result)
    elif kind != "customers" and _column(table, "customer_ref") is not None:
        table, result.linked = _refs_or_names(session, table)
    if kind != "customers":
        table, columns = _without(table, columns, {"customer_name", "customer_email"})
    if kind in ("invoices", "aging"):
        table = _fill_due_dates(session, table, result)
        table, columns = _without(table, columns, {"terms_days"})
    return table, columns, result


def _fill_refs(
    session: Session,
    ctx: AppContext,
    kind: str,
    table: RawTable,
    ref_field: str,
    name_field: str,
    email_field: str,
    create: bool,
    result: Resolution,
) -> RawTable:
    ref_at, name_at = table.headings.index(ref_field), table.headings.index(name_field)
    email_at = _column(table, email_field)
    currency_at = _column(table, "currency")
    names = {folded(cells[name_at]) for _, cells in table.rows if not cells[ref_at] and cells[name_at]}
    emails = (
        {cells[email_at].strip().lower() for _, cells in table.rows if email_at is not None and cells[email_at]}
        if email_at is not None
        else set()
    )
    by_name, by_email = _by_name_and_email(session, names, emails)
    to_create: dict[str, dict[str, Any]] = {}
    rows: list[tuple[int, list[str]]] = []
    for line, cells in table.rows:
        if cells[ref_at] or not cells[name_at]:
            rows.append((line, cells))
            continue
        cells = list(cells)
        name = " ".join(cells[name_at].split())
        email = cells[email_at].strip().lower() if email_at is not None else ""
        known = by_name.get(folded(name)) or (by_email.get(email) if email else None)
        if known is not None:
            cells[ref_at] = known.ref
            result.linked += 1
        else:
            ref = generated_ref(name)
            cells[ref_at] = ref
            if kind != "customers" and ref not in to_create:
                currency = cells[currency_at].strip().upper() if currency_at is not None else ""
                to_create[ref] = {"ref": ref, "name": name[:200], "email": email or None, "currency": currency}
        rows.append((line, cells))
    if to_create and create:
        now = ctx.clock.now()
        from collectdesk.domain.codes import normalise_currency

        session.execute(
            insert(Customer),
            [
                {
                    **values,
                    "currency": normalise_currency(values["currency"]) or "USD" if values["currency"] else "USD",
                    "kind": "business",
                    "country": "US",
                    "terms_days": DEFAULT_TERMS,
                    "created_at": now,
                    "updated_at": now,
                }
                for values in to_create.values()
            ],
        )
    result.created = len(to_create)
    return RawTable(table.file, table.headings, rows)


def _refs_or_names(session: Session, table: RawTable) -> tuple[RawTable, int]:
    """A ``customer_ref`` column that holds names (as "Customer" often does): link them, create nothing."""
    at = table.headings.index("customer_ref")
    given = {" ".join(cells[at].split()) for _, cells in table.rows} - {""}
    known: set[str] = set()
    for part in chunks(sorted(given)):
        known.update(session.scalars(select(Customer.ref).where(Customer.ref.in_(part))))
    unknown = {folded(ref) for ref in given - known}
    if not unknown:
        return table, 0
    by_name, _ = _by_name_and_email(session, unknown, set())
    if not by_name:
        return table, 0
    rows: list[tuple[int, list[str]]] = []
    linked = 0
    for line, cells in table.rows:
        found = by_name.get(folded(cells[at])) if " ".join(cells[at].split()) not in known else None
        if found is not None:
            cells = [*cells[:at], found.ref, *cells[at + 1 :]]
            linked += 1
        rows.append((line, cells))
    return RawTable(table.file, table.headings, rows), linked


def _fill_due_dates(session: Session, table: RawTable, result: Resolution) -> RawTable:
    due_at, issue_at = _column(table, "due_date"), _column(table, "issue_date")
    if due_at is None or issue_at is None:
        return table
    terms_at, ref_at = _column(table, "terms_days"), _column(table, "customer_ref")
    missing = [cells for _, cells in table.rows if not cells[due_at] and cells[issue_at]]
    if not missing:
        return table
    refs = {cells[ref_at] for cells in missing} if ref_at is not None else set()
    customer_terms = _terms_of(session, refs)
    rows: list[tuple[int, list[str]]] = []
    for line, cells in table.rows:
        if not cells[due_at] and cells[issue_at]:
            cells = list(cells)
            given = cells[terms_at] if terms_at is not None else ""
            ref = cells[ref_at] if ref_at is not None else ""
            days = int(given) if given else customer_terms.get(ref, DEFAULT_TERMS)
            # An issue date that is not a date is named by the row check; no due date is made for it.
            with contextlib.suppress(ValueError):
                cells[due_at] = (date.fromisoformat(cells[issue_at]) + timedelta(days=days)).isoformat()
            result.due_from_terms += 1
        rows.append((line, cells))
    return RawTable(table.file, table.headings, rows)
