"""Agency referral as a supervisor's decision: refer an account, recall it, and the placement file.

An account ``agency_days`` past due is *ready for referral* (it stays on the list with the final
demand). Referring it marks its open invoices as referred, moves it to the ``agency`` stage (off
the call list) and logs the decision; recalling it puts the invoices and the account back.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from collectdesk.domain import invoice_status
from collectdesk.domain.errors import InputError
from collectdesk.domain.escalation import target_stage
from collectdesk.domain.money import format_amount, to_major
from collectdesk.domain.stages import HIGHEST_AUTOMATIC, REFERRED, STAGES
from collectdesk.services.access import require_supervisor
from collectdesk.services.context import AppContext
from collectdesk.services.worklist import WorklistRow, agency_ready
from collectdesk.store.activity import log_activity
from collectdesk.store.escalation_query import REFERRAL_KIND
from collectdesk.store.models import Activity, Call, Contact, Customer, Invoice, Promise

REFER_KIND, RECALL_KIND = REFERRAL_KIND, "agency_recall"
_REASON_LIMIT = 300
# The billing address as imported (customers' address columns), one column each.
ADDRESS_COLUMNS = ("address_street", "address_city", "address_region", "address_postal_code")
PLACEMENT_COLUMNS = (
    "debtor_name",
    "ref",
    "kind",
    "country",
    *ADDRESS_COLUMNS,
    "contacts",
    "invoice_number",
    "issue_date",
    "due_date",
    "original_amount",
    "open_balance",
    "currency",
    "days_past_due",
    "referred_on",
    "last_contact",
    "broken_promises",
    "history",
)


@dataclass(frozen=True)
class ReferralResult:
    """What a referral or a recall changed: the account, its invoices and the stage it is at now."""

    ref: str
    name: str
    stage: str
    invoices: int
    amount: int
    currency: str

    def describe(self, verb: str) -> str:
        """One line for people: ``Referred ACME (Acme Ltd): 2 invoices, $1,200.00.``"""
        plural = "" if self.invoices == 1 else "s"
        amount = format_amount(self.amount, self.currency)
        return f"{verb} {self.ref} ({self.name}): {self.invoices} invoice{plural}, {amount}."


def ready_accounts(ctx: AppContext, *, limit: int | None = None) -> list[WorklistRow]:
    """Accounts ready for referral, toughest first (those a supervisor decides about)."""
    return agency_ready(ctx, limit=limit)


def _customer(session: Session, ref: str) -> Customer:
    customer = session.scalars(select(Customer).where(Customer.ref == ref.strip())).one_or_none()
    if customer is None:
        raise InputError(f"there is no account with ref {ref!r}")
    return customer


def _clean_reason(reason: str | None) -> str | None:
    text = " ".join((reason or "").split())
    if len(text) > _REASON_LIMIT:
        raise InputError(f"the reason is {len(text)} characters long; at most {_REASON_LIMIT} are kept")
    return text or None


def refer_account(ctx: AppContext, ref: str, *, reason: str | None = None) -> ReferralResult:
    """Refer the account to a collection agency (supervisors only): its open invoices are marked
    referred, it leaves the call list, and the decision is logged."""
    require_supervisor(ctx, "Referring an account to a collection agency")
    reason = _clean_reason(reason)
    with ctx.db.session() as session:
        customer = _customer(session, ref)
        if customer.stage == REFERRED:
            raise InputError(f"{customer.ref} has already been referred to an agency (recall it first)")
        invoices = session.scalars(
            select(Invoice).where(
                Invoice.customer_id == customer.id,
                Invoice.status == invoice_status.OPEN,
                Invoice.open_amount > 0,
            )
        ).all()
        if not invoices:
            raise InputError(f"{customer.ref} has no open balance to refer")
        before = customer.stage
        numbers = [i.number for i in invoices]
        amount = sum(i.open_amount for i in invoices)
        session.execute(
            update(Invoice)
            .where(Invoice.id.in_([i.id for i in invoices]))
            .values(status=invoice_status.REFERRED)
            .execution_options(synchronize_session=False)
        )
        customer.stage = REFERRED
        customer.updated_at = ctx.clock.now()
        result = ReferralResult(customer.ref, customer.name, REFERRED, len(invoices), amount, customer.currency)
        summary = f"{result.describe('Referred to a collection agency by ' + ctx.user.name + ':')}"
        log_activity(
            session,
            at=ctx.clock.now(),
            kind=REFER_KIND,
            customer_id=customer.id,
            user_id=ctx.user.id,
            summary=(summary + (f" Reason: {reason}" if reason else ""))[:500],
            details={"from": before, "invoices": numbers, "amount": amount, "reason": reason},
        )
    return result


def recall_account(ctx: AppContext, ref: str, *, reason: str | None = None) -> ReferralResult:
    """Recall a referred account from the agency (supervisors only): its referred invoices are
    open again, it is back on the call list today at the stage it left, and the recall is logged."""
    require_supervisor(ctx, "Recalling an account from a collection agency")
    reason = _clean_reason(reason)
    today = ctx.clock.today()
    with ctx.db.session() as session:
        customer = _customer(session, ref)
        if customer.stage != REFERRED:
            raise InputError(f"{customer.ref} has not been referred to an agency, so there is nothing to recall")
        invoices = session.scalars(
            select(Invoice).where(Invoice.customer_id == customer.id, Invoice.status == invoice_status.REFERRED)
        ).all()
        for invoice in invoices:
            invoice.status = invoice_status.OPEN if invoice.open_amount > 0 else invoice_status.PAID
            if invoice.open_amount == 0 and invoice.paid_on is None:
                invoice.paid_on = today
        owing = [i for i in invoices if i.open_amount > 0]
        oldest_due = min((i.due_date for i in owing), default=None)
        customer.stage = target_stage(
            _stage_before_referral(session, customer.id),
            days_past_due=max((today - oldest_due).days, 0) if oldest_due else 0,
            failed_attempts=customer.failed_attempts,
            fully_paid=not owing,
            rules=ctx.settings.escalation,
        )
        if owing:
            customer.next_action_on = today
            customer.next_action_at = None
            customer.next_action = "Recalled from the agency: call"
        customer.updated_at = ctx.clock.now()
        amount = sum(i.open_amount for i in owing)
        result = ReferralResult(customer.ref, customer.name, customer.stage, len(invoices), amount, customer.currency)
        summary = f"{result.describe('Recalled from the agency by ' + ctx.user.name + ':')}"
        log_activity(
            session,
            at=ctx.clock.now(),
            kind=RECALL_KIND,
            customer_id=customer.id,
            user_id=ctx.user.id,
            summary=(summary + (f" Reason: {reason}" if reason else ""))[:500],
            details={"to": customer.stage, "invoices": [i.number for i in invoices], "reason": reason},
        )
    return result


def _stage_before_referral(session: Session, customer_id: int) -> str:
    details = session.scalar(
        select(Activity.details)
        .where(Activity.customer_id == customer_id, Activity.kind == REFER_KIND)
        .order_by(Activity.at.desc(), Activity.id.desc())
        .limit(1)
    )
    stage = (details or {}).get("from")
    return stage if stage in STAGES and stage != REFERRED else HIGHEST_AUTOMATIC


@dataclass(frozen=True)
class _AccountFacts:
    contacts: str
    referred_on: date | None
    last_contact: date | None
    broken_promises: int
    history: str


def _contacts_line(customer: Customer, contacts: Sequence[Contact]) -> str:
    people = []
    if customer.phone or customer.email:
        people.append(" ".join(v for v in ("account", customer.phone, customer.email) if v))
    for contact in contacts:
        role = f" ({contact.role})" if contact.role else ""
        phone = None if contact.wrong_number else contact.phone
        people.append(" ".join(v for v in (f"{contact.name}{role}", phone, contact.email) if v))
    return "; ".join(people)


def _facts(ctx: AppContext, session: Session, customer: Customer) -> _AccountFacts:
    contacts = session.scalars(select(Contact).where(Contact.customer_id == customer.id).order_by(Contact.id)).all()
    referred_at = session.scalar(
        select(func.max(Activity.at)).where(Activity.customer_id == customer.id, Activity.kind == REFER_KIND)
    )
    calls, reached, last_call = session.execute(
        select(
            func.count(Call.id), func.count(Call.id).filter(Call.right_party.is_(True)), func.max(Call.started_at)
        ).where(Call.customer_id == customer.id)
    ).one()
    statuses: dict[str, int] = dict(
        session.execute(
            select(Promise.status, func.count()).where(Promise.customer_id == customer.id).group_by(Promise.status)
        ).all()
    )
    promises = sum(statuses.values())
    broken = int(statuses.get("broken", 0))
    parts = [f"{calls} call{'' if calls == 1 else 's'} ({reached} reached)"]
    parts.append(f"{promises} promise{'' if promises == 1 else 's'} ({broken} broken, {statuses.get('kept', 0)} kept)")
    if last_call is not None:
        parts.append(f"last call {ctx.clock.local_date(last_call).isoformat()}")
    parts.append(f"stage before referral {_stage_before_referral(session, customer.id).replace('_', ' ')}")
    last_contact = customer.last_contact_at
    return _AccountFacts(
        contacts=_contacts_line(customer, contacts),
        referred_on=None if referred_at is None else ctx.clock.local_date(referred_at),
        last_contact=None if last_contact is None else ctx.clock.local_date(last_contact),
        broken_promises=broken,
        history="; ".join(parts),
    )


def placements(ctx: AppContext) -> list[tuple[Any, ...]]:
    """The placement file an agency asks for: one row per referred invoice (``PLACEMENT_COLUMNS``)."""
    today = ctx.clock.today()
    rows: list[tuple[Any, ...]] = []
    with ctx.db.session() as session:
        invoices = session.execute(
            select(Invoice, Customer)
            .join(Customer, Customer.id == Invoice.customer_id)
            .where(Invoice.status == invoice_status.REFERRED)
            .order_by(Customer.ref, Invoice.due_date, Invoice.number)
        ).all()
        facts: dict[int, _AccountFacts] = {}
        for invoice, customer in invoices:
            if customer.id not in facts:
                facts[customer.id] = _facts(ctx, session, customer)
            account = facts[customer.id]
            rows.append(
                (
                    customer.name,
                    customer.ref,
                    customer.kind,
                    customer.country,
                    *[getattr(customer, name) for name in ADDRESS_COLUMNS],
                    account.contacts,
                    invoice.number,
                    invoice.issue_date.isoformat(),
                    invoice.due_date.isoformat(),
                    to_major(invoice.amount, invoice.currency),
                    to_major(invoice.open_amount, invoice.currency),
                    invoice.currency,
                    max((today - invoice.due_date).days, 0),
                    None if account.referred_on is None else account.referred_on.isoformat(),
                    None if account.last_contact is None else account.last_contact.isoformat(),
                    account.broken_promises,
                    account.history,
                )
            )
    return rows
