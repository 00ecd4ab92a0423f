"""The desk application: one factory shared by the CLI, the tests and the benchmark."""

from __future__ import annotations

from concurrent.futures import Future
from typing import TYPE_CHECKING, ClassVar

from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from collectdesk.resources import styles_dir
from collectdesk.services.context import AppContext
from collectdesk.tui.call_list import WorklistTable
from collectdesk.tui.commands import DeskCommands
from collectdesk.tui.desk import DeskScreen, NotesArea
from collectdesk.tui.loading import FirstPage, start_first_page
from collectdesk.tui.stack import SteadyScreenStack

# Help, dialogs and screens opened later are imported when first opened (start-up speed).
if TYPE_CHECKING:
    from collectdesk.tui.help import KeyHelp


class DeskApp(SteadyScreenStack):
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
        """Every key of the desk, its dialogs and the supervisor view, as the keymap has them; the keys
        of the screen help was opened from come first."""
        from collectdesk.domain.result_codes import result_codes
        from collectdesk.tui.dialogs import ContactPicker, OverrideDialog, QuitDialog
        from collectdesk.tui.forms import FollowUpForm
        from collectdesk.tui.help import HelpScreen, KeyHelp, current_first, describe_bindings, supervisor_help
        from collectdesk.tui.next_action import NextActionDialog
        from collectdesk.tui.outcome import OutcomeDialog
        from collectdesk.tui.promises_dialog import PromisesDialog
        from collectdesk.tui.search import SearchScreen
        from collectdesk.tui.supervisor import CustomRangeDialog, SupervisorScreen

        keymap = self.keymap
        lines = describe_bindings(self, "Call list", WorklistTable.BINDINGS, keymap)
        lines += describe_bindings(self, "Desk", [*DeskScreen.BINDINGS, *self.BINDINGS], keymap)
        lines += describe_bindings(self, "Notes pane", NotesArea.BINDINGS, keymap)
        lines += describe_bindings(self, "Call whom", ContactPicker.BINDINGS, keymap)
        lines += describe_bindings(self, "Blocked call", OverrideDialog.BINDINGS, keymap)
        lines += describe_bindings(self, "Outcome dialog", OutcomeDialog.BINDINGS, keymap)
        lines += [
            KeyHelp("Outcome dialog", code.key, f"{code.code}: {code.label}", f"[result_keys] {code.code}")
            for code in result_codes(self.ctx.settings.result_keys)
        ]
        lines += describe_bindings(self, "Promise and other follow-up dialogs", FollowUpForm.BINDINGS, keymap)
        lines += describe_bindings(self, "Next action", NextActionDialog.BINDINGS, keymap)
        lines += describe_bindings(self, "Open promises", PromisesDialog.BINDINGS, keymap)
        lines += describe_bindings(self, "Search", SearchScreen.BINDINGS, keymap)
        lines += describe_bindings(self, "Quit with a call open", QuitDialog.BINDINGS, keymap)
        if self.ctx.user.role == "supervisor":
            lines += supervisor_help(self, keymap, self.BINDINGS)
        else:
            lines += describe_bindings(self, "This help", HelpScreen.BINDINGS, keymap)
        sections: dict[type, str] = {
            SupervisorScreen: "Supervisor view",
            CustomRangeDialog: "Custom period dialog",
            SearchScreen: "Search",
            OutcomeDialog: "Outcome dialog",
            FollowUpForm: "Promise and other follow-up dialogs",
            NextActionDialog: "Next action",
            ContactPicker: "Call whom",
            OverrideDialog: "Blocked call",
            QuitDialog: "Quit with a call open",
        }
        here = next((name for kind, name in sections.items() if isinstance(self.screen, kind)), "")
        return current_first(lines, here)

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
