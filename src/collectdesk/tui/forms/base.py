"""What every follow-up form shares: the frame, the draft, errors beside their fields, saving."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Static

from collectdesk.domain.dates import DateInputError, parse_date_shortcut
from collectdesk.domain.errors import InputError
from collectdesk.domain.money import AmountError, format_amount, parse_amount
from collectdesk.domain.outcomes import OutcomeError, OutcomeErrors
from collectdesk.services.accounts import AccountDetail
from collectdesk.services.calls import CallOutcome, validate_outcome
from collectdesk.services.context import AppContext
from collectdesk.tui.call_state import CallDraft, OpenCall
from collectdesk.tui.util import in_thread, keys_settled, settle_cursors, still_shown


class FieldError(InputError):
    """A value typed into one field of a form cannot be understood."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


class FieldErrors(InputError):
    """Every field of a form that cannot be understood, each with its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


def plain_outcome(draft: CallDraft) -> CallOutcome:
    """The outcome of a call whose code needs nothing more than the code."""
    assert draft.result_code is not None
    return CallOutcome(result_code=draft.result_code, payment_asked=bool(draft.payment_asked))


class FollowUpForm(ModalScreen[CallOutcome | None]):
    """Asks for what a result code requires; enter saves, escape goes back to the outcome.

    A subclass names its ``code``, composes its fields in :meth:`compose_fields` and reads them in
    :meth:`gather`; ``ALIASES`` maps a field the services name to the field it is shown beside.
    """

    code: ClassVar[str] = ""
    heading: ClassVar[str] = ""
    ALIASES: ClassVar[dict[str, str]] = {}
    DATE_FIELDS: ClassVar[tuple[str, ...]] = ()

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "save", "Save", priority=True, id="followup.save"),
        Binding("escape", "back", "Back to outcome", id="followup.back"),
    ]

    def __init__(
        self,
        ctx: AppContext,
        call: OpenCall,
        account: AccountDetail,
        error: OutcomeError | None = None,
    ) -> None:
        super().__init__()
        self.ctx = ctx
        self.call = call
        self.draft = call.draft
        self.account = account
        self.today = ctx.clock.today()
        self.pending_error = error

    # ----- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        """The form's fields, each with its message line below it, in a frame that scrolls."""
        with VerticalScroll(id="followup-dialog", classes="dialog"):
            yield Static(
                f"{self.heading} — {self.account.name} · open "
                f"{format_amount(self.account.open_balance, self.account.currency)}",
                classes="dialog-title",
            )
            yield from self.compose_fields()
            yield Static(id="err-general", classes="field-error")
            yield Static("enter: save · escape: back to the outcome · tab: next field", classes="dialog-help")

    def compose_fields(self) -> ComposeResult:
        """The fields this code asks for."""
        yield from ()

    def field(self, name: str, label: str, placeholder: str = "", *, live: bool = False) -> Vertical:
        """A labelled input kept in the draft, an optional live reading, and its error line."""
        parts: list[Widget] = [
            Label(label, classes="field-label"),
            Input(self.draft.text(name), placeholder=placeholder, id=name, classes="field-input"),
        ]
        if live:
            parts.append(Static(id=f"live-{name}", classes="field-live"))
        return Vertical(
            Horizontal(*parts, classes="field-row"), self.error_line(name), id=f"field-{name}", classes="field"
        )

    @staticmethod
    def error_line(name: str) -> Static:
        """The line under a field where its message goes (hidden while empty)."""
        return Static(id=f"err-{name}", classes="field-error")

    def on_mount(self) -> None:
        """Focus the first field, resolve typed dates, and show an error handed back."""
        settle_cursors(self)
        self.clear_errors()
        self.focus_first()
        for name in self.DATE_FIELDS:
            self.resolve_date(name)
        self.refresh_derived()
        if self.pending_error is not None:
            self.show_service_error(self.pending_error)

    def focus_first(self) -> None:
        """Put the cursor where typing starts."""
        inputs = self.query(Input)
        if inputs:
            inputs.first().focus()

    def refresh_derived(self) -> None:
        """Repaint what is worked out from the fields (a subclass's previews)."""

    # ----- keeping the draft ----------------------------------------------------------------------
    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if event.input.id:
            self.draft.fields[event.input.id] = event.value
            self.clear_error(event.input.id)
            self.resolve_date(event.input.id)
            self.refresh_derived()

    def resolve_date(self, name: str) -> None:
        """Show beside a date field the day its text means (``fri`` → ``Fri 2026-11-27``)."""
        if name not in self.DATE_FIELDS or not self.query(f"#live-{name}"):
            return
        live = self.query_one(f"#live-{name}", Static)
        text = self.draft.text(name)
        if not text.strip():
            live.update("")
            return
        try:
            resolved = parse_date_shortcut(text, self.today)
        except DateInputError:
            live.update("?")
            return
        live.update(f"→ {resolved.strftime('%a')} {resolved.isoformat()}")

    # ----- errors -------------------------------------------------------------------------------
    def _target(self, field: str) -> tuple[str, Static]:
        name = self.ALIASES.get(field, field)
        targets = self.query(f"#err-{name}")
        return name, targets.first(Static) if targets else self.query_one("#err-general", Static)

    def show_error(self, field: str, message: str, *, focus: bool = True) -> None:
        """Show a message under the field it is about (or at the bottom when there is none)."""
        name, target = self._target(field)
        shown = str(target.render())
        target.update(f"{shown}\n{message}" if shown and message not in shown else message)
        target.display = True
        inputs = self.query(f"Input#{name}")
        if focus and inputs:
            inputs.first().focus()

    def show_errors(self, errors: dict[str, str]) -> None:
        """Show every message at once; the cursor goes to the first field in error."""
        for index, (field, message) in enumerate(errors.items()):
            self.show_error(field, message, focus=index == 0)

    def show_service_error(self, error: OutcomeError) -> None:
        """Show what the services refused, each part beside its field."""
        if isinstance(error, OutcomeErrors):
            self.show_errors({e.field: e.message for e in error.errors})
        else:
            self.show_error(error.field, error.message)

    def clear_error(self, name: str) -> None:
        """Clear the message under a field (and the general one)."""
        for node in self.query(f"#err-{self.ALIASES.get(name, name)}").results(Static):
            node.update("")
            node.display = False
        general = self.query_one("#err-general", Static)
        general.update("")
        general.display = False

    def clear_errors(self) -> None:
        """Clear every message."""
        for node in self.query(".field-error").results(Static):
            node.update("")
            node.display = False

    # ----- reading the fields -------------------------------------------------------------------
    def read_date(self, name: str, label: str) -> date:
        """The day typed into ``name``."""
        try:
            return parse_date_shortcut(self.draft.text(name), self.today)
        except DateInputError as exc:
            raise FieldError(name, f"{label}: {exc}") from None

    def read_amount(self, name: str) -> int:
        """The amount typed into ``name``, in minor units of the account's currency."""
        try:
            return parse_amount(self.draft.text(name), self.account.currency)
        except AmountError as exc:
            raise FieldError(name, str(exc)) from None

    def read_required(self, name: str, what: str) -> str:
        """The text typed into ``name``, which may not be empty."""
        value = self.draft.text(name).strip()
        if not value:
            raise FieldError(name, f"{what} is required")
        return value

    def gather(self) -> dict[str, Any]:
        """The outcome fields this form sets; raises FieldErrors naming every field in error."""
        return {}

    def build_outcome(self) -> CallOutcome:
        """The outcome the fields describe; raises FieldErrors for what cannot be read."""
        return replace(plain_outcome(self.draft), **self.gather())

    # ----- actions ------------------------------------------------------------------------------
    def action_save(self) -> None:
        """Check the fields here, then with the services (in a worker), then hand it back."""
        if isinstance(self.focused, Checkbox):
            self.focused.toggle()
            return
        self._save_when_typed()

    @work(exclusive=True, group="save")
    async def _save_when_typed(self) -> None:
        await keys_settled(self)  # what was typed just before enter is in the fields first
        if still_shown(self):  # not when an escape typed meanwhile took the form away
            self._save()

    def _save(self) -> None:
        self.clear_errors()
        try:
            outcome = self.build_outcome()
        except FieldErrors as exc:
            self.show_errors(exc.errors)
            return
        except FieldError as exc:
            self.show_error(exc.field, str(exc))
            return
        self._validate(outcome)

    @work(exclusive=True, group="validate")
    async def _validate(self, outcome: CallOutcome) -> None:
        try:
            await in_thread(self, validate_outcome, self.ctx, self.call.call_id, outcome)
        except OutcomeError as exc:
            self.show_service_error(exc)
            return
        except InputError as exc:
            self.show_error("general", str(exc))
            return
        self.dismiss(outcome)

    def action_back(self) -> None:
        """Back to the outcome dialog; everything typed stays in the draft."""
        self.dismiss(None)


def collect(readers: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Call each reader; the values that could be read, and the message of each that could not."""
    values: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, reader in readers.items():
        try:
            values[name] = reader()
        except FieldError as exc:
            errors[exc.field] = str(exc)
    return values, errors
