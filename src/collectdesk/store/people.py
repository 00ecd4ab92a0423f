"""Users as plain values: what the layers above are handed instead of the ORM row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from collectdesk.store.models import User


@dataclass(frozen=True)
class UserView:
    """Someone who works the desk, as they were when read."""

    id: int
    name: str
    role: str
    created_at: datetime
    active: bool = True


def user_view(user: User) -> UserView:
    """The plain value of a user row."""
    return UserView(id=user.id, name=user.name, role=user.role, created_at=user.created_at, active=user.active)


def user_named(session: Session, name: str) -> UserView | None:
    """The user called ``name``, if there is one."""
    user = session.scalars(select(User).where(User.name == name)).one_or_none()
    return None if user is None else user_view(user)
