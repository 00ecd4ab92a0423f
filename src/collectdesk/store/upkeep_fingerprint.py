"""The fingerprint an idle upkeep records, as plain SQL: read through SQLAlchemy by upkeep and
through the plain ``sqlite3`` module by the quick read of today's page (``store/plain_page.py``)."""

from __future__ import annotations

STATE_ID = 1
FINGERPRINT_SQL = (
    "SELECT (SELECT key FROM upkeep_state WHERE id = :id), "
    "(SELECT key FROM worklist_state WHERE id = :id), "
    "(SELECT ranked FROM upkeep_state WHERE id = :id), "
    "EXISTS (SELECT 1 FROM worklist_dirty), "
    "(SELECT max(id) FROM payments), (SELECT max(id) FROM payment_allocations), "
    "(SELECT max(id) FROM promises), "
    "(SELECT plain FROM upkeep_state WHERE id = :id)"
)


def idle_key(rules: str, ranking: object, payments: object, allocations: object, promises: object) -> str:
    """What an upkeep saw: the day and rules, the stored ranking, the newest payment, allocation
    and promise (new ones only ever get higher ids)."""
    return f"{rules}|{ranking}|{payments}|{allocations}|{promises}"
