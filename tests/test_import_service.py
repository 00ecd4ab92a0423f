"""Importing through the service: what lands in the database, re-imports, payments and dry runs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from collectdesk.services.context import AppContext
from collectdesk.services.importing import ImportFailed, import_csv
from collectdesk.store.models import Activity, Contact, Customer, PaymentAllocation, User
from importing_helpers import (
    CUSTOMERS,
    INVOICES,
    counts,
    invoices_by_number,
    load_base,
    write,
)


def test_customers_get_e164_phones_and_collectors(ctx: AppContext, tmp_path: Path) -> None:
    report = import_csv(ctx, "customers", write(tmp_path, "customers.csv", CUSTOMERS))
    assert (report.added, report.updated, report.unchanged) == (3, 0, 0)
    assert "added 2 collectors: Maya Patel, Tom Becker" in report.notes
    with ctx.db.session() as session:
        customers = {c.ref: c for c in session.scalars(select(Customer))}
        users = {u.name: u.role for u in session.scalars(select(User))}
        assert customers["C1"].phone == "+442079460123"
        assert customers["C2"].phone == "+12125550142"
        assert customers["C3"].phone == "+6493001234"
        assert customers["C2"].kind == "consumer" and customers["C2"].do_not_call
        assert customers["C2"].timezone == "America/New_York"
        assert customers["C1"].collector_id == customers["C3"].collector_id
        assert customers["C1"].terms_days == 30 and customers["C3"].currency == "NZD"
    assert users == {"tester": "supervisor", "Maya Patel": "collector", "Tom Becker": "collector"}


def test_reimporting_the_same_file_changes_nothing(ctx: AppContext, tmp_path: Path) -> None:
    load_base(ctx, tmp_path)
    before = counts(ctx)
    report = import_csv(ctx, "customers", tmp_path / "customers.csv")
    assert report.summary().endswith("0 added, 0 updated, 3 unchanged")
    report = import_csv(ctx, "invoices", tmp_path / "invoices.csv")
    assert (report.added, report.updated, report.unchanged) == (0, 0, 4)
    after = counts(ctx)
    assert after["activity"] == before["activity"] + 2  # one entry per import, nothing else
    assert {k: v for k, v in after.items() if k != "activity"} == {k: v for k, v in before.items() if k != "activity"}


def test_updated_file_updates_and_adds_without_duplicating(ctx: AppContext, tmp_path: Path) -> None:
    load_base(ctx, tmp_path)
    changed = (
        CUSTOMERS.replace("Harbour Joinery Ltd", "Harbour Joinery Limited")
        + "C4,New Co,business,AU,AUD,30,02 5550 1234,,,Aroha Ngata,,\n"
    )
    report = import_csv(ctx, "customers", write(tmp_path, "customers2.csv", changed))
    assert (report.added, report.updated, report.unchanged) == (1, 1, 2)
    with ctx.db.session() as session:
        names = {ref: name for ref, name in session.execute(select(Customer.ref, Customer.name))}
    assert names["C1"] == "Harbour Joinery Limited" and len(names) == 4


def test_absent_optional_columns_are_left_alone(ctx: AppContext, tmp_path: Path) -> None:
    load_base(ctx, tmp_path)
    names = write(tmp_path, "names.csv", "ref,name\nC2,Dana Whitfield\n")
    report = import_csv(ctx, "customers", names)
    assert report.unchanged == 1
    with ctx.db.session() as session:
        dana = session.scalars(select(Customer).where(Customer.ref == "C2")).one()
        assert dana.phone == "+12125550142" and dana.do_not_call and dana.kind == "consumer"


def test_accounting_export_headings_are_understood(ctx: AppContext, tmp_path: Path) -> None:
    import_csv(ctx, "customers", write(tmp_path, "customers.csv", CUSTOMERS))
    quickbooks = (
        'Customer,Invoice No.,Invoice Date,Due Date,Total,Memo\nC1,QB-100,2026-10-01,2026-10-31,"2,500.00",ignored\n'
    )
    report = import_csv(ctx, "invoices", write(tmp_path, "qb.csv", quickbooks))
    assert report.added == 1 and report.notes == ["ignored columns: Memo"]
    xero = (
        "AccountNumber;InvoiceNumber;InvoiceDate;DueDate;AmountDue;Currency Code\n"
        "C3;X-7;2026-11-01;2026-11-21;99.00;NZD\n"
    )
    assert import_csv(ctx, "invoices", write(tmp_path, "xero.csv", xero)).added == 1
    invoices = invoices_by_number(ctx)
    assert invoices["QB-100"]["amount"] == 250_000 and invoices["X-7"]["currency"] == "NZD"


def test_contacts_are_keyed_by_customer_and_name(ctx: AppContext, tmp_path: Path) -> None:
    load_base(ctx, tmp_path)
    text = (
        "customer_ref,name,role,phone,email\n"
        "C1,Priya Shah,Accounts payable,07911 123456,priya@harbour.example\n"
        "C3,Wiremu Tane,Owner,021 123 4567,\n"
    )
    assert import_csv(ctx, "contacts", write(tmp_path, "contacts.csv", text)).added == 2
    updated = text.replace("Accounts payable", "Finance manager")
    report = import_csv(ctx, "contacts", write(tmp_path, "contacts2.csv", updated))
    assert (report.added, report.updated, report.unchanged) == (0, 1, 1)
    with ctx.db.session() as session:
        contacts = {c.name: c for c in session.scalars(select(Contact))}
    assert contacts["Priya Shah"].role == "Finance manager"
    assert contacts["Priya Shah"].phone == "+447911123456"
    assert contacts["Wiremu Tane"].phone == "+64211234567"


PAYMENTS = """customer_ref,amount,received_on,invoice_number,method,reference
C1,500.00,2026-11-01,INV-2,bank transfer,R1
C1,1100.00,2026-11-10,,bank transfer,R2
C2,40.00,2026-11-12,,card,
"""


def test_payments_apply_named_invoice_first_then_oldest(ctx: AppContext, tmp_path: Path) -> None:
    load_base(ctx, tmp_path)
    report = import_csv(ctx, "payments", write(tmp_path, "payments.csv", PAYMENTS))
    assert report.added == 3
    invoices = invoices_by_number(ctx)
    # £500 → INV-2 (£300, named) then INV-1 (£200); £1,100 → INV-1's remaining £1,000, then INV-3.
    assert invoices["INV-2"]["open_amount"] == 0
    assert invoices["INV-2"]["paid_on"] == date(2026, 11, 1)
    assert invoices["INV-1"]["status"] == "paid"
    assert invoices["INV-1"]["paid_on"] == date(2026, 11, 10)
    assert invoices["INV-3"]["open_amount"] == 45_050 - 10_000
    assert invoices["INV-3"]["status"] == "open" and invoices["INV-3"]["paid_on"] is None
    assert invoices["INV-4"]["open_amount"] == 9_999 - 4_000
    with ctx.db.session() as session:
        query = select(Activity.summary).where(Activity.kind == "payment")
        payment_entries = list(session.scalars(query))
        assert any("INV-2 (£300.00), INV-1 (£200.00)" in s for s in payment_entries)


def test_overpayment_is_kept_as_credit_and_never_overpays(ctx: AppContext, tmp_path: Path) -> None:
    load_base(ctx, tmp_path)
    text = "customer_ref,amount,received_on,reference\nC2,150.00,2026-11-12,CHK 5512\n"
    report = import_csv(ctx, "payments", write(tmp_path, "over.csv", text))
    assert any("$50.01 kept as unapplied credit (C2)" in note for note in report.notes)
    invoices = invoices_by_number(ctx)
    assert invoices["INV-4"]["open_amount"] == 0 and invoices["INV-4"]["status"] == "paid"
    with ctx.db.session() as session:
        assert session.scalar(select(PaymentAllocation.amount)) == 9_999


def test_reimporting_payments_never_applies_them_twice(ctx: AppContext, tmp_path: Path) -> None:
    load_base(ctx, tmp_path)
    path = write(tmp_path, "payments.csv", PAYMENTS)
    import_csv(ctx, "payments", path)
    first = invoices_by_number(ctx)
    report = import_csv(ctx, "payments", path)
    assert report.summary().endswith("0 added, 0 updated, 3 unchanged")
    assert invoices_by_number(ctx) == first
    changed_method = PAYMENTS.replace("card", "cash")
    report = import_csv(ctx, "payments", write(tmp_path, "payments2.csv", changed_method))
    assert (report.added, report.updated, report.unchanged) == (0, 1, 2)


def test_invoice_amount_change_keeps_payments(ctx: AppContext, tmp_path: Path) -> None:
    load_base(ctx, tmp_path)
    import_csv(ctx, "payments", write(tmp_path, "p.csv", "customer_ref,amount,received_on\nC2,40.00,2026-11-12\n"))
    import_csv(ctx, "invoices", write(tmp_path, "i.csv", INVOICES.replace("99.99", "140.00")))
    assert invoices_by_number(ctx)["INV-4"]["open_amount"] == 10_000
    with pytest.raises(ImportFailed) as failure:
        import_csv(ctx, "invoices", write(tmp_path, "i2.csv", INVOICES.replace("99.99", "30.00")))
    assert "payments of $40.00 are already applied" in str(failure.value)
    assert invoices_by_number(ctx)["INV-4"]["amount"] == 14_000


def test_dry_run_reports_and_writes_nothing(ctx: AppContext, tmp_path: Path) -> None:
    before = counts(ctx)
    report = import_csv(ctx, "customers", write(tmp_path, "customers.csv", CUSTOMERS), dry_run=True)
    assert (report.added, report.dry_run) == (3, True)
    assert "would add 2 collectors: Maya Patel, Tom Becker" in report.notes
    assert "dry run" in report.summary()
    assert counts(ctx) == before


def test_every_import_logs_one_activity_entry(ctx: AppContext, tmp_path: Path) -> None:
    load_base(ctx, tmp_path)
    with ctx.db.session() as session:
        entries = session.scalars(select(Activity).where(Activity.kind == "import").order_by(Activity.id)).all()
    assert [e.details["kind"] for e in entries if e.details] == ["customers", "invoices"]
    # Besides what the user is told, an invoices entry keeps how to know the same file again.
    assert {key: value for key, value in entries[1].details.items() if key != "reimport"} == {
        "kind": "invoices",
        "file": "invoices.csv",
        "rows": 4,
        "added": 4,
        "updated": 0,
        "unchanged": 0,
        "notes": [],
    }
    assert entries[1].user_id == ctx.user.id


def test_foreign_keys_are_checked_again_after_an_import(ctx: AppContext, tmp_path: Path) -> None:
    # A large file is written without per-row foreign key checks; the desk's writes after it are checked.
    load_base(ctx, tmp_path)
    import_csv(ctx, "payments", write(tmp_path, "payments.csv", PAYMENTS))
    with pytest.raises(IntegrityError), ctx.db.session() as session:
        session.execute(insert(PaymentAllocation).values(payment_id=10**9, invoice_id=10**9, amount=1))
    with ctx.db.session() as session:
        assert session.scalar(select(func.count()).select_from(PaymentAllocation)) == 5
