"""The collector's desk driven through the keyboard with Textual's Pilot."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import Future
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, update
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static, TextArea

from collectdesk.domain.clock import Clock
from collectdesk.services.context import AppContext, open_context
from collectdesk.settings import Settings
from collectdesk.store.models import Activity, Call, Customer, Invoice, Promise
from collectdesk.tui.app import DeskApp
from collectdesk.tui.dialogs import ContactPicker, OverrideDialog, QuitDialog
from collectdesk.tui.forms import FollowUpForm
from collectdesk.tui.help import HelpScreen
from collectdesk.tui.loading import FirstPage
from collectdesk.tui.next_action import NextActionDialog
from collectdesk.tui.outcome import OutcomeDialog
from collectdesk.tui.reminder_dialog import ReminderDialog
from collectdesk.tui.search import SearchScreen
from desk_data import Portfolio, build_portfolio

SIZE = (120, 40)
TODAY = date(2026, 11, 23)
TODAY_AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


@pytest.fixture
def desk(db_url: str, frozen_clock: Clock) -> Iterator[tuple[AppContext, Portfolio]]:
    """A supervisor's context on the small test portfolio (SQLite, and PostgreSQL when the suite has one)."""
    ctx = open_context(
        db_url=db_url, user_name="tester", settings=Settings(), clock=frozen_clock, default_role="supervisor"
    )
    built = build_portfolio(ctx)
    yield ctx, built
    ctx.close()


def make_app(ctx: AppContext) -> DeskApp:
    return DeskApp(ctx, cursor_blink=False, notes_delay=0.1, refresh_seconds=0)


async def wait_for(pilot: Pilot[None], condition: Callable[[], object], timeout: float = 5.0) -> None:
    """Let workers run until ``condition()`` holds (fails the test after ``timeout`` seconds)."""
    waited = 0.0
    while not condition():
        if waited >= timeout:
            raise AssertionError("the desk did not get there in time")
        await pilot.pause(0.05)
        waited += 0.05


async def ready(pilot: Pilot[None], app: DeskApp) -> None:
    await wait_for(pilot, lambda: app.desk.list_loaded and app.desk.detail is not None and app.desk.marks)


def shown_history_id(app: DeskApp) -> int | None:
    return app.desk.detail.customer_id if app.desk.detail is not None else None


def list_keys(app: DeskApp) -> list[int]:
    table = app.desk.query_one("#worklist", DataTable)
    return [int(str(table.coordinate_to_cell_key((i, 0)).row_key.value)) for i in range(table.row_count)]


def cursor_id(app: DeskApp) -> int:
    table = app.desk.query_one("#worklist", DataTable)
    return int(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))


def notice(app: DeskApp) -> str:
    """The line above the notes that says an unfinished call was restored."""
    box = app.desk.query_one("#call-notice", Static)
    return str(box.render()) if box.display else ""


def notifications(app: DeskApp) -> str:
    return "\n".join(str(n.message) for n in app._notifications)


def error_text(app: DeskApp, name: str) -> str:
    return str(app.screen.query_one(f"#err-{name}", Static).render())


def open_calls(ctx: AppContext) -> list[Call]:
    with ctx.db.session() as session:
        return list(session.scalars(select(Call).where(Call.ended_at.is_(None))))


async def start_acme_call(pilot: Pilot[None], app: DeskApp) -> None:
    """Call the top account (Acme, two contacts: the picker asks which)."""
    await ready(pilot, app)
    await pilot.press("c")
    await wait_for(pilot, lambda: isinstance(app.screen, ContactPicker))
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.desk.call is not None)


async def open_promise_dialog(pilot: Pilot[None], app: DeskApp) -> None:
    await start_acme_call(pilot, app)
    await pilot.press("escape", "e")
    await wait_for(pilot, lambda: isinstance(app.screen, OutcomeDialog))
    await pilot.press("y", "1")
    await wait_for(pilot, lambda: isinstance(app.screen, FollowUpForm))


async def to_next_action_after_no_answer(pilot: Pilot[None], app: DeskApp) -> None:
    """Call Acme, end the call as NOANSWER (no follow-up form): the next-action dialog is up."""
    await start_acme_call(pilot, app)
    await pilot.press("escape", "e")
    await wait_for(pilot, lambda: isinstance(app.screen, OutcomeDialog))
    await pilot.press("7")
    await wait_for(pilot, lambda: isinstance(app.screen, NextActionDialog))


async def type_into(pilot: Pilot[None], app: DeskApp, field: str, text: str) -> None:
    box = app.screen.query_one(f"#{field}", Input)
    box.focus()
    box.value = ""
    await pilot.pause()
    await pilot.press(*text)


