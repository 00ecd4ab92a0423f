"""Reminders from the desk: preview the account's next reminder (or any template) and send it;
pause an account's reminders."""

from __future__ import annotations

from datetime import date
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from collectdesk.domain.errors import InputError
from collectdesk.services.context import AppContext
from collectdesk.services.message_templates import TEMPLATE_NAMES, label
from collectdesk.services.reminder_desk import chosen_template, next_reminder, promise_confirmation, send_now
from collectdesk.services.reminder_plan import plan_reminders
from collectdesk.services.reminders import Preview, SendResult
from collectdesk.tui.util import still_shown

NEXT = "next"
CONFIRM = "confirm"
_OUTCOME_TEXT = {
    "sent": "emailed",
    "written": "written to the outbox",
    "letter": "written as a letter to post",
    "claimed": "not sent: already sent from elsewhere",
}


class ReminderDialog(ModalScreen[str | None]):
    """The rendered message beside the list of what can be sent; enter sends the one shown.
    Dismisses with what happened (``None``: nothing sent)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Close", id="reminder.cancel")]

    def __init__(
        self,
        ctx: AppContext,
        customer_id: int,
        customer_name: str,
        *,
        promise_id: int | None = None,
        offered: bool = False,
    ) -> None:
        super().__init__()
        self.offered = offered  # opened by the desk itself right after a PTP call closed
        self.ctx = ctx
        self.customer_id = customer_id
        self.customer_name = customer_name
        self.promise_id = promise_id
        self.shown: Preview | None = None
        self._sending = False

    def compose(self) -> ComposeResult:
        """The choices on the left, the message on the right."""
        title = "Confirm the promise to" if self.promise_id else "Send a reminder to"
        with Vertical(id="reminder-dialog", classes="dialog"):
            yield Static(f"{title} {self.customer_name}", classes="dialog-title")
            with Horizontal(id="reminder-body-row"):
                first = (
                    Option("Promise confirmation", id=CONFIRM)
                    if self.promise_id
                    else Option("Next due (schedule)", id=NEXT)
                )
                yield OptionList(
                    first, *[Option(label(name), id=name) for name in TEMPLATE_NAMES], id="reminder-choices"
                )
                with VerticalScroll(id="reminder-preview-pane"):
                    yield Static(id="reminder-preview")
            yield Static(id="reminder-status", classes="field-error")
            help_text = (
                "enter: send the confirmation · ↑/↓: another message · escape: not now (m offers it again)"
                if self.offered
                else "↑/↓: another message · enter: send it · escape: close"
            )
            yield Static(help_text, classes="dialog-help")

    def on_mount(self) -> None:
        """Show the first choice."""
        choices = self.query_one(OptionList)
        choices.highlighted = 0
        choices.focus()
        self._render_choice(CONFIRM if self.promise_id else NEXT)

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id:
            self._render_choice(event.option.id)

    def _render_choice(self, choice: str) -> None:
        preview_text = self.query_one("#reminder-preview", Static)
        status = self.query_one("#reminder-status", Static)
        status.update("")
        try:
            if choice == NEXT:
                self.shown = next_reminder(self.ctx, self.customer_id)
                if self.shown is None:
                    plan = plan_reminders(self.ctx, customer_ids=[self.customer_id])
                    why = plan.skipped[0].reason if plan.skipped else "no step of the schedule is due today"
                    preview_text.update(f"Nothing is due for this account today: {why}.\nPick a message to send one.")
                    return
            elif choice == CONFIRM:
                assert self.promise_id is not None
                self.shown = promise_confirmation(self.ctx, self.promise_id)
                if self.shown is None:
                    preview_text.update("This promise was already confirmed, or the account may not be written to.")
                    return
            else:
                self.shown = chosen_template(self.ctx, self.customer_id, choice)
        except InputError as exc:
            self.shown = None
            preview_text.update(str(exc))
            return
        item = self.shown
        to = f"To: {item.recipient}" if item.recipient else "No email address: a letter to post"
        preview_text.update(f"{to}\nSubject: {item.rendered.subject}\n\n{item.rendered.email_body}")

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        if self.shown is None:
            self.query_one("#reminder-status", Static).update("Nothing to send: pick another message.")
            return
        if self._sending:
            return
        self._sending = True
        self.query_one("#reminder-status", Static).update("Sending…")
        self._send(self.shown)

    @work(thread=True, exclusive=True, group="reminder-send", exit_on_error=False)
    def _send(self, item: Preview) -> None:
        try:
            result = send_now(self.ctx, item)
        except Exception as exc:  # reported in the dialog; the claim was released or never made
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._done, result)

    def _failed(self, error: str) -> None:
        self._sending = False
        if not still_shown(self):
            return
        self.query_one("#reminder-status", Static).update(f"Not sent: {error}")

    def _done(self, result: SendResult) -> None:
        self._sending = False
        if not still_shown(self):
            return
        if result.outcome == "failed":
            self.query_one("#reminder-status", Static).update(f"Not sent (tried again next run): {result.detail}")
            return
        self.dismiss(f"{label(result.template)} {_OUTCOME_TEXT.get(result.outcome, result.outcome)}")

    def action_cancel(self) -> None:
        """Close without sending (while a message is on its way, wait for its result)."""
        if self._sending:
            self.query_one("#reminder-status", Static).update("Sending… the result shows here in a moment.")
            return
        self.dismiss(None)


class PauseDialog(ModalScreen[str | None]):
    """Pause the account's reminders until a date, with a reason (dismisses with a summary)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="pause.cancel")]

    def __init__(self, ctx: AppContext, ref: str, customer_name: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.ref = ref
        self.customer_name = customer_name

    def compose(self) -> ComposeResult:
        """Until when, and why."""
        with Vertical(id="pause-dialog", classes="dialog"):
            yield Static(f"Pause reminders to {self.customer_name}", classes="dialog-title")
            yield Input(placeholder="until (YYYY-MM-DD, +14, fri…)", id="pause-until")
            yield Input(placeholder="reason", id="pause-reason")
            yield Static(id="err-pause", classes="field-error")
            yield Static("enter: pause · escape: cancel · reminders resume on that date", classes="dialog-help")

    def on_mount(self) -> None:
        """Focus the date."""
        self.query_one("#pause-until", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "pause-until":
            self.query_one("#pause-reason", Input).focus()
            return
        from collectdesk.domain.dates import DateInputError, parse_date_shortcut
        from collectdesk.services.pauses import pause_reminders

        error = self.query_one("#err-pause", Static)
        try:
            until: date = parse_date_shortcut(self.query_one("#pause-until", Input).value, self.ctx.clock.today())
            pause = pause_reminders(
                self.ctx, self.ref, until=until, reason=self.query_one("#pause-reason", Input).value
            )
        except (DateInputError, InputError) as exc:
            error.update(str(exc))
            return
        self.dismiss(f"Reminders paused until {pause.until.isoformat()}")

    def action_cancel(self) -> None:
        """No pause."""
        self.dismiss(None)
