"""A small hand-built portfolio whose every tally figure is worked out by hand in test_tally.py.

Today is Monday 2026-11-23 (the frozen clock). Amounts are cents. Users: alice and bob (collectors,
who took every promise and made every call), carol (a collector with no activity) and the
supervisor ``tester`` from the ``ctx`` fixture.

Promises are written open, as the desk takes them; their outcomes come from the payments below
through the real allocation and judging (``evaluate_promises``), never set by hand. Only P6's
cancellation is a person's act. ``PROMISE_PAYMENTS`` says which payment keeps which promise.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import insert, select

from collectdesk.services.context import AppContext
from collectdesk.services.promises import evaluate_promises
from collectdesk.store.models import (
    Call,
    Customer,
    Invoice,
    Payment,
    PaymentAllocation,
    Promise,
    User,
)

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def at(month: int, day: int, hour: int = 12, minute: int = 0, second: int = 0) -> datetime:
    """An instant in 2026, UTC."""
    return datetime(2026, month, day, hour, minute, second, tzinfo=UTC)


def d(month: int, day: int) -> date:
    """A day in 2026."""
    return date(2026, month, day)


# (customer, invoice applied to or None for a payment on account, amount, received on, currency)
PAYMENTS: list[tuple[str, str | None, int, date, str]] = [
    ("C1", "I1", 30_000, d(11, 6), "USD"),  # keeps P1 on its promised day
    ("C1", "I1", 10_000, d(11, 10), "USD"),  # the only payment in P3's window: partially kept
    ("C5", "I6", 40_000, d(11, 20), "USD"),  # keeps P9 the day it was made
    ("C1", "I7", 60_000, d(10, 20), "USD"),  # before any promise
    ("C5", "I11", 150_000, d(11, 12), "USD"),  # before P9 was made
    ("C4", None, 25_000, d(11, 12), "EUR"),  # on account, not yet applied: keeps P5
]
# What each payment above pays towards a promise, by the promise rules: the source of "collected".
PROMISE_PAYMENTS = {"P1": 30_000, "P3": 10_000, "P5": 25_000, "P9": 8_000}


def _users(ctx: AppContext) -> dict[str, int]:
    with ctx.db.session() as session:
        session.execute(
            insert(User), [{"name": name, "role": "collector", "created_at": NOW} for name in ("alice", "bob", "carol")]
        )
        return dict(session.execute(select(User.name, User.id)).all())


def _customer(ref: str, stage: str, currency: str = "USD") -> dict[str, Any]:
    return {
        "ref": ref,
        "name": f"Customer {ref}",
        "stage": stage,
        "currency": currency,
        "kind": "business",
        "country": "US",
        "terms_days": 30,
        "on_hold": False,
        "do_not_call": False,
        "cease_contact": False,
        "lawyer_represented": False,
        "failed_attempts": 0,
        "created_at": NOW,
        "updated_at": NOW,
    }


def build_portfolio(ctx: AppContext) -> dict[str, int]:
    """Insert the portfolio described in test_tally.py; returns user and customer ids by name."""
    ids = _users(ctx)
    with ctx.db.session() as session:
        session.execute(
            insert(Customer),
            [
                _customer("C1", "follow_up"),
                _customer("C2", "legal"),
                _customer("C3", "agency"),
                _customer("C4", "reminder", "EUR"),
                _customer("C5", "reminder"),
            ],
        )
        ids |= dict(session.execute(select(Customer.ref, Customer.id)).all())

        def invoice(
            number: str,
            ref: str,
            issued: date,
            due: date,
            amount: int,
            open_: int,
            status: str = "open",
            currency: str = "USD",
        ) -> dict[str, Any]:
            return {
                "number": number,
                "customer_id": ids[ref],
                "issue_date": issued,
                "due_date": due,
                "amount": amount,
                "open_amount": open_,
                "status": status,
                "currency": currency,
                "created_at": NOW,
            }

        session.execute(
            insert(Invoice),
            [
                invoice("I1", "C1", d(10, 1), d(10, 31), 100_000, 60_000),  # 40,000 paid Nov 10
                invoice("I2", "C1", d(11, 5), d(12, 5), 50_000, 50_000),
                invoice("I3", "C2", d(8, 1), d(8, 31), 200_000, 200_000),
                invoice("I4", "C3", d(6, 1), d(7, 1), 80_000, 80_000, "agency"),
                invoice("I5", "C2", d(7, 15), d(8, 14), 30_000, 30_000),
                invoice("I6", "C5", d(10, 1), d(10, 16), 40_000, 0, "paid"),  # paid Nov 20 (late)
                invoice("I7", "C1", d(9, 20), d(10, 5), 60_000, 0, "paid"),  # paid Oct 20 (in time)
                invoice("I8", "C4", d(10, 1), d(10, 31), 70_000, 70_000, currency="EUR"),
                invoice("I9", "C1", d(1, 10), d(2, 9), 99_900, 99_900, "written_off"),
                invoice("I11", "C5", d(11, 2), d(11, 12), 150_000, 0, "paid"),  # paid Nov 12
            ],
        )
        invoices = dict(session.execute(select(Invoice.number, Invoice.id)).all())
        for ref, number, amount, received, currency in PAYMENTS:
            payment_id = session.execute(
                insert(Payment).returning(Payment.id),
                [
                    {
                        "customer_id": ids[ref],
                        "amount": amount,
                        "currency": currency,
                        "received_on": received,
                        "invoice_number": number,
                        "import_key": f"{ref}-{number}-{received.isoformat()}",
                        "created_at": NOW,
                    }
                ],
            ).scalar_one()
            if number is not None:
                session.execute(
                    insert(PaymentAllocation),
                    [{"payment_id": payment_id, "invoice_id": invoices[number], "amount": amount}],
                )

        def promise(
            who: str,
            ref: str,
            amount: int,
            made: datetime,
            promised: date,
            broken: date,
            currency: str = "USD",
            cancelled_on: date | None = None,
        ) -> dict[str, Any]:
            return {
                "taken_by_id": ids[who],
                "customer_id": ids[ref],
                "amount": amount,
                "currency": currency,
                "created_at": made,
                "promised_on": promised,
                "broken_on": broken,
                "status": "open" if cancelled_on is None else "cancelled",
                "paid_amount": 0,
                "resolved_on": cancelled_on,
            }

        session.execute(
            insert(Promise),
            [
                promise("alice", "C1", 30_000, at(11, 2, 10), d(11, 6), d(11, 9)),  # P1
                promise("alice", "C2", 50_000, at(11, 3), d(11, 10), d(11, 13)),  # P2
                promise("alice", "C1", 20_000, at(11, 10), d(11, 14), d(11, 17)),  # P3
                promise("bob", "C2", 40_000, at(11, 12, 23, 30), d(11, 25), d(11, 28)),  # P4
                promise("bob", "C4", 25_000, at(11, 5), d(11, 10), d(11, 13), currency="EUR"),  # P5
                promise("bob", "C1", 10_000, at(11, 15), d(11, 18), d(11, 21), cancelled_on=d(11, 16)),  # P6
                promise("alice", "C2", 15_000, at(11, 18), d(11, 20), d(11, 23)),  # P7
                promise("bob", "C1", 12_000, at(10, 28), d(11, 1), d(11, 4)),  # P8: made before the period
                promise("alice", "C5", 8_000, at(11, 20), d(12, 1), d(12, 4)),  # P9: kept early
            ],
        )

        def call(
            who: str, ref: str, start: datetime, seconds: int | None, code: str | None, right_party: bool | None
        ) -> dict[str, Any]:
            from datetime import timedelta

            ended = None if seconds is None else start + timedelta(seconds=seconds)
            return {
                "user_id": ids[who],
                "customer_id": ids[ref],
                "started_at": start,
                "ended_at": ended,
                "result_code": code,
                "right_party": right_party,
                "notes": "",
            }

        session.execute(
            insert(Call),
            [
                call("alice", "C1", at(11, 2, 9), 300, "PTP", True),  # K1
                call("alice", "C2", at(11, 3, 10), 600, "PTP", True),  # K2
                call("alice", "C2", at(11, 4, 11), 60, "NOANSWER", False),  # K3
                call("alice", "C1", at(11, 10, 14), 270, "PTP", True),  # K4
                call("bob", "C4", at(11, 5, 9), 480, "PTP", True),  # K5
                call("bob", "C2", at(11, 12, 16), 180, "NOPROMISE", True),  # K6
                call("bob", "C3", at(11, 23, 14, 30), None, None, None),  # K7: still on the phone
                call("alice", "C1", at(10, 30, 9), 120, "PTP", True),  # K8: before the period
            ],
        )
    evaluate_promises(ctx)  # the real judging, as the upkeep runs it today
    return ids
