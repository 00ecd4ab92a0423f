"""The follow-up a reached-customer outcome demands: the promise, the reason, the dispute, …"""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, date, datetime, time
from typing import Any, ClassVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import (
    Checkbox,
    Input,
    Label,
    OptionList,
    RadioButton,
    RadioSet,
    SelectionList,
    Static,
)

from collectdesk.domain.dates import DateInputError, parse_date_shortcut
from collectdesk.domain.errors import InputError
from collectdesk.domain.money import AmountError, format_amount, parse_amount
from collectdesk.services.accounts import AccountDetail
from collectdesk.services.calls import CallOutcome, OutcomeError, validate_outcome
from collectdesk.services.context import AppContext
from collectdesk.services.promises import PlanInput, PromiseInput
from collectdesk.tui.call_state import CallDraft, OpenCall

NO_PROMISE_REASONS = [
    "refused to pay",
    "cannot pay yet",
    "needs approval",
    "invoice not received",
    "waiting on their customer",
    "will check and call back",
    "other",
]

# What each code's dialog asks for; codes not listed need nothing more.
FOLLOW_UPS = {
    "PTP": "promise",
    "PAID": "paid",
    "DISPUTE": "dispute",
    "NOPROMISE": "reason",
    "CALLBACK": "callback",
    "GATEKEEPER": "who",
}

# Outcome fields as the services name them → the field the message is shown beside.
_FIELD_ALIASES = {
    "promise": "amount",
    "plan": "amount",
    "total": "amount",
    "promise.amount": "amount",
    "first_on": "promised_on",
    "promise.promised_on": "promised_on",
    "plan.first_on": "promised_on",
    "plan.instalments": "instalments",
    "plan.every": "every",
    "promise.method": "method",
    "no_promise_reason": "reason",
    "dispute_reason": "reason",
    "dispute_invoice_ids": "invoices",
    "callback_on": "callback_at",
    "callback_time": "callback_at",
    "paid_on": "paid_claim",
    "reference": "paid_claim",
}

_DATE_FIELDS = ("promised_on", "callback_on", "paid_on")


