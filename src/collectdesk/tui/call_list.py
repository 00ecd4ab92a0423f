"""Today's call list: the ranked rows, their local-time marks, paging, and which account is selected."""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Future
from typing import ClassVar

from rich.cells import cell_len
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static
from textual.widgets.data_table import ColumnKey

from collectdesk.services.accounts import CallableNow, callable_now
from collectdesk.services.context import AppContext
from collectdesk.services.worklist import WorklistRow, build_worklist, has_customers
from collectdesk.tui.list_cells import COLUMNS, LOCAL_WIDTH, list_cells, local_cell
from collectdesk.tui.loading import AccountRead, FirstPage
from collectdesk.tui.work_failures import ReportsWorkFailures


class WorklistTable(DataTable[str | Text]):
    """The list's table: every key has an id, and home/end go to the first and last account."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open account", show=False, id="list.open"),
        Binding("up", "cursor_up", "Previous account", show=False, id="list.up"),
        Binding("down", "cursor_down", "Next account", show=False, id="list.down"),
        Binding("right", "cursor_right", "Scroll right", show=False, id="list.right"),
        Binding("left", "cursor_left", "Scroll left", show=False, id="list.left"),
        Binding("pageup", "page_up", "Page up", show=False, id="list.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="list.page_down"),
        Binding("home,ctrl+home", "scroll_top", "First account", show=False, id="list.first"),
        Binding("end,ctrl+end", "scroll_bottom", "Last account", show=False, id="list.last"),
    ]

    def _come_back(self) -> bool:
        """With no row highlighted (the panel shows an account off the list), a move shows the cursor."""
        if self.show_cursor or not self.row_count:
            return False
        self.show_cursor = True  # posts RowHighlighted for the row under it
        return True

    def action_cursor_up(self) -> None:
        """Previous account."""
        if not self._come_back():
            super().action_cursor_up()

    def action_cursor_down(self) -> None:
        """Next account."""
        if not self._come_back():
            super().action_cursor_down()

    def action_scroll_top(self) -> None:
        """First account on the page."""
        self._come_back()
        super().action_scroll_top()

    def action_scroll_bottom(self) -> None:
        """Last account on the page."""
        self._come_back()
        super().action_scroll_bottom()


class _PageRead(Message):
    """A page of today's list arrived from the worker (handled by the list itself)."""

    def __init__(
        self, rows: list[WorklistRow], after_close: int | None, top: AccountRead | None, *, empty_db: bool = False
    ) -> None:
        super().__init__()
        self.rows = rows
        self.after_close = after_close
        self.top = top
        self.empty_db = empty_db


class _MarksRead(Message):
    """Local times and callable marks for the accounts on the list (they follow the rows)."""

    def __init__(self, marks: Mapping[int, CallableNow]) -> None:
        super().__init__()
        self.marks = marks


