"""One account as the desk shows it (header, invoices, history) and finding any account."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

import phonenumbers
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from collectdesk.domain import invoice_status
from collectdesk.domain.calling_window import CallableStatus, candidate_zones, window_status
from collectdesk.domain.clock import Clock
from collectdesk.domain.errors import InputError
from collectdesk.domain.escalation import ready_for_referral, render_next_step
from collectdesk.domain.interest import InterestClaim
from collectdesk.domain.money import format_amount
from collectdesk.domain.phones import national_format
from collectdesk.services.context import AppContext
from collectdesk.services.interest import OwedInvoice, claim_on
from collectdesk.services.pauses import PauseView, pauses_in_force
from collectdesk.store.activity import log_activity
from collectdesk.store.models import (
    Activity,
    Call,
    Contact,
    Customer,
    Invoice,
    Payment,
    Promise,
    User,
)
from collectdesk.store.worklist_query import RECENTLY_CLOSED

# Calls, promises and payments are shown from their own rows (with today's status), so their
# activity entries would only repeat them.
_COVERED_KINDS = ("call", "promise", "payment")
_OPEN_STATUSES = invoice_status.OWING
_NOTE_LIMIT = 4000


@dataclass(frozen=True)
class CallMark:
    """Someone's call on the account: open since ``at``, or closed at ``at`` (within the last hour)."""

    user: str
    at: datetime
    result_code: str | None = None


@dataclass(frozen=True)
class ContactLine:
    """A person or number to call, with the number in national format and their local time."""

    contact_id: int | None
    name: str
    role: str | None
    phone: str | None
    phone_display: str
    local_time: str
    callable_now: bool | None
    do_not_call: bool
    wrong_number: bool


@dataclass(frozen=True)
class InvoiceLine:
    """An open invoice and how far past due it is."""

    invoice_id: int
    number: str
    issue_date: date
    due_date: date
    amount: int
    open_amount: int
    status: str
    days_past_due: int


@dataclass(frozen=True)
class HistoryEntry:
    """One line of the account's timeline."""

    at: datetime
    kind: str
    summary: str


@dataclass(frozen=True)
class CallableNow:
    """Whether an account may be called right now and the customer's local time."""

    callable: bool
    local_time: str
    reason: str | None


@dataclass(frozen=True)
class AccountDetail:
    """Everything the desk's side panel shows about one account."""

    customer_id: int
    ref: str
    name: str
    kind: str
    country: str
    currency: str
    terms_days: int
    collector: str | None
    sales_rep: str | None
    stage: str
    next_step: str
    next_action_on: date | None
    next_action: str | None
    on_hold: bool
    hold_reason: str | None
    blocks: list[str]
    contacts: list[ContactLine]
    invoices: list[InvoiceLine]
    open_balance: int
    overdue: int
    history: list[HistoryEntry]
    open_call_id: int | None
    zone: str | None
    callable_now: CallableNow
    ready_for_referral: bool = False
    address: str | None = None
    # Reminders held back, and what the law adds to late invoices (UK/EU business accounts).
    reminder_pauses: list[PauseView] = field(default_factory=list)
    statutory: InterestClaim | None = None
    # Who is on a call with the account right now, and who closed one within the last hour.
    on_call: CallMark | None = None
    recently_closed: CallMark | None = None


@dataclass(frozen=True)
class SearchHit:
    """An account that matches a search, and what matched."""

    customer_id: int
    ref: str
    name: str
    stage: str
    currency: str
    open_balance: int
    next_action_on: date | None
    matched: str


def _local_times(local_times: dict[str, datetime]) -> str:
    shown = sorted({moment.strftime("%H:%M") for moment in local_times.values()})
    return "/".join(shown) if shown else "?"


def _account_phones(customer: Customer) -> list[str | None]:
    phones: list[str | None] = [c.phone for c in customer.contacts if not c.wrong_number]
    return phones + ([customer.phone] if customer.phone else [])


