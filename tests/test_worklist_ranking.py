"""Today's list ranked ahead of time: when the stored ranking is used, rebuilt, and bypassed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from account_factory import NOW, TODAY, add_customer, add_invoice
from collectdesk.domain.clock import Clock
from collectdesk.services.context import AppContext
from collectdesk.services.upkeep import bring_up_to_date
from collectdesk.services.worklist import build_worklist, rank_todays_list, score_params
from collectdesk.settings import Settings
from collectdesk.store.derived import bulk_load
from collectdesk.store.models import Customer, WorklistDirty, WorklistScore
from collectdesk.store.worklist_cache import ranking_key, stored_key


def _refs(ctx: AppContext) -> list[str]:
    return [row.ref for row in build_worklist(ctx)]


def _stored(ctx: AppContext) -> tuple[int, int]:
    """(accounts in the stored ranking, accounts marked as changed since)."""
    with ctx.db.session() as session:
        return (
            session.scalar(select(func.count()).select_from(WorklistScore)) or 0,
            session.scalar(select(func.count()).select_from(WorklistDirty)) or 0,
        )


def _overdue(ctx: AppContext, ref: str, days: int, **fields: object) -> int:
    customer = add_customer(ctx, ref, **fields)
    add_invoice(ctx, customer, days_past_due=days)
    return customer


def test_a_pass_stores_the_list_and_a_second_pass_has_nothing_to_do(ctx: AppContext) -> None:
    for ref, days in (("A", 10), ("B", 50), ("C", 30)):
        _overdue(ctx, ref, days)
    first = rank_todays_list(ctx)
    assert (first.action, first.ranked) == ("rebuilt", 3)
    assert _stored(ctx) == (3, 0)
    again = rank_todays_list(ctx)
    assert (again.action, again.accounts) == ("current", 0)
    assert _refs(ctx) == ["B", "C", "A"]


def test_a_change_is_marked_then_rescored_alone(ctx: AppContext) -> None:
    a = _overdue(ctx, "A", 10)
    _overdue(ctx, "B", 50)
    rank_todays_list(ctx)
    add_invoice(ctx, a, days_past_due=90, amount=5_000_000)
    assert _stored(ctx) == (2, 1)
    assert _refs(ctx) == ["A", "B"]  # the marked account is scored live, before the next pass
    rescored = rank_todays_list(ctx)
    assert (rescored.action, rescored.accounts) == ("rescored", 1)
    assert _stored(ctx) == (2, 0)
    assert _refs(ctx) == ["A", "B"]


def test_an_account_leaving_the_list_leaves_at_once(ctx: AppContext) -> None:
    held = _overdue(ctx, "HELD", 60)
    _overdue(ctx, "KEPT", 10)
    rank_todays_list(ctx)
    with ctx.db.session() as session:
        session.execute(update(Customer).where(Customer.id == held).values(on_hold=True))
    assert _refs(ctx) == ["KEPT"]
    rank_todays_list(ctx)
    assert _stored(ctx) == (1, 0) and _refs(ctx) == ["KEPT"]


def test_a_callback_later_today_comes_due_without_another_pass(db_url: str) -> None:
    from collectdesk.services.context import open_context

    clock = Clock(today_override=TODAY, frozen_at=NOW)
    ctx = open_context(db_url=db_url, user_name="tester", settings=Settings(), clock=clock)
    try:
        add_customer(ctx, "LATER", next_action_on=TODAY, next_action_at=NOW + timedelta(hours=2))
        add_customer(ctx, "YESTERDAY", next_action_on=TODAY - timedelta(days=1), next_action_at=NOW - timedelta(days=1))
        _overdue(ctx, "OVERDUE", 5)
        rank_todays_list(ctx)
        # Today's callback is never stored (it is read live); yesterday's is due all day long.
        assert _stored(ctx) == (2, 0)
        assert _refs(ctx) == ["YESTERDAY", "OVERDUE"]
        clock.frozen_at = NOW + timedelta(hours=3)
        assert _refs(ctx) == ["LATER", "YESTERDAY", "OVERDUE"]  # equal scores: by id
    finally:
        ctx.close()


def test_a_new_day_or_new_weights_read_live_until_the_next_pass(db_url: str) -> None:
    from collectdesk.services.context import open_context

    clock = Clock(today_override=TODAY, frozen_at=NOW)
    ctx = open_context(db_url=db_url, user_name="tester", settings=Settings(), clock=clock)
    try:
        _overdue(ctx, "OLD", 40)
        _overdue(ctx, "BIG", 10, failed_attempts=9)
        rank_todays_list(ctx)
        assert _refs(ctx) == ["BIG", "OLD"]
        heavier_days = Settings(scoring={"per_day_past_due": 5.0})
        ctx.settings = heavier_days
        with ctx.db.engine.connect() as connection:
            assert stored_key(connection) != ranking_key(score_params(ctx, None))
        assert _refs(ctx) == ["OLD", "BIG"]  # scored live with the new weights
        assert rank_todays_list(ctx).action == "rebuilt"
        assert _refs(ctx) == ["OLD", "BIG"]
        clock.today_override = TODAY + timedelta(days=1)
        clock.frozen_at = NOW + timedelta(days=1)
        assert rank_todays_list(ctx).action == "rebuilt"
    finally:
        ctx.close()


def test_upkeep_ranks_today_and_a_bulk_load_forgets_the_ranking(ctx: AppContext) -> None:
    _overdue(ctx, "A", 5)  # too young to escalate: upkeep changes nothing a collector sees
    report = bring_up_to_date(ctx)
    assert report.ranking.action == "rebuilt" and not report.changed
    assert _stored(ctx) == (1, 0)
    with ctx.db.engine.begin() as connection, bulk_load(connection):
        pass
    with ctx.db.engine.connect() as connection:
        assert stored_key(connection) is None
    assert _stored(ctx) == (0, 0)
    assert _refs(ctx) == ["A"]


def test_a_pass_neither_waits_for_nor_loses_a_change_still_being_written(ctx: AppContext) -> None:
    if ctx.db.is_sqlite:
        pytest.skip("SQLite has one writer at a time: a pass and a change never overlap")
    busy = _overdue(ctx, "BUSY", 10)
    _overdue(ctx, "CALM", 20)
    rank_todays_list(ctx)
    with ctx.db.session() as session:  # marked before the change below starts
        session.execute(update(Customer).where(Customer.id == busy).values(failed_attempts=1))
    writer = ctx.db.engine.connect()
    try:
        writer.begin()
        writer.execute(update(Customer).where(Customer.id == busy).values(failed_attempts=9))
        with ThreadPoolExecutor(1) as pool:  # a pass that waited for the writer would time out
            passed = pool.submit(rank_todays_list, ctx).result(timeout=10)
        assert passed.action == "current"  # the writer's mark was skipped, not claimed
        writer.commit()
    finally:
        writer.close()
    assert _stored(ctx)[1] == 1  # still marked: scored live with what was committed
    rows = build_worklist(ctx)
    assert (rows[0].ref, rows[0].failed_attempts) == ("BUSY", 9)
