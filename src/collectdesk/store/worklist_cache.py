"""Today's list ranked ahead of time: the stored ranking, the triggers that mark changed accounts,
and the pass that brings the ranking up to date.

Scoring every candidate on each read costs ~200 ms at 100k customers; a page read from
``worklist_scores`` costs a few. Correctness never depends on the stored ranking being fresh:

* the ranking is keyed by what a score depends on besides the data (the day, the weights, the
  receipt window): a read for another key scores everything live;
* every change to an account (its own row, or its invoices and promises through the fact
  triggers) marks it in ``worklist_dirty``; a read scores those accounts live and takes the rest
  from the stored ranking;
* an account with a callback during the ranked day comes due when its time passes, so it is
  never stored and always scored live.

:func:`refresh_ranking` (run by upkeep) scores the marked accounts again, or everything on a new
day.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Select, delete, func, insert, select, text

from collectdesk.store.models import WorklistDirty, WorklistScore, WorklistState
from collectdesk.store.worklist_query import (
    ScoreParams,
    parameter_values,
    rank_all_statement,
    rank_some_statement,
)

SCORES = WorklistScore.__table__
DIRTY = WorklistDirty.__table__
STATE = WorklistState.__table__
# More marked accounts than this and one pass over everything is cheaper than a pass per account.
REBUILD_AT = 5_000
_STATE_ID = 1
_LOCK_ID = 7_340_001  # PostgreSQL advisory lock: one ranking pass at a time


def ranking_key(params: ScoreParams) -> str:
    """What a stored ranking is valid for: the day, the receipt window and every weight."""
    rules = f"{params.receipt_confirmation_days}|{params.agency_days}|{params.weights.model_dump_json()}"
    return f"{params.as_of.isoformat()}:{hashlib.sha1(rules.encode()).hexdigest()[:16]}"


def stored_key(connection: Connection) -> str | None:
    """The key of the stored ranking, or ``None`` when there is none."""
    return connection.execute(select(STATE.c.key).where(STATE.c.id == _STATE_ID)).scalar()


@dataclass(frozen=True)
class RankingPass:
    """What one :func:`refresh_ranking` did: ``rebuilt``, ``rescored`` or ``current``."""

    action: str
    accounts: int  # accounts scored in this pass
    ranked: int  # accounts in the stored ranking afterwards


def _claim_marks(connection: Connection, limit: int | None) -> list[int]:
    """Remove up to ``limit`` marks (``None``: all) and return whose they were.

    Marks a writer still holds (PostgreSQL) are skipped: they stay, so those accounts go on
    being scored live, and this pass never waits for a writer (no deadlock).
    """
    free = select(DIRTY.c.customer_id).with_for_update(skip_locked=True)
    if limit is not None:
        free = free.limit(limit)
    claimed = connection.execute(
        delete(WorklistDirty).where(DIRTY.c.customer_id.in_(free)).returning(DIRTY.c.customer_id)
    )
    return [customer_id for (customer_id,) in claimed]


def refresh_ranking(connection: Connection, params: ScoreParams) -> RankingPass:
    """Bring the stored ranking up to date for ``params`` (in the caller's transaction).

    Marks are removed before the accounts are scored: a change committed meanwhile marks its
    account again, so nothing is lost between the two.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _LOCK_ID})
    key = ranking_key(params)
    values = parameter_values(params)
    marked = _claim_marks(connection, REBUILD_AT + 1)
    if stored_key(connection) != key or len(marked) > REBUILD_AT:
        _claim_marks(connection, None)
        connection.execute(delete(WorklistScore))
        connection.execute(rank_all_statement(), values)
        _store_key(connection, key)
        ranked = _count(connection)
        return RankingPass("rebuilt", ranked, ranked)
    if not marked:
        return RankingPass("current", 0, _count(connection))
    connection.execute(delete(WorklistScore).where(SCORES.c.customer_id.in_(marked)))
    connection.execute(rank_some_statement(), {**values, "ids": marked})
    return RankingPass("rescored", len(marked), _count(connection))


def forget_ranking(connection: Connection) -> None:
    """Drop the stored ranking: the next read scores everything live, the next pass rebuilds."""
    for model in (WorklistState, WorklistScore, WorklistDirty):
        connection.execute(delete(model))


def _count(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(SCORES)).scalar() or 0)


