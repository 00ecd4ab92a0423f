"""The toughness score and today's worklist as one SQL statement (SQLite and PostgreSQL alike).

Everything is aggregated in the database: open invoices, late-payment history and promises are
grouped per customer once, joined to customers, scored with the weights from
``domain/scoring.py`` and ordered there, so only the requested page ever reaches Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    Float,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    cast,
    exists,
    false,
    func,
    literal_column,
    or_,
    select,
)
from sqlalchemy.sql.expression import ColumnElement

from collectdesk.domain.scoring import (
    STAGES,
    UNUSUAL_MINOR_UNIT_CURRENCIES,
    components,
    minor_units_per_major,
)
from collectdesk.settings import ScoringWeights
from collectdesk.store.models import Customer, Invoice, Promise, UTCDateTime
from collectdesk.store.sqlfuncs import days_between, least_of

INVOICES = Invoice.__table__
CUSTOMERS = Customer.__table__
PROMISES = Promise.__table__

# Literals, not bound parameters: SQLite only uses a partial index whose WHERE the query repeats.
_OPEN: ColumnElement[Any] = literal_column("'open'")
_DISPUTED: ColumnElement[Any] = literal_column("'disputed'")
_BROKEN: ColumnElement[Any] = literal_column("'broken'")
_AGENCY: ColumnElement[Any] = literal_column("'agency'")
_ZERO: ColumnElement[Any] = literal_column("0")

TIER_OVERDUE_WORK = 0
TIER_CONFIRM_RECEIPT = 1


@dataclass(frozen=True)
class ScoreParams:
    """What a score depends on besides the data: the day, the callback cut-off and the rules."""

    as_of: date
    callbacks_before: datetime
    weights: ScoringWeights
    receipt_confirmation_days: int


def _bind(name: str, value: Any, type_: Any = Float) -> ColumnElement[Any]:
    return bindparam(name, value, type_=type_)


def flag(condition: ColumnElement[Any]) -> ColumnElement[Any]:
    """1 when the condition holds, else 0 (booleans differ between SQLite and PostgreSQL)."""
    return case((condition, 1), else_=0)


def _points(key: str, units: ColumnElement[Any], params: ScoreParams) -> ColumnElement[Any]:
    component = next(c for c in components(params.weights) if c.key == key)
    raw = units * _bind(f"w_{key}", component.per_unit)
    if component.cap is None:
        return raw
    return least_of(raw, _bind(f"cap_{key}", component.cap))


def _balance_points(overdue: ColumnElement[Any], currency: ColumnElement[Any],
                    params: ScoreParams) -> ColumnElement[Any]:
    # Overdue is in the account's own currency: divide by its minor units per 1,000 major units
    # (an exact power of ten, so both databases round identically).
    minor_per_thousand = case(
        *[(currency == literal_column(f"'{code}'"),
           _bind(f"minor_per_thousand_{code}", 1000.0 * minor_units_per_major(code)))
          for code in UNUSUAL_MINOR_UNIT_CURRENCIES],
        else_=_bind("minor_per_thousand", 1000.0 * minor_units_per_major("USD")),
    )
    component = next(c for c in components(params.weights) if c.key == "balance")
    raw = overdue * _bind("w_balance", component.per_unit) / minor_per_thousand
    assert component.cap is not None
    return least_of(raw, _bind("cap_balance", component.cap))


@dataclass(frozen=True)
class _Scored:
    """The scoring select and the expressions callers filter and order by."""

    select: Select[Any]
    on_list: ColumnElement[Any]
    days_past_due: ColumnElement[Any]
    order: tuple[ColumnElement[Any], ...]


def _scored(params: ScoreParams) -> _Scored:
    as_of = bindparam("as_of", params.as_of, type_=Date)
    inv, c, pr = INVOICES, CUSTOMERS, PROMISES

    overdue_invoice = and_(inv.c.status == _OPEN, inv.c.due_date < as_of)
    open_invoices = (
        select(
            inv.c.customer_id,
            cast(func.sum(case((overdue_invoice, inv.c.open_amount), else_=_ZERO)),
                 BigInteger).label("overdue"),
            cast(func.sum(inv.c.open_amount), BigInteger).label("open_balance"),
            func.min(case((overdue_invoice, inv.c.due_date))).label("oldest_due"),
        )
        .where(inv.c.open_amount > _ZERO, inv.c.status.in_([_OPEN, _DISPUTED]))
        .group_by(inv.c.customer_id)
        .subquery("open_invoices")
    )
    late = (
        select(inv.c.customer_id, func.count().label("late_payments"))
        .where(inv.c.paid_on > inv.c.due_date, inv.c.paid_on <= as_of)
        .group_by(inv.c.customer_id)
        .subquery("late")
    )
    window_start = bindparam(
        "broken_since", params.as_of - timedelta(days=params.weights.broken_promise_window_days),
        type_=Date)
    # An open promise past its broken-on date is broken as of that day, whether or not the
    # promise evaluation has run yet.
    broken_in_window = and_(pr.c.broken_on < as_of, pr.c.broken_on >= window_start)
    promise_facts = (
        select(
            pr.c.customer_id,
            func.sum(case((broken_in_window, 1), else_=0)).label("broken"),
            func.sum(case((pr.c.status == _OPEN, 1), else_=0)).label("due_open"),
        )
        .where(pr.c.status.in_([_OPEN, _BROKEN]), pr.c.promised_on < as_of)
        .group_by(pr.c.customer_id)
        .subquery("promise_facts")
    )
    recent, earlier = INVOICES.alias("recent"), INVOICES.alias("earlier")
    paid = INVOICES.alias("paid")
    receipt_from = bindparam(
        "receipt_from", params.as_of - timedelta(days=params.receipt_confirmation_days), type_=Date)
    is_new_customer = ~exists().where(earlier.c.customer_id == recent.c.customer_id,
                                      earlier.c.issue_date < recent.c.issue_date)
    pays_late = exists().where(paid.c.customer_id == recent.c.customer_id,
                               paid.c.paid_on > paid.c.due_date, paid.c.paid_on <= as_of)
    receipt = (
        select(recent.c.customer_id)
        .where(recent.c.issue_date > receipt_from, recent.c.issue_date <= as_of,
               recent.c.receipt_confirmed_at.is_(None), recent.c.status == _OPEN,
               recent.c.open_amount > _ZERO, or_(is_new_customer, pays_late))
        .distinct()
        .subquery("receipt")
    )

    overdue = func.coalesce(open_invoices.c.overdue, 0)
    days_past_due = func.coalesce(days_between(as_of, open_invoices.c.oldest_due), 0)
    broken = func.coalesce(promise_facts.c.broken, 0)
    late_count = func.coalesce(late.c.late_payments, 0)
    promise_due = func.coalesce(promise_facts.c.due_open, 0) > 0
    callbacks_before = bindparam("callbacks_before", params.callbacks_before, type_=UTCDateTime())
    action_day_due = or_(c.c.next_action_on.is_(None), c.c.next_action_on <= as_of)
    # A callback has a time: it is due once that time passes (and its day has come).
    callback_due = and_(c.c.next_action_at.is_not(None), c.c.next_action_at < callbacks_before,
                        action_day_due)
    action_due = or_(and_(c.c.next_action_at.is_(None), action_day_due), callback_due)
    may_be_chased = and_(c.c.on_hold == false(), c.c.do_not_call == false(),
                         c.c.cease_contact == false(), c.c.lawyer_represented == false(),
                         c.c.stage != _AGENCY)
    overdue_work = and_(action_due, or_(overdue > 0, promise_due, callback_due))
    confirm_receipt = and_(action_due, receipt.c.customer_id.is_not(None))
    on_list = and_(may_be_chased, or_(overdue_work, confirm_receipt))

    stage_number = case(*[(c.c.stage == literal_column(f"'{s}'"), i) for i, s in enumerate(STAGES)],
                        else_=0)
    points = {
        "dpd": _points("dpd", days_past_due, params),
        "balance": _balance_points(overdue, c.c.currency, params),
        "broken": _points("broken", broken, params),
        "attempts": _points("attempts", c.c.failed_attempts, params),
        "stage": _points("stage", stage_number, params),
        "late": _points("late", late_count, params),
        "promise_due": _points("promise_due", flag(promise_due), params),
        "callback": _points("callback", flag(callback_due), params),
    }
    score: ColumnElement[Any] = points["dpd"]
    for key in list(points)[1:]:
        score = score + points[key]
    tier = case((overdue_work, TIER_OVERDUE_WORK), else_=TIER_CONFIRM_RECEIPT)
    reason = case(
        (and_(~overdue_work, confirm_receipt), literal_column("'confirm_receipt'")),
        (callback_due, literal_column("'callback_due'")),
        (promise_due, literal_column("'promise_due'")),
        else_=literal_column("'overdue'"),
    )
    labelled = {key: expr.label(f"points_{key}") for key, expr in points.items()}
    score_col, tier_col = score.label("score"), tier.label("tier")
    overdue_col, id_col = overdue.label("overdue"), c.c.id.label("customer_id")
    statement = (
        select(
            id_col, c.c.ref, c.c.name, c.c.kind, c.c.country, c.c.currency,
            c.c.stage, c.c.failed_attempts, c.c.next_action_on, c.c.next_action_at,
            c.c.last_contact_at, c.c.sales_rep, overdue_col,
            func.coalesce(open_invoices.c.open_balance, 0).label("open_balance"),
            days_past_due.label("oldest_days_past_due"),
            broken.label("broken_promises"),
            late_count.label("late_payments"),
            flag(promise_due).label("promise_due"),
            flag(callback_due).label("callback_due"),
            flag(on_list).label("on_list"),
            tier_col,
            reason.label("reason"),
            *labelled.values(),
            score_col,
        )
        .select_from(
            c.outerjoin(open_invoices, open_invoices.c.customer_id == c.c.id)
            .outerjoin(late, late.c.customer_id == c.c.id)
            .outerjoin(promise_facts, promise_facts.c.customer_id == c.c.id)
            .outerjoin(receipt, receipt.c.customer_id == c.c.id)
        )
    )
    # Ties are broken by days past due, then the overdue amount, then the customer id.
    order = (tier_col, score_col.desc(), days_past_due.desc(), overdue_col.desc(), id_col)
    return _Scored(statement, on_list, days_past_due, order)


def worklist_select(params: ScoreParams, *, limit: int, offset: int = 0) -> Select[Any]:
    """Today's list: chaseable accounts with work due, overdue work first, toughest first."""
    scored = _scored(params)
    return scored.select.where(scored.on_list).order_by(*scored.order).limit(limit).offset(offset)


def account_select(params: ScoreParams, customer_id: int) -> Select[Any]:
    """One account's row, scored the same way, whether or not it is on today's list."""
    return _scored(params).select.where(CUSTOMERS.c.id == customer_id)


def agency_select(params: ScoreParams, *, agency_days: int,
                  limit: int | None = None) -> Select[Any]:
    """Accounts with an invoice ``agency_days`` or more past due, toughest first."""
    scored = _scored(params)
    threshold = bindparam("agency_days", agency_days, type_=Integer)
    statement = (scored.select
                 .where(scored.days_past_due >= threshold, CUSTOMERS.c.on_hold == false())
                 .order_by(*scored.order[1:]))
    return statement if limit is None else statement.limit(limit)