def calling_status(ctx: AppContext, phones: list[str | None], country: str, timezone: str | None) -> CallableStatus:
    """Whether an account with these numbers may be called now (the one place this is worked out)."""
    zones = candidate_zones(phones, country, timezone)
    return window_status(zones, ctx.clock.now(), ctx.settings.window_for(country))


def _callable(ctx: AppContext, customer: Customer, phones: list[str | None]) -> CallableNow:
    status = calling_status(ctx, phones, customer.country, customer.timezone)
    return CallableNow(
        status.callable,
        _local_times(status.local_times),
        None if status.callable else status.reason,
    )


def _contact_lines(ctx: AppContext, customer: Customer) -> list[ContactLine]:
    lines: list[ContactLine] = []
    people = list(customer.contacts)
    if customer.phone and all(c.phone != customer.phone for c in people):
        lines.append(_contact_line(ctx, customer, None, "main number", None, customer.phone, dnc=False, wrong=False))
    for person in people:
        lines.append(
            _contact_line(
                ctx,
                customer,
                person.id,
                person.name,
                person.role,
                person.phone,
                dnc=person.do_not_call,
                wrong=person.wrong_number,
            )
        )
    return lines


def _contact_line(
    ctx: AppContext,
    customer: Customer,
    contact_id: int | None,
    name: str,
    role: str | None,
    phone: str | None,
    *,
    dnc: bool,
    wrong: bool,
) -> ContactLine:
    status = _callable(ctx, customer, [phone] if phone else [])
    return ContactLine(
        contact_id,
        name,
        role,
        phone,
        national_format(phone),
        status.local_time,
        status.callable,
        dnc,
        wrong,
    )


def _blocks(customer: Customer) -> list[str]:
    return [
        label
        for flag, label in (
            (customer.do_not_call, "do not call"),
            (customer.cease_contact, "cease contact"),
            (customer.lawyer_represented, "represented by a lawyer"),
            (
                customer.on_hold,
                f"on hold{': ' + customer.hold_reason if customer.hold_reason else ''}",
            ),
        )
        if flag
    ]


def _invoice_lines(session: Session, customer_id: int, today: date) -> list[InvoiceLine]:
    rows = session.scalars(
        select(Invoice)
        .where(
            Invoice.customer_id == customer_id,
            Invoice.status.in_(_OPEN_STATUSES),
            Invoice.open_amount > 0,
        )
        .order_by(Invoice.due_date, Invoice.number)
    )
    return [
        InvoiceLine(
            i.id,
            i.number,
            i.issue_date,
            i.due_date,
            i.amount,
            i.open_amount,
            i.status,
            max(0, (today - i.due_date).days),
        )
        for i in rows
    ]


def _history(session: Session, customer: Customer, limit: int, clock: Clock) -> list[HistoryEntry]:
    currency = customer.currency
    entries: list[HistoryEntry] = []
    activity = session.scalars(
        select(Activity)
        .where(Activity.customer_id == customer.id, Activity.kind.not_in(_COVERED_KINDS))
        .order_by(Activity.at.desc(), Activity.id.desc())
        .limit(limit)
    )
    entries += [HistoryEntry(a.at, a.kind, a.summary) for a in activity]
    calls = session.execute(
        select(Call, Contact.name, User.name)
        .outerjoin(Contact, Contact.id == Call.contact_id)
        .join(User, User.id == Call.user_id)
        .where(Call.customer_id == customer.id)
        .order_by(Call.started_at.desc(), Call.id.desc())
        .limit(limit)
    )
    entries += [
        HistoryEntry(call.started_at, "call", _call_summary(call, contact, caller)) for call, contact, caller in calls
    ]
    promises = session.scalars(
        select(Promise)
        .where(Promise.customer_id == customer.id)
        .order_by(Promise.created_at.desc(), Promise.id.desc())
        .limit(limit)
    )
    entries += [HistoryEntry(p.created_at, "promise", _promise_summary(p)) for p in promises]
    payments = session.scalars(
        select(Payment)
        .where(Payment.customer_id == customer.id)
        .order_by(Payment.received_on.desc(), Payment.id.desc())
        .limit(limit)
    )
    entries += [
        HistoryEntry(clock.day_start(p.received_on), "payment", _payment_summary(p, currency)) for p in payments
    ]
    entries.sort(key=lambda e: e.at, reverse=True)
    # Shown in the collector's own time zone (stored in UTC).
    entries = [HistoryEntry(clock.local_time(e.at), e.kind, e.summary) for e in entries]
    return entries[:limit]