async def test_list_is_in_rank_order_and_panel_shows_the_top_account(desk) -> None:
    ctx, built = desk
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        ids = built.customers
        assert list_keys(app) == [ids["C001"], ids["C003"], ids["C002"], ids["C005"]]
        header = str(app.desk.query_one("#account-header", Static).render())
        assert "Acme Tools Inc" in header and "(212) 555-0101" in header
        assert "Sam Rep" in header and "carol" in header
        koala_local = app.desk.query_one("#worklist", DataTable).get_cell(str(ids["C003"]), "local")
        assert "✗" in str(koala_local)  # 02:00 in Sydney: shown but marked


async def test_moving_down_paints_the_next_accounts_history(desk) -> None:
    ctx, built = desk
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        assert shown_history_id(app) == built.customers["C001"]
        await pilot.press("down")
        await wait_for(pilot, lambda: shown_history_id(app) == built.customers["C003"])
        await pilot.press("down", "down", "up")
        await wait_for(pilot, lambda: shown_history_id(app) == built.customers["C002"])


async def test_promise_cannot_be_saved_without_a_date_and_an_amount(desk) -> None:
    ctx, _ = desk
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await open_promise_dialog(pilot, app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "required" in error_text(app, "promised_on"))
        await type_into(pilot, app, "promised_on", "+7")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "required" in error_text(app, "amount"))
        assert isinstance(app.screen, FollowUpForm)
        assert len(open_calls(ctx)) == 1
        with ctx.db.session() as session:
            assert session.scalars(select(Promise).where(Promise.status == "open")).all() == []


async def test_past_date_and_amount_above_balance_are_refused_beside_the_field(desk) -> None:
    ctx, _ = desk
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await open_promise_dialog(pilot, app)
        await type_into(pilot, app, "promised_on", "2026-11-02")
        await type_into(pilot, app, "amount", "1,000.00")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "in the past" in error_text(app, "promised_on"))
        assert error_text(app, "amount") == ""
        await type_into(pilot, app, "promised_on", "fri")
        assert "2026-11-27" in str(app.screen.query_one("#live-promised_on", Static).render())
        await type_into(pilot, app, "amount", "20,000.00")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "more than can be promised" in error_text(app, "amount"))
        assert isinstance(app.screen, FollowUpForm)
        assert len(open_calls(ctx)) == 1


async def test_escape_goes_back_one_step_and_keeps_what_was_typed(desk) -> None:
    ctx, _ = desk
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await open_promise_dialog(pilot, app)
        await type_into(pilot, app, "promised_on", "+7")
        await type_into(pilot, app, "amount", "1234.56")
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, OutcomeDialog))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.desk)
        assert app.desk.call is not None and len(open_calls(ctx)) == 1  # still on the call
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, OutcomeDialog))
        assert "▶ 1  PTP" in str(app.screen.query_one("#codes", Static).render())
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, FollowUpForm))
        assert app.screen.query_one("#promised_on", Input).value == "+7"
        assert app.screen.query_one("#amount", Input).value == "1234.56"


async def test_reopened_outcome_asks_again_so_a_habitual_digit_then_y_stays_in_the_dialog(desk) -> None:
    ctx, _ = desk
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await open_promise_dialog(pilot, app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, OutcomeDialog))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.desk)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, OutcomeDialog))
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, OutcomeDialog)
        assert "as picked before" in str(app.screen.query_one("#outcome-message", Static).render())
        await pilot.press("y")
        await wait_for(pilot, lambda: isinstance(app.screen, FollowUpForm))
        await pilot.pause()
        assert app.screen.query_one("#promised_on", Input).value == ""


async def test_whole_ptp_call_closes_and_the_list_moves_to_the_next_account(desk) -> None:
    ctx, built = desk
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await open_promise_dialog(pilot, app)
        await type_into(pilot, app, "promised_on", "2026-11-30")
        await type_into(pilot, app, "amount", "1,234.56")
        await type_into(pilot, app, "method", "bank transfer")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, NextActionDialog))
        await wait_for(pilot, lambda: app.screen.proposed is not None)  # type: ignore[attr-defined]
        await pilot.press("enter")
        # The desk offers the written promise confirmation; not now.
        await wait_for(pilot, lambda: app.desk.call is None and isinstance(app.screen, ReminderDialog))
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.desk)
        await wait_for(pilot, lambda: built.customers["C001"] not in list_keys(app))
        # Koala (next on the list) is outside its calling hours at 02:00 in Sydney: the cursor skips it
        assert list_keys(app)[0] == built.customers["C003"]
        assert cursor_id(app) == built.customers["C002"]
        await wait_for(pilot, lambda: shown_history_id(app) == built.customers["C002"])
    with ctx.db.session() as session:
        call = session.scalars(select(Call).order_by(Call.id.desc())).first()
        assert call is not None and call.result_code == "PTP" and call.ended_at is not None
        assert call.payment_asked is True
        promise = session.scalars(select(Promise).where(Promise.call_id == call.id)).one()
        assert (promise.amount, promise.promised_on, promise.method) == (123_456, date(2026, 11, 30), "bank transfer")
        acme = session.get(Customer, built.customers["C001"])
        assert acme is not None and acme.next_action_on == date(2026, 12, 1)


