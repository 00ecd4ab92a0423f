"""Applying a payment to open invoices: the named invoice first, then the oldest open ones."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import NamedTuple


class OpenItem(NamedTuple):
    """An invoice that can take money: its id, number, due date and what is still owed on it."""

    invoice_id: int
    number: str
    due_date: date
    open_amount: int


class Allocation(NamedTuple):
    """How a payment was applied: (invoice id, amount) parts, and the unapplied credit left."""

    parts: tuple[tuple[int, int], ...]
    unapplied: int

    @property
    def applied(self) -> int:
        """The total applied to invoices."""
        return sum(amount for _, amount in self.parts)


def oldest_first(items: Sequence[OpenItem]) -> list[OpenItem]:
    """Invoices in the order money is applied to them: due date, then invoice number."""
    return sorted(items, key=lambda item: (item.due_date, item.number, item.invoice_id))


def allocate(amount: int, items: Sequence[OpenItem], *, named_invoice_id: int | None = None) -> Allocation:
    """Apply ``amount`` (minor units, > 0) to the named invoice first, then oldest first.

    Never applies more than an invoice still owes; whatever does not fit stays unapplied credit.
    """
    if amount <= 0:
        raise ValueError("a payment amount must be positive")
    order = oldest_first([item for item in items if item.open_amount > 0])
    if named_invoice_id is not None:
        order.sort(key=lambda item: item.invoice_id != named_invoice_id)
    remaining = amount
    parts: list[tuple[int, int]] = []
    for item in order:
        if remaining == 0:
            break
        take = min(remaining, item.open_amount)
        parts.append((item.invoice_id, take))
        remaining -= take
    return Allocation(parts=tuple(parts), unapplied=remaining)
