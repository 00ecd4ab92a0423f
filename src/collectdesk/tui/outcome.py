"""The outcome dialog: one keystroke per result code, and whether payment was asked for."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from collectdesk.domain.result_codes import ResultCode
from collectdesk.tui.call_state import OpenCall


class OutcomeDialog(ModalScreen[str | None]):
    """Pick how the call ended; escape returns to the desk with the call still open."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back to desk (call stays open)", id="outcome.back"),
        Binding("y", "asked(True)", "Payment asked", id="outcome.asked_yes"),
        Binding("n", "asked(False)", "Not asked", id="outcome.asked_no"),
        Binding("enter", "proceed", "Continue", id="outcome.continue"),
    ]

    def __init__(self, call: OpenCall, codes: list[ResultCode], now: datetime) -> None:
        super().__init__()
        self.call = call
        self.codes = codes
        self.now = now
        # An answer remembered from an earlier opening must not let a digit close the dialog: a
        # collector who types "1 y" by habit would otherwise land the "y" in the next form.
        self._asked_here = False

    def compose(self) -> ComposeResult:
        """Title, the code table, the payment-asked toggle and a message line."""
        with Vertical(id="outcome-dialog", classes="dialog"):
            who = f" ({self.call.contact})" if self.call.contact else ""
            yield Static(
                f"End call — {self.call.customer_name}{who} · {self.call.elapsed(self.now)}",
                classes="dialog-title",
            )
            yield Static(id="codes")
            yield Static(id="asked")
            yield Static(id="outcome-message", classes="field-error")
            yield Static(
                "digit: result · y/n: payment asked · enter: continue · escape: back to the desk (the call stays open)",
                classes="dialog-help",
            )

    def on_mount(self) -> None:
        """Show the draft's choices (re-opening shows what was picked before)."""
        self._paint()

    def _paint(self, message: str = "") -> None:
        draft = self.call.draft
        table = Text()
        for code in self.codes:
            chosen = draft.result_code == code.code
            mark = "▶ " if chosen else "  "
            style = "bold reverse" if chosen else ""
            party = "" if code.right_party else "  (no contact)"
            table.append(f"{mark}{code.key}  {code.code:<12} {code.label}{party}\n", style=style)
        self.query_one("#codes", Static).update(table)
        asked = {None: "?", True: "yes", False: "no"}[draft.payment_asked]
        self.query_one("#asked", Static).update(Text.assemble("Payment asked?  ", (asked, "bold"), "   (y / n)"))
        self.query_one("#outcome-message", Static).update(message)

    def _chosen(self) -> ResultCode | None:
        return next((c for c in self.codes if c.code == self.call.draft.result_code), None)

    def on_key(self, event: events.Key) -> None:
        """A result code's key picks it."""
        if not self.is_current:
            return  # typed ahead after this dialog closed: the code was chosen already
        pressed = event.character or event.key
        code = next((c for c in self.codes if c.key in (pressed, event.key)), None)
        if code is None:
            return
        event.stop()
        event.prevent_default()
        self.call.draft.result_code = code.code
        if code.right_party and not self._asked_here and self.call.draft.payment_asked is not None:
            before = "yes" if self.call.draft.payment_asked else "no"
            self._paint(f"Payment asked: {before}, as picked before. Press y or n to confirm, or enter")
            return
        self._advance_if_complete()

    def action_asked(self, asked: bool) -> None:
        """Record whether the collector asked for payment."""
        self.call.draft.payment_asked = asked
        self._asked_here = True
        self._advance_if_complete(quiet=True)

    def _advance_if_complete(self, *, quiet: bool = False) -> None:
        chosen = self._chosen()
        if chosen is None:
            self._paint("" if quiet else "Pick a result code")
            return
        if chosen.right_party and self.call.draft.payment_asked is None:
            self._paint("Did you ask for payment? Press y or n")
            return
        self.dismiss(chosen.code)

    def action_proceed(self) -> None:
        """Continue with the chosen code (asks for what is still missing)."""
        self._advance_if_complete()

    def action_back(self) -> None:
        """Back to the desk; the call stays open and the choices stay in the draft."""
        self.dismiss(None)
