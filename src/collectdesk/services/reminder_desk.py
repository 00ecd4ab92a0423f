"""Reminders from the desk: preview and send an account's next reminder, a chosen template, or
the confirmation of a promise just taken."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from collectdesk.domain.errors import InputError
from collectdesk.services.context import AppContext
from collectdesk.services.mail import MailTransport
from collectdesk.services.message_facts import chaseable_invoices
from collectdesk.services.pauses import pauses_in_force
from collectdesk.services.reminder_plan import (
    PlannedMessage,
    blocked_reason,
    confirmation_key,
    day_key,
    plan_reminders,
)
from collectdesk.services.reminders import Preview, SendResult, deliver_one, preview
from collectdesk.store.models import Customer, EmailOptOut, MessageClaim, Promise

_NEEDS_PROMISE = ("promise_confirmation", "promise_missed")


def next_reminder(ctx: AppContext, customer_id: int) -> Preview | None:
    """The message the schedule would send this account today, rendered; ``None`` if nothing is due."""
    plan = plan_reminders(ctx, customer_ids=[customer_id])
    return preview(ctx, plan.messages[0], plan.day) if plan.messages else None


def _refusal(ctx: AppContext, customer_id: int) -> str | None:
    today = ctx.clock.today()
    with ctx.db.session() as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise InputError(f"there is no account with id {customer_id}")
        opted_out = session.get(EmailOptOut, customer_id) is not None
        pauses = pauses_in_force(session, today, [customer_id]).get(customer_id, [])
        return blocked_reason(customer, customer.stage == "agency", opted_out, pauses)


def _claims(ctx: AppContext, customer_id: int, own: str) -> list[str]:
    """The message's own claim, plus today's for the account when no other message has it."""
    key = day_key(customer_id, ctx.clock.today())
    with ctx.db.session() as session:
        return [own] if session.get(MessageClaim, key) is not None else [own, key]


def chosen_template(ctx: AppContext, customer_id: int, template: str) -> Preview:
    """A template of the collector's choosing, rendered for the account (refused where the
    schedule would send nothing: on hold, cease contact, opted out, paused…)."""
    refusal = _refusal(ctx, customer_id)
    if refusal is not None:
        raise InputError(f"nothing can be sent to this account: {refusal}")
    with ctx.db.session() as session:
        customer = session.scalars(
            select(Customer).where(Customer.id == customer_id).options(selectinload(Customer.contacts))
        ).one()
        paused = {
            p.invoice_number for p in pauses_in_force(session, ctx.clock.today(), [customer_id]).get(customer_id, [])
        }
        invoices = [i.id for i in chaseable_invoices(session, customer_id) if i.number not in paused]
        promise_id = session.scalar(
            select(Promise.id)
            .where(Promise.customer_id == customer_id, Promise.status.in_(("open", "broken")))
            .order_by(Promise.created_at.desc(), Promise.id.desc())
            .limit(1)
        )
        ref, name = customer.ref, customer.name
    if template in _NEEDS_PROMISE and promise_id is None:
        raise InputError(f"{template.replace('_', ' ')} needs a promise, and this account has none open")
    planned = PlannedMessage(
        customer_id,
        ref,
        name,
        template,
        "chosen at the desk",
        _claims(ctx, customer_id, f"manual:{customer_id}:{uuid.uuid4().hex}"),
        invoices,
        promise_id,
    )
    return preview(ctx, planned, ctx.clock.today())


def promise_confirmation(ctx: AppContext, promise_id: int) -> Preview | None:
    """The confirmation of a promise (or plan) just taken, rendered; ``None`` when it was already
    sent or the account may not be written to."""
    with ctx.db.session() as session:
        promise = session.get(Promise, promise_id)
        if promise is None:
            raise InputError(f"there is no promise with id {promise_id}")
        key = confirmation_key(promise.id, promise.plan_id)
        customer_id = promise.customer_id
        if session.get(MessageClaim, key) is not None:
            return None
        customer = session.get(Customer, customer_id)
        assert customer is not None
        ref, name = customer.ref, customer.name
        invoices = [i.id for i in chaseable_invoices(session, customer_id)]
    if _refusal(ctx, customer_id) is not None:
        return None
    planned = PlannedMessage(
        customer_id,
        ref,
        name,
        "promise_confirmation",
        "promise just taken",
        _claims(ctx, customer_id, key),
        invoices,
        promise_id,
    )
    return preview(ctx, planned, ctx.clock.today())


def send_now(ctx: AppContext, item: Preview) -> SendResult:
    """Send a previewed message at once (claimed first, like every reminder)."""
    with MailTransport(ctx.settings) as transport:
        if item.recipient:
            transport.check_credentials()
        return deliver_one(ctx, transport, item, ctx.clock.today())
