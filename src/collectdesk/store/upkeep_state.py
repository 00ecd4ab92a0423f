"""What the last idle upkeep saw, so that an upkeep with nothing to do costs one small query.

Upkeep (judging promises, escalating, ranking today's list) depends on the day, the rules and
the data. Every change to an account marks it for the ranking (``worklist_dirty``, through the
triggers), and payments and promises only ever get new ids when they are added, so "nothing
changed since" is: the same day and rules, no marked account, the same stored ranking, and the
same newest payment, allocation and promise. A full upkeep records that fingerprint only when it
changed nothing and found nothing marked: a change made while it ran leaves a mark (or a new id),
so the next upkeep runs in full.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import Connection, text

from collectdesk.store.upkeep_fingerprint import FINGERPRINT_SQL, STATE_ID, idle_key

_FINGERPRINT = text(FINGERPRINT_SQL)
_RECORD = text(
    "INSERT INTO upkeep_state (id, key, ranked, plain) VALUES (:id, :key, :ranked, :plain) "
    "ON CONFLICT (id) DO UPDATE SET key = excluded.key, ranked = excluded.ranked, plain = excluded.plain"
)


@dataclass(frozen=True)
class Seen:
    """What one upkeep saw before it started: ``key`` to record, and whether it matches the last."""

    key: str
    idle_since_last: bool  # nothing changed since the last idle upkeep with the same rules
    ranked: int  # accounts in the stored ranking, as the last idle upkeep counted them
    recipe_config: str | None = None  # the configuration the recorded quick-read recipe is for


def look(connection: Connection, rules: str) -> Seen:
    """The fingerprint of the data for ``rules`` (the day and every rule upkeep applies)."""
    recorded, ranking, ranked, marked, payments, allocations, promises, recipe = connection.execute(
        _FINGERPRINT, {"id": STATE_ID}
    ).one()
    key = idle_key(rules, ranking, payments, allocations, promises)
    idle = bool(recorded == key and not marked and ranking is not None)
    return Seen(key, idle, int(ranked or 0), json.loads(recipe).get("config") if recipe else None)


def record_idle(connection: Connection, seen: Seen, ranked: int, plain: str | None = None) -> None:
    """Remember that an upkeep which started at ``seen`` found nothing to do, with what a quick
    read of today's page needs (``plain``, JSON; see ``store/plain_page.py``)."""
    connection.execute(_RECORD, {"id": STATE_ID, "key": seen.key, "ranked": ranked, "plain": plain})


def forget_idle(connection: Connection) -> None:
    """Forget the last idle upkeep: the next one runs in full."""
    connection.execute(text("DELETE FROM upkeep_state"))
