"""Calls left open: who is on which account now, and a supervisor's release of a call a desk
left behind (closed as abandoned, notes kept, logged)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from collectdesk.domain.errors import InputError
from collectdesk.services.access import refused_by_database, require_supervisor
from collectdesk.services.context import AppContext
from collectdesk.store.activity import log_activity
from collectdesk.store.models import Call, Customer, User

ABANDONED = "ABANDONED"


@dataclass(frozen=True)
class OpenCall:
    """An open call: the account, who is on it and since when."""

    call_id: int
    ref: str
    customer_name: str
    user: str
    started_at: datetime
    notes: str


def open_calls(ctx: AppContext) -> list[OpenCall]:
    """Every call started and not yet closed, oldest first."""
    with ctx.db.session() as session:
        rows = session.execute(
            select(Call.id, Customer.ref, Customer.name, User.name, Call.started_at, Call.notes)
            .join_from(Call, Customer, Customer.id == Call.customer_id)
            .join(User, User.id == Call.user_id)
            .where(Call.ended_at.is_(None))
            .order_by(Call.started_at, Call.id)
        ).all()
    return [OpenCall(*row) for row in rows]


def release_call(ctx: AppContext, ref: str) -> OpenCall:
    """Close the open call on account ``ref`` as abandoned (supervisors): the account is free
    again, what was typed stays on the call, and the release is logged."""
    require_supervisor(ctx, "releasing a call")
    now = ctx.clock.now()
    with refused_by_database(ctx, "releasing a call"), ctx.db.session() as session:
        customer = session.scalars(select(Customer).where(Customer.ref == ref.strip())).one_or_none()
        if customer is None:
            raise InputError(f"there is no account with ref {ref}")
        call = session.scalars(
            select(Call).where(Call.customer_id == customer.id, Call.ended_at.is_(None)).with_for_update()
        ).one_or_none()
        if call is None:
            raise InputError(f"nobody is on a call with {customer.name} ({ref}): nothing to release")
        holder = session.scalar(select(User.name).where(User.id == call.user_id)) or "?"
        released = OpenCall(call.id, customer.ref, customer.name, holder, call.started_at, call.notes)
        call.ended_at = now
        call.result_code = ABANDONED
        log_activity(
            session,
            at=now,
            kind="call_released",
            customer_id=customer.id,
            user_id=ctx.user.id,
            call_id=call.id,
            summary=f"{holder}'s call left open since {call.started_at:%Y-%m-%d %H:%M} UTC released by "
            f"{ctx.user.name} (closed as abandoned, notes kept)",
            details={"holder": holder, "started_at": call.started_at.isoformat()},
        )
    return released
