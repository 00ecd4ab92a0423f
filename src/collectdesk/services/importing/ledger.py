"""A customer's invoices as a payments import applies payments to them, and applying one payment."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from collectdesk.domain.allocation import OpenItem, allocate
from collectdesk.domain.invoice_status import OPEN

# Only plain open invoices take money automatically; disputed or referred ones only when named.
AUTOMATIC = OPEN


@dataclass
class Ledger:
    """One customer's invoices as the import applies payments to them."""

    items: dict[int, OpenItem] = field(default_factory=dict)
    status: dict[int, str] = field(default_factory=dict)
    by_number: dict[str, int] = field(default_factory=dict)
    # Paid in the accounting system before import (amount - open - applied here): a payment naming
    # the invoice settles this part first instead of taking the open balance down twice.
    reflected: dict[int, int] = field(default_factory=dict)
    # As stored before this import, where the writer needs it: (currency, issue date, due date,
    # amount, open amount, status).
    stored: dict[int, tuple[Any, ...]] = field(default_factory=dict)


def apply_payment(ledger: Ledger, amount: int, invoice_number: str | None) -> tuple[dict[int, int], int, list[int]]:
    """Apply one payment (the named invoice first, then the oldest), updating the ledger: what each
    invoice took, the credit left over, and the invoices it closed."""
    items = ledger.items
    named = ledger.by_number.get(invoice_number) if invoice_number else None
    merged: dict[int, int] = {}
    amount_left = amount
    if named is not None:
        reflected = ledger.reflected.get(named, 0)
        if reflected > 0:
            take = min(reflected, amount_left)
            ledger.reflected[named] = reflected - take
            merged[named] = take
            amount_left -= take
        item = items[named]
        if amount_left and item.open_amount >= amount_left:
            # The named invoice takes it all: what ``allocate`` would say, without ordering the rest.
            items[named] = OpenItem(named, item.number, item.due_date, item.open_amount - amount_left)
            merged[named] = merged.get(named, 0) + amount_left
            return merged, 0, [named] if item.open_amount == amount_left else []
    if not amount_left:
        return merged, 0, []
    status = ledger.status
    candidates = [
        item
        for invoice_id, item in items.items()
        if item.open_amount > 0 and (status[invoice_id] == AUTOMATIC or invoice_id == named)
    ]
    allocation = allocate(amount_left, candidates, named_invoice_id=named)
    closed = []
    for invoice_id, part in allocation.parts:
        item = items[invoice_id]
        items[invoice_id] = OpenItem(item.invoice_id, item.number, item.due_date, item.open_amount - part)
        if item.open_amount == part:
            closed.append(invoice_id)
        merged[invoice_id] = merged.get(invoice_id, 0) + part
    return merged, allocation.unapplied, closed
