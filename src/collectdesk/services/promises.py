"""The promise ledger: taking promises and plans, cancelling them, judging them by payments."""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from collectdesk.domain.errors import InputError
from collectdesk.domain.money import format_amount
from collectdesk.domain.outcomes import OutcomeError, raise_all
from collectdesk.domain.promise_status import CANCELLED, JUDGED, OPEN, status_words
from collectdesk.domain.promises import (
    MAX_INSTALMENTS,
    Ceiling,
    PlanEvery,
    PromiseOutcome,
    broken_on_for,
    check_amount,
    check_promised_on,
    instalment_dates,
    promise_status_as_of,
    split_instalments,
)
from collectdesk.services.context import AppContext
from collectdesk.services.promise_retiring import (
    PromiseLine,
    Replacement,
    clean_reason,
    line_of,
    retirable,
    retire,
)
from collectdesk.store.activity import log_activity, log_many
from collectdesk.store.ledger_queries import (
    CustomerLedger,
    customers_with_open_promises,
    load_ledgers,
)
from collectdesk.store.models import Call, Customer, Invoice, Promise, PromiseInvoice, max_length

OWING_STATUSES = ("open", "disputed")
STATUS_KINDS = {status: f"promise_{status}" for status in JUDGED}


@dataclass
class PromiseInput:
    """A promise to pay an exact amount (minor units) on an exact date, maybe for named invoices."""

    amount: int
    promised_on: date
    method: str | None = None
    invoice_ids: list[int] = field(default_factory=list)
    replaces: Replacement | None = None


@dataclass
class PlanInput:
    """A payment plan: ``total`` in ``instalments`` promises, weekly or monthly from first_on."""

    total: int
    instalments: int
    first_on: date
    every: PlanEvery = "month"
    method: str | None = None
    invoice_ids: list[int] = field(default_factory=list)
    replaces: Replacement | None = None


@dataclass(frozen=True)
class EvaluationReport:
    """What one evaluation run changed."""

    as_of: date
    evaluated: int
    kept: int = 0
    partially_kept: int = 0
    broken: int = 0
    paid_updated: int = 0

    @property
    def changed(self) -> int:
        """Promises whose status changed."""
        return self.kept + self.partially_kept + self.broken


def _clean_method(method: str | None) -> str | None:
    text = (method or "").strip()
    limit = max_length(Promise.method)
    if len(text) > limit:
        raise OutcomeError("method", f"the payment method is too long (at most {limit} characters)")
    return text or None


def _open_outcomes(ledger: CustomerLedger | None, as_of: date) -> list[PromiseOutcome]:
    """The customer's promises that are still open today, with what has been paid towards them."""
    if ledger is None:
        return []
    outcomes = promise_status_as_of(ledger.promises, ledger.payments, as_of)
    return [o for o in outcomes.values() if o.status == OPEN]


def promise_ceiling(
    session: Session,
    customer: Customer,
    invoice_ids: Sequence[int],
    today: date,
    *,
    excluding: frozenset[int] = frozenset(),
) -> tuple[Ceiling, list[date]]:
    """The most a new promise may be for, and the dates that already hold an open promise.

    The ceiling is what is still owed and not yet promised: the open balance (of the named
    invoices, else the whole account; open and disputed invoices) minus the unpaid remainder of
    the open promises that cover it (but those in ``excluding``, about to be replaced). With named
    invoices, the account-wide limit applies too.
    """
    ledger = load_ledgers(session, [customer.id], today).get(customer.id)
    open_now = [o for o in _open_outcomes(ledger, today) if o.promise_id not in excluding]
    stored = ledger.stored if ledger else {}
    taken = [stored[o.promise_id].promised_on for o in open_now]

    def remainder(names: set[int] | None) -> int:
        return sum(
            stored[o.promise_id].amount - o.paid_amount
            for o in open_now
            if names is None or stored[o.promise_id].invoice_ids & names
        )

    owing = select(func.coalesce(func.sum(Invoice.open_amount), 0)).where(
        Invoice.customer_id == customer.id, Invoice.status.in_(OWING_STATUSES)
    )
    account_open = int(session.scalar(owing) or 0)
    account_promised = remainder(None)
    ceiling = Ceiling(account_open - account_promised, account_open, account_promised, customer.currency, "the account")
    if invoice_ids:
        names = set(invoice_ids)
        rows = session.execute(
            select(Invoice.id, Invoice.number, Invoice.open_amount, Invoice.status).where(
                Invoice.customer_id == customer.id, Invoice.id.in_(names)
            )
        ).all()
        missing = names - {r.id for r in rows}
        if missing:
            raise OutcomeError(
                "invoices", "not an invoice of this account: " + ", ".join(str(i) for i in sorted(missing))
            )
        settled = [r.number for r in rows if r.status not in OWING_STATUSES or r.open_amount <= 0]
        if settled:
            raise OutcomeError("invoices", f"nothing is owed on invoice(s) {', '.join(settled)}")
        named_open = sum(r.open_amount for r in rows)
        named_promised = remainder(names)
        named = Ceiling(
            named_open - named_promised,
            named_open,
            named_promised,
            customer.currency,
            "invoice(s) " + ", ".join(sorted(r.number for r in rows)),
        )
        if named.limit < ceiling.limit:
            ceiling = named
    return ceiling, taken


