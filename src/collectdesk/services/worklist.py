"""Today's worklist, toughest first: the ranked page, one account's score, and agency candidates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Row

from collectdesk.domain.errors import InputError
from collectdesk.domain.scoring import components
from collectdesk.services.context import AppContext
from collectdesk.services.worklist_rows import WorklistRow as WorklistRow
from collectdesk.services.worklist_rows import row_from
from collectdesk.store.worklist_cache import RankingPass, ranking_key, refresh_ranking, stored_key
from collectdesk.store.worklist_query import (
    Query,
    ScoreParams,
    account_select,
    agency_select,
    worklist_select,
)

REASONS = ("overdue", "promise_due", "callback_due", "confirm_receipt")


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
    return row_from(record._mapping, rank, labels)


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


def has_customers(ctx: AppContext) -> bool:
    """Whether the database holds any customer at all (an empty list then means "import first")."""
    from sqlalchemy import select

    from collectdesk.store.models import Customer

    with ctx.db.session() as session:
        return session.scalar(select(Customer.id).limit(1)) is not None
