"""Each call's currency (``calls.currency``, its customer's) kept by triggers, so the tally groups
the period's calls by currency from their own index instead of looking up every call's customer."""

from __future__ import annotations

from sqlalchemy import Connection, text

_OF_CUSTOMER = "(SELECT c.currency FROM customers c WHERE c.id = {row}.customer_id)"


def trigger_ddl(dialect: str) -> list[str]:
    """Statements that create the triggers keeping ``calls.currency`` true on this dialect: a call
    takes its customer's currency when written or moved to another customer, and a customer's
    calls follow a change of its currency."""
    if dialect == "sqlite":
        of_new = _OF_CUSTOMER.format(row="NEW")
        return [
            "CREATE TRIGGER trg_calls_currency_insert AFTER INSERT ON calls BEGIN "
            f"UPDATE calls SET currency = {of_new} WHERE id = NEW.id; END",
            "CREATE TRIGGER trg_calls_currency_update AFTER UPDATE OF customer_id ON calls "
            f"BEGIN UPDATE calls SET currency = {of_new} WHERE id = NEW.id; END",
            "CREATE TRIGGER trg_customers_calls_currency AFTER UPDATE OF currency ON customers "
            "WHEN OLD.currency IS NOT NEW.currency "
            "BEGIN UPDATE calls SET currency = NEW.currency WHERE customer_id = NEW.id; END",
        ]
    return [
        "CREATE OR REPLACE FUNCTION collectdesk_call_currency() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN NEW.currency := {_OF_CUSTOMER.format(row='NEW')}; RETURN NEW; END $$",
        "CREATE TRIGGER trg_calls_currency BEFORE INSERT OR UPDATE OF customer_id ON calls "
        "FOR EACH ROW EXECUTE FUNCTION collectdesk_call_currency()",
        # As the database owner: on a team database a desk may change a customer it can update
        # while the row-level policies would hide a colleague's calls from it.
        "CREATE OR REPLACE FUNCTION collectdesk_customer_calls_currency() RETURNS trigger LANGUAGE plpgsql "
        "SECURITY DEFINER SET search_path = public, pg_temp AS "
        "$$ BEGIN UPDATE calls SET currency = NEW.currency WHERE customer_id = NEW.id; RETURN NULL; END $$",
        "CREATE TRIGGER trg_customers_calls_currency AFTER UPDATE OF currency ON customers "
        "FOR EACH ROW WHEN (OLD.currency IS DISTINCT FROM NEW.currency) "
        "EXECUTE FUNCTION collectdesk_customer_calls_currency()",
    ]


def drop_trigger_ddl(dialect: str) -> list[str]:
    """Statements that remove the call-currency triggers again."""
    if dialect == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {name}"
            for name in ("trg_calls_currency_insert", "trg_calls_currency_update", "trg_customers_calls_currency")
        ]
    return [
        "DROP TRIGGER IF EXISTS trg_calls_currency ON calls",
        "DROP TRIGGER IF EXISTS trg_customers_calls_currency ON customers",
        "DROP FUNCTION IF EXISTS collectdesk_call_currency()",
        "DROP FUNCTION IF EXISTS collectdesk_customer_calls_currency()",
    ]


def rebuild_call_currency(connection: Connection) -> None:
    """Give every call its customer's currency again, set-based (after a bulk load, in the migration).

    Only calls whose currency is not their customer's are written: a bulk import of invoices or
    payments leaves every call as it was, and rewrites none of them."""
    of_customer = _OF_CUSTOMER.format(row="calls")
    connection.execute(text(f"UPDATE calls SET currency = {of_customer} WHERE currency IS DISTINCT FROM {of_customer}"))