def validate_promise(session: Session, ctx: AppContext, customer: Customer, spec: PromiseInput | PlanInput) -> None:
    """Raise :class:`OutcomeError` naming the field when the promise or plan cannot be taken.

    Every field in error is reported at once (as :class:`OutcomeErrors` when there are several).
    """
    today = ctx.clock.today()
    rules = ctx.settings.promises
    errors: list[OutcomeError] = []

    def check(rule: Callable[[], object]) -> None:
        try:
            rule()
        except OutcomeError as exc:
            errors.append(exc)

    check(lambda: _clean_method(spec.method))
    replaced: frozenset[int] = frozenset()
    if spec.replaces is not None:
        check(lambda: _check_reason(spec.replaces))
        replaced = frozenset({retirable(session, ctx, spec.replaces.promise_id, customer.id).id})
    ceiling, taken = promise_ceiling(session, customer, spec.invoice_ids, today, excluding=replaced)
    if isinstance(spec, PlanInput):
        plan = spec
        check(lambda: _check_plan_shape(plan))
        check(lambda: check_amount(plan.total, ceiling, field_name="total"))
        check(
            lambda: check_promised_on(
                plan.first_on, today=today, horizon_days=rules.horizon_days, taken=taken, field_name="first_on"
            )
        )
        if not errors:
            check(lambda: _check_instalment_days(plan, taken))
    else:
        single = spec
        check(lambda: check_amount(single.amount, ceiling))
        check(lambda: check_promised_on(single.promised_on, today=today, horizon_days=rules.horizon_days, taken=taken))
    raise_all(errors)


def _check_reason(replacement: Replacement | None) -> None:
    if replacement is not None:
        clean_reason(replacement.reason, "replaced")


def _check_plan_shape(spec: PlanInput) -> None:
    if not 2 <= spec.instalments <= MAX_INSTALMENTS:
        raise OutcomeError("instalments", f"a plan has 2 to {MAX_INSTALMENTS} instalments")
    if spec.every not in ("week", "month"):
        raise OutcomeError("every", "instalments fall due every week or every month")
    if spec.total < spec.instalments:
        raise OutcomeError("total", "the total is too small for that many instalments")


def _check_instalment_days(spec: PlanInput, taken: Sequence[date]) -> None:
    days = instalment_dates(spec.first_on, spec.instalments, spec.every)
    for number, day in enumerate(days, 1):
        if day in taken:
            raise OutcomeError(
                "first_on", f"instalment {number} falls on {day.isoformat()}, which already has an open promise"
            )


