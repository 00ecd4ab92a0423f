"""Setting up a team database: ``collectdesk team init``, run once by the database owner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select

from collectdesk.domain.errors import InputError
from collectdesk.store.database import Database
from collectdesk.store.models import User
from collectdesk.store.team_roles import install_team, login_name, may_set_up_team


@dataclass(frozen=True)
class TeamSetup:
    """What ``team init`` did: the owner's login and whether the database was already a team's."""

    owner: str
    already: bool


def init_team(url: str, *, now: datetime | None = None) -> TeamSetup:
    """Create the schema, the group roles, grants, policies and triggers, and make the owner's
    login its first supervisor. Running it again brings everything up to date."""
    db = Database.open(url)
    try:
        if db.is_sqlite:
            raise InputError(
                "team init is for PostgreSQL: a SQLite file is a one-person desk (its first user is its "
                "supervisor) and protects nothing from whoever can open it"
            )
        from collectdesk.store.team_roles import is_team_database

        already = is_team_database(db.engine)
        owner = login_name(db.engine)
        with db.engine.begin() as conn:
            refusal = may_set_up_team(conn)
            if refusal is not None:
                raise InputError(f"{owner} cannot set up this team: {refusal}")
            install_team(conn, owner)
        with db.session() as session:
            user = session.scalars(select(User).where(User.name == owner)).one_or_none()
            if user is None:
                session.add(User(name=owner, role="supervisor", created_at=now or datetime.now(UTC), active=True))
            else:
                user.role, user.active = "supervisor", True
        return TeamSetup(owner=owner, already=already)
    finally:
        db.close()