async def test_no_answer_needs_no_follow_up_and_a_typed_next_date_wins(desk) -> None:
    ctx, built = desk
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await to_next_action_after_no_answer(pilot, app)
        await pilot.press(*"+2")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.desk.call is None)
    acme_id = built.customers["C001"]
    with ctx.db.session() as session:
        acme = session.get(Customer, acme_id)
        assert acme is not None and acme.next_action_on == TODAY + timedelta(days=2)
        assert acme.failed_attempts == 3


async def test_unfinished_call_comes_back_after_a_crash(desk) -> None:
    ctx, built = desk
    first = make_app(ctx)
    async with first.run_test(size=SIZE) as pilot:
        await start_acme_call(pilot, first)
        await pilot.press(*"spoke to alice, cheque next week")
        typed = "spoke to alice, cheque next week"
        await wait_for(pilot, lambda: open_calls(ctx)[0].notes == typed)
    # the first desk is gone without the call being closed: a crash or a killed terminal
    assert len(open_calls(ctx)) == 1
    second = make_app(ctx)
    async with second.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: second.desk.call is not None)
        await ready(pilot, second)
        assert second.desk.call is not None
        assert second.desk.call.customer_id == built.customers["C001"]
        notes = second.desk.query_one("#notes", TextArea)
        # the notes arrive with the restored call, a moment after the list and the panel
        await wait_for(pilot, lambda: notes.text == "spoke to alice, cheque next week")
        assert "ON CALL" in str(second.desk.query_one("#topbar", Static).render())
        # the call is looked for once the list is painted; its notice arrives as a message after it
        await wait_for(pilot, lambda: "was not closed" in notice(second))
        assert shown_history_id(second) == built.customers["C001"]
        await pilot.pause(0.2)
        for toast in second.screen.query("Toast"):  # nothing floats over the notes brought back
            assert not toast.region.overlaps(notes.region)


async def test_unfinished_call_comes_back_when_the_list_cannot_be_read(desk) -> None:
    ctx, built = desk
    first = make_app(ctx)
    async with first.run_test(size=SIZE) as pilot:
        await start_acme_call(pilot, first)
    broken: Future[FirstPage] = Future()
    broken.set_exception(RuntimeError("database is locked"))
    second = DeskApp(ctx, cursor_blink=False, notes_delay=0.1, refresh_seconds=0, first_page=broken)
    async with second.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: second.desk.call is not None)
        assert second.desk.call is not None
        assert second.desk.call.customer_id == built.customers["C001"]
        await wait_for(pilot, lambda: "was not closed" in notice(second))
        assert "database is locked" in notifications(second)


async def test_search_by_phone_finds_an_account_not_on_todays_list(desk) -> None:
    ctx, built = desk
    app = make_app(ctx)
    delta = built.customers["C004"]
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        assert delta not in list_keys(app)
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
        await pilot.press(*"(312) 555-0104")
        table = app.screen.query_one("#results", DataTable)
        await wait_for(pilot, lambda: table.row_count == 1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: shown_history_id(app) == delta)
        assert "Delta Dental Group" in str(app.desk.query_one("#account-header", Static).render())


async def test_c_on_a_search_result_starts_a_call(desk) -> None:
    ctx, built = desk
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
        await pilot.press(*"echo")
        await wait_for(pilot, lambda: app.screen.query_one("#results", DataTable).row_count == 1)
        await pilot.press("down", "c")
        await wait_for(pilot, lambda: app.desk.call is not None)
        assert app.desk.call is not None and app.desk.call.customer_id == built.customers["C005"]


async def test_the_warnings_about_a_call_show_as_it_starts(desk) -> None:
    ctx, built = desk
    with ctx.db.session() as session:
        session.execute(
            update(Customer)
            .where(Customer.id == built.customers["C005"])
            .values(on_hold=True, hold_reason="awaiting a credit note")
        )
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
        await pilot.press(*"echo")
        await wait_for(pilot, lambda: app.screen.query_one("#results", DataTable).row_count == 1)
        await pilot.press("down", "c")
        await wait_for(pilot, lambda: app.desk.call is not None)
        await wait_for(pilot, lambda: "the account is on hold (awaiting a credit note)" in notifications(app))


async def test_blocked_call_needs_a_typed_override_reason(desk) -> None:
    ctx, built = desk
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await pilot.press("down")
        await wait_for(pilot, lambda: shown_history_id(app) == built.customers["C003"])
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, OverrideDialog))
        assert "calling window" in str(app.screen.query_one("#block-reason", Static).render())
        await pilot.press("o", "k", "enter")
        assert "real reason" in error_text(app, "override")
        assert open_calls(ctx) == []
        await pilot.press(*" - customer asked us to call at night", "enter")
        await wait_for(pilot, lambda: app.desk.call is not None)
    (call,) = open_calls(ctx)
    assert call.override_reason == "ok - customer asked us to call at night"


