"""The desk application: one factory shared by the CLI, the tests and the benchmark."""

from __future__ import annotations

from concurrent.futures import Future
from typing import TYPE_CHECKING, ClassVar

from textual import events
from textual.app import App
from textual.binding import Binding, BindingType
from textual.screen import Screen

from collectdesk.resources import styles_dir
from collectdesk.tui.commands import DeskCommands
from collectdesk.tui.stack import SteadyScreenStack

# The desk's screens and the database layers are imported when the desk opens: an opening frame
# paints today's rows before them. Help, dialogs and later screens are imported when first opened.
if TYPE_CHECKING:
    from collectdesk.services.context import AppContext
    from collectdesk.tui.desk import DeskScreen
    from collectdesk.tui.help import KeyHelp
    from collectdesk.tui.loading import FirstPage
    from collectdesk.tui.opening import Opening


# The longest the keys pressed while the desk opens wait for its panel, and how often it is looked at.
HELD_KEYS_SECONDS = 3.0
HELD_KEYS_POLL = 0.02


class DeskApp(SteadyScreenStack):
    """The collector's desk."""

    TITLE = "collectdesk"
    COMMANDS = App.COMMANDS | {DeskCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Keys", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
        Binding("ctrl+p", "command_palette", "Commands", show=False, priority=True, id="app.palette"),
    ]

    ctx: AppContext
    desk: DeskScreen

    def __init__(
        self,
        ctx: AppContext | None,
        *,
        cursor_blink: bool = True,
        notes_delay: float = 0.5,
        refresh_seconds: float = 60.0,
        first_page: Future[FirstPage] | None = None,
        opening: Opening | None = None,
    ) -> None:
        super().__init__(css_path=[styles_dir() / "desk.tcss"])
        self.cursor_blink = cursor_blink
        self.keymap: dict[str, str] = {}
        self.exit_note: str | None = None
        self.opening = opening
        self.opening_error: str | None = None  # why the desk could not open behind its opening frame
        self._notes_delay = notes_delay
        self._refresh_seconds = refresh_seconds
        # Keys pressed before the desk's list is painted (behind an opening frame), pressed there then.
        self._held_keys: list[events.Key] | None = None if opening is None else []
        if ctx is not None:
            self._open(ctx, first_page)
        elif opening is None:
            raise ValueError("the desk needs a context, or an opening frame and how to open one")

    @property
    def is_open(self) -> bool:
        """Whether the desk itself is there (not only its opening frame)."""
        return "desk" in self.__dict__

    def _open(self, ctx: AppContext, first_page: Future[FirstPage] | None) -> None:
        from collectdesk.tui.desk import DeskScreen
        from collectdesk.tui.loading import start_first_page

        self.ctx = ctx
        self.keymap = dict(ctx.settings.keys)
        # Today's first page is read while Textual starts, so the list is ready when the screen is.
        self.desk = DeskScreen(
            ctx,
            first_page=first_page or start_first_page(ctx),
            notes_delay=self._notes_delay,
            refresh_seconds=self._refresh_seconds,
        )

    def get_default_screen(self) -> Screen[None]:
        """The desk is the screen everything else opens over (its opening frame until it is open)."""
        if self.is_open:
            return self.desk
        from collectdesk.tui.opening import OpeningScreen

        assert self.opening is not None
        return OpeningScreen(self.opening)

    def on_mount(self) -> None:
        """Apply the collector's key remapping; behind an opening frame, open the desk once it shows."""
        if self.is_open:
            self.set_keymap(self.keymap)
        else:
            self.call_after_refresh(self._open_behind)

    def _open_behind(self) -> None:
        self.run_worker(self._open_in_thread, thread=True, exit_on_error=False, description="opening the desk")

    def _open_in_thread(self) -> None:
        assert self.opening is not None
        try:
            ctx = self.opening.open_context()
            from collectdesk.tui.loading import start_first_page

            first_page = start_first_page(ctx)
            import collectdesk.tui.desk  # noqa: F401  (imported here, off the event loop)
        except Exception as exc:  # said on the way out; the frame never pretends to be the desk
            self.call_from_thread(self._could_not_open, str(exc) or type(exc).__name__)
            return
        self.call_from_thread(self._take_over, ctx, first_page)

    def _could_not_open(self, error: str) -> None:
        self.opening_error = error
        self.exit(return_code=1)

    def _take_over(self, ctx: AppContext, first_page: Future[FirstPage]) -> None:
        """The desk replaces its opening frame, on the account the cursor was moved to meanwhile."""
        from collectdesk.tui.opening import OpeningScreen

        frame = self.screen if isinstance(self.screen, OpeningScreen) else None
        highlighted = frame.highlighted if frame is not None else None
        self._open(ctx, first_page)
        self.set_keymap(self.keymap)
        if highlighted is not None:
            self.desk.call_list.preselect(highlighted)
        self.push_screen(self.desk)  # over the frame: replacing the bottom screen empties the stack for a moment
        if self.opening is not None and self.opening.after_open is not None:
            self.opening.after_open(ctx, self)

    async def on_event(self, event: events.Event) -> None:
        """Keep the keys meant for the desk while it opens (see ``tui/opening.py``)."""
        if self._held_keys is not None and isinstance(event, events.Key):
            from collectdesk.tui.opening import OpeningScreen, waits_for_the_desk

            on_frame = not self.screen_stack or isinstance(self.screen_stack[-1], OpeningScreen)
            if waits_for_the_desk(event, on_frame):
                self._held_keys.append(events.Key(event.key, event.character))
                return
        await super().on_event(event)

    def on_call_list_painted(self) -> None:
        """The desk's list is on the screen: once the top account is in the panel too, the keys
        pressed meanwhile act there, in order."""
        if self._held_keys is not None:
            self._press_held_keys_when_shown(0.0)

    def _press_held_keys_when_shown(self, waited: float) -> None:
        # Looked at, not told: the panel's message stops at the desk. A panel that cannot be read
        # (or an empty list) holds the keys no longer than a moment.
        if self.desk.call_list.rows and self.desk.detail is None and waited < HELD_KEYS_SECONDS:
            self.set_timer(HELD_KEYS_POLL, lambda: self._press_held_keys_when_shown(waited + HELD_KEYS_POLL))
            return
        self._press_held_keys()

    def _press_held_keys(self) -> None:
        held, self._held_keys = self._held_keys, None
        for key in held or []:
            self.post_message(key)

    def refresh_worklist(self) -> None:
        """Reload today's list in place (after upkeep changed promises or stages)."""
        if self.is_open:
            self.desk.action_refresh()

    def help_lines(self) -> list[KeyHelp]:
        """Every key of the desk, its dialogs and the supervisor view, as the keymap has them; the keys
        of the screen help was opened from come first."""
        from collectdesk.domain.result_codes import result_codes
        from collectdesk.tui.call_list import WorklistTable
        from collectdesk.tui.desk import DeskScreen, NotesArea
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

        if not self.is_open:
            return  # the keys are listed once the desk has opened, a moment from now
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.help_lines()))

    async def action_quit(self) -> None:
        """Quit; with a call open, confirm first — the call stays open and comes back next time."""
        from collectdesk.tui.dialogs import QuitDialog

        if not self.is_open:
            self.exit()
            return
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
