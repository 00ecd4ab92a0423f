"""GATEKEEPER: who was reached instead of the person who pays."""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult

from collectdesk.tui.forms.base import FieldErrors, FollowUpForm, collect


class GatekeeperForm(FollowUpForm):
    """The name and role of the person reached."""

    code = "GATEKEEPER"
    heading = "Reached someone else"

    def compose_fields(self) -> ComposeResult:
        """Who."""
        yield self.field("spoke_with", "Who", "name and role of the person reached")

    def gather(self) -> dict[str, Any]:
        """Who, required."""
        values, errors = collect({"spoke_with": lambda: self.read_required("spoke_with", "who you spoke with")})
        if errors:
            raise FieldErrors(errors)
        return values
