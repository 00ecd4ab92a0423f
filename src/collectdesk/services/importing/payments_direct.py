"""Payments settled in SQL: when each of a customer's new payments names an invoice that takes all
the payments naming it (nothing paid on it outside collectdesk, not written off), every payment
lands whole on its invoice whatever order they are applied in, so their allocations, balances,
totals and timeline entries are worked out set-based instead of customer by customer in Python."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Cast, Connection, Integer, Table, func, insert, literal, select

from collectdesk.domain.invoice_status import PAID, WRITTEN_OFF
from collectdesk.services.importing.payments import APPLIED_TO_ONE
from collectdesk.services.importing.payments_stages import (
    APPLIED,
    BALANCES,
    DIRECT,
    NAMED,
    NOONS,
    PARTS,
    SETTLED,
    STAGE,
)
from collectdesk.store.bulk import row_count
from collectdesk.store.import_stage import create_stage, drop_stage, load_stage
from collectdesk.store.models import Activity, Invoice, Payment
from collectdesk.store.sql_text import amount_text, formatted, json_array_of, json_object_of, text_literal
from collectdesk.store.totals_delta import TotalsDelta

_INVOICES = cast(Table, Invoice.__table__)
_PAYMENTS = cast(Table, Payment.__table__)
_ACTIVITY = cast(Table, Activity.__table__)
# What the new payments bring to each invoice they name (and, under no number, to none).
_NAMED = (
    f"INSERT INTO {NAMED.name} (customer_id, invoice_number, paid, last_received, payments) "
    "SELECT customer_id, invoice_number, sum(amount), max(received_on), count(*) "
    f"FROM {STAGE.name} WHERE new = 1 GROUP BY customer_id, invoice_number"
)
# The invoices that take all of that: open enough, nothing paid on them outside collectdesk (a
# payment naming one would settle that first), not written off. ``{join}``: see ``_join``.
_DIRECT = (
    f"INSERT INTO {DIRECT.name} (invoice_id, customer_id, invoice_number, paid, last_received, payments, "
    "currency, issue_date, due_date, open_amount, status) "
    "SELECT i.id, i.customer_id, i.number, n.paid, n.last_received, n.payments, "
    "i.currency, i.issue_date, i.due_date, i.open_amount, i.status "
    f"FROM invoices i {{join}} {NAMED.name} n ON n.customer_id = i.customer_id AND n.invoice_number = i.number "
    f"LEFT JOIN {APPLIED.name} a ON a.invoice_id = i.id "
    "WHERE n.paid <= i.open_amount AND i.amount - i.open_amount - coalesce(a.applied, 0) <= 0 "
    f"AND i.status <> '{WRITTEN_OFF}'"
)
# The customers all of whose new payments are on those invoices; the others' invoices are left out.
_SETTLED = (
    f"INSERT INTO {SETTLED.name} (customer_id) SELECT n.customer_id "
    f"FROM (SELECT customer_id, sum(payments) AS payments FROM {NAMED.name} GROUP BY customer_id) n "
    f"JOIN (SELECT customer_id, sum(payments) AS payments FROM {DIRECT.name} GROUP BY customer_id) d "
    "ON d.customer_id = n.customer_id WHERE d.payments = n.payments"
)
_UNSETTLED = f"DELETE FROM {DIRECT.name} WHERE customer_id NOT IN (SELECT customer_id FROM {SETTLED.name})"
# Each settled payment whole on its invoice, keyed as the allocation totals count it.
_PARTS = (
    f"INSERT INTO {PARTS.name} (payment_id, invoice_id, amount, received_on, currency, issue_date, due_date, counted) "
    "SELECT p.id, d.invoice_id, p.amount, p.received_on, d.currency, d.issue_date, d.due_date, 1 "
    f"FROM {{payments}} {{join}} {DIRECT.name} d "
    "ON d.customer_id = p.customer_id AND d.invoice_number = p.invoice_number ORDER BY p.id"
)
_BALANCES = (
    f"INSERT INTO {BALANCES.name} (invoice_id, open_amount, status, paid_on) "
    f"SELECT invoice_id, open_amount - paid, CASE WHEN open_amount = paid THEN '{PAID}' ELSE status END, "
    f"CASE WHEN open_amount = paid THEN last_received END FROM {DIRECT.name}"
)
# Each invoice's share of the invoice totals: one fewer open when paid off, its open amount less.
_TOTALS = (
    "SELECT currency, issue_date, due_date, -sum(CASE WHEN open_amount = paid THEN 1 ELSE 0 END), -sum(paid) "
    f"FROM {DIRECT.name} GROUP BY currency, issue_date, due_date"
)


@dataclass(frozen=True)
class Settled:
    """The customers whose new payments were settled in SQL, and how many payments that was."""

    customers: frozenset[int]
    payments: int


def _join(connection: Connection, large: bool = True) -> str:
    """How a large table is joined to a staged one: on SQLite (which takes the tables in the order
    written after ``CROSS JOIN``) the large table read once in order and the staged rows looked
    up, not a look-up all over the file for each staged row; PostgreSQL plans that itself."""
    return "CROSS JOIN" if large and connection.dialect.name == "sqlite" else "JOIN"


def _new_payments(stored_after: int | None) -> str:
    """The payments this import stored, as ``p`` (on SQLite: those numbered after ``stored_after``)."""
    if stored_after is not None:
        return f"(SELECT * FROM payments WHERE id > {int(stored_after)}) p"
    return (
        f"(SELECT payments.* FROM payments JOIN {STAGE.name} s ON s.customer_id = payments.customer_id "
        "AND s.import_key = payments.import_key AND s.new = 1) p"
    )


def _stage_direct(connection: Connection) -> None:
    """Stage the invoices taking the new payments that name them, and the customers all of whose
    new payments are on those invoices (the other customers' invoices left out)."""
    connection.exec_driver_sql(_NAMED)
    connection.exec_driver_sql(f"CREATE INDEX {NAMED.name}_key ON {NAMED.name} (customer_id, invoice_number)")
    named = row_count(connection, NAMED)
    # For a few payments, a look-up per invoice named is cheaper than reading every invoice.
    many = 8 * named >= row_count(connection, _INVOICES)
    connection.exec_driver_sql(_DIRECT.format(join=_join(connection, many)))
    connection.exec_driver_sql(_SETTLED)
    connection.exec_driver_sql(_UNSETTLED)


def _stage_noons(connection: Connection, noon: Callable[[Any], Any]) -> None:
    """When payments received on each day of the file show on the timeline."""
    days = connection.exec_driver_sql(f"SELECT DISTINCT received_on FROM {STAGE.name} WHERE new = 1").all()
    load_stage(connection, NOONS, [(day, noon(day)) for (day,) in days])


def _write_timeline(connection: Connection, user_id: int | None) -> None:
    """A timeline entry for each settled payment, as the writer words it for a payment all on one invoice."""
    x, p, at = PARTS.c, _PAYMENTS.c, NOONS.c
    currencies = connection.execute(select(STAGE.c.currency).distinct()).scalars().all()
    shown = amount_text(p.amount, p.currency, currencies)
    details = json_object_of(
        ("amount", p.amount),
        ("currency", p.currency),
        ("received_on", p.received_on),
        ("reference", p.reference),
        ("method", p.method),
        ("unapplied", literal(0, Integer())),
        ("allocations", json_array_of(json_array_of(p.invoice_number, p.amount))),
    )
    words = formatted(APPLIED_TO_ONE, {"amount": shown, "day": p.received_on, "number": p.invoice_number})
    entries = (
        select(
            at.at,
            text_literal("payment"),
            func.substr(words, 1, 500),
            p.customer_id,
            Cast(literal(user_id), Integer()),
            details,
        )
        # In the order of PARTS, which holds them in the order they were stored.
        .select_from(PARTS.join(_PAYMENTS, p.id == x.payment_id).join(NOONS, at.received_on == p.received_on))
    )
    columns = ["at", "kind", "summary", "customer_id", "user_id", "details"]
    connection.execute(insert(_ACTIVITY).from_select(columns, entries))


def settle_direct(
    connection: Connection,
    user_id: int | None,
    noon: Callable[[Any], Any],
    totals: TotalsDelta | None,
    stored_after: int | None,
) -> Settled:
    """Settle in SQL the new payments (already stored) of every customer whose payments all land
    whole on the invoice they name: their allocations and balances staged in PARTS and BALANCES
    like the writer's, their timeline entries written and (``totals``) their share of the invoice
    totals added; those customers listed in SETTLED (which the caller made). The payments of the
    other customers are left to the writer."""
    for stage in (NAMED, DIRECT):
        create_stage(connection, stage)
    try:
        _stage_direct(connection)
        customers = frozenset(connection.execute(select(SETTLED.c.customer_id)).scalars())
        if not customers:
            return Settled(customers, 0)
        connection.exec_driver_sql(f"CREATE INDEX {DIRECT.name}_key ON {DIRECT.name} (customer_id, invoice_number)")
        connection.exec_driver_sql(_PARTS.format(payments=_new_payments(stored_after), join=_join(connection)))
        connection.exec_driver_sql(_BALANCES)
        if totals is not None:
            for currency, issue, due, opened, open_amount in connection.exec_driver_sql(_TOTALS):
                # PostgreSQL sums integers as numeric.
                totals.add_sums((currency, issue, due), int(opened), int(open_amount), 0)
        create_stage(connection, NOONS)
        _stage_noons(connection, noon)
        _write_timeline(connection, user_id)
        drop_stage(connection, NOONS)
        return Settled(customers, row_count(connection, PARTS))
    finally:
        for stage in (NAMED, DIRECT):
            drop_stage(connection, stage)
