"""The application context shared by the CLI, the desk and tests: settings, database, clock, user."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from collectdesk.config_fingerprint import config_fingerprint
from collectdesk.config_fingerprint import os_user as os_user
from collectdesk.domain.clock import Clock, desk_clock
from collectdesk.settings import Settings, data_dir, load_settings
from collectdesk.store.database import Database, default_url
from collectdesk.store.models import User
from collectdesk.store.people import UserView, user_view


@dataclass
class AppContext:
    """Everything a use case needs: validated settings, an open database, the clock and the user."""

    settings: Settings
    db: Database
    clock: Clock
    user: UserView
    # A PostgreSQL database set up with `team init`: the user is the login, roles enforced by it.
    team: bool = False
    config: str | None = None  # fingerprint of the configuration the settings were loaded from

    def close(self) -> None:
        """Close the database."""
        self.db.close()


def ensure_user(db: Database, name: str, role: str = "collector", *, now: datetime | None = None) -> UserView:
    """The user with this name, created the first time it is seen: as supervisor (the owner) when
    it is the database's first user, else with ``role``."""
    with db.session() as session:
        user = session.scalars(select(User).where(User.name == name)).one_or_none()
        if user is None:
            first = session.scalar(select(User.id).limit(1)) is None
            user = User(name=name, role="supervisor" if first else role, created_at=now or datetime.now(UTC))
            session.add(user)
            session.flush()
        return user_view(user)


def open_context(
    *,
    db_url: str | None = None,
    user_name: str | None = None,
    settings: Settings | None = None,
    config_path: Path | None = None,
    clock: Clock | None = None,
    default_role: str = "collector",
    create: bool = True,
) -> AppContext:
    """Load settings, open (and migrate) the database and make sure the user exists.

    ``create=False``: refuse a SQLite database that does not exist yet instead of creating it.
    """
    config = None
    if settings is None:
        config = config_fingerprint(config_path)
        settings = load_settings(config_path)
    url = db_url or settings.db or default_url(data_dir())
    db = Database.open(url, create=create)
    clock = clock or desk_clock(settings.today, settings.timezone)
    from collectdesk.services.identity import team_user

    try:
        user = team_user(db, user_name or settings.user)
    except Exception:
        db.close()
        raise
    if user is not None:
        return AppContext(settings=settings, db=db, clock=clock, user=user, team=True)
    user = ensure_user(db, user_name or settings.user or os_user(), default_role, now=clock.now())
    return AppContext(settings=settings, db=db, clock=clock, user=user, config=config)
