"""The escalation ladder in SQL: every account's target stage in one expression, set-based.

Built from the domain's definition (``domain/escalation.py``): the same thresholds, the same cap
on failed attempts, referred accounts left alone. ``tests/test_escalation_sql.py`` runs both on the
same cases.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    Date,
    Integer,
    MetaData,
    Select,
    String,
    Subquery,
    Table,
    and_,
    bindparam,
    case,
    column,
    exists,
    false,
    func,
    insert,
    literal_column,
    or_,
    select,
    update,
    values,
)
from sqlalchemy.sql.dml import Update
from sqlalchemy.sql.expression import ColumnElement

from collectdesk.domain import invoice_status
from collectdesk.domain.escalation import day_thresholds
from collectdesk.domain.stages import FIRST_STAGE, HIGHEST_AUTOMATIC, REFERRED, stage_index
from collectdesk.settings import EscalationRules
from collectdesk.store.models import Activity, Customer, Invoice, UTCDateTime
from collectdesk.store.sql_text import formatted, json_object_of, text_literal
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


def _ready(target: ColumnElement[Any], days_past_due: ColumnElement[Any], rules: EscalationRules) -> Any:
    """``domain.escalation.ready_for_referral`` of the account at its target stage."""
    return and_(
        target != stage_literal(REFERRED),
        days_past_due > literal_column("0"),
        days_past_due >= bindparam("agency_days", rules.agency_days),
    )


def stage_changes_select(as_of: date, rules: EscalationRules) -> Select[Any]:
    """Accounts whose stage should change: id, stage, target, days past due, attempts, rep, and
    whether the account is ready for a referral at its target stage."""
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
            _ready(ladder.target, ladder.days_past_due, rules).label("ready"),
        )
        .where(ladder.moves)
        .order_by(c.id)
    )


# SQLite: the pass's moves, worked out once and read by each of its statements.
_MOVES = Table(
    "escalation_moves",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("stage", String(16)),
    Column("target", String(16)),
    Column("days_past_due", Integer),
    Column("failed_attempts", Integer),
    Column("sales_rep", String(120)),
    Column("ready", Boolean),
    prefixes=["TEMPORARY"],
)


@contextmanager
def stage_moves(connection: Connection, as_of: date, rules: EscalationRules) -> Iterator[Subquery | Table]:
    """The accounts that change stage, as a FROM source with the columns of
    :func:`stage_changes_select`, for the block.

    SQLite, under the lock :func:`take_write_lock` took: found once into a temporary table (one pass
    over the customers rather than one per statement), dropped again afterwards. Elsewhere the
    ladder itself, judged again by each statement that reads it.
    """
    changes = stage_changes_select(as_of, rules)
    if connection.dialect.name != "sqlite":
        yield changes.order_by(None).subquery("moves")
        return
    # Created in the pass's transaction: a pass that fails takes the table with it in the rollback.
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{_MOVES.name}")
    _MOVES.create(connection)
    connection.execute(insert(_MOVES).from_select([c.name for c in _MOVES.c], changes))
    yield _MOVES
    _MOVES.drop(connection)


def move_kinds(moves: Subquery | Table) -> Select[Any]:
    """Each kind of move the next-step wording depends on: target stage, sales rep ('' for none)
    and whether the account is ready for referral."""
    m = moves.c
    return select(m.target, func.coalesce(m.sales_rep, "").label("sales_rep"), m.ready).distinct()


@dataclass(frozen=True)
class EntryTexts:
    """What an escalation entry says: ``str.format`` templates over the move's ``before``, ``after``,
    ``days_past_due``, ``failed_attempts`` and ``wording`` (the next step for its kind of move)."""

    escalated: str
    paid: str  # back to the first stage once fully paid
    wordings: dict[tuple[str, str, bool], str]  # by move_kinds' (target, sales rep, ready)


def stage_entries_select(moves: Subquery | Table, texts: EntryTexts, as_of: date) -> Select[Any]:
    """One log entry per move, in account order: customer id, summary and details (from, to,
    as_of, days past due, failed attempts), written in SQL."""
    m = moves.c
    wording = (
        values(
            column("target", String),
            column("sales_rep", String),
            column("ready", Boolean),
            column("wording", String),
            name="wordings",
        )
        .data([(target, rep, ready, text) for (target, rep, ready), text in texts.wordings.items()])
        .cte("wordings", nesting=True)
    )
    fields = {
        "before": m.stage,
        "after": m.target,
        "days_past_due": m.days_past_due,
        "failed_attempts": m.failed_attempts,
        "wording": wording.c.wording,
    }
    summary = case(
        (m.target == stage_literal(FIRST_STAGE), formatted(texts.paid, fields)),
        else_=formatted(texts.escalated, fields),
    )
    details = json_object_of(
        ("from", m.stage),
        ("to", m.target),
        ("as_of", text_literal(as_of.isoformat())),
        ("days_past_due", m.days_past_due),
        ("failed_attempts", m.failed_attempts),
    )
    joined = moves.join(
        wording,
        and_(
            wording.c.target == m.target,
            wording.c.sales_rep == func.coalesce(m.sales_rep, ""),
            wording.c.ready == m.ready,
        ),
    )
    entry = (m.id.label("customer_id"), summary.label("summary"), details.label("details"))
    return select(*entry).select_from(joined).order_by(m.id)


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
    connection: Connection, moves: Subquery | Table, as_of: date, rules: EscalationRules, now: datetime
) -> None:
    """Move the accounts :func:`stage_moves` found to their targets.

    SQLite, under the lock :func:`take_write_lock` took before the read: one UPDATE of the accounts
    in ``moves``, marked for the ranking in one statement. Elsewhere one UPDATE over the ladder
    again.
    """
    stamp = bindparam("now", now, type_=UTCDateTime())
    if connection.dialect.name != "sqlite":
        ladder = _ladder(as_of, rules)
        connection.execute(update(Customer).where(ladder.moves).values(stage=ladder.target, updated_at=stamp))
        return
    m = moves.c
    with customers_marked_at_once(connection, select(m.id)):
        connection.execute(
            update(Customer)
            .where(Customer.id.in_(select(m.id)))
            .values(stage=select(m.target).where(m.id == Customer.id).scalar_subquery(), updated_at=stamp)
        )
