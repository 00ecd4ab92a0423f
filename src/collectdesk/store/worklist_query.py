"""The toughness score and today's worklist as one SQL statement (SQLite and PostgreSQL alike).

The statement reads the per-customer facts the triggers keep (``store/account_facts.py``), so no
invoice is aggregated at query time. It runs in two steps: the ranking step computes only the
score (and the tie-breakers) of every candidate and keeps the requested page; the page step then
works out each component's points, the flags and the display columns for those rows alone. Both
steps use the same expressions, built once here from the weights in ``domain/scoring.py``.

The ranking step comes in two forms: *live* scores every candidate; *ranked* reads the ranking
stored ahead of time (``store/worklist_cache.py``) and scores live only the accounts changed since
and those with a callback that can come due during the day. Both give the same page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Date,
    Float,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    exists,
    false,
    func,
    insert,
    literal_column,
    or_,
    select,
    union,
    union_all,
)
from sqlalchemy.sql.expression import ColumnElement

from collectdesk.domain.clock import start_of_day
from collectdesk.domain.scoring import (
    UNUSUAL_MINOR_UNIT_CURRENCIES,
    components,
    minor_units_per_major,
)
from collectdesk.domain.stages import REFERRED
from collectdesk.settings import ScoringWeights
from collectdesk.store.models import (
    Call,
    Customer,
    Invoice,
    Promise,
    User,
    UTCDateTime,
    WorklistDirty,
    WorklistScore,
)
from collectdesk.store.sqlfuncs import days_between, least_of
from collectdesk.store.stage_sql import stage_literal, stage_number

INVOICES = Invoice.__table__
CUSTOMERS = Customer.__table__
PROMISES = Promise.__table__
SCORES = WorklistScore.__table__
DIRTY = WorklistDirty.__table__
CALLS = Call.__table__
USERS = User.__table__

# Whose accounts a list holds (services/worklist.py): everyone's; only those assigned to the ids
# in ``mine_ids``; or those first, then the unassigned pool.
SCOPES = ("all", "mine", "mine_then_pool")
# How far back a colleague's closed call still marks an account.
RECENTLY_CLOSED = timedelta(hours=1)

# Literals, not bound parameters: SQLite only uses a partial index whose WHERE the query repeats.
_OPEN: ColumnElement[Any] = literal_column("'open'")
_BROKEN: ColumnElement[Any] = literal_column("'broken'")
_REFERRED: ColumnElement[Any] = stage_literal(REFERRED)
_ZERO: ColumnElement[Any] = literal_column("0")
_FALSE: ColumnElement[Any] = literal_column("false")

TIER_OVERDUE_WORK = 0
TIER_CONFIRM_RECEIPT = 1

# Columns read straight from customers for the rows of the page.
DISPLAY_COLUMNS = (
    "ref",
    "name",
    "kind",
    "country",
    "currency",
    "stage",
    "failed_attempts",
    "next_action_on",
    "next_action_at",
    "last_contact_at",
    "sales_rep",
    "open_balance",
    "late_payments",
    "collector_id",
)


@dataclass(frozen=True)
class ScoreParams:
    """What a score depends on besides the data: the day, the callback cut-off and the rules."""

    as_of: date
    callbacks_before: datetime
    weights: ScoringWeights
    receipt_confirmation_days: int
    agency_days: int = 90


def flag(condition: ColumnElement[Any]) -> ColumnElement[Any]:
    """1 when the condition holds, else 0 (booleans differ between SQLite and PostgreSQL)."""
    return case((condition, 1), else_=0)


def _bind(name: str, value: Any, type_: Any = Float) -> ColumnElement[Any]:
    return bindparam(name, value, type_=type_)


@dataclass(frozen=True)
class _Terms:
    """Everything about one customer row for one ``as_of``, as SQL expressions over customers."""

    overdue: ColumnElement[Any]
    days_past_due: ColumnElement[Any]
    broken_promises: ColumnElement[Any]
    stage_number: ColumnElement[Any]
    ready_for_referral: ColumnElement[Any]
    promise_due: ColumnElement[Any]
    callback_due: ColumnElement[Any]
    action_due: ColumnElement[Any]
    may_be_chased: ColumnElement[Any]
    overdue_work: ColumnElement[Any]
    receipt_due: ColumnElement[Any]
    receipt_customers: Any
    points: dict[str, ColumnElement[Any]]
    score: ColumnElement[Any]


def _overdue_amount(as_of: ColumnElement[Any]) -> ColumnElement[Any]:
    """Overdue on ``as_of`` from the account facts; only an account with two or more open due
    dates on or after ``as_of`` needs its invoices summed (rare when ``as_of`` is today)."""
    c, inv = CUSTOMERS.c, INVOICES.c
    summed = (
        select(func.coalesce(func.sum(inv.open_amount), 0))
        .where(inv.customer_id == c.id, inv.status == _OPEN, inv.open_amount > _ZERO, inv.due_date < as_of)
        .scalar_subquery()
    )
    return case(
        (or_(c.oldest_open_due.is_(None), c.oldest_open_due >= as_of), _ZERO),
        (c.newest_open_due < as_of, c.open_balance),
        (c.prior_open_due < as_of, c.open_balance - c.newest_open_amount),
        else_=summed,
    )


def _broken_promises(as_of: ColumnElement[Any], since: ColumnElement[Any]) -> ColumnElement[Any]:
    """Promises broken in ``[since, as_of)``: status broken, or still open past their broken-on
    date (broken as of that day whether or not evaluation has run). Counted only for accounts
    whose facts say there can be any."""
    c, p = CUSTOMERS.c, PROMISES.c
    counted = (
        select(func.count())
        .where(p.customer_id == c.id, p.status.in_([_OPEN, _BROKEN]), p.broken_on < as_of, p.broken_on >= since)
        .scalar_subquery()
    )
    may_have = or_(c.last_broken_on >= since, c.earliest_open_promise_on < as_of)
    return case((may_have, counted), else_=_ZERO)


def _receipt_invoices(params: ScoreParams, as_of: ColumnElement[Any]) -> tuple[Any, Any]:
    """Recent unconfirmed open invoices of customers who are new or have paid late before:
    the set of such customers, and a test for the customer row at hand."""
    receipt_from = bindparam(
        "receipt_from", params.as_of - timedelta(days=params.receipt_confirmation_days), type_=Date
    )

    def conditions(recent: Any, customer: Any) -> list[ColumnElement[Any]]:
        earlier = INVOICES.alias("earlier")
        is_new_customer = ~exists().where(
            earlier.c.customer_id == recent.c.customer_id, earlier.c.issue_date < recent.c.issue_date
        )
        return [
            recent.c.issue_date > receipt_from,
            recent.c.issue_date <= as_of,
            recent.c.receipt_confirmed_at.is_(None),
            recent.c.status == _OPEN,
            recent.c.open_amount > _ZERO,
            or_(customer.c.late_payments > _ZERO, is_new_customer),
        ]

    recent = INVOICES.alias("recent")
    customers = (
        select(recent.c.customer_id)
        .join(CUSTOMERS, CUSTOMERS.c.id == recent.c.customer_id)
        .where(*conditions(recent, CUSTOMERS))
        .distinct()
        .subquery("receipt")
    )
    mine = INVOICES.alias("mine")
    test = exists().where(mine.c.customer_id == CUSTOMERS.c.id, *conditions(mine, CUSTOMERS))
    return customers, test


def _points(params: ScoreParams, key: str, units: ColumnElement[Any]) -> ColumnElement[Any]:
    component = next(c for c in components(params.weights) if c.key == key)
    raw = units * _bind(f"w_{key}", component.per_unit)
    if key == "balance":
        # Overdue is in the account's own currency: divide by its minor units per 1,000 major
        # units (an exact power of ten, so both databases round identically).
        currency = CUSTOMERS.c.currency
        by_digits: dict[int, list[str]] = {}
        for code in UNUSUAL_MINOR_UNIT_CURRENCIES:
            by_digits.setdefault(minor_units_per_major(code), []).append(code)
        raw = raw / case(
            *[
                (
                    currency.in_([literal_column(f"'{code}'") for code in codes]),
                    _bind(f"minor_per_thousand_{units}", 1000.0 * units),
                )
                for units, codes in sorted(by_digits.items())
            ],
            else_=_bind("minor_per_thousand", 1000.0 * minor_units_per_major("USD")),
        )
    return raw if component.cap is None else least_of(raw, _bind(f"cap_{key}", component.cap))


def _terms(params: ScoreParams) -> _Terms:
    c = CUSTOMERS.c
    as_of = bindparam("as_of", params.as_of, type_=Date)
    since = bindparam(
        "broken_since", params.as_of - timedelta(days=params.weights.broken_promise_window_days), type_=Date
    )
    callbacks_before = bindparam("callbacks_before", params.callbacks_before, type_=UTCDateTime())

    # Null-safe: these are negated below, and NOT NULL would drop the row.
    has_overdue = and_(c.oldest_open_due.is_not(None), c.oldest_open_due < as_of)
    promise_due = and_(c.earliest_open_promise_on.is_not(None), c.earliest_open_promise_on < as_of)
    action_day_due = or_(c.next_action_on.is_(None), c.next_action_on <= as_of)
    # A callback has a time: it is due once that time passes (and its day has come).
    callback_due = and_(c.next_action_at.is_not(None), c.next_action_at < callbacks_before, action_day_due)
    action_due = or_(and_(c.next_action_at.is_(None), action_day_due), callback_due)
    # Spelled exactly as ix_customers_chaseable's WHERE, so SQLite can use that partial index.
    may_be_chased = and_(
        c.on_hold == _FALSE,
        c.do_not_call == _FALSE,
        c.cease_contact == _FALSE,
        c.lawyer_represented == _FALSE,
        c.stage != _REFERRED,
    )
    overdue = _overdue_amount(as_of)
    days_past_due = case((has_overdue, days_between(as_of, c.oldest_open_due)), else_=0)
    broken = _broken_promises(as_of, since)
    stage = stage_number(c.stage)
    # Ready for a supervisor's referral decision (domain.escalation.ready_for_referral).
    ready = and_(has_overdue, c.stage != _REFERRED, days_past_due >= bindparam("agency_days", type_=Integer))
    points = {
        "dpd": _points(params, "dpd", days_past_due),
        "balance": _points(params, "balance", overdue),
        "broken": _points(params, "broken", broken),
        "attempts": _points(params, "attempts", c.failed_attempts),
        "stage": _points(params, "stage", stage),
        "referral": _points(params, "referral", flag(ready)),
        "late": _points(params, "late", c.late_payments),
        "promise_due": _points(params, "promise_due", flag(promise_due)),
        "callback": _points(params, "callback", flag(callback_due)),
    }
    score = points["dpd"]
    for key in list(points)[1:]:
        score = score + points[key]
    receipt_customers, receipt_due = _receipt_invoices(params, as_of)
    return _Terms(
        overdue=overdue,
        days_past_due=days_past_due,
        broken_promises=broken,
        stage_number=stage,
        ready_for_referral=ready,
        promise_due=promise_due,
        callback_due=callback_due,
        action_due=action_due,
        may_be_chased=may_be_chased,
        overdue_work=and_(action_due, or_(has_overdue, promise_due, callback_due)),
        receipt_due=receipt_due,
        receipt_customers=receipt_customers,
        points=points,
        score=score,
    )


def _ranking(terms: _Terms, tier: ColumnElement[Any], scope: str = "all") -> Select[Any]:
    columns = [CUSTOMERS.c.id.label("customer_id"), tier.label("tier"), terms.score.label("score")]
    if scope != "all":
        columns.append(_group(CUSTOMERS, scope).label("grp"))
    return select(*columns)


def _mine(customers: Any) -> ColumnElement[Any]:
    mine: ColumnElement[Any] = customers.c.collector_id.in_(bindparam("mine_ids", expanding=True, type_=Integer))
    return mine


def _group(customers: Any, scope: str) -> ColumnElement[Any]:
    """0 for the user's own accounts, 1 for the pool (ordering key of a scoped list)."""
    if scope == "mine_then_pool":
        return case((_mine(customers), 0), else_=1)
    return literal_column("0")


