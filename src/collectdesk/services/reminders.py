"""Sending what the reminder schedule calls for: claimed in the database first, then sent, then
recorded, so nothing is ever sent twice and a failed send is retried on the next run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from collectdesk.domain.errors import InputError
from collectdesk.services.context import AppContext
from collectdesk.services.letters import write_letter
from collectdesk.services.mail import MailError, MailTransport, build_email, outbox_dir, safe_name
from collectdesk.services.message_facts import message_variables, recipient_for
from collectdesk.services.message_templates import RenderedMessage, label, render_message, template_for
from collectdesk.services.reminder_plan import PlannedMessage, ReminderPlan, plan_reminders
from collectdesk.store.activity import log_activity
from collectdesk.store.models import Customer, Invoice, Message, MessageClaim, Promise
from collectdesk.store.secrets import SecretError


@dataclass(frozen=True)
class Preview:
    """A planned message rendered: who it goes to and what it says."""

    planned: PlannedMessage
    template: str
    recipient: str | None
    rendered: RenderedMessage


@dataclass(frozen=True)
class SendResult:
    """What happened to one planned message."""

    ref: str
    template: str
    recipient: str | None
    outcome: str  # sent | written | letter | claimed | failed
    detail: str
    message_id: int | None = None


@dataclass
class RunReport:
    """One ``remind --send`` run: each message's fate, and where the files went."""

    day: date
    via: str
    outbox: Path
    results: list[SendResult] = field(default_factory=list)
    unconfirmed: list[tuple[int, str, str]] = field(default_factory=list)

    def count(self, outcome: str) -> int:
        """How many messages ended with this outcome."""
        return sum(1 for r in self.results if r.outcome == outcome)


def preview(ctx: AppContext, planned: PlannedMessage, day: date) -> Preview:
    """Render one planned message with the account's current figures."""
    with ctx.db.session() as session:
        customer = session.scalars(
            select(Customer).where(Customer.id == planned.customer_id).options(selectinload(Customer.contacts))
        ).one()
        invoices = list(
            session.scalars(
                select(Invoice).where(Invoice.id.in_(planned.invoice_ids)).order_by(Invoice.due_date, Invoice.number)
            )
        )
        promise = session.get(Promise, planned.promise_id) if planned.promise_id else None
        name = template_for(planned.kind, customer.stage)
        rendered = render_message(name, message_variables(ctx, session, customer, invoices, as_of=day, promise=promise))
        return Preview(planned, name, recipient_for(customer).email, rendered)


def previews(ctx: AppContext, plan: ReminderPlan) -> list[Preview]:
    """Every planned message rendered (a template error stops the run before anything is sent)."""
    return [preview(ctx, planned, plan.day) for planned in plan.messages]


def _claim(ctx: AppContext, item: Preview, day: date) -> int | None:
    """Write the message and its claims in one transaction; ``None`` if another run holds one."""
    try:
        with ctx.db.session() as session:
            message = Message(
                customer_id=item.planned.customer_id,
                user_id=ctx.user.id,
                template=item.template,
                day=day,
                status="sending",
                recipient=item.recipient,
                subject=item.rendered.subject[:300],
                body=item.rendered.email_body,
                created_at=ctx.clock.now(),
                details={"reason": item.planned.reason, "claims": item.planned.claims},
            )
            session.add(message)
            session.flush()
            session.add_all(MessageClaim(key=key, message_id=message.id) for key in item.planned.claims)
            session.flush()
            return message.id
    except IntegrityError:
        return None


def _invoice_numbers(ctx: AppContext, invoice_ids: list[int]) -> list[str]:
    with ctx.db.session() as session:
        return list(session.scalars(select(Invoice.number).where(Invoice.id.in_(invoice_ids)).order_by(Invoice.number)))


def _record_sent(
    ctx: AppContext, message_id: int, item: Preview, *, eml: Path | None, letter: Path | None, how: str
) -> None:
    numbers = _invoice_numbers(ctx, item.planned.invoice_ids)
    with ctx.db.session() as session:
        message = session.get(Message, message_id)
        assert message is not None
        now = ctx.clock.now()
        message.status = "sent"
        message.sent_at = now
        message.eml_path = str(eml) if eml else None
        message.letter_path = str(letter) if letter else None
        log_activity(
            session,
            at=now,
            kind="reminder",
            summary=f"{label(item.template)} {how}: “{item.rendered.subject}”"
            + (f" ({', '.join(numbers)})" if numbers else ""),
            customer_id=item.planned.customer_id,
            user_id=ctx.user.id,
            details={
                "message_id": message_id,
                "template": item.template,
                "to": item.recipient,
                "invoices": numbers,
                "letter": str(letter) if letter else None,
                "eml": str(eml) if eml else None,
            },
        )


