"""Shared fixtures: an isolated environment, an in-memory keyring, and real databases (SQLite, PostgreSQL)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import keyring
import pytest
from keyring.backend import KeyringBackend
from sqlalchemy import create_engine, text

from collectdesk.domain.clock import Clock
from collectdesk.services.context import AppContext, open_context
from collectdesk.settings import Settings

PG_URL = os.environ.get("COLLECTDESK_TEST_PG_URL")
TODAY = date(2026, 11, 23)


class MemoryKeyring(KeyringBackend):
    """A keyring that lives in a dict, so tests never touch a real one."""

    priority = 1  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.store: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.store.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.store[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        from keyring.errors import PasswordDeleteError

        if self.store.pop((service, username), None) is None:
            raise PasswordDeleteError(username)


@pytest.fixture(autouse=True)
def isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[MemoryKeyring]:
    """Keep every test away from the user's config, data, database and keyring."""
    for name in list(os.environ):
        if name.startswith("COLLECTDESK_") and name != "COLLECTDESK_TEST_PG_URL":
            monkeypatch.delenv(name)
    monkeypatch.setenv("COLLECTDESK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("COLLECTDESK_DATA_DIR", str(tmp_path / "data"))
    ring = MemoryKeyring()
    previous = keyring.get_keyring()
    keyring.set_keyring(ring)
    yield ring
    keyring.set_keyring(previous)


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


BACKENDS = [
    "sqlite",
    pytest.param("postgresql", marks=pytest.mark.skipif(not PG_URL, reason="COLLECTDESK_TEST_PG_URL is not set")),
]


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database URL: a SQLite file, and PostgreSQL when the suite has one."""
    if request.param == "postgresql":
        assert PG_URL
        _reset_postgres(PG_URL)
        return PG_URL
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite database URL (for tests that need only one backend)."""
    return f"sqlite:///{tmp_path / 'test.db'}"


@pytest.fixture
def frozen_clock() -> Clock:
    """A clock stopped at 2026-11-23 15:00 UTC (a Monday)."""
    return Clock(today_override=TODAY, frozen_at=datetime(2026, 11, 23, 15, 0, tzinfo=UTC))


@pytest.fixture
def ctx(db_url: str, frozen_clock: Clock) -> Iterator[AppContext]:
    """An application context on a fresh database, working as supervisor ``tester``."""
    context = open_context(
        db_url=db_url, user_name="tester", settings=Settings(), clock=frozen_clock, default_role="supervisor"
    )
    yield context
    context.close()


# A team on PostgreSQL: `team init` run by the suite's superuser/owner URL, and one login per
# person (names start with ``cdt_`` so each test can drop what the last one left).
TEAM_LOGIN_PREFIX = "cdt_"


def login_url(name: str) -> str:
    """The suite's PostgreSQL URL, logging in as ``name`` with that login's test password."""
    from sqlalchemy.engine import make_url

    assert PG_URL
    return make_url(PG_URL).set(username=name, password=f"pw-{name}-secret").render_as_string(hide_password=False)


def _drop_team_logins(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        names = conn.execute(
            text("SELECT rolname FROM pg_roles WHERE rolname LIKE :prefix"), {"prefix": TEAM_LOGIN_PREFIX + "%"}
        ).scalars()
        for name in list(names):
            conn.execute(text(f'DROP OWNED BY "{name}"'))
            conn.execute(text(f'DROP ROLE "{name}"'))
    engine.dispose()


@pytest.fixture
def team_url(frozen_clock: Clock) -> str:
    """A fresh PostgreSQL team database (``team init`` done by the owner); skipped without one."""
    if not PG_URL:
        pytest.skip("COLLECTDESK_TEST_PG_URL is not set")
    from collectdesk.services.team import init_team

    _reset_postgres(PG_URL)
    _drop_team_logins(PG_URL)
    init_team(PG_URL, now=frozen_clock.now())
    return PG_URL


def open_as(name: str, clock: Clock, settings: Settings | None = None) -> AppContext:
    """An application context on the team database, logged in as ``name``."""
    return open_context(db_url=login_url(name), settings=settings or Settings(), clock=clock)
