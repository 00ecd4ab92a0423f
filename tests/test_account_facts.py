"""The per-customer facts the worklist reads, and the invoice totals the tally reads, stay equal to
what the invoices and promises say."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import delete, insert, select, update

from account_factory import NOW, TODAY, add_customer, add_invoice, add_promise
from collectdesk.services.context import AppContext
from collectdesk.store.account_facts import refresh_account_facts, stale_facts
from collectdesk.store.derived import bulk_load
from collectdesk.store.invoice_totals import stale_totals
from collectdesk.store.models import Customer, Invoice, Promise
from collectdesk.store.sqlfuncs import days_between


def test_facts_stay_true_through_inserts_updates_and_deletes(ctx: AppContext) -> None:
    rng = random.Random(7)
    customers = [add_customer(ctx, f"C{n}") for n in range(4)]
    invoices = [
        add_invoice(
            ctx,
            rng.choice(customers),
            days_past_due=rng.randint(-40, 90),
            amount=rng.randint(1, 9) * 10_000,
            paid_days_after_due=rng.choice([None, None, -3, 12]),
        )
        for _ in range(30)
    ]
    promises = [
        add_promise(
            ctx,
            rng.choice(customers),
            promised_on=TODAY + timedelta(days=rng.randint(-60, 20)),
            status=rng.choice(["open", "broken", "kept"]),
        )
        for _ in range(10)
    ]
    with ctx.db.session() as session:
        assert stale_facts(session) == [] and stale_totals(session) == []
    for step in range(40):
        invoice, promise = rng.choice(invoices), rng.choice(promises)
        with ctx.db.session() as session:
            if step % 5 == 0:
                session.execute(
                    update(Invoice).where(Invoice.id == invoice).values(open_amount=0, status="paid", paid_on=TODAY)
                )
            elif step % 5 == 1:
                session.execute(
                    update(Invoice)
                    .where(Invoice.id == invoice)
                    .values(
                        status=rng.choice(["disputed", "written_off", "open"]),
                        due_date=TODAY + timedelta(days=rng.randint(-30, 30)),
                    )
                )
            elif step % 5 == 2:
                session.execute(update(Invoice).where(Invoice.id == invoice).values(customer_id=rng.choice(customers)))
            elif step % 5 == 3:
                session.execute(
                    update(Promise)
                    .where(Promise.id == promise)
                    .values(status=rng.choice(["open", "broken", "cancelled"]))
                )
            else:
                session.execute(delete(Invoice).where(Invoice.id == invoice))
                invoices.remove(invoice)
        if step % 5 == 4:
            invoices.append(
                add_invoice(ctx, rng.choice(customers), days_past_due=rng.randint(-40, 90), number=f"N{step}")
            )
        with ctx.db.session() as session:
            assert stale_facts(session) == [], f"after step {step}"
            assert stale_totals(session) == [], f"after step {step}"


def test_facts_describe_open_invoices(ctx: AppContext) -> None:
    customer = add_customer(ctx, "A")
    add_invoice(ctx, customer, days_past_due=30, amount=10_000)
    add_invoice(ctx, customer, days_past_due=-5, amount=20_000)
    add_invoice(ctx, customer, days_past_due=-5, amount=5_000, number="same-day")
    add_invoice(ctx, customer, days_past_due=60, amount=7_000, status="disputed")
    add_invoice(ctx, customer, days_past_due=90, paid_days_after_due=4)
    with ctx.db.session() as session:
        row = session.get(Customer, customer)
        assert row is not None
        assert row.open_balance == 35_000
        assert row.oldest_open_due == TODAY - timedelta(days=30)
        assert row.newest_open_due == TODAY + timedelta(days=5)
        assert row.newest_open_amount == 25_000
        assert row.prior_open_due == TODAY - timedelta(days=30)
        assert row.late_payments == 1


def test_bulk_load_rebuilds_the_facts_set_based(ctx: AppContext) -> None:
    customer = add_customer(ctx, "BULK")
    with ctx.db.engine.begin() as connection, bulk_load(connection):
        connection.execute(
            insert(Invoice),
            [
                {
                    "customer_id": customer,
                    "number": f"B{n}",
                    "issue_date": date(2026, 9, 1),
                    "due_date": date(2026, 10, 1),
                    "amount": 1_000,
                    "currency": "USD",
                    "open_amount": 1_000,
                    "status": "open",
                    "created_at": NOW,
                }
                for n in range(50)
            ],
        )
    with ctx.db.session() as session:
        assert session.scalar(select(Customer.open_balance)) == 50_000
        assert stale_facts(session) == [] and stale_totals(session) == []
        # Triggers are back after the bulk load.
        session.execute(delete(Invoice).where(Invoice.number == "B0"))
    with ctx.db.session() as session:
        assert session.scalar(select(Customer.open_balance)) == 49_000
        assert stale_totals(session) == []
        refresh_account_facts(session, [customer])
        assert stale_facts(session) == []


def test_days_between_counts_whole_days(ctx: AppContext) -> None:
    add_customer(ctx, "D")
    with ctx.db.session() as session:
        later, earlier = date(2026, 3, 1), date(2026, 2, 27)
        assert session.scalar(select(days_between(later, earlier))) == 2
        assert session.scalar(select(days_between(earlier, later))) == -2
        assert session.scalar(select(days_between(TODAY, Customer.created_at.cast(Invoice.due_date.type)))) is not None
