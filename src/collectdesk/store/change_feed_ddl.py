"""PostgreSQL triggers that announce every committed change a desk shows (LISTEN/NOTIFY).

One notification per statement, on the channel :data:`CHANNEL`, naming the table; PostgreSQL
delivers it when the writing transaction commits, and folds repeats within one transaction.
SQLite needs nothing: desks watch its data version instead.
"""

from __future__ import annotations

CHANNEL = "collectdesk_changes"
WATCHED = ("calls", "customers", "payments", "promises", "invoices", "covers")


def trigger_ddl(dialect: str) -> list[str]:
    """Statements creating the notification triggers (none on SQLite)."""
    if dialect != "postgresql":
        return []
    statements = [
        "CREATE OR REPLACE FUNCTION collectdesk_notify_change() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN PERFORM pg_notify('{CHANNEL}', TG_TABLE_NAME); RETURN NULL; END $$"
    ]
    for table in WATCHED:
        # Notes saved as they are typed change nothing another desk lists: a call counts when it
        # starts, closes or changes hands.
        update = "UPDATE OF ended_at, user_id, customer_id" if table == "calls" else "UPDATE"
        statements.append(
            f"CREATE TRIGGER trg_{table}_notify AFTER INSERT OR {update} OR DELETE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION collectdesk_notify_change()"
        )
    return statements


def drop_trigger_ddl(dialect: str) -> list[str]:
    """Statements removing the notification triggers."""
    if dialect != "postgresql":
        return []
    return [f"DROP TRIGGER IF EXISTS trg_{table}_notify ON {table}" for table in WATCHED] + [
        "DROP FUNCTION IF EXISTS collectdesk_notify_change()"
    ]
