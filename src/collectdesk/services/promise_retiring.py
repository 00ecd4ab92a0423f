"""Ending a promise by hand: which promises may be cancelled or replaced, and writing it down."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from collectdesk.domain.errors import InputError
from collectdesk.domain.money import format_amount
from collectdesk.domain.outcomes import OutcomeError
from collectdesk.domain.promise_status import CANCELLED, OPEN, RENEGOTIATED, status_words
from collectdesk.domain.promises import PromiseOutcome, promise_status_as_of
from collectdesk.services.context import AppContext
from collectdesk.store.activity import log_activity
from collectdesk.store.ledger_queries import load_ledgers
from collectdesk.store.models import Activity, Customer, Promise, max_length


@dataclass(frozen=True)
class Replacement:
    """The open promise a new promise or plan replaces, and why (it is cancelled as renegotiated)."""

    promise_id: int
    reason: str


@dataclass(frozen=True)
class PromiseLine:
    """A promise as the desk and the command line show it, with its standing today."""

    id: int
    customer_id: int
    amount: int
    currency: str
    promised_on: date
    broken_on: date
    status: str
    paid_amount: int
    resolved_on: date | None
    plan_id: int | None
    instalment: int | None
    replaced_by_id: int | None
    missed: bool
    method: str | None = None
    call_id: int | None = None
    taken_by_id: int | None = None

    def describe(self) -> str:
        """``#12 $500.00 due 2026-11-20 (missed)`` for a list or a message."""
        part = f" instalment {self.instalment}" if self.instalment else ""
        mark = " (missed)" if self.missed else ""
        return f"#{self.id}{part} {format_amount(self.amount, self.currency)} due {self.promised_on.isoformat()}{mark}"


def line_of(promise: Promise, status: str, paid: int, today: date) -> PromiseLine:
    """A stored promise as a plain line; ``missed`` when still open past its promised date."""
    return PromiseLine(
        promise.id,
        promise.customer_id,
        promise.amount,
        promise.currency,
        promise.promised_on,
        promise.broken_on,
        status,
        paid,
        promise.resolved_on,
        promise.plan_id,
        promise.instalment,
        promise.replaced_by_id,
        status == OPEN and promise.promised_on < today,
        promise.method,
        promise.call_id,
        promise.taken_by_id,
    )


def _standings(session: Session, customer_id: int, today: date) -> dict[int, PromiseOutcome]:
    ledger = load_ledgers(session, [customer_id], today).get(customer_id)
    return promise_status_as_of(ledger.promises, ledger.payments, today) if ledger else {}


def clean_reason(reason: str | None, what: str) -> str:
    """The reason typed for cancelling or replacing; refused when empty or too long."""
    text = (reason or "").strip()
    if not text:
        raise OutcomeError("replace_reason", f"say why the promise is {what}")
    limit = max_length(Activity.summary) - 200  # room for the promise's own words in the log line
    if len(text) > limit:
        raise OutcomeError("replace_reason", f"the reason is too long (at most {limit} characters)")
    return text


def retirable(session: Session, ctx: AppContext, promise_id: int, customer_id: int | None = None) -> Promise:
    """The promise to cancel or replace, locked; refused unless it is still open today.

    A missed promise inside its grace days is still open and qualifies; a kept, partially kept or
    broken promise stays as it was judged (a new promise can be taken without it).
    """
    promise = session.get(Promise, promise_id, with_for_update=True)
    if promise is None:
        raise InputError(f"there is no promise with id {promise_id}")
    if customer_id is not None and promise.customer_id != customer_id:
        raise OutcomeError("replaces", f"promise {promise_id} is not a promise of this account")
    standing = _standings(session, promise.customer_id, ctx.clock.today()).get(promise.id)
    status = promise.status if promise.status != OPEN or standing is None else standing.status
    if status != OPEN:
        renegotiated = status == CANCELLED and promise.replaced_by_id is not None
        raise InputError(
            f"promise {promise_id} is {status_words(RENEGOTIATED if renegotiated else status)}: only an open "
            "promise (a missed one still in its grace days included) can be cancelled or replaced"
        )
    return promise


