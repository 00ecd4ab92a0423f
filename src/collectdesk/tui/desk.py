"""The desk's main screen: today's call list, the selected account, notes, and the call flow."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from concurrent.futures import Future
from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, Static, TextArea
from textual.widgets.data_table import ColumnKey

from collectdesk.domain.errors import InputError
from collectdesk.domain.money import format_amount
from collectdesk.domain.outcomes import OutcomeError
from collectdesk.services.accounts import (
    AccountDetail,
    CallableNow,
    ContactLine,
    account_detail,
    add_note,
    callable_now,
)
from collectdesk.services.context import AppContext
from collectdesk.services.worklist import WorklistRow, build_worklist
from collectdesk.tui.call_state import OpenCall
from collectdesk.tui.drafts import NoteDraft, NoteDraftStore
from collectdesk.tui.loading import AccountRead, FirstPage, read_account
from collectdesk.tui.panel import (
    STAGE_SHORT,
    call_banner,
    header_text,
    history_text,
    invoices_text,
    last_contact,
    why_text,
)
from collectdesk.tui.util import settle_cursors

# The call services and the dialogs are imported when first needed: none of them is on the way to
# the first paint of the list.
if TYPE_CHECKING:
    from collectdesk.services.calls import CallOutcome, ClosedCall
    from collectdesk.tui.search import SearchChoice

COLUMNS = (
    ("#", "rank"),
    ("Customer", "customer"),
    ("Overdue", "overdue"),
    ("DPD", "dpd"),
    ("Brk", "broken"),
    ("Last", "last"),
    ("Stage", "stage"),
    ("Local", "local"),
    ("Score", "score"),
)
LOCAL_WIDTH = 7


class NotesArea(TextArea):
    """The notes pane; escape goes back to the list, leaving it saves an account note."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "leave", "Back to the list", id="notes.leave")]

    class Left(Message):
        """The collector left the notes pane."""

    def action_leave(self) -> None:
        """Back to the call list."""
        self.screen.query_one("#worklist", DataTable).focus()

    def on_blur(self, event: events.Blur) -> None:
        """Leaving the pane is when an account note is logged."""
        self.post_message(self.Left())


class WorklistLoaded(Message):
    """A page of today's list arrived from a worker."""

    def __init__(self, rows: list[WorklistRow], after_close: int | None) -> None:
        super().__init__()
        self.rows = rows
        self.after_close = after_close


class MarksLoaded(Message):
    """Local times and callable marks for the accounts on the list (they follow the rows)."""

    def __init__(self, marks: Mapping[int, CallableNow]) -> None:
        super().__init__()
        self.marks = marks


class AccountLoaded(Message):
    """An account's detail (and its score breakdown) arrived from a worker, or could not be read."""

    def __init__(self, read: AccountRead) -> None:
        super().__init__()
        self.read = read


class CallRestored(Message):
    """An unfinished call was found on start-up."""

    def __init__(self, call: OpenCall) -> None:
        super().__init__()
        self.call = call


class Failed(Message):
    """A worker could not do its job; the message is for the collector."""

    def __init__(self, what: str, error: str) -> None:
        super().__init__()
        self.what = what
        self.error = error


