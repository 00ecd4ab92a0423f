"""Who may do what: supervisor-only work, and the database's own refusals explained."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

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


DENIED_SQLSTATE = "42501"  # PostgreSQL's insufficient_privilege


def supervisor_names(ctx: AppContext) -> list[str]:
    """The active supervisors, by name (who to ask)."""
    from sqlalchemy import select

    from collectdesk.store.models import User

    with ctx.db.session() as session:
        return list(
            session.scalars(
                select(User.name).where(User.role == "supervisor", User.active.is_(True)).order_by(User.name)
            )
        )


def database_error_state(exc: BaseException) -> str | None:
    """The SQLSTATE of a database error (None when there is none)."""
    orig = getattr(exc, "orig", exc)
    state = getattr(orig, "sqlstate", None)
    return str(state) if state else None


def database_message(exc: BaseException) -> str:
    """The database's own first line about an error, without the driver's decoration."""
    orig = getattr(exc, "orig", exc)
    diag = getattr(orig, "diag", None)
    primary = getattr(diag, "message_primary", None)
    return str(primary or str(orig).splitlines()[0])


@contextmanager
def refused_by_database(ctx: AppContext, what: str) -> Iterator[None]:
    """Turn PostgreSQL's "permission denied" while doing ``what`` into a :class:`NotAllowed`
    that names who can do it; any other database error passes through."""
    from sqlalchemy.exc import DBAPIError

    try:
        yield
    except DBAPIError as exc:
        if database_error_state(exc) != DENIED_SQLSTATE:
            raise
        names = supervisor_names(ctx)
        who = ", ".join(names) if names else "the database owner"
        raise NotAllowed(
            f"refused by the database ({database_message(exc)}): {what} is for supervisors, and "
            f"{ctx.user.name} is a {ctx.user.role}. Ask a supervisor ({who})."
        ) from None