class CallList(ReportsWorkFailures, Vertical):
    """The ranked list of today's accounts and the status line under it."""

    class Selected(Message):
        """The highlighted account changed: the collector moved, or a reload moved the cursor."""

        def __init__(self, customer_id: int, top: AccountRead | None = None) -> None:
            super().__init__()
            self.customer_id = customer_id
            self.top = top  # the account's detail when it was read with the first page

    class Opened(Message):
        """The collector pressed enter on an account."""

        def __init__(self, customer_id: int) -> None:
            super().__init__()
            self.customer_id = customer_id

    class Painted(Message):
        """A page's rows are on the screen."""

    class MarksPainted(Message):
        """The rows' local times and callable marks are on the screen (read again with each page)."""

    def __init__(self, ctx: AppContext, *, first_page: Future[FirstPage] | None = None, id: str | None = None) -> None:
        super().__init__(id=id)
        self.ctx = ctx
        self._first_page = first_page
        self.rows: dict[int, WorklistRow] = {}
        self.marks: dict[int, CallableNow] = {}
        self.order: list[int] = []
        self.page = 0
        self.loaded = False
        self.empty_db = False  # no customer at all yet: the status says how to bring them in
        self._selected: int | None = None
        self._off_list: int | None = None  # selected, though not on the list: no row is highlighted

    def compose(self) -> ComposeResult:
        """The table and its status line."""
        yield WorklistTable(id="worklist", cursor_type="row", zebra_stripes=True)
        yield Static("Loading today's list…", id="list-status")

    def on_mount(self) -> None:
        """The columns; the first page is read at once."""
        table = self.table
        for label, key in COLUMNS:
            # The local time arrives after the rows; a fixed width ("00:00+✗") keeps its mark from being cut.
            table.add_column(label, key=key, width=LOCAL_WIDTH if key == "local" else None)
        self.load()

    @property
    def table(self) -> WorklistTable:
        """The table of rows."""
        return self.query_one("#worklist", WorklistTable)

    @property
    def selected_id(self) -> int | None:
        """The highlighted account (None when the panel shows an account that is not on the list)."""
        return self._selected

    def focus_list(self) -> None:
        """Give the keyboard to the list."""
        self.table.focus()

    # ----- loading ------------------------------------------------------------------------------
    def load(self, after_close: int | None = None) -> None:
        """Reload the current page in place (``after_close``: the account whose call just closed)."""
        self._read_page(after_close)

    def turn_page(self, step: int) -> bool:
        """Next or previous page; False when there is none."""
        if self.page + step < 0 or (step > 0 and len(self.order) < self.ctx.settings.page_size):
            return False
        self.page += step
        self._selected = self._off_list = None
        self._read_page(None)
        return True

    @work(thread=True, exclusive=True, group="worklist", exit_on_error=False, description="loading today's list")
    def _read_page(self, after_close: int | None) -> None:
        top: AccountRead | None = None
        if self._first_page is not None and self.page == 0 and after_close is None:
            future, self._first_page = self._first_page, None
            first = future.result()
            rows, top = first.rows, first.top
        else:
            size = self.ctx.settings.page_size
            rows = build_worklist(self.ctx, limit=size, offset=self.page * size)
        empty_db = not rows and self.page == 0 and not has_customers(self.ctx)
        self.post_message(_PageRead(rows, after_close, top, empty_db=empty_db))

    @work(thread=True, exclusive=True, group="marks", exit_on_error=False, description="loading today's list")
    def _read_marks(self, customer_ids: list[int]) -> None:
        self.post_message(_MarksRead(callable_now(self.ctx, customer_ids)))

    # ----- painting -----------------------------------------------------------------------------
    @on(_PageRead)
    def _paint_page(self, message: _PageRead) -> None:
        message.stop()
        table = self.table
        old_order = list(self.order)
        now = self.ctx.clock.now()
        self.rows = {row.customer_id: row for row in message.rows}
        self.order = [row.customer_id for row in message.rows]
        with table.prevent(DataTable.RowHighlighted):
            wanted = {str(cid) for cid in self.order}
            for stale in [k for k in table.rows if k.value not in wanted]:
                table.remove_row(stale)
            for row in message.rows:
                cells = list_cells(row, self.marks.get(row.customer_id), now, self.ctx.user.name)
                key = str(row.customer_id)
                if key in table.rows:
                    for (_, column), value in zip(COLUMNS, cells, strict=True):
                        if table.get_cell(key, column) != value:
                            self._set_cell(table, key, column, value)
                else:
                    table.add_row(*cells, key=key)
            table.sort("rank", key=lambda rank: int(str(rank)))
        self.loaded = True
        self.empty_db = message.empty_db
        self._paint_status()
        target = self._target(old_order, message.after_close)
        if target is not None:
            moved = target != self._selected
            self.select(target)
            if moved or message.top is not None or message.after_close is not None:
                top = message.top if message.top is not None and message.top.customer_id == target else None
                self.post_message(self.Selected(target, top))
        # The phone-number time zones cost more than the rows: they wait until the rows are painted
        # rather than compete with that first paint. Asked through the table, which lays its new rows
        # out when idle: from here, the callback ran before that layout and the refresh that shows them.
        table.call_after_refresh(self._after_paint, list(self.order))

    def _after_paint(self, customer_ids: list[int]) -> None:
        self._read_marks(customer_ids)
        self.post_message(self.Painted())

    def _target(self, old_order: list[int], after_close: int | None) -> int | None:
        """Where the cursor goes after a reload (None: it stays off the list)."""
        if not self.order:
            return None
        if after_close is not None:
            # The next account after the one just closed that can be called now, in the order the
            # collector saw (then from the top); when none can be, simply the next one.
            following = old_order[old_order.index(after_close) + 1 :] if after_close in old_order else []
            candidates = [cid for cid in [*following, *self.order] if cid in self.rows and cid != after_close]
            callable_now = (cid for cid in candidates if (mark := self.marks.get(cid)) and mark.callable)
            return next(callable_now, next(iter(candidates), self.order[0]))
        if self._off_list is not None:
            # The panel shows an account that was not on the list: highlight it once it is.
            return self._off_list if self._off_list in self.rows else None
        if self._selected in self.rows:
            return self._selected
        # The highlighted account left the list: the one after it, as the collector saw the list.
        following = old_order[old_order.index(self._selected) + 1 :] if self._selected in old_order else []
        return next((cid for cid in following if cid in self.rows), self.order[0])

    @on(_MarksRead)
    def _paint_marks(self, message: _MarksRead) -> None:
        message.stop()
        self.marks.update(message.marks)
        table = self.table
        for customer_id, status in message.marks.items():
            key = str(customer_id)
            if key in table.rows:
                cell = local_cell(status)
                if table.get_cell(key, "local") != cell:
                    self._set_cell(table, key, "local", cell)
        self.post_message(self.MarksPainted())

    @staticmethod
    def _set_cell(table: DataTable[str | Text], row: str, column: str, value: str | Text) -> None:
        # Only a wider value resizes the column: a narrower one would make the table re-measure the
        # whole column for every cell (slow on a 200-row page); columns simply do not shrink.
        width = value.cell_len if isinstance(value, Text) else cell_len(value)
        wider = width > table.columns[ColumnKey(column)].content_width
        table.update_cell(row, column, value, update_width=wider)

    def _paint_status(self) -> None:
        size = self.ctx.settings.page_size
        count = len(self.order)
        first = self.page * size + 1
        if self.empty_db:
            self.query_one("#list-status", Static).update(
                "No customers yet: `collectdesk import customers FILE.csv` (or an aging report:"
                " `collectdesk import aging FILE`), or `collectdesk demo` to try the desk"
            )
            return
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

    # ----- the selection ------------------------------------------------------------------------
    def preselect(self, customer_id: int) -> None:
        """Before the first page paints: start the cursor on this account when the page holds it
        (the one the collector moved to on the opening frame)."""
        self._selected = customer_id

    def select(self, customer_id: int) -> bool:
        """Highlight an account; one that is not on the list leaves no row highlighted (False)."""
        table = self.table
        key = str(customer_id)
        if key not in table.rows:
            self._selected, self._off_list = None, customer_id
            table.show_cursor = False
            return False
        self._selected, self._off_list = customer_id, None
        with table.prevent(DataTable.RowHighlighted):
            table.show_cursor = True
            table.move_cursor(row=table.get_row_index(key), animate=False)
        return True

    @on(DataTable.RowHighlighted, "#worklist")
    def _highlighted(self, event: DataTable.RowHighlighted) -> None:
        event.stop()
        if event.row_key.value is not None:
            self._selected, self._off_list = int(event.row_key.value), None
            self.post_message(self.Selected(self._selected))

    @on(DataTable.RowSelected, "#worklist")
    def _opened(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.Opened(int(event.row_key.value)))
