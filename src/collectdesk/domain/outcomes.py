"""The error a call-outcome dialog shows beside the field that needs fixing."""

from __future__ import annotations

from collectdesk.domain.errors import InputError


class OutcomeError(InputError):
    """A call outcome or promise that cannot be accepted; ``field`` names the dialog field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message
