"""The demo database: built from sample_data/ through the importer, shifted to today, kept apart."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from collectdesk.cli.main import main
from collectdesk.domain.clock import Clock
from collectdesk.resources import sample_data_dir
from collectdesk.services.context import open_context
from collectdesk.services.demo import DemoBuild, ensure_demo, read_anchor, shift_cell
from collectdesk.services.promises import evaluate_promises
from collectdesk.settings import Settings
from collectdesk.store.database import Database
from collectdesk.store.models import Call, Contact, Customer, Invoice, Payment, Promise, User

SAMPLE = sample_data_dir()
ANCHOR = read_anchor(SAMPLE)


def clock_on(day: date) -> Clock:
    return Clock(today_override=day, frozen_at=datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=15))


@pytest.fixture(scope="module")
def anchor_demo(tmp_path_factory: pytest.TempPathFactory) -> DemoBuild:
    """One demo database built for the anchor day, shared by the tests that only read it."""
    return ensure_demo(
        tmp_path_factory.mktemp("demo"), SAMPLE, user_name="dana", settings=Settings(), clock=clock_on(ANCHOR)
    )


def test_demo_is_built_through_the_importer_and_shifted_to_today(tmp_path: Path) -> None:
    today = ANCHOR + timedelta(days=40)
    build = ensure_demo(tmp_path, SAMPLE, user_name="dana", clock=clock_on(today))
    assert build.built and build.path == tmp_path / "demo.db"
    assert [r.kind for r in build.reports] == ["customers", "contacts", "invoices", "payments"]
    db = Database.open(build.url)
    with db.session() as session:
        count = lambda model: session.scalar(select(func.count()).select_from(model))  # noqa: E731
        assert count(Customer) == 150
        assert 900 <= (count(Invoice) or 0) <= 1100
        assert count(Contact) and count(Payment) and count(Call) and count(Promise)
        roles = dict(session.execute(select(User.name, User.role)).all())
        newest_issue = session.scalar(select(func.max(Invoice.issue_date)))
        newest_payment = session.scalar(select(func.max(Payment.received_on)))
        newest_call = session.scalar(select(func.max(Call.started_at)))
    db.close()
    assert roles.pop("dana") == "supervisor"
    assert set(roles.values()) == {"collector"} and len(roles) == 3
    # The sample's newest invoice and payment are from the day before the anchor.
    assert newest_issue == today - timedelta(days=1)
    assert newest_payment == today - timedelta(days=1)
    assert newest_call is not None and newest_call.date() < today
    assert not (tmp_path / "collectdesk.db").exists()


def test_demo_is_reused_unless_rebuilt_or_the_day_moved(tmp_path: Path) -> None:
    first = ensure_demo(tmp_path, SAMPLE, user_name="dana", clock=clock_on(ANCHOR))
    again = ensure_demo(tmp_path, SAMPLE, user_name="lee", clock=clock_on(ANCHOR))
    assert first.built and not again.built
    db = Database.open(again.url)
    with db.session() as session:
        assert session.scalar(select(User.role).where(User.name == "lee")) == "supervisor"
    db.close()
    assert ensure_demo(tmp_path, SAMPLE, user_name="dana", clock=clock_on(ANCHOR + timedelta(days=1))).built


def test_promise_evaluation_gives_the_outcomes_the_sample_expects(anchor_demo: DemoBuild) -> None:
    """promises.csv says what each promise should come to; the build's evaluation must agree."""
    ctx = open_context(db_url=anchor_demo.url, user_name="dana", settings=Settings(), clock=clock_on(ANCHOR))
    try:
        with ctx.db.session() as session:
            statuses = session.scalars(select(Promise.status).order_by(Promise.call_id)).all()
        again = evaluate_promises(ctx)
    finally:
        ctx.close()
    with (SAMPLE / "promises.csv").open(encoding="utf-8") as handle:
        expected = [row["expected_status"] for row in sorted(csv.DictReader(handle), key=lambda r: r["call_ref"])]
    assert statuses == expected
    assert {"kept", "partially_kept", "broken", "open"} <= set(statuses)
    assert again.changed == 0  # the build already judged them; judging again changes nothing


def test_sample_portfolio_spreads_over_every_aging_bucket(anchor_demo: DemoBuild) -> None:
    db = Database.open(anchor_demo.url)
    with db.session() as session:
        due_dates = session.scalars(select(Invoice.due_date).where(Invoice.open_amount > 0)).all()
    db.close()
    buckets = {"current": 0, "1-30": 0, "31-60": 0, "61-90": 0, "90+": 0}
    for due in due_dates:
        late = (ANCHOR - due).days
        key = (
            "current"
            if late <= 0
            else "1-30"
            if late <= 30
            else "31-60"
            if late <= 60
            else "61-90"
            if late <= 90
            else "90+"
        )
        buckets[key] += 1
    assert all(count >= 20 for count in buckets.values()), buckets


def test_demo_command_builds_apart_from_the_real_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("COLLECTDESK_TODAY", (ANCHOR + timedelta(days=3)).isoformat())
    assert main(["--user", "owner", "demo", "--no-open"]) == 0
    captured = capsys.readouterr()
    demo_db = tmp_path / "data" / "demo.db"
    assert captured.out.strip() == str(demo_db)
    assert "demo database built in" in captured.err and "150 customers" in captured.err
    assert not (tmp_path / "data" / "collectdesk.db").exists()
    assert main(["--user", "owner", "demo", "--no-open"]) == 0
    assert "built" not in capsys.readouterr().err


def test_shift_moves_dates_and_instants() -> None:
    assert shift_cell("2026-11-23", 10) == "2026-12-03"
    assert shift_cell("2026-11-23T14:05:00Z", -30) == "2026-10-24T14:05:00Z"
    assert shift_cell("", 5) == ""


def test_generator_reproduces_the_committed_csvs(tmp_path: Path) -> None:
    shutil.copy(SAMPLE / "generate.py", tmp_path / "generate.py")
    shutil.copy(SAMPLE / "ANCHOR", tmp_path / "ANCHOR")
    out = tmp_path / "out"
    out.mkdir()
    subprocess.run([sys.executable, str(tmp_path / "generate.py"), str(out)], check=True)
    for name in ("customers.csv", "contacts.csv", "invoices.csv", "payments.csv", "calls.csv", "promises.csv"):
        assert (out / name).read_bytes() == (SAMPLE / name).read_bytes(), name