class FieldError(InputError):
    """A value typed into one field of the dialog cannot be understood."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def needs_follow_up(code: str) -> bool:
    """Whether closing a call with this code asks for more than the code itself."""
    return code in FOLLOW_UPS


def plain_outcome(draft: CallDraft) -> CallOutcome:
    """The outcome of a call whose code needs nothing more than the code."""
    assert draft.result_code is not None
    return CallOutcome(
        result_code=draft.result_code,
        payment_asked=bool(draft.payment_asked),
        promise=None,
        plan=None,
        no_promise_reason=None,
        dispute_invoice_ids=[],
        dispute_reason=None,
        callback_at=None,
        spoke_with=None,
        paid_claim=None,
        next_action_on=None,
    )


class FollowUpDialog(ModalScreen[CallOutcome | None]):
    """Asks for what the result code requires; enter saves, escape goes back to the outcome."""

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
        self.kind = FOLLOW_UPS[call.draft.result_code or ""]
        self.today = ctx.clock.today()
        self.pending_error = error

    # ----- layout -------------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        """The fields for this code, each with its message line beside it."""
        titles = {
            "promise": "Promise to pay",
            "paid": "Says it is already paid",
            "dispute": "Dispute",
            "reason": "Reached, no promise",
            "callback": "Asked to be called back",
            "who": "Reached someone else",
        }
        with Vertical(id="followup-dialog", classes="dialog"):
            yield Static(
                f"{titles[self.kind]} — {self.account.name} · open "
                f"{format_amount(self.account.open_balance, self.account.currency)}",
                classes="dialog-title",
            )
            yield from getattr(self, f"_compose_{self.kind}")()
            yield Static(id="err-general", classes="field-error")
            yield Static("enter: save · escape: back to the outcome · tab: next field", classes="dialog-help")

    def _field(self, name: str, label: str, placeholder: str = "", *, live: bool = False) -> Horizontal:
        parts: list[Static | Input | Label] = [
            Label(label, classes="field-label"),
            Input(self.draft.text(name), placeholder=placeholder, id=name, classes="field-input"),
        ]
        if live:
            parts.append(Static(id=f"live-{name}", classes="field-live"))
        parts.append(Static(id=f"err-{name}", classes="field-error"))
        return Horizontal(*parts, classes="field-row")

    def _compose_promise(self) -> ComposeResult:
        yield self._field("promised_on", "Date", "YYYY-MM-DD, +7, fri, eom", live=True)
        yield self._field("amount", f"Amount ({self.account.currency})", "1234.56")
        yield self._field("method", "How (optional)", "bank transfer, card, cheque…")
        yield Checkbox("Instalment plan (the amount is the total)", self.draft.plan, id="plan")
        with Horizontal(id="plan-row", classes="field-row"):
            yield Label("Instalments", classes="field-label")
            yield Input(
                self.draft.text("instalments"),
                placeholder="3",
                id="instalments",
                classes="field-input short",
                type="integer",
            )
            with RadioSet(id="every"):
                yield RadioButton("weekly", self.draft.every == "week", id="every-week")
                yield RadioButton("monthly", self.draft.every == "month", id="every-month")
            yield Static(id="err-instalments", classes="field-error")
        yield Static(id="err-every", classes="field-error")

    def _compose_paid(self) -> ComposeResult:
        yield self._field("paid_on", "Paid on", "YYYY-MM-DD, +0, fri", live=True)
        yield self._field("reference", "Reference", "cheque number, transfer reference…")
        yield Static(id="err-paid_claim", classes="field-error")

    def _compose_dispute(self) -> ComposeResult:
        yield Label("Which invoices? (space ticks)", classes="field-label wide")
        options = [
            (
                f"{inv.number}  due {inv.due_date.isoformat()}  "
                f"{format_amount(inv.open_amount, self.account.currency)}",
                inv.invoice_id,
                inv.invoice_id in self.draft.dispute_invoice_ids,
            )
            for inv in self.account.invoices
        ]
        yield SelectionList[int](*options, id="invoices")
        yield Static(id="err-invoices", classes="field-error")
        yield self._field("reason", "Why", "what the customer says is wrong")

    def _compose_reason(self) -> ComposeResult:
        yield Label("Reason (↑/↓ picks)", classes="field-label wide")
        yield OptionList(*NO_PROMISE_REASONS, id="reason-pick")
        yield self._field("reason", "Details", "optional: in their words")

    def _compose_callback(self) -> ComposeResult:
        zone = self.account.zone or "UTC"
        yield self._field("callback_on", "Date", "YYYY-MM-DD, tom, fri", live=True)
        yield self._field("callback_time", f"Time ({zone})", "HH:MM")
        yield Static(id="err-callback_at", classes="field-error")

    def _compose_who(self) -> ComposeResult:
        yield self._field("spoke_with", "Who", "name and role of the person reached")

    def on_mount(self) -> None:
        """Restore the draft's choices, resolve typed dates, and show an error handed back."""
        if self.kind == "reason":
            picker = self.query_one("#reason-pick", OptionList)
            picker.highlighted = self.draft.reason_index
            picker.focus()
        elif self.kind == "dispute":
            self.query_one("#invoices", SelectionList).focus()
        else:
            self.query(Input).first().focus()
        for name in _DATE_FIELDS:
            self._resolve_date(name)
        self._show_plan()
        if self.pending_error is not None:
            self.show_error(self.pending_error.field, str(self.pending_error))

    # ----- keeping the draft ----------------------------------------------------------------------
    @on(Input.Changed)
    def _typed(self, event: Input.Changed) -> None:
        if event.input.id:
            self.draft.fields[event.input.id] = event.value
            self._clear_error(event.input.id)
            self._resolve_date(event.input.id)

    @on(Checkbox.Changed, "#plan")
    def _plan_toggled(self, event: Checkbox.Changed) -> None:
        self.draft.plan = event.value
        self._show_plan()

    @on(RadioSet.Changed, "#every")
    def _every_changed(self, event: RadioSet.Changed) -> None:
        self.draft.every = "week" if event.pressed.id == "every-week" else "month"

    @on(SelectionList.SelectedChanged, "#invoices")
    def _invoices_changed(self, event: SelectionList.SelectedChanged[int]) -> None:
        self.draft.dispute_invoice_ids = set(event.selection_list.selected)
        self._clear_error("invoices")

    @on(OptionList.OptionHighlighted, "#reason-pick")
    def _reason_picked(self, event: OptionList.OptionHighlighted) -> None:
        self.draft.reason_index = event.option_index

    def _show_plan(self) -> None:
        if self.kind == "promise":
            self.query_one("#plan-row").display = self.draft.plan

    def _resolve_date(self, name: str) -> None:
        if name not in _DATE_FIELDS or not self.query(f"#live-{name}"):
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
    def show_error(self, field: str, message: str) -> None:
        """Show a message beside the field it is about (or at the bottom when there is none)."""
        name = _FIELD_ALIASES.get(field, field)
        targets = self.query(f"#err-{name}")
        target = targets.first(Static) if targets else self.query_one("#err-general", Static)
        target.update(message)
        inputs = self.query(f"Input#{name}")
        if inputs:
            inputs.first().focus()

    def _clear_error(self, name: str) -> None:
        for node in self.query(f"#err-{_FIELD_ALIASES.get(name, name)}").results(Static):
            node.update("")
        self.query_one("#err-general", Static).update("")

    def _clear_errors(self) -> None:
        for node in self.query(".field-error").results(Static):
            node.update("")

    # ----- building the outcome -----------------------------------------------------------------
    def _date(self, name: str, label: str) -> date:
        try:
            return parse_date_shortcut(self.draft.text(name), self.today)
        except DateInputError as exc:
            raise FieldError(name, f"{label}: {exc}") from None

    def _amount(self, name: str) -> int:
        try:
            return parse_amount(self.draft.text(name), self.account.currency)
        except AmountError as exc:
            raise FieldError(name, str(exc)) from None

    def _required(self, name: str, what: str) -> str:
        value = self.draft.text(name).strip()
        if not value:
            raise FieldError(name, f"{what} is required")
        return value

    def build_outcome(self) -> CallOutcome:
        """The outcome the fields describe; raises FieldError for what cannot be read."""
        changes: dict[str, Any] = {}
        kind = self.kind
        if kind == "promise":
            changes = self._promise_changes()
        elif kind == "paid":
            paid_on = self._date("paid_on", "Paid on")
            reference = self.draft.text("reference").strip()
            changes["paid_claim"] = f"paid {paid_on.isoformat()}" + (f", ref {reference}" if reference else "")
        elif kind == "dispute":
            if not self.draft.dispute_invoice_ids:
                raise FieldError("invoices", "tick the invoice(s) in dispute")
            changes["dispute_invoice_ids"] = sorted(self.draft.dispute_invoice_ids)
            changes["dispute_reason"] = self._required("reason", "why they dispute it")
        elif kind == "reason":
            reason = NO_PROMISE_REASONS[self.draft.reason_index]
            detail = self.draft.text("reason").strip()
            if reason == "other" and not detail:
                raise FieldError("reason", "say what the reason is")
            changes["no_promise_reason"] = f"{reason}: {detail}" if detail else reason
        elif kind == "callback":
            changes["callback_at"] = self._callback_at()
        elif kind == "who":
            changes["spoke_with"] = self._required("spoke_with", "who you spoke with")
        return replace(plain_outcome(self.draft), **changes)

    def _promise_changes(self) -> dict[str, Any]:
        if not self.draft.text("promised_on").strip():
            raise FieldError("promised_on", "the promised date is required")
        promised_on = self._date("promised_on", "Date")
        if not self.draft.text("amount").strip():
            raise FieldError("amount", "the promised amount is required")
        amount = self._amount("amount")
        method = self.draft.text("method").strip() or None
        if self.draft.plan:
            count_text = self.draft.text("instalments").strip()
            if not count_text.isdigit() or int(count_text) < 2:
                raise FieldError("instalments", "a plan needs 2 or more instalments")
            return {
                "plan": PlanInput(
                    total=amount,
                    instalments=int(count_text),
                    first_on=promised_on,
                    every="week" if self.draft.every == "week" else "month",
                    method=method,
                )
            }
        return {"promise": PromiseInput(amount=amount, promised_on=promised_on, method=method, invoice_ids=[])}

    def _callback_at(self) -> datetime:
        day = self._date("callback_on", "Date")
        text = self._required("callback_time", "the callback time")
        try:
            clock_time = time.fromisoformat(text if len(text) > 2 else f"{int(text):02d}:00")
        except ValueError:
            raise FieldError("callback_time", f"{text!r} is not a time (use HH:MM)") from None
        try:
            zone = ZoneInfo(self.account.zone or "UTC")
        except ZoneInfoNotFoundError:
            zone = ZoneInfo("UTC")
        return datetime.combine(day, clock_time, zone).astimezone(UTC)

    # ----- actions ------------------------------------------------------------------------------
    def action_save(self) -> None:
        """Check the fields here, then with the services (in a worker), then hand it back."""
        if self.kind == "promise" and isinstance(self.focused, Checkbox):
            self.focused.toggle()
            return
        self._clear_errors()
        try:
            outcome = self.build_outcome()
        except FieldError as exc:
            self.show_error(exc.field, str(exc))
            return
        self._validate(outcome)

    @work(exclusive=True, group="validate")
    async def _validate(self, outcome: CallOutcome) -> None:
        try:
            await asyncio.to_thread(validate_outcome, self.ctx, self.call.call_id, outcome)
        except OutcomeError as exc:
            self.show_error(exc.field, str(exc))
            return
        except InputError as exc:
            self.show_error("general", str(exc))
            return
        self.dismiss(outcome)

    def action_back(self) -> None:
        """Back to the outcome dialog; everything typed stays in the draft."""
        self.dismiss(None)
