"""``collectdesk promise list|cancel|replace`` on a real database: renegotiating from the command line."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from collectdesk.cli.main import main
from collectdesk.services.context import AppContext
from collectdesk.services.promises import PromiseInput, take_promise
from collectdesk.store.models import Activity, Promise
from ledger_fixtures import add_customer, add_invoice

TODAY = date(2026, 11, 23)


@pytest.fixture
def missed(ctx: AppContext, db_url: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, int]:
    """An account owing $1,000.00 whose promise of all of it fell due yesterday; the CLI runs two days on."""
    customer = add_customer(ctx, ref="ACME")
    add_invoice(ctx, customer, 100_000)
    [promise] = take_promise(ctx, customer, PromiseInput(100_000, TODAY + timedelta(days=1)))
    monkeypatch.setenv("COLLECTDESK_TODAY", (TODAY + timedelta(days=2)).isoformat())
    return db_url, promise.id


def promises(ctx: AppContext) -> list[tuple[int, str, int | None, int]]:
    with ctx.db.session() as session:
        return [
            (p.id, p.status, p.replaced_by_id, p.amount) for p in session.scalars(select(Promise).order_by(Promise.id))
        ]


def cli(db_url: str, *args: str) -> int:
    return main(["--db", db_url, "--user", "tester", "promise", *args])


def test_list_shows_the_missed_promise(
    ctx: AppContext, missed: tuple[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    db_url, promise_id = missed
    assert cli(db_url, "list", "ACME") == 0
    out = capsys.readouterr().out
    assert f"{promise_id}   2026-11-24   $1,000.00  USD       open (missed)" in out
    assert cli(db_url, "list", "NOPE") == 1
    assert "no account with reference 'NOPE'" in capsys.readouterr().err


def test_replace_by_a_plan_and_the_old_one_is_renegotiated(
    ctx: AppContext, missed: tuple[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    db_url, promise_id = missed
    code = cli(
        db_url,
        *("replace", str(promise_id), "--amount", "1,000.00", "--on", "2026-12-01"),
        *("--instalments", "2", "--every", "week", "--reason", "short of cash until the 1st"),
    )
    assert code == 0
    out = capsys.readouterr().out
    assert "renegotiated, replaced by a plan of 2" in out
    assert "2026-12-01  $500.00" in out and "2026-12-08  $500.00" in out
    rows = promises(ctx)
    expected = [("cancelled", 100_000), ("open", 50_000), ("open", 50_000)]
    assert [(status, amount) for _, status, _, amount in rows] == expected
    assert rows[0][2] == rows[1][0]
    assert cli(db_url, "list", "ACME", "--format", "csv") == 0
    assert f"{promise_id},2026-11-24,100000,USD,renegotiated" in capsys.readouterr().out


def test_cancel_with_a_reason_is_logged(
    ctx: AppContext, missed: tuple[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    db_url, promise_id = missed
    assert cli(db_url, "cancel", str(promise_id), "--reason", "credited by sales") == 0
    assert "cancelled: credited by sales" in capsys.readouterr().out
    with ctx.db.session() as session:
        summary = session.scalars(select(Activity.summary).where(Activity.kind == "promise_cancelled")).one()
    assert "cancelled: credited by sales" in summary


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("cancel", "{id}", "--reason", " "), "say why the promise is cancelled"),
        (("cancel", "999", "--reason", "gone"), "no promise with id 999"),
        (("replace", "{id}", "--amount", "abc", "--on", "2026-12-01", "--reason", "x"), "--amount"),
        (("replace", "{id}", "--amount", "5000", "--on", "2026-12-01", "--reason", "x"), "more than can be promised"),
        (("replace", "{id}", "--amount", "500", "--on", "2026-11-01", "--reason", "x"), "in the past"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(
    ctx: AppContext, missed: tuple[str, int], capsys: pytest.CaptureFixture[str], args: tuple[str, ...], message: str
) -> None:
    db_url, promise_id = missed
    before = promises(ctx)
    assert cli(db_url, *(a.format(id=promise_id) for a in args)) == 1
    assert message in capsys.readouterr().err
    assert promises(ctx) == before


def test_a_missing_reason_is_a_usage_error(missed: tuple[str, int], capsys: pytest.CaptureFixture[str]) -> None:
    db_url, promise_id = missed
    with pytest.raises(SystemExit) as info:
        cli(db_url, "cancel", str(promise_id))
    assert info.value.code == 2
    assert "--reason" in capsys.readouterr().err
