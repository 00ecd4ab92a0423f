"""Live desks: a change committed anywhere reaches a waiting feed, and the desk's list follows."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from textual.widgets import DataTable

from collectdesk.domain.clock import Clock
from collectdesk.services.assignment import assign
from collectdesk.services.calls import start_call
from collectdesk.services.context import AppContext, open_context
from collectdesk.services.live import change_feed
from collectdesk.settings import Settings
from collectdesk.tui.app import DeskApp
from desk_data import build_portfolio
from ledger_fixtures import add_customer


def test_a_colleagues_call_reaches_the_feed(ctx: AppContext, db_url: str, frozen_clock: Clock) -> None:
    colleague = open_context(db_url=db_url, user_name="pat", settings=Settings(), clock=frozen_clock)
    customer = add_customer(ctx)
    feed = change_feed(ctx.db)
    try:
        assert not feed.wait(0.3)  # nothing happened
        started = time.monotonic()
        start_call(colleague, customer)
        assert feed.wait(2.0)
        assert time.monotonic() - started < 2.0
        assert not feed.wait(0.3)  # one change, told once
    finally:
        feed.close()
        colleague.close()


@pytest.fixture
def carols_desk(sqlite_url: str, frozen_clock: Clock) -> Iterator[tuple[AppContext, AppContext, dict[str, int]]]:
    """The supervisor's context and the desk context of carol, whose accounts the portfolio holds."""
    boss = open_context(db_url=sqlite_url, user_name="tester", settings=Settings(), clock=frozen_clock)
    built = build_portfolio(boss)
    carol = open_context(db_url=sqlite_url, user_name="carol", settings=Settings(), clock=frozen_clock)
    yield boss, carol, built.customers
    carol.close()
    boss.close()


async def test_the_list_follows_a_reassignment_without_a_key(
    carols_desk: tuple[AppContext, AppContext, dict[str, int]],
) -> None:
    boss, carol, customers = carols_desk
    app = DeskApp(carol, cursor_blink=False, notes_delay=0.1, refresh_seconds=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.desk.query_one("#worklist", DataTable)

        def keys() -> list[int]:
            return [int(str(table.coordinate_to_cell_key((i, 0)).row_key.value)) for i in range(table.row_count)]

        for _ in range(100):
            if app.desk.list_loaded and table.row_count:
                break
            await pilot.pause(0.05)
        before = keys()
        assert len(before) >= 3
        await pilot.press("down")
        await pilot.pause(0.2)
        kept = int(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value))
        moved_away = next(cid for cid in before if cid != kept)
        ref = next(r for r, cid in customers.items() if cid == moved_away)
        assign(boss, [ref], "tester")
        started = time.monotonic()
        while moved_away in keys():
            assert time.monotonic() - started < 2.0, "the list did not update within 2 s"
            await pilot.pause(0.05)
        assert int(str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)) == kept


async def test_a_colleagues_call_marks_the_row_live(
    carols_desk: tuple[AppContext, AppContext, dict[str, int]],
) -> None:
    boss, carol, _customers = carols_desk
    app = DeskApp(carol, cursor_blink=False, notes_delay=0.1, refresh_seconds=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.desk.query_one("#worklist", DataTable)
        for _ in range(100):
            if app.desk.list_loaded and table.row_count:
                break
            await pilot.pause(0.05)
        key = table.coordinate_to_cell_key((1, 0)).row_key
        start_call(boss, int(str(key.value)), override_reason="training call")
        started = time.monotonic()
        while not str(table.get_cell(key, "customer")).startswith("☎ "):
            assert time.monotonic() - started < 2.0, "the row was not marked within 2 s"
            await pilot.pause(0.05)
