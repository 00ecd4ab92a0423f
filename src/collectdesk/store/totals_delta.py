"""Invoice totals kept true across a bulk load by adding what the load changed, rather than
rebuilding them from every invoice (at a million invoices, seconds). There are a few hundred keys
(currency, issue date, due date) where a load changes a great many invoices."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Connection

from collectdesk.domain.invoice_status import WRITTEN_OFF
from collectdesk.store.import_stage import driver_executemany

_UNCOUNTED = WRITTEN_OFF
_INVOICES = (
    "INSERT INTO invoice_totals (currency, issue_date, due_date, invoices, open_amount, amount) "
    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (currency, issue_date, due_date) DO UPDATE SET "
    "invoices = invoice_totals.invoices + excluded.invoices, "
    "open_amount = invoice_totals.open_amount + excluded.open_amount, "
    "amount = invoice_totals.amount + excluded.amount"
)


class TotalsDelta:
    """What a load changed in the invoice totals (values as the driver takes them), applied once at
    the end: the same sums the triggers would have added row by row."""

    def __init__(self) -> None:
        self.invoices: dict[tuple[Any, ...], list[int]] = defaultdict(lambda: [0, 0, 0])
        # Whether an invoice was written off or back: all its allocations move in or out of the
        # allocation totals, which are then best rebuilt.
        self.recounted = False

    def add(self, key: tuple[Any, ...], open_amount: int, amount: int, status: str, sign: int = 1) -> None:
        """An invoice (``sign`` -1: as it was) under ``key`` (currency, issue date, due date)."""
        if status != _UNCOUNTED:
            row = self.invoices[key]
            row[0] += sign * (open_amount > 0)
            row[1] += sign * open_amount
            row[2] += sign * amount

    def add_sums(self, key: tuple[Any, ...], opened: int, open_amount: int, amount: int) -> None:
        """Counted invoices under ``key`` added at once: how many are open, their open amount and amount."""
        row = self.invoices[key]
        row[0] += opened
        row[1] += open_amount
        row[2] += amount

    def balance(self, stored: tuple[Any, ...], open_amount: int, status: str) -> None:
        """One invoice's new open amount and status; ``stored`` is (currency, issue date, due date,
        amount, open amount, status) as it was."""
        currency, issue, due, amount, was_open, was = stored
        if was != _UNCOUNTED and status != _UNCOUNTED:
            # Counted before and after: only the open amount moves (the usual payment).
            row = self.invoices[(currency, issue, due)]
            row[0] += (open_amount > 0) - (was_open > 0)
            row[1] += open_amount - was_open
            return
        self.add((currency, issue, due), was_open, amount, was, -1)
        self.add((currency, issue, due), open_amount, amount, status)
        if (was == _UNCOUNTED) != (status == _UNCOUNTED):
            self.recounted = True

    def apply(self, connection: Connection) -> None:
        """Add everything to the stored totals."""
        driver_executemany(connection, _INVOICES, [(*key, *sums) for key, sums in self.invoices.items()])
