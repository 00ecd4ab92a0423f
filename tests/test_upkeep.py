"""Upkeep judges promises and escalates; a payment import keeps a promise without waiting for it."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select

from collectdesk.domain.clock import Clock
from collectdesk.services.context import AppContext
from collectdesk.services.importing import import_csv
from collectdesk.services.promises import PromiseInput, take_promise
from collectdesk.services.upkeep import bring_up_to_date
from collectdesk.store.models import Activity, Customer, Promise
from ledger_fixtures import add_customer, add_invoice

TODAY = date(2026, 11, 23)


def _later(ctx: AppContext, days: int) -> AppContext:
    moved = TODAY + timedelta(days=days)
    return replace(ctx, clock=Clock(today_override=moved, frozen_at=ctx.clock.now() + timedelta(days=days)))


def test_upkeep_breaks_a_lapsed_promise_and_escalates(ctx: AppContext) -> None:
    customer_id = add_customer(ctx, ref="LATE")
    add_invoice(ctx, customer_id, 50_000, due=TODAY - timedelta(days=40))
    take_promise(
        ctx,
        customer_id,
        PromiseInput(amount=20_000, promised_on=TODAY + timedelta(days=2), method=None, invoice_ids=[]),
    )
    first = bring_up_to_date(_later(ctx, 10))
    assert first.promises.broken == 1
    assert first.stage_changes == 1
    with ctx.db.session() as session:
        assert session.scalars(select(Promise.status)).one() == "broken"
        assert session.scalars(select(Customer.stage)).one() == "management"  # 50 days past due
        kinds = set(session.scalars(select(Activity.kind)))
    assert {"promise_broken", "escalation"} <= kinds
    again = bring_up_to_date(_later(ctx, 10))
    assert not again.changed


def test_payment_import_keeps_an_open_promise(ctx: AppContext, tmp_path: Path) -> None:
    customer_id = add_customer(ctx, ref="PAYER")
    add_invoice(ctx, customer_id, 30_000, due=TODAY - timedelta(days=5))
    take_promise(
        ctx,
        customer_id,
        PromiseInput(amount=30_000, promised_on=TODAY + timedelta(days=3), method=None, invoice_ids=[]),
    )
    payments = tmp_path / "payments.csv"
    payments.write_text("customer_ref,amount,received_on\nPAYER,300.00,2026-11-23\n", encoding="utf-8")
    report = import_csv(ctx, "payments", payments)
    assert any("1 kept" in note for note in report.notes)
    with ctx.db.session() as session:
        promise = session.scalars(select(Promise)).one()
        assert (promise.status, promise.paid_amount) == ("kept", 30_000)


def _settle(ctx: AppContext) -> None:
    """Upkeep until it has nothing left to do (a pass that changed things is checked once more)."""
    for _ in range(3):
        if bring_up_to_date(ctx).skipped:
            return
    raise AssertionError("upkeep never settled")


def test_upkeep_with_nothing_to_do_is_skipped_until_something_changes(ctx: AppContext) -> None:
    customer_id = add_customer(ctx, ref="IDLE")
    add_invoice(ctx, customer_id, 50_000, due=TODAY - timedelta(days=40))
    first = bring_up_to_date(ctx)
    assert not first.skipped and first.stage_changes == 1
    _settle(ctx)
    idle = bring_up_to_date(ctx)
    assert idle.skipped and not idle.changed and idle.ranking.ranked == 1
    # A promise taken today lapses ten days later: the new day runs in full and breaks it.
    take_promise(ctx, customer_id, PromiseInput(amount=20_000, promised_on=TODAY + timedelta(days=2)))
    assert not bring_up_to_date(ctx).skipped
    _settle(ctx)
    assert bring_up_to_date(_later(ctx, 10)).promises.broken == 1
    # A payment applied to no invoice marks no account, but it is a new payment.
    later = _later(ctx, 10)
    _settle(later)
    payer = add_customer(ctx, ref="CREDIT")
    with ctx.db.engine.begin() as connection:
        connection.exec_driver_sql("DELETE FROM worklist_dirty")
        connection.exec_driver_sql(
            "INSERT INTO payments (customer_id, amount, currency, received_on, import_key, created_at) "
            f"VALUES ({payer}, 100, 'USD', '2026-12-03', 'k', '2026-12-03 10:00:00')"
        )
    assert not bring_up_to_date(later).skipped


def test_upkeep_with_other_rules_runs_in_full(ctx: AppContext) -> None:
    customer_id = add_customer(ctx, ref="RULES")
    add_invoice(ctx, customer_id, 50_000, due=TODAY - timedelta(days=40))
    _settle(ctx)
    stricter = ctx.settings.model_copy(
        update={"escalation": ctx.settings.escalation.model_copy(update={"management_days": 35})}
    )
    assert not bring_up_to_date(replace(ctx, settings=stricter)).skipped