def _call_summary(call: Call, contact: str | None, caller: str) -> str:
    who = f" with {contact}" if contact else ""
    if call.ended_at is None:
        return f"call{who} by {caller} — still open"
    minutes, seconds = divmod(int((call.ended_at - call.started_at).total_seconds()), 60)
    parts = [f"{call.result_code or '?'}{who} by {caller} ({minutes}:{seconds:02d})"]
    if call.payment_asked is False:
        parts.append("payment not asked")
    for label, value in (
        ("reason", call.no_promise_reason),
        ("spoke with", call.spoke_with),
        ("dispute", call.dispute_reason),
        ("paid", call.paid_claim),
    ):
        if value:
            parts.append(f"{label}: {value}")
    if call.notes:
        parts.append(f"“{' '.join(call.notes.split())[:120]}”")
    return " · ".join(parts)


def _promise_summary(promise: Promise) -> str:
    amount = format_amount(promise.amount, promise.currency)
    status = promise.status.replace("_", " ")
    text = f"promise {amount} by {promise.promised_on.isoformat()} — {status}"
    if promise.method:
        text += f" ({promise.method})"
    if promise.instalment:
        text += f" [instalment {promise.instalment}]"
    if promise.status == "partially_kept":
        text += f", paid {format_amount(promise.paid_amount, promise.currency)}"
    return text


def _payment_summary(payment: Payment, currency: str) -> str:
    text = f"payment {format_amount(payment.amount, payment.currency or currency)} received"
    details = ", ".join(v for v in (payment.method, payment.reference) if v)
    return f"{text} ({details})" if details else text


def _billing_address(customer: Customer) -> str | None:
    """The billing address on one line (street, city, region, postal code), or ``None`` if unknown."""
    city_line = " ".join(
        part for part in (customer.address_city, customer.address_region, customer.address_postal_code) if part
    )
    parts = [part for part in (customer.address_street, city_line) if part]
    return ", ".join(" ".join(part.split()) for part in parts) or None


