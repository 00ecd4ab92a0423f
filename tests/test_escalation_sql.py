"""One escalation rule: the SQL the upkeep runs gives what ``domain.escalation.target_stage`` gives,
case by case, on every backend."""

from __future__ import annotations

from itertools import product

from sqlalchemy import insert, select

from account_factory import NOW, TODAY
from collectdesk.domain.escalation import ready_for_referral, target_stage
from collectdesk.domain.stages import STAGES
from collectdesk.services.context import AppContext
from collectdesk.settings import EscalationRules
from collectdesk.store.escalation_query import stage_changes_select
from collectdesk.store.models import Customer, Invoice

RULES = EscalationRules(failed_attempts_per_stage=3)
DAYS = (-5, 0, 1, 14, 15, 29, 30, 44, 45, 59, 60, 89, 90, 400)
ATTEMPTS = (0, 2, 3, 6, 11, 12, 40)
BALANCES = ("paid", "open", "disputed")


def _customer_row(ref: str, stage: str, attempts: int) -> dict[str, object]:
    return {
        "ref": ref,
        "name": ref,
        "stage": stage,
        "failed_attempts": attempts,
        "created_at": NOW,
        "updated_at": NOW,
    }


def _load_cases(ctx: AppContext, cases: list[tuple[str, int, int, str]]) -> None:
    """One customer per (stage, days past due, failed attempts, balance), in id order."""
    from datetime import timedelta

    with ctx.db.session() as session:
        ids = session.execute(
            insert(Customer).returning(Customer.id, sort_by_parameter_order=True),
            [_customer_row(f"C{i}", stage, attempts) for i, (stage, _, attempts, _) in enumerate(cases)],
        ).scalars()
        invoices = []
        for customer_id, (_, days, _, balance) in zip(ids, cases, strict=True):
            if balance == "paid":
                continue
            due = TODAY - timedelta(days=days)
            invoices.append(
                {
                    "customer_id": customer_id,
                    "number": "1",
                    "issue_date": due - timedelta(days=30),
                    "due_date": due,
                    "amount": 1000,
                    "open_amount": 1000,
                    "currency": "USD",
                    "status": balance,
                    "created_at": NOW,
                }
            )
        session.execute(insert(Invoice), invoices)


def test_sql_and_domain_agree_on_every_case(ctx: AppContext) -> None:
    cases = list(product(STAGES, DAYS, ATTEMPTS, BALANCES))
    _load_cases(ctx, cases)
    with ctx.db.session() as session:
        moved = {row.id: row.target for row in session.execute(stage_changes_select(TODAY, RULES))}
        ids_in_order = session.scalars(select(Customer.id).order_by(Customer.id)).all()
    disagreements = []
    for customer_id, (stage, days, attempts, balance) in zip(ids_in_order, cases, strict=True):
        # A disputed invoice is on hold: not counted as past due, and the account not paid.
        past_due = days if balance == "open" and days > 0 else 0
        expected = target_stage(
            stage, days_past_due=past_due, failed_attempts=attempts, fully_paid=balance == "paid", rules=RULES
        )
        actual = moved.get(customer_id, stage)
        if actual != expected:
            disagreements.append((stage, days, attempts, balance, expected, actual))
    assert disagreements == []
    assert len(moved) > 100  # the cases do move accounts, both up and back to reminder


def test_sql_and_domain_agree_on_who_is_ready_for_referral(ctx: AppContext) -> None:
    cases = list(product(STAGES, DAYS, (0, 12), ("open",)))
    _load_cases(ctx, cases)
    with ctx.db.session() as session:
        moves = session.execute(stage_changes_select(TODAY, RULES)).all()
    assert moves
    disagreements = [
        (move.target, move.days_past_due, bool(move.ready))
        for move in moves
        if bool(move.ready) != ready_for_referral(move.target, move.days_past_due, RULES)
    ]
    assert disagreements == []
    assert any(move.ready for move in moves) and not all(move.ready for move in moves)
