"""DISPUTE: which invoices are disputed and why; they go on hold."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.widgets import Label, SelectionList

from collectdesk.domain.money import format_amount
from collectdesk.tui.forms.base import FieldError, FieldErrors, FollowUpForm, collect


class DisputeForm(FollowUpForm):
    """Tick the disputed invoices and say why."""

    code = "DISPUTE"
    heading = "Dispute"

    def compose_fields(self) -> ComposeResult:
        """The account's invoices to tick, and the reason."""
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
        yield self.error_line("invoices")
        yield self.field("reason", "Why", "what the customer says is wrong")

    def focus_first(self) -> None:
        """Start on the invoices."""
        self.query_one("#invoices", SelectionList).focus()

    @on(SelectionList.SelectedChanged, "#invoices")
    def _invoices_changed(self, event: SelectionList.SelectedChanged[int]) -> None:
        self.draft.dispute_invoice_ids = set(event.selection_list.selected)
        self.clear_error("invoices")

    def _invoices(self) -> list[int]:
        if not self.draft.dispute_invoice_ids:
            raise FieldError("invoices", "tick the invoice(s) in dispute")
        return sorted(self.draft.dispute_invoice_ids)

    def gather(self) -> dict[str, Any]:
        """The invoices and the reason, both required."""
        values, errors = collect(
            {
                "dispute_invoice_ids": self._invoices,
                "dispute_reason": lambda: self.read_required("reason", "why they dispute it"),
            }
        )
        if errors:
            raise FieldErrors(errors)
        return values
