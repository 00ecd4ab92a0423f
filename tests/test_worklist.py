"""Today's worklist: who is on it, in what order, and why — the same on SQLite and PostgreSQL."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from sqlalchemy import update

from account_factory import NOW, TODAY, add_customer, add_invoice, add_promise
from collectdesk.domain.errors import InputError
from collectdesk.services.context import AppContext
from collectdesk.services.upkeep import bring_up_to_date
from collectdesk.services.worklist import (
    WorklistRow,
    agency_ready,
    build_worklist,
    rank_todays_list,
    score_account,
    score_params,
)
from collectdesk.store.models import Customer, Invoice
from collectdesk.store.worklist_cache import ranking_key, stored_key

_build_worklist = build_worklist


@pytest.fixture(autouse=True, params=["live", "marked", "rescored"])
def reading(request: pytest.FixtureRequest, ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Every test reads today's list three ways: every account scored live; from a ranking stored
    before the test, every account changed since scored live; from a ranking brought up to date
    just before the read. They must agree."""
    mode: str = request.param

    def read(ctx: AppContext, *, as_of: date | None = None, **kwargs: int) -> list[WorklistRow]:
        today = as_of in (None, ctx.clock.today())
        if mode == "rescored" and today:
            rank_todays_list(ctx)
        if mode != "live" and today:
            with ctx.db.engine.connect() as connection:  # the stored ranking is really read
                assert stored_key(connection) == ranking_key(score_params(ctx, None))
        return _build_worklist(ctx, as_of=as_of, **kwargs)

    if mode == "marked":
        rank_todays_list(ctx)
    monkeypatch.setattr(sys.modules[__name__], "build_worklist", read)
    yield mode


def _refs(ctx: AppContext, **kwargs: object) -> list[str]:
    return [row.ref for row in build_worklist(ctx, **kwargs)]  # type: ignore[arg-type]


def _overdue(ctx: AppContext, ref: str, days: int = 30, **fields: object) -> int:
    customer = add_customer(ctx, ref, **fields)
    add_invoice(ctx, customer, days_past_due=days)
    return customer


def test_overdue_accounts_come_toughest_first(ctx: AppContext) -> None:
    _overdue(ctx, "MILD", days=5)
    _overdue(ctx, "HARD", days=80)
    _overdue(ctx, "MID", days=30)
    rows = build_worklist(ctx)
    assert [r.ref for r in rows] == ["HARD", "MID", "MILD"]
    assert [r.rank for r in rows] == [1, 2, 3]
    assert rows[0].oldest_days_past_due == 80 and rows[0].reason == "overdue"
    assert rows[0].overdue == 100_000


@pytest.mark.parametrize(
    "fields",
    [
        {"on_hold": True},
        {"do_not_call": True},
        {"cease_contact": True},
        {"lawyer_represented": True},
        {"stage": "agency"},
        {"next_action_on": TODAY + timedelta(days=1)},
    ],
)
def test_accounts_that_may_not_be_chased_today_are_left_off(ctx: AppContext, fields: dict[str, object]) -> None:
    _overdue(ctx, "KEPT")
    customer = _overdue(ctx, "LEFT", days=60, **fields)
    assert _refs(ctx) == ["KEPT"]
    row = score_account(ctx, customer)
    assert row is not None and not row.on_list and row.score > 0


def test_next_action_today_or_earlier_is_due(ctx: AppContext) -> None:
    _overdue(ctx, "TODAY", next_action_on=TODAY)
    _overdue(ctx, "PAST", next_action_on=TODAY - timedelta(days=3))
    assert set(_refs(ctx)) == {"TODAY", "PAST"}


def test_fully_disputed_accounts_are_left_off(ctx: AppContext) -> None:
    customer = add_customer(ctx, "DISPUTED")
    add_invoice(ctx, customer, days_past_due=50, status="disputed")
    partly = add_customer(ctx, "PARTLY")
    add_invoice(ctx, partly, days_past_due=50, status="disputed")
    add_invoice(ctx, partly, days_past_due=10, amount=30_000)
    rows = build_worklist(ctx)
    assert [r.ref for r in rows] == ["PARTLY"]
    assert rows[0].overdue == 30_000 and rows[0].oldest_days_past_due == 10


