"""The call lifecycle: start (with guard rails), notes as they are typed, and a validated close."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from collectdesk.domain.cadence import next_action_on, next_action_text
from collectdesk.domain.calling_window import UNKNOWN_REASON, CallableStatus, candidate_zones, window_status
from collectdesk.domain.errors import InputError
from collectdesk.domain.frequency import PastCall, check_frequency, earliest_follow_up
from collectdesk.domain.money import format_amount
from collectdesk.domain.outcomes import OutcomeError
from collectdesk.domain.phones import national_format
from collectdesk.domain.result_codes import Effect, Need, ResultCode, find_result_code, result_codes
from collectdesk.services.accounts import calling_status
from collectdesk.services.context import AppContext
from collectdesk.services.promises import (
    OWING_STATUSES,
    PlanInput,
    PromiseInput,
    record_promises,
    validate_promise,
)
from collectdesk.store.activity import log_activity
from collectdesk.store.call_claim import CallFacts, ClaimLink, NewCall, OpenCallSeen, claim_link, read_call_facts
from collectdesk.store.models import Activity, Call, Contact, Customer, Invoice, Promise, max_length

__all__ = [
    "AccountOnCall",
    "CallBlocked",
    "CallInProgress",
    "CallOutcome",
    "ClosedCall",
    "OutcomeError",
    "PlanInput",
    "PromiseInput",
    "PromiseTaken",
    "StartedCall",
    "available_result_codes",
    "call_blocks",
    "call_warnings",
    "callable_status",
    "close_call",
    "propose_next_action",
    "save_call_notes",
    "start_call",
    "unfinished_call",
    "validate_outcome",
]

FREQUENCY_LOOKBACK = timedelta(days=31)
CALLBACK_HORIZON = timedelta(days=365)


class CallBlocked(InputError):
    """A call that a guard rail forbids; it can go ahead only with a typed override reason."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(
            "This call is blocked: " + "; ".join(reasons) + ". To call anyway, type the reason for the override."
        )
        self.reasons = reasons


class CallInProgress(InputError):
    """The user already has an open call, which must be closed first."""

    def __init__(self, call_id: int, message: str) -> None:
        super().__init__(message)
        self.call_id = call_id


class AccountOnCall(InputError):
    """Someone else has an open call on the account: one open call per account (the database's
    ``uq_calls_open_account``)."""

    def __init__(self, holder: str, customer_name: str, since: datetime) -> None:
        super().__init__(
            f"{holder} is already on a call with {customer_name} (since {since:%H:%M} UTC, {since:%Y-%m-%d}): "
            "pick another account"
        )
        self.holder = holder
        self.since = since


@dataclass
class CallOutcome:
    """What the collector enters when a call ends; ``payment_asked=None`` means "not said"."""

    result_code: str
    payment_asked: bool | None = None
    promise: PromiseInput | None = None
    plan: PlanInput | None = None
    no_promise_reason: str | None = None
    dispute_invoice_ids: list[int] = field(default_factory=list)
    dispute_reason: str | None = None
    callback_at: datetime | None = None
    spoke_with: str | None = None
    paid_claim: str | None = None
    next_action_on: date | None = None
    notes: str | None = None
    paid_on: date | None = None


@dataclass(frozen=True)
class StartedCall:
    """A call that is open: whose, with whom, since when, its notes so far, and the lesser concerns
    about it the collector is told as it starts (none for a call resumed later)."""

    id: int
    customer_id: int
    contact_id: int | None
    user_id: int
    started_at: datetime
    notes: str
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class PromiseTaken:
    """A promise (or one instalment of a plan) written by closing a call."""

    id: int
    call_id: int | None
    amount: int
    currency: str
    promised_on: date
    broken_on: date
    instalment: int | None


@dataclass(frozen=True)
class ClosedCall:
    """A completed call and what closing it wrote."""

    call_id: int
    result_code: str
    promises: list[PromiseTaken]
    next_action_on: date
    next_action: str
    on_hold: bool


