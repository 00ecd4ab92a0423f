"""The supervisor's tally: promises, phone activity, receivables health and trend in one object.

``compute_tally`` is the only place these figures are computed; the supervisor screen,
``collectdesk tally`` and the CSV export all read the same :class:`Tally`, so they always agree.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, false, func, or_, select
from sqlalchemy.orm import Session

from collectdesk.domain.errors import InputError
from collectdesk.domain.promise_status import CANCELLED, OPEN, RENEGOTIATED, REPORTED
from collectdesk.domain.promises import PromiseOutcome, promise_status_as_of
from collectdesk.domain.result_codes import PTP
from collectdesk.services.context import AppContext
from collectdesk.services.portfolio import (
    AccountLine,
    accounts_per_stage,
    agency_ready,
)
from collectdesk.services.receivables import (
    Dates,
    Receivables,
    compute_receivables,
    empty_receivables,
)
from collectdesk.services.worklist import build_worklist
from collectdesk.settings import ReceivablesRules
from collectdesk.store.ledger_queries import load_ledgers
from collectdesk.store.models import Call, Customer, Promise, User

ALL = "all"  # the collector name of the overall row
DEFAULT_CURRENCY = "USD"
BROKEN_LIST_LIMIT = 100
TOUGHEST_LIMIT = 10
STATUSES = REPORTED


@dataclass(frozen=True)
class PromiseFigures:
    """Promises made in the period (overall or by one collector) and how they stand as of ``as_of``.

    ``made`` counts promises as the customer gave them: a plan (several dated instalments taken in one
    call) counts once. ``dated`` counts every dated promise, each instalment apart; the outcome counts
    (kept, partially kept, broken, open, cancelled) are of dated promises and add up to ``dated``.
    In :attr:`Tally.promises` counts cover every currency and amounts the reporting currency only; in a
    :class:`CurrencyTally` everything is of that one currency.
    """

    collector: str
    made: int = 0
    dated: int = 0
    made_amount: int = 0
    kept: int = 0
    kept_amount: int = 0
    partially_kept: int = 0
    partially_kept_amount: int = 0
    partially_kept_paid: int = 0
    broken: int = 0
    broken_amount: int = 0
    open: int = 0
    open_amount: int = 0
    cancelled: int = 0
    cancelled_amount: int = 0
    # Cancelled because a new promise or plan replaced it (not a broken promise).
    renegotiated: int = 0
    renegotiated_amount: int = 0
    matured: int = 0
    matured_kept: int = 0
    collected: int = 0

    @property
    def kept_rate(self) -> float | None:
        """Of the matured dated promises (broken-on date passed, not cancelled) the share kept in full:
        ``matured_kept ÷ matured``. A promise paid early but not yet due is in ``kept``, not in the rate
        until it matures. None when none matured."""
        return None if self.matured == 0 else self.matured_kept / self.matured


@dataclass(frozen=True)
class ActivityFigures:
    """Calls started in the period (overall or by one collector) and what they brought in."""

    collector: str
    calls: int = 0
    right_party: int = 0
    ptp_calls: int = 0
    talk_seconds: int = 0
    promised_amount: int = 0
    collected_amount: int = 0

    @property
    def rpc_rate(self) -> float | None:
        """Right-party contacts ÷ calls."""
        return None if self.calls == 0 else self.right_party / self.calls

    @property
    def ptp_rate(self) -> float | None:
        """Calls ending in a promise to pay ÷ right-party contacts."""
        return None if self.right_party == 0 else self.ptp_calls / self.right_party

    @property
    def collected_per_hour(self) -> int | None:
        """Amount collected against promises per hour of talk time (minor units)."""
        if self.talk_seconds == 0:
            return None
        return round(self.collected_amount * 3600 / self.talk_seconds)


@dataclass(frozen=True)
class BrokenPromise:
    """A broken promise to chase."""

    promise_id: int
    customer_id: int
    customer_ref: str
    customer_name: str
    amount: int
    paid_amount: int
    currency: str
    promised_on: date
    broken_on: date
    taken_by: str

    @property
    def unpaid(self) -> int:
        """What is still missing from the promised amount."""
        return max(self.amount - self.paid_amount, 0)


@dataclass(frozen=True)
class TrendPoint:
    """Promises resolved on one day."""

    day: date
    kept: int
    partially_kept: int
    broken: int


@dataclass(frozen=True)
class CurrencyFigures:
    """Amounts in a currency other than the reporting one, listed apart (never added in)."""

    currency: str
    promised: int
    kept_amount: int
    collected: int
    total_ar: int
    overdue_ar: int


@dataclass(frozen=True)
class CurrencyTally:
    """Everything of one currency: promises taken and calls made on its accounts, and its receivables."""

    currency: str
    promises: PromiseFigures
    activity: ActivityFigures
    receivables: Receivables
    promises_by_collector: list[PromiseFigures] = field(default_factory=list)
    activity_by_collector: list[ActivityFigures] = field(default_factory=list)


@dataclass(frozen=True)
class Tally:
    """Every figure of the supervisor view for one period, as of one day."""

    date_from: date
    date_to: date
    as_of: date
    period_end: date
    currency: str
    promises: PromiseFigures
    activity: ActivityFigures
    receivables: Receivables
    broken_to_chase: list[BrokenPromise]
    trend: list[TrendPoint]
    accounts_per_stage: dict[str, int]
    agency_ready_count: int
    agency_ready: list[AccountLine]
    toughest: list[AccountLine]
    toughest_source: str
    other_currencies: list[CurrencyFigures] = field(default_factory=list)
    promises_by_collector: list[PromiseFigures] = field(default_factory=list)
    activity_by_collector: list[ActivityFigures] = field(default_factory=list)
    by_currency: list[CurrencyTally] = field(default_factory=list)  # the reporting currency first

    @property
    def days(self) -> int:
        """Days in the period actually reported (from its start to its end or ``as_of``)."""
        return max((self.period_end - self.date_from).days + 1, 0)


@dataclass(frozen=True)
class Span:
    """The period as instants: from the collector's midnight that starts it to the one that ends it."""

    start: datetime
    stop: datetime