def _in_scope(customers: Any, scope: str) -> list[ColumnElement[Any]]:
    if scope == "mine":
        return [_mine(customers)]
    if scope == "mine_then_pool":
        return [or_(_mine(customers), customers.c.collector_id.is_(None))]
    return []


def _on_call(customer_id: ColumnElement[Any]) -> tuple[Any, Any]:
    """Who has an open call on the account now, and since when (the one-open-call index)."""
    k, u = CALLS.c, USERS.c
    open_call = and_(k.customer_id == customer_id, k.ended_at.is_(None))
    who = select(u.name).join_from(CALLS, USERS, u.id == k.user_id).where(open_call).limit(1).scalar_subquery()
    since = select(k.started_at).where(open_call).limit(1).scalar_subquery()
    return who, since


def _recently_closed(customer_id: ColumnElement[Any]) -> tuple[Any, Any]:
    """Who last closed a call on the account within :data:`RECENTLY_CLOSED`, and when."""
    k, u = CALLS.c, USERS.c
    # Two scalar subqueries, each correlated to the row: a derived table of the latest close would
    # not be, so it would read the whole page again and mark every row with the page's latest close.
    closed = and_(k.customer_id == customer_id, k.ended_at >= bindparam("closed_since", type_=UTCDateTime()))
    who = (
        select(u.name)
        .join_from(CALLS, USERS, u.id == k.user_id)
        .where(closed)
        .order_by(k.ended_at.desc(), k.id.desc())
        .limit(1)
        .scalar_subquery()
    )
    at = select(func.max(k.ended_at)).where(closed).scalar_subquery()
    return who, at


