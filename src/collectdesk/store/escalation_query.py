"""The escalation ladder in SQL: every account's target stage in one expression, set-based.

Built from the domain's definition (``domain/escalation.py``): the same thresholds, the same cap
on failed attempts, referred accounts left alone. ``tests/test_escalation_sql.py`` runs both on the
same cases.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Date,
    Select,
    and_,
    bindparam,
    case,
    exists,
    false,
    literal_column,
    or_,
    select,
    update,
)
from sqlalchemy.sql.dml import Update
from sqlalchemy.sql.expression import ColumnElement

from collectdesk.domain import invoice_status
from collectdesk.domain.escalation import day_thresholds
from collectdesk.domain.stages import FIRST_STAGE, HIGHEST_AUTOMATIC, REFERRED, stage_index
from collectdesk.settings import EscalationRules
from collectdesk.store.bulk import update_rows
from collectdesk.store.models import Activity, Customer, Invoice, UTCDateTime
from collectdesk.store.sqlfuncs import days_between, greatest_of
from collectdesk.store.stage_sql import stage_literal, stage_named, stage_number
from collectdesk.store.worklist_cache import customers_marked_at_once

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
    # Days past due of at least N is an oldest open due date on or before as_of − N: one date
    # comparison per stage rather than the day arithmetic again for each.
    by_days = case(
        *[
            (
                c.oldest_open_due <= bindparam(f"due_by_{stage}", as_of - timedelta(days=days), type_=Date),
                stage_index(stage),
            )
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
    # Unordered: ORDER BY id would have SQLite read every customer in key order rather than the few
    # at the agency stage through the stage index; the caller sorts them.
    found = select(c.id, c.sales_rep).where(unreferred)
    back = (
        update(Customer)
        .where(unreferred)
        .values(stage=HIGHEST_AUTOMATIC, updated_at=bindparam("now", now, type_=UTCDateTime()))
    )
    return found, back


def take_write_lock(connection: Connection) -> None:
    """SQLite: take the write lock now, so what the pass reads is what it moves (Python's sqlite3
    begins a transaction only at the first write); a no-op elsewhere, where the UPDATE judges each
    row again as it stands."""
    if connection.dialect.name == "sqlite":
        connection.execute(update(Customer).where(false()).values(id=Customer.id))


def apply_stage_changes(
    connection: Connection, moves: Sequence[tuple[int, str]], as_of: date, rules: EscalationRules, now: datetime
) -> None:
    """Move the accounts :func:`stage_changes_select` found (``moves``: id and target stage, in id
    order) to their targets.

    SQLite, under the lock :func:`take_write_lock` took before the read: an UPDATE by key per
    account, in key order, with the accounts marked for the ranking in one statement. Elsewhere one
    UPDATE over the ladder again.
    """
    if connection.dialect.name != "sqlite":
        ladder = _ladder(as_of, rules)
        stamp = bindparam("now", now, type_=UTCDateTime())
        connection.execute(update(Customer).where(ladder.moves).values(stage=ladder.target, updated_at=stamp))
        return
    with customers_marked_at_once(connection, [customer_id for customer_id, _ in moves]):
        table = Customer.metadata.tables[Customer.__tablename__]
        update_rows(connection, table, ("stage", "updated_at"), [(target, now, key) for key, target in moves])
