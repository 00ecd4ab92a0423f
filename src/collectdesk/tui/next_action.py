"""The last step of a call: confirm (or change) the proposed next action, then close the call."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import date
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from collectdesk.domain.dates import DateInputError, parse_date_shortcut
from collectdesk.domain.errors import InputError
from collectdesk.services.calls import (
    CallOutcome,
    ClosedCall,
    OutcomeError,
    close_call,
    propose_next_action,
)
from collectdesk.services.context import AppContext
from collectdesk.tui.call_state import OpenCall
from collectdesk.tui.util import in_thread, keys_settled, still_shown

NEXT_ACTION_FIELD = "next_on"


class NextActionDialog(ModalScreen[ClosedCall | OutcomeError | None]):
    """Shows the proposed next action; enter accepts it (or the date typed) and closes the call."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "close_call", "Close the call", priority=True, id="next.accept"),
        Binding("escape", "back", "Back", id="next.back"),
    ]

    def __init__(self, ctx: AppContext, call: OpenCall, outcome: CallOutcome) -> None:
        super().__init__()
        self.ctx = ctx
        self.call = call
        self.outcome = outcome
        self.proposed: date | None = None
        self.closing = False

    def compose(self) -> ComposeResult:
        """The proposal, a field for another date, and a message line."""
        with Vertical(id="next-dialog", classes="dialog"):
            yield Static(
                f"Next action — {self.call.customer_name} · {self.outcome.result_code}",
                classes="dialog-title",
            )
            yield Static("Working out the next action…", id="proposal")
            with Horizontal(classes="field-row"):
                yield Label("Another date", classes="field-label")
                yield Input(
                    self.call.draft.text(NEXT_ACTION_FIELD),
                    id=NEXT_ACTION_FIELD,
                    placeholder="leave empty to accept",
                    classes="field-input",
                )
                yield Static(id="live-next_on", classes="field-live")
                yield Static(id="err-next_action_on", classes="field-error")
            yield Static(id="err-general", classes="field-error")
            yield Static("enter: close the call · escape: back", classes="dialog-help")

    def on_mount(self) -> None:
        """Ask the services for the proposal (off the event loop)."""
        field = self.query(Input).first() if self.query(Input) else None
        if field is None:
            return  # keys typed ahead took the dialog away while it was being put up
        field.focus()
        self._propose()

    @work(exclusive=True, group="propose")
    async def _propose(self) -> None:
        try:
            self.proposed = await in_thread(self, propose_next_action, self.ctx, self.call.call_id, self.outcome)
        except InputError as exc:
            self.query_one("#proposal", Static).update(f"No proposal: {exc}")
            return
        self.query_one("#proposal", Static).update(
            f"Proposed next action: {self.proposed.strftime('%a')} {self.proposed.isoformat()}"
        )

    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        self.call.draft.fields[NEXT_ACTION_FIELD] = event.value
        self.query_one("#err-next_action_on", Static).update("")
        live = self.query_one("#live-next_on", Static)
        if not event.value.strip():
            live.update("")
            return
        try:
            day = parse_date_shortcut(event.value, self.ctx.clock.today())
        except DateInputError:
            live.update("?")
            return
        live.update(f"→ {day.strftime('%a')} {day.isoformat()}")

    def action_close_call(self) -> None:
        """Close the call with the proposal or the typed date."""
        if not self.closing:
            self._close_when_typed()

    @work(exclusive=True, group="close-typed")
    async def _close_when_typed(self) -> None:
        await keys_settled(self)  # a date typed just before enter is in the field first
        if self.closing or not still_shown(self):  # an escape typed meanwhile went back
            return
        text = self.call.draft.text(NEXT_ACTION_FIELD).strip()
        outcome = self.outcome
        if text:
            try:
                day = parse_date_shortcut(text, self.ctx.clock.today())
            except DateInputError as exc:
                self.query_one("#err-next_action_on", Static).update(str(exc))
                return
            outcome = replace(outcome, next_action_on=day)
        self.closing = True
        self._close(outcome)

    @work(exclusive=True, group="close")
    async def _close(self, outcome: CallOutcome) -> None:
        try:
            closed = await asyncio.to_thread(close_call, self.ctx, self.call.call_id, outcome)
        except OutcomeError as exc:
            self.closing = False
            if exc.field == "next_action_on":
                self.query_one("#err-next_action_on", Static).update(str(exc))
                return
            self.dismiss(exc)
            return
        except InputError as exc:
            self.closing = False
            self.query_one("#err-general", Static).update(str(exc))
            return
        self.dismiss(closed)

    def action_back(self) -> None:
        """Back to the previous step; nothing is closed."""
        if not self.closing:
            self.dismiss(None)