def _page(terms: _Terms, ranked: Select[Any], *, by_tier: bool, paged: bool, grouped: bool = False) -> Select[Any]:
    """Order the ranking, keep the page, and add each row's points, flags and display columns."""
    # Equal scores are ordered by customer id (the oldest account first): deterministic, and
    # cheaper than a tie-breaker the database would have to compute for every candidate.
    keys = (["grp"] if grouped else []) + (["tier"] if by_tier else [])
    ranked = ranked.order_by(
        *[literal_column(k) for k in keys], literal_column("score").desc(), literal_column("customer_id")
    )
    if paged:
        ranked = ranked.limit(bindparam("page_limit", type_=Integer)).offset(bindparam("page_offset", type_=Integer))
    page = ranked.subquery("page")
    p, c = page.c, CUSTOMERS.c
    overdue_work = p.tier == TIER_OVERDUE_WORK
    reason = case(
        (~overdue_work, literal_column("'confirm_receipt'")),
        (terms.callback_due, literal_column("'callback_due'")),
        (terms.promise_due, literal_column("'promise_due'")),
        else_=literal_column("'overdue'"),
    )
    on_list = and_(terms.may_be_chased, or_(terms.overdue_work, and_(terms.action_due, terms.receipt_due)))
    on_call_by, on_call_since = _on_call(p.customer_id)
    closed_by, closed_at = _recently_closed(p.customer_id)
    order = [p.grp] if grouped else []
    return (
        select(
            p.customer_id,
            p.tier,
            p.score,
            terms.overdue.label("overdue"),
            terms.days_past_due.label("oldest_days_past_due"),
            terms.broken_promises.label("broken_promises"),
            reason.label("reason"),
            flag(on_list).label("on_list"),
            flag(terms.ready_for_referral).label("ready_for_referral"),
            *[getattr(c, name) for name in DISPLAY_COLUMNS],
            *[expr.label(f"points_{key}") for key, expr in terms.points.items()],
            on_call_by.label("on_call_by"),
            on_call_since.label("on_call_since"),
            closed_by.label("closed_by"),
            closed_at.label("closed_at"),
        )
        .join_from(page, CUSTOMERS, c.id == p.customer_id)
        .order_by(*order, *([p.tier] if by_tier else []), p.score.desc(), p.customer_id)
    )