def _started(call: Call) -> StartedCall:
    return StartedCall(call.id, call.customer_id, call.contact_id, call.user_id, call.started_at, call.notes or "")


def _taken(promise: Promise) -> PromiseTaken:
    return PromiseTaken(
        promise.id,
        promise.call_id,
        promise.amount,
        promise.currency,
        promise.promised_on,
        promise.broken_on,
        promise.instalment,
    )


def available_result_codes(ctx: AppContext) -> list[ResultCode]:
    """The result codes with the keys configured in ``settings.result_keys``."""
    return result_codes(ctx.settings.result_keys)


def _customer(session: Session, customer_id: int, *, lock: bool = False) -> Customer:
    customer = session.get(Customer, customer_id, with_for_update=lock)
    if customer is None:
        raise InputError(f"there is no account with id {customer_id}")
    return customer


def _phones(session: Session, customer: Customer) -> list[str | None]:
    return [
        customer.phone,
        *session.scalars(
            select(Contact.phone).where(Contact.customer_id == customer.id, Contact.wrong_number.is_(False))
        ),
    ]


def _zones(session: Session, customer: Customer) -> list[str]:
    """Every time zone the debtor may be in, from the numbers and the override."""
    return candidate_zones(_phones(session, customer), customer.country, customer.timezone)


def _status(session: Session, ctx: AppContext, customer: Customer) -> CallableStatus:
    return calling_status(ctx, _phones(session, customer), customer.country, customer.timezone)


def _facts(ctx: AppContext, customer_id: int, contact_id: int | None, link: ClaimLink | None = None) -> CallFacts:
    """What the guard rails and the claim read about the account (one statement on PostgreSQL)."""
    since = ctx.clock.now() - FREQUENCY_LOOKBACK
    if link is None:
        facts = read_call_facts(ctx.db.engine, customer_id, contact_id, ctx.user.id, since)
    else:
        facts = link.read_facts(customer_id, contact_id, ctx.user.id, since)
    if facts is None:
        raise InputError(f"there is no account with id {customer_id}")
    if contact_id is not None and (facts.contact is None or facts.contact.customer_id != customer_id):
        raise InputError(f"contact {contact_id} is not a contact of {facts.name}")
    return facts


def _assess(ctx: AppContext, facts: CallFacts) -> tuple[list[str], list[str]]:
    """The blocks and the warnings for calling this customer (and contact) now."""
    blocks: list[str] = []
    warnings: list[str] = []
    contact = facts.contact
    if facts.do_not_call:
        blocks.append(f"{facts.name} is marked do-not-call")
    if facts.cease_contact:
        blocks.append(f"{facts.name} asked to cease contact")
    if facts.lawyer_represented:
        blocks.append(f"{facts.name} is represented by a lawyer: contact the lawyer instead")
    if contact is not None and contact.do_not_call:
        blocks.append(f"{contact.name} is marked do-not-call")
    if contact is not None and contact.wrong_number:
        warnings.append(f"{contact.name}'s number {national_format(contact.phone)} is flagged as wrong")
    phones = [facts.phone, *facts.contact_phones]
    status = calling_status(ctx, phones, facts.country, facts.timezone)
    if status.unknown:
        warnings.append(f"local time {UNKNOWN_REASON}")
    elif not status.callable:
        blocks.append(status.reason)
    now = ctx.clock.now()
    frequency = check_frequency(
        facts.kind,
        facts.country,
        facts.region,
        [PastCall(row.started_at, row.right_party, row.result_code) for row in facts.past_calls],
        now,
        candidate_zones(phones, facts.country, facts.timezone),
    )
    blocks.extend(frequency.blocks)
    warnings.extend(frequency.warnings)
    if facts.on_hold:
        warnings.append(f"the account is on hold ({facts.hold_reason or 'no reason given'})")
    phone = contact.phone if contact is not None else facts.phone
    if not phone:
        warnings.append("no phone number on file")
    return blocks, warnings


