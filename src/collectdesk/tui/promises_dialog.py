"""The account's open promises from the desk: pick one and cancel it with a reason."""

from __future__ import annotations

from typing import ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from collectdesk.domain.errors import InputError
from collectdesk.services.context import AppContext
from collectdesk.services.promise_retiring import PromiseLine, open_promises
from collectdesk.services.promises import cancel_promise
from collectdesk.tui.util import in_thread, settle_cursors


class PromisesDialog(ModalScreen[str | None]):
    """Open promises (missed first); ↑/↓ picks one, type why and enter cancels it. Replacing one is
    done on a call, in the promise dialog."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back", id="promises.back")]

    def __init__(self, ctx: AppContext, customer_id: int, customer_name: str) -> None:
        super().__init__()
        self.ctx = ctx
        self.customer_id = customer_id
        self.customer_name = customer_name
        self.lines: list[PromiseLine] = []
        self.busy = False

    def compose(self) -> ComposeResult:
        """The list, the reason and a message line."""
        with Vertical(id="promises-dialog", classes="dialog"):
            yield Static(f"Open promises — {self.customer_name}", classes="dialog-title")
            yield OptionList(id="promises")
            yield Static("Why cancel the highlighted promise (goes to the activity log):")
            yield Input(placeholder="e.g. invoice credited by sales", id="cancel-reason")
            yield Static(id="err-cancel", classes="field-error")
            yield Static(
                "↑/↓: pick · type the reason, enter: cancel it · to replace it, call and take a new promise · "
                "escape: back",
                classes="dialog-help",
            )

    def on_mount(self) -> None:
        """Load the open promises (off the event loop)."""
        settle_cursors(self)
        self.query_one(Input).focus()
        self._load()

    @work(exclusive=True, group="promises")
    async def _load(self) -> None:
        self.lines = await in_thread(self, open_promises, self.ctx, self.customer_id)
        picker = self.query_one("#promises", OptionList)
        picker.clear_options()
        if not self.lines:
            picker.add_option(Option("No open promises on this account", disabled=True))
            return
        picker.add_options([Option(line.describe(), id=str(line.id)) for line in self.lines])
        picker.highlighted = 0

    def on_key(self, event: events.Key) -> None:
        """↑/↓ move the list while the cursor is in the reason."""
        picker = self.query_one("#promises", OptionList)
        if event.key == "up":
            picker.action_cursor_up()
        elif event.key == "down":
            picker.action_cursor_down()

    @on(Input.Changed, "#cancel-reason")
    def _typed(self) -> None:
        self.query_one("#err-cancel", Static).update("")

    @on(Input.Submitted, "#cancel-reason")
    def _submitted(self, event: Input.Submitted) -> None:
        picker = self.query_one("#promises", OptionList)
        if self.busy or not self.lines or picker.highlighted is None:
            self.query_one("#err-cancel", Static).update("there is no open promise to cancel")
            return
        self.busy = True
        self._cancel(self.lines[picker.highlighted], event.value)

    @work(exclusive=True, group="cancel")
    async def _cancel(self, line: PromiseLine, reason: str) -> None:
        try:
            await in_thread(self, cancel_promise, self.ctx, line.id, reason)
        except InputError as exc:
            self.busy = False
            self.query_one("#err-cancel", Static).update(str(exc))
            return
        self.dismiss(f"Promise {line.describe()} cancelled: {reason.strip()}")

    def action_back(self) -> None:
        """Back to the desk; nothing changed."""
        self.dismiss(None)