def record_promises(
    session: Session, ctx: AppContext, customer: Customer, spec: PromiseInput | PlanInput, *, call_id: int | None = None
) -> list[Promise]:
    """Validate and write a promise (or a plan's promises) and activity, in the caller's session."""
    validate_promise(session, ctx, customer, spec)
    now = ctx.clock.now()
    grace = ctx.settings.promises.grace_days
    method = _clean_method(spec.method)
    if isinstance(spec, PlanInput):
        days = instalment_dates(spec.first_on, spec.instalments, spec.every)
        terms = list(zip(split_instalments(spec.total, spec.instalments), days, strict=True))
    else:
        terms = [(spec.amount, spec.promised_on)]
    promises = [
        Promise(
            customer_id=customer.id,
            call_id=call_id,
            taken_by_id=ctx.user.id,
            amount=amount,
            currency=customer.currency,
            promised_on=day,
            broken_on=broken_on_for(day, grace),
            method=method,
            status=OPEN,
            paid_amount=0,
            created_at=now,
            instalment=index if isinstance(spec, PlanInput) else None,
        )
        for index, (amount, day) in enumerate(terms, 1)
    ]
    session.add_all(promises)
    session.flush()
    if isinstance(spec, PlanInput):
        for promise in promises:
            promise.plan_id = promises[0].id
    if spec.replaces is not None:
        old = retirable(session, ctx, spec.replaces.promise_id, customer.id)
        retire(
            session,
            ctx,
            old,
            clean_reason(spec.replaces.reason, "replaced"),
            replaced_by=promises,
            call_id=call_id,
        )
    if spec.invoice_ids:
        names = sorted(set(spec.invoice_ids))
        session.execute(
            insert(PromiseInvoice), [{"promise_id": p.id, "invoice_id": i} for p in promises for i in names]
        )
    for promise in promises:
        part = f"instalment {promise.instalment}/{len(promises)} of a plan: " if promise.instalment else ""
        how = f" by {method}" if method else ""
        log_activity(
            session,
            at=now,
            kind="promise",
            customer_id=customer.id,
            user_id=ctx.user.id,
            call_id=call_id,
            promise_id=promise.id,
            summary=f"Promise {part}{format_amount(promise.amount, customer.currency)} on "
            f"{promise.promised_on.isoformat()}{how}",
            details={
                "amount": promise.amount,
                "promised_on": promise.promised_on.isoformat(),
                "broken_on": promise.broken_on.isoformat(),
                "plan_id": promise.plan_id,
                "invoice_ids": sorted(set(spec.invoice_ids)),
            },
        )
    session.flush()
    return promises


def _customer(session: Session, customer_id: int) -> Customer:
    customer = session.get(Customer, customer_id)
    if customer is None:
        raise InputError(f"there is no account with id {customer_id}")
    return customer


def take_promise(
    ctx: AppContext, customer_id: int, spec: PromiseInput | PlanInput, *, call_id: int | None = None
) -> list[PromiseLine]:
    """Take a promise (or plan) outside a call close; returns the promise(s) written."""
    with ctx.db.session() as session:
        customer = _customer(session, customer_id)
        if call_id is not None:
            call_customer = session.scalar(select(Call.customer_id).where(Call.id == call_id))
            if call_customer != customer_id:
                raise InputError(f"call {call_id} is not a call to {customer.name}")
        written = record_promises(session, ctx, customer, spec, call_id=call_id)
        today = ctx.clock.today()
        return [line_of(p, OPEN, 0, today) for p in written]


def cancel_promise(ctx: AppContext, promise_id: int, reason: str) -> PromiseLine:
    """Cancel an open promise (a missed one included) with a reason; it stops counting from today."""
    reason = clean_reason(reason, "cancelled")
    with ctx.db.session() as session:
        promise = retirable(session, ctx, promise_id)
        retire(session, ctx, promise, reason)
        return line_of(promise, CANCELLED, promise.paid_amount, ctx.clock.today())


def replace_promise(ctx: AppContext, promise_id: int, spec: PromiseInput | PlanInput, reason: str) -> list[PromiseLine]:
    """Replace an open promise (a missed one included) by a new promise or plan: renegotiated.

    The old promise is kept, cancelled, pointing at its replacement; both are logged. Nothing is
    written when the new terms or the reason are refused.
    """
    with ctx.db.session() as session:
        promise = session.get(Promise, promise_id)
        if promise is None:
            raise InputError(f"there is no promise with id {promise_id}")
        customer = _customer(session, promise.customer_id)
        spec.replaces = Replacement(promise_id, reason)
        written = record_promises(session, ctx, customer, spec)
        today = ctx.clock.today()
        return [line_of(p, OPEN, 0, today) for p in written]


