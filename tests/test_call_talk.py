"""Talk time kept on each call: set when a call ends, whichever way the call is written."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import insert, select, update

from account_factory import NOW, add_customer
from collectdesk.services.context import AppContext
from collectdesk.store.derived import bulk_load
from collectdesk.store.models import Call


def _talk(ctx: AppContext) -> list[float]:
    with ctx.db.session() as session:
        return [round(t, 3) for t in session.scalars(select(Call.talk_seconds).order_by(Call.id))]


def _call(customer: int, user: int, minutes: float | None) -> dict[str, object]:
    ended = None if minutes is None else NOW + timedelta(minutes=minutes)
    return {"customer_id": customer, "user_id": user, "started_at": NOW, "ended_at": ended, "notes": ""}


def test_talk_time_follows_the_call_from_start_to_end(ctx: AppContext) -> None:
    customer = add_customer(ctx, "TALK")
    with ctx.db.session() as session:
        session.execute(insert(Call), [_call(customer, ctx.user.id, None), _call(customer, ctx.user.id, 2.5)])
    assert _talk(ctx) == [0.0, 150.0]  # an open call has talked for nothing yet
    with ctx.db.session() as session:
        session.execute(update(Call).where(Call.ended_at.is_(None)).values(ended_at=NOW + timedelta(seconds=95)))
    assert _talk(ctx) == [95.0, 150.0]
    with ctx.db.session() as session:
        session.execute(update(Call).values(started_at=NOW - timedelta(seconds=5)))
    assert _talk(ctx) == [100.0, 155.0]


def test_a_bulk_load_works_talk_time_out_afterwards(ctx: AppContext) -> None:
    customer = add_customer(ctx, "BULK")
    with ctx.db.engine.begin() as connection, bulk_load(connection):
        connection.execute(insert(Call), [_call(customer, ctx.user.id, n) for n in (1, 3)])
    assert _talk(ctx) == [60.0, 180.0]
