"""Per-customer facts kept on ``customers`` so the worklist never aggregates every invoice.

Invoice facts (``open_balance``, ``oldest_open_due``, ``newest_open_due``, ``newest_open_amount``,
``prior_open_due``, ``late_payments``) and promise facts (``earliest_open_promise_on``,
``last_broken_on``) are derived data. :data:`FACT_EXPRESSIONS` defines each one once, as SQL over
the source table; database triggers apply it to the affected customer on every write (whatever
code path writes), and :func:`refresh_account_facts` applies it set-based to all customers (used
by the migration, and to prove the triggers right: :func:`stale_facts` must stay empty).
A new invoice is folded in incrementally (bulk imports stay fast); updates and deletes recompute.

"Open" means chaseable: status ``open`` with a balance left; disputed invoices are excluded.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, text
from sqlalchemy.orm import Session

from collectdesk.domain import promise_status

_OPEN = "i.customer_id = customers.id AND i.status = 'open' AND i.open_amount > 0"
_NEWEST = f"(SELECT max(i.due_date) FROM invoices i WHERE {_OPEN})"

# Each expression is computed from its source alone (an UPDATE's SET sees the row as it was).
INVOICE_FACTS: dict[str, str] = {
    "open_balance": f"(SELECT coalesce(sum(i.open_amount), 0) FROM invoices i WHERE {_OPEN})",
    "oldest_open_due": f"(SELECT min(i.due_date) FROM invoices i WHERE {_OPEN})",
    "newest_open_due": _NEWEST,
    "newest_open_amount": f"(SELECT coalesce(sum(i.open_amount), 0) FROM invoices i "
    f"WHERE {_OPEN} AND i.due_date = {_NEWEST})",
    "prior_open_due": f"(SELECT max(i.due_date) FROM invoices i WHERE {_OPEN} AND i.due_date < {_NEWEST})",
    "late_payments": "(SELECT count(*) FROM invoices i WHERE i.customer_id = customers.id AND i.paid_on > i.due_date)",
}
PROMISE_FACTS: dict[str, str] = {
    "earliest_open_promise_on": "(SELECT min(p.promised_on) FROM promises p "
    f"WHERE p.customer_id = customers.id AND p.status = '{promise_status.OPEN}')",
    "last_broken_on": "(SELECT max(p.broken_on) FROM promises p "
    f"WHERE p.customer_id = customers.id AND p.status = '{promise_status.BROKEN}')",
}
FACT_EXPRESSIONS = {**INVOICE_FACTS, **PROMISE_FACTS}
FACT_COLUMNS = tuple(FACT_EXPRESSIONS)

# Folding one new invoice (NEW) into the facts without reading any other invoice.
_NEW_OPEN = "(NEW.status = 'open' AND NEW.open_amount > 0)"
INVOICE_INSERT_ASSIGNMENTS = ", ".join(
    [
        f"open_balance = open_balance + CASE WHEN {_NEW_OPEN} THEN NEW.open_amount ELSE 0 END",
        f"oldest_open_due = CASE WHEN {_NEW_OPEN} AND (oldest_open_due IS NULL "
        "OR NEW.due_date < oldest_open_due) THEN NEW.due_date ELSE oldest_open_due END",
        f"newest_open_due = CASE WHEN {_NEW_OPEN} AND (newest_open_due IS NULL "
        "OR NEW.due_date > newest_open_due) THEN NEW.due_date ELSE newest_open_due END",
        f"newest_open_amount = CASE WHEN NOT {_NEW_OPEN} THEN newest_open_amount "
        "WHEN newest_open_due IS NULL OR NEW.due_date > newest_open_due THEN NEW.open_amount "
        "WHEN NEW.due_date = newest_open_due THEN newest_open_amount + NEW.open_amount "
        "ELSE newest_open_amount END",
        f"prior_open_due = CASE WHEN NOT {_NEW_OPEN} OR newest_open_due IS NULL THEN prior_open_due "
        "WHEN NEW.due_date > newest_open_due THEN newest_open_due "
        "WHEN NEW.due_date < newest_open_due AND (prior_open_due IS NULL "
        "OR NEW.due_date > prior_open_due) THEN NEW.due_date ELSE prior_open_due END",
        "late_payments = late_payments + CASE WHEN NEW.paid_on > NEW.due_date THEN 1 ELSE 0 END",
    ]
)


def _assignments(facts: dict[str, str]) -> str:
    return ", ".join(f"{column} = {expr}" for column, expr in facts.items())


def _sqlite_triggers(table: str, facts: dict[str, str], watched: str, insert_assignments: str) -> list[str]:
    recompute = _assignments(facts)
    return [
        f"CREATE TRIGGER trg_{table}_facts_insert AFTER INSERT ON {table} BEGIN "
        f"UPDATE customers SET {insert_assignments} WHERE customers.id = NEW.customer_id; END",
        f"CREATE TRIGGER trg_{table}_facts_update AFTER UPDATE OF {watched} ON {table} BEGIN "
        f"UPDATE customers SET {recompute} "
        "WHERE customers.id IN (NEW.customer_id, OLD.customer_id); END",
        f"CREATE TRIGGER trg_{table}_facts_delete AFTER DELETE ON {table} BEGIN "
        f"UPDATE customers SET {recompute} WHERE customers.id = OLD.customer_id; END",
    ]


def _postgres_triggers(table: str, facts: dict[str, str], watched: str, insert_assignments: str) -> list[str]:
    recompute = _assignments(facts)
    new_values = ", ".join(f"NEW.{c}" for c in watched.split(", "))
    old_values = ", ".join(f"OLD.{c}" for c in watched.split(", "))
    return [
        f"CREATE OR REPLACE FUNCTION collectdesk_{table}_facts() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'INSERT' THEN UPDATE customers SET {insert_assignments} "
        "WHERE customers.id = NEW.customer_id; RETURN NULL; END IF; "
        f"IF TG_OP = 'UPDATE' AND ({new_values}) IS NOT DISTINCT FROM ({old_values}) "
        "THEN RETURN NULL; END IF; "
        f"UPDATE customers SET {recompute} WHERE customers.id = OLD.customer_id; "
        "IF TG_OP = 'UPDATE' AND NEW.customer_id <> OLD.customer_id THEN "
        f"UPDATE customers SET {recompute} WHERE customers.id = NEW.customer_id; END IF; "
        "RETURN NULL; END $$",
        f"CREATE TRIGGER trg_{table}_facts AFTER INSERT OR UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION collectdesk_{table}_facts()",
    ]


def trigger_ddl(dialect: str) -> list[str]:
    """Statements that create the triggers keeping the facts true on this dialect."""
    make = _sqlite_triggers if dialect == "sqlite" else _postgres_triggers
    return [
        *make(
            "invoices", INVOICE_FACTS, "customer_id, status, open_amount, due_date, paid_on", INVOICE_INSERT_ASSIGNMENTS
        ),
        *make("promises", PROMISE_FACTS, "customer_id, status, promised_on, broken_on", _assignments(PROMISE_FACTS)),
    ]


def drop_trigger_ddl(dialect: str) -> list[str]:
    """Statements that remove the triggers again (for the migration's downgrade)."""
    if dialect == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS trg_{table}_facts_{op}"
            for table in ("invoices", "promises")
            for op in ("insert", "update", "delete")
        ]
    return [
        statement
        for table in ("invoices", "promises")
        for statement in (
            f"DROP TRIGGER IF EXISTS trg_{table}_facts ON {table}",
            f"DROP FUNCTION IF EXISTS collectdesk_{table}_facts()",
        )
    ]