def callable_status(ctx: AppContext, customer_id: int) -> CallableStatus:
    """Whether the customer is inside the calling window now, with local times for display."""
    with ctx.db.session() as session:
        return _status(session, ctx, _customer(session, customer_id))


def call_blocks(ctx: AppContext, customer_id: int, contact_id: int | None = None) -> list[str]:
    """What would stop a call now (do-not-call, calling window, frequency), before starting it."""
    return _assess(ctx, _facts(ctx, customer_id, contact_id))[0]


def call_warnings(ctx: AppContext, customer_id: int, contact_id: int | None = None) -> list[str]:
    """Lesser concerns about calling now: a recent business call, unknown local time, hold…"""
    return _assess(ctx, _facts(ctx, customer_id, contact_id))[1]


def _open_call(session: Session, user_id: int) -> Call | None:
    return session.scalars(
        select(Call)
        .where(Call.user_id == user_id, Call.ended_at.is_(None))
        .order_by(Call.started_at.desc(), Call.id.desc())
        .limit(1)
    ).first()


_CLAIM_TRIES = 3


def start_call(
    ctx: AppContext, customer_id: int, *, contact_id: int | None = None, override_reason: str | None = None
) -> StartedCall:
    """Start a call: the row is written at once; guard rails block unless a reason overrides.

    One read of what the guard rails need, then the claim (one statement): two round trips to
    PostgreSQL, won or lost. The call comes back with the warnings to show as it starts.
    """
    reason = (override_reason or "").strip() or None
    limit = max_length(Call.override_reason)
    if reason and len(reason) > limit:
        raise InputError(f"the override reason is too long (at most {limit} characters)")
    with claim_link(ctx.db.engine) as link:  # one pooled connection for the read and the claim
        for _ in range(_CLAIM_TRIES):
            started = _try_claim(ctx, link, customer_id, contact_id, reason)
            if started is not None:
                return started
    raise InputError("the account was claimed and released again while this desk tried to claim it: press c again")


def _try_claim(
    ctx: AppContext, link: ClaimLink, customer_id: int, contact_id: int | None, reason: str | None
) -> StartedCall | None:
    """Read, check the guard rails, claim: the started call, or None when the call that refused the
    claim has closed since (the account is free again)."""
    facts = _facts(ctx, customer_id, contact_id, link)
    _refuse(ctx, [seen for seen in (facts.mine, facts.on_account) if seen is not None], customer_id)
    blocks, warnings = _assess(ctx, facts)
    if blocks and reason is None:
        raise CallBlocked(blocks)
    now = ctx.clock.now()
    contact = facts.contact
    claim = link.claim(
        NewCall(
            customer_id=customer_id,
            contact_id=contact_id,
            user_id=ctx.user.id,
            phone=contact.phone if contact is not None else facts.phone,
            started_at=now,
            override_reason=reason if blocks else None,
            summary=f"Call started despite: {'; '.join(blocks)}. Reason: {reason}" if blocks else None,
            details={"blocks": blocks, "reason": reason} if blocks else None,
        )
    )
    if claim.call_id is not None:
        return StartedCall(claim.call_id, customer_id, contact_id, ctx.user.id, now, "", tuple(warnings))
    # Another desk claimed the account (or this user's other desk opened a call) since the read; the
    # unique indexes let exactly one through. Say who won, unless that call has closed already.
    _refuse(ctx, claim.in_the_way, customer_id)
    return None


def _refuse(ctx: AppContext, in_the_way: list[OpenCallSeen], customer_id: int) -> None:
    """Raise when this user already has an open call, or someone is on a call with the account."""
    for seen in in_the_way:
        if seen.user_id == ctx.user.id:
            started = f"{seen.started_at:%Y-%m-%d %H:%M} UTC"
            raise CallInProgress(
                seen.call_id, f"You already have a call open with {seen.customer} (started {started}): close it first"
            )
    for seen in in_the_way:
        if seen.customer_id == customer_id:
            raise AccountOnCall(seen.user, seen.customer, seen.started_at)