def _record_failed(ctx: AppContext, message_id: int, what: str, error: str) -> None:
    """Mark the message failed and release its claims, so the next run tries again."""
    with ctx.db.session() as session:
        message = session.get(Message, message_id)
        assert message is not None
        message.status = "failed"
        message.error = error[:500]
        session.execute(delete(MessageClaim).where(MessageClaim.message_id == message_id))
        log_activity(
            session,
            at=ctx.clock.now(),
            kind="reminder_failed",
            summary=f"{label(message.template)} to {message.recipient or 'the account'} not sent "
            f"(tried again next run): {what}",
            customer_id=message.customer_id,
            user_id=ctx.user.id,
            details={"message_id": message_id, "error": error[:500]},
        )


def deliver_one(ctx: AppContext, transport: MailTransport, item: Preview, day: date) -> SendResult:
    """Claim, send and record one message (the claim is what makes a second send impossible)."""
    ref, template, to = item.planned.ref, item.template, item.recipient
    if not to and not ctx.settings.reminders.letters:
        return SendResult(ref, template, None, "failed", "no email address and letters are turned off")
    message_id = _claim(ctx, item, day)
    if message_id is None:
        return SendResult(ref, template, to, "claimed", "already sent by another run")
    stem = f"{day.isoformat()}-{safe_name(ref)}-{template}-{message_id}"
    try:
        letter = None
        if ctx.settings.reminders.letters:
            letter = write_letter(
                outbox_dir(ctx.settings) / "letters" / f"{stem}.pdf",
                item.rendered.letter_text,
                sender=ctx.settings.mail.sender_name,
                font=ctx.settings.reminders.letter_font,
            )
        eml = None
        how = "written as a letter to post"
        outcome = "letter"
        if to:
            email = build_email(
                ctx.settings, to=to, subject=item.rendered.subject, body=item.rendered.email_body, when=ctx.clock.now()
            )
            delivery = transport.deliver(email, stem)
            eml = delivery.path
            how = f"emailed to {to}" if delivery.via == "smtp" else f"written to the outbox for {to}"
            outcome = "sent" if delivery.via == "smtp" else "written"
    except (MailError, SecretError, OSError, RuntimeError) as exc:
        _record_failed(ctx, message_id, str(exc), str(exc))
        return SendResult(ref, template, to, "failed", str(exc), message_id)
    _record_sent(ctx, message_id, item, eml=eml, letter=letter, how=how)
    return SendResult(ref, template, to, outcome, str(eml or letter or ""), message_id)


def unconfirmed_messages(ctx: AppContext) -> list[tuple[int, str, str]]:
    """Messages claimed but never recorded as sent (a run was interrupted mid-send): ``(id, ref, subject)``."""
    with ctx.db.session() as session:
        rows = session.execute(
            select(Message.id, Customer.ref, Message.subject)
            .join(Customer, Customer.id == Message.customer_id)
            .where(Message.status == "sending")
            .order_by(Message.id)
        )
        return [(int(i), str(r), str(s)) for i, r, s in rows]


def release_message(ctx: AppContext, message_id: int) -> None:
    """Give up on an interrupted message (checked as not delivered) so the next run sends it again."""
    with ctx.db.session() as session:
        message = session.get(Message, message_id)
        if message is None or message.status != "sending":
            raise InputError(f"message {message_id} is not waiting for confirmation")
    _record_failed(ctx, message_id, "released by hand after an interrupted run", "released by hand")


def send_reminders(ctx: AppContext, *, as_of: date | None = None) -> RunReport:
    """Send every message the schedule calls for on ``as_of`` (default today)."""
    plan = plan_reminders(ctx, as_of=as_of)
    items = previews(ctx, plan)
    transport = MailTransport(ctx.settings)
    report = RunReport(plan.day, transport.describe(), outbox_dir(ctx.settings))
    if items:
        transport.check_credentials()  # before anything is claimed
    with transport:
        for item in items:
            report.results.append(deliver_one(ctx, transport, item, plan.day))
    report.unconfirmed = unconfirmed_messages(ctx)
    return report
