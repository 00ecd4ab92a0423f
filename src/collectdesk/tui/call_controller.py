"""The open call and its steps: start (contact, override), then outcome → follow-up → next action → closed."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from enum import Enum, auto
from typing import TYPE_CHECKING

from textual import work
from textual.message import Message
from textual.widget import Widget

from collectdesk.domain.errors import InputError
from collectdesk.domain.outcomes import OutcomeError
from collectdesk.services.accounts import AccountDetail, ContactLine, account_detail
from collectdesk.services.context import AppContext
from collectdesk.tui.call_state import OpenCall
from collectdesk.tui.work_failures import ReportsWorkFailures

# The call services and the dialogs are imported when first needed: none of them is on the way to
# the first paint of the list.
if TYPE_CHECKING:
    from collectdesk.domain.result_codes import ResultCode
    from collectdesk.services.calls import CallOutcome, ClosedCall


class CloseStep(Enum):
    """Where closing a call stands."""

    OUTCOME = auto()  # pick the result code (and whether payment was asked)
    FOLLOW_UP = auto()  # what the code requires (promise, reason, callback…)
    NEXT_ACTION = auto()  # confirm the next action date; this step writes the close
    CLOSED = auto()
    LEFT_OPEN = auto()  # the collector backed out: the call stays open


@dataclass
class _Closing:
    """What the steps of one close have gathered so far."""

    call: OpenCall
    account: AccountDetail
    codes: list[ResultCode]
    outcome: CallOutcome | None = None
    error: OutcomeError | None = None  # handed back to the follow-up form to show beside its field
    closed: ClosedCall | None = field(default=None)


class CallController(ReportsWorkFailures, Widget):
    """Owns the open call: starting it, restoring one left open, and the steps that close it."""

    DEFAULT_CSS = "CallController { display: none; }"

    class Started(Message):
        """A call started; ``warnings`` are the lesser concerns to show the collector."""

        def __init__(self, call: OpenCall, warnings: list[str]) -> None:
            super().__init__()
            self.call = call
            self.warnings = warnings

    class Restored(Message):
        """A call left open last time (a crash, or quitting during a call) is open again."""

        def __init__(self, call: OpenCall) -> None:
            super().__init__()
            self.call = call

    class Closed(Message):
        """The call was closed with ``result_code`` (``promise_id``: the first promise it took)."""

        def __init__(self, call: OpenCall, result_code: str, promise_id: int | None = None) -> None:
            super().__init__()
            self.call = call
            self.result_code = result_code
            self.promise_id = promise_id

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.call: OpenCall | None = None
        self._restore_started = False

    # ----- restoring ----------------------------------------------------------------------------
    def restore(self) -> None:
        """Look once for a call this user left open."""
        if not self._restore_started:
            self._restore_started = True
            self._restore()

    @work(thread=True, group="restore", exit_on_error=False, description="restoring the unfinished call")
    def _restore(self) -> None:
        from collectdesk.services.calls import unfinished_call

        row = unfinished_call(self.ctx)
        if row is None:
            return
        detail = account_detail(self.ctx, row.customer_id)
        contact = next((c.name for c in detail.contacts if c.contact_id == row.contact_id), None)
        call = OpenCall(row.id, row.customer_id, detail.name, contact, row.started_at, notes=row.notes or "")
        self.post_message(self.Restored(call))

    def resume(self, call: OpenCall) -> None:
        """The restored call is the open call again (done by whoever shows it, in the same step)."""
        self.call = call

    # ----- starting -----------------------------------------------------------------------------
    @work(exclusive=True, group="call", exit_on_error=False, description="starting the call")
    async def start(self, customer_id: int, shown: AccountDetail | None) -> None:
        """Pick the contact, check the guard rails (a typed reason overrides a block), open the call."""
        from collectdesk.services.calls import AccountOnCall, CallBlocked, start_call
        from collectdesk.tui.dialogs import ContactPicker, OverrideDialog

        detail = shown if shown is not None and shown.customer_id == customer_id else None
        if detail is None:
            detail = await asyncio.to_thread(account_detail, self.ctx, customer_id)
        held = detail.on_call
        if held is not None and held.user != self.ctx.user.name:
            # Told before picking a contact; the database's claim still decides a race.
            refused = AccountOnCall(held.user, detail.name, held.at)
            self.notify(str(refused), title="Cannot start the call", severity="error")
            return
        reachable = [c for c in detail.contacts if c.phone and not c.wrong_number]
        contact: ContactLine | None = reachable[0] if len(reachable) == 1 else None
        if len(reachable) > 1:
            contact = await self.app.push_screen_wait(ContactPicker(detail.name, reachable))
            if contact is None:
                return
        contact_id = contact.contact_id if contact else None
        try:
            try:
                row = await asyncio.to_thread(start_call, self.ctx, customer_id, contact_id=contact_id)
            except CallBlocked as blocked:
                reason = await self.app.push_screen_wait(OverrideDialog(detail.name, str(blocked)))
                if reason is None:
                    return
                row = await asyncio.to_thread(
                    start_call, self.ctx, customer_id, contact_id=contact_id, override_reason=reason
                )
        except InputError as exc:
            self.notify(str(exc), title="Cannot start the call", severity="error")
            return
        self.call = OpenCall(row.id, customer_id, detail.name, contact.name if contact else None, row.started_at)
        self.post_message(self.Started(self.call, list(row.warnings)))

    # ----- closing ------------------------------------------------------------------------------
    def close(self) -> None:
        """Walk the open call through its closing steps."""
        if self.call is not None:
            self._close(self.call)

    @work(exclusive=True, group="call", exit_on_error=False, description="closing the call")
    async def _close(self, call: OpenCall) -> None:
        from collectdesk.domain.result_codes import result_codes

        account = await asyncio.to_thread(account_detail, self.ctx, call.customer_id)
        closing = _Closing(call, account, result_codes(self.ctx.settings.result_keys))
        step = CloseStep.OUTCOME
        while step not in (CloseStep.CLOSED, CloseStep.LEFT_OPEN):
            if step is CloseStep.OUTCOME:
                step = await self._ask_outcome(closing)
            elif step is CloseStep.FOLLOW_UP:
                step = await self._ask_follow_up(closing)
            else:
                step = await self._ask_next_action(closing)
        if step is CloseStep.LEFT_OPEN:
            self.notify(f"The call with {call.customer_name} is still open.", timeout=4)
            return
        assert closing.outcome is not None
        self.call = None
        promises = closing.closed.promises if closing.closed is not None else []
        self.post_message(self.Closed(call, closing.outcome.result_code, promises[0].id if promises else None))

    async def _ask_outcome(self, closing: _Closing) -> CloseStep:
        from collectdesk.tui.forms import needs_follow_up, plain_outcome
        from collectdesk.tui.outcome import OutcomeDialog

        code = await self.app.push_screen_wait(OutcomeDialog(closing.call, closing.codes, self.ctx.clock.now()))
        if code is None:
            return CloseStep.LEFT_OPEN
        if needs_follow_up(code):
            closing.outcome = None
            return CloseStep.FOLLOW_UP
        closing.outcome = plain_outcome(closing.call.draft)
        return CloseStep.NEXT_ACTION

    async def _ask_follow_up(self, closing: _Closing) -> CloseStep:
        from collectdesk.tui.forms import follow_up_form

        closing.outcome = await self.app.push_screen_wait(
            follow_up_form(self.ctx, closing.call, closing.account, closing.error)
        )
        closing.error = None
        return CloseStep.OUTCOME if closing.outcome is None else CloseStep.NEXT_ACTION

    async def _ask_next_action(self, closing: _Closing) -> CloseStep:
        from collectdesk.tui.forms import needs_follow_up
        from collectdesk.tui.next_action import NextActionDialog

        outcome = closing.outcome
        assert outcome is not None
        back = CloseStep.FOLLOW_UP if needs_follow_up(outcome.result_code) else CloseStep.OUTCOME
        result = await self.app.push_screen_wait(NextActionDialog(self.ctx, closing.call, outcome))
        if result is None:
            return back
        if isinstance(result, OutcomeError):
            closing.error = result
            if back is CloseStep.OUTCOME:
                self.notify(str(result), severity="error")
            return back
        closing.closed = result
        return CloseStep.CLOSED