def refresh_account_facts(target: Session | Connection, customer_ids: Sequence[int] | None = None) -> None:
    """Recompute the facts set-based, for some customers or (``None``) for all of them."""
    assignments = _assignments(FACT_EXPRESSIONS)
    if customer_ids is None:
        target.execute(text(f"UPDATE customers SET {assignments}"))
        return
    statement = text(f"UPDATE customers SET {assignments} WHERE customers.id IN :ids")
    target.execute(statement.bindparams(bindparam("ids", expanding=True)), {"ids": list(customer_ids)})


def refresh_invoice_facts_of(connection: Connection, customers: str) -> None:
    """Recompute the invoice facts of ``customers`` (an SQL subquery of customer ids), for a load
    with the per-row triggers off: each is a look-up in the invoices' partial indexes."""
    connection.exec_driver_sql(
        f"UPDATE customers SET {_assignments(INVOICE_FACTS)} WHERE customers.id IN ({customers})"
    )


def stale_facts(target: Session | Connection) -> list[dict[str, Any]]:
    """Customers whose stored facts differ from a fresh computation (empty when all are true)."""
    fresh = ", ".join(f"{expr} AS {column}" for column, expr in FACT_EXPRESSIONS.items())
    statement = (
        f"SELECT id, {', '.join(FACT_COLUMNS)} FROM customers EXCEPT SELECT customers.id, {fresh} FROM customers"
    )
    return [dict(r) for r in target.execute(text(statement)).mappings().all()]
