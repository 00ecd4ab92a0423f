"""Promise-to-pay rules: the terms a promise must meet, plans, and how payments keep promises."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

from collectdesk.domain.dates import add_months
from collectdesk.domain.money import format_amount
from collectdesk.domain.outcomes import OutcomeError
from collectdesk.domain.promise_status import BROKEN, CANCELLED, KEPT, OPEN, PARTIALLY_KEPT

PlanEvery = Literal["week", "month"]
MAX_INSTALMENTS = 60


def broken_on_for(promised_on: date, grace_days: int) -> date:
    """The last day a payment still keeps the promise: the promised date plus the grace days."""
    return promised_on + timedelta(days=grace_days)


def split_instalments(total: int, count: int) -> list[int]:
    """``count`` instalments summing exactly to ``total``; remainder cents go on the last one."""
    if count < 1:
        raise ValueError("a plan needs at least one instalment")
    base = total // count
    return [base] * (count - 1) + [total - base * (count - 1)]


def instalment_dates(first_on: date, count: int, every: PlanEvery) -> list[date]:
    """The due dates of a plan: every week, or the same day every month (clamped to month end)."""
    if every == "week":
        return [first_on + timedelta(days=7 * i) for i in range(count)]
    return [add_months(first_on, i) for i in range(count)]


def check_promised_on(
    promised_on: date, *, today: date, horizon_days: int, taken: Iterable[date], field_name: str = "promised_on"
) -> None:
    """Refuse a date in the past, beyond the horizon, or already holding an open promise."""
    if promised_on < today:
        raise OutcomeError(field_name, f"the promised date {promised_on.isoformat()} is in the past")
    last = today + timedelta(days=horizon_days)
    if promised_on > last:
        raise OutcomeError(field_name, f"the promised date must be within {horizon_days} days (by {last.isoformat()})")
    if promised_on in set(taken):
        raise OutcomeError(
            field_name,
            "this account already has an open promise for "
            f"{promised_on.isoformat()}: change that one or pick "
            "another date",
        )


@dataclass(frozen=True)
class Ceiling:
    """The most a new promise may be for, and how it was worked out (for the message)."""

    limit: int
    open_balance: int
    already_promised: int
    currency: str
    scope: str  # "the account" or "invoice(s) 1001, 1002"


def check_amount(amount: int, ceiling: Ceiling, *, field_name: str = "amount") -> None:
    """Refuse an amount that is not positive or is above what is still owed and not yet promised."""
    if amount <= 0:
        raise OutcomeError(field_name, "the amount must be more than zero")
    if amount > ceiling.limit:
        cur = ceiling.currency
        detail = f"{format_amount(ceiling.open_balance, cur)} open on {ceiling.scope}"
        if ceiling.already_promised:
            detail += f", {format_amount(ceiling.already_promised, cur)} already promised and not yet paid"
        raise OutcomeError(
            field_name,
            f"{format_amount(amount, cur)} is more than can be "
            f"promised: {detail} (at most "
            f"{format_amount(max(ceiling.limit, 0), cur)})",
        )


class PromiseFacts(NamedTuple):
    """What judging a promise needs: its terms, the invoices it names, when it stopped counting."""

    id: int
    amount: int
    promised_on: date
    broken_on: date
    created_on: date
    invoice_ids: frozenset[int] = frozenset()
    cancelled_on: date | None = None


class PaymentFacts(NamedTuple):
    """A payment received: amount, date, and the parts applied to invoices (invoice id → amount)."""

    id: int
    amount: int
    received_on: date
    allocations: Mapping[int, int] = MappingProxyType({})


class PromiseOutcome(NamedTuple):
    """A promise's standing on a given day."""

    promise_id: int
    status: str
    paid_amount: int
    resolved_on: date | None


# Judging runs over every promise of a portfolio at once (100k+), so the loops below use plain
# lists and tuples rather than richer objects.


