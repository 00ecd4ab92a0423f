"""The promise ledger on a real database: taking promises and plans, evaluation, cancelling."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select

from collectdesk.domain.errors import InputError
from collectdesk.domain.outcomes import OutcomeError
from collectdesk.services.calls import start_call
from collectdesk.services.context import AppContext
from collectdesk.services.promises import (
    PlanInput,
    PromiseInput,
    cancel_promise,
    evaluate_promises,
    promise_statuses_as_of,
    take_promise,
)
from collectdesk.store.models import Activity, Promise, PromiseInvoice
from ledger_fixtures import add_customer, add_invoice, add_payment

TODAY = date(2026, 11, 23)


def advance(ctx: AppContext, days: int) -> None:
    """Move the frozen clock forward."""
    assert ctx.clock.frozen_at is not None and ctx.clock.today_override is not None
    ctx.clock.frozen_at += timedelta(days=days)
    ctx.clock.today_override += timedelta(days=days)


def promises_of(ctx: AppContext, customer_id: int) -> list[Promise]:
    with ctx.db.session() as session:
        rows = list(
            session.scalars(select(Promise).where(Promise.customer_id == customer_id).order_by(Promise.promised_on))
        )
        session.expunge_all()
    return rows


def activity_kinds(ctx: AppContext, customer_id: int) -> list[str]:
    with ctx.db.session() as session:
        return list(
            session.scalars(select(Activity.kind).where(Activity.customer_id == customer_id).order_by(Activity.id))
        )


@pytest.fixture
def account(ctx: AppContext) -> tuple[int, int, int]:
    """A customer owing $1,000.00 on two invoices ($600 and $400)."""
    customer = add_customer(ctx)
    return customer, add_invoice(ctx, customer, 60_000), add_invoice(ctx, customer, 40_000)


# --- taking promises --------------------------------------------------------------------------


def test_take_promise_writes_it_with_its_broken_on_date(ctx: AppContext, account: tuple[int, int, int]) -> None:
    customer, _, _ = account
    [p] = take_promise(ctx, customer, PromiseInput(50_000, TODAY + timedelta(days=7), " ach "))
    assert (p.status, p.amount, p.method, p.currency) == ("open", 50_000, "ach", "USD")
    assert p.broken_on == TODAY + timedelta(days=10)
    assert p.taken_by_id == ctx.user.id
    assert activity_kinds(ctx, customer) == ["promise"]


def test_promise_from_a_call_to_another_account_is_refused(ctx: AppContext, account: tuple[int, int, int]) -> None:
    other = add_customer(ctx, name="Other")
    call = start_call(ctx, other)
    with pytest.raises(InputError, match="not a call to Acme Corp"):
        take_promise(ctx, account[0], PromiseInput(5_000, TODAY), call_id=call.id)
    add_invoice(ctx, other, 10_000)
    [p] = take_promise(ctx, other, PromiseInput(5_000, TODAY), call_id=call.id)
    assert p.call_id == call.id


def test_amount_above_the_open_balance_is_refused(ctx: AppContext, account: tuple[int, int, int]) -> None:
    customer, _, _ = account
    with pytest.raises(OutcomeError, match=r"\$1,000.00 open on the account") as info:
        take_promise(ctx, customer, PromiseInput(100_001, TODAY + timedelta(days=7)))
    assert info.value.field == "amount"
    assert promises_of(ctx, customer) == []
    take_promise(ctx, customer, PromiseInput(100_000, TODAY + timedelta(days=7)))


def test_open_promises_reduce_what_can_still_be_promised(ctx: AppContext, account: tuple[int, int, int]) -> None:
    customer, first, _ = account
    take_promise(ctx, customer, PromiseInput(70_000, TODAY + timedelta(days=7)))
    with pytest.raises(OutcomeError, match=r"\$700.00 already promised.*at most \$300.00"):
        take_promise(ctx, customer, PromiseInput(30_001, TODAY + timedelta(days=14)))
    # A payment towards the first promise lowers both the balance and the unpaid promise.
    add_payment(ctx, customer, 20_000, TODAY, {first: 20_000})
    with pytest.raises(OutcomeError, match=r"at most \$300.00"):
        take_promise(ctx, customer, PromiseInput(30_001, TODAY + timedelta(days=14)))
    take_promise(ctx, customer, PromiseInput(30_000, TODAY + timedelta(days=14)))


def test_named_invoices_cap_the_amount(ctx: AppContext, account: tuple[int, int, int]) -> None:
    customer, _, small = account
    with pytest.raises(OutcomeError, match=r"\$400.00 open on invoice\(s\) INV-"):
        take_promise(ctx, customer, PromiseInput(40_001, TODAY + timedelta(days=7), invoice_ids=[small]))
    [p] = take_promise(ctx, customer, PromiseInput(40_000, TODAY + timedelta(days=7), invoice_ids=[small]))
    with ctx.db.session() as session:
        assert session.scalars(select(PromiseInvoice.invoice_id).where(PromiseInvoice.promise_id == p.id)).all() == [
            small
        ]


def test_invoice_of_another_account_is_refused(ctx: AppContext, account: tuple[int, int, int]) -> None:
    customer, _, _ = account
    stranger = add_invoice(ctx, add_customer(ctx, name="Other"), 10_000)
    with pytest.raises(OutcomeError, match="not an invoice of this account") as info:
        take_promise(ctx, customer, PromiseInput(5_000, TODAY + timedelta(days=7), invoice_ids=[stranger]))
    assert info.value.field == "invoices"


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (TODAY - timedelta(days=1), "in the past"),
        (TODAY + timedelta(days=91), "within 90 days"),
    ],
)
def test_bad_dates_are_refused(ctx: AppContext, account: tuple[int, int, int], day: date, message: str) -> None:
    with pytest.raises(OutcomeError, match=message) as info:
        take_promise(ctx, account[0], PromiseInput(10_000, day))
    assert info.value.field == "promised_on"


def test_second_open_promise_on_the_same_date_is_refused(ctx: AppContext, account: tuple[int, int, int]) -> None:
    customer, _, _ = account
    day = TODAY + timedelta(days=7)
    take_promise(ctx, customer, PromiseInput(10_000, day))
    with pytest.raises(OutcomeError, match="already has an open promise"):
        take_promise(ctx, customer, PromiseInput(10_000, day))
    take_promise(ctx, customer, PromiseInput(10_000, day + timedelta(days=1)))


def test_plan_creates_dated_instalments(ctx: AppContext, account: tuple[int, int, int]) -> None:
    customer, _, _ = account
    made = take_promise(ctx, customer, PlanInput(100_000, 3, date(2026, 11, 30), "month", "card"))
    assert [p.amount for p in made] == [33_333, 33_333, 33_334]
    assert [p.promised_on for p in made] == [date(2026, 11, 30), date(2026, 12, 30), date(2027, 1, 30)]
    assert {p.plan_id for p in made} == {made[0].id}
    assert [p.instalment for p in made] == [1, 2, 3]
    assert activity_kinds(ctx, customer) == ["promise"] * 3


def test_plan_refusals_name_their_field(ctx: AppContext, account: tuple[int, int, int]) -> None:
    customer, _, _ = account
    start = TODAY + timedelta(days=7)
    cases: list[tuple[PlanInput, str]] = [
        (PlanInput(100_000, 1, start), "instalments"),
        (PlanInput(200_000, 4, start), "total"),
        (PlanInput(100_000, 4, TODAY - timedelta(days=1)), "first_on"),
    ]
    for plan, field in cases:
        with pytest.raises(OutcomeError) as info:
            take_promise(ctx, customer, plan)
        assert info.value.field == field
    take_promise(ctx, customer, PromiseInput(1_000, start + timedelta(days=14)))
    with pytest.raises(OutcomeError, match="instalment 3 falls on") as info:
        take_promise(ctx, customer, PlanInput(50_000, 4, start, "week"))
    assert promises_of(ctx, customer)[0].amount == 1_000 and len(promises_of(ctx, customer)) == 1


# --- evaluation -------------------------------------------------------------------------------


def status_after(ctx: AppContext, customer: int) -> list[tuple[str, int, date | None]]:
    return [(p.status, p.paid_amount, p.resolved_on) for p in promises_of(ctx, customer)]


def test_kept_early_as_soon_as_paid(ctx: AppContext, account: tuple[int, int, int]) -> None:
    customer, first, _ = account
    take_promise(ctx, customer, PromiseInput(50_000, TODAY + timedelta(days=7)))
    advance(ctx, 2)
    add_payment(ctx, customer, 50_000, ctx.clock.today(), {first: 50_000})
    report = evaluate_promises(ctx)
    assert (report.evaluated, report.kept) == (1, 1)
    assert status_after(ctx, customer) == [("kept", 50_000, TODAY + timedelta(days=2))]
    assert activity_kinds(ctx, customer)[-1] == "promise_kept"


def test_kept_on_the_last_day_of_grace(ctx: AppContext, account: tuple[int, int, int]) -> None:
    customer, _, _ = account
    take_promise(ctx, customer, PromiseInput(50_000, TODAY + timedelta(days=7)))
    advance(ctx, 10)
    add_payment(ctx, customer, 60_000, ctx.clock.today())
    advance(ctx, 5)
    assert evaluate_promises(ctx).kept == 1
    assert status_after(ctx, customer) == [("kept", 50_000, TODAY + timedelta(days=10))]


def test_partially_kept_and_broken(ctx: AppContext, account: tuple[int, int, int]) -> None:
    customer, _, _ = account
    other = add_customer(ctx, name="Beta")
    add_invoice(ctx, other, 90_000)
    take_promise(ctx, customer, PromiseInput(50_000, TODAY + timedelta(days=7)))
    take_promise(ctx, other, PromiseInput(50_000, TODAY + timedelta(days=7)))
    advance(ctx, 8)
    add_payment(ctx, customer, 20_000, ctx.clock.today())
    report = evaluate_promises(ctx)
    assert (report.evaluated, report.changed, report.paid_updated) == (2, 0, 1)
    assert status_after(ctx, customer) == [("open", 20_000, None)]
    advance(ctx, 3)  # the day after broken_on
    report = evaluate_promises(ctx)
    assert (report.partially_kept, report.broken) == (1, 1)
    broken_day = TODAY + timedelta(days=11)
    assert status_after(ctx, customer) == [("partially_kept", 20_000, broken_day)]
    assert status_after(ctx, other) == [("broken", 0, broken_day)]
    assert activity_kinds(ctx, customer)[-1] == "promise_partially_kept"
    assert activity_kinds(ctx, other)[-1] == "promise_broken"


def test_evaluation_is_idempotent(ctx: AppContext, account: tuple[int, int, int]) -> None:
    customer, _, _ = account
    take_promise(ctx, customer, PromiseInput(50_000, TODAY + timedelta(days=1)))
    take_promise(ctx, customer, PromiseInput(20_000, TODAY + timedelta(days=20)))
    add_payment(ctx, customer, 10_000, TODAY + timedelta(days=1))
    advance(ctx, 5)
    first = evaluate_promises(ctx)
    before = (status_after(ctx, customer), activity_kinds(ctx, customer))
    second = evaluate_promises(ctx)
    assert first.changed == 1 and second.changed == 0 and second.paid_updated == 0
    assert (status_after(ctx, customer), activity_kinds(ctx, customer)) == before


def test_payment_counts_once_across_promises(ctx: AppContext, account: tuple[int, int, int]) -> None:
    customer, _, _ = account
    take_promise(ctx, customer, PromiseInput(30_000, TODAY + timedelta(days=3)))
    take_promise(ctx, customer, PromiseInput(30_000, TODAY + timedelta(days=5)))
    add_payment(ctx, customer, 40_000, TODAY + timedelta(days=1))
    advance(ctx, 30)
    evaluate_promises(ctx)
    assert [(s, paid) for s, paid, _ in status_after(ctx, customer)] == [("kept", 30_000), ("partially_kept", 10_000)]


def test_cancel_promise(ctx: AppContext, account: tuple[int, int, int]) -> None:
    customer, _, _ = account
    [p] = take_promise(ctx, customer, PromiseInput(30_000, TODAY + timedelta(days=3)))
    with pytest.raises(OutcomeError, match="why"):
        cancel_promise(ctx, p.id, "  ")
    cancelled = cancel_promise(ctx, p.id, "customer sold the business")
    assert (cancelled.status, cancelled.resolved_on) == ("cancelled", TODAY)
    assert activity_kinds(ctx, customer)[-1] == "promise_cancelled"
    advance(ctx, 30)
    assert evaluate_promises(ctx).evaluated == 0
    with pytest.raises(InputError, match="only an open promise"):
        cancel_promise(ctx, p.id, "again")


def test_statuses_as_of_a_past_day(ctx: AppContext, account: tuple[int, int, int]) -> None:
    customer, _, _ = account
    [p] = take_promise(ctx, customer, PromiseInput(30_000, TODAY + timedelta(days=3)))
    add_payment(ctx, customer, 30_000, TODAY + timedelta(days=2))
    advance(ctx, 10)
    evaluate_promises(ctx)
    assert promise_statuses_as_of(ctx, TODAY + timedelta(days=1))[p.id].status == "open"
    assert promise_statuses_as_of(ctx, TODAY + timedelta(days=2))[p.id].status == "kept"
    assert promise_statuses_as_of(ctx, TODAY - timedelta(days=1)) == {}


@contextmanager
def counting_statements(ctx: AppContext) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(args[2])

    event.listen(ctx.db.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(ctx.db.engine, "before_cursor_execute", record)


def test_evaluation_queries_do_not_grow_with_promises(ctx: AppContext) -> None:
    def run_with(customers: int) -> int:
        for _ in range(customers):
            customer = add_customer(ctx)
            add_invoice(ctx, customer, 10_000)
            take_promise(ctx, customer, PromiseInput(5_000, ctx.clock.today() + timedelta(days=1)))
            add_payment(ctx, customer, 1_000, ctx.clock.today())
        advance(ctx, 10)
        with counting_statements(ctx) as seen:
            assert evaluate_promises(ctx).changed == customers
        return len(seen)

    assert run_with(3) == run_with(30)
    with ctx.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Promise).where(Promise.status == "partially_kept")) == 33