def account_detail(ctx: AppContext, customer_id: int, *, history_limit: int = 50) -> AccountDetail:
    """The header, open invoices with aging and the newest history of one account."""
    today = ctx.clock.today()
    with ctx.db.session() as session:
        customer = session.get(Customer, customer_id)
        if customer is None:
            raise InputError(f"there is no account with id {customer_id}")
        collector = customer.collector.name if customer.collector else None
        invoices = _invoice_lines(session, customer_id, today)
        open_call = session.execute(
            select(Call.id, User.name, Call.started_at)
            .join(User, User.id == Call.user_id)
            .where(Call.customer_id == customer_id, Call.ended_at.is_(None))
            .order_by(Call.started_at.desc())
            .limit(1)
        ).first()
        open_call_id = open_call[0] if open_call else None
        recent = session.execute(
            select(User.name, Call.ended_at, Call.result_code)
            .join(User, User.id == Call.user_id)
            .where(Call.customer_id == customer_id, Call.ended_at >= ctx.clock.now() - RECENTLY_CLOSED)
            .order_by(Call.ended_at.desc())
            .limit(1)
        ).first()
        rules = ctx.settings.escalation
        oldest_days = max((i.days_past_due for i in invoices if i.status == invoice_status.OPEN), default=0)
        ready = ready_for_referral(customer.stage, oldest_days, rules)
        return AccountDetail(
            customer_id=customer.id,
            ref=customer.ref,
            name=customer.name,
            kind=customer.kind,
            country=customer.country,
            currency=customer.currency,
            terms_days=customer.terms_days,
            collector=collector,
            sales_rep=customer.sales_rep,
            stage=customer.stage,
            next_step=render_next_step(
                customer.stage,
                sales_rep=customer.sales_rep,
                agency_days=rules.agency_days,
                final_demand_by=today + timedelta(days=rules.final_demand_days) if ready else None,
            ),
            next_action_on=customer.next_action_on,
            next_action=customer.next_action,
            on_hold=customer.on_hold,
            hold_reason=customer.hold_reason,
            blocks=_blocks(customer),
            contacts=_contact_lines(ctx, customer),
            invoices=invoices,
            open_balance=sum(i.open_amount for i in invoices),
            overdue=sum(i.open_amount for i in invoices if i.days_past_due > 0 and i.status == "open"),
            history=_history(session, customer, history_limit, ctx.clock),
            open_call_id=open_call_id,
            on_call=CallMark(open_call[1], open_call[2]) if open_call else None,
            recently_closed=CallMark(recent[0], recent[1], recent[2]) if recent and recent[1] else None,
            address=_billing_address(customer),
            zone=next(
                iter(candidate_zones(_account_phones(customer), customer.country, customer.timezone)),
                None,
            ),
            callable_now=_callable(ctx, customer, _account_phones(customer)),
            ready_for_referral=ready,
            reminder_pauses=pauses_in_force(session, today, [customer_id]).get(customer_id, []),
            statutory=claim_on(
                session,
                ctx.settings.interest,
                (customer.id, customer.kind, customer.country),
                [
                    OwedInvoice(i.invoice_id, i.number, i.due_date, i.amount, i.open_amount)
                    for i in invoices
                    if i.status == "open"
                ],
                today,
            ),
        )


def callable_now(ctx: AppContext, customer_ids: list[int]) -> dict[int, CallableNow]:
    """For each account, whether it may be called now and its local time (one query for all)."""
    if not customer_ids:
        return {}
    with ctx.db.session() as session:
        customers = {c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(customer_ids)))}
        phones: dict[int, list[str | None]] = {cid: [] for cid in customers}
        for cid, phone in session.execute(
            select(Contact.customer_id, Contact.phone).where(
                Contact.customer_id.in_(customer_ids),
                Contact.phone.is_not(None),
                Contact.wrong_number.is_(False),
            )
        ):
            phones[cid].append(phone)
        result: dict[int, CallableNow] = {}
        for cid, customer in customers.items():
            numbers = phones[cid] + ([customer.phone] if customer.phone else [])
            result[cid] = _callable(ctx, customer, numbers)
        return result


_DIGITS = re.compile(r"\D")


def _phone_candidates(query: str, regions: list[str]) -> set[str]:
    """The E.164 numbers a typed phone can mean: as written if international, else per region."""
    text = query.strip()
    candidates: set[str] = set()
    tries: list[tuple[str, str | None]] = []
    if text.startswith("+"):
        tries.append((text, None))
    elif text.startswith("00"):
        tries.append(("+" + text[2:], None))
    else:
        tries += [(text, region) for region in regions]
    for number, region in tries:
        try:
            parsed = phonenumbers.parse(number, region)
        except phonenumbers.NumberParseException:
            continue
        if phonenumbers.is_possible_number(parsed):
            candidates.add(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))
    digits = _DIGITS.sub("", text)
    if not text.startswith("+") and len(digits) >= 10:
        candidates.add("+" + digits)  # typed in E.164 without the plus
    return candidates


