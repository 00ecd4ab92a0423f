"""PAID: when they say they paid (never a future day) and the reference, so it can be checked."""

from __future__ import annotations

from datetime import date
from typing import Any, ClassVar

from textual.app import ComposeResult

from collectdesk.tui.forms.base import FieldError, FieldErrors, FollowUpForm, collect


class PaidForm(FollowUpForm):
    """The payment date (today or before) and an optional reference."""

    code = "PAID"
    heading = "Says it is already paid"
    DATE_FIELDS = ("paid_on",)
    ALIASES: ClassVar[dict[str, str]] = {"paid_claim": "reference"}

    def compose_fields(self) -> ComposeResult:
        """The date paid and the reference."""
        yield self.field("paid_on", "Paid on", "YYYY-MM-DD, yesterday, -3", live=True)
        yield self.field("reference", "Reference", "cheque number, transfer reference…")

    def _paid_on(self) -> date:
        if not self.draft.text("paid_on").strip():
            raise FieldError("paid_on", "the date they paid is required")
        day = self.read_date("paid_on", "Paid on")
        if day > self.today:
            raise FieldError("paid_on", f"{day.isoformat()} is in the future: a payment made has a past date")
        return day

    def gather(self) -> dict[str, Any]:
        """The claim as one line (``paid 2026-11-20, ref 4471``) and the date itself."""
        values, errors = collect({"paid_on": self._paid_on})
        if errors:
            raise FieldErrors(errors)
        paid_on: date = values["paid_on"]
        reference = self.draft.text("reference").strip()
        claim = f"paid {paid_on.isoformat()}" + (f", ref {reference}" if reference else "")
        return {"paid_claim": claim, "paid_on": paid_on}
