"""Cancelling and replacing a missed promise on a real database: history, activity and the tally."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from collectdesk.domain.errors import InputError
from collectdesk.domain.outcomes import OutcomeError
from collectdesk.services.context import AppContext
from collectdesk.services.promise_retiring import open_promises, promise_lines
from collectdesk.services.promises import (
    PlanInput,
    PromiseInput,
    cancel_promise,
    evaluate_promises,
    replace_promise,
    take_promise,
)
from collectdesk.services.tally import compute_tally
from collectdesk.store.models import Activity, Promise
from ledger_fixtures import add_customer, add_invoice

TODAY = date(2026, 11, 23)


def advance(ctx: AppContext, days: int) -> None:
    """Move the frozen clock forward."""
    assert ctx.clock.frozen_at is not None and ctx.clock.today_override is not None
    ctx.clock.frozen_at += timedelta(days=days)
    ctx.clock.today_override += timedelta(days=days)


def snapshot(ctx: AppContext) -> tuple[list[tuple[int, str, int | None]], int]:
    """Every promise (id, status, replaced by) and the number of activity entries."""
    with ctx.db.session() as session:
        rows = [(p.id, p.status, p.replaced_by_id) for p in session.scalars(select(Promise).order_by(Promise.id))]
        return rows, int(session.scalar(select(func.count()).select_from(Activity)) or 0)


@pytest.fixture
def missed(ctx: AppContext) -> tuple[int, int]:
    """An account owing $1,000.00 whose promise of all of it fell due yesterday (in grace: still open)."""
    customer = add_customer(ctx)
    add_invoice(ctx, customer, 100_000)
    [promise] = take_promise(ctx, customer, PromiseInput(100_000, TODAY + timedelta(days=1)))
    advance(ctx, 2)
    return customer, promise.id


def test_the_missed_promise_is_listed_as_missed(ctx: AppContext, missed: tuple[int, int]) -> None:
    customer, promise_id = missed
    [line] = open_promises(ctx, customer)
    assert (line.id, line.missed) == (promise_id, True)
    assert "(missed)" in line.describe()


def test_a_plan_replaces_a_missed_promise(ctx: AppContext, missed: tuple[int, int]) -> None:
    customer, promise_id = missed
    today = ctx.clock.today()
    plan = PlanInput(100_000, 3, today + timedelta(days=7), "month")
    with pytest.raises(OutcomeError, match="more than can be promised"):
        take_promise(ctx, customer, plan)  # the missed promise still holds the balance

    new = replace_promise(ctx, promise_id, plan, "lost their biggest client; three monthly payments agreed")
    assert [(line.amount, line.promised_on) for line in new] == [
        (33_333, date(2026, 12, 2)),
        (33_333, date(2027, 1, 2)),
        (33_334, date(2027, 2, 2)),
    ]
    lines = {line.id: line for line in promise_lines(ctx, customer)}
    old = lines[promise_id]
    assert (old.status, old.replaced_by_id, old.resolved_on) == ("renegotiated", new[0].id, today)
    with ctx.db.session() as session:
        entry = session.scalars(select(Activity).where(Activity.kind == "promise_renegotiated")).one()
        assert entry.promise_id == promise_id
        assert "renegotiated (replaced by a plan of 3 for $1,000.00" in entry.summary
        assert "lost their biggest client" in entry.summary

    advance(ctx, 10)
    evaluate_promises(ctx)  # the old promise's broken-on date passes: it stays renegotiated, not broken
    tally = compute_tally(ctx, date_from=TODAY, date_to=ctx.clock.today())
    figures = tally.promises
    assert (figures.renegotiated, figures.broken, figures.cancelled) == (1, 0, 0)
    assert figures.renegotiated_amount == 100_000
    assert (figures.made, figures.dated) == (2, 4)  # the old promise and the plan; dated: each instalment


def test_cancel_a_missed_promise_with_a_reason(ctx: AppContext, missed: tuple[int, int]) -> None:
    customer, promise_id = missed
    cancelled = cancel_promise(ctx, promise_id, "invoice credited in full")
    assert (cancelled.status, cancelled.resolved_on) == ("cancelled", ctx.clock.today())
    assert open_promises(ctx, customer) == []
    [line] = promise_lines(ctx, customer)
    assert line.status == "cancelled"
    with ctx.db.session() as session:
        kinds = list(session.scalars(select(Activity.kind).where(Activity.promise_id == promise_id)))
    assert kinds == ["promise", "promise_cancelled"]
    advance(ctx, 10)
    tally = compute_tally(ctx, date_from=TODAY, date_to=ctx.clock.today())
    assert (tally.promises.cancelled, tally.promises.renegotiated, tally.promises.broken) == (1, 0, 0)


@pytest.mark.parametrize(
    ("reason", "spec", "message"),
    [
        ("  ", PromiseInput(50_000, TODAY + timedelta(days=9)), "say why the promise is replaced"),
        ("new terms", PromiseInput(200_000, TODAY + timedelta(days=9)), "more than can be promised"),
        ("new terms", PromiseInput(50_000, TODAY - timedelta(days=9)), "in the past"),
    ],
)
def test_a_refused_replacement_changes_nothing(
    ctx: AppContext, missed: tuple[int, int], reason: str, spec: PromiseInput, message: str
) -> None:
    _, promise_id = missed
    before = snapshot(ctx)
    with pytest.raises(OutcomeError, match=message):
        replace_promise(ctx, promise_id, spec, reason)
    assert snapshot(ctx) == before


def test_a_broken_or_unknown_promise_cannot_be_cancelled_or_replaced(ctx: AppContext, missed: tuple[int, int]) -> None:
    _, promise_id = missed
    advance(ctx, 5)  # past its grace days: broken
    before = snapshot(ctx)
    with pytest.raises(InputError, match="is broken: only an open promise"):
        cancel_promise(ctx, promise_id, "too late")
    with pytest.raises(InputError, match="is broken: only an open promise"):
        replace_promise(ctx, promise_id, PromiseInput(10_000, ctx.clock.today() + timedelta(days=3)), "new terms")
    with pytest.raises(InputError, match="no promise with id 9999"):
        cancel_promise(ctx, 9999, "nothing")
    with pytest.raises(OutcomeError, match="say why"):
        cancel_promise(ctx, promise_id, "")
    assert snapshot(ctx) == before


def test_a_renegotiated_promise_cannot_be_replaced_again(ctx: AppContext, missed: tuple[int, int]) -> None:
    _, promise_id = missed
    replace_promise(ctx, promise_id, PromiseInput(100_000, ctx.clock.today() + timedelta(days=5)), "new date")
    with pytest.raises(InputError, match="is renegotiated"):
        cancel_promise(ctx, promise_id, "again")


def test_payments_from_the_replacement_day_count_towards_the_new_promise(
    ctx: AppContext, missed: tuple[int, int]
) -> None:
    from ledger_fixtures import add_payment

    customer, promise_id = missed
    [new] = replace_promise(ctx, promise_id, PromiseInput(100_000, ctx.clock.today() + timedelta(days=5)), "new date")
    add_payment(ctx, customer, 100_000, received_on=ctx.clock.today())
    evaluate_promises(ctx)
    statuses = {line.id: line.status for line in promise_lines(ctx, customer)}
    assert statuses == {promise_id: "renegotiated", new.id: "kept"}
