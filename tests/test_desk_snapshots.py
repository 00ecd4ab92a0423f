"""Snapshots of the desk at 120×40 with a frozen clock: the main screen and the call dialogs."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input

from collectdesk.domain.clock import Clock
from collectdesk.services.context import AppContext, open_context
from collectdesk.settings import Settings
from collectdesk.tui.app import DeskApp
from collectdesk.tui.dialogs import ContactPicker
from collectdesk.tui.forms import FollowUpForm
from collectdesk.tui.outcome import OutcomeDialog
from desk_data import build_portfolio

SIZE = (120, 40)


@pytest.fixture
def app(sqlite_url: str, frozen_clock: Clock) -> Iterator[DeskApp]:
    ctx: AppContext = open_context(
        db_url=sqlite_url, user_name="tester", settings=Settings(), clock=frozen_clock, default_role="supervisor"
    )
    build_portfolio(ctx)
    yield DeskApp(ctx, cursor_blink=False, notes_delay=0.1, refresh_seconds=0)
    ctx.close()


async def _until(pilot: Pilot[Any], condition: Callable[[], object]) -> None:
    for _ in range(200):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("the desk did not get there in time")


async def _ready(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, DeskApp)
    await _until(pilot, lambda: app.desk.list_loaded and app.desk.detail is not None and app.desk.marks)
    # The table sizes its columns when idle: let it settle before the picture is taken.
    table = app.desk.query_one("#worklist", DataTable)
    await _until(pilot, lambda: not table._require_update_dimensions and not table._new_rows)
    await pilot.pause(0.3)
    await pilot.wait_for_scheduled_animations()


async def _outcome(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, DeskApp)
    await _ready(pilot)
    await pilot.press("c")
    await _until(pilot, lambda: isinstance(app.screen, ContactPicker))
    await pilot.press("enter")
    await _until(pilot, lambda: app.desk.call is not None)
    await pilot.press(*"asked for the finance manager")
    await pilot.press("escape", "e")
    await _until(pilot, lambda: isinstance(app.screen, OutcomeDialog))
    await pilot.press("y")
    await pilot.pause(0.1)


async def _promise(pilot: Pilot[Any]) -> None:
    app = pilot.app
    await _outcome(pilot)
    await pilot.press("1")
    await _until(pilot, lambda: isinstance(app.screen, FollowUpForm))
    await pilot.press(*"fri")
    app.screen.query_one("#amount", Input).focus()
    await pilot.press(*"25,000.00", "enter")
    await _until(pilot, lambda: "more than" in str(app.screen.query_one("#err-amount").render()))
    await pilot.pause(0.1)


async def _narrow_call(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, DeskApp)
    await _ready(pilot)
    await pilot.press("c")
    await _until(pilot, lambda: isinstance(app.screen, ContactPicker))
    await pilot.press("enter")
    await _until(pilot, lambda: app.desk.call is not None)
    await pilot.press(*"asked for the finance manager")
    await pilot.pause(0.3)


def test_main_screen_at_80_by_24(app: DeskApp, snap_compare: Any) -> None:
    assert snap_compare(app, terminal_size=(80, 24), run_before=_ready)


def test_a_call_at_80_by_24_keeps_the_notes_in_sight(app: DeskApp, snap_compare: Any) -> None:
    assert snap_compare(app, terminal_size=(80, 24), run_before=_narrow_call)


def test_main_screen(app: DeskApp, snap_compare: Any) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=_ready)


def test_outcome_dialog(app: DeskApp, snap_compare: Any) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=_outcome)


def test_promise_dialog_with_a_refused_amount(app: DeskApp, snap_compare: Any) -> None:
    assert snap_compare(app, terminal_size=SIZE, run_before=_promise)
