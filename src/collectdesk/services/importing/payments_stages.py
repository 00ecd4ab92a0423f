"""The temporary tables a large payments import stages its rows and results in."""

from __future__ import annotations

from collectdesk.store.import_stage import stage_table

# The checked rows of the file, one per line; ``new`` 0 for payments already stored.
STAGE = stage_table(
    "import_payments_stage",
    [
        ("customer_id", "int"),
        ("amount", "int"),
        ("currency", "text"),
        ("received_on", "date"),
        ("invoice_number", "text"),
        ("method", "text"),
        ("reference", "text"),
        ("import_key", "text"),
        ("new", "int"),
    ],
)
# What payments stored before this import applied to each invoice.
APPLIED = stage_table("import_applied_stage", [("applied", "int")], key="invoice_id")
# What the payments do to invoices and where they go, gathered to be written once, in key order.
BALANCES = stage_table(
    "import_balances_stage", [("open_amount", "int"), ("status", "text"), ("paid_on", "date")], key="invoice_id"
)
PARTS = stage_table(
    "import_parts_stage",
    [
        ("payment_id", "int"),
        ("invoice_id", "int"),
        ("amount", "int"),
        # The allocation's key in the allocation totals, and whether they count it.
        ("received_on", "date"),
        ("currency", "text"),
        ("issue_date", "date"),
        ("due_date", "date"),
        ("counted", "int"),
    ],
    key=None,
)
# What the new payments bring to each invoice number they name (see ``payments_direct``).
NAMED = stage_table(
    "import_named_stage",
    [
        ("customer_id", "int"),
        ("invoice_number", "text"),
        ("paid", "int"),
        ("last_received", "date"),
        ("payments", "int"),
    ],
    key=None,
)
# The invoices that take all of it, with what the writer needs of them as stored.
DIRECT = stage_table(
    "import_direct_stage",
    [
        ("customer_id", "int"),
        ("invoice_number", "text"),
        ("paid", "int"),
        ("last_received", "date"),
        ("payments", "int"),
        ("currency", "text"),
        ("issue_date", "date"),
        ("due_date", "date"),
        ("open_amount", "int"),
        ("status", "text"),
    ],
    key="invoice_id",
)
# The customers whose payments were settled in SQL: the writer leaves them out.
SETTLED = stage_table("import_settled_stage", [], key="customer_id")
# When a payment received on each day shows on the timeline, as the driver takes it.
NOONS = stage_table("import_noons_stage", [("received_on", "date"), ("at", "moment")], key=None)