def parameter_values(params: ScoreParams) -> dict[str, Any]:
    """Every bound value a statement below needs for these parameters (by bind name)."""
    values: dict[str, Any] = {
        "as_of": params.as_of,
        "broken_since": params.as_of - timedelta(days=params.weights.broken_promise_window_days),
        "callbacks_before": params.callbacks_before,
        "receipt_from": params.as_of - timedelta(days=params.receipt_confirmation_days),
        "day_start": start_of_day(params.as_of),
        "day_end": start_of_day(params.as_of + timedelta(days=1)),
        "closed_since": params.callbacks_before - RECENTLY_CLOSED,
        "agency_days": params.agency_days,
    }
    for component in components(params.weights):
        values[f"w_{component.key}"] = component.per_unit
        if component.cap is not None:
            values[f"cap_{component.key}"] = component.cap
    return values


# Statements are built once and reused with new values: building and hashing a statement this
# size costs more than running it on a small database.
_TEMPLATE = ScoreParams(date(2000, 1, 1), datetime(2000, 1, 1, tzinfo=UTC), ScoringWeights(), 5)


def _callback_today(customers: Any) -> ColumnElement[Any]:
    """A callback during the ranked day: it comes due when its time passes, not at a pass."""
    at = customers.c.next_action_at
    return and_(at >= bindparam("day_start", type_=UTCDateTime()), at < bindparam("day_end", type_=UTCDateTime()))


