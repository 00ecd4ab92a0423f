"""Everything the database derives by triggers, in one list, and bulk loading without them.

Each entry keeps one kind of derived data true on every write: account facts on customers,
invoice and allocation totals, talk time and currency on calls, and the marks on changed
accounts for the stored ranking.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection

from collectdesk.store import (
    account_facts,
    allocation_totals,
    call_currency,
    call_talk,
    invoice_totals,
    worklist_cache,
)


@dataclass(frozen=True)
class Derived:
    """One kind of derived data: its triggers and the set-based pass that rebuilds it."""

    name: str
    trigger_ddl: Callable[[str], list[str]]
    drop_trigger_ddl: Callable[[str], list[str]]
    rebuild: Callable[[Connection], None]


DERIVED = (
    Derived(
        "account_facts", account_facts.trigger_ddl, account_facts.drop_trigger_ddl, account_facts.refresh_account_facts
    ),
    Derived(
        "invoice_totals",
        invoice_totals.trigger_ddl,
        invoice_totals.drop_trigger_ddl,
        invoice_totals.rebuild_invoice_totals,
    ),
    Derived(
        "allocation_totals",
        allocation_totals.trigger_ddl,
        allocation_totals.drop_trigger_ddl,
        allocation_totals.rebuild_allocation_totals,
    ),
    Derived("call_talk", call_talk.trigger_ddl, call_talk.drop_trigger_ddl, call_talk.rebuild_talk_seconds),
    Derived(
        "call_currency", call_currency.trigger_ddl, call_currency.drop_trigger_ddl, call_currency.rebuild_call_currency
    ),
    # Rebuilt by dropping the stored ranking: the next upkeep ranks everything again.
    Derived("ranking", worklist_cache.trigger_ddl, worklist_cache.drop_trigger_ddl, worklist_cache.forget_ranking),
)


def may_set_triggers_aside(connection: Connection) -> bool:
    """Whether this login may drop and make the triggers again, as a bulk load does: on PostgreSQL
    only the tables' owner may (on a team database, the owner and nobody else)."""
    if connection.dialect.name != "postgresql":
        return True
    owns = "SELECT pg_has_role(current_user, relowner, 'USAGE') FROM pg_class WHERE oid = 'invoices'::regclass"
    return bool(connection.exec_driver_sql(owns).scalar())


@contextmanager
def bulk_load(connection: Connection, *, kept: Collection[str] = ()) -> Iterator[None]:
    """Load many rows without per-row triggers, then rebuild everything derived, set-based, but
    what the caller says it ``kept`` true itself (by name).

    Everything happens in the caller's transaction: if the load fails, the triggers come back
    with the rollback. Use it for loads of thousands of rows; small writes need nothing.
    """
    dialect = connection.dialect.name
    for derived in DERIVED:
        for statement in derived.drop_trigger_ddl(dialect):
            connection.exec_driver_sql(statement)
    yield
    for derived in DERIVED:
        if derived.name not in kept:
            derived.rebuild(connection)
        for statement in derived.trigger_ddl(dialect):
            connection.exec_driver_sql(statement)
