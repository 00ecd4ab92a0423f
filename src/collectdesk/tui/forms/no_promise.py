"""NOPROMISE: the reason there is no promise, picked from a list, with details in their words."""

from __future__ import annotations

from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.widgets import Label, OptionList

from collectdesk.tui.forms.base import FieldError, FollowUpForm

NO_PROMISE_REASONS = [
    "refused to pay",
    "cannot pay yet",
    "needs approval",
    "invoice not received",
    "waiting on their customer",
    "will check and call back",
    "other",
]


class NoPromiseForm(FollowUpForm):
    """Pick the reason (↑/↓); ``other`` needs the details."""

    code = "NOPROMISE"
    heading = "Reached, no promise"

    def compose_fields(self) -> ComposeResult:
        """The reasons and a details field."""
        yield Label("Reason (↑/↓ picks)", classes="field-label wide")
        yield OptionList(*NO_PROMISE_REASONS, id="reason-pick")
        yield self.field("reason", "Details", "optional: in their words")

    def focus_first(self) -> None:
        """Start on the reasons, at the one picked before."""
        picker = self.query_one("#reason-pick", OptionList)
        picker.highlighted = self.draft.reason_index
        picker.focus()

    @on(OptionList.OptionHighlighted, "#reason-pick")
    def _reason_picked(self, event: OptionList.OptionHighlighted) -> None:
        self.draft.reason_index = event.option_index

    def gather(self) -> dict[str, Any]:
        """``cannot pay yet: waiting for a loan`` (details optional but for ``other``)."""
        reason = NO_PROMISE_REASONS[self.draft.reason_index]
        detail = self.draft.text("reason").strip()
        if reason == "other" and not detail:
            raise FieldError("reason", "say what the reason is")
        return {"no_promise_reason": f"{reason}: {detail}" if detail else reason}
