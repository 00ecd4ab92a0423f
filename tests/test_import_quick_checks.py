"""The usual rows of a large plain file are checked in SQL on SQLite, the rest in Python: each tricky
cell must come out exactly as the whole-file reader (checked in Python only) makes of it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from collectdesk.domain.clock import Clock
from collectdesk.services.context import AppContext, open_context
from collectdesk.services.importing import ImportFailed, import_csv
from collectdesk.services.importing.shaping import Options
from collectdesk.settings import Settings
from collectdesk.store.models import Customer, Invoice, Payment
from importing_helpers import write

CUSTOMERS = """ref,name,country,currency
C1,Harbour Joinery Ltd,GB,GBP
C2,Dana Whitfield,US,USD
Y1,Kobe Trading,JP,JPY
"""
INVOICE_HEAD = "customer_ref,number,issue_date,due_date,amount,currency"
# (customer ref, number, issue date, due date, amount, currency) one cell at a time off the usual.
USUAL_INVOICE = ["C1", "INV-7", "2026-10-01", "2026-10-31", "120.50", "GBP"]
INVOICE_CELLS = {
    0: [" C1", "C1 ", "c1", "C 1", "Harbour Joinery Ltd", "", "Y1", "C2"],
    1: ["INV  7", " INV-7", "Rechnung-Ü1", "INV\t7", "", "N" * 64, "N" * 65],
    2: ["2025-02-29", "2024-02-29", "2026-04-31", "2026-10-01 ", "0000-01-01", "2026-1-01", "20261001", "2026-11-01"],
    3: ["2026-09-30", "2026-10-01", "9999-12-31", "2026-02-30", ""],
    4: ["0012.5", "7", "12.05", " 3.10 ", "12.345", "1e3", "12.", ".5", "0", "1,200.00", "$5.00", "9" * 15, "9" * 16],
    5: ["", "gbp", " GBP", "USD", "XYZ"],
}
PAYMENT_HEAD = "customer_ref,amount,received_on,invoice_number,method,reference"
USUAL_PAYMENT = ["C1", "20.00", "2026-11-02", "INV-1", "card", "P1"]
PAYMENT_CELLS = {
    0: [" C1", "Y1", "C9"],
    1: ["0", "0.00", "5", "20.5", "1e2", "-3.00", "(4.00)"],
    2: ["2026-11-23", "2026-11-24", "2025-02-29", "2026-11-02 "],
    3: ["", "INV-9", "INV  1", "I" * 65],
    4: ["", "M" * 41, "bank  transfer"],
    5: ["", "R" * 101, "Ré 1"],
}
BASE_INVOICES = """customer_ref,number,issue_date,due_date,amount
C1,INV-1,2026-08-01,2026-08-31,300.00
Y1,INV-2,2026-08-01,2026-08-31,5000
"""


@pytest.fixture
def contexts(tmp_path: Path, frozen_clock: Clock) -> Iterator[tuple[AppContext, AppContext]]:
    """Two fresh SQLite databases with the same customers (and two invoices)."""
    opened = []
    for name in ("streamed", "whole"):
        context = open_context(
            db_url=f"sqlite:///{tmp_path / f'{name}.db'}",
            user_name="tester",
            settings=Settings(),
            clock=frozen_clock,
            default_role="supervisor",
        )
        import_csv(context, "customers", write(tmp_path, "customers.csv", CUSTOMERS))
        import_csv(context, "invoices", write(tmp_path, "base.csv", BASE_INVOICES))
        opened.append(context)
    yield opened[0], opened[1]
    for context in opened:
        context.close()


def _outcome(ctx: AppContext, kind: str, path: Path, options: Options) -> Any:
    """What importing the file did: the errors it was refused with, or what it stored."""
    try:
        report = import_csv(ctx, kind, path, options=options)
    except ImportFailed as failed:
        return ("refused", [(e.line, e.column, e.message) for e in failed.errors])
    with ctx.db.session() as session:
        refs = {i: ref for i, ref in session.execute(select(Customer.id, Customer.ref))}
        if kind == "invoices":
            rows: list[Any] = [
                (refs[i.customer_id], i.number, i.issue_date, i.due_date, i.amount, i.open_amount, i.status, i.paid_on)
                for i in session.scalars(select(Invoice).order_by(Invoice.id))
            ]
        else:
            rows = [
                (refs[p.customer_id], p.amount, p.received_on, p.invoice_number, p.method, p.reference, p.import_key)
                for p in session.scalars(select(Payment).order_by(Payment.id))
            ]
    # Sorted: which id each row got is the writer's business (a large file's payments go in customer by customer).
    return ("imported", report.added, report.totals, sorted(rows, key=repr))


def _cases(usual: list[str], cells: dict[int, list[str]]) -> list[list[str]]:
    return [[*usual[:at], value, *usual[at + 1 :]] for at, values in cells.items() for value in values]


@pytest.mark.parametrize(
    ("kind", "head", "row"),
    [("invoices", INVOICE_HEAD, row) for row in _cases(USUAL_INVOICE, INVOICE_CELLS)]
    + [("payments", PAYMENT_HEAD, row) for row in _cases(USUAL_PAYMENT, PAYMENT_CELLS)],
)
def test_a_tricky_cell_comes_out_as_the_whole_file_reader_makes_of_it(
    contexts: tuple[AppContext, AppContext], tmp_path: Path, kind: str, head: str, row: list[str]
) -> None:
    streamed, whole = contexts
    usual = USUAL_INVOICE if kind == "invoices" else USUAL_PAYMENT
    other = ["C2", *usual[1:]]
    if kind == "invoices":
        other[1], other[5] = "INV-8", "USD"
    else:
        other[3] = ""
    quoted = ",".join(f'"{cell}"' for cell in row)
    path = write(tmp_path, f"{kind}.csv", f"{head}\n{','.join(other)}\n{quoted}\n")
    expected = _outcome(whole, kind, path, Options(encoding="utf-8"))
    assert _outcome(streamed, kind, path, Options()) == expected