def save_call_notes(ctx: AppContext, call_id: int, notes: str) -> None:
    """Save the notes of the user's open call (one UPDATE; called as the collector types)."""
    with ctx.db.session() as session:
        result = session.execute(
            update(Call)
            .where(Call.id == call_id, Call.user_id == ctx.user.id, Call.ended_at.is_(None))
            .values(notes=notes)
        )
        if result.rowcount == 0:  # type: ignore[attr-defined]
            call = session.get(Call, call_id)
            if call is None:
                raise InputError(f"there is no call with id {call_id}")
            if call.ended_at is not None:
                raise InputError("this call is closed: add a note to the account instead")
            raise InputError("this call belongs to another user")


def unfinished_call(ctx: AppContext) -> StartedCall | None:
    """The current user's call that was started and never closed (to resume after a crash)."""
    with ctx.db.session() as session:
        call = _open_call(session, ctx.user.id)
        return _started(call) if call is not None else None


@dataclass(frozen=True)
class _TextNeed:
    """A need met by one line of text: where the outcome carries it and the call keeps it."""

    attribute: str
    field: str
    column: Any
    missing: str


_TEXT_NEEDS = {
    Need.PAID_CLAIM: _TextNeed(
        "paid_claim", "paid_claim", Call.paid_claim, "say when and how they paid (date, reference) so it can be checked"
    ),
    Need.NO_PROMISE_REASON: _TextNeed(
        "no_promise_reason",
        "reason",
        Call.no_promise_reason,
        "give the reason there is no promise (refused, can't pay yet, needs approval…)",
    ),
    Need.SPOKE_WITH: _TextNeed("spoke_with", "spoke_with", Call.spoke_with, "say who you spoke with"),
}


def _text(value: str | None, field_name: str, column: Any, missing: str) -> str:
    text = (value or "").strip()
    if not text:
        raise OutcomeError(field_name, missing)
    limit = max_length(column)
    if len(text) > limit:
        raise OutcomeError(field_name, f"too long: at most {limit} characters")
    return text


def _validate(
    session: Session,
    ctx: AppContext,
    call: Call,
    customer: Customer,
    outcome: CallOutcome,
    *,
    check_promise: bool = True,
) -> ResultCode:
    """Check the outcome against what its result code needs (OutcomeError names the field)."""
    try:
        rc = find_result_code(outcome.result_code, available_result_codes(ctx))
    except InputError as exc:
        raise OutcomeError("result_code", str(exc)) from None
    if rc.right_party and outcome.payment_asked is None:
        raise OutcomeError("payment_asked", "say whether payment was asked for (yes or no)")
    has_promise = outcome.promise is not None or outcome.plan is not None
    if Need.PROMISE not in rc.needs and has_promise:
        raise OutcomeError("result_code", f"only a PTP close records a promise, not {rc.code}")
    for need in rc.needs:
        if need in _TEXT_NEEDS:
            spec = _TEXT_NEEDS[need]
            _text(getattr(outcome, spec.attribute), spec.field, spec.column, spec.missing)
        elif need is Need.PROMISE:
            _check_promise(session, ctx, customer, outcome, check_promise=check_promise)
        elif need is Need.DISPUTE:
            _check_dispute(session, customer, outcome)
        elif need is Need.CALLBACK:
            _check_callback(session, ctx, customer, outcome.callback_at)
    if Need.PAID_CLAIM in rc.needs and outcome.paid_on is not None and outcome.paid_on > ctx.clock.today():
        raise OutcomeError("paid_on", f"{outcome.paid_on.isoformat()} is in the future: a payment made has a past date")
    if outcome.next_action_on is not None and outcome.next_action_on < ctx.clock.today():
        raise OutcomeError(
            "next_action_on", f"the next action date {outcome.next_action_on.isoformat()} is in the past"
        )
    return rc


def _check_promise(
    session: Session, ctx: AppContext, customer: Customer, outcome: CallOutcome, *, check_promise: bool
) -> None:
    if outcome.promise is not None and outcome.plan is not None:
        raise OutcomeError("plan", "give either one promise or a plan, not both")
    spec = outcome.promise or outcome.plan
    if spec is None:
        raise OutcomeError("amount", "a promise to pay needs an exact amount and date")
    if check_promise:
        validate_promise(session, ctx, customer, spec)


