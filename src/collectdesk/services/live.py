"""Live desks: wait until anyone commits a change the desk shows.

PostgreSQL: LISTEN on the channel the database's triggers notify (store/change_feed_ddl.py).
SQLite: watch the file's ``PRAGMA data_version``, which moves whenever another connection commits.
Either way a feed has its own connection, so waiting never holds one the desk needs.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

from collectdesk.store.change_feed_ddl import CHANNEL
from collectdesk.store.database import Database, resolve_url

POLL_SECONDS = 0.25  # SQLite: how often the data version is read while waiting
SETTLE_SECONDS = 0.1  # a burst of commits (one close writes several tables) is one change


class ChangeFeed:
    """Tells when the database changed; ``wait`` returns as soon as it has, or at the timeout."""

    def __init__(self, db: Database) -> None:
        url = resolve_url(db.engine.url.render_as_string(hide_password=False))
        self._sqlite: sqlite3.Connection | None = None
        self._pg: Any = None
        if db.is_sqlite:
            self._sqlite = sqlite3.connect(url.database or ":memory:", check_same_thread=False)
            self._version = self._data_version()
        else:
            import psycopg

            self._pg = psycopg.connect(
                host=url.host,
                port=url.port,
                user=url.username,
                password=url.password,
                dbname=url.database,
                autocommit=True,
            )
            self._pg.execute(f"LISTEN {CHANNEL}")

    def _data_version(self) -> int:
        assert self._sqlite is not None
        return int(self._sqlite.execute("PRAGMA data_version").fetchone()[0])

    def wait(self, timeout: float) -> bool:
        """Block up to ``timeout`` seconds; True when something was committed since the last call."""
        if self._pg is not None:
            got = list(self._pg.notifies(timeout=timeout, stop_after=1))
            if got:
                list(self._pg.notifies(timeout=SETTLE_SECONDS))  # drain the rest of the burst
            return bool(got)
        deadline = time.monotonic() + timeout
        while True:
            version = self._data_version()
            if version != self._version:
                time.sleep(SETTLE_SECONDS)
                self._version = self._data_version()
                return True
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            time.sleep(min(POLL_SECONDS, left))

    def close(self) -> None:
        """Release the feed's connection."""
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None
        if self._pg is not None:
            self._pg.close()
            self._pg = None


def change_feed(db: Database) -> ChangeFeed:
    """A feed of committed changes on ``db`` (its own connection; close it when done)."""
    return ChangeFeed(db)
