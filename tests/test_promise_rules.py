"""The pure promise rules: how payments keep promises, statuses over time, plan instalments."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from collectdesk.domain.outcomes import OutcomeError
from collectdesk.domain.promises import (
    Ceiling,
    PaymentFacts,
    PromiseFacts,
    allocate_payments,
    broken_on_for,
    check_amount,
    check_promised_on,
    instalment_dates,
    promise_status_as_of,
    split_instalments,
)

D0 = date(2026, 11, 23)


def promise(
    pid: int,
    amount: int,
    promised: date,
    *,
    created: date = D0,
    grace: int = 3,
    invoices: frozenset[int] = frozenset(),
    cancelled: date | None = None,
) -> PromiseFacts:
    return PromiseFacts(pid, amount, promised, broken_on_for(promised, grace), created, invoices, cancelled)


def pay(pid: int, amount: int, on: date, allocations: dict[int, int] | None = None) -> PaymentFacts:
    return PaymentFacts(pid, amount, on, allocations or {})


def status(
    promises: list[PromiseFacts], payments: list[PaymentFacts], as_of: date, pid: int = 1
) -> tuple[str, int, date | None]:
    outcome = promise_status_as_of(promises, payments, as_of)[pid]
    return outcome.status, outcome.paid_amount, outcome.resolved_on


# --- transitions -----------------------------------------------------------------------------


def test_open_until_paid_or_past_grace() -> None:
    p = [promise(1, 50_000, D0 + timedelta(days=7))]
    assert status(p, [], D0 + timedelta(days=10)) == ("open", 0, None)  # the last day of grace


def test_kept_early_as_soon_as_fully_paid() -> None:
    p = [promise(1, 50_000, D0 + timedelta(days=7))]
    payments = [pay(1, 20_000, D0 + timedelta(days=1)), pay(2, 30_000, D0 + timedelta(days=2))]
    assert status(p, payments, D0 + timedelta(days=1)) == ("open", 20_000, None)
    assert status(p, payments, D0 + timedelta(days=2)) == ("kept", 50_000, D0 + timedelta(days=2))


def test_kept_on_the_last_day_of_grace() -> None:
    promised = D0 + timedelta(days=7)
    p = [promise(1, 50_000, promised)]
    payments = [pay(1, 50_000, promised + timedelta(days=3))]
    assert status(p, payments, promised + timedelta(days=30)) == ("kept", 50_000, promised + timedelta(days=3))


def test_payment_after_grace_does_not_keep_the_promise() -> None:
    promised = D0 + timedelta(days=7)
    p = [promise(1, 50_000, promised)]
    payments = [pay(1, 50_000, promised + timedelta(days=4))]
    assert status(p, payments, promised + timedelta(days=30)) == ("broken", 0, promised + timedelta(days=4))


def test_partially_kept_after_grace() -> None:
    promised = D0 + timedelta(days=7)
    p = [promise(1, 50_000, promised)]
    payments = [pay(1, 10_000, promised)]
    assert status(p, payments, promised + timedelta(days=3))[0] == "open"
    assert status(p, payments, promised + timedelta(days=4)) == ("partially_kept", 10_000, promised + timedelta(days=4))


def test_broken_the_day_after_grace() -> None:
    promised = D0 + timedelta(days=7)
    p = [promise(1, 50_000, promised)]
    day_after = promised + timedelta(days=4)
    assert status(p, [], day_after) == ("broken", 0, day_after)


def test_payment_before_the_promise_was_made_does_not_count() -> None:
    p = [promise(1, 50_000, D0 + timedelta(days=7))]
    early = [pay(1, 50_000, D0 - timedelta(days=1))]
    assert status(p, early, D0 + timedelta(days=30))[0] == "broken"


def test_cancelled_from_its_date_and_live_before() -> None:
    promised = D0 + timedelta(days=7)
    p = [promise(1, 50_000, promised, cancelled=D0 + timedelta(days=2))]
    assert status(p, [], D0 + timedelta(days=1))[0] == "open"
    assert status(p, [], D0 + timedelta(days=2)) == ("cancelled", 0, D0 + timedelta(days=2))


def test_promise_made_after_as_of_is_not_shown() -> None:
    p = [promise(1, 50_000, D0 + timedelta(days=7), created=D0 + timedelta(days=1))]
    assert promise_status_as_of(p, [], D0) == {}


# --- how payments are shared -----------------------------------------------------------------


def test_each_payment_counts_once_earliest_promise_first() -> None:
    first = promise(1, 30_000, D0 + timedelta(days=5))
    second = promise(2, 30_000, D0 + timedelta(days=10))
    payments = [pay(1, 40_000, D0 + timedelta(days=1))]
    outcomes = promise_status_as_of([second, first], payments, D0 + timedelta(days=2))
    assert (outcomes[1].status, outcomes[1].paid_amount) == ("kept", 30_000)
    assert (outcomes[2].status, outcomes[2].paid_amount) == ("open", 10_000)


def test_named_invoice_promise_takes_payments_to_its_invoices() -> None:
    general = promise(1, 30_000, D0 + timedelta(days=3))
    named = promise(2, 30_000, D0 + timedelta(days=10), invoices=frozenset({7}))
    payments = [pay(1, 30_000, D0 + timedelta(days=1), {7: 30_000})]
    outcomes = promise_status_as_of([general, named], payments, D0 + timedelta(days=20))
    assert outcomes[2].status == "kept"  # although the general promise falls due first
    assert outcomes[1].status == "broken"


def test_general_promise_takes_what_named_promises_leave() -> None:
    general = promise(1, 20_000, D0 + timedelta(days=3))
    named = promise(2, 30_000, D0 + timedelta(days=3), invoices=frozenset({7}))
    payments = [pay(1, 60_000, D0 + timedelta(days=1), {7: 40_000, 8: 10_000})]
    outcomes = promise_status_as_of([general, named], payments, D0 + timedelta(days=20))
    assert outcomes[2].paid_amount == 30_000
    assert outcomes[1].paid_amount == 20_000  # 10k left on invoice 7, 10k on 8, 10k unapplied


def test_named_promise_ignores_payments_to_other_invoices() -> None:
    named = promise(1, 30_000, D0 + timedelta(days=3), invoices=frozenset({7}))
    payments = [pay(1, 30_000, D0 + timedelta(days=1), {8: 30_000})]
    assert status([named], payments, D0 + timedelta(days=20))[0] == "broken"


def test_plan_prepaid_in_one_payment_keeps_every_instalment() -> None:
    plan = [promise(i + 1, 10_000, day) for i, day in enumerate(instalment_dates(D0 + timedelta(days=7), 3, "month"))]
    outcomes = promise_status_as_of(plan, [pay(1, 30_000, D0)], D0)
    assert [o.status for o in outcomes.values()] == ["kept"] * 3


# --- terms ------------------------------------------------------------------------------------


def test_instalments_remainder_on_the_last() -> None:
    assert split_instalments(100_00, 3) == [33_33, 33_33, 33_34]


def test_monthly_instalments_clamp_to_month_end() -> None:
    assert instalment_dates(date(2027, 1, 31), 3, "month") == [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31)]
    assert instalment_dates(date(2027, 1, 31), 2, "week") == [date(2027, 1, 31), date(2027, 2, 7)]


@pytest.mark.parametrize(
    ("day", "message"),
    [
        (D0 - timedelta(days=1), "in the past"),
        (D0 + timedelta(days=91), "within 90 days"),
        (D0 + timedelta(days=5), "already has an open promise"),
    ],
)
def test_promised_date_refused(day: date, message: str) -> None:
    with pytest.raises(OutcomeError, match=message) as info:
        check_promised_on(day, today=D0, horizon_days=90, taken=[D0 + timedelta(days=5)])
    assert info.value.field == "promised_on"


def test_promised_today_and_on_the_horizon_accepted() -> None:
    for day in (D0, D0 + timedelta(days=90)):
        check_promised_on(day, today=D0, horizon_days=90, taken=[])


def test_amount_refusals_name_the_field_and_the_figures() -> None:
    ceiling = Ceiling(40_000, 100_000, 60_000, "USD", "the account")
    with pytest.raises(OutcomeError, match="more than zero"):
        check_amount(0, ceiling)
    with pytest.raises(
        OutcomeError,
        match=r"\$1,000.00 open.*\$600.00 already promised.*"
        r"at most \$400.00",
    ) as info:
        check_amount(40_001, ceiling)
    assert info.value.field == "amount"
    check_amount(40_000, ceiling)


# --- properties -------------------------------------------------------------------------------

days = st.integers(min_value=0, max_value=60)


Ledger = tuple[list[PromiseFacts], list[PaymentFacts]]


@st.composite
def ledgers(draw: st.DrawFn) -> Ledger:
    promises = []
    for pid in range(1, draw(st.integers(1, 5)) + 1):
        created = D0 + timedelta(days=draw(st.integers(0, 20)))
        promised = created + timedelta(days=draw(st.integers(0, 20)))
        invoices = frozenset(draw(st.sets(st.integers(1, 3), max_size=2)))
        cancel_after = draw(st.none() | days)
        cancelled = None if cancel_after is None else created + timedelta(days=cancel_after)
        promises.append(
            PromiseFacts(
                pid,
                draw(st.integers(1, 50_000)),
                promised,
                promised + timedelta(days=draw(st.integers(0, 5))),
                created,
                invoices,
                cancelled,
            )
        )
    payments = []
    for pid in range(1, draw(st.integers(0, 6)) + 1):
        amount = draw(st.integers(1, 60_000))
        allocations: dict[int, int] = {}
        left = amount
        for invoice in draw(st.sets(st.integers(1, 4), max_size=3)):
            part = draw(st.integers(1, max(1, left))) if left > 0 else 0
            if part > 0:
                allocations[invoice] = part
                left -= part
        payments.append(PaymentFacts(pid, amount, D0 + timedelta(days=draw(days)), allocations))
    return promises, payments


@settings(max_examples=300)
@given(ledgers(), days)
def test_applied_never_exceeds_paid_or_promised(ledger: Ledger, offset: int) -> None:
    promises, payments = ledger
    as_of = D0 + timedelta(days=offset)
    applied = allocate_payments(promises, payments, as_of)
    received = sum(p.amount for p in payments if p.received_on <= as_of)
    assert sum(paid for paid, _ in applied.values()) <= received
    by_id = {p.id: p for p in promises}
    for pid, (paid, completed_on) in applied.items():
        assert 0 <= paid <= by_id[pid].amount
        assert (completed_on is not None) == (paid == by_id[pid].amount)


@settings(max_examples=300)
@given(ledgers(), days)
def test_statuses_agree_with_payments_and_dates(ledger: Ledger, offset: int) -> None:
    promises, payments = ledger
    as_of = D0 + timedelta(days=offset)
    by_id = {p.id: p for p in promises}
    for pid, outcome in promise_status_as_of(promises, payments, as_of).items():
        p = by_id[pid]
        assert p.created_on <= as_of
        if outcome.status == "kept":
            assert outcome.paid_amount >= p.amount
            assert outcome.resolved_on is not None and outcome.resolved_on <= p.broken_on
        elif outcome.status == "broken":
            assert outcome.paid_amount == 0 and as_of > p.broken_on
        elif outcome.status == "partially_kept":
            assert 0 < outcome.paid_amount < p.amount and as_of > p.broken_on
        elif outcome.status == "open":
            assert outcome.paid_amount < p.amount and as_of <= p.broken_on
        else:
            assert outcome.status == "cancelled"
            assert p.cancelled_on is not None and p.cancelled_on <= as_of


@settings(max_examples=200)
@given(ledgers(), days, days)
def test_a_later_day_never_undoes_an_earlier_outcome(ledger: Ledger, a: int, b: int) -> None:
    promises, payments = ledger
    early, late = sorted((D0 + timedelta(days=a), D0 + timedelta(days=b)))
    before = promise_status_as_of(promises, payments, early)
    after = promise_status_as_of(promises, payments, late)
    for pid, outcome in before.items():
        if outcome.status != "open":
            assert after[pid] == outcome
        else:
            assert after[pid].paid_amount >= outcome.paid_amount


@given(st.integers(1, 10**9), st.integers(1, 60))
def test_instalments_sum_to_the_total(total: int, count: int) -> None:
    parts = split_instalments(total, count)
    assert sum(parts) == total and len(parts) == count
    assert max(parts) - min(parts) < count or total < count
