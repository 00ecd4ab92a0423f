"""Find any account — on today's list or not — by name, ref, invoice number or phone."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from collectdesk.domain.money import format_amount
from collectdesk.services.accounts import SearchHit, search_accounts
from collectdesk.services.context import AppContext
from collectdesk.tui.util import settle_cursors


@dataclass(frozen=True)
class SearchChoice:
    """The account picked in the search and what to do with it."""

    customer_id: int
    action: str  # "open" | "call"


class SearchScreen(ModalScreen[SearchChoice | None]):
    """Results as you type; enter opens the account, ``c`` calls it, escape goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Back", id="search.cancel"),
        Binding("down", "to_results", "Results", show=False, id="search.results"),
        Binding("c", "call", "Call", id="search.call"),
    ]

    class Found(Message):
        """Search results arrived for a query."""

        def __init__(self, query: str, hits: list[SearchHit], error: str | None = None) -> None:
            super().__init__()
            self.query = query
            self.hits = hits
            self.error = error

    def __init__(self, ctx: AppContext, delay: float = 0.15) -> None:
        super().__init__()
        self.ctx = ctx
        self.delay = delay
        self.latest = ""
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        """A query field and the results."""
        with Vertical(id="search-dialog", classes="dialog"):
            yield Static("Search accounts — name, ref, invoice number or phone", classes="dialog-title")
            yield Input(placeholder="type to search", id="query")
            table: DataTable[str] = DataTable(id="results", cursor_type="row", zebra_stripes=True)
            yield table
            yield Static(id="search-status", classes="dialog-help")
            yield Static(
                "↓: results · enter: open · c: call (from the results) · escape: back",
                classes="dialog-help",
            )

    def on_mount(self) -> None:
        """Columns and focus."""
        table = self.query_one("#results", DataTable)
        for label, key in (
            ("Ref", "ref"),
            ("Customer", "name"),
            ("Open", "open"),
            ("Stage", "stage"),
            ("Next", "next"),
            ("Matched", "matched"),
        ):
            table.add_column(label, key=key)
        self.query_one("#query", Input).focus()
        settle_cursors(self)

    @on(Input.Changed, "#query")
    def _typed(self, event: Input.Changed) -> None:
        self.latest = event.value
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(self.delay, lambda: self._search(event.value))

    @work(thread=True, exclusive=True, group="search")
    def _search(self, query: str) -> None:
        try:
            hits = search_accounts(self.ctx, query, limit=50)
        except Exception as exc:  # shown to the collector; the desk keeps running
            self.post_message(self.Found(query, [], str(exc)))
            return
        self.post_message(self.Found(query, hits))

    @on(Found)
    def _show(self, message: Found) -> None:
        if message.query != self.latest:
            return  # an older query; a newer one is on its way
        table = self.query_one("#results", DataTable)
        table.clear()
        for hit in message.hits:
            table.add_row(
                hit.ref,
                hit.name,
                format_amount(hit.open_balance, hit.currency),
                hit.stage.replace("_", " "),
                hit.next_action_on.isoformat() if hit.next_action_on else "today",
                hit.matched,
                key=str(hit.customer_id),
            )
        status = self.query_one("#search-status", Static)
        if message.error:
            status.update(f"Search failed: {message.error}")
        elif message.query.strip():
            status.update(f"{len(message.hits)} account(s)" if message.hits else "No account matches")
        else:
            status.update("")

    @on(Input.Submitted, "#query")
    def _submitted(self) -> None:
        self._choose("open")

    @on(DataTable.RowSelected, "#results")
    def _selected(self) -> None:
        self._choose("open")

    def _choose(self, action: str) -> None:
        table = self.query_one("#results", DataTable)
        if table.row_count == 0:
            return
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        if row_key.value is not None:
            self.dismiss(SearchChoice(int(row_key.value), action))

    def action_to_results(self) -> None:
        """Move from the query to the results."""
        self.query_one("#results", DataTable).focus()

    def action_call(self) -> None:
        """Start a call on the highlighted result (only from the results, so ``c`` can be typed)."""
        if self.focused is self.query_one("#results", DataTable):
            self._choose("call")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """``c`` calls only while the results have focus."""
        if action == "call":
            return isinstance(self.focused, DataTable)
        return True

    def action_cancel(self) -> None:
        """Back to the desk."""
        self.dismiss(None)
