"""The desk application: one factory shared by the CLI, the tests and the benchmark."""

from __future__ import annotations

from concurrent.futures import Future
from typing import TYPE_CHECKING, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from collectdesk.resources import styles_dir
from collectdesk.services.context import AppContext
from collectdesk.tui.commands import DeskCommands
from collectdesk.tui.desk import DeskScreen, NotesArea
from collectdesk.tui.loading import FirstPage, start_first_page

# Help, dialogs and screens opened later are imported when first opened (start-up speed).
if TYPE_CHECKING:
    from collectdesk.tui.help import KeyHelp

_TABLE_MOVES = {"cursor_up", "cursor_down", "page_up", "page_down", "scroll_home", "scroll_end"}


class DeskApp(App[None]):
    """The collector's desk."""

    TITLE = "collectdesk"
    COMMANDS = App.COMMANDS | {DeskCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Keys", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, priority=True, id="app.palette"),
    ]

    def __init__(
        self,
        ctx: AppContext,
        *,
        cursor_blink: bool = True,
        notes_delay: float = 0.5,
        refresh_seconds: float = 60.0,
        first_page: Future[FirstPage] | None = None,
    ) -> None:
        super().__init__(css_path=[styles_dir() / "desk.tcss"])
        self.ctx = ctx
        self.cursor_blink = cursor_blink
        self.keymap = dict(ctx.settings.keys)
        # Today's first page is read while Textual starts, so the list is ready when the screen is.
        self.desk = DeskScreen(
            ctx,
            first_page=first_page or start_first_page(ctx),
            notes_delay=notes_delay,
            refresh_seconds=refresh_seconds,
        )
        self.exit_note: str | None = None

    def get_default_screen(self) -> Screen[None]:
        """The desk is the screen everything else opens over."""
        return self.desk

    def on_mount(self) -> None:
        """Apply the collector's key remapping."""
        self.set_keymap(self.keymap)

    def refresh_worklist(self) -> None:
        """Reload today's list in place (after upkeep changed promises or stages)."""
        self.desk.action_refresh()

    def help_lines(self) -> list[KeyHelp]:
        """Every key of the desk and its dialogs, as the keymap has them."""
        from textual.widgets import DataTable

        from collectdesk.domain.result_codes import result_codes
        from collectdesk.tui.forms import FollowUpForm
        from collectdesk.tui.help import KeyHelp, describe_bindings
        from collectdesk.tui.next_action import NextActionDialog
        from collectdesk.tui.outcome import OutcomeDialog
        from collectdesk.tui.promises_dialog import PromisesDialog
        from collectdesk.tui.search import SearchScreen

        keymap = self.keymap
        lines = describe_bindings(self, "Call list", DataTable.BINDINGS, keymap, actions=_TABLE_MOVES)
        lines += describe_bindings(self, "Desk", [*DeskScreen.BINDINGS, *self.BINDINGS], keymap)
        lines += describe_bindings(self, "Notes pane", NotesArea.BINDINGS, keymap)
        lines += describe_bindings(self, "Outcome dialog", OutcomeDialog.BINDINGS, keymap)
        lines += [
            KeyHelp("Outcome dialog", code.key, f"{code.code}: {code.label}")
            for code in result_codes(self.ctx.settings.result_keys)
        ]
        lines += describe_bindings(self, "Promise and other follow-up dialogs", FollowUpForm.BINDINGS, keymap)
        lines += describe_bindings(self, "Next action", NextActionDialog.BINDINGS, keymap)
        lines += describe_bindings(self, "Open promises", PromisesDialog.BINDINGS, keymap)
        lines += describe_bindings(self, "Search", SearchScreen.BINDINGS, keymap)
        return lines

    def action_help(self) -> None:
        """Show every key."""
        from collectdesk.tui.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.help_lines()))

    async def action_quit(self) -> None:
        """Quit; with a call open, confirm first — the call stays open and comes back next time."""
        from collectdesk.tui.dialogs import QuitDialog

        call = self.desk.call
        if call is None:
            self.desk.flush_before_exit()
            self.exit()
            return

        def answered(quit_anyway: bool | None) -> None:
            if quit_anyway:
                self.desk.flush_before_exit()
                self.exit_note = (
                    f"The call with {call.customer_name} is still open; it comes back "
                    "when you start the desk again, to be closed properly."
                )
                self.exit(message=self.exit_note)

        self.push_screen(QuitDialog(call.customer_name), answered)
