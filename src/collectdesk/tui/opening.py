"""The desk's opening frame: today's first rows, read with plain SQL, on screen while the database
layers are imported and opened behind them; the desk takes over in the same place."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from textual import events
from textual.app import App, ComposeResult
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from collectdesk.tui.list_cells import COLUMNS, LOCAL_WIDTH, list_cells

if TYPE_CHECKING:
    from collectdesk.services.context import AppContext
    from collectdesk.services.worklist_rows import WorklistRow


# What acts at once while the desk opens: quitting, and (on the frame) the cursor, which the desk
# takes over. Every other key waits for the desk's list and is then pressed there, in order.
_QUIT_KEYS = frozenset({"q", "ctrl+q", "ctrl+c"})
_CURSOR_KEYS = frozenset({"up", "down", "pageup", "pagedown", "home", "end", "ctrl+home", "ctrl+end"})


def waits_for_the_desk(event: events.Key, on_frame: bool) -> bool:
    """Whether this key is one to keep until the desk's list is painted."""
    if event.is_forwarded or event.key in _QUIT_KEYS:
        return False
    return not (on_frame and event.key in _CURSOR_KEYS)


@dataclass(frozen=True)
class Opening:
    """What the frame shows and how the real desk is opened behind it."""

    rows: list[WorklistRow]
    user: str
    now: datetime
    open_context: Callable[[], AppContext]
    # Run once the desk has taken over (the CLI starts the upkeep there).
    after_open: Callable[[AppContext, App[Any]], object] | None = None


class OpeningScreen(Screen[None]):
    """The call list as the desk will show it, with the account panel still to come."""

    def __init__(self, opening: Opening) -> None:
        super().__init__()
        self.opening = opening

    def compose(self) -> ComposeResult:
        """The top bar, the list and the footer, with the desk's ids so its styles apply."""
        yield Static("collectdesk · opening the desk…", id="topbar")
        yield DataTable(id="worklist", cursor_type="row", zebra_stripes=True)
        yield Static("Opening the account panel…", id="list-status")
        yield Footer()

    def on_mount(self) -> None:
        """Paint the rows; the cursor starts on the top account, as on the desk."""
        table: DataTable[object] = self.query_one("#worklist", DataTable)
        for label, key in COLUMNS:
            table.add_column(label, key=key, width=LOCAL_WIDTH if key == "local" else None)
        for row in self.opening.rows:
            table.add_row(*list_cells(row, None, self.opening.now, self.opening.user), key=str(row.customer_id))
        table.focus()

    @property
    def highlighted(self) -> int | None:
        """The account the cursor is on (moved with the arrows while the desk opens)."""
        table: DataTable[object] = self.query_one("#worklist", DataTable)
        if not table.row_count:
            return None
        key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        return int(key) if key is not None else None
