"""Logins and team mode on PostgreSQL: who is connected, whether ``team init`` ran, and the calls
into the database's own user-management functions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Engine, text

from collectdesk.store.team_ddl import COLLECTOR_GROUP, team_ddl


def is_team_database(engine: Engine) -> bool:
    """Whether this is a PostgreSQL database set up with ``team init`` (roles enforced by it)."""
    if engine.dialect.name != "postgresql":
        return False
    with engine.connect() as conn:
        return bool(
            conn.execute(
                text(
                    "SELECT to_regrole(:group) IS NOT NULL AND coalesce((SELECT relrowsecurity FROM pg_class "
                    "WHERE oid = to_regclass('public.calls')), false)"
                ),
                {"group": COLLECTOR_GROUP},
            ).scalar()
        )


def login_name(engine: Engine) -> str:
    """The login role this engine connects as (``session_user``)."""
    with engine.connect() as conn:
        return str(conn.execute(text("SELECT session_user")).scalar())


def may_set_up_team(conn: Connection) -> str | None:
    """Why the connected login cannot run ``team init`` here (None when it can)."""
    row = conn.execute(
        text(
            "SELECT r.rolsuper, r.rolcreaterole, pg_get_userbyid(d.datdba) = session_user AS owns "
            "FROM pg_roles r, pg_database d WHERE r.rolname = session_user AND d.datname = current_database()"
        )
    ).one()
    if row.rolsuper or (row.rolcreaterole and row.owns):
        return None
    return (
        "team init must be run by the database's owner with the CREATEROLE attribute, or a superuser "
        "(the owner creates the team's roles and owns the tables)"
    )


def install_team(conn: Connection, owner: str) -> None:
    """Install roles, grants, policies, triggers and user functions (idempotent)."""
    for statement in team_ddl(owner):
        conn.exec_driver_sql(statement.replace("%", "%%"))


def password_verifier(conn: Connection, name: str, password: str) -> str:
    """The SCRAM verifier of ``password`` for login ``name``, computed on this side of the
    connection, so the password itself never reaches the server or its logs."""
    raw: Any = conn.connection.dbapi_connection
    verifier: bytes = raw.pgconn.encrypt_password(password.encode(), name.encode(), b"scram-sha-256")
    return verifier.decode()


def add_login(conn: Connection, name: str, role: str, verifier: str | None, at: datetime) -> int:
    """Create (or re-enable) login ``name`` with ``role`` and its collectdesk user; returns its id."""
    return int(
        conn.execute(
            text("SELECT collectdesk_add_user(:name, :role, :verifier, :at)"),
            {"name": name, "role": role, "verifier": verifier, "at": _naive(at)},
        ).scalar_one()
    )


def set_login_role(conn: Connection, name: str, role: str, at: datetime) -> None:
    """Move login ``name`` into the group of ``role``."""
    conn.execute(text("SELECT collectdesk_set_role(:name, :role, :at)"), {"name": name, "role": role, "at": _naive(at)})


def disable_login(conn: Connection, name: str, at: datetime) -> None:
    """Stop login ``name`` from connecting; its history stays."""
    conn.execute(text("SELECT collectdesk_disable_user(:name, :at)"), {"name": name, "at": _naive(at)})


def _naive(at: datetime) -> datetime:
    from datetime import UTC

    return at.astimezone(UTC).replace(tzinfo=None)