def _store_key(connection: Connection, key: str) -> None:
    # One pass at a time (the lock, or SQLite's single writer): delete and insert cannot race.
    connection.execute(delete(WorklistState))
    connection.execute(insert(WorklistState).values(id=_STATE_ID, key=key))


# Marking: any change to a customer row (the fact triggers write one on every invoice and promise
# change), and invoice changes that decide a receipt confirmation without touching the facts.
# DO UPDATE rather than DO NOTHING: the writer then holds the mark until it commits, so a ranking
# pass cannot clear it while the change is still on its way.
_MARK = (
    "INSERT INTO worklist_dirty (customer_id) VALUES ({id}) "
    "ON CONFLICT (customer_id) DO UPDATE SET customer_id = excluded.customer_id"
)
_RECEIPT_COLUMNS = "receipt_confirmed_at, issue_date"


_SQLITE_UPDATE_TRIGGER = "trg_customers_rank_update"
_SQLITE_UPDATE_MARK = (
    f"CREATE TRIGGER {_SQLITE_UPDATE_TRIGGER} AFTER UPDATE ON customers BEGIN {_MARK.format(id='NEW.id')}; END"
)


def trigger_ddl(dialect: str) -> list[str]:
    """Statements that create the triggers marking changed accounts on this dialect."""
    if dialect == "sqlite":
        return [
            "CREATE TRIGGER trg_customers_rank_insert AFTER INSERT ON customers BEGIN "
            f"{_MARK.format(id='NEW.id')}; END",
            _SQLITE_UPDATE_MARK,
            f"CREATE TRIGGER trg_invoices_rank_update AFTER UPDATE OF {_RECEIPT_COLUMNS} "
            f"ON invoices BEGIN {_MARK.format(id='NEW.customer_id')}; END",
        ]
    return [
        "CREATE OR REPLACE FUNCTION collectdesk_mark_customer() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN {_MARK.format(id='NEW.id')}; RETURN NULL; END $$",
        "CREATE OR REPLACE FUNCTION collectdesk_mark_invoice_customer() RETURNS trigger "
        f"LANGUAGE plpgsql AS $$ BEGIN {_MARK.format(id='NEW.customer_id')}; RETURN NULL; END $$",
        "CREATE TRIGGER trg_customers_rank AFTER INSERT OR UPDATE ON customers "
        "FOR EACH ROW EXECUTE FUNCTION collectdesk_mark_customer()",
        f"CREATE TRIGGER trg_invoices_rank AFTER UPDATE OF {_RECEIPT_COLUMNS} ON invoices "
        "FOR EACH ROW EXECUTE FUNCTION collectdesk_mark_invoice_customer()",
    ]


def drop_trigger_ddl(dialect: str) -> list[str]:
    """Statements that remove the marking triggers again."""
    if dialect == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {name}"
            for name in ("trg_customers_rank_insert", _SQLITE_UPDATE_TRIGGER, "trg_invoices_rank_update")
        ]
    return [
        "DROP TRIGGER IF EXISTS trg_customers_rank ON customers",
        "DROP TRIGGER IF EXISTS trg_invoices_rank ON invoices",
        "DROP FUNCTION IF EXISTS collectdesk_mark_customer()",
        "DROP FUNCTION IF EXISTS collectdesk_mark_invoice_customer()",
    ]


@contextmanager
def customers_marked_at_once(connection: Connection, ids: Select[Any]) -> Iterator[None]:
    """Update customers inside the block and mark the ones ``ids`` selects in one statement before
    it, instead of once per row by trigger (what the trigger writes, for the same accounts).

    SQLite only, in a write transaction the caller has open: the row trigger is dropped for the
    block and created again before the transaction ends (a rollback restores it too), and no
    other writer can run meanwhile. Elsewhere the trigger stays and marks each row as usual.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    # Python's sqlite3 opens a transaction only at a write: DROP TRIGGER first would commit alone.
    connection.exec_driver_sql("UPDATE customers SET id = id WHERE 0")
    # OR IGNORE: an account marked already stays marked (SQLite has one writer; nothing to hold).
    connection.execute(insert(WorklistDirty).prefix_with("OR IGNORE").from_select(["customer_id"], ids))
    connection.exec_driver_sql(f"DROP TRIGGER {_SQLITE_UPDATE_TRIGGER}")
    yield
    connection.exec_driver_sql(_SQLITE_UPDATE_MARK)
