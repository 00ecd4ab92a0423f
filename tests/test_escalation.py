"""The escalation ladder: each transition, the log, the wording and the way back once paid."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update

from account_factory import add_customer, add_invoice
from collectdesk.domain.escalation import (
    LADDER,
    next_step_wording,
    ready_for_referral,
    render_next_step,
    target_stage,
)
from collectdesk.services.context import AppContext
from collectdesk.services.escalation import refresh_escalations
from collectdesk.settings import EscalationRules
from collectdesk.store.models import Activity, Customer, Invoice

RULES = EscalationRules()


@pytest.mark.parametrize(
    "days, expected",
    [
        (0, "reminder"),
        (14, "reminder"),
        (15, "follow_up"),
        (30, "sales_rep"),
        (45, "management"),
        (60, "legal"),
        (89, "legal"),
        (90, "legal"),
        (400, "legal"),
    ],
)
def test_days_past_due_set_the_stage(days: int, expected: str) -> None:
    assert target_stage("reminder", days_past_due=days, failed_attempts=0, fully_paid=False, rules=RULES) == expected


@pytest.mark.parametrize(
    "attempts, expected",
    [(3, "reminder"), (4, "follow_up"), (8, "sales_rep"), (12, "management"), (16, "legal"), (99, "legal")],
)
def test_failed_attempts_escalate_but_never_to_an_agency(attempts: int, expected: str) -> None:
    assert (
        target_stage("reminder", days_past_due=5, failed_attempts=attempts, fully_paid=False, rules=RULES) == expected
    )


def test_no_number_of_days_refers_an_account_to_an_agency() -> None:
    assert target_stage("legal", days_past_due=120, failed_attempts=40, fully_paid=False, rules=RULES) == "legal"
    assert ready_for_referral("legal", 90, RULES) and ready_for_referral("reminder", 120, RULES)
    assert not ready_for_referral("legal", 89, RULES)
    assert not ready_for_referral("agency", 120, RULES)  # already referred


def test_a_referred_account_stays_referred() -> None:
    assert target_stage("agency", days_past_due=0, failed_attempts=0, fully_paid=True, rules=RULES) == "agency"
    assert target_stage("agency", days_past_due=10, failed_attempts=0, fully_paid=False, rules=RULES) == "agency"


def test_accounts_never_move_down_unless_paid() -> None:
    assert target_stage("legal", days_past_due=5, failed_attempts=0, fully_paid=False, rules=RULES) == "legal"
    assert target_stage("legal", days_past_due=0, failed_attempts=0, fully_paid=True, rules=RULES) == "reminder"


def test_every_stage_has_next_step_wording() -> None:
    for stage in LADDER:
        assert next_step_wording(stage)
    assert "{sales_rep}" in next_step_wording("sales_rep")
    assert "Pat Lee will be in touch" in render_next_step("sales_rep", sales_rep="Pat Lee", agency_days=90)
    with pytest.raises(ValueError):
        next_step_wording("prison")


def test_only_a_referred_account_is_told_it_has_been_referred() -> None:
    assert "has been referred" in render_next_step("agency", sales_rep=None, agency_days=90)
    for stage in LADDER[:-1]:
        assert "has been referred" not in render_next_step(stage, sales_rep=None, agency_days=90)
    final = render_next_step("legal", sales_rep=None, agency_days=90, final_demand_by=date(2026, 6, 22))
    assert final == (
        "This is our final demand: unless it is paid by Monday 22 June 2026, we will refer it to a collection agency."
    )


def _stage(ctx: AppContext, customer: int) -> str:
    with ctx.db.session() as session:
        return session.scalars(select(Customer.stage).where(Customer.id == customer)).one()


def _log(ctx: AppContext, customer: int) -> list[tuple[str, str]]:
    with ctx.db.session() as session:
        entries = session.scalars(
            select(Activity)
            .where(Activity.customer_id == customer, Activity.kind == "escalation")
            .order_by(Activity.id)
        ).all()
        return [(e.details["from"], e.details["to"]) for e in entries if e.details]


@pytest.mark.parametrize(
    "days, stage", [(16, "follow_up"), (31, "sales_rep"), (46, "management"), (61, "legal"), (120, "legal")]
)
def test_refresh_moves_an_account_up_with_one_entry_per_move(ctx: AppContext, days: int, stage: str) -> None:
    customer = add_customer(ctx, "UP", sales_rep="Pat Lee")
    add_invoice(ctx, customer, days_past_due=days)
    assert refresh_escalations(ctx) == 1
    assert _stage(ctx, customer) == stage
    assert _log(ctx, customer) == [("reminder", stage)]
    assert refresh_escalations(ctx) == 0  # nothing more to do


def test_a_jump_of_several_stages_writes_one_entry_with_one_next_step(ctx: AppContext) -> None:
    customer = add_customer(ctx, "JUMP", sales_rep="Pat Lee")
    add_invoice(ctx, customer, days_past_due=95)
    refresh_escalations(ctx)
    with ctx.db.session() as session:
        (summary,) = session.scalars(select(Activity.summary).where(Activity.kind == "escalation")).all()
    assert summary.startswith("Escalated reminder → legal (95 days past due")
    assert summary.count("Tell the customer") == 1
    assert "final demand: unless it is paid by Monday 30 November 2026" in summary  # ready for referral
    assert "has been referred" not in summary


def test_a_long_break_is_one_move_too(ctx: AppContext) -> None:
    from datetime import timedelta

    from account_factory import TODAY

    customer = add_customer(ctx, "BREAK")
    add_invoice(ctx, customer, days_past_due=16)
    refresh_escalations(ctx)
    refresh_escalations(ctx, as_of=TODAY + timedelta(days=50))  # nobody ran the desk for 50 days
    assert _log(ctx, customer) == [("reminder", "follow_up"), ("follow_up", "legal")]


def test_a_referred_account_is_left_alone_by_the_pass(ctx: AppContext) -> None:
    customer = add_customer(ctx, "REFERRED", stage="agency")
    add_invoice(ctx, customer, days_past_due=120, status="agency")
    assert refresh_escalations(ctx) == 0
    assert _stage(ctx, customer) == "agency"


def test_an_account_the_calendar_sent_to_the_agency_comes_back_to_the_list(ctx: AppContext) -> None:
    from collectdesk.services.agency import refer_account

    stranded = add_customer(ctx, "STRANDED", stage="agency")  # moved there by an earlier version
    add_invoice(ctx, stranded, days_past_due=120)
    referred = add_customer(ctx, "DECIDED")
    add_invoice(ctx, referred, days_past_due=120)
    refer_account(ctx, "DECIDED", reason="no answer to the final demand")
    assert refresh_escalations(ctx) == 1
    assert (_stage(ctx, stranded), _stage(ctx, referred)) == ("legal", "agency")
    assert _log(ctx, stranded) == [("agency", "legal")]
    assert refresh_escalations(ctx) == 0


def test_escalation_summary_tells_the_next_step(ctx: AppContext) -> None:
    customer = add_customer(ctx, "REP", sales_rep="Pat Lee", stage="follow_up")
    add_invoice(ctx, customer, days_past_due=35)
    refresh_escalations(ctx)
    with ctx.db.session() as session:
        summary = session.scalars(select(Activity.summary)).one()
    assert "follow_up → sales_rep" in summary and "Pat Lee will be in touch" in summary


def test_failed_attempts_move_an_account_up(ctx: AppContext) -> None:
    customer = add_customer(ctx, "NOANSWER", failed_attempts=8)
    add_invoice(ctx, customer, days_past_due=3)
    refresh_escalations(ctx)
    assert _stage(ctx, customer) == "sales_rep"


def test_fully_paid_account_goes_back_to_reminder(ctx: AppContext) -> None:
    customer = add_customer(ctx, "PAID", stage="legal")
    invoice = add_invoice(ctx, customer, days_past_due=70)
    assert refresh_escalations(ctx) == 0
    with ctx.db.session() as session:
        session.execute(update(Invoice).where(Invoice.id == invoice).values(open_amount=0, status="paid", paid_on=None))
    assert refresh_escalations(ctx) == 1
    assert _stage(ctx, customer) == "reminder"
    assert _log(ctx, customer) == [("legal", "reminder")]


def test_disputed_balance_keeps_the_stage(ctx: AppContext) -> None:
    customer = add_customer(ctx, "DISPUTE", stage="management")
    add_invoice(ctx, customer, days_past_due=50, status="disputed")
    assert refresh_escalations(ctx) == 0
    assert _stage(ctx, customer) == "management"


def test_as_of_looks_ahead(ctx: AppContext) -> None:
    from datetime import timedelta

    from account_factory import TODAY

    customer = add_customer(ctx, "AHEAD")
    add_invoice(ctx, customer, days_past_due=10)
    refresh_escalations(ctx, as_of=TODAY + timedelta(days=20))
    assert _stage(ctx, customer) == "sales_rep"


def test_the_ranked_list_follows_an_escalation_at_once_and_later_changes_too(ctx: AppContext) -> None:
    from collectdesk.services.worklist import build_worklist, rank_todays_list

    moving = add_customer(ctx, "MOVING")
    add_invoice(ctx, moving, days_past_due=50)  # reminder → management: 45 points more
    steady = add_customer(ctx, "STEADY", stage="management")
    add_invoice(ctx, steady, days_past_due=20)  # stays at management
    rank_todays_list(ctx)
    assert [row.ref for row in build_worklist(ctx)] == ["STEADY", "MOVING"]
    assert refresh_escalations(ctx) == 1
    assert [(row.ref, row.stage) for row in build_worklist(ctx)] == [("MOVING", "management"), ("STEADY", "management")]
    with ctx.db.session() as session:  # an ordinary change after the pass still reaches the list
        session.execute(update(Customer).where(Customer.id == steady).values(on_hold=True))
    assert [row.ref for row in build_worklist(ctx)] == ["MOVING"]
    assert _log(ctx, moving) == [("reminder", "management")]


def test_a_pass_that_fails_moves_nothing_and_leaves_the_list_marking_changes(
    ctx: AppContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    import collectdesk.services.escalation as escalation
    from collectdesk.services.worklist import build_worklist, rank_todays_list

    moving = add_customer(ctx, "MOVING")
    add_invoice(ctx, moving, days_past_due=50)
    steady = add_customer(ctx, "STEADY", stage="management")
    add_invoice(ctx, steady, days_past_due=20)
    rank_todays_list(ctx)

    def broken_log(*_: object, **__: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(escalation, "log_for_accounts", broken_log)
    with pytest.raises(RuntimeError):
        refresh_escalations(ctx)
    assert _stage(ctx, moving) == "reminder" and _log(ctx, moving) == []
    with ctx.db.session() as session:  # the ranking still hears of every change
        session.execute(update(Customer).where(Customer.id == steady).values(on_hold=True))
    assert [row.ref for row in build_worklist(ctx)] == ["MOVING"]


def _entries(ctx: AppContext) -> dict[int, tuple[str, object]]:
    with ctx.db.session() as session:
        rows = session.execute(
            select(Activity.customer_id, Activity.summary, Activity.details).where(Activity.kind == "escalation")
        ).all()
    return {row.customer_id: (row.summary, row.details) for row in rows}


def test_each_entry_says_the_whole_move_with_the_next_step_for_its_account(ctx: AppContext) -> None:
    from account_factory import TODAY

    with_rep = add_customer(ctx, "REP", sales_rep="Pat Lee", stage="follow_up", failed_attempts=2)
    add_invoice(ctx, with_rep, days_past_due=35)
    no_rep = add_customer(ctx, "NOREP", failed_attempts=1)
    add_invoice(ctx, no_rep, days_past_due=20)
    ready = add_customer(ctx, "READY", sales_rep="Sam Roe")
    add_invoice(ctx, ready, days_past_due=95)
    paid = add_customer(ctx, "PAID", stage="management", sales_rep="Pat Lee")
    assert refresh_escalations(ctx) == 4
    entries = _entries(ctx)
    assert entries[with_rep] == (
        "Escalated follow_up → sales_rep (35 days past due, 2 failed attempts in a row). Tell the customer: "
        + render_next_step("sales_rep", sales_rep="Pat Lee", agency_days=RULES.agency_days),
        {"from": "follow_up", "to": "sales_rep", "as_of": TODAY.isoformat(), "days_past_due": 35, "failed_attempts": 2},
    )
    assert entries[no_rep][0] == (
        "Escalated reminder → follow_up (20 days past due, 1 failed attempts in a row). Tell the customer: "
        "If the balance stays open, your account manager will be in touch about it."
    )
    assert entries[ready][0].endswith(
        "Tell the customer: This is our final demand: unless it is paid by Monday 30 November 2026, "
        "we will refer it to a collection agency."
    )
    assert entries[paid] == (
        "Back to reminder from management: the account is fully paid.",
        {"from": "management", "to": "reminder", "as_of": TODAY.isoformat(), "days_past_due": 0, "failed_attempts": 0},
    )


def test_many_kinds_of_move_are_each_logged_once(ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    import collectdesk.services.escalation as escalation

    monkeypatch.setattr(escalation, "_KINDS_PER_STATEMENT", 2)  # as if there were thousands of sales reps
    customers = []
    for n in range(5):
        customer = add_customer(ctx, f"R{n}", sales_rep=f"Rep {n}")
        add_invoice(ctx, customer, days_past_due=31)
        customers.append(customer)
    assert refresh_escalations(ctx) == 5
    entries = _entries(ctx)
    assert sorted(entries) == customers
    for n, customer in enumerate(customers):
        assert f"Your account manager Rep {n} will be in touch" in str(entries[customer][0])
    assert [_stage(ctx, customer) for customer in customers] == ["sales_rep"] * 5
