"""A large payments file written in bulk (no per-row triggers, indexes set aside, derived data
worked out by the importer) leaves the books exactly as the row-by-row path does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from collectdesk.domain.clock import Clock
from collectdesk.domain.invoice_status import WRITTEN_OFF
from collectdesk.services.importing import import_csv, payments_stream, writing
from collectdesk.store.models import Invoice
from conftest import PG_URL
from importing_helpers import fresh_books, payment_books, write

CUSTOMERS = 30
PAYMENTS = 12_000  # more than the importer writes row by row (10,000)


def _customers() -> str:
    currencies = ("USD", "GBP", "JPY")
    lines = ["ref,name,country,currency,terms_days"]
    lines += [f"C{i:03d},Customer {i},US,{currencies[i % 3]},30" for i in range(CUSTOMERS)]
    return "\n".join(lines) + "\n"


def _invoices() -> str:
    lines = ["customer_ref,number,issue_date,due_date,amount,open_amount"]
    for i in range(CUSTOMERS * 14):
        month, day = 1 + i % 9, 1 + i % 28
        amount = 2_000 + 37 * i
        # Some paid in part or in full before the import: payments naming them settle that first.
        open_amount = amount if i % 5 else (amount // 3 if i % 2 else 0)
        lines.append(
            f"C{i % CUSTOMERS:03d},INV-{i:05d},2026-{month:02d}-{day:02d},2026-{month + 1:02d}-{day:02d},"
            f"{amount}.00,{open_amount}.00"
        )
    return "\n".join(lines) + "\n"


def _payments() -> str:
    lines = ["customer_ref,amount,received_on,invoice_number,reference,method"]
    for i in range(PAYMENTS):
        customer = (i * 7) % CUSTOMERS
        named = f"INV-{customer + CUSTOMERS * (i % 14):05d}" if i % 3 else ""
        method = ("ach", "card", "")[i % 3]
        amount = f"{1 + i % 2900}" if customer % 3 == 2 else f"{1 + i % 290}.{i % 100:02d}"  # yen: no cents
        lines.append(f"C{customer:03d},{amount},2026-{1 + i % 10:02d}-{1 + i % 27:02d},{named},R{i},{method}")
    return "\n".join(lines) + "\n"


def _imported(url: str, clock: Clock, directory: Path, *, written_off: bool) -> tuple[dict[str, Any], Any]:
    ctx = fresh_books(url, clock, directory, _customers(), _invoices())
    try:
        with ctx.db.session() as session:
            # Disputed invoices take money only when named; a written-off one named and paid off
            # moves its allocations into the totals.
            session.execute(update(Invoice).where(Invoice.number.like("%3")).values(status="disputed"))
            if written_off:
                session.execute(update(Invoice).where(Invoice.number.like("%7")).values(status=WRITTEN_OFF))
        report = import_csv(ctx, "payments", write(directory, "payments.csv", _payments()))
        return payment_books(ctx), (report.added, report.notes)
    finally:
        ctx.close()


@pytest.mark.parametrize("written_off", [False, True])
def test_a_large_payments_file_gives_the_same_books_in_bulk_as_row_by_row(
    db_url: str, frozen_clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, written_off: bool
) -> None:
    # A few customers at a time, so that ranges and fetched batches split customers' payments.
    monkeypatch.setattr(payments_stream, "_CUSTOMERS_AT_ONCE", 4)
    first = tmp_path / "bulk"
    first.mkdir()
    bulk, bulk_report = _imported(db_url, frozen_clock, first, written_off=written_off)
    monkeypatch.setattr(writing, "BULK_ROWS", 10**9)
    second = tmp_path / "rows"
    second.mkdir()
    url = db_url if PG_URL and db_url == PG_URL else f"sqlite:///{second / 'rows.db'}"
    rows, rows_report = _imported(url, frozen_clock, second, written_off=written_off)

    assert bulk_report == rows_report and bulk_report[0] == PAYMENTS
    assert bulk["stale"] == [] and rows["stale"] == []
    paid = [number for number, open_amount, status, _ in bulk["invoices"] if open_amount == 0 and status == "paid"]
    assert len(paid) > 100 and len(bulk["allocations"]) > 1_000
    for key in rows:
        assert bulk[key] == rows[key], key
