"""Schema migrations, applied automatically when the database is opened."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # SCHEMA_HEAD is read by quick paths that never import SQLAlchemy
    from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")
# The newest revision in migrations/versions; a test keeps it in step with Alembic's own view.
SCHEMA_HEAD = "0015"


def current_revision(engine: Engine) -> str | None:
    """The revision the database is at, or ``None`` for an empty database."""
    from sqlalchemy import inspect, text

    with engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def alembic_config(**attributes: Any) -> Any:
    """An Alembic configuration pointing at the packaged migration scripts."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes.update(attributes)
    return config


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest revision (a no-op, without importing Alembic, when it is)."""
    if current_revision(engine) == SCHEMA_HEAD:
        return
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(alembic_config(connection=connection), "head")
