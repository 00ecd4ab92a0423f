"""PTP: the promised date and amount, or a plan with its schedule, maybe replacing a missed promise."""

from __future__ import annotations

from typing import Any, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Checkbox, Input, Label, Static

from collectdesk.domain.money import format_amount
from collectdesk.domain.promises import MAX_INSTALMENTS, PlanEvery, instalment_dates, split_instalments
from collectdesk.services.promise_retiring import PromiseLine, Replacement, open_promises
from collectdesk.services.promises import PlanInput, PromiseInput
from collectdesk.tui.forms.base import FieldError, FieldErrors, FollowUpForm, collect
from collectdesk.tui.forms.choice import Choice
from collectdesk.tui.util import in_thread

DEFAULT_INSTALMENTS = "3"
EVERY_OPTIONS: list[tuple[str, str]] = [("month", "monthly"), ("week", "weekly")]
REPLACE_FLAG = "replace"


class PromiseForm(FollowUpForm):
    """An exact date and amount (method optional); a plan shows its schedule before saving."""

    code = "PTP"
    heading = "Promise to pay"
    DATE_FIELDS = ("promised_on",)
    ALIASES: ClassVar[dict[str, str]] = {
        "promise": "amount",
        "plan": "amount",
        "total": "amount",
        "first_on": "promised_on",
    }

    replaceable: PromiseLine | None = None

    def compose_fields(self) -> ComposeResult:
        """Date, amount, method; the plan's count, frequency and schedule; what it replaces."""
        yield self.field("promised_on", "Date", "YYYY-MM-DD, +7, fri, eom", live=True)
        yield self.field("amount", f"Amount ({self.account.currency})", "1234.56")
        yield self.field("method", "How (optional)", "bank transfer, card, cheque…")
        yield Checkbox("Instalment plan (the amount is the total)", self.draft.plan, id="plan")
        self.draft.fields.setdefault("instalments", DEFAULT_INSTALMENTS)
        with Vertical(id="plan-section"):
            with Horizontal(classes="field-row"):
                yield Label("Instalments", classes="field-label")
                yield Input(
                    self.draft.text("instalments"), id="instalments", classes="field-input short", type="integer"
                )
                yield Choice(EVERY_OPTIONS, self.draft.every, id="every")
            yield self.error_line("instalments")
            yield self.error_line("every")
            yield Static(id="schedule")
        with Vertical(id="replace-section"):
            yield Checkbox("", bool(self.draft.text(REPLACE_FLAG)), id=REPLACE_FLAG)
            yield self.error_line("replaces")
            yield self.field("replace_reason", "Why replaced", "what changed since the promise")

    def on_mount(self) -> None:
        """As every form, and look up an open promise this one could replace."""
        super().on_mount()
        self.query_one("#replace-section").display = False
        self._load_replaceable()

    @work(exclusive=True, group="replaceable")
    async def _load_replaceable(self) -> None:
        lines = await in_thread(self, open_promises, self.ctx, self.account.customer_id)
        self.replaceable = lines[0] if lines else None
        section = self.query_one("#replace-section")
        if self.replaceable is None:
            self.draft.fields.pop(REPLACE_FLAG, None)
            return
        section.display = True
        line = self.replaceable
        kind = "missed promise" if line.missed else "open promise"
        amount = format_amount(line.amount, line.currency)
        label = f"Replaces the {kind} #{line.id} of {amount} due {line.promised_on.isoformat()}"
        self.query_one(f"#{REPLACE_FLAG}", Checkbox).label = label
        self._show_reason()

    # ----- the draft ------------------------------------------------------------------------------
    @on(Checkbox.Changed, "#plan")
    def _plan_toggled(self, event: Checkbox.Changed) -> None:
        self.draft.plan = event.value
        self.refresh_derived()

    @on(Checkbox.Changed, f"#{REPLACE_FLAG}")
    def _replace_toggled(self, event: Checkbox.Changed) -> None:
        self.draft.fields[REPLACE_FLAG] = "yes" if event.value else ""
        self.clear_error("replaces")
        self._show_reason()

    @on(Choice.Changed, "#every")
    def _every_changed(self, event: Choice.Changed) -> None:
        self.draft.every = event.value
        self.refresh_derived()

    def _show_reason(self) -> None:
        self.query_one("#field-replace_reason").display = bool(self.draft.text(REPLACE_FLAG))

    def refresh_derived(self) -> None:
        """Show the plan's section only for a plan, with its schedule as typed so far."""
        section = self.query_one("#plan-section")
        section.display = self.draft.plan
        if self.draft.plan:
            self.query_one("#schedule", Static).update(self._schedule_text())

    def _every(self) -> PlanEvery:
        return "week" if self.draft.every == "week" else "month"

    def _schedule_text(self) -> str:
        values, errors = collect(
            {
                "promised_on": lambda: self.read_date("promised_on", "Date"),
                "amount": lambda: self.read_amount("amount"),
                "instalments": self._count,
            }
        )
        if errors:
            return "Schedule: shown once the date, the total and the number of instalments are typed"
        count, total = values["instalments"], values["amount"]
        if total < count:
            return "Schedule: the total is too small for that many instalments"
        days = instalment_dates(values["promised_on"], count, self._every())
        amounts = split_instalments(total, count)
        lines = [
            f"  {number:>2}. {day.strftime('%a')} {day.isoformat()}  {format_amount(amount, self.account.currency)}"
            for number, (day, amount) in enumerate(zip(days, amounts, strict=True), 1)
        ]
        return "Schedule:\n" + "\n".join(lines)

    # ----- reading the fields -------------------------------------------------------------------
    def _count(self) -> int:
        text = self.draft.text("instalments").strip()
        if not text.isdigit() or not 2 <= int(text) <= MAX_INSTALMENTS:
            raise FieldError("instalments", f"a plan has 2 to {MAX_INSTALMENTS} instalments")
        return int(text)

    def _required_date(self) -> Any:
        if not self.draft.text("promised_on").strip():
            raise FieldError("promised_on", "the promised date is required")
        return self.read_date("promised_on", "Date")

    def _required_amount(self) -> int:
        if not self.draft.text("amount").strip():
            raise FieldError("amount", "the promised amount is required")
        return self.read_amount("amount")

    def _replacement(self) -> Replacement | None:
        if self.replaceable is None or not self.draft.text(REPLACE_FLAG):
            return None
        reason = self.draft.text("replace_reason").strip()
        if not reason:
            raise FieldError("replace_reason", "say why the promise is replaced")
        return Replacement(self.replaceable.id, reason)

    def gather(self) -> dict[str, Any]:
        """One promise or a plan; every field in error is reported at once."""
        readers: dict[str, Any] = {
            "promised_on": self._required_date,
            "amount": self._required_amount,
            "replaces": self._replacement,
        }
        if self.draft.plan:
            readers["instalments"] = self._count
        values, errors = collect(readers)
        if errors:
            raise FieldErrors(errors)
        method = self.draft.text("method").strip() or None
        if self.draft.plan:
            plan = PlanInput(
                total=values["amount"],
                instalments=values["instalments"],
                first_on=values["promised_on"],
                every=self._every(),
                method=method,
                replaces=values["replaces"],
            )
            return {"plan": plan}
        promise = PromiseInput(
            amount=values["amount"], promised_on=values["promised_on"], method=method, replaces=values["replaces"]
        )
        return {"promise": promise}
