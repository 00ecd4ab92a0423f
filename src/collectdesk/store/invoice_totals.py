"""Invoice totals per currency, issue date and due date, kept by triggers for the receivables tally.

Aging, credit sales and the within-30-days window only ever group invoices by currency and filter
them by issue and due dates, so ``invoice_totals`` holds, for each such (currency, issue date, due
date), how many invoices still have a balance, their open balance and their amount. Written-off
invoices are left out, as the tally leaves them out. At 1M invoices that is a few thousand rows:
the tally sums those instead of scanning every invoice.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

_COUNTED = "{row}.status != 'written_off'"
_KEY = "currency, issue_date, due_date"
# Each trigger adds a row's share (sign +1) or takes it away again (sign -1).
_APPLY = (
    "INSERT INTO invoice_totals (currency, issue_date, due_date, invoices, open_amount, "
    "amount) SELECT {row}.currency, {row}.issue_date, {row}.due_date, "
    "{sign} * CASE WHEN {row}.open_amount > 0 THEN 1 ELSE 0 END, "
    "{sign} * {row}.open_amount, {sign} * {row}.amount WHERE {counted} "
    f"ON CONFLICT ({_KEY}) DO UPDATE SET "
    "invoices = invoice_totals.invoices + excluded.invoices, "
    "open_amount = invoice_totals.open_amount + excluded.open_amount, "
    "amount = invoice_totals.amount + excluded.amount"
)
_WATCHED = "currency, issue_date, due_date, open_amount, amount, status"


def _apply(row: str, sign: int) -> str:
    return _APPLY.format(row=row, sign=sign, counted=_COUNTED.format(row=row))


def trigger_ddl(dialect: str) -> list[str]:
    """Statements that create the triggers keeping ``invoice_totals`` true on this dialect."""
    if dialect == "sqlite":
        return [
            f"CREATE TRIGGER trg_invoices_totals_insert AFTER INSERT ON invoices BEGIN {_apply('NEW', 1)}; END",
            f"CREATE TRIGGER trg_invoices_totals_update AFTER UPDATE OF {_WATCHED} ON invoices "
            f"BEGIN {_apply('OLD', -1)}; {_apply('NEW', 1)}; END",
            f"CREATE TRIGGER trg_invoices_totals_delete AFTER DELETE ON invoices BEGIN {_apply('OLD', -1)}; END",
        ]
    return [
        "CREATE OR REPLACE FUNCTION collectdesk_invoice_totals() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {_apply('OLD', -1)}; END IF; "
        f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {_apply('NEW', 1)}; END IF; "
        "RETURN NULL; END $$",
        f"CREATE TRIGGER trg_invoices_totals AFTER INSERT OR DELETE OR UPDATE OF {_WATCHED} "
        "ON invoices FOR EACH ROW EXECUTE FUNCTION collectdesk_invoice_totals()",
    ]


def drop_trigger_ddl(dialect: str) -> list[str]:
    """Statements that remove the totals triggers again."""
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS trg_invoices_totals_{op}" for op in ("insert", "update", "delete")]
    return [
        "DROP TRIGGER IF EXISTS trg_invoices_totals ON invoices",
        "DROP FUNCTION IF EXISTS collectdesk_invoice_totals()",
    ]


_FRESH = (
    "SELECT currency, issue_date, due_date, "
    "sum(CASE WHEN open_amount > 0 THEN 1 ELSE 0 END), sum(open_amount), sum(amount) "
    f"FROM invoices WHERE status != 'written_off' GROUP BY {_KEY}"
)


def rebuild_invoice_totals(target: Session | Connection) -> None:
    """Recompute every total from the invoices (after a bulk load, and in the migration)."""
    target.execute(text("DELETE FROM invoice_totals"))
    target.execute(text(f"INSERT INTO invoice_totals ({_KEY}, invoices, open_amount, amount) {_FRESH}"))


def stale_totals(target: Session | Connection) -> list[dict[str, Any]]:
    """Totals that differ from a fresh computation (empty when all are true)."""
    kept = (
        "SELECT currency, issue_date, due_date, invoices, open_amount, amount "
        "FROM invoice_totals WHERE invoices != 0 OR open_amount != 0 OR amount != 0"
    )
    statement = f"{kept} EXCEPT {_FRESH} UNION ALL SELECT * FROM ({_FRESH} EXCEPT {kept}) AS missing"
    return [dict(r) for r in target.execute(text(statement)).mappings().all()]
