"""Users and their roles: adding, changing and listing them."""

from __future__ import annotations

from sqlalchemy import select

from collectdesk.domain.errors import InputError
from collectdesk.services.context import AppContext
from collectdesk.store.models import ROLES, User


def set_user_role(ctx: AppContext, name: str, role: str) -> tuple[User, bool]:
    """Create the user with ``role``, or change an existing user's role; returns (user, created)."""
    name = name.strip()
    if not name:
        raise InputError("a user name is required")
    if role not in ROLES:
        raise InputError(f"role must be one of {', '.join(ROLES)}")
    with ctx.db.session() as session:
        user = session.scalars(select(User).where(User.name == name)).one_or_none()
        created = user is None
        if user is None:
            user = User(name=name, role=role, created_at=ctx.clock.now())
            session.add(user)
        else:
            user.role = role
        session.flush()
        session.expunge(user)
    return user, created


def list_users(ctx: AppContext) -> list[User]:
    """Every user, by name."""
    with ctx.db.session() as session:
        users = list(session.scalars(select(User).order_by(User.name)))
        session.expunge_all()
    return users