async def test_keys_are_remapped_by_settings(sqlite_url: str, frozen_clock: Clock) -> None:
    settings = Settings(keys={"desk.call": "f5", "desk.search": "ctrl+f"})
    ctx = open_context(
        db_url=sqlite_url, user_name="tester", settings=settings, clock=frozen_clock, default_role="supervisor"
    )
    build_portfolio(ctx)
    app = make_app(ctx)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot, app)
            await pilot.press("c", "slash")
            await pilot.pause(0.2)
            assert app.screen is app.desk and app.desk.call is None
            await pilot.press("ctrl+f")
            await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
            await pilot.press("escape", "f5")
            await wait_for(pilot, lambda: isinstance(app.screen, ContactPicker))
            lines = {(line.section, line.description): line.keys for line in app.help_lines()}
            assert lines["Desk", "Call"] == "f5" and lines["Desk", "Search"] == "^f"
    finally:
        ctx.close()


async def test_a_collector_pressing_s_is_refused(desk, frozen_clock: Clock) -> None:
    ctx, _ = desk
    carol = open_context(
        db_url=ctx.db.engine.url.render_as_string(hide_password=False),
        user_name="carol",
        settings=Settings(),
        clock=frozen_clock,
    )
    assert carol.user.role == "collector"
    app = make_app(carol)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot, app)
            await pilot.press("s")
            await pilot.pause(0.1)
            assert app.screen is app.desk
            assert "supervisor view is for supervisors" in notifications(app)
    finally:
        carol.close()


async def test_quitting_with_a_call_open_asks_and_keeps_the_call(desk) -> None:
    ctx, _ = desk
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await start_acme_call(pilot, app)
        await pilot.press("escape", "q")
        await wait_for(pilot, lambda: isinstance(app.screen, QuitDialog))
        await pilot.press("n")
        await wait_for(pilot, lambda: app.screen is app.desk)
        await pilot.press("q", "y")
        await wait_for(pilot, lambda: app.return_code is not None)
    assert app.exit_note is not None and "still open" in app.exit_note
    assert len(open_calls(ctx)) == 1


async def test_a_note_without_a_call_is_logged_once_when_leaving_the_pane(desk) -> None:
    ctx, built = desk
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await pilot.press("n", *"owner away until monday")
        await pilot.pause(0.3)
        await pilot.press("escape")

        def logged() -> list[Activity]:
            with ctx.db.session() as session:
                return list(session.scalars(select(Activity).where(Activity.kind == "note")))

        await wait_for(pilot, lambda: len(logged()) == 1)
        await wait_for(pilot, lambda: app.desk.detail is not None and app.desk.detail.history[0].kind == "note")
        assert logged()[0].summary == "owner away until monday"
        assert logged()[0].customer_id == built.customers["C001"]
        assert app.desk.query_one("#notes", TextArea).text == ""


async def test_a_note_typed_before_a_crash_is_not_lost(desk) -> None:
    ctx, _ = desk
    first = make_app(ctx)
    async with first.run_test(size=SIZE) as pilot:
        await ready(pilot, first)
        await pilot.press("n", *"left a voicemail with reception")
        await pilot.pause(0.4)  # the draft is kept on disk after the debounce
        first.desk.notes.note_owner = None  # a crash: the desk's memory is gone, the draft file stays
    second = make_app(ctx)
    async with second.run_test(size=SIZE) as pilot:
        await ready(pilot, second)
        await wait_for(pilot, lambda: "note typed before" in notifications(second))
    with ctx.db.session() as session:
        notes = list(session.scalars(select(Activity).where(Activity.kind == "note")))
    assert [n.summary for n in notes] == ["left a voicemail with reception"]


async def test_help_lists_every_desk_key(desk) -> None:
    ctx, _ = desk
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        shown = {(line.keys, line.description) for line in app.screen.lines}  # type: ignore[attr-defined]
        for expected in [
            ("c", "Call"),
            ("e", "End call"),
            ("n", "Notes"),
            ("/", "Search"),
            ("s", "Supervisor"),
            ("?", "Keys"),
            ("q", "Quit"),
            ("^p", "Commands"),
            ("1", "PTP: promise to pay"),
            ("escape", "Back to outcome"),
        ]:
            assert expected in shown
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.desk)


async def test_command_palette_starts_a_call(desk) -> None:
    ctx, _ = desk
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await pilot.press("ctrl+p")
        await pilot.pause(0.2)
        await pilot.press(*"start a call")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ContactPicker))


async def test_a_supervisor_pressing_s_gets_the_supervisor_view(desk) -> None:
    from collectdesk.tui.supervisor import SupervisorScreen

    ctx, _ = desk
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, SupervisorScreen))


