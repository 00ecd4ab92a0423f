"""The error a call-outcome dialog shows beside the field that needs fixing."""

from __future__ import annotations

from collectdesk.domain.errors import InputError


class OutcomeError(InputError):
    """A call outcome or promise that cannot be accepted; ``field`` names the dialog field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class OutcomeErrors(OutcomeError):
    """Several fields that cannot be accepted at once; behaves as the first of them."""

    def __init__(self, errors: list[OutcomeError]) -> None:
        first = errors[0]
        super().__init__(first.field, first.message)
        self.errors = errors


def raise_all(errors: list[OutcomeError]) -> None:
    """Raise nothing, the one error, or all of them together."""
    if len(errors) == 1:
        raise errors[0]
    if errors:
        raise OutcomeErrors(errors)