def _check_dispute(session: Session, customer: Customer, outcome: CallOutcome) -> None:
    if not outcome.dispute_invoice_ids:
        raise OutcomeError("invoices", "pick the invoice(s) the customer disputes")
    ids = set(outcome.dispute_invoice_ids)
    rows = session.execute(
        select(Invoice.id, Invoice.number, Invoice.status).where(
            Invoice.customer_id == customer.id, Invoice.id.in_(ids)
        )
    ).all()
    missing = ids - {r.id for r in rows}
    if missing:
        raise OutcomeError("invoices", "not an invoice of this account: " + ", ".join(str(i) for i in sorted(missing)))
    closed = [r.number for r in rows if r.status not in OWING_STATUSES]
    if closed:
        raise OutcomeError("invoices", f"invoice(s) {', '.join(sorted(closed))} are not open")
    _text(outcome.dispute_reason, "reason", Call.dispute_reason, "say why the customer disputes the invoice(s)")


def _check_callback(session: Session, ctx: AppContext, customer: Customer, callback_at: datetime | None) -> None:
    if callback_at is None:
        raise OutcomeError("callback_at", "give the callback date and time")
    if callback_at.tzinfo is None:
        raise OutcomeError("callback_at", "the callback time needs a time zone")
    now = ctx.clock.now()
    if callback_at <= now:
        raise OutcomeError("callback_at", "the callback time must be in the future")
    if callback_at > now + CALLBACK_HORIZON:
        raise OutcomeError("callback_at", "the callback must be within a year")
    window = ctx.settings.window_for(customer.country)
    status = window_status(_zones(session, customer), callback_at, window)
    if not status.callable:
        weekend = any(local.weekday() >= 5 for local in status.local_times.values())
        start, end = (
            (window.weekend_start, window.weekend_end) if weekend else (window.weekday_start, window.weekday_end)
        )
        raise OutcomeError(
            "callback_at",
            f"the callback would be {status.reason.removeprefix('outside the calling window: ')}, "
            f"outside the calling window ({start:%H:%M}–{end:%H:%M} there)",
        )


def _load_open_call(session: Session, ctx: AppContext, call_id: int, *, lock: bool = False) -> Call:
    call = session.get(Call, call_id, with_for_update=lock)
    if call is None:
        raise InputError(f"there is no call with id {call_id}")
    if call.ended_at is not None:
        raise InputError(f"this call was already closed at {call.ended_at:%Y-%m-%d %H:%M} UTC ({call.result_code})")
    if call.user_id != ctx.user.id and ctx.user.role != "supervisor":
        raise InputError("this call belongs to another user")
    return call


def validate_outcome(ctx: AppContext, call_id: int, outcome: CallOutcome) -> None:
    """Check an outcome without saving it; raises :class:`OutcomeError` naming the field to fix."""
    with ctx.db.session() as session:
        call = _load_open_call(session, ctx, call_id)
        _validate(session, ctx, call, _customer(session, call.customer_id), outcome)


def _first_promised_on(outcome: CallOutcome) -> date | None:
    if outcome.promise is not None:
        return outcome.promise.promised_on
    return outcome.plan.first_on if outcome.plan is not None else None


def _proposal(ctx: AppContext, customer: Customer, rc: ResultCode, outcome: CallOutcome, zones: Sequence[str]) -> date:
    today = ctx.clock.today()
    callback_on = ctx.clock.local_date(outcome.callback_at) if outcome.callback_at else None
    # The conversation is dated in the debtor's own calendar (Regulation F counts their days);
    # the latest of their possible dates keeps the proposal allowed in every one of them.
    spoke_on = max((ctx.clock.now().astimezone(ZoneInfo(z)).date() for z in zones), default=ctx.clock.now().date())
    return next_action_on(
        rc.code,
        today=today,
        rules=ctx.settings.cadence,
        promised_on=_first_promised_on(outcome),
        callback_on=callback_on,
        not_before=earliest_follow_up(customer.kind, customer.country, rc.right_party, rc.code, spoke_on),
    )


