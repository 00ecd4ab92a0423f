"""Which reminders are due on a day, and why (reads only): the schedule applied to every account."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from collectdesk.domain.clock import start_of_day
from collectdesk.domain.escalation import ready_for_referral
from collectdesk.domain.money import format_amount
from collectdesk.services.context import AppContext
from collectdesk.services.message_templates import label
from collectdesk.services.pauses import PauseView, pauses_in_force
from collectdesk.settings import EscalationRules, ReminderRules
from collectdesk.store.models import Customer, EmailOptOut, Invoice, Message, MessageClaim, Promise

# Most pressing first: one message per account per day, so the first that applies wins.
PRIORITY = ("promise_missed", "promise_confirmation", "final_demand", "overdue", "confirm_receipt", "courtesy")
# A broken promise older than this is not written about on a first run.
_MISSED_LOOKBACK_DAYS = 7
_CONFIRM_LOOKBACK_DAYS = 2


@dataclass(frozen=True)
class Step:
    """The latest schedule step one invoice has reached on a day."""

    offset: int
    template: str

    @property
    def label(self) -> str:
        """The step as people read it: ``−3``, ``+7``."""
        return f"{self.offset:+d}"


@dataclass
class PlannedMessage:
    """One message due to one account: the template kind, what it claims, and why it is due."""

    customer_id: int
    ref: str
    name: str
    kind: str
    reason: str
    claims: list[str]
    invoice_ids: list[int]
    promise_id: int | None = None
    recipient: str | None = None


@dataclass(frozen=True)
class Skipped:
    """An account that has a step due but gets nothing, and why."""

    ref: str
    name: str
    reason: str


@dataclass
class ReminderPlan:
    """What a reminder run on ``day`` would send, and whom it leaves out."""

    day: date
    messages: list[PlannedMessage] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def day_key(customer_id: int, day: date) -> str:
    """The claim that keeps an account to one scheduled message a day."""
    return f"day:{customer_id}:{day.isoformat()}"


def step_key(invoice_id: int, offset: int) -> str:
    """The claim for one invoice's schedule step."""
    return f"step:{invoice_id}:{offset}"


def confirmation_key(promise_id: int, plan_id: int | None) -> str:
    """The claim for a promise's (or a plan's) confirmation."""
    return f"confirm:plan:{plan_id}" if plan_id is not None else f"confirm:{promise_id}"


def latest_step(rules: ReminderRules, days_from_due: int) -> Step | None:
    """The latest step reached this many days after the due date (negative: before it), with
    the repeat after the last step; ``None`` before the first step."""
    reached = [step for step in rules.steps if step.offset <= days_from_due]
    if not reached:
        return None
    last = reached[-1]
    final = rules.steps[-1]
    if last is final and rules.repeat_every_days and days_from_due > final.offset and final.offset > 0:
        repeats = (days_from_due - final.offset) // rules.repeat_every_days
        if repeats:
            return Step(final.offset + repeats * rules.repeat_every_days, "overdue")
    return Step(last.offset, last.template)


def _candidates(session: Session, day: date, only: list[int] | None) -> list[Customer]:
    """Accounts with an undisputed open balance, or a promise recently made or broken."""
    with_invoices = select(Invoice.customer_id).where(Invoice.status == "open", Invoice.open_amount > 0)
    recent = select(Promise.customer_id).where(
        Promise.created_at >= start_of_day(day - timedelta(days=_CONFIRM_LOOKBACK_DAYS))
    )
    ids = select(Customer.id).where(Customer.id.in_(with_invoices.union(recent)))
    if only is not None:
        ids = ids.where(Customer.id.in_(only))
    return list(
        session.scalars(
            select(Customer).where(Customer.id.in_(ids)).options(selectinload(Customer.contacts)).order_by(Customer.ref)
        )
    )


class ContactFlags(Protocol):
    """What of an account says whether it may be written to."""

    on_hold: bool
    hold_reason: str | None
    cease_contact: bool
    lawyer_represented: bool


