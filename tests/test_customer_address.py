"""The billing address kept on a customer is shown in the account panel's header (SQLite and PostgreSQL)."""

from __future__ import annotations

from account_factory import add_customer
from collectdesk.services.accounts import account_detail
from collectdesk.services.context import AppContext
from collectdesk.tui.panel import header_text


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