def compute_tally(
    ctx: AppContext,
    *,
    date_from: date,
    date_to: date,
    as_of: date | None = None,
    by_collector: bool = False,
) -> Tally:
    """Compute the whole tally for ``date_from``…``date_to`` as ``as_of`` (default: today) would.

    Nothing after ``as_of`` is counted: the period ends at ``min(date_to, as_of)``.
    """
    if date_from > date_to:
        raise InputError(f"the period starts ({date_from.isoformat()}) after it ends ({date_to.isoformat()})")
    as_of = as_of or ctx.clock.today()
    end = min(date_to, as_of)
    rules = ctx.settings.receivables
    dates = Dates(as_of=as_of, date_from=date_from, end=end)
    # Promises and calls are counted by the collector's own days, from local midnight to local midnight.
    span = Span(ctx.clock.day_start(date_from), ctx.clock.day_start(end + timedelta(days=1)))
    with ctx.db.session() as session:
        names = _user_names(session)
        roster = [names[user_id] for user_id in _collectors(session)] if by_collector else []
        judged = _judged_as_of(session, span, as_of, today=ctx.clock.today())
        promise_rows = _promise_rows(session, span, as_of, judged)
        call_rows = _call_rows(session, span)
        health = compute_receivables(session, dates, rules.aging_edges, rules.collected_within_30_goal)
        currency = _reporting_currency(health, promise_rows)
        receivables = health.get(currency) or empty_receivables(
            currency, dates, rules.aging_edges, rules.collected_within_30_goal
        )
        broken = _broken_promises(session, span, as_of, judged)
        trend = _trend(session, date_from, end)
        stages = accounts_per_stage(session)
        ready_count, ready = agency_ready(session, as_of, ctx.settings.escalation.agency_days)
    toughest, source = _toughest(ctx, as_of)
    promises = _promise_figures(promise_rows, currency, names, roster)
    activity = _activity_figures(call_rows, promises, names)
    sections = [
        _currency_tally(
            code, promise_rows, call_rows, names, roster if code == currency else [], health, dates, rules, by_collector
        )
        for code in _currencies(currency, promise_rows, call_rows, health)
    ]
    return Tally(
        date_from=date_from,
        date_to=date_to,
        as_of=as_of,
        period_end=end,
        currency=currency,
        promises=promises[ALL],
        activity=activity[ALL],
        receivables=receivables,
        broken_to_chase=broken,
        trend=trend,
        accounts_per_stage=stages,
        agency_ready_count=ready_count,
        agency_ready=ready,
        toughest=toughest,
        toughest_source=source,
        other_currencies=_other_currencies(currency, promise_rows, health),
        promises_by_collector=_by_name(promises) if by_collector else [],
        activity_by_collector=_by_name(activity) if by_collector else [],
        by_currency=sections,
    )


def _currencies(
    reporting: str, promise_rows: list[dict[str, Any]], call_rows: list[dict[str, Any]], health: dict[str, Receivables]
) -> list[str]:
    """Every currency with promises, calls or receivables; the reporting one first."""
    found = {row["currency"] for row in promise_rows} | {row["currency"] for row in call_rows} | set(health)
    return [reporting, *sorted(found - {reporting})]