def _status_summary(status: str, amount: int, paid: int, currency: str, promised_on: date) -> str:
    return (
        f"Promise of {format_amount(amount, currency)} on {promised_on.isoformat()} {status_words(status)}: "
        f"{format_amount(paid, currency)} paid"
    )


def evaluate_promises(
    ctx: AppContext, *, as_of: date | None = None, customer_ids: Sequence[int] | None = None
) -> EvaluationReport:
    """Judge every open promise against the payments received, and record what changed.

    Idempotent: a second run with the same data changes nothing. Works in a handful of set-based
    queries whatever the number of promises; each status change goes into the activity log.
    """
    as_of = as_of or ctx.clock.today()
    now = ctx.clock.now()
    with _gc_paused(), ctx.db.session() as session:
        scope = customer_ids if customer_ids is not None else customers_with_open_promises()
        ledgers = load_ledgers(session, scope, as_of)
        updates: list[dict[str, Any]] = []
        entries: list[dict[str, Any]] = []
        counts: Counter[str] = Counter()
        evaluated = 0
        for ledger in ledgers.values():
            outcomes = promise_status_as_of(ledger.promises, ledger.payments, as_of)
            for promise_id, outcome in outcomes.items():
                stored = ledger.stored[promise_id]
                if stored.status != OPEN:
                    continue  # a judged promise stays judged
                evaluated += 1
                if outcome.status == OPEN:
                    if outcome.paid_amount != stored.paid_amount:
                        updates.append({"id": promise_id, "paid_amount": outcome.paid_amount})
                        counts["paid"] += 1
                    continue
                counts[outcome.status] += 1
                updates.append(
                    {
                        "id": promise_id,
                        "status": outcome.status,
                        "paid_amount": outcome.paid_amount,
                        "resolved_on": outcome.resolved_on,
                    }
                )
                entries.append(
                    {
                        "at": now,
                        "kind": STATUS_KINDS[outcome.status],
                        "customer_id": stored.customer_id,
                        "promise_id": promise_id,
                        "summary": _status_summary(
                            outcome.status, stored.amount, outcome.paid_amount, stored.currency, stored.promised_on
                        ),
                        "details": {
                            "amount": stored.amount,
                            "paid_amount": outcome.paid_amount,
                            "as_of": as_of.isoformat(),
                        },
                    }
                )
        _write_updates(session, updates)
        log_many(session, entries)
    return EvaluationReport(
        as_of, evaluated, counts["kept"], counts["partially_kept"], counts["broken"], counts["paid"]
    )


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building ~100k short-lived records.

    The records form no cycles, but each generation-0 collection rescans the growing young
    objects: with it running, loading a 100k-promise ledger takes several times longer.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _write_updates(session: Session, updates: list[dict[str, Any]]) -> None:
    """Core executemany UPDATEs by primary key, one statement per set of columns written."""
    table = Promise.metadata.tables[Promise.__tablename__]
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for row in updates:
        groups.setdefault(tuple(sorted(k for k in row if k != "id")), []).append(row)
    conn = session.connection()
    for columns, rows in groups.items():
        statement = (
            update(table)
            .where(table.c.id == bindparam("b_id"))
            .values({name: bindparam(f"b_{name}") for name in columns})
        )
        conn.execute(statement, [{f"b_{k}": v for k, v in row.items()} for row in rows])


def promise_statuses_as_of(
    ctx: AppContext, as_of: date, *, customer_ids: Sequence[int] | None = None
) -> dict[int, PromiseOutcome]:
    """Every promise's standing as ``as_of`` showed it (read only, for reports and ``--as-of``)."""
    with ctx.db.session() as session:
        scope = customer_ids if customer_ids is not None else select(Promise.customer_id).distinct()
        ledgers = load_ledgers(session, scope, as_of)
    result: dict[int, PromiseOutcome] = {}
    for ledger in ledgers.values():
        result.update(promise_status_as_of(ledger.promises, ledger.payments, as_of))
    return result