async def test_the_end_call_key_pressed_in_the_notes_opens_the_outcome_dialog(desk) -> None:
    ctx, _ = desk
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        assert "ctrl+e" not in footer_keys(app)  # offered only while a call is open
        await start_acme_call(pilot, app)
        await wait_for(pilot, lambda: app.focused is app.desk.query_one("#notes"))
        assert "ctrl+e" in footer_keys(app)
        await pilot.press(*"left a message", "e")
        assert app.desk.query_one("#notes", TextArea).text == "left a messagee"  # e is a letter here
        await pilot.press("ctrl+e")
        await wait_for(pilot, lambda: isinstance(app.screen, OutcomeDialog))
        await pilot.pause(0.2)
        assert open_calls(ctx)[0].notes == "left a messagee"  # the notes were saved before the dialog


async def test_the_end_call_key_is_remapped_by_settings(sqlite_url: str, frozen_clock: Clock) -> None:
    settings = Settings(keys={"desk.end_anywhere": "f9"})
    ctx = open_context(
        db_url=sqlite_url, user_name="tester", settings=settings, clock=frozen_clock, default_role="supervisor"
    )
    build_portfolio(ctx)
    app = make_app(ctx)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await start_acme_call(pilot, app)
            assert "f9: end the call" in str(app.desk.query_one("#topbar", Static).render())
            await pilot.press("f9")
            await wait_for(pilot, lambda: isinstance(app.screen, OutcomeDialog))
            lines = {(line.section, line.keys, line.description) for line in app.help_lines()}
            assert ("Desk", "f9", "End call") in lines
    finally:
        ctx.close()


def footer_keys(app: DeskApp) -> set[str]:
    return {key for key, active in app.desk.active_bindings.items() if active.enabled and active.binding.show}


async def test_a_search_result_off_the_list_is_the_one_highlighted_shown_and_called(desk) -> None:
    ctx, built = desk
    app = make_app(ctx)
    delta = built.customers["C004"]
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
        await pilot.press(*"delta")
        await wait_for(pilot, lambda: app.screen.query_one("#results", DataTable).row_count == 1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: shown_history_id(app) == delta)
        table = app.desk.query_one("#worklist", DataTable)
        assert not table.show_cursor  # no row of today's list pretends to be the account shown
        await pilot.press("down")  # back to the list: the highlighted row is the account shown
        await wait_for(pilot, lambda: table.show_cursor and shown_history_id(app) == cursor_id(app))
        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
        await pilot.press(*"delta")
        await wait_for(pilot, lambda: app.screen.query_one("#results", DataTable).row_count == 1)
        await pilot.press("enter")
        await wait_for(pilot, lambda: shown_history_id(app) == delta)
        await pilot.press("c")
        await wait_for(pilot, lambda: app.desk.call is not None)
        assert app.desk.call is not None and app.desk.call.customer_id == delta


async def test_home_and_end_go_to_the_first_and_last_account(desk) -> None:
    ctx, built = desk
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await pilot.press("end")
        await wait_for(pilot, lambda: shown_history_id(app) == built.customers["C005"])
        assert cursor_id(app) == built.customers["C005"]
        await pilot.press("home")
        await wait_for(pilot, lambda: shown_history_id(app) == built.customers["C001"])
        assert cursor_id(app) == built.customers["C001"]


async def test_after_a_reload_the_highlighted_row_and_the_panel_show_the_same_account(desk) -> None:
    ctx, built = desk
    app = make_app(ctx)
    koala = built.customers["C003"]
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await pilot.press("down")
        await wait_for(pilot, lambda: shown_history_id(app) == koala)
        with ctx.db.session() as session:  # meanwhile the account leaves today's list
            customer = session.get(Customer, koala)
            assert customer is not None
            customer.on_hold, customer.hold_reason = True, "owner in hospital"
        app.refresh_worklist()  # what the upkeep does after its pass
        await wait_for(pilot, lambda: koala not in list_keys(app))
        await wait_for(pilot, lambda: shown_history_id(app) == cursor_id(app))
        assert cursor_id(app) == built.customers["C002"]  # the one after it, as the collector saw the list


async def test_a_receipt_confirmation_is_labelled_as_such_on_the_list(desk) -> None:
    ctx, _ = desk
    with ctx.db.session() as session:
        fresh = Customer(
            ref="C900",
            name="Fresh Start Ltd",
            country="NZ",
            currency="NZD",
            created_at=TODAY_AT,
            updated_at=TODAY_AT,
        )
        session.add(fresh)
        session.flush()
        session.add(
            Invoice(
                customer_id=fresh.id,
                number="INV-9001",
                issue_date=TODAY - timedelta(days=2),
                due_date=TODAY + timedelta(days=28),
                amount=120_000,
                currency="NZD",
                open_amount=120_000,
                created_at=TODAY_AT,
            )
        )
        session.flush()
        fresh_id = fresh.id
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        assert fresh_id in list_keys(app)
        table = app.desk.query_one("#worklist", DataTable)
        assert str(table.get_cell(str(fresh_id), "overdue")) == "confirm"
        assert str(table.get_cell(str(fresh_id), "dpd")) == "new"


