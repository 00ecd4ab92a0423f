"""Payment allocations totalled per currency, day received, issue date and due date, kept by triggers.

The receivables tally adds back what was paid after each day it measures (opening, closing and
aging balances) and takes out what was paid late in the within-30-days window. Those sums only
ever group allocations by the invoice's currency and filter them by the payment's day and the
invoice's issue and due dates, so ``allocation_totals`` holds, for each such key, the amount
allocated. A month of a busy ledger's payments is a few thousand rows instead of a join of
hundreds of thousands of payments, allocations and invoices. Written-off invoices are left out,
as the tally leaves them out.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session

_KEY = "received_on, currency, issue_date, due_date"
_COUNTED = "{invoice}.status != 'written_off'"


def _apply(sign: int, *, source: str, where: str, received: str, invoice: str, amount: str) -> str:
    """Add (sign +1) or take away (-1) the allocations ``source``/``where`` select, by key.

    ``invoice`` names the row holding the invoice's currency and dates (a table alias, OLD or NEW).
    """
    return (
        f"INSERT INTO allocation_totals ({_KEY}, amount) "
        f"SELECT {received}, {invoice}.currency, {invoice}.issue_date, {invoice}.due_date, {sign} * sum({amount}) "
        f"FROM {source} WHERE {where} AND {_COUNTED.format(invoice=invoice)} GROUP BY 1, 2, 3, 4 "
        f"ON CONFLICT ({_KEY}) DO UPDATE SET amount = allocation_totals.amount + excluded.amount"
    )


def _allocation(row: str, sign: int) -> str:
    """One allocation row (OLD or NEW) with its payment and invoice."""
    return _apply(
        sign,
        source="invoices i, payments p",
        where=f"i.id = {row}.invoice_id AND p.id = {row}.payment_id",
        received="p.received_on",
        invoice="i",
        amount=f"{row}.amount",
    )


def _payment(row: str, sign: int) -> str:
    """Every allocation of one payment row (OLD or NEW), on the day that row says."""
    return _apply(
        sign,
        source="payment_allocations a, invoices i",
        where=f"a.payment_id = {row}.id AND i.id = a.invoice_id",
        received=f"{row}.received_on",
        invoice="i",
        amount="a.amount",
    )


def _invoice(row: str, sign: int) -> str:
    """Every allocation to one invoice row (OLD or NEW), under the key that row says."""
    return _apply(
        sign,
        source="payment_allocations a, payments p",
        where=f"a.invoice_id = {row}.id AND p.id = a.payment_id",
        received="p.received_on",
        invoice=row,
        amount="a.amount",
    )


_INVOICE_KEY = ("currency", "issue_date", "due_date")
# An invoice's allocations move only when its key changes or it is written off (or back).
_INVOICE_MOVED = " OR ".join(
    [
        *(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in _INVOICE_KEY),
        f"({_COUNTED.format(invoice='OLD')}) != ({_COUNTED.format(invoice='NEW')})",
    ]
)
_INVOICE_WATCHED = "currency, issue_date, due_date, status"
_ALLOCATION_WATCHED = "amount, payment_id, invoice_id"


def trigger_ddl(dialect: str) -> list[str]:
    """Statements that create the triggers keeping ``allocation_totals`` true on this dialect.

    A deleted payment or invoice takes its allocations out before it goes (the cascade that
    then deletes them finds their payment or invoice gone and takes out nothing again).
    """
    if dialect == "sqlite":
        moved = _INVOICE_MOVED.replace("IS DISTINCT FROM", "IS NOT")
        return [
            "CREATE TRIGGER trg_allocations_totals_insert AFTER INSERT ON payment_allocations "
            f"BEGIN {_allocation('NEW', 1)}; END",
            f"CREATE TRIGGER trg_allocations_totals_update AFTER UPDATE OF {_ALLOCATION_WATCHED} "
            f"ON payment_allocations BEGIN {_allocation('OLD', -1)}; {_allocation('NEW', 1)}; END",
            "CREATE TRIGGER trg_allocations_totals_delete AFTER DELETE ON payment_allocations "
            f"BEGIN {_allocation('OLD', -1)}; END",
            "CREATE TRIGGER trg_payments_totals_update AFTER UPDATE OF received_on ON payments "
            f"WHEN OLD.received_on IS NOT NEW.received_on BEGIN {_payment('OLD', -1)}; {_payment('NEW', 1)}; END",
            f"CREATE TRIGGER trg_payments_totals_delete BEFORE DELETE ON payments BEGIN {_payment('OLD', -1)}; END",
            f"CREATE TRIGGER trg_invoices_allocations_update AFTER UPDATE OF {_INVOICE_WATCHED} ON invoices "
            f"WHEN {moved} BEGIN {_invoice('OLD', -1)}; {_invoice('NEW', 1)}; END",
            "CREATE TRIGGER trg_invoices_allocations_delete BEFORE DELETE ON invoices "
            f"BEGIN {_invoice('OLD', -1)}; END",
        ]
    return [
        "CREATE OR REPLACE FUNCTION collectdesk_allocation_totals() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {_allocation('OLD', -1)}; END IF; "
        f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {_allocation('NEW', 1)}; END IF; "
        "RETURN NULL; END $$",
        f"CREATE TRIGGER trg_allocations_totals AFTER INSERT OR DELETE OR UPDATE OF {_ALLOCATION_WATCHED} "
        "ON payment_allocations FOR EACH ROW EXECUTE FUNCTION collectdesk_allocation_totals()",
        "CREATE OR REPLACE FUNCTION collectdesk_payment_allocation_totals() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN IF TG_OP = 'DELETE' THEN {_payment('OLD', -1)}; RETURN OLD; END IF; "
        f"IF OLD.received_on IS DISTINCT FROM NEW.received_on THEN {_payment('OLD', -1)}; {_payment('NEW', 1)}; "
        "END IF; RETURN NULL; END $$",
        "CREATE TRIGGER trg_payments_totals_update AFTER UPDATE OF received_on ON payments "
        "FOR EACH ROW EXECUTE FUNCTION collectdesk_payment_allocation_totals()",
        "CREATE TRIGGER trg_payments_totals_delete BEFORE DELETE ON payments "
        "FOR EACH ROW EXECUTE FUNCTION collectdesk_payment_allocation_totals()",
        "CREATE OR REPLACE FUNCTION collectdesk_invoice_allocation_totals() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN IF TG_OP = 'DELETE' THEN {_invoice('OLD', -1)}; RETURN OLD; END IF; "
        f"IF {_INVOICE_MOVED} THEN {_invoice('OLD', -1)}; {_invoice('NEW', 1)}; END IF; RETURN NULL; END $$",
        f"CREATE TRIGGER trg_invoices_allocations_update AFTER UPDATE OF {_INVOICE_WATCHED} ON invoices "
        "FOR EACH ROW EXECUTE FUNCTION collectdesk_invoice_allocation_totals()",
        "CREATE TRIGGER trg_invoices_allocations_delete BEFORE DELETE ON invoices "
        "FOR EACH ROW EXECUTE FUNCTION collectdesk_invoice_allocation_totals()",
    ]


_SQLITE_TRIGGERS = (
    "trg_allocations_totals_insert",
    "trg_allocations_totals_update",
    "trg_allocations_totals_delete",
    "trg_payments_totals_update",
    "trg_payments_totals_delete",
    "trg_invoices_allocations_update",
    "trg_invoices_allocations_delete",
)


def drop_trigger_ddl(dialect: str) -> list[str]:
    """Statements that remove the allocation-totals triggers again."""
    if dialect == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}" for name in _SQLITE_TRIGGERS]
    return [
        "DROP TRIGGER IF EXISTS trg_allocations_totals ON payment_allocations",
        "DROP TRIGGER IF EXISTS trg_payments_totals_update ON payments",
        "DROP TRIGGER IF EXISTS trg_payments_totals_delete ON payments",
        "DROP TRIGGER IF EXISTS trg_invoices_allocations_update ON invoices",
        "DROP TRIGGER IF EXISTS trg_invoices_allocations_delete ON invoices",
        "DROP FUNCTION IF EXISTS collectdesk_allocation_totals()",
        "DROP FUNCTION IF EXISTS collectdesk_payment_allocation_totals()",
        "DROP FUNCTION IF EXISTS collectdesk_invoice_allocation_totals()",
    ]


_FRESH = (
    "SELECT p.received_on, i.currency, i.issue_date, i.due_date, sum(a.amount) "
    "FROM payment_allocations a JOIN payments p ON p.id = a.payment_id JOIN invoices i ON i.id = a.invoice_id "
    f"WHERE {_COUNTED.format(invoice='i')} GROUP BY p.received_on, i.currency, i.issue_date, i.due_date"
)


def rebuild_allocation_totals(target: Session | Connection) -> None:
    """Recompute every total from the allocations (after a bulk load, and in the migration)."""
    target.execute(text("DELETE FROM allocation_totals"))
    target.execute(text(f"INSERT INTO allocation_totals ({_KEY}, amount) {_FRESH}"))


def stale_allocation_totals(target: Session | Connection) -> list[dict[str, Any]]:
    """Totals that differ from a fresh computation (empty when all are true)."""
    kept = f"SELECT {_KEY}, amount FROM allocation_totals WHERE amount != 0"
    statement = f"{kept} EXCEPT {_FRESH} UNION ALL SELECT * FROM ({_FRESH} EXCEPT {kept}) AS missing"
    return [dict(r) for r in target.execute(text(statement)).mappings().all()]
