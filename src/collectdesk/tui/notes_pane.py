"""The notes pane: the open call's notes (saved as they are typed) or a note on the shown account."""

from __future__ import annotations

from typing import ClassVar

from textual import events, on, work
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.timer import Timer
from textual.widgets import TextArea

from collectdesk.services.accounts import add_note
from collectdesk.services.context import AppContext
from collectdesk.tui.call_state import OpenCall
from collectdesk.tui.drafts import NoteDraft, NoteDraftStore
from collectdesk.tui.work_failures import ReportsWorkFailures


class NotesArea(ReportsWorkFailures, TextArea):
    """During a call its notes; otherwise a note on the shown account, logged when leaving the pane."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "leave", "Back to the list", id="notes.leave")]

    class LeaveRequested(Message):
        """The collector asked to go back to the list."""

    class NoteLogged(Message):
        """A note was written to an account's timeline."""

        def __init__(self, customer_id: int) -> None:
            super().__init__()
            self.customer_id = customer_id

    def __init__(self, ctx: AppContext, *, delay: float, id: str | None = None) -> None:
        super().__init__(id=id, soft_wrap=True, tab_behavior="focus")
        self.ctx = ctx
        self.delay = delay
        self.drafts = NoteDraftStore(ctx.user.name)
        self.call: OpenCall | None = None
        self.subject_id: int | None = None  # the account a note typed now is about
        self.subject_name: str | None = None
        self.note_owner: int | None = None  # the account of the note being typed (set by the first key)
        self._timer: Timer | None = None
        self._filled = ""  # what the desk last filled the pane with (not typed)
        self._pending_fills = 0

    def on_mount(self) -> None:
        """The title says what the pane is for."""
        self._retitle()

    # ----- what the pane is about ---------------------------------------------------------------
    def about(self, customer_id: int, name: str | None = None) -> None:
        """The shown account changed (or was painted): a note typed for another one is logged first."""
        if customer_id != self.subject_id:
            self.flush_account_note()
            self.subject_id, self.subject_name = customer_id, None
        if name is not None:
            self.subject_name = name
        self._retitle()

    def for_call(self, call: OpenCall) -> None:
        """The pane now holds the call's notes."""
        self.flush_account_note()
        self.call = call
        self._fill(call.notes)
        self._retitle()

    def call_closed(self) -> None:
        """Back to notes on accounts, with an empty pane."""
        self.call = None
        self.note_owner = None
        self._fill("")
        self._retitle()

    def _retitle(self) -> None:
        if self.call is not None:
            self.border_title = f"Notes — call with {self.call.customer_name} (saved as you type)"
        elif self.subject_name is not None:
            self.border_title = f"Note on {self.subject_name} (logged when you leave the pane)"
        else:
            self.border_title = "Notes"

    def _fill(self, text: str) -> None:
        self._filled = text
        self._pending_fills += 1
        self.load_text(text)

    # ----- typing and saving --------------------------------------------------------------------
    @on(TextArea.Changed)
    def _typed(self, event: TextArea.Changed) -> None:
        if event.text_area is not self:
            return
        event.stop()
        if self._pending_fills and self.text == self._filled:
            self._pending_fills -= 1
            return  # the desk filled the pane: nothing was typed
        if self.call is None and self.note_owner is None:
            self.note_owner = self.subject_id
        self._stop_timer()
        self._timer = self.set_timer(self.delay, self._save)

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.stop()

    def _save(self) -> None:
        if self.call is not None:
            self.call.notes = self.text
            self._save_call_notes(self.call.call_id, self.text)
        elif self.note_owner is not None:
            self._save_draft(self.note_owner, self.text)

    @work(thread=True, exclusive=True, group="notes", exit_on_error=False, description="saving the call notes")
    def _save_call_notes(self, call_id: int, text: str) -> None:
        from collectdesk.services.calls import save_call_notes

        save_call_notes(self.ctx, call_id, text)  # on failure the text stays here and is saved next time

    @work(thread=True, exclusive=True, group="notes", exit_on_error=False, description="keeping the note draft")
    def _save_draft(self, customer_id: int, text: str) -> None:
        self.drafts.save(NoteDraft(customer_id, text))

    def on_blur(self, event: events.Blur) -> None:
        """Leaving the pane saves the call's notes or logs the account note."""
        self.flush()

    def action_leave(self) -> None:
        """Back to the call list."""
        self.post_message(self.LeaveRequested())

    def flush(self) -> None:
        """Save what was typed now rather than after the pause."""
        if self.call is None:
            self.flush_account_note()
        else:
            self.flush_call_notes()

    def flush_call_notes(self) -> None:
        """Save the call's notes now if they changed."""
        if self.call is not None:
            self._stop_timer()
            if self.text != self.call.notes:
                self.call.notes = self.text
                self._save_call_notes(self.call.call_id, self.text)

    def flush_account_note(self) -> None:
        """Log the note typed outside a call as one timeline entry, and empty the pane."""
        if self.call is not None or self.note_owner is None:
            return
        self._stop_timer()
        owner, text = self.note_owner, self.text
        self.note_owner = None
        self._fill("")
        if text.strip():
            self._log_note(owner, text)
        else:
            self.drafts.clear()

    @work(thread=True, group="note-log", exit_on_error=False, description="logging the note")
    def _log_note(self, customer_id: int, text: str) -> None:
        self.drafts.save(NoteDraft(customer_id, text))  # kept for the next start if the database fails
        add_note(self.ctx, customer_id, text)
        self.drafts.clear()
        self.post_message(self.NoteLogged(customer_id))

    @work(thread=True, group="note-log", exit_on_error=False, description="saving the note left from last time")
    def log_left_over(self) -> None:
        """A note typed before the desk last closed goes to its account's timeline."""
        draft = self.drafts.load()
        if draft is None:
            return
        logged = add_note(self.ctx, draft.customer_id, draft.text)
        self.drafts.clear()
        if logged is not None:
            self.app.call_from_thread(
                self.notify,
                "A note typed before the desk closed was saved to the account's timeline.",
                title="Note kept",
            )

    def flush_before_exit(self) -> None:
        """Write what is in the pane, synchronously (the app is about to end; a failure is not hidden)."""
        from collectdesk.services.calls import save_call_notes

        self._stop_timer()
        if self.call is not None:
            save_call_notes(self.ctx, self.call.call_id, self.text)
        elif self.note_owner is not None and self.text.strip():
            self.drafts.save(NoteDraft(self.note_owner, self.text))
            add_note(self.ctx, self.note_owner, self.text)
            self.drafts.clear()
