"""Large files, written in bulk: one bad row near the end still refuses the whole file, and an
unchanged re-import changes nothing stored (not even the stored ranking)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from collectdesk.services.context import AppContext
from collectdesk.services.importing import ImportFailed, import_csv
from collectdesk.services.importing.streaming import CHUNK
from collectdesk.services.worklist import rank_todays_list
from collectdesk.store.account_facts import stale_facts
from collectdesk.store.models import Customer, Invoice, WorklistScore
from collectdesk.store.worklist_cache import stored_key
from importing_helpers import counts, write

CUSTOMERS = 40
# More rows than the importer writes row by row (10,000): these go through the bulk path.
INVOICES = 24_000


def _customers_csv() -> str:
    lines = ["ref,name,country,currency,terms_days"]
    lines += [f"C{i:03d},Customer {i},US,USD,30" for i in range(CUSTOMERS)]
    return "\n".join(lines) + "\n"


def _invoice_lines(count: int) -> list[str]:
    lines = ["customer_ref,number,issue_date,due_date,amount"]
    for i in range(count):
        month, day = 1 + i % 9, 1 + i % 28
        lines.append(
            f"C{i % CUSTOMERS:03d},INV-{i:06d},2026-{month:02d}-{day:02d},2026-10-{day:02d},{100 + i}.{i % 100:02d}"
        )
    return lines


def _stored(ctx: AppContext) -> dict[str, Any]:
    """What a user would see of the books: every invoice and every customer's account facts."""
    with ctx.db.session() as session:
        invoices = session.execute(select(Invoice).order_by(Invoice.id)).scalars().all()
        customers = session.execute(select(Customer).order_by(Customer.id)).scalars().all()
        return {
            "invoices": [
                (i.id, i.number, i.issue_date, i.due_date, i.amount, i.open_amount, i.status) for i in invoices
            ],
            "customers": [(c.ref, c.open_balance, c.oldest_open_due, c.newest_open_due) for c in customers],
            "ranked": session.scalar(select(func.count()).select_from(WorklistScore)),
            "ranking": stored_key(session.connection()),
        }


@pytest.mark.parametrize("kind", ["invoices", "payments"])
def test_one_bad_row_near_the_end_of_a_large_file_refuses_it_and_writes_nothing(
    kind: str, ctx: AppContext, tmp_path: Path
) -> None:
    import_csv(ctx, "customers", write(tmp_path, "customers.csv", _customers_csv()))
    if kind == "invoices":
        lines = _invoice_lines(INVOICES)
        bad_line = INVOICES - 3  # a file line: the heading is line 1
        lines[bad_line - 1] = lines[bad_line - 1].rsplit(",", 1)[0] + ",12.3.4"
        column, message = "amount", "'12.3.4' is not an amount"
    else:
        import_csv(ctx, "invoices", write(tmp_path, "invoices.csv", "\n".join(_invoice_lines(INVOICES)) + "\n"))
        lines = ["customer_ref,amount,received_on,invoice_number,reference"]
        lines += [f"C{i % CUSTOMERS:03d},10.00,2026-11-0{1 + i % 9},INV-{i:06d},P{i}" for i in range(INVOICES)]
        bad_line = INVOICES - 3
        lines[bad_line - 1] = lines[bad_line - 1].replace("INV-", "NOPE-")
        column, message = "invoice_number", "has no invoice 'NOPE-"
    before, stored = counts(ctx), _stored(ctx)
    path = write(tmp_path, f"{kind}.csv", "\n".join(lines) + "\n")

    with pytest.raises(ImportFailed) as failed:
        import_csv(ctx, kind, path)

    assert [(e.line, e.column) for e in failed.value.errors] == [(bad_line, column)]
    assert f"{path}:{bad_line}:{column}: " in str(failed.value)
    assert message in str(failed.value)
    assert counts(ctx) == before
    assert _stored(ctx) == stored
    # The load's triggers are back: a small import afterwards still keeps the account facts.
    import_csv(
        ctx,
        "invoices",
        write(
            tmp_path,
            "one.csv",
            "customer_ref,number,issue_date,due_date,amount\nC001,LATE-1,2026-10-01,2026-10-31,5.00\n",
        ),
    )
    with ctx.db.session() as session:
        balance = session.scalar(select(Customer.open_balance).where(Customer.ref == "C001"))
    assert balance == dict((ref, owed) for ref, owed, _, _ in stored["customers"])["C001"] + 500


def test_a_large_import_reports_the_exact_totals_it_brought_in(ctx: AppContext, tmp_path: Path) -> None:
    import_csv(ctx, "customers", write(tmp_path, "customers.csv", _customers_csv()))
    invoices = import_csv(ctx, "invoices", write(tmp_path, "i.csv", "\n".join(_invoice_lines(INVOICES)) + "\n"))
    with ctx.db.session() as session:
        assert stale_facts(session) == []  # worked out by the load, as the triggers would have
    lines = ["customer_ref,amount,received_on,invoice_number"]
    lines += [f"C{i % CUSTOMERS:03d},10.00,2026-11-0{1 + i % 9},INV-{i:06d}" for i in range(INVOICES)]
    payments = import_csv(ctx, "payments", write(tmp_path, "p.csv", "\n".join(lines) + "\n"))

    with ctx.db.session() as session:
        assert stale_facts(session) == []
    billed = sum((100 + i) * 100 + i % 100 for i in range(INVOICES))
    assert invoices.totals == {"USD": billed} and type(invoices.totals["USD"]) is int
    assert payments.totals == {"USD": 1_000 * INVOICES} and type(payments.totals["USD"]) is int
    assert f"total ${billed // 100:,}.{billed % 100:02d}" in invoices.figures()
    assert f"total ${10 * INVOICES:,}.00" in payments.figures()