def _looks_like_phone(query: str) -> bool:
    digits = _DIGITS.sub("", query)
    return len(digits) >= 6 and not re.search(r"[A-Za-z]", query)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def search_accounts(ctx: AppContext, query: str, limit: int = 50) -> list[SearchHit]:
    """Accounts whose name contains, or whose ref / invoice number / phone matches, the query."""
    text = query.strip()
    if not text:
        return []
    found: dict[int, str] = {}
    with ctx.db.session() as session:
        if _looks_like_phone(text):
            _match_phone(session, text, found, limit)
        pattern = f"%{_escape_like(text)}%"
        for cid, number in session.execute(
            select(Invoice.customer_id, Invoice.number).where(func.lower(Invoice.number) == text.lower()).limit(limit)
        ):
            found.setdefault(cid, f"invoice {number}")
        for cid, ref in session.execute(
            select(Customer.id, Customer.ref).where(func.lower(Customer.ref) == text.lower())
        ):
            found.setdefault(cid, f"ref {ref}")
        if len(found) < limit:
            for cid, ref in session.execute(
                select(Customer.id, Customer.ref)
                .where(
                    or_(
                        Customer.name.ilike(pattern, escape="\\"),
                        Customer.ref.ilike(f"{_escape_like(text)}%", escape="\\"),
                    )
                )
                .order_by(Customer.name, Customer.id)
                .limit(limit)
            ):
                found.setdefault(cid, "name" if text.lower() not in ref.lower() else f"ref {ref}")
        return _hits(session, found, limit)


def _match_phone(session: Session, text: str, found: dict[int, str], limit: int) -> None:
    regions = [r for (r,) in session.execute(select(Customer.country).distinct().limit(50)) if r]
    candidates = _phone_candidates(text, regions or ["US"])
    if candidates:
        rows = list(
            session.execute(
                select(Contact.customer_id, Contact.phone).where(Contact.phone.in_(candidates)).limit(limit)
            )
        ) + list(
            session.execute(select(Customer.id, Customer.phone).where(Customer.phone.in_(candidates)).limit(limit))
        )
    else:
        rows = []
    if not rows:
        # A partial number: match the digits typed against the end of the stored number.
        digits = _DIGITS.sub("", text).lstrip("0")
        rows = list(
            session.execute(
                select(Contact.customer_id, Contact.phone).where(Contact.phone.like(f"%{digits}")).limit(limit)
            )
        ) + list(
            session.execute(select(Customer.id, Customer.phone).where(Customer.phone.like(f"%{digits}")).limit(limit))
        )
    for cid, phone in rows:
        found.setdefault(cid, f"phone {national_format(phone)}")


def _hits(session: Session, found: dict[int, str], limit: int) -> list[SearchHit]:
    if not found:
        return []
    ids = list(found)[:limit]
    balance = (
        select(Invoice.customer_id, func.coalesce(func.sum(Invoice.open_amount), 0).label("open"))
        .where(Invoice.customer_id.in_(ids), Invoice.status.in_(_OPEN_STATUSES))
        .group_by(Invoice.customer_id)
        .subquery()
    )
    rows: dict[int, Any] = {
        row.id: row
        for row in session.execute(
            select(
                Customer.id,
                Customer.ref,
                Customer.name,
                Customer.stage,
                Customer.currency,
                Customer.next_action_on,
                func.coalesce(balance.c.open, 0).label("open"),
            )
            .outerjoin(balance, balance.c.customer_id == Customer.id)
            .where(Customer.id.in_(ids))
        )
    }
    return [
        SearchHit(
            cid,
            rows[cid].ref,
            rows[cid].name,
            rows[cid].stage,
            rows[cid].currency,
            int(rows[cid].open),
            rows[cid].next_action_on,
            found[cid],
        )
        for cid in ids
        if cid in rows
    ]


def add_note(ctx: AppContext, customer_id: int, text: str) -> int | None:
    """Append a note to the account's timeline; returns the entry id (None for a blank note)."""
    body = text.strip()
    if not body:
        return None
    with ctx.db.session() as session:
        if session.get(Customer, customer_id) is None:
            raise InputError(f"there is no account with id {customer_id}")
        entry = log_activity(
            session,
            at=ctx.clock.now(),
            kind="note",
            summary=body[:500],
            customer_id=customer_id,
            user_id=ctx.user.id,
            details={"text": body[:_NOTE_LIMIT]} if len(body) > 500 else None,
        )
        session.flush()
        return entry.id
