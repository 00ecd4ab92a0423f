"""The reminder and pause dialogs, driven with Pilot: preview, choose, send; pause with a reason."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from textual.app import App
from textual.widgets import Input, Static

from account_factory import TODAY, add_promise
from collectdesk.domain.clock import Clock
from collectdesk.services.context import AppContext
from collectdesk.services.pauses import account_pauses
from collectdesk.tui.reminder_dialog import PauseDialog, ReminderDialog
from mail_server import SmtpServer
from reminder_fixtures import open_as, reminder_settings, uk_account


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def rctx(sqlite_url: str, frozen_clock: Clock, tmp_path: Path, smtp: SmtpServer) -> Iterator[AppContext]:
    context = open_as(sqlite_url, reminder_settings(tmp_path / "outbox", smtp.port), frozen_clock)
    yield context
    context.close()


class Host(App[None]):
    """Just enough app to open one dialog and keep what it answered."""

    def __init__(self, dialog: ReminderDialog | PauseDialog) -> None:
        super().__init__()
        self.dialog = dialog
        self.answers: list[str | None] = []

    def on_mount(self) -> None:
        self.push_screen(self.dialog, self.answers.append)


def _preview(app: Host) -> str:
    return str(app.screen.query_one("#reminder-preview", Static).render())


async def test_the_next_reminder_is_previewed_and_enter_sends_it(rctx: AppContext, smtp: SmtpServer) -> None:
    customer = uk_account(rctx)
    app = Host(ReminderDialog(rctx, customer, "UK1 Joinery Ltd"))
    async with app.run_test() as pilot:
        await pilot.pause()
        assert "To: hamish@uk1.example" in _preview(app) and "UK1-INV-1" in _preview(app)
        assert smtp.inbox.messages == []
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert app.answers == ["Overdue reminder (reminder) emailed"]
    assert smtp.inbox.messages[0]["Subject"] == "Reminder: £2,500.00 overdue on account UK1"


async def test_a_chosen_template_is_sent(rctx: AppContext, smtp: SmtpServer) -> None:
    customer = uk_account(rctx)
    app = Host(ReminderDialog(rctx, customer, "UK1 Joinery Ltd"))
    async with app.run_test() as pilot:
        await pilot.pause()
        for _ in range(8):  # past the schedule's choice and seven templates: the final demand
            await pilot.press("down")
        await pilot.pause()
        assert "FINAL DEMAND" in _preview(app)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert app.answers == ["Final demand emailed"]
    assert smtp.inbox.messages[0]["Subject"].startswith("Final demand")


async def test_nothing_due_says_why_and_escape_sends_nothing(rctx: AppContext, smtp: SmtpServer) -> None:
    customer = uk_account(rctx, days_past_due=-10)
    app = Host(ReminderDialog(rctx, customer, "UK1 Joinery Ltd"))
    async with app.run_test() as pilot:
        await pilot.pause()
        assert "Nothing is due for this account today" in _preview(app)
        await pilot.press("enter")
        await pilot.pause()
        assert "Nothing to send" in str(app.screen.query_one("#reminder-status", Static).render())
        await pilot.press("escape")
        await pilot.pause()
    assert app.answers == [None] and smtp.inbox.messages == []


async def test_the_promise_confirmation_offered_after_a_ptp(rctx: AppContext, smtp: SmtpServer) -> None:
    customer = uk_account(rctx)
    promise = add_promise(rctx, customer, promised_on=TODAY + timedelta(days=5), amount=70_000)
    app = Host(ReminderDialog(rctx, customer, "UK1 Joinery Ltd", promise_id=promise))
    async with app.run_test() as pilot:
        await pilot.pause()
        assert "Confirming your payment of $700.00 by 2026-11-28" in _preview(app)
        await pilot.press("enter")
        await app.workers.wait_for_complete()
        await pilot.pause()
    assert app.answers == ["Promise confirmation emailed"]
    assert len(smtp.inbox.messages) == 1


async def test_pause_dialog_pauses_with_a_reason_and_refuses_a_past_date(rctx: AppContext) -> None:
    customer = uk_account(rctx)
    app = Host(PauseDialog(rctx, "UK1", "UK1 Joinery Ltd"))
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("t", "o", "d", "a", "y", "enter", *"on holiday", "enter")
        await pilot.pause()
        assert "after today" in str(app.screen.query_one("#err-pause", Static).render())
        app.screen.query_one("#pause-until", Input).value = ""
        app.screen.query_one("#pause-until").focus()
        await pilot.press("+", "7", "enter", "enter")
        await pilot.pause()
    assert app.answers == ["Reminders paused until 2026-11-30"]
    (pause,) = account_pauses(rctx, customer)
    assert (pause.until, pause.reason) == (TODAY + timedelta(days=7), "on holiday")