async def test_at_80_by_24_the_list_and_the_account_take_turns_and_the_notes_show_during_a_call(desk) -> None:
    ctx, _ = desk
    app = make_app(ctx)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot, app)
        table = app.desk.query_one("#worklist", DataTable)
        panel = app.desk.query_one("#account")
        assert table.region.width >= 70 and panel.region.width == 0  # the list alone, full width
        footer = app.desk.query_one("Footer")
        assert footer.region.right <= 80
        await pilot.press("a")  # the account, full width
        await wait_for(pilot, lambda: app.desk.query_one("#account-header").region.width >= 70)
        assert "Acme Tools Inc" in str(app.desk.query_one("#account-header", Static).render())
        await pilot.press("escape")
        await wait_for(pilot, lambda: table.region.width >= 70)
        await pilot.press("c")
        await wait_for(pilot, lambda: isinstance(app.screen, ContactPicker))
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.desk.call is not None)
        notes = app.desk.query_one("#notes", TextArea)
        await wait_for(pilot, lambda: app.focused is notes and notes.region.width >= 70)
        assert notes.region.bottom <= 23  # above the footer, whole
        await pilot.press("escape")  # the list during the call: the footer has the most keys then
        await wait_for(pilot, lambda: table.region.width >= 70)
        await pilot.pause(0.2)
        keys = list(app.desk.query("FooterKey"))
        assert any("Quit" in str(key.render()) for key in keys)
        assert all(key.region.right <= 80 and key.region.width > 0 for key in keys)
        await pilot.press("a")
        await wait_for(pilot, lambda: notes.region.width >= 70)
        notes.focus()
        await pilot.press(*"spoke with alice", "ctrl+e")
        await wait_for(pilot, lambda: isinstance(app.screen, OutcomeDialog))


def test_every_key_of_the_desk_has_an_id() -> None:
    from textual.binding import Binding

    from collectdesk.tui.call_list import WorklistTable
    from collectdesk.tui.desk import DeskScreen, NotesArea

    for owner in (DeskScreen, WorklistTable, NotesArea):
        for binding in Binding.make_bindings(owner.BINDINGS):
            assert binding.id, f"{owner.__name__}: {binding.key} → {binding.action} has no id"


async def test_list_moves_are_remapped_by_settings(sqlite_url: str, frozen_clock: Clock) -> None:
    settings = Settings(keys={"list.last": "G", "list.first": "g"})
    ctx = open_context(
        db_url=sqlite_url, user_name="tester", settings=settings, clock=frozen_clock, default_role="supervisor"
    )
    built = build_portfolio(ctx)
    app = make_app(ctx)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot, app)
            await pilot.press("G")
            await wait_for(pilot, lambda: cursor_id(app) == built.customers["C005"])
            await pilot.press("g")
            await wait_for(pilot, lambda: cursor_id(app) == built.customers["C001"])
            lines = {(line.section, line.description): line.keys for line in app.help_lines()}
            assert lines["Call list", "Last account"] == "G"
    finally:
        ctx.close()


async def test_a_new_empty_database_says_how_to_bring_customers_in(sqlite_url: str, frozen_clock: Clock) -> None:
    ctx = open_context(db_url=sqlite_url, user_name="tester", settings=Settings(), clock=frozen_clock)
    try:
        app = make_app(ctx)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: app.desk.list_loaded)
            await pilot.pause()
            status = str(app.desk.query_one("#list-status", Static).render())
            assert "No customers yet" in status and "collectdesk import customers" in status
    finally:
        ctx.close()


async def test_a_list_emptied_by_the_day_is_not_called_an_empty_database(desk) -> None:
    ctx, _ = desk
    with ctx.db.session() as session:
        session.execute(update(Customer).values(next_action_on=TODAY + timedelta(days=30)))
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.desk.list_loaded)
        await pilot.pause()
        status = str(app.desk.query_one("#list-status", Static).render())
        assert "Nothing left on today's list" in status and "No customers yet" not in status


