"""Payments that each land whole on the invoice they name are settled in SQL; the books they leave
(allocations, balances, paid-on days, facts, totals, the timeline) are exactly the writer's, and
every other customer's payments still go through the writer."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, update

from collectdesk.domain.clock import Clock
from collectdesk.domain.invoice_status import DISPUTED, WRITTEN_OFF
from collectdesk.services.importing import import_csv, payments_stream, writing
from collectdesk.services.importing.payments_direct import Settled
from collectdesk.store.models import Customer, Invoice
from conftest import PG_URL
from importing_helpers import fresh_books, payment_books, write

CUSTOMERS = 40
CURRENCIES = ("USD", "GBP", "JPY", "CHF")
# What each customer's payments are like, by customer number modulo 8, and whether SQL settles them.
SETTLED_KINDS = {0, 1, 5, 7}  # partial payments; two paying one off; a disputed invoice named; odd texts
# 2: one payment names no invoice; 3: one pays more than its invoice owes; 4: its invoice was paid in
# part outside collectdesk; 6: its invoice is written off.


def _csv(rows: list[list[Any]]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue()


def _ref(k: int) -> str:
    return f"C{k:02d}"


def _number(k: int, n: int) -> str:
    return f'I{k:02d}-{n} "é\\' if k % 8 == 7 else f"I{k:02d}-{n}"


def _money(k: int, major: int) -> str:
    """``major`` whole units in the customer's currency (yen: a hundred times as many, no cents)."""
    return str(major * 100) if CURRENCIES[(k // 8) % 4] == "JPY" else f"{major}.00"


def _customers() -> str:
    rows: list[list[Any]] = [["ref", "name", "country", "currency", "terms_days"]]
    rows += [[_ref(k), f"Customer {k}", "US", CURRENCIES[(k // 8) % 4], 30] for k in range(CUSTOMERS)]
    return _csv(rows)


def _invoices() -> str:
    rows: list[list[Any]] = [["customer_ref", "number", "issue_date", "due_date", "amount", "open_amount"]]
    for k in range(CUSTOMERS):
        for n in range(1, 5):
            # Kind 4: the first invoice was paid 400 outside collectdesk before it was imported.
            open_major = 600 if k % 8 == 4 and n == 1 else 1000
            due = f"2026-0{n + 1}-{1 + k % 27:02d}"
            rows.append(
                [_ref(k), _number(k, n), f"2026-0{n}-{1 + k % 27:02d}", due, _money(k, 1000), _money(k, open_major)]
            )
    return _csv(rows)


def _payment(k: int, major: int, day: str, n: int | None, reference: str, method: str = "") -> list[Any]:
    return [_ref(k), _money(k, major), day, "" if n is None else _number(k, n), reference, method]


HEADING = ["customer_ref", "amount", "received_on", "invoice_number", "reference", "method"]


def _earlier_payments() -> list[list[Any]]:
    """The first file: a part of an invoice paid for some customers."""
    return [_payment(k, 100, "2026-02-03", 1, f"A{k}") for k in range(CUSTOMERS) if k % 8 in (0, 3)]


def _later_payments() -> list[list[Any]]:
    """The second file: the first again (unchanged) and each customer's new payments."""
    rows = _earlier_payments()
    for k in range(CUSTOMERS):
        kind = k % 8
        if kind == 0:
            rows += [_payment(k, 200, "2026-03-01", 1, f"B{k}a", "ach"), _payment(k, 300, "2026-04-01", 1, f"B{k}b")]
            rows.append(_payment(k, 1000, "2026-05-20", 2, f"B{k}c", "card"))  # paid off after it fell due
        elif kind == 1:
            # Paid off by two payments, the later one first in the file: paid on the later day.
            rows += [_payment(k, 400, "2026-03-10", 3, f"B{k}a"), _payment(k, 600, "2026-02-01", 3, f"B{k}b")]
        elif kind == 2:
            rows += [_payment(k, 300, "2026-03-01", 1, f"B{k}a"), _payment(k, 250, "2026-03-02", None, f"B{k}b")]
        elif kind == 3:
            rows += [_payment(k, 1200, "2026-03-01", 2, f"B{k}a"), _payment(k, 100, "2026-03-05", 1, f"B{k}b")]
        elif kind in (4, 5, 6):
            rows.append(_payment(k, 500, "2026-03-01", 1, f"B{k}a"))
        else:
            rows.append(_payment(k, 150, "2026-11-23", 1, f'B{k} "quoted" \\ back é', "chèque"))
            rows.append(_payment(k, 1000, "2026-01-15", 4, ""))
    return rows


def _imported(url: str, clock: Clock, directory: Path) -> tuple[dict[str, Any], dict[int, str]]:
    ctx = fresh_books(url, clock, directory, _customers(), _invoices())
    try:
        with ctx.db.session() as session:
            first = [_number(k, 1) for k in range(CUSTOMERS)]
            for kind, status in ((5, DISPUTED), (6, WRITTEN_OFF)):
                named = [first[k] for k in range(CUSTOMERS) if k % 8 == kind]
                session.execute(update(Invoice).where(Invoice.number.in_(named)).values(status=status))
        import_csv(ctx, "payments", write(directory, "earlier.csv", _csv([HEADING, *_earlier_payments()])))
        report = import_csv(ctx, "payments", write(directory, "later.csv", _csv([HEADING, *_later_payments()])))
        assert report.unchanged == len(_earlier_payments())
        with ctx.db.session() as session:
            refs = dict(session.execute(select(Customer.id, Customer.ref)).tuples().all())
        return payment_books(ctx), refs
    finally:
        ctx.close()


@pytest.mark.parametrize("bulk", [False, True], ids=["row triggers", "bulk load"])
def test_payments_settled_in_sql_leave_the_books_as_the_writer_does(
    db_url: str, frozen_clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bulk: bool
) -> None:
    if bulk:
        # Written as a large load is: no per-row triggers, totals and facts worked out by the import.
        monkeypatch.setattr(writing, "BULK_ROWS", 5)
    settled: list[Settled] = []
    settle = payments_stream.settle_direct

    def watched(*args: Any) -> Settled:
        settled.append(settle(*args))
        return settled[-1]

    monkeypatch.setattr(payments_stream, "settle_direct", watched)
    (tmp_path / "sql").mkdir()
    in_sql, refs = _imported(db_url, frozen_clock, tmp_path / "sql")

    monkeypatch.setattr(payments_stream, "settle_direct", lambda *args: Settled(frozenset(), 0))
    (tmp_path / "writer").mkdir()
    url = db_url if PG_URL and db_url == PG_URL else f"sqlite:///{tmp_path / 'writer' / 'writer.db'}"
    by_writer, _ = _imported(url, frozen_clock, tmp_path / "writer")

    expected = sorted(_ref(k) for k in range(CUSTOMERS) if k % 8 in SETTLED_KINDS)
    assert " ".join(sorted(refs[customer_id] for customer_id in settled[-1].customers)) == " ".join(expected)
    assert settled[-1].payments == sum(
        3 if k % 8 == 0 else 2 if k % 8 in (1, 7) else 1 for k in range(CUSTOMERS) if k % 8 in SETTLED_KINDS
    )
    assert in_sql["stale"] == [] and by_writer["stale"] == []
    for key in by_writer:
        assert in_sql[key] == by_writer[key], key
    paid_on = {number: (status, paid) for number, _, status, paid in in_sql["invoices"]}
    assert paid_on["I01-3"][0] == "paid" and str(paid_on["I01-3"][1]) == "2026-03-10"
    entry = next(a for a in in_sql["activity"] if a[4] == "C07" and a[3]["amount"] == 15000)
    assert entry[2] == 'Payment of $150.00 received 2026-11-23 applied to I07-1 "é\\ ($150.00)'
    assert entry[3]["reference"] == 'B7 "quoted" \\ back é' and entry[3]["method"] == "chèque"