def _ranked_ahead() -> ColumnElement[Any]:
    """Accounts whose place does not change during the day: no callback during it."""
    return or_(CUSTOMERS.c.next_action_at.is_(None), ~_callback_today(CUSTOMERS))


def _every_candidate(terms: _Terms, *conditions: ColumnElement[Any], scope: str = "all") -> Any:
    """Every account on the list (meeting ``conditions``) with its tier and score, unordered."""
    receipt = terms.receipt_customers
    conditions = (*conditions, *_in_scope(CUSTOMERS, scope))
    overdue_work = _ranking(terms, literal_column(str(TIER_OVERDUE_WORK)), scope).where(
        terms.may_be_chased, terms.overdue_work, *conditions
    )
    # Receipt confirmations come from the few recent invoices, not from a probe per customer.
    confirmations = (
        _ranking(terms, literal_column(str(TIER_CONFIRM_RECEIPT)), scope)
        .join_from(receipt, CUSTOMERS, CUSTOMERS.c.id == receipt.c.customer_id)
        .where(terms.may_be_chased, terms.action_due, ~terms.overdue_work, *conditions)
    )
    return union_all(overdue_work, confirmations)


def _some_candidates(terms: _Terms, *conditions: ColumnElement[Any], scope: str = "all") -> Select[Any]:
    """The accounts meeting ``conditions`` that are on the list, with their tier and score
    (one probe per account: for a few accounts, not for all of them)."""
    tier = case((terms.overdue_work, TIER_OVERDUE_WORK), else_=TIER_CONFIRM_RECEIPT)
    return _ranking(terms, tier, scope).where(
        *conditions,
        *_in_scope(CUSTOMERS, scope),
        terms.may_be_chased,
        or_(terms.overdue_work, and_(terms.action_due, terms.receipt_due)),
    )


@lru_cache(maxsize=len(SCOPES))
def _worklist_template(scope: str = "all") -> Select[Any]:
    terms = _terms(_TEMPLATE)
    ranked = select(_every_candidate(terms, scope=scope).subquery("ranked"))
    return _page(terms, ranked, by_tier=True, paged=True, grouped=scope != "all")


