"""Who may see what: the supervisor view is for supervisors."""

from __future__ import annotations

from collectdesk.domain.errors import InputError
from collectdesk.services.context import AppContext


class NotAllowed(InputError):
    """The user's role does not allow this; the message says how to get access."""


def refusal(ctx: AppContext, what: str) -> str | None:
    """Why ``ctx.user`` may not open ``what`` (None when they may)."""
    if ctx.user.role == "supervisor":
        return None
    return (
        f"{what} is for supervisors, and {ctx.user.name} is a {ctx.user.role}. "
        f"A supervisor can grant access with: "
        f"collectdesk users add {ctx.user.name} --role supervisor"
    )


def require_supervisor(ctx: AppContext, what: str) -> None:
    """Raise :class:`NotAllowed` unless ``ctx.user`` is a supervisor."""
    message = refusal(ctx, what)
    if message is not None:
        raise NotAllowed(message)
