"""Today's first page read with the plain ``sqlite3`` module, when the last upkeep left a recipe.

A quick command (``collectdesk worklist``) would spend most of its time importing SQLAlchemy and
pydantic to run one indexed read. When an upkeep found nothing to do it records, beside its
fingerprint, the recipe of that read: the ranked page's statement as SQLAlchemy compiles it for
SQLite, the values of its parameters that do not change during the day, the score's labels, and
the configuration and rules they were worked out from (``store/plain_recipe.py``). This module
runs the recipe only while it is still true: same schema, same configuration, same day, nothing
changed since (the fingerprint of ``store/upkeep_fingerprint.py``); otherwise it answers ``None``
and the caller takes the usual path.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from collectdesk.store.migrate import SCHEMA_HEAD
from collectdesk.store.upkeep_fingerprint import FINGERPRINT_SQL, STATE_ID, idle_key

# Parameters that change with every read: the rest come from the recipe.
VARYING = ("callbacks_before", "page_limit", "page_offset", "stored_limit")
# In a collector's own list (the recipe's ``own_list``): the parameter their user id goes in.
OWN_ID = "own_id_parameter"
_COVERING = "SELECT 1 FROM covers WHERE substitute_id = ? AND from_on <= ? AND to_on >= ? LIMIT 1"
_DAYS = ("next_action_on",)
_INSTANTS = ("next_action_at", "last_contact_at")


def sqlite_value(value: Any) -> Any:
    """A parameter as SQLAlchemy writes it to SQLite: ISO dates, instants as naive UTC text."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _instant(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass(frozen=True)
class PlainPage:
    """A page of today's list as result rows (dates and instants parsed), and the score's labels."""

    rows: list[dict[str, Any]]
    labels: dict[str, str]


def read_page(
    path: Path, *, config: str, today: date, now: datetime, user: str, limit: int, offset: int = 0
) -> PlainPage | None:
    """The page, or ``None`` when the recipe is missing or no longer true (or anything fails)."""
    try:
        connection = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        return _read(connection, config=config, today=today, now=now, user=user, limit=limit, offset=offset)
    except (sqlite3.Error, ValueError, KeyError, TypeError):
        return None
    finally:
        connection.close()


def _read(
    connection: sqlite3.Connection, *, config: str, today: date, now: datetime, user: str, limit: int, offset: int
) -> PlainPage | None:
    if connection.execute("SELECT version_num FROM alembic_version").fetchone() != (SCHEMA_HEAD,):
        return None
    found = connection.execute("SELECT id, role, active FROM users WHERE name = ?", (user,)).fetchone()
    if found is None or not found[2]:
        return None  # the usual path creates the user, or says they are disabled
    user_id, role = found[0], found[1]
    recorded, ranking, _, marked, payments, allocations, promises, recipe_json = connection.execute(
        FINGERPRINT_SQL, {"id": STATE_ID}
    ).fetchone()
    if recipe_json is None or marked:
        return None
    recipe = json.loads(recipe_json)
    rules = recipe["rules"]
    if recipe["config"] != config or not rules.startswith(f"{today.isoformat()}:"):
        return None
    if idle_key(rules, ranking, payments, allocations, promises) != recorded:
        return None
    statement, values = recipe["sql"], recipe["values"]
    if recipe["readers"] != "everyone" and role != "supervisor":
        if connection.execute(_COVERING, (user_id, today.isoformat(), today.isoformat())).fetchone():
            return None  # covering for someone: their accounts count as "mine" too, the usual path
        own = recipe["own_list"]
        statement, values = own["sql"], {**own["values"], own[OWN_ID]: user_id}
    values = {
        **values,
        "callbacks_before": sqlite_value(now),
        "page_limit": limit,
        "page_offset": offset,
        "stored_limit": offset + limit,
    }
    cursor = connection.execute(statement, values)
    names = [column[0] for column in cursor.description]
    rows = [dict(zip(names, record, strict=True)) for record in cursor]
    for row in rows:
        for name in _DAYS:
            row[name] = None if row[name] is None else date.fromisoformat(row[name])
        for name in _INSTANTS:
            row[name] = _instant(row[name])
    return PlainPage(rows, dict(recipe["labels"]))
