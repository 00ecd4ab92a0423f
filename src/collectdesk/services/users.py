"""Users and their roles: adding, changing, disabling and listing them.

On a team database (PostgreSQL after ``team init``) each user is a login role, created and
changed by the database's own functions, which only supervisors may call; elsewhere (SQLite)
the users table is all there is, and the client asks for a supervisor.
"""

from __future__ import annotations

import re

from sqlalchemy import select

from collectdesk.domain.errors import InputError
from collectdesk.services.access import refused_by_database, require_supervisor
from collectdesk.services.context import AppContext
from collectdesk.store.models import ROLES, User
from collectdesk.store.people import UserView, user_named, user_view
from collectdesk.store.team_roles import add_login, disable_login, password_verifier, set_login_role

LOGIN_NAME = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
MIN_PASSWORD = 8


def _check(ctx: AppContext, name: str, role: str | None = None) -> str:
    name = name.strip()
    if not name:
        raise InputError("a user name is required")
    if len(name) > 80:
        raise InputError("a user name has at most 80 characters")
    if ctx.team and not LOGIN_NAME.match(name):
        raise InputError(
            f"{name!r} cannot be a login name: use lower-case letters, digits and _, starting with a letter"
        )
    if role is not None and role not in ROLES:
        raise InputError(f"role must be one of {', '.join(ROLES)}")
    return name


def _find(ctx: AppContext, name: str) -> UserView:
    with ctx.db.session() as session:
        user = user_named(session, name)
    if user is None:
        raise InputError(f"there is no user {name}: add them with collectdesk users add {name}")
    return user


def add_user(ctx: AppContext, name: str, role: str, password: str | None = None) -> tuple[UserView, bool]:
    """Add a user with ``role`` (on a team database: their login, with a first password);
    re-adding an existing user sets the role and enables them again. Returns (user, created)."""
    name = _check(ctx, name, role)
    if not ctx.team:
        require_supervisor(ctx, "adding users")
        return _set_row(ctx, name, role)
    with ctx.db.session() as session:
        existed = session.scalar(select(User.id).where(User.name == name)) is not None
    if password is not None and len(password) < MIN_PASSWORD:
        raise InputError(f"the password must have at least {MIN_PASSWORD} characters")
    if password is None and not existed:
        raise InputError(f"{name} needs a first password (give it on standard input with --password-stdin)")
    with refused_by_database(ctx, "adding users"), ctx.db.engine.begin() as conn:
        verifier = password_verifier(conn, name, password) if password is not None else None
        add_login(conn, name, role, verifier, ctx.clock.now())
    return _find(ctx, name), not existed


def set_role(ctx: AppContext, name: str, role: str) -> UserView:
    """Change an existing user's role."""
    name = _check(ctx, name, role)
    _find(ctx, name)
    if not ctx.team:
        require_supervisor(ctx, "changing roles")
        return _set_row(ctx, name, role)[0]
    with refused_by_database(ctx, "changing roles"), ctx.db.engine.begin() as conn:
        set_login_role(conn, name, role, ctx.clock.now())
    return _find(ctx, name)


def disable_user(ctx: AppContext, name: str) -> UserView:
    """Disable a user: they can no longer log in (team) or work the desk; their history stays."""
    name = _check(ctx, name)
    _find(ctx, name)
    if name == ctx.user.name:
        raise InputError("you cannot disable yourself: ask another supervisor")
    if ctx.team:
        with refused_by_database(ctx, "disabling users"), ctx.db.engine.begin() as conn:
            disable_login(conn, name, ctx.clock.now())
    else:
        require_supervisor(ctx, "disabling users")
        with ctx.db.session() as session:
            user = session.scalars(select(User).where(User.name == name)).one()
            user.active = False
    return _find(ctx, name)


def _set_row(ctx: AppContext, name: str, role: str) -> tuple[UserView, bool]:
    with ctx.db.session() as session:
        user = session.scalars(select(User).where(User.name == name)).one_or_none()
        created = user is None
        if user is None:
            user = User(name=name, role=role, created_at=ctx.clock.now(), active=True)
            session.add(user)
        else:
            user.role = role
            user.active = True
        session.flush()
        return user_view(user), created


def set_user_role(ctx: AppContext, name: str, role: str) -> tuple[UserView, bool]:
    """Create the user with ``role``, or change an existing user's role, without asking who is
    working: for setting up one's own files (the demo), never for a team database."""
    if ctx.team:
        raise InputError("on a team database users are added with collectdesk users add")
    return _set_row(ctx, _check(ctx, name, role), role)


def list_users(ctx: AppContext) -> list[UserView]:
    """Every user, by name."""
    with ctx.db.session() as session:
        return [user_view(user) for user in session.scalars(select(User).order_by(User.name))]
