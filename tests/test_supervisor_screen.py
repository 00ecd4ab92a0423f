"""The supervisor screen: figures from the tally, period keys, custom range, export, refusal."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Sparkline, Static

from collectdesk.cli.main import main
from collectdesk.domain.clock import Clock
from collectdesk.services.context import AppContext, open_context
from collectdesk.settings import Settings
from collectdesk.tui.supervisor import CustomRangeDialog, SupervisorApp, SupervisorScreen
from tally_fixtures import build_portfolio


async def _settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _row(table: DataTable[object], index: int) -> list[str]:
    return [str(cell) for cell in table.get_row_at(index)]


async def test_screen_shows_the_tally_and_switches_periods(ctx: AppContext, tmp_path: Path) -> None:
    build_portfolio(ctx)
    app = SupervisorApp(ctx, export_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, SupervisorScreen)
        promises = screen.query_one("#promises", DataTable)
        # A section per currency: USD (the reporting one, every collector listed), then EUR.
        assert [tuple(_row(promises, i)[:2]) for i in range(promises.row_count)] == [
            ("all", "USD"),
            ("alice", "USD"),
            ("bob", "USD"),
            ("carol", "USD"),
            ("all", "EUR"),
            ("bob", "EUR"),
        ]
        assert _row(promises, 0)[2] == "7" and _row(promises, 0)[12] == "33.3%"  # P5 is the EUR one
        assert _row(promises, 4)[2] == "1" and _row(promises, 4)[4] == "€250.00"
        activity = screen.query_one("#activity", DataTable)
        assert _row(activity, 0)[4] == "71.4%" and _row(activity, 0)[7] == "31m 30s"
        assert _row(screen.query_one("#aging", DataTable), 3)[:3] == ["61–90", "$2,000.00", "47.6%"]
        assert _row(screen.query_one("#broken", DataTable), 0)[0] == "C2"
        assert screen.query_one("#trend-kept", Sparkline).data is not None
        assert len(list(screen.query_one("#trend-kept", Sparkline).data or [])) == 23

        await pilot.press("t")  # today, Monday 23 November: nothing promised yet
        await _settle(pilot)
        assert _row(promises, 0)[2] == "0" and _row(promises, 0)[12] == "—"
        assert "Today: 2026-11-23" in str(screen.query_one("#status", Static).render())
        await pilot.press("w")  # this week: same Monday
        await _settle(pilot)
        assert "This week: 2026-11-23 – 2026-11-29" in str(screen.query_one("#status", Static).render())
        await pilot.press("m")
        await _settle(pilot)
        assert _row(promises, 0)[2] == "7"


async def test_x_exports_the_focused_table(ctx: AppContext, tmp_path: Path) -> None:
    build_portfolio(ctx)
    app = SupervisorApp(ctx, export_dir=tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        app.screen.query_one("#promises", DataTable).focus()
        await pilot.press("x")
        await pilot.pause()
        (path,) = tmp_path.glob("collectdesk-promises-*.csv")
        assert path.name == "collectdesk-promises-2026-11-01-2026-11-30-2026-11-23.csv"
        rows = list(csv.DictReader(path.open(encoding="utf-8")))
        assert rows[0]["collector"] == "all"
        assert rows[0]["currency"] == "USD"
        assert (rows[0]["made_amount"], rows[1]["collected"]) == ("1730.00", "480.00")
        assert float(rows[0]["kept_rate"]) == pytest.approx(1 / 3)  # USD: P1 kept of P1 P2 P3 matured
        assert any(str(path) in n.message for n in app._notifications)


async def test_custom_range_dialog(ctx: AppContext) -> None:
    build_portfolio(ctx)
    app = SupervisorApp(ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        await pilot.press("c")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, CustomRangeDialog)
        dialog.query_one("#range-from", Input).value = "2026-11-10"
        dialog.query_one("#range-to", Input).value = "2026-11-01"
        dialog.query_one("#range-to", Input).focus()
        await pilot.press("enter")
        await pilot.pause()
        assert "starts" in str(dialog.query_one("#range-error", Static).render())
        assert app.screen is dialog  # kept open, with what was typed
        dialog.query_one("#range-to", Input).value = "2026-11-12"
        await pilot.press("enter")
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, SupervisorScreen)
        status = str(screen.query_one("#status", Static).render())
        assert "Custom: 2026-11-10 – 2026-11-12" in status
        # Made Nov 10–12: P3 (alice) and P4 (bob).
        assert _row(screen.query_one("#promises", DataTable), 0)[2] == "2"


@pytest.fixture
def collector_ctx(ctx: AppContext, db_url: str, frozen_clock: Clock) -> Iterator[AppContext]:
    """The same database, opened by alice, a collector."""
    context = open_context(
        db_url=db_url, user_name="alice", settings=Settings(), clock=frozen_clock, default_role="collector"
    )
    yield context
    context.close()


async def test_collector_sees_a_refusal_not_the_figures(collector_ctx: AppContext) -> None:
    app = SupervisorApp(collector_ctx)
    async with app.run_test(size=(120, 40)) as pilot:
        await _settle(pilot)
        message = str(app.screen.query_one("#refusal", Static).render())
        assert "alice is a collector" in message
        assert "collectdesk users add alice --role supervisor" in message
        assert not app.screen.query(DataTable)
        await pilot.press("m")
        await _settle(pilot)
        assert not app.screen.query(DataTable)


def test_cli_supervisor_refuses_a_collector(
    collector_ctx: AppContext, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", db_url, "--user", "alice", "supervisor"]) == 1
    assert "alice is a collector" in capsys.readouterr().err


def test_snapshot(snap_compare: object, sqlite_url: str, frozen_clock: Clock) -> None:
    context = open_context(
        db_url=sqlite_url, user_name="tester", settings=Settings(), clock=frozen_clock, default_role="supervisor"
    )
    try:
        build_portfolio(context)
        app = SupervisorApp(context, refresh_seconds=3600, export_dir=Path("/srv/collect/exports"))
        assert snap_compare(app, terminal_size=(120, 40), run_before=_settle)  # type: ignore[operator]
    finally:
        context.close()


def _footer_fits(app: SupervisorApp, *wanted: str) -> bool:
    """Every key the footer shows lies inside 80 columns and the wanted labels are among them."""
    keys = list(app.screen.query("FooterKey"))
    labels = " ".join(str(key.render()) for key in keys)
    inside = all(key.region.right <= 80 and key.region.width > 0 for key in keys)
    return inside and all(word in labels for word in wanted)


async def _footer_settles(pilot: Pilot[None], *wanted: str) -> None:
    """The footer recomposes a moment after focus moves (later still on a loaded machine): wait for it."""
    app = pilot.app
    assert isinstance(app, SupervisorApp)
    for _ in range(100):
        if _footer_fits(app, *wanted):
            return
        await pilot.pause(0.05)
    keys = [str(key.render()) for key in app.screen.query("FooterKey")]
    raise AssertionError(f"footer never showed {wanted} inside 80 columns: {keys}")


async def test_at_80_columns_every_footer_key_is_on_screen(ctx: AppContext, tmp_path: Path) -> None:
    build_portfolio(ctx)
    app = SupervisorApp(ctx, export_dir=tmp_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        for _ in range(12):  # through every table, the referral one (with its extra key) included
            await pilot.press("tab")
            await _footer_settles(pilot, "Quit", "Back", "Export")
        app.screen.query_one("#referral", DataTable).focus()  # its refer key joins the footer
        await _footer_settles(pilot, "Quit", "Back", "Export", "Refer")
