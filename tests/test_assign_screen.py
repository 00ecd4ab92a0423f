"""Assigning from the supervisor view: the selected account, or every account matching a filter."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from collectdesk.services.context import AppContext
from collectdesk.store.models import Activity, Customer, User
from collectdesk.tui.assign_dialog import AssignDialog
from collectdesk.tui.supervisor import SupervisorApp
from tally_fixtures import build_portfolio


async def _until(pilot: Pilot[None], condition: object) -> None:
    for _ in range(100):
        if condition():  # type: ignore[operator]
            return
        await pilot.pause(0.05)
    raise AssertionError(f"the screen did not get there in time: {_error(pilot.app)!r} {_plan(pilot.app)!r}")


def _collectors(ctx: AppContext) -> dict[str, str | None]:
    with ctx.db.session() as session:
        names = dict(session.execute(select(User.id, User.name)).all())
        return {ref: names.get(cid) for ref, cid in session.execute(select(Customer.ref, Customer.collector_id))}


def _plan(app: SupervisorApp) -> str:
    return str(app.screen.query_one("#assign-plan", Static).render())


def _error(app: SupervisorApp) -> str:
    return str(app.screen.query_one("#assign-error", Static).render())


async def _type(pilot: Pilot[None], field: str, text: str) -> None:
    """Clear the field and type ``text`` into it, key by key."""
    box = pilot.app.screen.query_one(f"#{field}", Input)
    box.focus()
    box.value = ""
    await pilot.press(*text)


async def test_g_on_a_toughest_account_assigns_it_after_saying_what_moves(ctx: AppContext, tmp_path: Path) -> None:
    build_portfolio(ctx)
    app = SupervisorApp(ctx, export_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.app.workers.wait_for_complete()
        toughest = app.screen.query_one("#toughest", DataTable)
        await _until(pilot, lambda: toughest.row_count > 0)
        toughest.focus()
        ref = str(toughest.get_row_at(toughest.cursor_row)[0])
        await pilot.press("g")
        await _until(pilot, lambda: isinstance(app.screen, AssignDialog))
        assert app.screen.query_one("#assign-refs", Input).value == ref
        assert "Collectors: alice, bob, carol" in str(app.screen.query_one(".assign-help", Static).render())
        await pilot.press(*"bob", "enter")
        await _until(pilot, lambda: f"Assign 1 account ({ref}) to bob? enter: assign" in _plan(app))
        assert _collectors(ctx)[ref] is None  # nothing moves before the second enter
        await pilot.press("enter")
        await _until(pilot, lambda: not isinstance(app.screen, AssignDialog))
        assert any("1 account assigned to bob" in str(n.message) for n in app._notifications)
    assert _collectors(ctx)[ref] == "bob"
    with ctx.db.session() as session:
        logged = session.scalars(select(Activity.summary).where(Activity.kind == "assignment")).all()
    assert logged == ["Assigned to bob (was unassigned) by tester"]


async def test_a_filter_assigns_every_match_and_changing_a_field_asks_again(ctx: AppContext, tmp_path: Path) -> None:
    build_portfolio(ctx)
    app = SupervisorApp(ctx, export_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.press("g")
        await _until(pilot, lambda: isinstance(app.screen, AssignDialog))
        await _type(pilot, "assign-stage", "reminder")
        await _type(pilot, "assign-to", "alice")
        await pilot.press("enter")
        await _until(pilot, lambda: "Assign 2 accounts (C4, C5) to alice?" in _plan(app))
        await _type(pilot, "assign-to", "carol")  # changed its mind: the plan is asked again
        assert _plan(app) == ""
        await pilot.press("enter")
        await _until(pilot, lambda: "Assign 2 accounts (C4, C5) to carol?" in _plan(app))
        await pilot.press("enter")
        await _until(pilot, lambda: not isinstance(app.screen, AssignDialog))
    assert _collectors(ctx) == {"C1": None, "C2": None, "C3": None, "C4": "carol", "C5": "carol"}


async def test_bad_input_is_refused_in_the_dialog_and_changes_nothing(ctx: AppContext, tmp_path: Path) -> None:
    build_portfolio(ctx)
    app = SupervisorApp(ctx, export_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.app.workers.wait_for_complete()
        await pilot.press("g")
        await _until(pilot, lambda: isinstance(app.screen, AssignDialog))
        await pilot.press("enter")
        assert "say whom to assign them to" in _error(app)
        await _type(pilot, "assign-to", "bob")
        await pilot.press("enter")
        assert "type the accounts' refs, or fill in at least one of the conditions" in _error(app)
        await _type(pilot, "assign-stage", "nowhere")
        await pilot.press("enter")
        await _until(pilot, lambda: "stage must be one of" in _error(app))
        await _type(pilot, "assign-stage", "legal")
        await _type(pilot, "assign-to", "zed")
        await pilot.press("enter")
        await _until(pilot, lambda: "there is no user zed (users: alice, bob, carol, tester)" in _error(app))
        assert _plan(app) == ""
        await _type(pilot, "assign-refs", "C1 NOPE")
        await _type(pilot, "assign-to", "bob")
        await pilot.press("enter")
        await _until(pilot, lambda: "Assign 2 accounts (C1, NOPE) to bob?" in _plan(app))
        await pilot.press("enter")
        await _until(pilot, lambda: "no account with ref NOPE: nothing was assigned" in _error(app))
        await pilot.press("escape")
        await _until(pilot, lambda: not isinstance(app.screen, AssignDialog))
    assert set(_collectors(ctx).values()) == {None}
