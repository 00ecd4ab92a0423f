"""Helpers that put customers, contacts, invoices and payments into a test database."""

from __future__ import annotations

from datetime import UTC, date, datetime
from itertools import count
from typing import Any

from sqlalchemy import insert

from collectdesk.services.context import AppContext
from collectdesk.store.models import Contact, Customer, Invoice, Payment, PaymentAllocation

_keys = count(1)
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def add_customer(ctx: AppContext, **fields: Any) -> int:
    """A customer (a US business in New York unless told otherwise); returns its id."""
    values: dict[str, Any] = {
        "ref": f"C{next(_keys)}",
        "name": "Acme Corp",
        "kind": "business",
        "country": "US",
        "currency": "USD",
        "phone": "+12125550100",
        "created_at": NOW,
        "updated_at": NOW,
    }
    values.update(fields)
    with ctx.db.session() as session:
        customer = Customer(**values)
        session.add(customer)
        session.flush()
        return customer.id


def add_contact(ctx: AppContext, customer_id: int, **fields: Any) -> int:
    """A contact of the customer; returns its id."""
    values: dict[str, Any] = {
        "customer_id": customer_id,
        "name": f"Pat {next(_keys)}",
        "phone": "+12125550111",
        "created_at": NOW,
    }
    values.update(fields)
    with ctx.db.session() as session:
        contact = Contact(**values)
        session.add(contact)
        session.flush()
        return contact.id


def add_invoice(
    ctx: AppContext,
    customer_id: int,
    amount: int,
    *,
    due: date = date(2026, 10, 1),
    open_amount: int | None = None,
    status: str = "open",
) -> int:
    """An invoice issued 30 days before it fell due; returns its id."""
    with ctx.db.session() as session:
        invoice = Invoice(
            customer_id=customer_id,
            number=f"INV-{next(_keys)}",
            issue_date=date.fromordinal(due.toordinal() - 30),
            due_date=due,
            amount=amount,
            currency="USD",
            open_amount=amount if open_amount is None else open_amount,
            status=status,
            created_at=NOW,
        )
        session.add(invoice)
        session.flush()
        return invoice.id


def add_payment(
    ctx: AppContext, customer_id: int, amount: int, received_on: date, allocations: dict[int, int] | None = None
) -> int:
    """A payment, applied to invoices as given (and their open amounts reduced); returns its id."""
    with ctx.db.session() as session:
        payment = Payment(
            customer_id=customer_id,
            amount=amount,
            currency="USD",
            received_on=received_on,
            import_key=f"P{next(_keys)}",
            created_at=NOW,
        )
        session.add(payment)
        session.flush()
        for invoice_id, part in (allocations or {}).items():
            session.execute(insert(PaymentAllocation).values(payment_id=payment.id, invoice_id=invoice_id, amount=part))
            invoice = session.get(Invoice, invoice_id)
            assert invoice is not None
            invoice.open_amount -= part
        return payment.id