def test_an_unchanged_reimport_of_a_large_file_writes_nothing(ctx: AppContext, tmp_path: Path) -> None:
    import_csv(ctx, "customers", write(tmp_path, "customers.csv", _customers_csv()))
    path = write(tmp_path, "invoices.csv", "\n".join(_invoice_lines(INVOICES)) + "\n")
    first = import_csv(ctx, "invoices", path)
    assert first.added == INVOICES
    rank_todays_list(ctx)
    stored = _stored(ctx)
    assert stored["ranked"] == CUSTOMERS and stored["ranking"] is not None

    again = import_csv(ctx, "invoices", path)

    assert (again.added, again.updated, again.unchanged) == (0, 0, INVOICES)
    # Same invoices, same account facts, and the day's stored ranking is still there to read.
    assert _stored(ctx) == stored


def test_a_reimport_after_the_books_changed_puts_the_file_back(ctx: AppContext, tmp_path: Path) -> None:
    import_csv(ctx, "customers", write(tmp_path, "customers.csv", _customers_csv()))
    path = write(tmp_path, "invoices.csv", "\n".join(_invoice_lines(INVOICES)) + "\n")
    import_csv(ctx, "invoices", path)
    with ctx.db.session() as session:
        changed = session.scalars(select(Invoice).where(Invoice.number == "INV-012345")).one()
        due_in_file = changed.due_date
        changed.due_date = due_in_file.replace(day=due_in_file.day + 1)

    again = import_csv(ctx, "invoices", path)

    assert (again.added, again.updated, again.unchanged) == (0, 1, INVOICES - 1)
    with ctx.db.session() as session:
        assert session.scalar(select(Invoice.due_date).where(Invoice.number == "INV-012345")) == due_in_file


@pytest.mark.parametrize("kind", ["invoices", "payments"])
def test_bad_rows_across_a_file_read_in_many_chunks_are_all_named_and_nothing_is_written(
    kind: str, ctx: AppContext, tmp_path: Path
) -> None:
    rows = 5 * CHUNK + 123  # read and checked six chunks at a time, the last one short
    import_csv(ctx, "customers", write(tmp_path, "customers.csv", _customers_csv()))
    import_csv(ctx, "invoices", write(tmp_path, "invoices.csv", "\n".join(_invoice_lines(rows)) + "\n"))
    if kind == "invoices":
        lines = _invoice_lines(rows)
        lines = [lines[0], *(line.replace("INV-", "NEW-") for line in lines[1:])]
        # A repeat of the file's first invoice in the last chunk, and a bad amount two lines from the end.
        lines[-5] = lines[1].rsplit(",", 1)[0] + ",7.00"
        lines[-2] = lines[-2].rsplit(",", 1)[0] + ",12.3.4"
        expected = [
            (rows - 3, "number", "duplicate of line 2 (same customer and invoice number)"),
            (rows, "amount", "'12.3.4' is not an amount"),
        ]
    else:
        lines = ["customer_ref,amount,received_on,invoice_number,reference"]
        lines += [f"C{i % CUSTOMERS:03d},1.00,2026-11-0{1 + i % 9},INV-{i:06d},P{i}" for i in range(rows)]
        lines[-5] = lines[1]
        lines[-2] = lines[-2].replace("INV-", "NOPE-")
        expected = [
            (rows - 3, "amount", "duplicate of line 2 (same customer, date, amount, reference and invoice)"),
            (rows, "invoice_number", "has no invoice 'NOPE-"),
        ]
    before, stored = counts(ctx), _stored(ctx)
    path = write(tmp_path, f"new-{kind}.csv", "\n".join(lines) + "\n")

    with pytest.raises(ImportFailed) as failed:
        import_csv(ctx, kind, path)

    errors = failed.value.errors
    assert [(e.line, e.column) for e in errors] == [(line, column) for line, column, _ in expected]
    for error, (_, _, message) in zip(errors, expected, strict=True):
        assert message in error.message
    assert counts(ctx) == before
    assert _stored(ctx) == stored


def test_a_large_import_reports_each_step_it_takes_after_checking(ctx: AppContext, tmp_path: Path) -> None:
    rows = 2 * CHUNK + 7
    import_csv(ctx, "customers", write(tmp_path, "customers.csv", _customers_csv()))
    seen: dict[str, list[tuple[int, int]]] = {}

    def progress(stage: str, done: int, total: int) -> None:
        seen.setdefault(stage, []).append((done, total))

    invoices = write(tmp_path, "invoices.csv", "\n".join(_invoice_lines(rows)) + "\n")
    assert import_csv(ctx, "invoices", invoices, progress=progress).added == rows
    assert list(seen) == ["checking", "saving"]  # written once every row is checked, and said so
    assert seen["checking"][-1] == (rows, rows) and seen["saving"] == [(0, 0)]
    seen.clear()
    lines = ["customer_ref,amount,received_on,invoice_number,reference"]
    lines += [f"C{i % CUSTOMERS:03d},1.00,2026-11-0{1 + i % 9},INV-{i:06d},P{i}" for i in range(rows)]
    payments = write(tmp_path, "payments.csv", "\n".join(lines) + "\n")
    assert import_csv(ctx, "payments", payments, progress=progress).added == rows
    assert list(seen) == ["checking", "applying", "saving"]
    applied = seen["applying"]
    assert applied[0][0] == 0 and applied[-1] == (rows, rows)  # counted up as the payments are applied
    assert [done for done, _ in applied] == sorted(done for done, _ in applied)