def test_accounts_with_nothing_overdue_are_left_off(ctx: AppContext) -> None:
    customer = add_customer(ctx, "CURRENT")
    add_invoice(ctx, customer, days_past_due=-10, issued_days_before_due=30)
    paid = add_customer(ctx, "PAID")
    add_invoice(ctx, paid, days_past_due=40, paid_days_after_due=0)
    assert _refs(ctx) == []


def test_a_promise_that_fell_due_unpaid_is_listed_with_a_bonus(ctx: AppContext) -> None:
    customer = add_customer(ctx, "PROMISED")
    add_invoice(ctx, customer, days_past_due=-5, issued_days_before_due=30)
    add_promise(ctx, customer, promised_on=TODAY - timedelta(days=1))
    later = add_customer(ctx, "NOT YET")
    add_invoice(ctx, later, days_past_due=-5, issued_days_before_due=30)
    add_promise(ctx, later, promised_on=TODAY + timedelta(days=2))
    rows = build_worklist(ctx)
    assert [(r.ref, r.reason) for r in rows] == [("PROMISED", "promise_due")]
    assert rows[0].breakdown["promise"] == 50.0


def test_a_callback_is_listed_once_its_time_has_come(ctx: AppContext) -> None:
    add_customer(ctx, "DUE", next_action_on=TODAY, next_action_at=NOW - timedelta(minutes=5))
    add_customer(ctx, "LATER", next_action_on=TODAY, next_action_at=NOW + timedelta(hours=2))
    rows = build_worklist(ctx)
    assert [(r.ref, r.reason) for r in rows] == [("DUE", "callback_due")]
    assert rows[0].breakdown["callback"] == 60.0
    # Looking at the end of today, the later callback is due too.
    assert set(_refs(ctx, as_of=TODAY + timedelta(days=1))) == {"DUE", "LATER"}


def test_receipt_confirmations_come_below_all_overdue_work(ctx: AppContext) -> None:
    _overdue(ctx, "OVERDUE", days=1)
    new = add_customer(ctx, "NEW")
    add_invoice(ctx, new, days_past_due=-28, issued_days_before_due=30)
    late_payer = add_customer(ctx, "LATE PAYER")
    add_invoice(ctx, late_payer, days_past_due=120, paid_days_after_due=30)
    add_invoice(ctx, late_payer, days_past_due=-27, issued_days_before_due=30)
    good = add_customer(ctx, "GOOD PAYER")
    add_invoice(ctx, good, days_past_due=120, paid_days_after_due=0)
    add_invoice(ctx, good, days_past_due=-27, issued_days_before_due=30)
    confirmed = add_customer(ctx, "CONFIRMED")
    add_invoice(ctx, confirmed, days_past_due=-28, issued_days_before_due=30, receipt_confirmed_at=NOW)
    rows = build_worklist(ctx)
    assert [(r.ref, r.reason) for r in rows] == [
        ("OVERDUE", "overdue"),
        ("LATE PAYER", "confirm_receipt"),
        ("NEW", "confirm_receipt"),
    ]


def test_ties_are_broken_the_same_way_every_time(ctx: AppContext) -> None:
    for ref in ("T3", "T1", "T2"):
        _overdue(ctx, ref, days=20)
    first = build_worklist(ctx)
    assert [r.ref for r in first] == ["T3", "T1", "T2"]  # equal scores: by customer id
    assert len({r.score for r in first}) == 1
    assert [r.ref for r in build_worklist(ctx)] == ["T3", "T1", "T2"]


def test_pages_follow_on_from_each_other(ctx: AppContext) -> None:
    for n in range(7):
        _overdue(ctx, f"P{n}", days=10 + n)
    whole = _refs(ctx)
    assert _refs(ctx, limit=3) + _refs(ctx, limit=3, offset=3) + _refs(ctx, limit=3, offset=6) == whole
    assert [r.rank for r in build_worklist(ctx, limit=2, offset=4)] == [5, 6]
    with pytest.raises(InputError):
        build_worklist(ctx, limit=0)


def test_as_of_answers_as_that_day_would(ctx: AppContext) -> None:
    customer = add_customer(ctx, "SOON", next_action_on=TODAY + timedelta(days=3))
    add_invoice(ctx, customer, days_past_due=-2)
    assert _refs(ctx) == []
    ahead = build_worklist(ctx, as_of=TODAY + timedelta(days=5))
    assert [(r.ref, r.oldest_days_past_due) for r in ahead] == [("SOON", 3)]