def blocked_reason(customer: ContactFlags, referred: bool, opted_out: bool, pauses: list[PauseView]) -> str | None:
    """Why nothing may be sent to this account now (None when something may)."""
    if referred:
        return "referred to an agency"
    for flag, why in (
        (customer.on_hold, f"on hold{': ' + customer.hold_reason if customer.hold_reason else ''}"),
        (customer.cease_contact, "cease contact"),
        (customer.lawyer_represented, "represented by a lawyer"),
        (opted_out, "opted out of email"),
    ):
        if flag:
            return why
    account_pause = next((p for p in pauses if p.invoice_number is None), None)
    if account_pause is not None:
        return f"paused until {account_pause.until.isoformat()}: {account_pause.reason}"
    return None


def _is_new_or_late_payer(invoices: list[Invoice], customer: Customer, invoice: Invoice) -> bool:
    earlier = [i for i in invoices if i.issue_date < invoice.issue_date]
    return customer.late_payments > 0 or not earlier


def plan_reminders(
    ctx: AppContext, *, as_of: date | None = None, customer_ids: list[int] | None = None
) -> ReminderPlan:
    """Every message the schedule calls for on ``as_of`` (default today), one per account at
    most, the latest step reached only (only these accounts when ``customer_ids`` is given);
    writes nothing."""
    day = as_of or ctx.clock.today()
    rules = ctx.settings.reminders
    escalation = ctx.settings.escalation
    plan = ReminderPlan(day)
    with ctx.db.session() as session:
        customers = _candidates(session, day, customer_ids)
        ids = [c.id for c in customers]
        invoices: dict[int, list[Invoice]] = defaultdict(list)
        for invoice in session.scalars(
            select(Invoice)
            .where(Invoice.customer_id.in_(ids), Invoice.open_amount > 0)
            .order_by(Invoice.due_date, Invoice.number)
        ):
            invoices[invoice.customer_id].append(invoice)
        promises: dict[int, list[Promise]] = defaultdict(list)
        for promise in session.scalars(
            select(Promise)
            .where(Promise.customer_id.in_(ids), Promise.status.in_(("open", "broken")))
            .order_by(Promise.promised_on)
        ):
            promises[promise.customer_id].append(promise)
        opted_out = set(session.scalars(select(EmailOptOut.customer_id).where(EmailOptOut.customer_id.in_(ids))))
        pauses = pauses_in_force(session, day, ids)
        claimed = set(
            session.scalars(
                select(MessageClaim.key)
                .join(Message, Message.id == MessageClaim.message_id)
                .where(Message.customer_id.in_(ids))
            )
        )
        for customer in customers:
            _plan_account(
                claimed,
                plan,
                customer,
                invoices.get(customer.id, []),
                promises.get(customer.id, []),
                customer.id in opted_out,
                pauses.get(customer.id, []),
                rules,
                escalation,
                ctx.settings.receivables.receipt_confirmation_days,
            )
    return plan


