"""The escalation ladder in SQL: every account's target stage in one expression, set-based."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Select, and_, bindparam, case, exists, literal_column, select, update
from sqlalchemy.sql.dml import Update
from sqlalchemy.sql.expression import ColumnElement

from collectdesk.domain.escalation import HIGHEST_BY_ATTEMPTS, LADDER, day_thresholds, stage_index
from collectdesk.settings import EscalationRules
from collectdesk.store.models import Customer, Invoice, UTCDateTime
from collectdesk.store.sqlfuncs import days_between, greatest_of

CUSTOMERS = Customer.__table__
INVOICES = Invoice.__table__


@dataclass(frozen=True)
class _Ladder:
    days_past_due: ColumnElement[Any]
    target: ColumnElement[Any]


def _ladder(as_of: date, rules: EscalationRules) -> _Ladder:
    """Mirrors ``domain.escalation.target_stage`` for every customer row."""
    c, inv = CUSTOMERS.c, INVOICES.c
    day = bindparam("as_of", as_of, type_=Date)
    overdue = and_(c.oldest_open_due.is_not(None), c.oldest_open_due < day)
    days_past_due = case((overdue, days_between(day, c.oldest_open_due)), else_=0)
    disputed_left = exists().where(
        inv.customer_id == c.id, inv.status == literal_column("'disputed'"), inv.open_amount > literal_column("0")
    )
    fully_paid = and_(c.open_balance == 0, c.oldest_open_due.is_(None), ~disputed_left)
    current = case(*[(c.stage == literal_column(f"'{s}'"), i) for i, s in enumerate(LADDER)], else_=0)
    by_days = case(
        *[
            (days_past_due >= bindparam(f"days_{stage}", days), stage_index(stage))
            for stage, days in day_thresholds(rules)
        ],
        else_=0,
    )
    by_attempts = case(
        (
            c.failed_attempts
            >= bindparam("attempts_cap", rules.failed_attempts_per_stage * stage_index(HIGHEST_BY_ATTEMPTS)),
            stage_index(HIGHEST_BY_ATTEMPTS),
        ),
        else_=c.failed_attempts // bindparam("attempts_per_stage", rules.failed_attempts_per_stage),
    )
    index = case((fully_paid, 0), (~overdue, current), else_=greatest_of(current, by_days, by_attempts))
    target = case(*[(index == i, literal_column(f"'{s}'")) for i, s in enumerate(LADDER)], else_=c.stage)
    return _Ladder(days_past_due, target)


def stage_changes_select(as_of: date, rules: EscalationRules) -> Select[Any]:
    """Accounts whose stage should change: id, stage, target, days past due, attempts, rep."""
    ladder = _ladder(as_of, rules)
    c = CUSTOMERS.c
    return (
        select(
            c.id,
            c.stage,
            ladder.target.label("target"),
            ladder.days_past_due.label("days_past_due"),
            c.failed_attempts,
            c.sales_rep,
        )
        .where(ladder.target != c.stage)
        .order_by(c.id)
    )


def apply_stage_changes(as_of: date, rules: EscalationRules, now: datetime) -> Update:
    """One UPDATE moving every account whose stage should change to its target."""
    ladder = _ladder(as_of, rules)
    return (
        update(Customer)
        .where(ladder.target != CUSTOMERS.c.stage)
        .values(stage=ladder.target, updated_at=bindparam("now", now, type_=UTCDateTime()))
    )