def _currency_tally(
    currency: str,
    promise_rows: list[dict[str, Any]],
    call_rows: list[dict[str, Any]],
    names: dict[int, str],
    roster: list[str],
    health: dict[str, Receivables],
    dates: Dates,
    rules: ReceivablesRules,
    by_collector: bool,
) -> CurrencyTally:
    promises = _promise_figures([r for r in promise_rows if r["currency"] == currency], currency, names, roster)
    activity = _activity_figures([r for r in call_rows if r["currency"] == currency], promises, names)
    receivables = health.get(currency) or empty_receivables(
        currency, dates, rules.aging_edges, rules.collected_within_30_goal
    )
    return CurrencyTally(
        currency=currency,
        promises=promises[ALL],
        activity=activity[ALL],
        receivables=receivables,
        promises_by_collector=_by_name(promises) if by_collector else [],
        activity_by_collector=_by_name(activity) if by_collector else [],
    )


def _user_names(session: Session) -> dict[int, str]:
    return dict(session.execute(select(User.id, User.name)).all())


def _collectors(session: Session) -> list[int]:
    return list(session.scalars(select(User.id).where(User.role == "collector")))


def _status_as_of(as_of: date) -> Any:
    # A stored outcome counts only from the day it was resolved (or its broken-on date when the
    # ledger left resolved_on empty); before that the promise was still open.
    resolved = func.coalesce(Promise.resolved_on, Promise.broken_on)
    ended = and_(Promise.status != OPEN, resolved <= as_of)
    return case(
        (and_(ended, Promise.status == CANCELLED, Promise.replaced_by_id.is_not(None)), RENEGOTIATED),
        (ended, Promise.status),
        else_=OPEN,
    )


@dataclass(frozen=True)
class _Judged:
    """Promises whose stored status cannot answer for ``as_of``, judged from the ledger instead."""

    condition: Any  # which promises (an SQL condition over promises)
    outcomes: dict[int, PromiseOutcome]
    rows: dict[int, Any]  # id → taker, currency, amount


def _needs_judging(as_of: date, today: date) -> Any:
    """Promises open as of ``as_of`` by their stored status that the day would see otherwise:
    matured by then (the daily judging has not reached that day), or any of them when ``as_of``
    is not today (what was paid by then comes from the payments received by then)."""
    still_open = _status_as_of(as_of) == "open"
    return still_open if as_of != today else and_(still_open, Promise.broken_on < as_of)


def _judged_as_of(session: Session, span: Span, as_of: date, *, today: date) -> _Judged:
    condition = _needs_judging(as_of, today)
    rows = {
        row.id: row
        for row in session.execute(
            select(Promise.id, Promise.customer_id, Promise.taken_by_id, Promise.currency, Promise.amount).where(
                *_made_between(span), condition
            )
        )
    }
    outcomes: dict[int, PromiseOutcome] = {}
    if rows:
        ledgers = load_ledgers(session, sorted({row.customer_id for row in rows.values()}), as_of)
        for ledger in ledgers.values():
            for promise_id, outcome in promise_status_as_of(ledger.promises, ledger.payments, as_of).items():
                if promise_id in rows:
                    outcomes[promise_id] = outcome
    return _Judged(condition, outcomes, rows)


def _made_between(span: Span) -> list[Any]:
    return [Promise.created_at >= span.start, Promise.created_at < span.stop]


