"""Small dialogs: pick a contact, override a block, confirm quitting with a call open."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from collectdesk.services.accounts import ContactLine


class ContactPicker(ModalScreen[ContactLine | None]):
    """Choose which of several contacts is being called."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="contact.cancel")]

    def __init__(self, customer_name: str, contacts: list[ContactLine]) -> None:
        super().__init__()
        self.customer_name = customer_name
        self.contacts = contacts

    def compose(self) -> ComposeResult:
        """The contacts, one line each."""
        with Vertical(id="contact-dialog", classes="dialog"):
            yield Static(f"Call whom at {self.customer_name}?", classes="dialog-title")
            options = []
            for index, person in enumerate(self.contacts):
                role = f" ({person.role})" if person.role else ""
                mark = "" if person.callable_now is not False else "  — outside calling hours"
                options.append(
                    Option(
                        f"{person.name}{role}  {person.phone_display}  {person.local_time}{mark}",
                        id=str(index),
                    )
                )
            yield OptionList(*options, id="contacts")
            yield Static("↑/↓ and enter: call · escape: cancel", classes="dialog-help")

    def on_mount(self) -> None:
        """Focus the list."""
        self.query_one(OptionList).focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.contacts[event.option_index])

    def action_cancel(self) -> None:
        """No call."""
        self.dismiss(None)


class OverrideDialog(ModalScreen[str | None]):
    """A blocked call can be made only with a typed reason (it goes to the activity log)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Don't call", id="override.cancel")]

    def __init__(self, customer_name: str, block: str) -> None:
        super().__init__()
        self.customer_name = customer_name
        self.block = block

    def compose(self) -> ComposeResult:
        """The reason for the block and a field for the override reason."""
        with Vertical(id="override-dialog", classes="dialog"):
            yield Static(f"Call to {self.customer_name} blocked", classes="dialog-title")
            yield Static(self.block, id="block-reason", classes="field-error")
            yield Static("To call anyway, type why (this goes to the activity log):")
            yield Input(placeholder="reason for overriding", id="override-reason")
            yield Static(id="err-override", classes="field-error")
            yield Static("enter: call anyway · escape: don't call", classes="dialog-help")

    def on_mount(self) -> None:
        """Focus the reason."""
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        reason = event.value.strip()
        if len(reason) < 5:
            self.query_one("#err-override", Static).update("type a real reason (at least 5 characters)")
            return
        self.dismiss(reason)

    def action_cancel(self) -> None:
        """Do not call."""
        self.dismiss(None)


class QuitDialog(ModalScreen[bool]):
    """Quitting with a call open: the call stays open and comes back on the next start."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Quit", id="quit.yes"),
        Binding("n,escape", "answer(False)", "Stay", id="quit.no"),
    ]

    def __init__(self, customer_name: str) -> None:
        super().__init__()
        self.customer_name = customer_name

    def compose(self) -> ComposeResult:
        """The question."""
        with Vertical(id="quit-dialog", classes="dialog"):
            yield Static("Quit with a call open?", classes="dialog-title")
            yield Static(
                f"The call with {self.customer_name} stays open in the database with its "
                "notes, and comes back when you start the desk again, to be closed properly."
            )
            yield Static("y: quit · n / escape: stay", classes="dialog-help")

    def action_answer(self, answer: bool) -> None:
        """Quit or stay."""
        self.dismiss(answer)
