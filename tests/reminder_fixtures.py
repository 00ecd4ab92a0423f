"""Accounts and settings for the reminder tests: UK and US businesses with contacts who have email."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import insert

from account_factory import NOW, add_customer, add_invoice
from collectdesk.domain.clock import Clock
from collectdesk.services.context import AppContext, open_context
from collectdesk.settings import MailSettings, ReminderRules, Settings
from collectdesk.store.models import Contact


def reminder_settings(outbox: Path, smtp_port: int | None = None, **mail: object) -> Settings:
    """Settings sending to a local SMTP server (or the outbox when no port is given)."""
    mail_settings = (
        MailSettings(host="127.0.0.1", port=smtp_port, security="none", sender="ar@example.test", **mail)
        if smtp_port
        else MailSettings(sender="ar@example.test")
    )
    return Settings(reminders=ReminderRules(outbox=outbox), mail=mail_settings)


def open_as(db_url: str, settings: Settings, clock: Clock, user: str = "tester") -> AppContext:
    """A supervisor's context on the test database with these settings."""
    return open_context(db_url=db_url, user_name=user, settings=settings, clock=clock, default_role="supervisor")


def add_contact(
    ctx: AppContext, customer_id: int, name: str, email: str | None, role: str = "Accounts payable"
) -> None:
    """A contact at the customer."""
    with ctx.db.session() as session:
        session.execute(
            insert(Contact),
            [{"customer_id": customer_id, "name": name, "role": role, "email": email, "created_at": NOW}],
        )


def uk_account(ctx: AppContext, ref: str = "UK1", *, days_past_due: int = 8, **fields: object) -> int:
    """A UK business owing £2,500.00 on one invoice, with an AP contact who has email."""
    customer = add_customer(
        ctx, ref, name=f"{ref} Joinery Ltd", country="GB", currency="GBP", sales_rep="Hugh Barlow", **fields
    )
    add_invoice(ctx, customer, days_past_due=days_past_due, amount=250_000, number=f"{ref}-INV-1", currency="GBP")
    add_contact(ctx, customer, "Hamish Jessup", f"hamish@{ref.lower()}.example")
    return customer