def _plan_account(
    claimed: set[str],
    plan: ReminderPlan,
    customer: Customer,
    all_invoices: list[Invoice],
    promises: list[Promise],
    opted_out: bool,
    pauses: list[PauseView],
    rules: ReminderRules,
    escalation: EscalationRules,
    receipt_days: int,
) -> None:
    day = plan.day
    paused_numbers = {p.invoice_number for p in pauses if p.invoice_number}
    chaseable = [i for i in all_invoices if i.status == "open" and i.number not in paused_numbers]
    referred = customer.stage == "agency" or any(i.status == "agency" for i in all_invoices)
    options: dict[str, PlannedMessage] = {}

    def offer(kind: str, reason: str, keys: list[str], invoice_ids: list[int], promise_id: int | None = None) -> None:
        if kind not in options:
            options[kind] = PlannedMessage(
                customer.id, customer.ref, customer.name, kind, reason, keys, invoice_ids, promise_id
            )

    open_promise = next((p for p in promises if p.status == "open" and p.broken_on >= day), None)
    since = day - timedelta(days=_MISSED_LOOKBACK_DAYS)
    broken = [
        p
        for p in promises
        if p.status == "broken" and since <= p.broken_on < day and not _claimed(claimed, f"missed:{p.id}")
    ]
    if rules.promise_missed and broken:
        promise = broken[-1]
        offer(
            "promise_missed",
            f"the promise of {format_amount(promise.amount, promise.currency)} due "
            f"{promise.promised_on.isoformat()} broke on {promise.broken_on.isoformat()}",
            [f"missed:{promise.id}"],
            [i.id for i in chaseable],
            promise.id,
        )
    fresh = [
        p
        for p in promises
        if p.status == "open"
        and p.created_at.date() >= day - timedelta(days=_CONFIRM_LOOKBACK_DAYS)
        and not _claimed(claimed, confirmation_key(p.id, p.plan_id))
    ]
    if fresh:
        promise = fresh[0]
        offer(
            "promise_confirmation",
            f"a promise of {format_amount(promise.amount, promise.currency)} by "
            f"{promise.promised_on.isoformat()} was taken on {promise.created_at.date().isoformat()}",
            [confirmation_key(promise.id, promise.plan_id)],
            [i.id for i in chaseable],
            promise.id,
        )
    overdue = [i for i in chaseable if i.due_date < day]
    if overdue:
        reached = [(i, latest_step(rules, (day - i.due_date).days)) for i in overdue]
        steps = [(i, s) for i, s in reached if s is not None and s.offset > 0]
        unsent = [(i, s) for i, s in steps if not _claimed(claimed, step_key(i.id, s.offset))]
        if unsent:
            oldest, step = max(unsent, key=lambda pair: (day - pair[0].due_date).days)
            days = (day - oldest.due_date).days
            keys = [step_key(i.id, s.offset) for i, s in unsent]
            if ready_for_referral(customer.stage, days, escalation):
                final_key = f"final:{customer.id}:{oldest.id}"
                if not _claimed(claimed, final_key):
                    offer(
                        "final_demand",
                        f"{oldest.number} is {_days(days)} past due: ready for agency referral",
                        [*keys, final_key],
                        [i.id for i in chaseable],
                    )
            else:
                offer(
                    "overdue",
                    f"{oldest.number} is {_days(days)} past due (step {step.label}, stage {customer.stage})",
                    keys,
                    [i.id for i in chaseable],
                )
    upcoming = [i for i in chaseable if i.due_date >= day]
    if rules.confirm_receipt:
        new = [
            i
            for i in upcoming
            if i.receipt_confirmed_at is None
            and (day - i.issue_date).days <= receipt_days
            and _is_new_or_late_payer(all_invoices, customer, i)
            and not _claimed(claimed, f"receipt:{i.id}")
        ]
        if new:
            offer(
                "confirm_receipt",
                f"{new[0].number} was issued {new[0].issue_date.isoformat()}; receipt not yet confirmed",
                [f"receipt:{i.id}" for i in new],
                [i.id for i in new],
            )
    courtesy = [
        (i, s)
        for i in upcoming
        if (s := latest_step(rules, (day - i.due_date).days)) is not None
        and s.offset <= 0
        and not _claimed(claimed, step_key(i.id, s.offset))
    ]
    if courtesy:
        first = courtesy[0][0]
        offer(
            "courtesy",
            f"{first.number} falls due on {first.due_date.isoformat()} (step {courtesy[0][1].label})",
            [step_key(i.id, s.offset) for i, s in courtesy],
            [i.id for i, _ in courtesy],
        )
    waiting = None
    if open_promise is not None:
        # An open promise not yet due (or within its grace days) holds back overdue reminders.
        waiting = next((options.pop(kind) for kind in ("final_demand", "overdue") if kind in options), None)
    if not options:
        if waiting is not None and open_promise is not None:
            promised = format_amount(open_promise.amount, open_promise.currency)
            plan.skipped.append(
                Skipped(
                    customer.ref,
                    customer.name,
                    f"{label(waiting.kind)} due ({waiting.reason}); open promise of {promised} due "
                    f"{open_promise.promised_on.isoformat()}",
                )
            )
        return
    chosen = next(options[kind] for kind in PRIORITY if kind in options)
    blocked = blocked_reason(customer, referred, opted_out, pauses)
    if blocked is None and _claimed(claimed, day_key(customer.id, day)):
        blocked = "already written to today"
    if blocked is not None:
        plan.skipped.append(
            Skipped(customer.ref, customer.name, f"{label(chosen.kind)} due ({chosen.reason}); {blocked}")
        )
        return
    chosen.claims.append(day_key(customer.id, day))
    plan.messages.append(chosen)


def _claimed(claimed: set[str], key: str) -> bool:
    return key in claimed


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"
