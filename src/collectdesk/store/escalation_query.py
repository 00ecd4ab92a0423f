"""The escalation ladder in SQL: every account's target stage in one expression, set-based.

Built from the domain's definition (``domain/escalation.py``): the same thresholds, the same cap
on failed attempts, referred accounts left alone. ``tests/test_escalation_sql.py`` runs both on the
same cases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, Select, and_, bindparam, case, exists, literal_column, or_, select, update
from sqlalchemy.sql.dml import Update
from sqlalchemy.sql.expression import ColumnElement

from collectdesk.domain import invoice_status
from collectdesk.domain.escalation import day_thresholds
from collectdesk.domain.stages import FIRST_STAGE, HIGHEST_AUTOMATIC, REFERRED, stage_index
from collectdesk.settings import EscalationRules
from collectdesk.store.models import Activity, Customer, Invoice, UTCDateTime
from collectdesk.store.sqlfuncs import days_between, greatest_of
from collectdesk.store.stage_sql import stage_literal, stage_named, stage_number

CUSTOMERS = Customer.__table__
# The activity kind a supervisor's referral writes (services/agency.py).
REFERRAL_KIND = "agency_referral"
INVOICES = Invoice.__table__


@dataclass(frozen=True)
class _Ladder:
    days_past_due: ColumnElement[Any]
    target: ColumnElement[Any]
    moves: ColumnElement[Any]


def _ladder(as_of: date, rules: EscalationRules) -> _Ladder:
    """``domain.escalation.target_stage`` for every customer row, and whether it changes."""
    c, inv = CUSTOMERS.c, INVOICES.c
    day = bindparam("as_of", as_of, type_=Date)
    overdue = and_(c.oldest_open_due.is_not(None), c.oldest_open_due < day)
    days_past_due = case((overdue, days_between(day, c.oldest_open_due)), else_=0)
    disputed_left = exists().where(
        inv.customer_id == c.id,
        inv.status == literal_column(f"'{invoice_status.DISPUTED}'"),
        inv.open_amount > literal_column("0"),
    )
    fully_paid = and_(c.open_balance == 0, c.oldest_open_due.is_(None), ~disputed_left)
    current = stage_number(c.stage)
    by_days = case(
        *[
            (days_past_due >= bindparam(f"days_{stage}", days), stage_index(stage))
            for stage, days in day_thresholds(rules)
        ],
        else_=0,
    )
    top = stage_index(HIGHEST_AUTOMATIC)
    by_attempts = case(
        (c.failed_attempts >= bindparam("attempts_cap", rules.failed_attempts_per_stage * top), top),
        else_=c.failed_attempts // bindparam("attempts_per_stage", rules.failed_attempts_per_stage),
    )
    index = case((fully_paid, 0), (~overdue, current), else_=greatest_of(current, by_days, by_attempts))
    target = stage_named(index, c.stage)
    # Only two kinds of account can move: an overdue one (up) and a paid one not at reminder
    # (down). Testing that first keeps the ladder off every other row.
    could_move = and_(
        c.stage != stage_literal(REFERRED),
        or_(overdue, and_(c.stage != stage_literal(FIRST_STAGE), c.oldest_open_due.is_(None))),
    )
    return _Ladder(days_past_due, target, and_(could_move, target != c.stage))


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
        .where(ladder.moves)
        .order_by(c.id)
    )


def unreferred_at_agency(now: datetime) -> tuple[Select[Any], Update]:
    """Accounts at the agency stage that nobody referred and with no referred invoice (the calendar
    used to put them there):
    which they are, and the UPDATE that puts them back at the top of the automatic ladder."""
    c, a, inv = CUSTOMERS.c, Activity.__table__.c, INVOICES.c
    unreferred = and_(
        c.stage == stage_literal(REFERRED),
        ~exists().where(a.customer_id == c.id, a.kind == literal_column(f"'{REFERRAL_KIND}'")),
        ~exists().where(inv.customer_id == c.id, inv.status == literal_column(f"'{invoice_status.REFERRED}'")),
    )
    found = select(c.id, c.sales_rep).where(unreferred).order_by(c.id)
    back = (
        update(Customer)
        .where(unreferred)
        .values(stage=HIGHEST_AUTOMATIC, updated_at=bindparam("now", now, type_=UTCDateTime()))
    )
    return found, back


def apply_stage_changes(as_of: date, rules: EscalationRules, now: datetime) -> Update:
    """One UPDATE moving every account whose stage should change to its target."""
    ladder = _ladder(as_of, rules)
    return (
        update(Customer)
        .where(ladder.moves)
        .values(stage=ladder.target, updated_at=bindparam("now", now, type_=UTCDateTime()))
    )
