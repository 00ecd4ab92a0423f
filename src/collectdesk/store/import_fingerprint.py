"""A checksum of what an invoices import compares against, to see that nothing changed since the last one."""

from __future__ import annotations

import hashlib

from sqlalchemy import Connection

# Exact totals plus id-weighted sums of every compared field, each term kept small enough that a
# million rows cannot overflow SQLite's integers: an edit to any one invoice moves at least one of them.
_INVOICES = """
SELECT count(*), coalesce(max(id), 0), coalesce(sum(amount), 0), coalesce(sum(open_amount), 0),
       coalesce(sum((id % 65521 + 1) * ((customer_id * 131 + amount * 7 + open_amount * 3
           + CAST(replace(issue_date, '-', '') AS INTEGER) * 17 + CAST(replace(due_date, '-', '') AS INTEGER) * 29
           + length(number) * 37 + unicode(substr(number, -1)) * 41 + length(status) * 47) % 1000003)), 0)
FROM invoices
"""


def invoices_fingerprint(connection: Connection) -> str | None:
    """What every stored invoice and customer looks like to an invoices import, as one string that
    changes when any of it does; ``None`` where it is not worked out (off SQLite)."""
    if connection.dialect.name != "sqlite":
        return None
    invoices = connection.exec_driver_sql(_INVOICES).one()
    digest = hashlib.sha256()
    # Through the driver: plain tuples, a tenth of the cost of result rows for a whole table.
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute("SELECT id, ref, name, email, currency, country, terms_days FROM customers ORDER BY id")
        while part := cursor.fetchmany(10_000):
            digest.update(repr(part).encode())
    finally:
        cursor.close()
    return ":".join(map(str, invoices)) + ":" + digest.hexdigest()
