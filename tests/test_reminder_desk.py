"""Reminders from the desk: the next one previewed and sent, a chosen template, a promise confirmation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from account_factory import TODAY, add_promise
from collectdesk.domain.clock import Clock
from collectdesk.domain.errors import InputError
from collectdesk.services.context import AppContext
from collectdesk.services.interest import account_interest
from collectdesk.services.reminder_desk import chosen_template, next_reminder, promise_confirmation, send_now
from collectdesk.services.reminder_plan import plan_reminders
from collectdesk.services.reminders import send_reminders
from collectdesk.store.models import Customer
from mail_server import SmtpServer
from reminder_fixtures import open_as, reminder_settings, uk_account


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def rctx(db_url: str, frozen_clock: Clock, tmp_path: Path, smtp: SmtpServer) -> Iterator[AppContext]:
    context = open_as(db_url, reminder_settings(tmp_path / "outbox", smtp.port), frozen_clock)
    yield context
    context.close()


def test_next_reminder_previews_then_sends_and_the_schedule_does_not_repeat_it(
    rctx: AppContext, smtp: SmtpServer
) -> None:
    customer = uk_account(rctx)
    item = next_reminder(rctx, customer)
    assert item is not None and item.template == "overdue_reminder"
    assert "UK1-INV-1" in item.rendered.email_body and item.recipient == "hamish@uk1.example"
    assert smtp.inbox.messages == []  # a preview sends nothing
    assert send_now(rctx, item).outcome == "sent"
    assert len(smtp.inbox.messages) == 1
    assert next_reminder(rctx, customer) is None
    assert send_reminders(rctx).results == []


def test_a_chosen_template_is_sent_and_counts_as_the_days_message(rctx: AppContext, smtp: SmtpServer) -> None:
    customer = uk_account(rctx)
    item = chosen_template(rctx, customer, "overdue_legal")
    assert item.rendered.subject.startswith("Formal notice")
    send_now(rctx, item)
    assert plan_reminders(rctx).skipped[0].reason.endswith("already written to today")
    assert smtp.inbox.messages[0]["Subject"] == "Formal notice: £2,500.00 overdue on account UK1"


def test_a_chosen_template_is_refused_where_nothing_may_be_sent(rctx: AppContext) -> None:
    customer = uk_account(rctx)
    with rctx.db.session() as session:
        session.execute(update(Customer).where(Customer.id == customer).values(cease_contact=True))
    with pytest.raises(InputError, match="cease contact"):
        chosen_template(rctx, customer, "overdue_reminder")
    with pytest.raises(InputError, match="unknown template"):
        chosen_template(rctx, uk_account(rctx, "UK2"), "shouting")
    with pytest.raises(InputError, match="needs a promise"):
        chosen_template(rctx, uk_account(rctx, "UK3"), "promise_confirmation")


def test_promise_confirmation_is_sent_once(rctx: AppContext, smtp: SmtpServer) -> None:
    customer = uk_account(rctx)
    promise = add_promise(rctx, customer, promised_on=TODAY + timedelta(days=5), amount=70_000)
    item = promise_confirmation(rctx, promise)
    assert item is not None
    assert item.rendered.subject == "Confirming your payment of $700.00 by 2026-11-28"
    assert send_now(rctx, item).outcome == "sent"
    assert promise_confirmation(rctx, promise) is None
    assert send_reminders(rctx).results == []
    assert len(smtp.inbox.messages) == 1


def test_account_interest_for_the_panel(rctx: AppContext) -> None:
    business = uk_account(rctx, "BIZ", days_past_due=30)
    consumer = uk_account(rctx, "CON", days_past_due=30, kind="consumer")
    claim = account_interest(rctx, business)
    # £2,500.00, 30 days late at 3.75 % + 8: 2,500 × 11.75 % × 30 / 365 = £24.14; £70 compensation
    assert claim is not None and (claim.interest, claim.compensation) == (2_414, 7_000)
    assert account_interest(rctx, consumer) is None
    assert (claim.invoices[0].late_from, claim.invoices[0].reference_date) == (date(2026, 10, 25), date(2026, 6, 30))


def test_the_account_panel_shows_statutory_interest_and_pauses(rctx: AppContext) -> None:
    from collectdesk.services.accounts import account_detail
    from collectdesk.services.pauses import pause_reminders
    from collectdesk.tui.panel import header_text, invoices_text

    business = uk_account(rctx, "BIZ", days_past_due=30)
    pause_reminders(rctx, "BIZ", until=date(2026, 12, 10), reason="owner in hospital")
    detail = account_detail(rctx, business)
    invoices = invoices_text(detail).plain
    (line,) = [row for row in invoices.splitlines() if "BIZ-INV-1" in row]
    assert line.endswith("§£24.14+£70")
    assert invoices.startswith("§ UK late payment 1998: £24.14 interest + £70.00 compensation\n")
    assert "⏸ reminders paused until 2026-12-10: owner in hospital" in header_text(detail).plain
    consumer = account_detail(rctx, uk_account(rctx, "CON", days_past_due=30, kind="consumer"))
    assert consumer.statutory is None and "§" not in invoices_text(consumer).plain + header_text(consumer).plain
