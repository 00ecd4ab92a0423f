"""The supervisor view's "ready for referral" table: one key, a confirmation and a reason."""

from __future__ import annotations

from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from account_factory import add_customer, add_invoice
from collectdesk.services.agency import placements
from collectdesk.services.context import AppContext
from collectdesk.services.upkeep import bring_up_to_date
from collectdesk.services.worklist import build_worklist
from collectdesk.tui.referral import ReferralDialog
from collectdesk.tui.supervisor import SupervisorApp


async def _settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _portfolio(ctx: AppContext) -> None:
    for ref, days in (("OLD", 120), ("LATE", 95), ("NEW", 12)):
        customer = add_customer(ctx, ref, name=f"{ref.title()} Co")
        add_invoice(ctx, customer, days_past_due=days, number=f"{ref}-1")
    bring_up_to_date(ctx)


async def test_a_supervisor_refers_the_selected_account_with_a_reason(ctx: AppContext) -> None:
    _portfolio(ctx)
    app = SupervisorApp(ctx)
    async with app.run_test(size=(120, 60)) as pilot:
        await _settle(pilot)
        table = app.screen.query_one("#referral", DataTable)
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == ["OLD", "LATE"]
        table.focus()
        await pilot.press("down", "a")  # LATE
        await pilot.pause()
        assert isinstance(app.screen, ReferralDialog)
        await pilot.press("enter")  # no reason yet: refused, the dialog stays
        await pilot.pause()
        assert "reason" in str(app.screen.query_one("#referral-error", Static).render())
        app.screen.query_one(Input).value = "final demand ignored"
        await pilot.press("enter")
        await _settle(pilot)
        assert not isinstance(app.screen, ReferralDialog)
        table = app.screen.query_one("#referral", DataTable)
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == ["OLD"]
    assert [r.ref for r in build_worklist(ctx)] == ["OLD", "NEW"]
    assert [row[1] for row in placements(ctx)] == ["LATE"]


async def test_escape_refers_nothing(ctx: AppContext) -> None:
    _portfolio(ctx)
    app = SupervisorApp(ctx)
    async with app.run_test(size=(120, 60)) as pilot:
        await _settle(pilot)
        app.screen.query_one("#referral", DataTable).focus()
        await pilot.press("a")
        await pilot.pause()
        app.screen.query_one(Input).value = "changed my mind"
        await pilot.press("escape")
        await _settle(pilot)
    assert placements(ctx) == []
    assert [r.ref for r in build_worklist(ctx)] == ["OLD", "LATE", "NEW"]