async def test_the_panel_says_which_colleague_is_on_a_call_and_since_when(
    desk, db_url: str, frozen_clock: Clock
) -> None:
    from collectdesk.services.calls import CallOutcome, close_call, start_call

    ctx, built = desk
    acme = built.customers["C001"]
    pat = open_context(db_url=db_url, user_name="pat", settings=Settings(), clock=frozen_clock)
    app = make_app(ctx)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot, app)
            assert shown_history_id(app) == acme

            def header() -> str:
                return str(app.desk.query_one("#account-header", Static).render())

            assert "☎ pat" not in header()
            call = start_call(pat, acme)
            await pilot.press("r")  # what the live feed does on its own when a colleague starts a call
            since = f"{frozen_clock.local_time(call.started_at):%H:%M}"
            await wait_for(pilot, lambda: f"☎ pat is on a call with them since {since}" in header())
            assert "pick another account" in header()
            await pilot.press("c")
            await wait_for(pilot, lambda: "pat is already on a call with Acme Tools Inc" in notifications(app))
            assert app.desk.call is None
            # Pat asks for the account again today, so it stays on the list, marked as just called.
            close_call(pat, call.id, CallOutcome("NOANSWER", next_action_on=TODAY))
            await pilot.press("r")
            await wait_for(pilot, lambda: "✓ pat closed a call with them at" in header())
            assert "☎ pat" not in header() and "NOANSWER" in header()
    finally:
        pat.close()


class HeldOpening:
    """An opening frame on today's rows whose desk opens only once ``may_open`` is set."""

    def __init__(self, ctx: AppContext, db_url: str, clock: Clock) -> None:
        import threading

        from collectdesk.services.worklist import build_worklist

        self.rows = build_worklist(ctx, limit=200)
        self.may_open = threading.Event()
        self.opened: list[AppContext] = []
        self._db_url, self._clock = db_url, clock

    def open_later(self) -> AppContext:
        """The desk's context, once the test lets it open."""
        assert self.may_open.wait(10)
        context = open_context(db_url=self._db_url, user_name="tester", settings=Settings(), clock=self._clock)
        self.opened.append(context)
        return context

    def close(self) -> None:
        """Close what the desk opened."""
        for context in self.opened:
            context.close()


async def test_the_opening_frame_shows_the_rows_then_the_desk_takes_over_where_the_cursor_went(
    desk, db_url: str, frozen_clock: Clock
) -> None:
    from collectdesk.tui.opening import Opening, OpeningScreen

    held = HeldOpening(desk[0], db_url, frozen_clock)
    rows, may_open = held.rows, held.may_open

    after: list[str] = []
    opening = Opening(
        rows, "tester", frozen_clock.now(), held.open_later, after_open=lambda c, a: after.append(c.user.name)
    )
    app = DeskApp(None, opening=opening, cursor_blink=False, notes_delay=0.1, refresh_seconds=0)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, OpeningScreen))
            table = app.screen.query_one("#worklist", DataTable)
            assert table.row_count == len(rows) and not app.is_open
            assert [str(table.get_row_at(i)[1]) for i in range(2)] == [r.name[:14] for r in rows[:2]]
            await pilot.press("down")  # the collector moves while the desk opens
            await pilot.press("question_mark")  # keys wait for the desk; nothing breaks
            assert isinstance(app.screen, OpeningScreen)
            may_open.set()
            await wait_for(pilot, lambda: app.is_open and app.desk.list_loaded)
            await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))  # the ? waited, then acted
            await pilot.press("escape")
            await wait_for(pilot, lambda: app.screen is app.desk)
            await ready(pilot, app)
            assert cursor_id(app) == rows[1].customer_id
            await wait_for(pilot, lambda: shown_history_id(app) == rows[1].customer_id)
            assert list_keys(app) == [r.customer_id for r in rows]
            assert after == ["tester"]
    finally:
        held.close()


async def test_a_call_key_pressed_on_the_opening_frame_starts_the_call_once_the_desk_is_there(
    desk, db_url: str, frozen_clock: Clock
) -> None:
    from collectdesk.tui.opening import Opening, OpeningScreen

    held = HeldOpening(desk[0], db_url, frozen_clock)
    rows, may_open = held.rows, held.may_open

    app = DeskApp(None, opening=Opening(rows, "tester", frozen_clock.now(), held.open_later), cursor_blink=False)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: isinstance(app.screen, OpeningScreen))
            await pilot.press("down", "up", "c")  # a collector who knows the list does not wait for the panel
            assert isinstance(app.screen, OpeningScreen) and not app.is_open
            may_open.set()
            await wait_for(pilot, lambda: app.is_open and (app.desk.call is not None or app.screen is not app.desk))
            if isinstance(app.screen, ContactPicker):  # more than one number: the first is picked
                await pilot.press("enter")
            await wait_for(pilot, lambda: app.desk.call is not None)
            assert app.desk.call is not None and app.desk.call.customer_id == rows[0].customer_id
    finally:
        held.close()


async def test_when_the_desk_cannot_open_behind_its_frame_the_program_says_why(frozen_clock: Clock) -> None:
    from collectdesk.services.worklist_rows import WorklistRow
    from collectdesk.store.database import DatabaseError
    from collectdesk.tui.opening import Opening

    def refuse() -> AppContext:
        raise DatabaseError("password authentication failed for user tester")

    opening = Opening(list[WorklistRow](), "tester", frozen_clock.now(), refuse)
    app = DeskApp(None, opening=opening, cursor_blink=False)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: not app.is_running or app.opening_error is not None)
    assert app.opening_error == "password authentication failed for user tester"
    assert app.return_code == 1


