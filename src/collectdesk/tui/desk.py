"""The desk's main screen: wires the call list, the account panel, the notes and the call controller."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import replace
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Static

from collectdesk.services.access import refusal
from collectdesk.services.accounts import AccountDetail, CallableNow
from collectdesk.services.context import AppContext
from collectdesk.tui.account_panel import AccountPanel
from collectdesk.tui.call_controller import CallController
from collectdesk.tui.call_list import CallList
from collectdesk.tui.call_state import OpenCall
from collectdesk.tui.loading import AccountRead, FirstPage
from collectdesk.tui.notes_pane import NotesArea
from collectdesk.tui.panel import call_banner
from collectdesk.tui.util import NARROW_BELOW, fit_footer, settle_cursors
from collectdesk.tui.work_failures import WorkFailed

if TYPE_CHECKING:
    from collectdesk.tui.search import SearchChoice

__all__ = ["DeskScreen", "NotesArea"]


class DeskScreen(Screen[None]):
    """Today's call list beside the selected account."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "start_call", "Call", id="desk.call"),
        Binding("e", "end_call", "End call", show=False, id="desk.end"),
        # The notes have the keyboard during a call, where "e" is a letter: this key works there too.
        Binding("ctrl+e", "end_call_anywhere", "End call", priority=True, id="desk.end_anywhere"),
        Binding("n", "notes", "Notes", id="desk.notes"),
        Binding("slash", "search", "Search", id="desk.search"),
        Binding("enter", "open_account", "Open account", show=False, id="desk.open"),
        Binding("r", "refresh", "Refresh", show=False, id="desk.refresh"),  # the list reloads itself too
        Binding("right_square_bracket", "page(1)", "Next page", show=False, id="desk.next_page"),
        Binding("left_square_bracket", "page(-1)", "Previous page", show=False, id="desk.prev_page"),
        Binding("s", "supervisor", "Supervisor", id="desk.supervisor"),
        # A narrow terminal shows the list or the account, not both side by side: this switches.
        Binding("a", "toggle_account", "View", id="desk.toggle_account"),
        Binding("escape", "back_to_list", "Back to the list", show=False, id="desk.back"),
        Binding("m", "reminder", "Remind", show=False, id="desk.remind"),
        Binding("p", "pause_reminders", "Pause", show=False, id="desk.pause"),
        Binding("o", "promises", "Promises", id="desk.promises"),
    ]

    def __init__(
        self,
        ctx: AppContext,
        *,
        first_page: Future[FirstPage] | None = None,
        notes_delay: float = 0.5,
        refresh_seconds: float = 60.0,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.refresh_seconds = refresh_seconds
        self._unconfirmed_promise: tuple[int, int] | None = None  # (account, promise) from the last PTP close
        self.call_list = CallList(ctx, first_page=first_page, id="list-pane")
        self.panel = AccountPanel(ctx, id="account")
        self.notes = NotesArea(ctx, delay=notes_delay, id="notes")
        self.controller = CallController(ctx)

    # ----- what the parts hold, for the app and the tests --------------------------------------
    @property
    def call(self) -> OpenCall | None:
        """The open call, if any."""
        return self.controller.call

    @property
    def list_loaded(self) -> bool:
        """Whether a page of today's list has been painted."""
        return self.call_list.loaded

    @property
    def detail(self) -> AccountDetail | None:
        """The account the panel shows."""
        return self.panel.detail

    @property
    def marks(self) -> dict[int, CallableNow]:
        """Local times and callable marks of the accounts on the list."""
        return self.call_list.marks

    # ----- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        """Top bar, the list, the account panel with the notes under it, and the footer."""
        yield Static(id="topbar")
        with Horizontal(id="body"):
            yield self.call_list
            with Vertical(id="side"):
                yield self.panel
                yield Static(id="call-notice")
                yield self.notes
        yield self.controller
        yield Footer()

    def on_mount(self) -> None:
        """The list has the keyboard; the clock ticks; the list is reloaded now and then."""
        self._fit(self.app.size.width)
        self.call_list.focus_list()
        settle_cursors(self)
        self._paint_topbar()
        self.set_interval(1.0, self._paint_topbar)
        if self.refresh_seconds > 0:
            self.set_interval(self.refresh_seconds, self.action_refresh)
            # Colleagues' calls, closes and payments show without a key (refresh 0: only when asked).
            from collectdesk.tui.live import start_live_updates

            start_live_updates(self, self.ctx, self.call_list.load)

    def on_resize(self, event: events.Resize) -> None:
        """Side by side when there is room, taking turns when there is not."""
        self._fit(event.size.width)

    def _fit(self, width: int) -> None:
        narrow = width < NARROW_BELOW
        if narrow != self.has_class("narrow"):
            self.set_class(narrow, "narrow")
            fit_footer(self, narrow)
            self.panel.set_narrow(narrow)
            self.refresh_bindings()

    def _view_account(self, shown: bool) -> None:
        """On a narrow terminal, show the account (with the notes) or the list."""
        if shown and not self.has_class("account-view"):
            self.panel.call_after_refresh(self.panel.scroll_home, animate=False)  # its top first
        self.set_class(shown, "account-view")

    # ----- the parts talking --------------------------------------------------------------------
    @on(CallList.Selected)
    def _selected(self, message: CallList.Selected) -> None:
        self._show(message.customer_id, message.top)

    @on(CallList.Opened)
    def _opened(self) -> None:
        self.action_open_account()

    @on(CallList.Painted)
    def _list_painted(self) -> None:
        # The left-over note and the unfinished call are rare: they wait until the rows are painted.
        self.notes.log_left_over()
        self.controller.restore()
        self._follow_the_list()

    @on(CallList.MarksPainted)
    def _marks_painted(self) -> None:
        # The calling window opened or closed since the panel was read: its numbers say so too.
        detail, mark = self.panel.detail, None
        if detail is not None:
            mark = self.call_list.marks.get(detail.customer_id)
        if detail is not None and mark is not None and mark.callable != detail.callable_now.callable:
            self.panel.reload()

    def _follow_the_list(self) -> None:
        """A reload changed the shown account's line (a colleague starting or closing a call, a stage
        moved by upkeep, a payment): read it again, so the panel says what the list says (only then:
        a repaint scrolls the panel back to its top)."""
        detail = self.panel.detail
        if detail is None:
            return
        row = self.call_list.rows.get(detail.customer_id)
        if row is not None:
            before = self.panel.shown_row
            # Moving up or down the list as others change is no change to the account.
            if before is None or replace(row, rank=before.rank) != before:
                self.panel.show(detail.customer_id, row)
            return
        # Off the list (opened from search, or its call just closed with a later date): only a call
        # the panel still shows as open needs a second look.
        if detail.on_call is not None:
            self.panel.reload()

    def _show(self, customer_id: int, read: AccountRead | None = None) -> None:
        """Show an account in the panel; the notes pane follows it."""
        self.notes.about(customer_id)
        self.panel.show(customer_id, self.call_list.rows.get(customer_id), read)

    @on(AccountPanel.Painted)
    def _panel_painted(self, message: AccountPanel.Painted) -> None:
        self.notes.about(message.detail.customer_id, message.detail.name)

    @on(NotesArea.LeaveRequested)
    def _leave_notes(self) -> None:
        self.action_back_to_list()

    @on(NotesArea.NoteLogged)
    def _note_logged(self, message: NotesArea.NoteLogged) -> None:
        if message.customer_id == self.panel.shown_id:
            self.panel.reload()

    @on(CallController.Started)
    def _call_started(self, message: CallController.Started) -> None:
        self._call_opened(message.call)
        for warning in message.warnings:
            self.notify(warning, title="Careful", severity="warning", timeout=8)
        self.notes.focus()

    @on(CallController.Restored)
    def _call_restored(self, message: CallController.Restored) -> None:
        call = message.call
        self.controller.resume(call)
        self._call_opened(call)
        # Said above the notes rather than in a toast, which would cover the notes brought back.
        notice = self.query_one("#call-notice", Static)
        notice.update(
            f"⚠ Unfinished call restored: the call with {call.customer_name} started "
            f"{self.ctx.clock.local_time(call.started_at):%H:%M} was not closed. Its notes are back; "
            f"press {self.end_key()} to record the outcome and close it properly."
        )
        notice.display = True

    def _call_opened(self, call: OpenCall) -> None:
        self._view_account(True)  # the notes stay in sight during the call
        self.notes.for_call(call)
        self._paint_topbar()
        self.refresh_bindings()
        self.call_list.select(call.customer_id)
        self._show(call.customer_id)

    @on(CallController.Closed)
    def _call_closed(self, message: CallController.Closed) -> None:
        call = message.call
        self.notes.call_closed()
        self._view_account(False)
        self.query_one("#call-notice", Static).display = False
        self._paint_topbar()
        self.refresh_bindings()
        self.call_list.focus_list()
        self.notify(
            f"{call.customer_name}: {message.result_code} recorded, call closed.",
            title="Call closed",
            timeout=5,
        )
        self.call_list.load(after_close=call.customer_id)
        if message.promise_id is not None:
            self._unconfirmed_promise = (call.customer_id, message.promise_id)
            self._offer_confirmation(call.customer_id, call.customer_name, message.promise_id)

    @work(thread=True, exclusive=True, group="confirmation", exit_on_error=False)
    def _offer_confirmation(self, customer_id: int, customer_name: str, promise_id: int) -> None:
        """Right after a PTP the practice confirms it in writing: offer the rendered confirmation,
        unless there is nothing to send (already sent, or the account may not be written to)."""
        from collectdesk.services.reminder_desk import promise_confirmation

        try:
            ready = promise_confirmation(self.ctx, promise_id) is not None
        except Exception as exc:  # the call is closed and safe; only the offer is lost, and m still works
            self.app.call_from_thread(
                self.notify, f"Problem preparing the promise confirmation: {exc}", severity="error", timeout=10
            )
            return
        if ready:
            self.app.call_from_thread(self._show_confirmation, customer_id, customer_name, promise_id)

    def _show_confirmation(self, customer_id: int, customer_name: str, promise_id: int) -> None:
        from collectdesk.tui.reminder_dialog import ReminderDialog

        if self.app.screen is not self or self.controller.call is not None:
            self.notify(
                f"Press m on {customer_name} to send the promise confirmation.", title="Confirm the promise", timeout=8
            )
            return

        def done(result: str | None) -> None:
            if result is None:
                self.notify(f"Promise confirmation not sent: press m on {customer_name} to send it later.", timeout=6)
                return
            self._unconfirmed_promise = None
            self._reminder_done(result)

        self.app.push_screen(
            ReminderDialog(self.ctx, customer_id, customer_name, promise_id=promise_id, offered=True), done
        )

    @on(WorkFailed)
    def _work_failed(self, message: WorkFailed) -> None:
        """Every failed database read or write of the desk ends up here."""
        self.notify(f"Problem {message.what}: {message.error}", severity="error", timeout=10)
        if message.group == "worklist":
            self.controller.restore()  # when the list cannot be read, the unfinished call must still come back

    def _paint_topbar(self) -> None:
        bar = self.query_one("#topbar", Static)
        call = self.controller.call
        bar.set_class(call is not None, "on-call")
        now = self.ctx.clock.now()
        if call is not None:
            bar.update(call_banner(call.customer_name, call.contact, call.elapsed(now), self.end_key()))
            return
        bar.update(
            Text.assemble(
                ("collectdesk", "bold"),
                f"  {self.ctx.user.name} ({self.ctx.user.role})  ·  "
                f"{self.ctx.clock.local_time(now):%a %Y-%m-%d %H:%M %Z}  ·  no call open",
            )
        )

    def end_key(self) -> str:
        """The key that ends the call from anywhere, as the keymap has it."""
        for active in self.active_bindings.values():
            if active.binding.id == "desk.end_anywhere":
                return self.app.get_key_display(active.binding)
        return "e"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Ending the call from anywhere is offered (and shown in the footer) only while a call is open."""
        if action == "end_call_anywhere":
            return self.controller.call is not None
        if action == "toggle_account":
            return self.has_class("narrow")
        return True

    def flush_before_exit(self) -> None:
        """Write whatever is in the notes pane, synchronously (the app is about to end)."""
        self.notes.flush_before_exit()

    # ----- actions ------------------------------------------------------------------------------
    def action_refresh(self) -> None:
        """Reload today's list (in place)."""
        self.call_list.load()

    def action_page(self, step: int) -> None:
        """Next or previous page of today's list."""
        if not self.call_list.turn_page(step):
            self.notify("No more pages", timeout=2)

    def action_notes(self) -> None:
        """Write in the notes pane."""
        if self.panel.shown_id is None and self.call is None:
            self.notify("Pick an account first", timeout=3)
            return
        self._view_account(True)
        self.notes.focus()

    def action_toggle_account(self) -> None:
        """Narrow terminal: from the list to the account and back."""
        if self.has_class("account-view"):
            self.action_back_to_list()
        else:
            self.action_open_account()

    def action_back_to_list(self) -> None:
        """The list has the keyboard (and, on a narrow terminal, the screen)."""
        self._view_account(False)
        self.call_list.focus_list()

    def action_open_account(self) -> None:
        """Show the highlighted account now and move into its history."""
        selected = self.call_list.selected_id
        if selected is not None and selected != self.panel.shown_id:
            self._show(selected)
        self._view_account(True)
        self.panel.focus_history()

    def action_search(self) -> None:
        """Open the search."""
        from collectdesk.tui.search import SearchScreen

        self.app.push_screen(SearchScreen(self.ctx), self._search_done)

    def _search_done(self, choice: SearchChoice | None) -> None:
        if choice is None:
            return
        self.call_list.select(choice.customer_id)
        self._show(choice.customer_id)
        self._view_account(True)
        if choice.action == "call":
            self.action_start_call()

    def action_promises(self) -> None:
        """The shown account's open promises, to cancel one with a reason."""
        detail = self.panel.detail
        if detail is None:
            self.notify("Pick an account first", timeout=3)
            return
        from collectdesk.tui.promises_dialog import PromisesDialog

        def done(message: str | None) -> None:
            if message:
                self.notify(message, title="Promise cancelled", timeout=5)
                self._show(detail.customer_id)

        self.app.push_screen(PromisesDialog(self.ctx, detail.customer_id, detail.name), done)

    def action_reminder(self) -> None:
        """Preview the account's next reminder (or a chosen one, or the promise just taken) and send it."""
        detail = self.panel.detail
        if detail is None or self.panel.shown_id != detail.customer_id:
            self.notify("Pick an account first", timeout=3)
            return
        from collectdesk.tui.reminder_dialog import ReminderDialog

        pending = self._unconfirmed_promise
        promise_id = pending[1] if pending and pending[0] == detail.customer_id else None
        self._unconfirmed_promise = None
        self.app.push_screen(
            ReminderDialog(self.ctx, detail.customer_id, detail.name, promise_id=promise_id), self._reminder_done
        )

    def action_pause_reminders(self) -> None:
        """Pause the account's reminders until a date, with a reason."""
        detail = self.panel.detail
        if detail is None or self.panel.shown_id != detail.customer_id:
            self.notify("Pick an account first", timeout=3)
            return
        from collectdesk.tui.reminder_dialog import PauseDialog

        self.app.push_screen(PauseDialog(self.ctx, detail.ref, detail.name), self._reminder_done)

    def _reminder_done(self, result: str | None) -> None:
        if result is not None:
            self.notify(result, timeout=5)
            self.panel.reload()

    def action_supervisor(self) -> None:
        """The supervisor view, for supervisors only."""
        refused = refusal(self.ctx, "The supervisor view")
        if refused is not None:
            self.notify(refused, title="Supervisors only", severity="warning")
            return
        from collectdesk.tui.supervisor import SupervisorScreen

        self.app.push_screen(SupervisorScreen(self.ctx))

    def action_start_call(self) -> None:
        """Start a call on the account in the side panel."""
        if self.call is not None:
            self.notify(
                f"A call with {self.call.customer_name} is open — press {self.end_key()} to end it first.",
                severity="warning",
            )
            return
        if self.panel.shown_id is None:
            self.notify("Pick an account first", timeout=3)
            return
        self.notes.flush_account_note()
        self.controller.start(self.panel.shown_id, self.panel.detail)

    def action_end_call(self) -> None:
        """Record the outcome of the open call."""
        if self.call is None:
            self.notify("No call is open — press c to call the selected account.", timeout=3)
            return
        self.notes.flush_call_notes()
        self.controller.close()

    def action_end_call_anywhere(self) -> None:
        """End the open call, from the notes too."""
        self.action_end_call()
