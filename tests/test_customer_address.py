"""The billing address kept on a customer is shown in the account panel's header (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from account_factory import add_customer
from collectdesk.services.accounts import account_detail
from collectdesk.services.context import AppContext
from collectdesk.services.importing import import_csv
from collectdesk.store.models import Customer
from collectdesk.tui.panel import header_text
from importing_helpers import write


def customer_id_of(ctx: AppContext, ref: str) -> int:
    """The id of the customer with ``ref``."""
    with ctx.db.session() as session:
        return session.scalars(select(Customer.id).where(Customer.ref == ref)).one()


def test_address_is_shown_on_one_line(ctx: AppContext) -> None:
    customer_id = add_customer(
        ctx,
        "A1",
        address_street="6548 Sesame Street\nApt 4",
        address_city="Brisbane",
        address_region="Queensland",
        address_postal_code="04000",
    )
    detail = account_detail(ctx, customer_id)
    assert detail.address == "6548 Sesame Street Apt 4, Brisbane Queensland 04000"
    assert "✉ 6548 Sesame Street Apt 4, Brisbane Queensland 04000" in header_text(detail).plain


def test_no_address_line_without_an_address(ctx: AppContext) -> None:
    detail = account_detail(ctx, add_customer(ctx, "A2"))
    assert detail.address is None
    assert "✉" not in header_text(detail).plain


def test_canonical_address_columns_are_imported(ctx: AppContext, tmp_path: Path) -> None:
    csv = (
        "ref,name,country,currency,address_street,address_city,address_region,address_postal_code\n"
        "A3,Acme Ltd,GB,GBP,1 High St,London,,SW1A 1AA\n"
    )
    report = import_csv(ctx, "customers", write(tmp_path, "customers.csv", csv))
    assert not any("ignored columns" in note for note in report.notes)
    detail = account_detail(ctx, customer_id_of(ctx, "A3"))
    assert detail.address == "1 High St, London SW1A 1AA"