async def test_q_on_the_opening_frame_quits_at_once(desk, frozen_clock: Clock) -> None:
    import threading

    from collectdesk.services.worklist import build_worklist
    from collectdesk.tui.opening import Opening, OpeningScreen

    ctx, _ = desk
    never = threading.Event()

    def slow_open() -> AppContext:
        never.wait(2)
        raise RuntimeError("the collector had already quit")

    app = DeskApp(None, opening=Opening(build_worklist(ctx, limit=200), "tester", frozen_clock.now(), slow_open))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, OpeningScreen))
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running)
    assert not app.is_open and app.return_code in (None, 0)


def _burst(app: DeskApp, keys: list[str]) -> None:
    """Post keys the way a terminal delivers a fast typist's keys: all in one go, none awaited."""
    from textual import events

    names = {"-": "minus", ".": "full_stop", "+": "plus"}
    for key in keys:
        char = {"tab": None, "enter": "\r"}.get(key, key)
        app.post_message(events.Key(names.get(key, key), char))


async def test_a_typed_next_date_and_enter_in_one_burst_close_with_that_date(desk) -> None:
    ctx, built = desk
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await to_next_action_after_no_answer(pilot, app)
        await wait_for(pilot, lambda: app.screen.proposed is not None)  # type: ignore[attr-defined]
        _burst(app, ["+", "2", "enter"])
        await wait_for(pilot, lambda: app.desk.call is None)
    with ctx.db.session() as session:
        acme = session.get(Customer, built.customers["C001"])
        assert acme is not None and acme.next_action_on == TODAY + timedelta(days=2)


async def test_a_promise_typed_in_one_burst_with_enter_is_saved_as_typed(desk) -> None:
    ctx, _ = desk
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await open_promise_dialog(pilot, app)
        app.screen.query_one("#promised_on", Input).focus()
        await pilot.pause()
        _burst(app, [*"2026-11-30", "tab", *"1234.56", "enter"])
        await wait_for(pilot, lambda: isinstance(app.screen, NextActionDialog))
        assert app.screen.outcome.promise.amount == 123_456  # type: ignore[attr-defined]


async def test_keys_typed_in_one_burst_after_tab_land_in_the_next_field(desk) -> None:
    from textual import events

    ctx, _ = desk
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await open_promise_dialog(pilot, app)
        form = app.screen
        form.query_one("#promised_on", Input).focus()
        await pilot.pause()
        # What a terminal delivers when a fast typist types "2026-11-30⇥1234.56": one read, every key.
        burst = [*"2026-11-30", "tab", *"1234.56"]
        for key in burst:
            char = None if key == "tab" else key
            name = {"-": "minus", ".": "full_stop"}.get(key, key)
            app.post_message(events.Key(name, char))
        await wait_for(pilot, lambda: form.query_one("#amount", Input).value == "1234.56")
        assert form.query_one("#promised_on", Input).value == "2026-11-30"


async def test_a_reload_that_moves_the_shown_accounts_stage_shows_in_the_panel_too(desk) -> None:
    ctx, _ = desk
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        shown = app.desk.detail
        assert shown is not None
        moved = "management" if shown.stage != "management" else "legal"
        with ctx.db.session() as session:  # the day's upkeep, on this desk or another, moved it up
            session.execute(update(Customer).where(Customer.id == shown.customer_id).values(stage=moved))
        await pilot.press("r")
        await wait_for(pilot, lambda: app.desk.detail is not None and app.desk.detail.stage == moved)
        header = str(app.desk.query_one("#account-header", Static).render())
        assert f"Stage {moved}" in header and app.desk.detail.customer_id == shown.customer_id


async def test_the_panel_says_a_number_may_be_called_once_the_calling_window_opens(desk) -> None:
    from collectdesk.domain.clock import Clock

    ctx, _ = desk
    ctx.clock = Clock(today_override=TODAY, frozen_at=datetime(2026, 11, 23, 6, 0, tzinfo=UTC))  # night in the US
    app = make_app(ctx)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)

        def header() -> str:
            return str(app.desk.query_one("#account-header", Static).render())

        await wait_for(pilot, lambda: "✗ not now" in header())
        shown = app.desk.detail
        ctx.clock = Clock(today_override=TODAY, frozen_at=datetime(2026, 11, 23, 18, 0, tzinfo=UTC))  # their day
        await pilot.press("r")  # what the desk does on its own every minute
        await wait_for(pilot, lambda: "✗ not now" not in header())
        assert app.desk.detail is not None and shown is not None
        assert app.desk.detail.customer_id == shown.customer_id and app.desk.detail.callable_now.callable
