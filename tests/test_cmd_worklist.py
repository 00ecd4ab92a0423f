"""``collectdesk worklist``: the table, CSV and JSON a collector or a script reads."""

from __future__ import annotations

import csv
import io
import json
import os
from datetime import timedelta
from pathlib import Path

import pytest

from account_factory import TODAY, add_customer, add_invoice, add_promise
from collectdesk.cli.main import main
from collectdesk.services.context import AppContext


@pytest.fixture
def listed(ctx: AppContext, db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Two accounts on the list; the program's today is the fixtures' today."""
    monkeypatch.setenv("COLLECTDESK_TODAY", TODAY.isoformat())
    big = add_customer(ctx, "BIG", name="Big Co")
    add_invoice(ctx, big, days_past_due=45, amount=1_234_56)
    add_invoice(ctx, big, days_past_due=200, paid_days_after_due=30)
    small = add_customer(ctx, "SMALL", name="Small Co")
    add_invoice(ctx, small, days_past_due=3, amount=5_000)
    add_promise(ctx, small, promised_on=TODAY - timedelta(days=30), status="broken")
    return db_url


def test_table_shows_rank_money_and_a_compact_breakdown(listed: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", listed, "--user", "tester", "worklist"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split()[:4] == ["rank", "ref", "name", "overdue"]
    assert out[2].split()[:3] == ["1", "BIG", "Big"]
    # The worklist command escalates first: 45 days past due puts BIG at management (3 steps × 15).
    assert "$1,234.56" in out[2] and "dpd 45 + bal 2.5 + stage 45 + late 5" in out[2]
    assert "management" in out[2]
    assert "SMALL" in out[3] and "broken 40" in out[3]


def test_csv_has_plain_decimals_and_a_column_per_component(listed: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", listed, "--user", "tester", "worklist", "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["ref"] for r in rows] == ["BIG", "SMALL"]
    assert rows[0]["overdue"] == "1234.56" and rows[0]["points_dpd"] == "45.0"
    assert rows[1]["points_broken"] == "40.0" and rows[1]["points_attempts"] == "0.0"


def test_json_and_limit(listed: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", listed, "--user", "tester", "worklist", "--format", "json", "--limit", "1"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert len(rows) == 1
    assert rows[0]["ref"] == "BIG" and rows[0]["overdue"] == "1234.56"
    assert rows[0]["reason"] == "overdue" and rows[0]["points_late"] == 5.0


def test_as_of_in_the_past(listed: str, capsys: pytest.CaptureFixture[str]) -> None:
    earlier = (TODAY - timedelta(days=10)).isoformat()
    assert main(["--db", listed, "--user", "tester", "worklist", "--as-of", earlier, "--format", "csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [(r["ref"], r["oldest_days_past_due"]) for r in rows] == [("BIG", "35")]


def test_bad_as_of_is_a_usage_error(listed: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", listed, "worklist", "--as-of", "23/11/2026"])
    assert exit_info.value.code == 2


def test_no_database_yet_is_said_and_nothing_is_created(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """With no database configured, the worklist says so and how to make one; it creates nothing."""
    data_dir = Path(os.environ["COLLECTDESK_DATA_DIR"])
    before = sorted(data_dir.rglob("*")) if data_dir.exists() else []
    assert main(["--user", "tester", "worklist"]) == 1
    err = capsys.readouterr().err
    assert "there is no database at" in err and "collectdesk.db" in err
    assert "collectdesk import customers" in err and "--db" in err
    assert (sorted(data_dir.rglob("*")) if data_dir.exists() else []) == before
    missing = tmp_path / "elsewhere" / "none.db"
    assert main(["--db", f"sqlite:///{missing}", "worklist"]) == 1
    assert f"there is no database at {missing}" in capsys.readouterr().err
    assert not missing.parent.exists()