def propose_next_action(ctx: AppContext, call_id: int, outcome: CallOutcome) -> date:
    """The next action date the cadence proposes for this outcome (the collector may change it)."""
    with ctx.db.session() as session:
        call = session.get(Call, call_id)
        if call is None:
            raise InputError(f"there is no call with id {call_id}")
        customer = _customer(session, call.customer_id)
        try:
            rc = find_result_code(outcome.result_code, available_result_codes(ctx))
        except InputError as exc:
            raise OutcomeError("result_code", str(exc)) from None
        return _proposal(ctx, customer, rc, outcome, _zones(session, customer))


def close_call(ctx: AppContext, call_id: int, outcome: CallOutcome) -> ClosedCall:
    """Close a call: validate, then write call, promises, next action and activity atomically."""
    with ctx.db.session() as session:
        call = _load_open_call(session, ctx, call_id, lock=True)
        customer = _customer(session, call.customer_id, lock=True)
        rc = _validate(session, ctx, call, customer, outcome, check_promise=False)
        now = ctx.clock.now()
        promises: list[Promise] = []
        spec = outcome.promise or outcome.plan
        if Need.PROMISE in rc.needs and spec is not None:
            promises = record_promises(session, ctx, customer, spec, call_id=call.id)
        next_on = outcome.next_action_on or _proposal(ctx, customer, rc, outcome, _zones(session, customer))
        amount_text = format_amount(promises[0].amount, customer.currency) if promises else None
        next_text = next_action_text(
            rc.code,
            promised_on=_first_promised_on(outcome),
            amount_text=amount_text,
            callback_at_local=outcome.callback_at,
        )
        _complete_call(call, rc, outcome, now, next_on, next_text)
        customer.next_action_on = next_on
        customer.next_action = next_text[: max_length(Customer.next_action)]
        customer.next_action_at = outcome.callback_at if Need.CALLBACK in rc.needs else None
        customer.last_attempt_at = now
        customer.updated_at = now
        if rc.right_party:
            customer.last_contact_at = now
            customer.failed_attempts = 0
        else:
            customer.failed_attempts = (customer.failed_attempts or 0) + 1
        contact = session.get(Contact, call.contact_id) if call.contact_id else None
        _log_call(session, ctx, call, customer, contact, rc, now)
        if Effect.HOLD_DISPUTED in rc.effects:
            _apply_dispute(session, ctx, call, customer, outcome, now)
        if Effect.FLAG_NUMBER in rc.effects:
            _flag_wrong_number(session, ctx, call, customer, contact, now)
        session.flush()
        return ClosedCall(call.id, rc.code, [_taken(p) for p in promises], next_on, next_text, customer.on_hold)


def _complete_call(
    call: Call, rc: ResultCode, outcome: CallOutcome, now: datetime, next_on: date, next_text: str
) -> None:
    call.ended_at = now
    call.result_code = rc.code
    call.right_party = rc.right_party
    # Nobody to ask when the debtor was not reached, unless the collector says otherwise.
    call.payment_asked = (
        outcome.payment_asked if outcome.payment_asked is not None else False if not rc.right_party else None
    )
    call.next_action_on = next_on
    call.next_action = next_text[: max_length(Call.next_action)]
    if outcome.notes is not None:
        call.notes = outcome.notes
    for need in rc.needs:
        if need in _TEXT_NEEDS:
            spec = _TEXT_NEEDS[need]
            setattr(call, spec.column.key, (getattr(outcome, spec.attribute) or "").strip())
        elif need is Need.CALLBACK:
            call.callback_at = outcome.callback_at
        elif need is Need.DISPUTE:
            call.dispute_reason = (outcome.dispute_reason or "").strip()
    if outcome.spoke_with and Need.SPOKE_WITH not in rc.needs:
        call.spoke_with = outcome.spoke_with.strip()[: max_length(Call.spoke_with)]


