"""What a close refuses on a real database: a callback outside the calling window, a future payment date."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from collectdesk.domain.outcomes import OutcomeError
from collectdesk.services.calls import CallOutcome, close_call, start_call, validate_outcome
from collectdesk.services.context import AppContext
from collectdesk.store.models import Call
from ledger_fixtures import add_customer, add_invoice

SYDNEY = ZoneInfo("Australia/Sydney")
NEW_YORK = ZoneInfo("America/New_York")
TODAY = date(2026, 11, 23)


def open_call_to(ctx: AppContext, **customer: object) -> int:
    customer_id = add_customer(ctx, **customer)
    add_invoice(ctx, customer_id, 100_000)
    return start_call(ctx, customer_id, override_reason="test call outside the window").id


def callback(day: date, clock: time, zone: ZoneInfo) -> CallOutcome:
    at = datetime.combine(day, clock, zone).astimezone(UTC)
    return CallOutcome("CALLBACK", payment_asked=False, callback_at=at)


def test_a_callback_before_the_australian_window_opens_is_refused(ctx: AppContext) -> None:
    call_id = open_call_to(ctx, country="AU", currency="AUD", phone="+61293744000", name="Koala")
    wednesday = date(2026, 11, 25)
    with pytest.raises(
        OutcomeError, match=r"Wed 07:00 in Australia/Sydney, outside the calling window \(07:30–21:00"
    ) as info:
        validate_outcome(ctx, call_id, callback(wednesday, time(7, 0), SYDNEY))
    assert info.value.field == "callback_at"
    with pytest.raises(OutcomeError, match="outside the calling window"):
        close_call(ctx, call_id, callback(wednesday, time(21, 0), SYDNEY))
    saturday = date(2026, 11, 28)
    with pytest.raises(OutcomeError, match=r"09:00–21:00"):
        validate_outcome(ctx, call_id, callback(saturday, time(8, 30), SYDNEY))
    closed = close_call(ctx, call_id, callback(wednesday, time(7, 30), SYDNEY))
    assert closed.next_action_on == date(2026, 11, 24)  # 07:30 Wednesday in Sydney is Tuesday in UTC


def test_a_callback_at_night_in_new_york_is_refused(ctx: AppContext) -> None:
    call_id = open_call_to(ctx)
    with pytest.raises(OutcomeError, match="Tue 22:30 in America/New_York"):
        validate_outcome(ctx, call_id, callback(TODAY + timedelta(days=1), time(22, 30), NEW_YORK))
    validate_outcome(ctx, call_id, callback(TODAY + timedelta(days=1), time(19, 0), NEW_YORK))


def test_a_payment_date_in_the_future_is_refused(ctx: AppContext) -> None:
    call_id = open_call_to(ctx)
    future = CallOutcome("PAID", payment_asked=True, paid_claim="paid tomorrow", paid_on=TODAY + timedelta(days=1))
    with pytest.raises(OutcomeError, match="in the future") as info:
        close_call(ctx, call_id, future)
    assert info.value.field == "paid_on"
    past = CallOutcome("PAID", payment_asked=True, paid_claim="paid 2026-11-20", paid_on=TODAY - timedelta(days=3))
    close_call(ctx, call_id, past)
    with ctx.db.session() as session:
        assert session.scalar(select(Call.paid_claim).where(Call.id == call_id)) == "paid 2026-11-20"
