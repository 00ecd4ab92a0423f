"""The allocation totals the receivables tally reads stay equal to what the payments, their
allocations and the invoices say, through every kind of write."""

from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import delete, insert, update

from account_factory import NOW, TODAY, add_customer, add_invoice
from collectdesk.services.context import AppContext
from collectdesk.store.allocation_totals import stale_allocation_totals
from collectdesk.store.derived import bulk_load
from collectdesk.store.models import Customer, Invoice, Payment, PaymentAllocation


def _pay(ctx: AppContext, customer_id: int, parts: list[tuple[int, int]], days_ago: int, key: str) -> int:
    with ctx.db.session() as session:
        payment_id = session.execute(
            insert(Payment).returning(Payment.id),
            [
                {
                    "customer_id": customer_id,
                    "amount": sum(amount for _, amount in parts) or 1,
                    "currency": "USD",
                    "received_on": TODAY - timedelta(days=days_ago),
                    "import_key": key,
                    "created_at": NOW,
                }
            ],
        ).scalar_one()
        if parts:
            session.execute(
                insert(PaymentAllocation),
                [{"payment_id": payment_id, "invoice_id": i, "amount": a} for i, a in parts],
            )
        return int(payment_id)


def _assert_true(ctx: AppContext, when: str) -> None:
    with ctx.db.session() as session:
        assert stale_allocation_totals(session) == [], when


def test_totals_stay_true_through_payments_invoices_and_deletes(ctx: AppContext) -> None:
    rng = random.Random(11)
    customers = [add_customer(ctx, f"P{n}") for n in range(3)]
    invoices = {
        add_invoice(ctx, c, days_past_due=rng.randint(-20, 80), amount=50_000, number=f"I{c}-{k}"): c
        for c in customers
        for k in range(6)
    }
    payments: list[int] = []
    for n in range(12):
        invoice = rng.choice(list(invoices))
        other = rng.choice(list(invoices))
        parts = [(invoice, rng.randint(1, 9) * 100)] + ([(other, 300)] if other != invoice else [])
        payments.append(_pay(ctx, invoices[invoice], parts, rng.randint(0, 60), f"k{n}"))
    _assert_true(ctx, "after the payments")
    for step in range(30):
        invoice = rng.choice(list(invoices))
        with ctx.db.session() as session:
            kind = step % 6
            if kind == 0:
                session.execute(
                    update(Invoice)
                    .where(Invoice.id == invoice)
                    .values(status=rng.choice(["written_off", "open", "paid", "disputed"]))
                )
            elif kind == 1:
                session.execute(
                    update(Invoice)
                    .where(Invoice.id == invoice)
                    .values(
                        due_date=TODAY + timedelta(days=rng.randint(-30, 30)),
                        issue_date=TODAY - timedelta(days=rng.randint(31, 90)),
                        currency=rng.choice(["USD", "EUR"]),
                    )
                )
            elif kind == 2:
                session.execute(
                    update(Payment)
                    .where(Payment.id == rng.choice(payments))
                    .values(received_on=TODAY - timedelta(days=rng.randint(0, 60)))
                )
            elif kind == 3:
                session.execute(
                    update(PaymentAllocation)
                    .where(PaymentAllocation.payment_id == rng.choice(payments))
                    .values(amount=PaymentAllocation.amount + 1)
                )
            elif kind == 4:
                payment = rng.choice(payments)
                session.execute(delete(Payment).where(Payment.id == payment))
                payments.remove(payment)
            else:
                session.execute(delete(Invoice).where(Invoice.id == invoice))
                del invoices[invoice]
        if kind == 4:
            target = rng.choice(list(invoices))
            payments.append(_pay(ctx, invoices[target], [(target, 700)], rng.randint(0, 60), f"again{step}"))
        _assert_true(ctx, f"after step {step}")
    with ctx.db.session() as session:
        session.execute(delete(Customer).where(Customer.id == customers[0]))
    _assert_true(ctx, "after a customer and everything of theirs went")


def test_bulk_load_rebuilds_the_totals(ctx: AppContext) -> None:
    customer = add_customer(ctx, "BULK")
    invoice = add_invoice(ctx, customer, days_past_due=10, amount=10_000)
    with ctx.db.engine.begin() as connection, bulk_load(connection):
        connection.execute(
            insert(Payment),
            [
                {
                    "id": 900 + n,
                    "customer_id": customer,
                    "amount": 100,
                    "currency": "USD",
                    "received_on": TODAY - timedelta(days=n),
                    "import_key": f"b{n}",
                    "created_at": NOW,
                }
                for n in range(20)
            ],
        )
        connection.execute(
            insert(PaymentAllocation),
            [{"payment_id": 900 + n, "invoice_id": invoice, "amount": 100} for n in range(20)],
        )
    _assert_true(ctx, "after the bulk load")
    _pay(ctx, customer, [(invoice, 50)], 0, "after")  # the triggers are back
    _assert_true(ctx, "after a payment following the bulk load")
