"""The tally in more than one currency, with a plan, built through the real importer and call flow:
every currency shows its own figures, a plan counts once as a promise made, labels match numbers."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import DataTable, Static

from collectdesk.cli.cmd_tally import write_tally
from collectdesk.cli.main import main
from collectdesk.domain.clock import Clock
from collectdesk.services.calls import CallOutcome, close_call, start_call
from collectdesk.services.context import AppContext, open_context
from collectdesk.services.importing import import_csv
from collectdesk.services.promises import PlanInput, PromiseInput
from collectdesk.services.tally import Tally, compute_tally
from collectdesk.settings import Settings
from collectdesk.store.models import Customer
from collectdesk.tui.supervisor import SupervisorApp, SupervisorScreen
from tally_fixtures import build_portfolio

# 11:30 in Sydney, 13:30 in Auckland: inside both calling windows.
CLOCK = Clock(today_override=date(2026, 11, 23), frozen_at=datetime(2026, 11, 23, 0, 30, tzinfo=UTC))

CUSTOMERS = """ref,name,kind,country,currency,terms_days,phone,email,timezone,collector
AU1,Harbour Freight Pty Ltd,business,AU,AUD,30,+61 2 9374 4000,ap@harbour.example,Australia/Sydney,
AU2,Coastal Joinery Pty Ltd,business,AU,AUD,30,+61 2 9374 4001,ap@coastal.example,Australia/Sydney,
NZ1,Kauri Timber Ltd,business,NZ,NZD,20,+64 9 379 4000,ap@kauri.example,Pacific/Auckland,
"""
INVOICES = """customer_ref,number,issue_date,due_date,amount,currency
AU1,A-1,2026-09-01,2026-10-01,3000.00,AUD
AU2,A-2,2026-09-15,2026-10-15,900.00,AUD
NZ1,N-1,2026-09-10,2026-09-30,1200.00,NZD
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def two_currencies(db_url: str, tmp_path: Path) -> Iterator[AppContext]:
    """Two AUD accounts and one NZD account; three PTP calls: a 3-instalment plan, two single promises."""
    ctx = open_context(db_url=db_url, user_name="tester", settings=Settings(), clock=CLOCK, default_role="supervisor")
    import_csv(ctx, "customers", _write(tmp_path, "customers.csv", CUSTOMERS))
    import_csv(ctx, "invoices", _write(tmp_path, "invoices.csv", INVOICES))
    with ctx.db.session() as session:
        ids = {c.ref: c.id for c in session.query(Customer)}

    def ptp(ref: str, outcome: CallOutcome) -> None:
        call = start_call(ctx, ids[ref])
        close_call(ctx, call.id, outcome)

    plan = PlanInput(total=300_000, instalments=3, first_on=date(2026, 11, 30), every="month")
    ptp("AU1", CallOutcome("PTP", payment_asked=True, plan=plan))
    ptp("AU2", CallOutcome("PTP", payment_asked=True, promise=PromiseInput(90_000, date(2026, 11, 27))))
    ptp("NZ1", CallOutcome("PTP", payment_asked=True, promise=PromiseInput(120_000, date(2026, 11, 26))))
    yield ctx
    ctx.close()


def _november(ctx: AppContext) -> Tally:
    return compute_tally(ctx, date_from=date(2026, 11, 1), date_to=date(2026, 11, 30), by_collector=True)


def test_each_currency_has_its_own_figures_and_a_plan_counts_once(two_currencies: AppContext) -> None:
    tally = _november(two_currencies)
    aud, nzd = tally.by_currency
    assert (aud.currency, nzd.currency) == ("AUD", "NZD")  # AUD has most open invoices: it reports first
    # Two PTP calls on AUD accounts: one plan of three instalments and one single promise.
    assert (aud.promises.made, aud.promises.dated, aud.promises.open) == (2, 4, 4)
    assert aud.promises.made_amount == 300_000 + 90_000
    assert (nzd.promises.made, nzd.promises.dated, nzd.promises.made_amount) == (1, 1, 120_000)
    assert tally.promises.made == 3 and tally.promises.dated == 5  # across currencies: one per PTP call
    assert tally.activity.ptp_calls == 3
    assert (aud.activity.calls, aud.activity.ptp_calls, aud.activity.promised_amount) == (2, 2, 390_000)
    assert (nzd.activity.calls, nzd.activity.promised_amount) == (1, 120_000)
    assert aud.receivables.total_ar == 390_000 and nzd.receivables.total_ar == 120_000
    (tester,) = aud.promises_by_collector
    assert (tester.collector, tester.made, tester.dated) == ("tester", 2, 4)


