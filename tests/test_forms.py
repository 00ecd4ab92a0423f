"""The follow-up forms driven with Pilot: errors all at once, the plan's schedule, dates as typed,
renegotiating a missed promise, and a result code added by one entry plus its form."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import Checkbox, Input, OptionList, Static

from collectdesk.domain import result_codes
from collectdesk.domain.outcomes import OutcomeError
from collectdesk.domain.result_codes import DEFAULT_RESULT_CODES, Need, ResultCode
from collectdesk.services.calls import CallOutcome, validate_outcome
from collectdesk.store.models import Activity, Call, Promise
from collectdesk.tui.app import DeskApp
from collectdesk.tui.forms import FollowUpForm, forms_by_code
from collectdesk.tui.forms.callback import CallbackForm
from collectdesk.tui.forms.no_promise import NoPromiseForm
from collectdesk.tui.forms.paid import PaidForm
from collectdesk.tui.forms.promise import PromiseForm
from collectdesk.tui.next_action import NextActionDialog
from collectdesk.tui.outcome import OutcomeDialog
from collectdesk.tui.promises_dialog import PromisesDialog
from test_desk import (
    SIZE,
    desk,
    error_text,
    make_app,
    open_calls,
    open_promise_dialog,
    ready,
    start_acme_call,
    wait_for,
)

__all__ = ["desk"]


def text_of(app: DeskApp, selector: str) -> str:
    return str(app.screen.query_one(selector).render())


def options_of(app: DeskApp, selector: str) -> str:
    return "\n".join(str(option.prompt) for option in app.screen.query_one(selector, OptionList).options)


async def fill(pilot: Pilot[None], app: DeskApp, field: str, text: str) -> None:
    box = app.screen.query_one(f"#{field}", Input)
    box.focus()
    box.value = text
    await pilot.pause()


async def open_form(pilot: Pilot[None], app: DeskApp, key: str, form: type[FollowUpForm]) -> None:
    await start_acme_call(pilot, app)
    await pilot.press("escape", "e")
    await wait_for(pilot, lambda: isinstance(app.screen, OutcomeDialog))
    await pilot.press("y", key)
    await wait_for(pilot, lambda: isinstance(app.screen, form))


def test_every_code_that_needs_more_has_its_form() -> None:
    forms = forms_by_code()
    assert {rc.code for rc in DEFAULT_RESULT_CODES if rc.needs_follow_up} == set(forms)
    assert forms["PTP"] is PromiseForm and forms["CALLBACK"] is CallbackForm


# --- the promise form ---------------------------------------------------------------------------


async def test_every_error_shows_at_once_each_under_its_field(desk) -> None:
    ctx, _ = desk
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await open_promise_dialog(pilot, app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "required" in error_text(app, "promised_on"))
        assert "required" in error_text(app, "amount")  # not only after the date is fixed
        # The services' refusals too: a past date and an amount above the balance, together.
        await fill(pilot, app, "promised_on", "2026-11-02")
        await fill(pilot, app, "amount", "20,000.00")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "in the past" in error_text(app, "promised_on"))
        assert "more than can be promised" in error_text(app, "amount")
        # Each message sits on its own line under its field, above the next field.
        form = app.screen
        error = form.query_one("#err-amount", Static)
        method = form.query_one("#method", Input)
        assert error.region.y > form.query_one("#amount", Input).region.y
        assert error.region.bottom <= method.region.y
        assert len(open_calls(ctx)) == 1


async def test_a_plan_has_a_count_one_frequency_and_its_schedule_before_saving(desk) -> None:
    ctx, _ = desk
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await open_promise_dialog(pilot, app)
        await fill(pilot, app, "promised_on", "2026-11-30")
        await fill(pilot, app, "amount", "1,000.00")
        app.screen.query_one("#plan", Checkbox).focus()
        await pilot.press("enter")  # ticks the plan
        await wait_for(pilot, lambda: app.screen.query_one("#plan-section").display)
        assert app.screen.query_one("#instalments", Input).value == "3"
        every = text_of(app, "#every")
        assert "◉ monthly" in every and "○ weekly" in every
        schedule = text_of(app, "#schedule")
        assert "Mon 2026-11-30  $333.33" in schedule
        assert "Wed 2026-12-30  $333.33" in schedule and "Sat 2027-01-30  $333.34" in schedule
        app.screen.query_one("#every").focus()
        await pilot.press("space")
        every = text_of(app, "#every")
        assert "◉ weekly" in every and "○ monthly" in every
        assert "Mon 2026-12-14  $333.34" in text_of(app, "#schedule")
        await fill(pilot, app, "instalments", "1")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "2 to 60 instalments" in error_text(app, "instalments"))
        await fill(pilot, app, "instalments", "2")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, NextActionDialog))
        await wait_for(pilot, lambda: app.screen.proposed is not None)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.desk.call is None)
    with ctx.db.session() as session:
        rows = session.execute(
            select(Promise.promised_on, Promise.amount).where(Promise.plan_id.is_not(None)).order_by(Promise.id)
        ).all()
    assert [tuple(r) for r in rows] == [(date(2026, 11, 30), 50_000), (date(2026, 12, 7), 50_000)]


async def test_a_plan_replaces_a_missed_promise_from_the_call(desk) -> None:
    ctx, built = desk
    acme = built.customers["C001"]
    with ctx.db.session() as session:
        session.add(
            Promise(
                customer_id=acme,
                taken_by_id=ctx.user.id,
                amount=1_250_000,
                currency="USD",
                promised_on=date(2026, 11, 21),
                broken_on=date(2026, 11, 24),
                status="open",
                created_at=datetime(2026, 11, 10, 15, tzinfo=UTC),
            )
        )
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await open_promise_dialog(pilot, app)
        await wait_for(pilot, lambda: app.screen.query_one("#replace-section").display)
        assert "Replaces the missed promise" in str(app.screen.query_one("#replace", Checkbox).label)
        assert "of $12,500.00 due 2026-11-21" in str(app.screen.query_one("#replace", Checkbox).label)
        await fill(pilot, app, "promised_on", "2026-12-01")
        await fill(pilot, app, "amount", "12,500.00")
        await pilot.press("enter")  # the missed promise still holds the balance
        await wait_for(pilot, lambda: "more than can be promised" in error_text(app, "amount"))
        app.screen.query_one("#replace", Checkbox).focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.query_one("#field-replace_reason").display)
        await fill(pilot, app, "replace_reason", " ")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "say why" in error_text(app, "replace_reason"))
        await fill(pilot, app, "replace_reason", "lost a big client, needs more time")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, NextActionDialog))
        await wait_for(pilot, lambda: app.screen.proposed is not None)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.desk.call is None)
    with ctx.db.session() as session:
        old, new = session.scalars(
            select(Promise).where(Promise.customer_id == acme, Promise.status != "broken").order_by(Promise.id)
        ).all()
        assert (old.status, old.replaced_by_id) == ("cancelled", new.id)
        assert (new.amount, new.promised_on, new.status) == (1_250_000, date(2026, 12, 1), "open")


async def test_a_missed_promise_is_cancelled_from_the_desk_with_a_reason(desk) -> None:
    ctx, built = desk
    acme = built.customers["C001"]
    with ctx.db.session() as session:
        missed = Promise(
            customer_id=acme,
            taken_by_id=ctx.user.id,
            amount=300_000,
            currency="USD",
            promised_on=date(2026, 11, 21),
            broken_on=date(2026, 11, 24),
            status="open",
            created_at=datetime(2026, 11, 10, 15, tzinfo=UTC),
        )
        session.add(missed)
        session.flush()
        missed_id = missed.id
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, PromisesDialog))
        await wait_for(pilot, lambda: "(missed)" in options_of(app, "#promises"))
        assert f"#{missed_id} $3,000.00 due 2026-11-21 (missed)" in options_of(app, "#promises")
        await pilot.press("enter")  # no reason: refused, nothing changed
        await wait_for(pilot, lambda: "say why" in text_of(app, "#err-cancel"))
        with ctx.db.session() as session:
            assert session.get(Promise, missed_id).status == "open"  # type: ignore[union-attr]
        await pilot.press(*"customer closed the branch", "enter")
        await wait_for(pilot, lambda: app.screen is app.desk)
    with ctx.db.session() as session:
        promise = session.get(Promise, missed_id)
        assert promise is not None and (promise.status, promise.resolved_on) == ("cancelled", date(2026, 11, 23))
        summary = session.scalars(select(Activity.summary).where(Activity.kind == "promise_cancelled")).one()
    assert "cancelled: customer closed the branch" in summary


# --- dates and times ----------------------------------------------------------------------------


async def test_paid_refuses_a_future_date_and_takes_minus_three(desk) -> None:
    ctx, _ = desk
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app, "2", PaidForm)
        await fill(pilot, app, "paid_on", "+2")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "in the future" in error_text(app, "paid_on"))
        await fill(pilot, app, "paid_on", "-3")
        assert "Fri 2026-11-20" in text_of(app, "#live-paid_on")
        await fill(pilot, app, "reference", "cheque 4471")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, NextActionDialog))
        assert app.screen.outcome.paid_claim == "paid 2026-11-20, ref cheque 4471"  # type: ignore[attr-defined]


async def test_callback_at_a_night_hour_is_refused_beside_the_time(desk) -> None:
    ctx, _ = desk
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await open_form(pilot, app, "5", CallbackForm)
        await fill(pilot, app, "callback_on", "tom")
        await fill(pilot, app, "callback_time", "7:00")
        assert "07:00" in text_of(app, "#live-callback_time")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "outside the calling window" in error_text(app, "callback_time"))
        assert "08:00–21:00" in error_text(app, "callback_time")
        await fill(pilot, app, "callback_time", "7pm")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, NextActionDialog))
        outcome = app.screen.outcome  # type: ignore[attr-defined]
        assert outcome.callback_at == datetime(2026, 11, 25, 0, 0, tzinfo=UTC)  # 19:00 in New York


# --- a new result code --------------------------------------------------------------------------

REFUSED = ResultCode(
    "0",
    "REFUSED",
    "refuses to pay",
    True,
    "why they refuse",
    needs=(Need.NO_PROMISE_REASON,),
    wait="after_no_promise_days",
    next_action="Escalate the refusal",
)


@pytest.fixture
def refused_code(monkeypatch: pytest.MonkeyPatch) -> Iterator[type[FollowUpForm]]:
    """The registry with one more entry, and its form (a subclass of the reason form)."""
    monkeypatch.setattr(result_codes, "DEFAULT_RESULT_CODES", (*DEFAULT_RESULT_CODES, REFUSED))

    class RefusedForm(NoPromiseForm):
        code = "REFUSED"
        heading = "Refuses to pay"

    forms_by_code.cache_clear()
    yield RefusedForm
    del RefusedForm
    gc.collect()
    forms_by_code.cache_clear()


async def test_a_new_result_code_is_one_entry_plus_its_form(desk, refused_code: type[FollowUpForm]) -> None:
    ctx, _ = desk
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await start_acme_call(pilot, app)
        call_id = app.desk.call.call_id  # type: ignore[union-attr]
        # The services check what the entry says the close needs.
        with pytest.raises(OutcomeError, match="give the reason there is no promise"):
            validate_outcome(ctx, call_id, CallOutcome("REFUSED", payment_asked=True))
        await pilot.press("escape", "e")
        await wait_for(pilot, lambda: isinstance(app.screen, OutcomeDialog))
        assert "0  REFUSED" in text_of(app, "#codes")
        await pilot.press("0")
        await wait_for(pilot, lambda: "Did you ask for payment" in text_of(app, "#outcome-message"))  # right party
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, refused_code))
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: isinstance(app.screen, NextActionDialog))
        await wait_for(pilot, lambda: app.screen.proposed is not None)  # type: ignore[attr-defined]
        assert app.screen.proposed == date(2026, 11, 25)  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.desk.call is None)
    with ctx.db.session() as session:
        call = session.get(Call, call_id)
        assert call is not None
        assert (call.result_code, call.right_party, call.no_promise_reason) == ("REFUSED", True, "cannot pay yet")
        assert call.next_action == "Escalate the refusal"