def test_overdue_counts_only_invoices_past_due_on_the_day(ctx: AppContext) -> None:
    customer = add_customer(ctx, "MIXED")
    for days, amount in ((40, 10_000), (10, 20_000), (-5, 40_000), (-20, 80_000)):
        add_invoice(ctx, customer, days_past_due=days, amount=amount)
    for as_of, expected in (
        (TODAY, 30_000),
        (TODAY + timedelta(days=6), 70_000),
        (TODAY + timedelta(days=30), 150_000),
        (TODAY - timedelta(days=20), 10_000),
    ):
        row = score_account(ctx, customer, as_of=as_of)
        assert row is not None and row.overdue == expected, as_of


def test_payments_change_the_list_at_once(ctx: AppContext) -> None:
    customer = _overdue(ctx, "PAYER")
    with ctx.db.session() as session:
        session.execute(
            update(Invoice).where(Invoice.customer_id == customer).values(open_amount=0, status="paid", paid_on=TODAY)
        )
    assert _refs(ctx) == []


def test_agency_ready_lists_accounts_at_the_threshold(ctx: AppContext) -> None:
    _overdue(ctx, "AT", days=90)
    _overdue(ctx, "OVER", days=130)
    _overdue(ctx, "UNDER", days=89)
    _overdue(ctx, "HELD", days=200, on_hold=True)
    referred = _overdue(ctx, "REFERRED", days=150)
    with ctx.db.session() as session:
        session.execute(update(Customer).where(Customer.id == referred).values(stage="agency"))
    assert [r.ref for r in agency_ready(ctx)] == ["OVER", "AT"]
    assert all(r.ready_for_referral for r in agency_ready(ctx))


def test_the_toughest_accounts_stay_on_the_list_ready_for_referral(ctx: AppContext) -> None:
    _overdue(ctx, "DAYS12", days=12)
    _overdue(ctx, "DAYS120", days=120)
    _overdue(ctx, "DAYS95", days=95)
    bring_up_to_date(ctx)  # the upkeep runs escalation: nobody is referred by the calendar
    rows = build_worklist(ctx)
    assert [r.ref for r in rows] == ["DAYS120", "DAYS95", "DAYS12"]
    assert [r.ready_for_referral for r in rows] == [True, True, False]
    assert rows[0].breakdown["referral"] == 100.0 and rows[2].breakdown["referral"] == 0.0
    assert {r.stage for r in rows[:2]} == {"legal"}


def test_unknown_account_scores_none(ctx: AppContext) -> None:
    assert score_account(ctx, 12345) is None


def test_same_order_on_every_backend(ctx: AppContext) -> None:
    """Runs on both backends (the fixture): capped points, ties and fractions order the same."""
    specs = [
        ("A", 30, 5_000_000, 2),
        ("B", 30, 5_000_000, 2),
        ("C", 31, 100, 0),
        ("D", 29, 9_000_000, 3),
        ("E", 200, 1, 0),
        ("F", 1, 12_345_678, 11),
    ]
    for ref, days, amount, attempts in specs:
        customer = add_customer(ctx, ref, failed_attempts=attempts)
        add_invoice(ctx, customer, days_past_due=days, amount=amount)
    rows = build_worklist(ctx)
    assert [(r.ref, round(r.score, 5)) for r in rows] == [
        ("F", 1 + 200 + 80),
        ("E", 180.00002 + 100),  # 200 days past due: ready for referral
        ("D", 29 + 180 + 24),
        ("A", 30 + 100 + 16),
        ("B", 146),
        ("C", 31.002),
    ]


def test_a_call_closed_within_the_hour_marks_that_account_alone(ctx: AppContext) -> None:
    from collectdesk.services.calls import CallOutcome, close_call, start_call

    called = _overdue(ctx, "CALLED", days=60)
    for ref in ("OTHER-1", "OTHER-2"):
        _overdue(ctx, ref, days=30)
    call = start_call(ctx, called)
    close_call(ctx, call.id, CallOutcome("NOANSWER", next_action_on=ctx.clock.today()))
    marks = {row.ref: (row.closed_by, row.closed_at) for row in build_worklist(ctx)}
    assert marks == {
        "CALLED": ("tester", ctx.clock.now()),
        "OTHER-1": (None, None),
        "OTHER-2": (None, None),
    }