def retire(
    session: Session,
    ctx: AppContext,
    promise: Promise,
    reason: str,
    *,
    replaced_by: list[Promise] | None = None,
    call_id: int | None = None,
) -> None:
    """Cancel ``promise`` from today (payments from today on no longer count towards it), logged.

    With ``replaced_by`` it is renegotiated: it points at the first of the new promises.
    """
    promise.status = CANCELLED
    promise.resolved_on = ctx.clock.today()
    promise.replaced_by_id = replaced_by[0].id if replaced_by else None
    now = ctx.clock.now()
    word = status_words(RENEGOTIATED if replaced_by else CANCELLED)
    if replaced_by:
        first = replaced_by[0]
        total = sum(p.amount for p in replaced_by)
        shape = f"a plan of {len(replaced_by)}" if len(replaced_by) > 1 else "a promise"
        instead = (
            f" (replaced by {shape} for {format_amount(total, first.currency)} from {first.promised_on.isoformat()})"
        )
    else:
        instead = ""
    part = f"instalment {promise.instalment} " if promise.instalment else ""
    log_activity(
        session,
        at=now,
        kind=f"promise_{RENEGOTIATED if replaced_by else CANCELLED}",
        customer_id=promise.customer_id,
        user_id=ctx.user.id,
        call_id=call_id,
        promise_id=promise.id,
        summary=(
            f"Promise {part}of {format_amount(promise.amount, promise.currency)} on "
            f"{promise.promised_on.isoformat()} {word}{instead}: {reason}"
        )[: max_length(Activity.summary)],
        details={"reason": reason, "replaced_by": [p.id for p in replaced_by or []]},
    )
    session.flush()


def open_promises(ctx: AppContext, customer_id: int) -> list[PromiseLine]:
    """The account's promises still open today (missed ones first), which may be cancelled or replaced."""
    today = ctx.clock.today()
    with ctx.db.session() as session:
        standings = _standings(session, customer_id, today)
        rows = session.scalars(
            select(Promise)
            .where(Promise.customer_id == customer_id, Promise.status == OPEN)
            .order_by(Promise.promised_on, Promise.id)
        ).all()
        lines = [
            line_of(p, OPEN, standings[p.id].paid_amount if p.id in standings else p.paid_amount, today)
            for p in rows
            if p.id not in standings or standings[p.id].status == OPEN
        ]
    return sorted(lines, key=lambda line: (not line.missed, line.promised_on, line.id))


def promise_lines(ctx: AppContext, customer_id: int) -> list[PromiseLine]:
    """Every promise of the account, newest first, as it stands today (renegotiated shown as such)."""
    today = ctx.clock.today()
    with ctx.db.session() as session:
        standings = _standings(session, customer_id, today)
        rows = session.scalars(
            select(Promise).where(Promise.customer_id == customer_id).order_by(Promise.created_at.desc(), Promise.id)
        ).all()
        lines = []
        for p in rows:
            standing = standings.get(p.id)
            status = standing.status if standing else p.status
            if status == CANCELLED and p.replaced_by_id is not None:
                status = RENEGOTIATED
            lines.append(line_of(p, status, standing.paid_amount if standing else p.paid_amount, today))
    return lines


def promise_line(ctx: AppContext, promise_id: int) -> PromiseLine:
    """One promise as it stands today."""
    with ctx.db.session() as session:
        promise = session.get(Promise, promise_id)
        if promise is None:
            raise InputError(f"there is no promise with id {promise_id}")
        customer_id = promise.customer_id
    return next(line for line in promise_lines(ctx, customer_id) if line.id == promise_id)


def account_promises(ctx: AppContext, ref: str) -> list[PromiseLine]:
    """Every promise of the account with external reference ``ref``, newest first."""
    with ctx.db.session() as session:
        customer_id = session.scalar(select(Customer.id).where(Customer.ref == ref.strip()))
    if customer_id is None:
        raise InputError(f"there is no account with reference {ref.strip()!r}")
    return promise_lines(ctx, customer_id)