def _portions(payments: Sequence[PaymentFacts], as_of: date) -> list[list[Any]]:
    """Each payment split into parts applied to invoices and an unapplied rest, oldest first.

    A part is ``[remaining, received_on, invoice_id or None]``.
    """
    ordered = sorted(payments, key=_payment_order) if len(payments) > 1 else payments
    portions: list[list[Any]] = []
    for payment in ordered:
        received_on = payment.received_on
        if received_on > as_of:
            continue
        applied = 0
        if payment.allocations:
            for invoice_id, amount in sorted(payment.allocations.items()):
                part = min(amount, payment.amount - applied)
                if part > 0:
                    portions.append([part, received_on, invoice_id])
                    applied += part
        if payment.amount > applied:
            portions.append([payment.amount - applied, received_on, None])
    return portions


def _payment_order(payment: PaymentFacts) -> tuple[date, int]:
    return payment.received_on, payment.id


def _promise_order(promise: PromiseFacts) -> tuple[date, int]:
    return promise.promised_on, promise.id


def _window_end(promise: PromiseFacts, as_of: date) -> date:
    end = promise.broken_on if promise.broken_on < as_of else as_of
    if promise.cancelled_on is not None:
        end = min(end, promise.cancelled_on - timedelta(days=1))
    return end


def allocate_payments(
    promises: Sequence[PromiseFacts], payments: Sequence[PaymentFacts], as_of: date
) -> dict[int, tuple[int, date | None]]:
    """Paid amount per promise (and the day it was paid in full) from one customer's payments.

    A payment counts towards a promise when received between the promise's creation and its
    broken-on date (and up to ``as_of``). Promises naming invoices take the parts applied to
    those invoices first; the others then take whatever is left, earliest promised date first.
    Every part of a payment is counted once, and no promise takes more than its amount.
    """
    live = [p for p in promises if p.created_on <= as_of]
    portions = _portions(payments, as_of) if payments else []
    if not portions:
        return {p.id: (0, None) for p in live}
    if len(live) > 1:
        live.sort(key=_promise_order)
    result: dict[int, tuple[int, date | None]] = {}
    for named_pass in (True, False):
        for promise in live:
            names = promise.invoice_ids
            if bool(names) is not named_pass:
                continue
            start, end, amount = promise.created_on, _window_end(promise, as_of), promise.amount
            paid, completed_on = 0, None
            for portion in portions:
                remaining, received_on, invoice_id = portion
                if remaining <= 0 or received_on < start or received_on > end:
                    continue
                if named_pass and invoice_id not in names:
                    continue
                taken = min(remaining, amount - paid)
                portion[0] = remaining - taken
                paid += taken
                if paid >= amount:
                    completed_on = received_on
                    break
            result[promise.id] = (paid, completed_on)
    return result


def status_of(promise: PromiseFacts, paid: int, completed_on: date | None, as_of: date) -> PromiseOutcome:
    """Open, kept, partially kept, broken or cancelled, as ``as_of`` would show it."""
    if promise.cancelled_on is not None and promise.cancelled_on <= as_of:
        # Cancelling cannot undo an outcome reached before the cancellation.
        day_before = promise.cancelled_on - timedelta(days=1)
        before = status_of(promise._replace(cancelled_on=None), paid, completed_on, day_before)
        if before.status != OPEN:
            return before
        return PromiseOutcome(promise.id, CANCELLED, paid, promise.cancelled_on)
    if paid >= promise.amount:
        return PromiseOutcome(promise.id, KEPT, paid, completed_on)
    if as_of > promise.broken_on:
        status = PARTIALLY_KEPT if paid > 0 else BROKEN
        return PromiseOutcome(promise.id, status, paid, promise.broken_on + _DAY)
    return PromiseOutcome(promise.id, OPEN, paid, None)


_DAY = timedelta(days=1)


def promise_status_as_of(
    promises: Sequence[PromiseFacts], payments: Sequence[PaymentFacts], as_of: date
) -> dict[int, PromiseOutcome]:
    """Every promise of one customer that existed on ``as_of``, standing as it did that day."""
    paid = allocate_payments(promises, payments, as_of)
    return {p.id: status_of(p, *paid[p.id], as_of) for p in promises if p.id in paid}
