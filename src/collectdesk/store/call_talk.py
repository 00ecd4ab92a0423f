"""Talk time kept on each call (``calls.talk_seconds``) by triggers, so the tally sums a number
instead of working out two timestamps for every call in the period."""

from __future__ import annotations

from sqlalchemy import Connection, literal_column, text
from sqlalchemy.dialects import postgresql, sqlite

from collectdesk.store.sqlfuncs import seconds_between


def _talk(dialect: str, row: str) -> str:
    """Seconds from the row's start to its end, 0 while the call is open (SQL text)."""
    seconds = seconds_between(literal_column(f"{row}.ended_at"), literal_column(f"{row}.started_at"))
    compiler = sqlite.dialect() if dialect == "sqlite" else postgresql.dialect()  # type: ignore[no-untyped-call]
    return f"COALESCE({seconds.compile(dialect=compiler)}, 0)"


def trigger_ddl(dialect: str) -> list[str]:
    """Statements that create the triggers keeping ``talk_seconds`` true on this dialect."""
    if dialect == "sqlite":
        return [
            "CREATE TRIGGER trg_calls_talk_insert AFTER INSERT ON calls BEGIN "
            f"UPDATE calls SET talk_seconds = {_talk(dialect, 'NEW')} WHERE id = NEW.id; END",
            "CREATE TRIGGER trg_calls_talk_update AFTER UPDATE OF started_at, ended_at ON calls "
            f"BEGIN UPDATE calls SET talk_seconds = {_talk(dialect, 'NEW')} WHERE id = NEW.id; END",
        ]
    return [
        "CREATE OR REPLACE FUNCTION collectdesk_call_talk() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN NEW.talk_seconds := {_talk(dialect, 'NEW')}; RETURN NEW; END $$",
        "CREATE TRIGGER trg_calls_talk BEFORE INSERT OR UPDATE OF started_at, ended_at ON calls "
        "FOR EACH ROW EXECUTE FUNCTION collectdesk_call_talk()",
    ]


def drop_trigger_ddl(dialect: str) -> list[str]:
    """Statements that remove the talk-time triggers again."""
    if dialect == "sqlite":
        return ["DROP TRIGGER IF EXISTS trg_calls_talk_insert", "DROP TRIGGER IF EXISTS trg_calls_talk_update"]
    return ["DROP TRIGGER IF EXISTS trg_calls_talk ON calls", "DROP FUNCTION IF EXISTS collectdesk_call_talk()"]


def rebuild_talk_seconds(connection: Connection) -> None:
    """Work out every call's talk time again, set-based (after a bulk load, in the migration)."""
    talk = _talk(connection.dialect.name, "calls")
    connection.execute(text(f"UPDATE calls SET talk_seconds = {talk}"))