def _promise_rows(session: Session, span: Span, as_of: date, judged: _Judged) -> list[dict[str, Any]]:
    """Promises made in the period per taker and currency: counts and amounts by status as of
    ``as_of``. SQL groups them by that status (worked out once a row); the sums are folded here,
    with the promises judged from the ledger added one by one."""
    status = _status_as_of(as_of).label("status")
    # Matured: past its broken-on date, when the promise rules judge it (domain.promises.status_of).
    matured = case((Promise.broken_on < as_of, 1), else_=0).label("matured")
    # Payments on a promise resolved after as_of were not known as of as_of.
    resolved = func.coalesce(Promise.resolved_on, Promise.broken_on)
    known = case((or_(Promise.status == OPEN, resolved <= as_of), 1), else_=0).label("known")
    query = (
        select(
            Promise.taken_by_id.label("user_id"),
            Promise.currency.label("currency"),
            status,
            matured,
            known,
            func.count().label("count"),
            func.sum(Promise.amount).label("amount"),
            func.sum(Promise.paid_amount).label("paid"),
        )
        .where(*_made_between(span), ~judged.condition)
        .group_by(Promise.taken_by_id, Promise.currency, status, matured, known)
    )
    # A plan's instalments share its plan_id (the first instalment's id): made counts it once.
    made_query = (
        select(
            Promise.taken_by_id,
            Promise.currency,
            func.count(func.distinct(func.coalesce(Promise.plan_id, Promise.id))),
        )
        .where(*_made_between(span))
        .group_by(Promise.taken_by_id, Promise.currency)
    )
    made = {(user_id, cur): int(count) for user_id, cur, count in session.execute(made_query).all()}
    rows: dict[tuple[int, str], dict[str, Any]] = {}
    groups: list[Any] = list(session.execute(query).mappings())
    for promise_id, outcome in judged.outcomes.items():
        facts = judged.rows[promise_id]
        groups.append(
            {
                "user_id": facts.taken_by_id,
                "currency": facts.currency,
                "status": outcome.status,
                "matured": 1 if outcome.status not in ("open", "cancelled") else 0,
                "known": 1,
                "count": 1,
                "amount": facts.amount,
                "paid": outcome.paid_amount,
            }
        )
    for group in groups:
        key = (group["user_id"], group["currency"])
        row = rows.setdefault(
            key,
            {
                "user_id": key[0],
                "currency": key[1],
                "made": made.get(key, 0),
                "dated": 0,
                "made_amount": 0,
                "partially_kept_paid": 0,
                "matured": 0,
                "matured_kept": 0,
                "collected": 0,
                **{k: 0 for name in STATUSES for k in (name, f"{name}_amount")},
            },
        )
        count, amount, paid = int(group["count"]), int(group["amount"] or 0), int(group["paid"] or 0)
        name = group["status"]
        row["dated"] += count
        row["made_amount"] += amount
        row[name] += count
        row[f"{name}_amount"] += amount
        if name == "partially_kept":
            row["partially_kept_paid"] += paid
        if group["matured"] and name not in (CANCELLED, RENEGOTIATED):
            row["matured"] += count
            row["matured_kept"] += count if name == "kept" else 0
        if group["known"]:
            row["collected"] += paid
    return list(rows.values())


def _call_rows(session: Session, span: Span) -> list[dict[str, Any]]:
    query = (
        select(
            Call.user_id.label("user_id"),
            Call.currency.label("currency"),
            func.count().label("calls"),
            func.coalesce(func.sum(case((Call.right_party.is_(True), 1), else_=0)), 0).label("rpc"),
            func.coalesce(func.sum(case((Call.result_code == PTP.code, 1), else_=0)), 0).label("ptp"),
            func.coalesce(func.sum(Call.talk_seconds), 0).label("talk"),
        )
        .where(Call.started_at >= span.start, Call.started_at < span.stop)
        .group_by(Call.user_id, Call.currency)
    )
    return [dict(row) for row in session.execute(query).mappings()]


def _reporting_currency(health: dict[str, Receivables], promise_rows: list[dict[str, Any]]) -> str:
    # The currency of most open invoices (ties: alphabetical); else that of most promises.
    counts: Counter[str] = Counter()
    for row in promise_rows:
        counts[row["currency"]] += row["made"]
    if health:
        counts = Counter({c: r.invoices for c, r in health.items()})
    if not counts:
        return DEFAULT_CURRENCY
    return min(counts, key=lambda c: (-counts[c], c))


def _promise_figures(
    rows: list[dict[str, Any]], currency: str, names: dict[int, str], roster: list[str]
) -> dict[str, PromiseFigures]:
    counts = ("made", "dated", *STATUSES, "matured", "matured_kept")
    sums: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in rows:
        for who in (ALL, names.get(row["user_id"], f"user {row['user_id']}")):
            target = sums[who]
            for key, value in row.items():
                if key in ("user_id", "currency"):
                    continue
                if key in counts or row["currency"] == currency:
                    target[key] += value
    for who in (ALL, *roster):  # every collector gets a row, even with nothing promised
        sums.setdefault(who, defaultdict(int))
    return {who: PromiseFigures(collector=who, **values) for who, values in sums.items()}


def _activity_figures(
    rows: list[dict[str, Any]], promises: dict[str, PromiseFigures], names: dict[int, str]
) -> dict[str, ActivityFigures]:
    sums: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in rows:
        for who in (ALL, names.get(row["user_id"], f"user {row['user_id']}")):
            for key in ("calls", "rpc", "ptp", "talk"):
                sums[who][key] += float(row[key] or 0)
    result = {}
    for who in {ALL, *sums, *promises}:
        values = sums.get(who, {})
        made = promises.get(who, PromiseFigures(who))
        result[who] = ActivityFigures(
            collector=who,
            calls=int(values.get("calls", 0)),
            right_party=int(values.get("rpc", 0)),
            ptp_calls=int(values.get("ptp", 0)),
            talk_seconds=round(values.get("talk", 0)),
            promised_amount=made.made_amount,
            collected_amount=made.collected,
        )
    return result


