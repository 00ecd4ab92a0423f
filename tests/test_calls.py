"""The call lifecycle on a real database: start, guard rails, notes, recovery, a validated close."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from collectdesk.domain.errors import InputError
from collectdesk.domain.outcomes import OutcomeError
from collectdesk.services.accounts import account_detail
from collectdesk.services.calls import (
    CallBlocked,
    CallInProgress,
    CallOutcome,
    StartedCall,
    call_blocks,
    call_warnings,
    callable_status,
    close_call,
    propose_next_action,
    save_call_notes,
    start_call,
    unfinished_call,
    validate_outcome,
)
from collectdesk.services.context import AppContext, open_context
from collectdesk.services.promises import PlanInput, PromiseInput
from collectdesk.settings import Settings
from collectdesk.store.models import Activity, Call, Contact, Customer, Invoice, Promise
from ledger_fixtures import add_contact, add_customer, add_invoice

TODAY = date(2026, 11, 23)  # a Monday; the clock says 15:00 UTC = 10:00 in New York
NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def customer_row(ctx: AppContext, customer_id: int) -> Customer:
    with ctx.db.session() as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        session.expunge(customer)
        return customer


def call_row(ctx: AppContext, call_id: int) -> Call:
    with ctx.db.session() as session:
        call = session.get(Call, call_id)
        assert call is not None
        session.expunge(call)
        return call


def activities(ctx: AppContext, customer_id: int) -> list[Activity]:
    with ctx.db.session() as session:
        rows = list(session.scalars(select(Activity).where(Activity.customer_id == customer_id).order_by(Activity.id)))
        session.expunge_all()
        return rows


def add_call(
    ctx: AppContext, customer_id: int, started: datetime, *, code: str = "NOANSWER", right_party: bool = False
) -> None:
    """A past, closed call."""
    with ctx.db.session() as session:
        session.add(
            Call(
                customer_id=customer_id,
                user_id=ctx.user.id,
                started_at=started,
                ended_at=started + timedelta(minutes=2),
                result_code=code,
                right_party=right_party,
                notes="",
            )
        )


@pytest.fixture
def acme(ctx: AppContext) -> tuple[int, int, int]:
    """A New York business owing $1,000 since 2026-10-01 with one contact: the three ids."""
    customer = add_customer(ctx)
    return customer, add_invoice(ctx, customer, 100_000), add_contact(ctx, customer, name="Pat")


@pytest.fixture
def open_call(ctx: AppContext, acme: tuple[int, int, int]) -> Iterator[StartedCall]:
    yield start_call(ctx, acme[0], contact_id=acme[2])


# --- starting ---------------------------------------------------------------------------------


def test_start_writes_the_call_at_once(ctx: AppContext, acme: tuple[int, int, int]) -> None:
    call = start_call(ctx, acme[0], contact_id=acme[2])
    stored = call_row(ctx, call.id)
    assert (stored.started_at, stored.user_id, stored.ended_at) == (NOW, ctx.user.id, None)
    assert (stored.contact_id, stored.phone) == (acme[2], "+12125550111")


def test_one_open_call_per_user(ctx: AppContext, acme: tuple[int, int, int], db_url: str) -> None:
    first = start_call(ctx, acme[0])
    other = add_customer(ctx, name="Beta Ltd")
    with pytest.raises(CallInProgress, match="already have a call open with Acme Corp") as info:
        start_call(ctx, other)
    assert info.value.call_id == first.id
    colleague = open_context(db_url=db_url, user_name="sam", settings=Settings(), clock=ctx.clock)
    try:
        assert start_call(colleague, other).user_id == colleague.user.id
    finally:
        colleague.close()


@pytest.mark.parametrize(
    ("flag", "message"),
    [
        ("do_not_call", "do-not-call"),
        ("cease_contact", "cease contact"),
        ("lawyer_represented", "represented by a lawyer"),
    ],
)
def test_flags_block_the_call(ctx: AppContext, flag: str, message: str) -> None:
    customer = add_customer(ctx, **{flag: True})
    with pytest.raises(CallBlocked, match=message):
        start_call(ctx, customer)
    assert call_blocks(ctx, customer) and unfinished_call(ctx) is None


def test_do_not_call_contact_blocks(ctx: AppContext, acme: tuple[int, int, int]) -> None:
    quiet = add_contact(ctx, acme[0], name="Quiet", do_not_call=True)
    with pytest.raises(CallBlocked, match="Quiet is marked do-not-call"):
        start_call(ctx, acme[0], contact_id=quiet)
    start_call(ctx, acme[0], contact_id=acme[2])


def test_override_with_a_typed_reason_is_logged(ctx: AppContext) -> None:
    customer = add_customer(ctx, do_not_call=True)
    with pytest.raises(CallBlocked):
        start_call(ctx, customer, override_reason="   ")
    call = start_call(ctx, customer, override_reason="customer asked us to call today")
    assert call_row(ctx, call.id).override_reason == "customer asked us to call today"
    [entry] = activities(ctx, customer)
    assert entry.kind == "override" and entry.call_id == call.id
    assert "do-not-call" in entry.summary and "customer asked us to call today" in entry.summary


def test_outside_the_calling_window_blocks(ctx: AppContext) -> None:
    # 15:00 UTC is 07:00 in Los Angeles
    customer = add_customer(ctx, phone="+13105550100")
    with pytest.raises(CallBlocked, match="outside the calling window: Mon 07:00 in America/Los"):
        start_call(ctx, customer)
    assert not callable_status(ctx, customer).callable
    ctx.clock.frozen_at = NOW + timedelta(hours=2)
    start_call(ctx, customer)


def test_timezone_override_decides_the_window(ctx: AppContext) -> None:
    customer = add_customer(ctx, phone="+13105550100", timezone="America/New_York")
    assert callable_status(ctx, customer).callable


def test_unknown_location_warns(ctx: AppContext) -> None:
    customer = add_customer(ctx, phone=None)
    assert "local time unknown: ask for the location" in call_warnings(ctx, customer)
    start_call(ctx, customer)


def test_us_consumer_frequency_limit(ctx: AppContext) -> None:
    customer = add_customer(ctx, kind="consumer")
    for hours in range(1, 8):
        add_call(ctx, customer, NOW - timedelta(hours=12 * hours))
    with pytest.raises(CallBlocked, match="limit for a US consumer is 7"):
        start_call(ctx, customer)


def test_us_consumer_conversation_blocks_for_seven_days(ctx: AppContext) -> None:
    customer = add_customer(ctx, kind="consumer")
    add_call(ctx, customer, NOW - timedelta(days=2), code="NOPROMISE", right_party=True)
    with pytest.raises(CallBlocked, match="within 7 days after a conversation"):
        start_call(ctx, customer)


def test_massachusetts_two_calls_a_week(ctx: AppContext) -> None:
    customer = add_customer(ctx, kind="consumer", region="MA", phone="+16175550100")
    add_call(ctx, customer, NOW - timedelta(days=1))
    start_call(ctx, customer)  # the second call of the week is allowed
    close_call(ctx, unfinished_call(ctx).id, CallOutcome("NOANSWER"))  # type: ignore[union-attr]
    with pytest.raises(CallBlocked, match="Massachusetts is 2"):
        start_call(ctx, customer)


def test_australian_consumer_three_a_week(ctx: AppContext) -> None:
    # 15:00 UTC Monday is 02:00 Tuesday in Sydney: move to 23:00 UTC = 10:00 Tuesday
    ctx.clock.frozen_at = NOW + timedelta(hours=8)
    customer = add_customer(ctx, kind="consumer", country="AU", currency="AUD", phone="+61291234567")
    for days in (1, 2, 3):
        add_call(ctx, customer, NOW - timedelta(days=days))
    assert call_blocks(ctx, customer) == ["3 calls in the last 7 days: the limit for an AU consumer is 3 a week"]


def test_business_called_recently_only_warns(ctx: AppContext, acme: tuple[int, int, int]) -> None:
    add_call(ctx, acme[0], NOW - timedelta(days=1))
    warnings = call_warnings(ctx, acme[0])
    assert any("every 3 days" in w for w in warnings)
    start_call(ctx, acme[0])


# --- notes and recovery -----------------------------------------------------------------------


def test_notes_are_saved_and_the_call_survives_a_restart(ctx: AppContext, open_call: StartedCall, db_url: str) -> None:
    save_call_notes(ctx, open_call.id, "AP clerk says invoice is with the CFO")
    ctx.close()
    again = open_context(db_url=db_url, user_name="tester", settings=Settings(), clock=ctx.clock)
    try:
        found = unfinished_call(again)
        assert found is not None and found.id == open_call.id
        assert found.notes == "AP clerk says invoice is with the CFO"
        close_call(again, found.id, CallOutcome("NOANSWER"))
        assert unfinished_call(again) is None
        with pytest.raises(InputError, match="closed"):
            save_call_notes(again, found.id, "late")
    finally:
        again.close()


def test_another_users_call_is_not_theirs_to_resume(ctx: AppContext, open_call: StartedCall, db_url: str) -> None:
    other = open_context(db_url=db_url, user_name="sam", settings=Settings(), clock=ctx.clock)
    try:
        assert unfinished_call(other) is None
        with pytest.raises(InputError, match="another user"):
            save_call_notes(other, open_call.id, "mine now")
    finally:
        other.close()


# --- what each result requires ----------------------------------------------------------------

LATER = NOW + timedelta(days=1)

REFUSALS: list[tuple[CallOutcome, str, str]] = [
    (CallOutcome("PTP"), "payment_asked", "payment was asked"),
    (CallOutcome("PTP", payment_asked=True), "amount", "exact amount and date"),
    (CallOutcome("PTP", payment_asked=True, promise=PromiseInput(0, TODAY)), "amount", "more than zero"),
    (
        CallOutcome("PTP", payment_asked=True, promise=PromiseInput(5_000, TODAY - timedelta(days=1))),
        "promised_on",
        "past",
    ),
    (
        CallOutcome("PTP", payment_asked=True, promise=PromiseInput(5_000, TODAY), plan=PlanInput(10_000, 2, TODAY)),
        "plan",
        "not both",
    ),
    (CallOutcome("PAID", payment_asked=False), "paid_claim", "when and how they paid"),
    (CallOutcome("DISPUTE", payment_asked=True, dispute_reason="wrong price"), "invoices", "pick the invoice"),
    (CallOutcome("NOPROMISE", payment_asked=True, no_promise_reason=" "), "reason", "the reason"),
    (CallOutcome("CALLBACK", payment_asked=False), "callback_at", "callback date and time"),
    (
        CallOutcome("CALLBACK", payment_asked=False, callback_at=NOW - timedelta(minutes=1)),
        "callback_at",
        "in the future",
    ),
    (CallOutcome("GATEKEEPER"), "spoke_with", "who you spoke with"),
    (CallOutcome("NOANSWER", promise=PromiseInput(5_000, TODAY)), "result_code", "only a PTP"),
    (CallOutcome("NOANSWER", next_action_on=TODAY - timedelta(days=1)), "next_action_on", "past"),
    (CallOutcome("ZZZ"), "result_code", "not a result code"),
]


@pytest.mark.parametrize(
    ("outcome", "field", "message"), REFUSALS, ids=[f"{o.result_code}-{f}" for o, f, _ in REFUSALS]
)
def test_close_refused_without_what_the_code_requires(
    ctx: AppContext, open_call: StartedCall, outcome: CallOutcome, field: str, message: str
) -> None:
    for attempt in (validate_outcome, close_call):
        with pytest.raises(OutcomeError, match=message) as info:
            attempt(ctx, open_call.id, outcome)
        assert info.value.field == field
    stored = call_row(ctx, open_call.id)
    assert stored.ended_at is None and stored.result_code is None
    assert customer_row(ctx, open_call.customer_id).next_action_on is None


def test_dispute_of_another_accounts_invoice_refused(ctx: AppContext, open_call: StartedCall) -> None:
    stranger = add_invoice(ctx, add_customer(ctx, name="Other"), 5_000)
    with pytest.raises(OutcomeError, match="not an invoice of this account"):
        close_call(
            ctx,
            open_call.id,
            CallOutcome("DISPUTE", payment_asked=True, dispute_invoice_ids=[stranger], dispute_reason="not ours"),
        )


# --- closing ----------------------------------------------------------------------------------


def test_close_with_a_promise(ctx: AppContext, acme: tuple[int, int, int], open_call: StartedCall) -> None:
    customer = acme[0]
    add_call(ctx, customer, NOW - timedelta(days=5))
    with ctx.db.session() as session:
        row = session.get(Customer, customer)
        assert row is not None
        row.failed_attempts = 4
    outcome = CallOutcome(
        "ptp",
        payment_asked=True,
        promise=PromiseInput(50_000, date(2026, 12, 1), "ach"),
        notes="Will pay half on the 1st",
    )
    assert propose_next_action(ctx, open_call.id, outcome) == date(2026, 12, 2)
    closed = close_call(ctx, open_call.id, outcome)
    assert closed.next_action_on == date(2026, 12, 2)
    assert closed.next_action == "Check payment of $500.00 promised for 2026-12-01"
    [promise] = closed.promises
    assert (promise.amount, promise.call_id, promise.broken_on) == (50_000, open_call.id, date(2026, 12, 4))
    call = call_row(ctx, open_call.id)
    assert (call.ended_at, call.result_code, call.right_party, call.payment_asked) == (NOW, "PTP", True, True)
    assert call.notes == "Will pay half on the 1st"
    row = customer_row(ctx, customer)
    assert (row.next_action_on, row.failed_attempts, row.last_contact_at, row.last_attempt_at) == (
        date(2026, 12, 2),
        0,
        NOW,
        NOW,
    )
    assert [a.kind for a in activities(ctx, customer)] == ["promise", "call"]
    with pytest.raises(InputError, match="already closed"):
        close_call(ctx, open_call.id, CallOutcome("NOANSWER"))


def test_close_with_a_plan_follows_up_after_the_first_instalment(ctx: AppContext, open_call: StartedCall) -> None:
    plan = PlanInput(90_000, 3, date(2026, 11, 27), "month")  # first instalment on a Friday
    closed = close_call(ctx, open_call.id, CallOutcome("PTP", payment_asked=True, plan=plan))
    assert [p.amount for p in closed.promises] == [30_000] * 3
    assert closed.next_action_on == date(2026, 11, 30)


def test_failed_attempt_counts_and_retries_in_three_days(
    ctx: AppContext, acme: tuple[int, int, int], open_call: StartedCall
) -> None:
    closed = close_call(ctx, open_call.id, CallOutcome("NOANSWER"))
    assert closed.next_action_on == date(2026, 11, 26)
    row = customer_row(ctx, acme[0])
    assert (row.failed_attempts, row.last_contact_at, row.last_attempt_at) == (1, None, NOW)
    assert call_row(ctx, open_call.id).payment_asked is False
    start_call(ctx, acme[0])
    close_call(
        ctx,
        unfinished_call(ctx).id,  # type: ignore[union-attr]
        CallOutcome("MESSAGE", next_action_on=date(2026, 11, 24)),
    )
    row = customer_row(ctx, acme[0])
    assert (row.failed_attempts, row.next_action_on) == (2, date(2026, 11, 24))


def test_callback_sets_the_time(ctx: AppContext, acme: tuple[int, int, int], open_call: StartedCall) -> None:
    at = datetime(2026, 11, 25, 19, 30, tzinfo=UTC)
    closed = close_call(ctx, open_call.id, CallOutcome("CALLBACK", payment_asked=False, callback_at=at))
    row = customer_row(ctx, acme[0])
    assert (row.next_action_on, row.next_action_at) == (date(2026, 11, 25), at)
    assert closed.next_action.startswith("Call back at 2026-11-25 19:30")
    assert call_row(ctx, open_call.id).callback_at == at


def test_paid_claim_and_no_promise_are_kept(
    ctx: AppContext, acme: tuple[int, int, int], open_call: StartedCall
) -> None:
    close_call(ctx, open_call.id, CallOutcome("PAID", payment_asked=True, paid_claim="wire on 2026-11-20, ref 7781"))
    assert call_row(ctx, open_call.id).paid_claim == "wire on 2026-11-20, ref 7781"
    assert customer_row(ctx, acme[0]).next_action_on == date(2026, 11, 26)
    call = start_call(ctx, acme[0])
    close_call(ctx, call.id, CallOutcome("NOPROMISE", payment_asked=True, no_promise_reason="needs approval"))
    assert call_row(ctx, call.id).no_promise_reason == "needs approval"
    assert customer_row(ctx, acme[0]).next_action_on == date(2026, 11, 25)


def test_gatekeeper_records_who(ctx: AppContext, open_call: StartedCall) -> None:
    close_call(ctx, open_call.id, CallOutcome("GATEKEEPER", spoke_with="receptionist Jo"))
    call = call_row(ctx, open_call.id)
    assert (call.spoke_with, call.right_party) == ("receptionist Jo", False)


def test_dispute_of_every_overdue_invoice_puts_the_account_on_hold(
    ctx: AppContext, acme: tuple[int, int, int], open_call: StartedCall
) -> None:
    customer, invoice, _ = acme
    second = add_invoice(ctx, customer, 20_000)
    close_call(
        ctx,
        open_call.id,
        CallOutcome(
            "DISPUTE", payment_asked=True, dispute_invoice_ids=[invoice], dispute_reason="goods arrived damaged"
        ),
    )
    assert not customer_row(ctx, customer).on_hold  # the second invoice is still chased
    with ctx.db.session() as session:
        disputed = session.get(Invoice, invoice)
        assert disputed is not None
        assert (disputed.status, disputed.dispute_reason) == ("disputed", "goods arrived damaged")
    call = start_call(ctx, customer)
    closed = close_call(
        ctx,
        call.id,
        CallOutcome("DISPUTE", payment_asked=False, dispute_invoice_ids=[second], dispute_reason="never ordered"),
    )
    row = customer_row(ctx, customer)
    assert closed.on_hold and row.on_hold and row.hold_reason == "dispute: never ordered"
    assert closed.next_action_on == date(2026, 11, 30)
    kinds = [a.kind for a in activities(ctx, customer)]
    assert kinds == ["call", "dispute", "call", "dispute", "hold"]


def test_wrong_number_flags_the_contact(ctx: AppContext, acme: tuple[int, int, int], open_call: StartedCall) -> None:
    close_call(ctx, open_call.id, CallOutcome("WRONGNUMBER"))
    with ctx.db.session() as session:
        contact = session.get(Contact, acme[2])
        assert contact is not None and contact.wrong_number
    assert [a.kind for a in activities(ctx, acme[0])] == ["call", "wrong_number"]
    assert any("flagged as wrong" in w for w in call_warnings(ctx, acme[0], acme[2]))


def test_a_wrong_number_is_written_in_the_format_the_panel_shows(
    ctx: AppContext, acme: tuple[int, int, int], open_call: StartedCall
) -> None:
    close_call(ctx, open_call.id, CallOutcome("WRONGNUMBER"))
    detail = account_detail(ctx, acme[0])
    (shown,) = [c.phone_display for c in detail.contacts if c.contact_id == acme[2]]
    (line,) = [h.summary for h in detail.history if h.kind == "wrong_number"]
    assert shown.startswith("(") and f"Number {shown} flagged as wrong" in line
    assert any(f"number {shown} is flagged" in w for w in call_warnings(ctx, acme[0], acme[2]))


def test_close_is_atomic_when_the_promise_is_refused(
    ctx: AppContext, acme: tuple[int, int, int], open_call: StartedCall
) -> None:
    outcome = CallOutcome("PTP", payment_asked=True, promise=PromiseInput(100_001, TODAY))
    with pytest.raises(OutcomeError):
        close_call(ctx, open_call.id, outcome)
    with ctx.db.session() as session:
        assert session.scalars(select(Promise)).all() == []
    assert call_row(ctx, open_call.id).ended_at is None
    assert activities(ctx, acme[0]) == []


def test_us_consumer_follow_up_waits_for_the_conversation_rule(ctx: AppContext) -> None:
    customer = add_customer(ctx, kind="consumer")
    add_invoice(ctx, customer, 50_000)
    call = start_call(ctx, customer)
    outcome: Any = CallOutcome("PTP", payment_asked=True, promise=PromiseInput(10_000, date(2026, 11, 24)))
    assert propose_next_action(ctx, call.id, outcome) == date(2026, 11, 30)
