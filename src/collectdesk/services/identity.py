"""Who is working on a team database: the login, never a name the client chooses."""

from __future__ import annotations

from collectdesk.domain.errors import InputError
from collectdesk.store.database import Database
from collectdesk.store.people import UserView, user_named
from collectdesk.store.team_roles import is_team_database, login_name


def team_user(db: Database, asked: str | None) -> UserView | None:
    """The user of the login on a team database (``None`` elsewhere); refuses ``asked`` when it
    names someone else, and logins that are not active users."""
    if not is_team_database(db.engine):
        return None
    login = login_name(db.engine)
    if asked and asked != login:
        raise InputError(
            f"--user {asked}: on this team database you are who you log in as ({login}). "
            f"To work as {asked}, connect with {asked}'s own login (their user name in the database URL "
            "and their password)."
        )
    with db.session() as session:
        user = user_named(session, login)
    if user is None:
        raise InputError(
            f"the login {login} is not a collectdesk user on this database: a supervisor adds it with "
            f"collectdesk users add {login} --role collector"
        )
    if not user.active:
        raise InputError(f"{login} has been disabled on this database: ask a supervisor")
    return user