async def _settle(pilot: Pilot[None]) -> None:
    await pilot.pause()
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


def _rows(table: DataTable[object]) -> list[list[str]]:
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


def _columns(table: DataTable[object]) -> list[str]:
    return [str(column.label) for column in table.columns.values()]


async def test_the_screen_shows_every_currency_in_its_own_money(two_currencies: AppContext, tmp_path: Path) -> None:
    app = SupervisorApp(two_currencies, refresh_seconds=3600, export_dir=tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await _settle(pilot)
        screen = app.screen
        assert isinstance(screen, SupervisorScreen)
        promises = screen.query_one("#promises", DataTable)
        by_key = {(row[0], row[1]): dict(zip(_columns(promises), row, strict=True)) for row in _rows(promises)}
        assert by_key["all", "AUD"]["Made"] == "2" and by_key["all", "AUD"]["Dated"] == "4"
        assert by_key["all", "AUD"]["Amount"] == "A$3,900.00"
        assert by_key["all", "NZD"]["Amount"] == "NZ$1,200.00"
        activity = screen.query_one("#activity", DataTable)
        shown = {(row[0], row[1]): dict(zip(_columns(activity), row, strict=True)) for row in _rows(activity)}
        assert shown["tester", "NZD"]["Promised"] == "NZ$1,200.00"
        assert {row[1] for row in _rows(activity)} == {"all", "AUD", "NZD"}  # no USD row of zeros
        aging = screen.query_one("#aging", DataTable)
        assert _columns(aging)[:3] == ["Bucket", "AUD", "AUD share"] and "NZD" in _columns(aging)
        assert _rows(aging)[-1][1] == "A$3,900.00"
        assert "never converted" in str(screen.query_one("#status", Static).render())


def test_cli_tally_has_the_same_per_currency_figures(two_currencies: AppContext, db_url: str) -> None:
    out = io.StringIO()
    tally = _november(two_currencies)
    write_tally(tally, "csv", out)
    cells = {
        (r["section"], r["metric"], r["collector"]): r["value"] for r in csv.DictReader(io.StringIO(out.getvalue()))
    }
    assert (cells["promises:AUD", "made", "all"], cells["promises:AUD", "dated", "all"]) == ("2", "4")
    assert cells["promises:NZD", "made_amount", "tester"] == "1200.00"
    assert cells["activity:NZD", "amount_promised", "all"] == "1200.00"
    assert cells["receivables:AUD", "total_ar", "all"] == "3900.00"
    table = io.StringIO()
    write_tally(tally, "table", table)
    text = table.getvalue()
    assert "Promises made in the period, AUD" in text and "Promises made in the period, NZD" in text
    assert "A$3,900.00" in text and "NZ$1,200.00" in text
    assert "NZD apart, never converted" in text


@pytest.fixture
def hand_built(ctx: AppContext) -> AppContext:
    build_portfolio(ctx)
    return ctx


async def test_kept_rate_is_kept_of_matured_over_matured_and_says_so(hand_built: AppContext, tmp_path: Path) -> None:
    # The hand-built November in USD: 2 kept, one of them paid before it matured; 3 matured, 1 of them kept.
    app = SupervisorApp(hand_built, refresh_seconds=3600, export_dir=tmp_path)
    async with app.run_test(size=(160, 50)) as pilot:
        await _settle(pilot)
        promises = app.screen.query_one("#promises", DataTable)
        row = dict(zip(_columns(promises), _rows(promises)[0], strict=True))
        assert (row["Kept"], row["Matured"], row["Kept of matured"], row["Kept rate"]) == ("2", "3", "1", "33.3%")
        section_titles = " ".join(str(label.render()) for label in app.screen.query(".section"))
        assert "kept rate = kept of matured ÷ matured" in section_titles
    out = io.StringIO()
    write_tally(_november(hand_built), "table", out)
    assert "kept rate = kept of matured ÷ matured" in out.getvalue()
    assert "kept rate = kept ÷ matured" not in out.getvalue()


def test_cli_tally_command_prints_every_currency(
    two_currencies: AppContext, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", db_url, "--user", "tester", "tally", "--from", "2026-11-01", "--to", "2026-11-30"]) == 0
    out = capsys.readouterr().out
    assert "Activity on AUD accounts" in out and "Activity on NZD accounts" in out
