"""Today's worklist without SQLAlchemy or pydantic, when the last upkeep left a recipe that is still
true (``store/plain_page.py``); ``None`` sends the caller down the usual path."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from collectdesk.config_fingerprint import NotSimple, config_fingerprint, os_user, simple_value
from collectdesk.domain.clock import desk_clock
from collectdesk.paths import default_database_url
from collectdesk.services.worklist_rows import WorklistRow, row_from
from collectdesk.store.plain_page import read_page

if TYPE_CHECKING:
    from collectdesk.services.context import AppContext

_SQLITE_FILE = "sqlite:///"


@dataclass(frozen=True)
class PlainWorklist:
    """The page's rows and the score components' keys, in display order; whose list, and when."""

    rows: list[WorklistRow]
    component_keys: list[str]
    user: str
    now: datetime


def _sqlite_path(url: str) -> Path | None:
    if not url.startswith(_SQLITE_FILE) or "?" in url or url == f"{_SQLITE_FILE}:memory:":
        return None
    path = Path(url.removeprefix(_SQLITE_FILE)).expanduser()
    return path if path.is_file() else None


def _day(value: str | date | None) -> date | None:
    return value if isinstance(value, date) or value is None else date.fromisoformat(value)


def plain_worklist(db_url: str | None, user_name: str | None, *, limit: int) -> PlainWorklist | None:
    """Today's first ``limit`` rows for this database and user, or ``None`` when only the usual
    path can tell (not a SQLite file, a configuration to validate, no recipe, something changed)."""
    try:
        url = db_url or simple_value("db") or default_database_url()
        user = user_name or simple_value("user") or os_user()
        timezone = simple_value("timezone")
        clock = desk_clock(_day(simple_value("today")), timezone if isinstance(timezone, str) else None)
    except (NotSimple, ValueError):
        return None
    path = _sqlite_path(str(url))
    if path is None:
        return None
    page = read_page(
        path, config=config_fingerprint(), today=clock.today(), now=clock.now(), user=str(user), limit=limit
    )
    if page is None:
        return None
    rows = [row_from(record, rank, page.labels) for rank, record in enumerate(page.rows, start=1)]
    return PlainWorklist(rows, list(page.labels), str(user), clock.now())


def plain_first_page(ctx: AppContext, *, limit: int) -> list[WorklistRow] | None:
    """Today's first ``limit`` rows through the recipe, for a context that is already open (the
    desk's first page: no statement to build and compile before the list can paint)."""
    database = ctx.db.engine.url.database
    if ctx.config is None or not ctx.db.is_sqlite or not database or database == ":memory:":
        return None
    clock = ctx.clock
    page = read_page(
        Path(database), config=ctx.config, today=clock.today(), now=clock.now(), user=ctx.user.name, limit=limit
    )
    if page is None:
        return None
    return [row_from(record, rank, page.labels) for rank, record in enumerate(page.rows, start=1)]