class DeskScreen(Screen[None]):
    """Today's call list beside the selected account."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "start_call", "Call", id="desk.call"),
        Binding("e", "end_call", "End call", id="desk.end"),
        Binding("n", "notes", "Notes", id="desk.notes"),
        Binding("slash", "search", "Search", id="desk.search"),
        Binding("enter", "open_account", "Open account", show=False, id="desk.open"),
        Binding("r", "refresh", "Refresh", id="desk.refresh"),
        Binding("right_square_bracket", "page(1)", "Next page", show=False, id="desk.next_page"),
        Binding("left_square_bracket", "page(-1)", "Previous page", show=False, id="desk.prev_page"),
        Binding("s", "supervisor", "Supervisor", id="desk.supervisor"),
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
        self._first_page = first_page
        self._prefetched: dict[int, AccountRead] = {}
        self._account_in_flight = False
        self._account_again = False
        self.notes_delay = notes_delay
        self.refresh_seconds = refresh_seconds
        self.rows: dict[int, WorklistRow] = {}
        self.marks: dict[int, CallableNow] = {}
        self.order: list[int] = []
        self.page = 0
        self.shown_id: int | None = None
        self.detail: AccountDetail | None = None
        self.call: OpenCall | None = None
        self.list_loaded = False
        self.drafts = NoteDraftStore(ctx.user.name)
        self.note_owner: int | None = None
        self._notes_timer: Timer | None = None
        self._loaded_notes = ""  # what the desk last filled the pane with (not typed)
        self._pending_loads = 0
        self._restore_started = False

    # ----- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        """Top bar, the list, the account panel and the footer."""
        yield Static(id="topbar")
        with Horizontal(id="body"):
            with Vertical(id="list-pane"):
                table: DataTable[str | Text] = DataTable(id="worklist", cursor_type="row", zebra_stripes=True)
                yield table
                yield Static("Loading today's list…", id="list-status")
            with Vertical(id="side"):
                yield Static(id="account-header")
                yield Static(id="open-invoices")
                yield Static(id="why-here")
                with VerticalScroll(id="history-pane"):
                    yield Static(id="history")
                yield NotesArea(id="notes", soft_wrap=True, tab_behavior="focus")
        yield Footer()

    def on_mount(self) -> None:
        """Columns, timers, and the first loads (all database work in workers)."""
        table = self.query_one("#worklist", DataTable)
        for label, key in COLUMNS:
            # The local time arrives after the rows; a fixed width ("00:00+✗") keeps its mark from being cut.
            table.add_column(label, key=key, width=LOCAL_WIDTH if key == "local" else None)
        table.focus()
        settle_cursors(self)
        self._set_notes_title()
        self._paint_topbar()
        self.set_interval(1.0, self._paint_topbar)
        if self.refresh_seconds > 0:
            self.set_interval(self.refresh_seconds, self.action_refresh)
        self._load_worklist()  # the unfinished call is looked for once the list is on screen

    # ----- workers ------------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="worklist")
    def _load_worklist(self, after_close: int | None = None) -> None:
        try:
            if self._first_page is not None and self.page == 0 and after_close is None:
                first, self._first_page = self._first_page.result(), None
                if first.top is not None:
                    self._prefetched[first.top.customer_id] = first.top
                rows = first.rows
            else:
                size = self.ctx.settings.page_size
                rows = build_worklist(self.ctx, limit=size, offset=self.page * size)
            self.post_message(WorklistLoaded(rows, after_close))
        except Exception as exc:  # reported to the collector; the desk keeps running
            self.post_message(Failed("loading today's list", str(exc)))

    @work(thread=True, exclusive=True, group="marks")
    def _load_marks(self, customer_ids: list[int]) -> None:
        try:
            self.post_message(MarksLoaded(callable_now(self.ctx, customer_ids)))
        except Exception as exc:  # reported to the collector; the desk keeps running
            self.post_message(Failed("loading today's list", str(exc)))

    @work(thread=True, group="account")
    def _load_account(self, customer_id: int) -> None:
        self.post_message(AccountLoaded(read_account(self.ctx, customer_id, self.rows.get(customer_id))))

    def _start_restore(self) -> None:
        if not self._restore_started:
            self._restore_started = True
            self._restore()

    @work(thread=True, group="restore")
    def _restore(self) -> None:
        from collectdesk.services.calls import unfinished_call

        try:
            self._log_left_over_note()
            call = unfinished_call(self.ctx)
            if call is None:
                return
            detail = account_detail(self.ctx, call.customer_id)
        except Exception as exc:  # reported to the collector; the desk keeps running
            self.post_message(Failed("restoring the unfinished call", str(exc)))
            return
        contact = next((c.name for c in detail.contacts if c.contact_id == call.contact_id), None)
        self.post_message(
            CallRestored(
                OpenCall(
                    call.id,
                    call.customer_id,
                    detail.name,
                    contact,
                    call.started_at,
                    notes=call.notes or "",
                )
            )
        )

    def _log_left_over_note(self) -> None:
        draft = self.drafts.load()
        if draft is None:
            return
        logged = add_note(self.ctx, draft.customer_id, draft.text)
        self.drafts.clear()
        if logged is None:
            return
        self.app.call_from_thread(
            self.notify,
            "A note typed before the desk closed was saved to the account's timeline.",
            title="Note kept",
        )

    # ----- painting -----------------------------------------------------------------------------
    @on(WorklistLoaded)
    def _paint_worklist(self, message: WorklistLoaded) -> None:
        table = self.query_one("#worklist", DataTable)
        old_order = list(self.order)
        now = self.ctx.clock.now()
        self.rows = {row.customer_id: row for row in message.rows}
        self.order = [row.customer_id for row in message.rows]
        with table.prevent(DataTable.RowHighlighted):
            wanted = {str(cid) for cid in self.order}
            for stale in [k for k in table.rows if k.value not in wanted]:
                table.remove_row(stale)
            for row in message.rows:
                cells = self._cells(row, self.marks.get(row.customer_id), now)
                key = str(row.customer_id)
                if key in table.rows:
                    for (_, column), value in zip(COLUMNS, cells, strict=True):
                        if table.get_cell(key, column) != value:
                            self._set_cell(table, key, column, value)
                else:
                    table.add_row(*cells, key=key)
            table.sort("rank", key=lambda rank: int(str(rank)))
        self.list_loaded = True
        self._paint_list_status()
        self._place_cursor(old_order, message.after_close)
        # The phone-number time zones cost more than the rows, and the unfinished call is rare:
        # both wait until the rows are painted rather than compete with that first paint. Asked
        # through the table, which lays its new rows out when idle: from the screen, the callback
        # ran before that layout and the refresh that shows the rows.
        table.call_after_refresh(self._after_list_painted, list(self.order))

    def _after_list_painted(self, customer_ids: list[int]) -> None:
        self._load_marks(customer_ids)
        self._start_restore()

    @on(MarksLoaded)
    def _paint_marks(self, message: MarksLoaded) -> None:
        self.marks.update(message.marks)
        table = self.query_one("#worklist", DataTable)
        for customer_id, status in message.marks.items():
            key = str(customer_id)
            if key in table.rows:
                cell = self._local_cell(status)
                if table.get_cell(key, "local") != cell:
                    self._set_cell(table, key, "local", cell)

    @staticmethod
    def _set_cell(table: DataTable[str | Text], row: str, column: str, value: str | Text) -> None:
        # Only a wider value resizes the column: a narrower one would make the table re-measure the
        # whole column for every cell (slow on a 200-row page); columns simply do not shrink.
        width = value.cell_len if isinstance(value, Text) else cell_len(value)
        wider = width > table.columns[ColumnKey(column)].content_width
        table.update_cell(row, column, value, update_width=wider)

    @staticmethod
    def _local_cell(status: CallableNow | None) -> Text:
        if status is None:
            return Text("…", style="dim")
        # Several possible zones: the earliest time and a "+" (the panel lists them all).
        shown = status.local_time.split("/")[0] + ("+" if "/" in status.local_time else "")
        return Text(shown) if status.callable else Text(f"{shown}✗", style="red")

    def _cells(self, row: WorklistRow, status: CallableNow | None, now: datetime) -> list[str | Text]:
        local = self._local_cell(status)
        overdue = format_amount(row.overdue, row.currency).split(".")[0]
        return [
            Text(str(row.rank), justify="right"),
            row.name[:14],
            Text(overdue, justify="right"),
            Text(str(row.oldest_days_past_due), justify="right"),
            Text(str(row.broken_promises or ""), justify="right"),
            last_contact(row.last_contact_at, now),
            STAGE_SHORT.get(row.stage, row.stage),
            local,
            Text(f"{row.score:.0f}", justify="right"),
        ]

    def _paint_list_status(self) -> None:
        size = self.ctx.settings.page_size
        count = len(self.order)
        first = self.page * size + 1
        text = (
            f"Accounts {first}–{first + count - 1} of today's list"
            if count
            else "Nothing left on today's list"
            if self.page == 0
            else "No more accounts"
        )
        self.query_one("#list-status", Static).update(
            f"{text} · page {self.page + 1} ([ ]) · ✗ = outside calling hours"
        )

    def _place_cursor(self, old_order: list[int], after_close: int | None) -> None:
        table = self.query_one("#worklist", DataTable)
        if not self.order:
            return
        target: int | None = None
        if after_close is not None:
            # The next account after the one just closed, in the order the collector saw.
            following = old_order[old_order.index(after_close) + 1 :] if after_close in old_order else []
            target = next((cid for cid in following if cid in self.rows), self.order[0])
            if self.call is None:
                self.shown_id = None
        elif self.call is not None and self.call.customer_id in self.rows:
            target = self.call.customer_id
        elif self.shown_id in self.rows:
            target = self.shown_id
        elif self.shown_id is None:
            target = self.order[0]
        if target is None:
            return
        with table.prevent(DataTable.RowHighlighted):
            table.move_cursor(row=table.get_row_index(str(target)), animate=False)
        if target != self.shown_id:
            self.show_account(target)

    @on(DataTable.RowHighlighted, "#worklist")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.row_key.value is not None:
            self.show_account(int(event.row_key.value))

    @on(DataTable.RowSelected, "#worklist")
    def _selected(self, event: DataTable.RowSelected) -> None:
        self.action_open_account()

    def show_account(self, customer_id: int) -> None:
        """Show an account in the side panel; during quick moves only the latest one is read."""
        if customer_id != self.shown_id:
            self._flush_account_note()
        self.shown_id = customer_id
        self._request_account(customer_id)

    def _request_account(self, customer_id: int) -> None:
        if customer_id in self._prefetched:
            self._paint_account(self._prefetched.pop(customer_id))
            return
        if self._account_in_flight:
            # One read at a time: when it lands, the latest selection is read next.
            self._account_again = True
            return
        self._account_in_flight = True
        self._load_account(customer_id)

    @on(AccountLoaded)
    def _account_loaded(self, message: AccountLoaded) -> None:
        read = message.read
        self._account_in_flight = False
        again, self._account_again = self._account_again, False
        if read.customer_id != self.shown_id:
            if self.shown_id is not None:
                self._request_account(self.shown_id)  # the collector has moved on
            return
        self._paint_account(read)
        if again:
            self._request_account(read.customer_id)

    def _paint_account(self, read: AccountRead) -> None:
        if read.detail is None:
            self.notify(f"Problem loading the account: {read.error}", severity="error", timeout=10)
            return
        detail = read.detail
        self.detail = detail
        self.query_one("#account-header", Static).update(header_text(detail))
        self.query_one("#open-invoices", Static).update(invoices_text(detail))
        self.query_one("#why-here", Static).update(why_text(read.breakdown, read.score))
        history = self.query_one("#history", Static)
        history.update(history_text(detail))
        history.customer_id = detail.customer_id  # type: ignore[attr-defined]
        self.query_one("#history-pane", VerticalScroll).scroll_home(animate=False)
        self._set_notes_title()

    @on(CallRestored)
    def _call_restored(self, message: CallRestored) -> None:
        call = message.call
        self.call = call
        self._load_notes(call.notes)
        self._set_notes_title()
        self._paint_topbar()
        if call.customer_id in self.rows:
            table = self.query_one("#worklist", DataTable)
            with table.prevent(DataTable.RowHighlighted):
                table.move_cursor(row=table.get_row_index(str(call.customer_id)), animate=False)
        self.show_account(call.customer_id)
        self.notify(
            f"The call with {call.customer_name} started "
            f"{call.started_at.strftime('%H:%M')} UTC was not closed. Its notes are back; "
            "press e to record the outcome and close it properly.",
            title="Unfinished call restored",
            severity="warning",
            timeout=15,
        )

    @on(Failed)
    def _failed(self, message: Failed) -> None:
        self.notify(f"Problem {message.what}: {message.error}", severity="error", timeout=10)
        self._start_restore()  # when the list cannot be read, the unfinished call must still come back

    def _paint_topbar(self) -> None:
        bar = self.query_one("#topbar", Static)
        if self.call is not None:
            bar.update(
                call_banner(
                    self.call.customer_name,
                    self.call.contact,
                    self.call.elapsed(self.ctx.clock.now()),
                )
            )
            bar.set_class(True, "on-call")
            return
        bar.set_class(False, "on-call")
        now = self.ctx.clock.now()
        bar.update(
            Text.assemble(
                ("collectdesk", "bold"),
                f"  {self.ctx.user.name} ({self.ctx.user.role})  ·  "
                f"{now.strftime('%a %Y-%m-%d %H:%M')} UTC  ·  no call open",
            )
        )

    # ----- notes --------------------------------------------------------------------------------
    def _set_notes_title(self) -> None:
        notes = self.query_one("#notes", NotesArea)
        if self.call is not None:
            notes.border_title = f"Notes — call with {self.call.customer_name} (saved as you type)"
        elif self.detail is not None:
            notes.border_title = f"Note on {self.detail.name} (logged when you leave the pane)"
        else:
            notes.border_title = "Notes"

    def _load_notes(self, text: str) -> None:
        notes = self.query_one("#notes", NotesArea)
        self._loaded_notes = text
        self._pending_loads += 1
        notes.load_text(text)

    @on(TextArea.Changed, "#notes")
    def _notes_changed(self, event: TextArea.Changed) -> None:
        if self._pending_loads and event.text_area.text == self._loaded_notes:
            self._pending_loads -= 1
            return  # the desk filled the pane: nothing was typed
        if self.call is None and self.note_owner is None:
            self.note_owner = self.shown_id
        if self._notes_timer is not None:
            self._notes_timer.stop()
        self._notes_timer = self.set_timer(self.notes_delay, self._save_notes)

    def _save_notes(self) -> None:
        text = self.query_one("#notes", NotesArea).text
        if self.call is not None:
            self.call.notes = text
            self._save_call_notes(self.call.call_id, text)
        elif self.note_owner is not None:
            self._save_note_draft(self.note_owner, text)

    @work(thread=True, exclusive=True, group="notes")
    def _save_call_notes(self, call_id: int, text: str) -> None:
        from collectdesk.services.calls import save_call_notes

        try:
            save_call_notes(self.ctx, call_id, text)
        except Exception as exc:  # reported; the text stays in the pane and is saved next time
            self.post_message(Failed("saving the call notes", str(exc)))

    @work(thread=True, exclusive=True, group="notes")
    def _save_note_draft(self, customer_id: int, text: str) -> None:
        try:
            self.drafts.save(NoteDraft(customer_id, text))
        except OSError as exc:
            self.post_message(Failed("keeping the note draft", str(exc)))

    @on(NotesArea.Left)
    def _notes_left(self) -> None:
        if self.call is None:
            self._flush_account_note()
        else:
            self._flush_call_notes()

    def _flush_call_notes(self) -> None:
        if self.call is not None:
            if self._notes_timer is not None:
                self._notes_timer.stop()
            text = self.query_one("#notes", NotesArea).text
            if text != self.call.notes:
                self.call.notes = text
                self._save_call_notes(self.call.call_id, text)

    def _flush_account_note(self) -> None:
        """Log the note typed outside a call as one timeline entry, and empty the pane."""
        if self.call is not None or self.note_owner is None:
            return
        if self._notes_timer is not None:
            self._notes_timer.stop()
        owner, text = self.note_owner, self.query_one("#notes", NotesArea).text
        self.note_owner = None
        self._load_notes("")
        if text.strip():
            self._log_note(owner, text)
        else:
            self.drafts.clear()

    @work(thread=True, group="note-log")
    def _log_note(self, customer_id: int, text: str) -> None:
        try:
            self.drafts.save(NoteDraft(customer_id, text))
            add_note(self.ctx, customer_id, text)
            self.drafts.clear()
        except Exception as exc:  # the draft file keeps the text for the next start
            self.post_message(Failed("logging the note", str(exc)))
            return
        if customer_id == self.shown_id:
            self.app.call_from_thread(self._request_account, customer_id)

    def flush_before_exit(self) -> None:
        """Write whatever is in the notes pane, synchronously (the app is about to end)."""
        from collectdesk.services.calls import save_call_notes

        text = self.query_one("#notes", NotesArea).text
        try:
            if self.call is not None:
                save_call_notes(self.ctx, self.call.call_id, text)
            elif self.note_owner is not None and text.strip():
                self.drafts.save(NoteDraft(self.note_owner, text))
                add_note(self.ctx, self.note_owner, text)
                self.drafts.clear()
        except Exception:
            pass

    # ----- actions ------------------------------------------------------------------------------
    def action_refresh(self) -> None:
        """Reload today's list (in place)."""
        self._load_worklist()

    def action_page(self, step: int) -> None:
        """Next or previous page of today's list."""
        if self.page + step < 0 or (step > 0 and len(self.order) < self.ctx.settings.page_size):
            self.notify("No more pages", timeout=2)
            return
        self.page += step
        self.shown_id = None
        self._load_worklist()

    def action_notes(self) -> None:
        """Write in the notes pane."""
        if self.shown_id is None and self.call is None:
            self.notify("Pick an account first", timeout=3)
            return
        self.query_one("#notes", NotesArea).focus()

    def action_open_account(self) -> None:
        """Show the highlighted account now and move into its history."""
        table = self.query_one("#worklist", DataTable)
        if table.row_count:
            row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
            if row_key.value is not None:
                self.show_account(int(row_key.value))
        self.query_one("#history-pane", VerticalScroll).focus()

    def action_search(self) -> None:
        """Open the search."""
        from collectdesk.tui.search import SearchScreen

        self.app.push_screen(SearchScreen(self.ctx), self._search_done)

    def _search_done(self, choice: SearchChoice | None) -> None:
        if choice is None:
            return
        if choice.customer_id in self.rows:
            table = self.query_one("#worklist", DataTable)
            with table.prevent(DataTable.RowHighlighted):
                table.move_cursor(row=table.get_row_index(str(choice.customer_id)), animate=False)
        self.show_account(choice.customer_id)
        if choice.action == "call":
            self.action_start_call()

    def action_supervisor(self) -> None:
        """The supervisor view, for supervisors only."""
        if self.ctx.user.role != "supervisor":
            self.notify(
                f"{self.ctx.user.name} is a collector: the supervisor view is for "
                "supervisors. Ask a supervisor to run `collectdesk users add "
                f"{self.ctx.user.name} --role supervisor`.",
                title="Supervisors only",
                severity="warning",
            )
            return
        from collectdesk.tui.supervisor import SupervisorScreen

        self.app.push_screen(SupervisorScreen(self.ctx))

    # ----- the call -----------------------------------------------------------------------------
    def action_start_call(self) -> None:
        """Start a call on the account in the side panel."""
        if self.call is not None:
            self.notify(
                f"A call with {self.call.customer_name} is open — press e to end it first.",
                severity="warning",
            )
            return
        if self.shown_id is None:
            self.notify("Pick an account first", timeout=3)
            return
        self._flush_account_note()
        self._start_call_flow(self.shown_id)

    @work(exclusive=True, group="call")
    async def _start_call_flow(self, customer_id: int) -> None:
        from collectdesk.services.calls import CallBlocked, call_warnings, start_call
        from collectdesk.tui.dialogs import ContactPicker, OverrideDialog

        detail = self.detail if self.detail and self.detail.customer_id == customer_id else None
        if detail is None:
            detail = await asyncio.to_thread(account_detail, self.ctx, customer_id)
        reachable = [c for c in detail.contacts if c.phone and not c.wrong_number]
        contact: ContactLine | None = reachable[0] if len(reachable) == 1 else None
        if len(reachable) > 1:
            contact = await self.app.push_screen_wait(ContactPicker(detail.name, reachable))
            if contact is None:
                return
        contact_id = contact.contact_id if contact else None
        try:
            warnings = await asyncio.to_thread(call_warnings, self.ctx, customer_id, contact_id)
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
        self._load_notes("")
        self._set_notes_title()
        self._paint_topbar()
        self.show_account(customer_id)
        for warning in warnings:
            self.notify(warning, title="Careful", severity="warning", timeout=8)
        self.query_one("#notes", NotesArea).focus()

    def action_end_call(self) -> None:
        """Record the outcome of the open call."""
        if self.call is None:
            self.notify("No call is open — press c to call the selected account.", timeout=3)
            return
        self._flush_call_notes()
        self._end_call_flow(self.call)

    @work(exclusive=True, group="call")
    async def _end_call_flow(self, call: OpenCall) -> None:
        from collectdesk.domain.result_codes import result_codes
        from collectdesk.tui.forms import follow_up_form, needs_follow_up, plain_outcome
        from collectdesk.tui.next_action import NextActionDialog
        from collectdesk.tui.outcome import OutcomeDialog

        account = await asyncio.to_thread(account_detail, self.ctx, call.customer_id)
        codes = result_codes(self.ctx.settings.result_keys)
        error: OutcomeError | None = None
        step = "outcome"
        outcome: CallOutcome | None = None
        while True:
            if step == "outcome":
                code = await self.app.push_screen_wait(OutcomeDialog(call, codes, self.ctx.clock.now()))
                if code is None:
                    self.notify(f"The call with {call.customer_name} is still open.", timeout=4)
                    return
                step = "followup" if needs_follow_up(code) else "next"
                outcome = None if needs_follow_up(code) else plain_outcome(call.draft)
            elif step == "followup":
                outcome = await self.app.push_screen_wait(follow_up_form(self.ctx, call, account, error))
                error = None
                step = "outcome" if outcome is None else "next"
            else:
                assert outcome is not None
                result = await self.app.push_screen_wait(NextActionDialog(self.ctx, call, outcome))
                if result is None:
                    step = "followup" if needs_follow_up(outcome.result_code) else "outcome"
                elif isinstance(result, OutcomeError):
                    error = result
                    step = "followup" if needs_follow_up(outcome.result_code) else "outcome"
                    if step == "outcome":
                        self.notify(str(result), severity="error")
                else:
                    self._call_closed(call, outcome, result)
                    return

    def _call_closed(self, call: OpenCall, outcome: CallOutcome, closed: ClosedCall) -> None:
        self.call = None
        self.note_owner = None
        self._load_notes("")
        self._set_notes_title()
        self._paint_topbar()
        self.query_one("#worklist", DataTable).focus()
        self.notify(
            f"{call.customer_name}: {outcome.result_code} recorded, call closed.",
            title="Call closed",
            timeout=5,
        )
        self._load_worklist(after_close=call.customer_id)
