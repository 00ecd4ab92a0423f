"""Today's worklist, toughest first: the ranked page, one account's score, and agency candidates."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import Row

from collectdesk.domain.errors import InputError
from collectdesk.domain.scoring import components
from collectdesk.services.context import AppContext
from collectdesk.store.worklist_cache import RankingPass, ranking_key, refresh_ranking, stored_key
from collectdesk.store.worklist_query import (
    Query,
    ScoreParams,
    account_select,
    agency_select,
    worklist_select,
)

REASONS = ("overdue", "promise_due", "callback_due", "confirm_receipt")


@dataclass(frozen=True)
class WorklistRow:
    """One account on the list: what it owes, how it has behaved, and the points that rank it.

    ``rank`` is the 1-based position on the list (0 when the row comes from :func:`score_account`
    or :func:`agency_ready`). Money is in minor units of ``currency``. ``breakdown`` maps each
    component's short label (``dpd``, ``bal``, ``broken`` …) to its points, in display order.
    """

    rank: int
    customer_id: int
    ref: str
    name: str
    kind: str
    country: str
    currency: str
    overdue: int
    open_balance: int
    oldest_days_past_due: int
    broken_promises: int
    failed_attempts: int
    stage: str
    next_action_on: date | None
    last_contact_at: datetime | None
    reason: str
    score: float
    breakdown: dict[str, float] = field(default_factory=dict)
    next_action_at: datetime | None = None
    late_payments: int = 0
    sales_rep: str | None = None
    on_list: bool = True
    collector_id: int | None = None
    # A colleague (or this user) on a call with the account right now, and since when.
    on_call_by: str | None = None
    on_call_since: datetime | None = None
    # Who closed a call on the account within the last hour, and when.
    closed_by: str | None = None
    closed_at: datetime | None = None
    ready_for_referral: bool = False


def score_params(ctx: AppContext, as_of: date | None) -> ScoreParams:
    """Scoring inputs for ``as_of`` (default today); callbacks count until now or that day ends."""
    today = ctx.clock.today()
    day = as_of or today
    callbacks_before = ctx.clock.now() if day == today else ctx.clock.day_start(day + timedelta(days=1))
    return ScoreParams(
        as_of=day,
        callbacks_before=callbacks_before,
        weights=ctx.settings.scoring,
        receipt_confirmation_days=ctx.settings.receivables.receipt_confirmation_days,
        agency_days=ctx.settings.escalation.agency_days,
    )


def _row(record: Row[Any], rank: int, labels: dict[str, str]) -> WorklistRow:
    data = record._mapping
    breakdown = {label: float(data[f"points_{key}"]) for key, label in labels.items()}
    return WorklistRow(
        rank=rank,
        customer_id=data["customer_id"],
        ref=data["ref"],
        name=data["name"],
        kind=data["kind"],
        country=data["country"],
        currency=data["currency"],
        overdue=int(data["overdue"]),
        open_balance=int(data["open_balance"]),
        oldest_days_past_due=int(data["oldest_days_past_due"]),
        broken_promises=int(data["broken_promises"]),
        failed_attempts=data["failed_attempts"],
        stage=data["stage"],
        next_action_on=data["next_action_on"],
        last_contact_at=data["last_contact_at"],
        reason=data["reason"],
        score=float(data["score"]),
        breakdown=breakdown,
        next_action_at=data["next_action_at"],
        late_payments=int(data["late_payments"]),
        sales_rep=data["sales_rep"],
        on_list=bool(data["on_list"]),
        collector_id=data["collector_id"],
        on_call_by=data["on_call_by"],
        on_call_since=data["on_call_since"],
        closed_by=data["closed_by"],
        closed_at=data["closed_at"],
        ready_for_referral=bool(data["ready_for_referral"]),
    )


def _fetch(ctx: AppContext, query: Query, *, first_rank: int | None) -> list[WorklistRow]:
    statement, values = query
    with ctx.db.engine.connect() as connection:
        records = connection.execute(statement, values).all()
    return _rows(ctx, records, first_rank)


def _rows(ctx: AppContext, records: Sequence[Row[Any]], first_rank: int | None) -> list[WorklistRow]:
    labels = {c.key: c.label for c in components(ctx.settings.scoring)}
    return [_row(r, 0 if first_rank is None else first_rank + i, labels) for i, r in enumerate(records)]


def build_worklist(
    ctx: AppContext,
    *,
    as_of: date | None = None,
    limit: int = 200,
    offset: int = 0,
    collector: str | None = None,
) -> list[WorklistRow]:
    """Today's call list (or ``as_of``'s), in order: overdue work toughest first, then receipts.

    A collector's list holds their accounts (and those they cover) first, then the unassigned
    pool, as ``[team] list`` says; a supervisor's holds everyone's, or ``collector``'s alone.
    Read from the ranking upkeep stored when there is one for this day and these rules (changed
    accounts scored live); otherwise every candidate is scored live. Both give the same list.
    """
    if limit < 1:
        raise InputError("the worklist limit must be at least 1")
    if offset < 0:
        raise InputError("the worklist offset cannot be negative")
    params = score_params(ctx, as_of)
    scope, mine_ids = list_scope(ctx, collector, params.as_of)
    with ctx.db.engine.connect() as connection:
        if not ctx.db.is_sqlite:  # the key and the ranking it names read from one snapshot
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
        ranked = stored_key(connection) == ranking_key(params)
        statement, values = worklist_select(
            params, limit=limit, offset=offset, ranked=ranked, scope=scope, mine_ids=mine_ids
        )
        records = connection.execute(statement, values).all()
    return _rows(ctx, records, offset + 1)


def list_scope(ctx: AppContext, collector: str | None, day: date) -> tuple[str, tuple[int, ...]]:
    """Whose accounts ``ctx.user``'s list holds: the scope and the collectors counted as "mine"."""
    from collectdesk.services.assignment import covered_by, user_id_named

    if collector is not None:
        if ctx.user.role != "supervisor" and collector != ctx.user.name:
            raise InputError(f"only a supervisor can look at another collector's list ({collector})")
        return "mine", (user_id_named(ctx, collector),)
    if ctx.user.role == "supervisor":
        return "all", ()
    scope = ctx.settings.team.list
    if scope == "all":
        return "all", ()
    return scope, (ctx.user.id, *covered_by(ctx, ctx.user.id, day))


def rank_todays_list(ctx: AppContext) -> RankingPass:
    """Store today's ranking ahead of reads: everything on a new day or new rules, else only the
    accounts changed since the last pass."""
    with ctx.db.engine.begin() as connection:
        return refresh_ranking(connection, score_params(ctx, None))


def score_account(ctx: AppContext, customer_id: int, *, as_of: date | None = None) -> WorklistRow | None:
    """One account's score and breakdown, on today's list or not; ``None`` if it does not exist."""
    rows = _fetch(ctx, account_select(score_params(ctx, as_of), customer_id), first_rank=None)
    return rows[0] if rows else None


def agency_ready(ctx: AppContext, *, as_of: date | None = None, limit: int | None = None) -> list[WorklistRow]:
    """Accounts ready for referral: not on hold, not referred, the oldest open invoice at or past
    the agency threshold; toughest first."""
    statement = agency_select(score_params(ctx, as_of), limit=limit)
    return _fetch(ctx, statement, first_rank=None)
