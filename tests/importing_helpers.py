"""Small helpers the import tests share: writing CSV files and reading back what was stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from collectdesk.domain.clock import Clock
from collectdesk.services.context import AppContext, open_context
from collectdesk.services.importing import import_csv
from collectdesk.settings import Settings
from collectdesk.store.account_facts import FACT_COLUMNS, stale_facts
from collectdesk.store.models import (
    Activity,
    AllocationTotal,
    Contact,
    Customer,
    Invoice,
    InvoiceTotal,
    Payment,
    PaymentAllocation,
    User,
)
from conftest import _reset_postgres

CUSTOMERS = """\
ref,name,kind,country,currency,terms_days,phone,email,timezone,collector,sales_rep,do_not_call
C1,Harbour Joinery Ltd,business,GB,GBP,30,020 7946 0123,ap@harbour.example,,Maya Patel,Rob Kent,no
C2,Dana Whitfield,consumer,US,USD,14,(212) 555-0142,,America/New_York,Tom Becker,,yes
C3,Kauri Build NZ,business,NZ,NZD,20,09 300 1234,,,Maya Patel,,
"""

INVOICES = """customer_ref,number,issue_date,due_date,amount,currency
C1,INV-1,2026-08-01,2026-08-31,"1,200.00",GBP
C1,INV-2,2026-09-01,2026-10-01,300.00,GBP
C1,INV-3,2026-10-01,2026-10-31,450.50,
C2,INV-4,2026-10-01,2026-10-15,99.99,USD
"""


def write(directory: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    """Write ``text`` as a file and return its path."""
    path = directory / name
    path.write_bytes(text.encode(encoding))
    return path


def load_base(ctx: AppContext, directory: Path, invoices: str = INVOICES) -> None:
    """Import the three customers and their invoices."""
    import_csv(ctx, "customers", write(directory, "customers.csv", CUSTOMERS))
    import_csv(ctx, "invoices", write(directory, "invoices.csv", invoices))


def counts(ctx: AppContext) -> dict[str, int]:
    """Rows in every table an import writes to."""
    with ctx.db.session() as session:
        return {
            model.__tablename__: session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Customer, Contact, Invoice, Payment, User, Activity)
        }


def invoices_by_number(ctx: AppContext) -> dict[str, dict[str, Any]]:
    """Every invoice's stored state, by number."""
    with ctx.db.session() as session:
        rows = session.execute(
            select(
                Invoice.number,
                Invoice.amount,
                Invoice.open_amount,
                Invoice.status,
                Invoice.paid_on,
                Invoice.due_date,
                Invoice.currency,
            )
        ).mappings()
        return {row["number"]: dict(row) for row in rows}


def payment_books(ctx: AppContext) -> dict[str, Any]:
    """Everything a payments import writes, without the ids a load happens to hand out."""
    with ctx.db.session() as session:
        facts = [getattr(Customer, column) for column in FACT_COLUMNS]
        allocations = select(Payment.import_key, Invoice.number, PaymentAllocation.amount).join_from(
            PaymentAllocation, Payment, Payment.id == PaymentAllocation.payment_id
        )
        allocations = allocations.join(Invoice, Invoice.id == PaymentAllocation.invoice_id)
        activity = select(Activity.at, Activity.kind, Activity.summary, Activity.details, Customer.ref).join(
            Customer, Customer.id == Activity.customer_id
        )
        return {
            "invoices": session.execute(
                select(Invoice.number, Invoice.open_amount, Invoice.status, Invoice.paid_on).order_by(Invoice.number)
            ).all(),
            "facts": session.execute(select(Customer.ref, *facts).order_by(Customer.ref)).all(),
            "allocations": sorted(session.execute(allocations).all()),
            "activity": sorted(session.execute(activity.where(Activity.kind == "payment")).all(), key=repr),
            "payments": sorted(
                session.execute(select(Payment.import_key, Payment.amount, Payment.currency, Payment.method)).all()
            ),
            "allocation_totals": sorted(session.execute(select(AllocationTotal.__table__)).all()),
            "invoice_totals": sorted(session.execute(select(InvoiceTotal.__table__)).all()),
            "stale": stale_facts(session),
        }


def fresh_books(url: str, clock: Clock, directory: Path, customers: str, invoices: str) -> AppContext:
    """A context on an emptied database (``url``) holding these customers and invoices; the caller closes it."""
    if url.startswith("postgresql"):
        _reset_postgres(url)
    ctx = open_context(db_url=url, user_name="tester", settings=Settings(), clock=clock, default_role="supervisor")
    import_csv(ctx, "customers", write(directory, "customers.csv", customers))
    import_csv(ctx, "invoices", write(directory, "invoices.csv", invoices))
    return ctx
