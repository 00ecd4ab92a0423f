"""A small hand-built portfolio for the desk's tests: five accounts with contacts and history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from collectdesk.services.context import AppContext
from collectdesk.store.models import (
    Activity,
    Call,
    Contact,
    Customer,
    Invoice,
    Payment,
    PaymentAllocation,
    Promise,
    User,
)

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


@dataclass
class Portfolio:
    """Ids of what was built, by customer ref / invoice number."""

    customers: dict[str, int] = field(default_factory=dict)
    invoices: dict[str, int] = field(default_factory=dict)
    contacts: dict[str, int] = field(default_factory=dict)
    collector_id: int = 0


def _at(days_ago: int, hour: int = 14) -> datetime:
    return (NOW - timedelta(days=days_ago)).replace(hour=hour, minute=0)


def build_portfolio(ctx: AppContext) -> Portfolio:
    """Insert the five accounts; the context's user is the caller on the past calls."""
    built = Portfolio()
    with ctx.db.session() as s:
        carol = User(name="carol", role="collector", created_at=_at(400))
        s.add(carol)
        s.flush()
        built.collector_id = carol.id

        def customer(ref: str, name: str, **kw: object) -> Customer:
            c = Customer(
                ref=ref,
                name=name,
                created_at=_at(365),
                updated_at=_at(365),
                collector_id=carol.id,
                **kw,
            )
            s.add(c)
            s.flush()
            built.customers[ref] = c.id
            return c

        def contact(c: Customer, name: str, phone: str, role: str = "AP") -> Contact:
            person = Contact(customer_id=c.id, name=name, role=role, phone=phone, created_at=_at(365))
            s.add(person)
            s.flush()
            built.contacts[name] = person.id
            return person

        def invoice(
            c: Customer,
            number: str,
            issued: date,
            due: date,
            amount: int,
            open_amount: int | None = None,
        ) -> Invoice:
            inv = Invoice(
                customer_id=c.id,
                number=number,
                issue_date=issued,
                due_date=due,
                amount=amount,
                currency=c.currency,
                open_amount=amount if open_amount is None else open_amount,
                created_at=_at(200),
            )
            s.add(inv)
            s.flush()
            built.invoices[number] = inv.id
            return inv

        acme = customer(
            "C001",
            "Acme Tools Inc",
            country="US",
            currency="USD",
            terms_days=30,
            sales_rep="Sam Rep",
            stage="management",
            failed_attempts=2,
            last_contact_at=_at(20),
        )
        contact(acme, "Alice Payable", "+12125550101")
        contact(acme, "Bob Owner", "+12125550102", role="owner")
        invoice(acme, "INV-1001", date(2026, 8, 2), date(2026, 9, 1), 1_000_000)
        invoice(acme, "INV-1002", date(2026, 9, 15), date(2026, 10, 15), 250_000)

        bright = customer(
            "C002",
            "Brightside Ltd",
            country="GB",
            currency="GBP",
            terms_days=30,
            stage="follow_up",
            last_contact_at=_at(10),
        )
        contact(bright, "Priya Shah", "+442079460000")
        inv = invoice(bright, "INV-2001", date(2026, 9, 20), date(2026, 10, 20), 480_000, 300_000)
        pay = Payment(
            customer_id=bright.id,
            amount=180_000,
            currency="GBP",
            received_on=date(2026, 11, 2),
            method="bank transfer",
            reference="BACS-77",
            invoice_number="INV-2001",
            import_key="p-2001",
            created_at=_at(21),
        )
        s.add(pay)
        s.flush()
        s.add(PaymentAllocation(payment_id=pay.id, invoice_id=inv.id, amount=180_000))

        koala = customer("C003", "Koala Supplies Pty", country="AU", currency="AUD", stage="sales_rep")
        contact(koala, "Jack Nguyen", "+61293744000")
        # 85 days past due: tough, but short of ready for referral (that has its own tests).
        invoice(koala, "INV-3001", date(2026, 7, 31), date(2026, 8, 30), 720_000)

        delta = customer(
            "C004",
            "Delta Dental Group",
            country="US",
            currency="USD",
            stage="reminder",
            next_action_on=date(2026, 12, 5),
            next_action="call back after the board meeting",
        )
        contact(delta, "Dana Lee", "+13125550104")
        invoice(delta, "INV-4001", date(2026, 10, 1), date(2026, 10, 31), 300_000)

        echo = customer(
            "C005",
            "Echo Events LLC",
            country="US",
            currency="USD",
            stage="reminder",
            phone="+13055550105",
        )
        echo_inv = invoice(echo, "INV-5001", date(2026, 10, 11), date(2026, 11, 10), 95_000, 45_000)
        echo_pay = Payment(
            customer_id=echo.id,
            amount=50_000,
            currency="USD",
            received_on=date(2026, 11, 12),
            method="card",
            import_key="p-5001",
            created_at=_at(11),
        )
        s.add(echo_pay)
        s.flush()
        s.add(PaymentAllocation(payment_id=echo_pay.id, invoice_id=echo_inv.id, amount=50_000))

        me = ctx.user.id
        old_call = Call(
            customer_id=acme.id,
            contact_id=built.contacts["Alice Payable"],
            user_id=me,
            phone="+12125550101",
            started_at=_at(20),
            ended_at=_at(20) + timedelta(minutes=4),
            result_code="PTP",
            right_party=True,
            payment_asked=True,
            next_action_on=date(2026, 11, 10),
            notes="promised to pay after month end",
        )
        s.add(old_call)
        s.flush()
        s.add(
            Promise(
                customer_id=acme.id,
                call_id=old_call.id,
                taken_by_id=me,
                amount=500_000,
                currency="USD",
                promised_on=date(2026, 11, 6),
                broken_on=date(2026, 11, 9),
                status="broken",
                resolved_on=date(2026, 11, 9),
                created_at=_at(20),
            )
        )
        s.add(
            Call(
                customer_id=acme.id,
                user_id=me,
                phone="+12125550101",
                started_at=_at(5),
                ended_at=_at(5) + timedelta(minutes=1),
                result_code="NOANSWER",
                right_party=False,
            )
        )
        s.add(
            Activity(
                at=_at(3),
                customer_id=acme.id,
                user_id=me,
                kind="escalation",
                summary="stage sales_rep → management",
            )
        )
        s.add(
            Promise(
                customer_id=echo.id,
                taken_by_id=me,
                amount=50_000,
                currency="USD",
                promised_on=date(2026, 11, 12),
                broken_on=date(2026, 11, 15),
                status="kept",
                paid_amount=50_000,
                resolved_on=date(2026, 11, 12),
                created_at=_at(15),
            )
        )
    return built
