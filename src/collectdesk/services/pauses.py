"""Pausing reminders for an account or one invoice until a date, and email opt-outs."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from collectdesk.domain.errors import InputError
from collectdesk.services.context import AppContext
from collectdesk.store.activity import log_activity
from collectdesk.store.models import Customer, EmailOptOut, Invoice, Pause

_REASON_LIMIT = 300


@dataclass(frozen=True)
class PauseView:
    """A pause in force: until when, why, and on which invoice (``None``: the whole account)."""

    customer_id: int
    invoice_number: str | None
    until: date
    reason: str


def _customer_by_ref(session: Session, ref: str) -> Customer:
    customer = session.scalars(select(Customer).where(Customer.ref == ref.strip())).one_or_none()
    if customer is None:
        raise InputError(f"there is no account with ref {ref!r}")
    return customer


def pause_reminders(
    ctx: AppContext, ref: str, *, until: date, reason: str, invoice_number: str | None = None
) -> PauseView:
    """Hold back reminders to an account (or one invoice) until ``until``; it lifts itself that day."""
    reason = " ".join(reason.split())
    if not reason:
        raise InputError("a pause needs a reason (--reason TEXT)")
    if len(reason) > _REASON_LIMIT:
        raise InputError(f"the reason is too long ({len(reason)} characters; at most {_REASON_LIMIT})")
    today = ctx.clock.today()
    if until <= today:
        raise InputError(f"--until must be after today ({today.isoformat()}); a pause lifts itself on that date")
    with ctx.db.session() as session:
        customer = _customer_by_ref(session, ref)
        invoice_id = None
        if invoice_number is not None:
            invoice_id = session.scalar(
                select(Invoice.id).where(Invoice.customer_id == customer.id, Invoice.number == invoice_number.strip())
            )
            if invoice_id is None:
                raise InputError(f"account {customer.ref} has no invoice {invoice_number!r}")
        now = ctx.clock.now()
        session.add(
            Pause(
                customer_id=customer.id,
                invoice_id=invoice_id,
                until=until,
                reason=reason,
                user_id=ctx.user.id,
                created_at=now,
            )
        )
        what = f"invoice {invoice_number}" if invoice_number else "all reminders"
        log_activity(
            session,
            at=now,
            kind="pause",
            summary=f"Reminders paused ({what}) until {until.isoformat()}: {reason}",
            customer_id=customer.id,
            user_id=ctx.user.id,
            details={"until": until.isoformat(), "invoice": invoice_number, "reason": reason},
        )
        return PauseView(customer.id, invoice_number, until, reason)


def pauses_in_force(session: Session, as_of: date, customer_ids: list[int] | None = None) -> dict[int, list[PauseView]]:
    """Pauses still in force on ``as_of`` (a pause ends on its date), by account."""
    query = (
        select(Pause.customer_id, Invoice.number, Pause.until, Pause.reason)
        .outerjoin(Invoice, Invoice.id == Pause.invoice_id)
        .where(Pause.until > as_of)
        .order_by(Pause.until.desc())
    )
    if customer_ids is not None:
        query = query.where(Pause.customer_id.in_(customer_ids))
    found: dict[int, list[PauseView]] = defaultdict(list)
    for customer_id, number, until, reason in session.execute(query):
        found[customer_id].append(PauseView(customer_id, number, until, reason))
    return dict(found)


def account_pauses(ctx: AppContext, customer_id: int) -> list[PauseView]:
    """The pauses in force today on one account (for the account panel)."""
    with ctx.db.session() as session:
        return pauses_in_force(session, ctx.clock.today(), [customer_id]).get(customer_id, [])


def set_email_opt_out(ctx: AppContext, ref: str, *, opted_out: bool, reason: str | None = None) -> bool:
    """Record that an account does (or no longer does) refuse email; ``False`` if nothing changed."""
    with ctx.db.session() as session:
        customer = _customer_by_ref(session, ref)
        existing = session.get(EmailOptOut, customer.id)
        if opted_out == (existing is not None):
            return False
        now = ctx.clock.now()
        if opted_out:
            session.add(EmailOptOut(customer_id=customer.id, reason=reason, user_id=ctx.user.id, created_at=now))
            summary = "Opted out of email" + (f": {reason}" if reason else "")
        else:
            session.execute(delete(EmailOptOut).where(EmailOptOut.customer_id == customer.id))
            summary = "Email allowed again" + (f": {reason}" if reason else "")
        log_activity(
            session, at=now, kind="email_opt_out", summary=summary, customer_id=customer.id, user_id=ctx.user.id
        )
        return True
