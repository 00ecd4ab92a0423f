"""Real exports from other products (``../shared/data/real`` beside the clone) import with their profile,
and the report's counts and totals match the files (skipped when the folder is absent)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import func, select

from collectdesk.services.context import AppContext
from collectdesk.services.importing import import_csv
from collectdesk.store.models import Customer, Invoice, Payment

# Beside the clone, as CI lays it out; COLLECTDESK_REAL_DATA points elsewhere (e.g. from a git worktree).
REAL = Path(os.environ.get("COLLECTDESK_REAL_DATA") or Path(__file__).resolve().parents[1].parent / "shared/data/real")
pytestmark = pytest.mark.skipif(not REAL.is_dir(), reason=f"{REAL} is not present")


def _count(ctx: AppContext, model: type[Customer] | type[Invoice] | type[Payment]) -> int:
    with ctx.db.session() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_invoice_ninja_clients_invoices_and_payments(ctx: AppContext) -> None:
    clients = import_csv(ctx, "customers", REAL / "invoiceninja/clients.csv")
    assert (clients.profile, clients.detected, clients.added) == ("Invoice Ninja", True, 20)
    with ctx.db.session() as session:
        ludwig = session.scalars(select(Customer).where(Customer.name == "Ludwig Krajcik DVM")).one()
        assert (ludwig.address_street, ludwig.address_city, ludwig.address_region) == (
            "371 O'Connell Summit, Suite 612",
            "Lornamouth",
            "New York",
        )
        assert ludwig.address_postal_code == "83425-0771"
    invoices = import_csv(ctx, "invoices", REAL / "invoiceninja/invoice.csv")
    assert (invoices.rows, invoices.added) == (401, 400)  # one invoice has two line rows
    assert invoices.totals == {"USD": 1_186_087}
    assert len(invoices.warnings) == 215  # due dates before the issue date, taken as the issue date
    assert _count(ctx, Customer) == 20  # every invoice linked to its client by name
    payments = import_csv(ctx, "payments", REAL / "invoiceninja/payments.csv")
    assert (payments.rows, payments.added) == (403, 401)  # two ($400.00) refunds set aside
    assert payments.totals == {"USD": 1_188_754}
    assert any("2 refunds" in note for note in payments.notes)
    again = import_csv(ctx, "payments", REAL / "invoiceninja/payments.csv")
    assert (again.added, again.unchanged) == (0, 401)
    with ctx.db.session() as session:
        paid = session.scalar(select(func.sum(Payment.amount)))
    assert paid == 1_188_754


def test_freshbooks_clients_and_line_item_invoices(ctx: AppContext) -> None:
    clients = import_csv(ctx, "customers", REAL / "freshbooks/freshbooks_clients.csv")
    assert (clients.profile, clients.added) == ("FreshBooks", 2)
    assert {w.column for w in clients.warnings} == {"Phone"}  # 867-5309 and 987654321 are not valid numbers
    invoices = import_csv(ctx, "invoices", REAL / "freshbooks/freshbooks_invoices.csv")
    assert (invoices.rows, invoices.added, invoices.created_customers) == (3, 1, 0)
    with ctx.db.session() as session:
        invoice = session.scalars(select(Invoice)).one()
    assert (invoice.number, invoice.amount, str(invoice.issue_date), str(invoice.due_date)) == (
        "0000001",
        789_000,
        "2021-01-28",
        "2021-02-27",  # no due date in the file: the customer's 30 days
    )


def test_wave_clients_and_general_ledger(ctx: AppContext) -> None:
    clients = import_csv(ctx, "customers", REAL / "wave/wave_clients.csv")
    assert (clients.profile, clients.added) == ("Wave", 4)
    with ctx.db.session() as session:
        jessica = session.scalars(select(Customer).where(Customer.name == "Jessica Jones")).one()
    assert (jessica.country, jessica.currency, jessica.address_street) == ("AU", "AUD", "6548 Sesame Street, Apt 4")
    invoices = import_csv(ctx, "invoices", REAL / "wave/wave_invoices.csv")
    assert invoices.added == 3 and invoices.totals == {"USD": 497_400, "BSD": 59_050, "AUD": 350_041}
    payments = import_csv(ctx, "payments", REAL / "wave/wave_invoices.csv")
    assert payments.added == 1 and payments.totals == {"BSD": 59_050}
    with ctx.db.session() as session:
        paid = session.scalars(select(Invoice).where(Invoice.number == "3")).one()
    assert (paid.open_amount, paid.status) == (0, "paid")


def test_zoho_contacts_terms_and_drafts_not_chased(ctx: AppContext) -> None:
    contacts = import_csv(ctx, "customers", REAL / "zoho/zoho_contacts.csv")
    assert contacts.added == 5
    with ctx.db.session() as session:
        terms = dict(session.execute(select(Customer.name, Customer.terms_days)).all())
        kinds = dict(session.execute(select(Customer.name, Customer.kind)).all())
    assert terms["Simpsons Baking Co"] == 30 and terms["Avengers"] == 0 and kinds["Defenders"] == "consumer"
    invoices = import_csv(ctx, "invoices", REAL / "zoho/zoho_invoices.csv")
    assert (invoices.rows, invoices.added) == (13, 0)
    assert "rows not imported as invoices to chase: 13 draft" in invoices.notes


def test_invoicely_invoice2go_and_xero(ctx: AppContext) -> None:
    clients = import_csv(ctx, "customers", REAL / "invoicely/invoicely_clients.csv")
    assert clients.added == 2
    invoicely = import_csv(ctx, "invoices", REAL / "invoicely/invoicely_invoices.csv")
    assert invoicely.totals == {"USD": 102_000}
    i2g = import_csv(ctx, "invoices", REAL / "invoice2go/i2g_invoices.csv")
    assert (i2g.encoding, i2g.added, i2g.created_customers) == ("UTF-8 with BOM", 4, 4)
    assert i2g.totals == {"ILS": 95_355, "USD": 51_030}
    xero = import_csv(ctx, "invoices", REAL / "xero/SalesInvoiceTemplate.Philipotieno-Invoice-API.csv")
    assert (xero.profile, xero.rows, xero.added) == ("Xero", 100, 99)  # Aerified's two lines of 93 are one
    assert xero.totals == {"USD": 23_227_800}
    with ctx.db.session() as session:
        sonair = session.scalars(select(Invoice).where(Invoice.number == "12")).first()
    assert sonair is not None and str(sonair.issue_date) == "2019-06-07"  # 7/6/2019 read day first
