"""The store opens SQLite and PostgreSQL, migrates itself and keeps the data honest."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from collectdesk.services.context import AppContext
from collectdesk.store.database import Database, DatabaseError
from collectdesk.store.migrate import SCHEMA_HEAD, alembic_config, current_revision
from collectdesk.store.models import Customer, Invoice
from conftest import PG_URL

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _customer(ref: str = "C1") -> Customer:
    return Customer(
        ref=ref,
        name="Acme",
        kind="business",
        country="US",
        currency="USD",
        terms_days=30,
        stage="reminder",
        on_hold=False,
        do_not_call=False,
        cease_contact=False,
        lawyer_represented=False,
        failed_attempts=0,
        created_at=NOW,
        updated_at=NOW,
    )


def test_schema_head_matches_migration_scripts() -> None:
    from alembic.script import ScriptDirectory

    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == SCHEMA_HEAD


def test_open_migrates_and_reopen_is_a_no_op(db_url: str) -> None:
    db = Database.open(db_url)
    assert current_revision(db.engine) == SCHEMA_HEAD
    db.close()
    again = Database.open(db_url)
    assert current_revision(again.engine) == SCHEMA_HEAD
    again.close()


def test_postgresql_connections_do_not_compile_queries_just_in_time() -> None:
    """JIT compilation made the desk's queries slower (the bench's live worklist: 400 ms against 230)."""
    if not PG_URL:
        pytest.skip("COLLECTDESK_TEST_PG_URL is not set")
    db = Database.open(PG_URL)
    with db.engine.connect() as conn:
        assert conn.execute(text("SHOW jit")).scalar() == "off"
        assert conn.execute(text("SELECT 1")).scalar() == 1  # the setting left no transaction behind
    db.close()


def test_sqlite_connection_pragmas(sqlite_url: str) -> None:
    db = Database.open(sqlite_url)
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 30000
        assert conn.execute(text("PRAGMA mmap_size")).scalar() > 0  # pages read through a memory map
    db.close()


def test_timestamps_round_trip_as_utc(ctx: AppContext) -> None:
    with ctx.db.session() as session:
        session.add(_customer())
    with ctx.db.session() as session:
        stored = session.query(Customer).one()
        assert stored.created_at == NOW
        assert stored.created_at.tzinfo is not None


@pytest.mark.parametrize("amount, open_amount", [(-1, 0), (100, 101), (100, -5)])
def test_invoice_amount_constraints(ctx: AppContext, amount: int, open_amount: int) -> None:
    with ctx.db.session() as session:
        session.add(_customer())
    with pytest.raises(IntegrityError), ctx.db.session() as session:
        customer = session.query(Customer).one()
        session.add(
            Invoice(
                customer_id=customer.id,
                number="INV-1",
                issue_date=date(2026, 1, 1),
                due_date=date(2026, 1, 31),
                amount=amount,
                currency="USD",
                open_amount=open_amount,
                status="open",
                created_at=NOW,
            )
        )


def test_duplicate_customer_ref_is_refused(ctx: AppContext) -> None:
    with ctx.db.session() as session:
        session.add(_customer("DUP"))
    with pytest.raises(IntegrityError), ctx.db.session() as session:
        session.add(_customer("DUP"))


def test_foreign_keys_are_enforced(ctx: AppContext) -> None:
    with pytest.raises(IntegrityError), ctx.db.session() as session:
        session.add(
            Invoice(
                customer_id=999,
                number="X",
                issue_date=date(2026, 1, 1),
                due_date=date(2026, 1, 1),
                amount=1,
                currency="USD",
                open_amount=1,
                status="open",
                created_at=NOW,
            )
        )


def test_unsupported_database_is_a_clear_error() -> None:
    with pytest.raises(DatabaseError, match="not supported"):
        Database.open("mysql://localhost/x")