def _by_name(figures: dict[str, Any]) -> list[Any]:
    return [figures[name] for name in sorted(figures, key=str.casefold) if name != ALL]


def _broken_promises(session: Session, span: Span, as_of: date, judged: _Judged) -> list[BrokenPromise]:
    broken_ids = [pid for pid, outcome in judged.outcomes.items() if outcome.status == "broken"]
    broken_now = or_(
        and_(~judged.condition, _status_as_of(as_of) == "broken"),
        Promise.id.in_(broken_ids) if broken_ids else false(),
    )
    query = (
        select(
            Promise.id,
            Promise.customer_id,
            Customer.ref,
            Customer.name,
            Promise.amount,
            Promise.paid_amount,
            Promise.currency,
            Promise.promised_on,
            Promise.broken_on,
            User.name.label("taken_by"),
        )
        .join(Customer, Customer.id == Promise.customer_id)
        .join(User, User.id == Promise.taken_by_id)
        .where(*_made_between(span), broken_now)
        .order_by(Promise.broken_on.desc(), (Promise.amount - Promise.paid_amount).desc(), Promise.id)
        .limit(BROKEN_LIST_LIMIT)
    )
    return [
        BrokenPromise(
            row.id,
            row.customer_id,
            row.ref,
            row.name,
            int(row.amount),
            int(row.paid_amount),
            row.currency,
            row.promised_on,
            row.broken_on,
            row.taken_by,
        )
        for row in session.execute(query)
    ]


def _trend(session: Session, date_from: date, end: date) -> list[TrendPoint]:
    day = func.coalesce(Promise.resolved_on, Promise.broken_on).label("day")
    resolved = Promise.status.in_(("kept", "partially_kept", "broken"))
    # Two date ranges instead of one over coalesce(): each can be read from an index.
    query = (
        select(day, Promise.status, func.count())
        .where(
            resolved,
            or_(
                Promise.resolved_on.between(date_from, end),
                and_(Promise.resolved_on.is_(None), Promise.broken_on.between(date_from, end)),
            ),
        )
        .group_by(day, Promise.status)
    )
    per_day: dict[date, Counter[str]] = defaultdict(Counter)
    for when, status, count in session.execute(query).all():
        key = when if isinstance(when, date) else date.fromisoformat(str(when))
        per_day[key][status] += int(count)
    days = [date_from + timedelta(days=i) for i in range(max((end - date_from).days + 1, 0))]
    return [
        TrendPoint(day, per_day[day]["kept"], per_day[day]["partially_kept"], per_day[day]["broken"]) for day in days
    ]


def _toughest(ctx: AppContext, as_of: date) -> tuple[list[AccountLine], str]:
    """The top of the worklist with something overdue: the monthly attack list."""
    # Receipt confirmations follow the overdue work on the list; twice the limit leaves room.
    rows = build_worklist(ctx, as_of=as_of, limit=TOUGHEST_LIMIT * 2)
    lines = [
        AccountLine(
            customer_id=row.customer_id,
            ref=row.ref,
            name=row.name,
            currency=row.currency,
            stage=row.stage,
            overdue=row.overdue,
            oldest_due_on=as_of - timedelta(days=row.oldest_days_past_due),
            days_past_due=row.oldest_days_past_due,
            score=row.score,
        )
        for row in rows
        if row.overdue > 0
    ]
    return lines[:TOUGHEST_LIMIT], "worklist toughness score"


def _other_currencies(
    currency: str, promise_rows: list[dict[str, Any]], health: dict[str, Receivables]
) -> list[CurrencyFigures]:
    promised: dict[str, Counter[str]] = defaultdict(Counter)
    for row in promise_rows:
        promised[row["currency"]].update({k: row[k] for k in ("made_amount", "kept_amount", "collected")})
    others = sorted((set(promised) | set(health)) - {currency})
    return [
        CurrencyFigures(
            currency=other,
            promised=promised[other]["made_amount"],
            kept_amount=promised[other]["kept_amount"],
            collected=promised[other]["collected"],
            total_ar=health[other].total_ar if other in health else 0,
            overdue_ar=health[other].overdue_ar if other in health else 0,
        )
        for other in others
    ]