@lru_cache(maxsize=len(SCOPES))
def _ranked_worklist_template(scope: str = "all") -> Select[Any]:
    terms = _terms(_TEMPLATE)
    s, d = SCORES.c, DIRTY.c
    # The stored order up to the end of the page, less the accounts changed since it was stored…
    stored_columns: list[Any] = [s.customer_id, s.tier, s.score]
    stored_order: list[Any] = [s.tier, s.score.desc(), s.customer_id]
    stored_select = select(*stored_columns)
    if scope != "all":
        owner = CUSTOMERS.alias("owner")
        grp = _group(owner, scope)
        stored_select = (
            select(*stored_columns, grp.label("grp"))
            .join_from(SCORES, owner, owner.c.id == s.customer_id)
            .where(*_in_scope(owner, scope))
        )
        if scope == "mine_then_pool":  # "mine" is one group: a constant is no ordering key in SQL
            stored_order = [grp, *stored_order]
    stored = (
        stored_select.where(~exists().where(d.customer_id == s.customer_id))
        .order_by(*stored_order)
        .limit(bindparam("stored_limit", type_=Integer))
        .subquery("stored")
    )
    # …and those, with the accounts never stored, scored now.
    other = CUSTOMERS.alias("unstored")
    live_ids = union(select(d.customer_id), select(other.c.id).where(_callback_today(other)))
    live = _some_candidates(terms, CUSTOMERS.c.id.in_(live_ids), scope=scope)
    ranked = select(union_all(select(stored), live).subquery("ranked"))
    return _page(terms, ranked, by_tier=True, paged=True, grouped=scope != "all")


@lru_cache(maxsize=1)
def rank_all_statement() -> Any:
    """INSERT the ranking of every account on the list into ``worklist_scores``."""
    terms = _terms(_TEMPLATE)
    ranked = select(_every_candidate(terms, _ranked_ahead()).subquery("ranked"))
    return insert(WorklistScore).from_select(["customer_id", "tier", "score"], ranked)


@lru_cache(maxsize=1)
def rank_some_statement() -> Any:
    """INSERT the ranking of the accounts in ``ids`` that are on the list."""
    terms = _terms(_TEMPLATE)
    chosen = CUSTOMERS.c.id.in_(bindparam("ids", expanding=True))
    ranked = select(_some_candidates(terms, chosen, _ranked_ahead()).subquery("ranked"))
    return insert(WorklistScore).from_select(["customer_id", "tier", "score"], ranked)


@lru_cache(maxsize=1)
def _account_template() -> Select[Any]:
    terms = _terms(_TEMPLATE)
    tier = case(
        (terms.overdue_work, TIER_OVERDUE_WORK), (terms.receipt_due, TIER_CONFIRM_RECEIPT), else_=TIER_OVERDUE_WORK
    )
    ranked = _ranking(terms, tier).where(CUSTOMERS.c.id == bindparam("customer_id", type_=Integer))
    return _page(terms, ranked, by_tier=False, paged=False)


@lru_cache(maxsize=2)
def _agency_template(paged: bool) -> Select[Any]:
    terms = _terms(_TEMPLATE)
    ranked = _ranking(terms, literal_column(str(TIER_OVERDUE_WORK))).where(
        terms.ready_for_referral, CUSTOMERS.c.on_hold == false()
    )
    return _page(terms, ranked, by_tier=False, paged=paged)


Query = tuple[Select[Any], dict[str, Any]]


def worklist_select(
    params: ScoreParams,
    *,
    limit: int,
    offset: int = 0,
    ranked: bool = False,
    scope: str = "all",
    mine_ids: tuple[int, ...] = (),
) -> Query:
    """Today's list: chaseable accounts with work due, overdue work first, toughest first.

    ``ranked``: read the ranking stored for these parameters (only when it is there).
    ``scope`` (one of :data:`SCOPES`): whose accounts, the ``mine_ids`` collectors' first.
    """
    if scope not in SCOPES:
        raise ValueError(f"unknown worklist scope {scope!r}")
    values = {**parameter_values(params), "page_limit": limit, "page_offset": offset}
    if scope != "all":
        values["mine_ids"] = list(mine_ids)
    if ranked:
        return _ranked_worklist_template(scope), {**values, "stored_limit": offset + limit}
    return _worklist_template(scope), values


def account_select(params: ScoreParams, customer_id: int) -> Query:
    """One account's row, scored the same way, whether or not it is on today's list."""
    return _account_template(), {**parameter_values(params), "customer_id": customer_id}


def agency_select(params: ScoreParams, *, limit: int | None = None) -> Query:
    """Accounts ready for referral (``params.agency_days`` or more past due, not referred yet),
    not on hold, toughest first."""
    values = parameter_values(params)
    if limit is None:
        return _agency_template(False), values
    return _agency_template(True), {**values, "page_limit": limit, "page_offset": 0}
