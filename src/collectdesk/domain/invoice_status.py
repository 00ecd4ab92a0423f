"""Invoice statuses, defined once, and which of them still owe money."""

from __future__ import annotations

OPEN = "open"
PAID = "paid"
DISPUTED = "disputed"
WRITTEN_OFF = "written_off"
REFERRED = "agency"

INVOICE_STATUSES = (OPEN, PAID, DISPUTED, WRITTEN_OFF, REFERRED)
# Still owed by the customer: chased (open), on hold (disputed) or with the agency (referred).
OWING = (OPEN, DISPUTED, REFERRED)
# Owing but outside ``customers.open_balance``, which the triggers keep over open invoices only.
OWING_OUTSIDE_OPEN_BALANCE = (DISPUTED, REFERRED)