def _log_call(
    session: Session,
    ctx: AppContext,
    call: Call,
    customer: Customer,
    contact: Contact | None,
    rc: ResultCode,
    now: datetime,
) -> None:
    who = contact.name if contact else (call.spoke_with or customer.name)
    asked = {True: "payment asked", False: "payment not asked", None: ""}[call.payment_asked]
    detail = call.no_promise_reason or call.paid_claim or call.dispute_reason or call.spoke_with or ""
    parts = [
        f"{rc.code} ({rc.label})",
        f"with {who}",
        asked,
        detail,
        f"next: {call.next_action} on {call.next_action_on}",
    ]
    seconds = int((now - call.started_at).total_seconds())
    log_activity(
        session,
        at=now,
        kind="call",
        customer_id=customer.id,
        user_id=ctx.user.id,
        call_id=call.id,
        summary=" · ".join(p for p in parts if p),
        details={
            "result_code": rc.code,
            "right_party": rc.right_party,
            "payment_asked": call.payment_asked,
            "seconds": seconds,
            "next_action_on": call.next_action_on.isoformat() if call.next_action_on else None,
            "override_reason": call.override_reason,
        },
    )


def _apply_dispute(
    session: Session, ctx: AppContext, call: Call, customer: Customer, outcome: CallOutcome, now: datetime
) -> None:
    """Mark the invoices disputed; when nothing overdue is left undisputed, hold the account."""
    reason = (outcome.dispute_reason or "").strip()
    ids = sorted(set(outcome.dispute_invoice_ids))
    session.execute(
        update(Invoice)
        .where(Invoice.customer_id == customer.id, Invoice.id.in_(ids))
        .values(status="disputed", dispute_reason=reason[: max_length(Invoice.dispute_reason)])
    )
    numbers = sorted(session.scalars(select(Invoice.number).where(Invoice.id.in_(ids))))
    log_activity(
        session,
        at=now,
        kind="dispute",
        customer_id=customer.id,
        user_id=ctx.user.id,
        call_id=call.id,
        summary=f"Invoice(s) {', '.join(numbers)} disputed: {reason}",
        details={"invoice_ids": ids, "reason": reason},
    )
    undisputed_overdue = session.scalar(
        select(func.count())
        .select_from(Invoice)
        .where(
            Invoice.customer_id == customer.id,
            Invoice.status == "open",
            Invoice.open_amount > 0,
            Invoice.due_date < ctx.clock.today(),
        )
    )
    if not undisputed_overdue and not customer.on_hold:
        customer.on_hold = True
        customer.hold_reason = f"dispute: {reason}"[: max_length(Customer.hold_reason)]
        log_activity(
            session,
            at=now,
            kind="hold",
            customer_id=customer.id,
            user_id=ctx.user.id,
            call_id=call.id,
            summary=f"Account on hold: every overdue invoice is disputed ({reason})"[: max_length(Activity.summary)],
            details={"reason": reason},
        )


def _flag_wrong_number(
    session: Session, ctx: AppContext, call: Call, customer: Customer, contact: Contact | None, now: datetime
) -> None:
    """Flag the dialled number on the contact(s) that carry it, and log it."""
    phone = call.phone or (contact.phone if contact else customer.phone)
    flagged: list[str] = []
    if contact is not None:
        contact.wrong_number = True
        flagged.append(contact.name)
    if phone:
        for other in session.scalars(select(Contact).where(Contact.customer_id == customer.id, Contact.phone == phone)):
            if not other.wrong_number:
                other.wrong_number = True
                flagged.append(other.name)
    who = f" ({', '.join(flagged)})" if flagged else ""
    log_activity(
        session,
        at=now,
        kind="wrong_number",
        customer_id=customer.id,
        user_id=ctx.user.id,
        call_id=call.id,
        summary=f"Number {national_format(phone) if phone else '(none)'} flagged as wrong{who}",
        details={"phone": phone, "contact_ids": [contact.id] if contact else []},
    )
