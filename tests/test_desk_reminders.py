"""Reminders from the desk: m previews and sends, p pauses, a PTP close offers the confirmation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import update
from textual.widgets import Static

from collectdesk.domain.clock import Clock
from collectdesk.services.context import AppContext
from collectdesk.store.models import Customer
from collectdesk.tui.next_action import NextActionDialog
from collectdesk.tui.reminder_dialog import PauseDialog, ReminderDialog
from desk_data import Portfolio, build_portfolio
from mail_server import SmtpServer
from reminder_fixtures import open_as, reminder_settings
from test_desk import SIZE, make_app, notifications, open_promise_dialog, ready, type_into, wait_for


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def desk(
    sqlite_url: str, frozen_clock: Clock, tmp_path: Path, smtp: SmtpServer
) -> Iterator[tuple[AppContext, Portfolio]]:
    """The desk's test portfolio, every account with an email address, mail to a local server."""
    ctx = open_as(sqlite_url, reminder_settings(tmp_path / "outbox", smtp.port), frozen_clock)
    built = build_portfolio(ctx)
    with ctx.db.session() as session:
        for ref, customer_id in built.customers.items():
            session.execute(
                update(Customer).where(Customer.id == customer_id).values(email=f"ap@{ref.lower()}.example")
            )
    yield ctx, built
    ctx.close()


async def test_m_previews_the_next_reminder_and_enter_sends_it(desk, smtp: SmtpServer) -> None:
    ctx, _ = desk
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        shown = app.desk.detail
        assert shown is not None
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, ReminderDialog))
        preview = str(app.screen.query_one("#reminder-preview", Static).render())
        assert f"To: ap@{shown.ref.lower()}.example" in preview
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is app.desk)
        await wait_for(pilot, lambda: len(smtp.inbox.messages) == 1)
        assert "emailed" in notifications(app)
        await wait_for(
            pilot, lambda: app.desk.detail is not None and any(h.kind == "reminder" for h in app.desk.detail.history)
        )
    assert smtp.inbox.messages[0]["To"] == f"ap@{shown.ref.lower()}.example"


async def test_p_pauses_the_accounts_reminders(desk) -> None:
    ctx, _ = desk
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await pilot.press("p")
        await wait_for(pilot, lambda: isinstance(app.screen, PauseDialog))
        await pilot.press("+", "7", "enter", *"waiting for PO", "enter")
        await wait_for(pilot, lambda: app.screen is app.desk)
        await wait_for(pilot, lambda: app.desk.detail is not None and bool(app.desk.detail.reminder_pauses))
        header = str(app.desk.query_one("#account-header", Static).render())
        assert "paused until 2026-11-30: waiting for PO" in header


async def _close_a_ptp_call(pilot, app) -> None:
    """Take a $1,234.56 promise for 2026-11-30 on Acme (C001) and close the call."""
    await open_promise_dialog(pilot, app)
    await type_into(pilot, app, "promised_on", "2026-11-30")
    await type_into(pilot, app, "amount", "1,234.56")
    await pilot.press("enter")
    await wait_for(pilot, lambda: isinstance(app.screen, NextActionDialog))
    await wait_for(pilot, lambda: app.screen.proposed is not None)
    await pilot.press("enter")


async def test_closing_a_ptp_call_offers_the_promise_confirmation(desk, smtp: SmtpServer) -> None:
    ctx, built = desk
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _close_a_ptp_call(pilot, app)
        # Straight after the close, for the account just called (the list itself has moved on).
        await wait_for(pilot, lambda: app.desk.call is None and isinstance(app.screen, ReminderDialog))
        dialog = app.screen
        assert isinstance(dialog, ReminderDialog) and dialog.customer_id == built.customers["C001"]
        preview = str(dialog.query_one("#reminder-preview", Static).render())
        assert "To: ap@c001.example" in preview
        assert "Confirming your payment of $1,234.56 by 2026-11-30" in preview
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(smtp.inbox.messages) == 1)
        await wait_for(pilot, lambda: app.screen is app.desk)
        assert "Promise confirmation emailed" in notifications(app)
    assert smtp.inbox.messages[0]["To"] == "ap@c001.example"
    assert smtp.inbox.messages[0]["Subject"] == "Confirming your payment of $1,234.56 by 2026-11-30"


async def test_a_confirmation_put_off_is_offered_again_by_m_and_sent_once(desk, smtp: SmtpServer) -> None:
    ctx, built = desk
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await _close_a_ptp_call(pilot, app)
        await wait_for(pilot, lambda: isinstance(app.screen, ReminderDialog))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.desk)
        assert "Promise confirmation not sent: press m on Acme" in notifications(app)
        assert smtp.inbox.messages == []
        app.desk.call_list.select(built.customers["C001"])
        app.desk._show(built.customers["C001"])
        await wait_for(
            pilot, lambda: app.desk.detail is not None and app.desk.detail.customer_id == built.customers["C001"]
        )
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, ReminderDialog))
        preview = str(app.screen.query_one("#reminder-preview", Static).render())
        assert "Confirming your payment of $1,234.56 by 2026-11-30" in preview
        await pilot.press("enter")
        await wait_for(pilot, lambda: len(smtp.inbox.messages) == 1)
        await wait_for(pilot, lambda: app.screen is app.desk)
        await pilot.press("m")  # sent now: m offers the schedule's next reminder, not the confirmation again
        await wait_for(pilot, lambda: isinstance(app.screen, ReminderDialog))
        assert app.screen.promise_id is None
    assert [m["Subject"] for m in smtp.inbox.messages] == ["Confirming your payment of $1,234.56 by 2026-11-30"]
