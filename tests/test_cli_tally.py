"""`collectdesk tally` and `export`: every format agrees with the service; roles are enforced."""

from __future__ import annotations

import csv
import io
import json

import pytest

from collectdesk.cli.main import main
from collectdesk.services.context import AppContext
from collectdesk.services.tally import compute_tally
from collectdesk.services.tally_report import csv_cell, tally_records
from tally_fixtures import build_portfolio, d


@pytest.fixture
def portfolio(ctx: AppContext, db_url: str, monkeypatch: pytest.MonkeyPatch) -> AppContext:
    """The hand-built portfolio, with the whole program pinned to Monday 2026-11-23."""
    build_portfolio(ctx)
    monkeypatch.setenv("COLLECTDESK_TODAY", "2026-11-23")
    return ctx


def _run(db_url: str, *args: str, user: str = "tester") -> int:
    return main(["--db", db_url, "--user", user, *args])


def test_csv_is_the_service_figure_for_figure(
    portfolio: AppContext, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(db_url, "tally", "--by", "collector", "--format", "csv") == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["section", "metric", "collector", "value"]
    tally = compute_tally(portfolio, date_from=d(11, 1), date_to=d(11, 23), by_collector=True)
    expected = [[r.section, r.metric, r.collector, csv_cell(r.value)] for r in tally_records(tally)]
    assert rows[1:] == expected
    cells = {(s, m, c): v for s, m, c, v in rows[1:]}
    assert cells[("promises", "made", "all")] == "8"
    assert cells[("promises", "made_amount", "alice")] == "1230.00"  # major units
    assert cells[("promises", "kept_rate", "all")] == "0.5"
    assert cells[("promises", "kept_rate", "carol")] == ""  # nothing matured: no rate
    assert cells[("aging", "61–90", "all")] == "2000.00"
    assert cells[("receivables", "dso", "all")] == "48.3"
    assert cells[("currency:EUR", "total_ar", "all")] == "700.00"


def test_json_is_nested(portfolio: AppContext, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        _run(
            db_url,
            "tally",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
            "--as-of",
            "2026-11-12",
            "--by",
            "collector",
            "--format",
            "json",
        )
        == 0
    )
    document = json.loads(capsys.readouterr().out)
    assert document["period"] == {
        "from": "2026-11-01",
        "to": "2026-11-30",
        "as_of": "2026-11-12",
        "period_end": "2026-11-12",
        "days": 12,
    }
    assert document["promises"]["overall"]["open"] == 3  # P2 and P3 were still open on Nov 12
    assert document["promises"]["by_collector"]["alice"]["made_amount"] == 1000.0
    assert document["receivables"]["aging"][1] == {"bucket": "1–30", "low_days": 1, "high_days": 30, "amount": 1000.0}
    assert document["broken_to_chase"] == []


def test_table_reads_in_sections(portfolio: AppContext, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(db_url, "tally") == 0
    out = capsys.readouterr().out
    assert "Tally 2026-11-01 – 2026-11-23 (23 days), as of 2026-11-23; amounts in USD" in out
    for heading in (
        "Promises made in the period",
        "Activity",
        "Aging as of 2026-11-23",
        "Receivables health",
        "Broken promises to chase",
        "Promises made in the period, EUR",
    ):
        assert heading in out
    assert "60.0% (goal 70.0% — missed)" in out
    assert "alice" not in out.split("Activity")[0].split("Promises made")[1]  # no --by: overall


def test_empty_database_prints_dashes(ctx: AppContext, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(db_url, "tally") == 0
    out = capsys.readouterr().out
    assert "DSO                              —" in out
    assert "(none)" in out


def test_collector_is_refused(portfolio: AppContext, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(db_url, "tally", user="alice") == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "alice is a collector" in captured.err
    assert "collectdesk users add alice --role supervisor" in captured.err


def test_reversed_dates_are_bad_input(portfolio: AppContext, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(db_url, "tally", "--from", "2026-11-20", "--to", "2026-11-01") == 1
    assert "after it ends" in capsys.readouterr().err


def test_export_promises_csv(portfolio: AppContext, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(db_url, "export", "promises") == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert len(rows) == 9
    assert list(rows[0]) == [
        "id",
        "created_at",
        "customer_ref",
        "customer_name",
        "taken_by",
        "call_id",
        "amount",
        "paid_amount",
        "currency",
        "promised_on",
        "broken_on",
        "method",
        "status",
        "resolved_on",
        "plan_id",
        "instalment",
    ]
    assert (rows[2]["amount"], rows[2]["paid_amount"], rows[2]["status"]) == ("200.00", "100.00", "partially_kept")


def test_export_calls_json(portfolio: AppContext, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(db_url, "export", "calls", "--format", "json") == 0
    calls = json.loads(capsys.readouterr().out)
    assert len(calls) == 8
    assert calls[0]["duration_seconds"] == 300 and calls[0]["right_party"] is True
    assert calls[6]["ended_at"] is None and calls[6]["duration_seconds"] is None


def test_export_empty_activity_json(ctx: AppContext, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(db_url, "export", "activity", "--format", "json") == 0
    assert json.loads(capsys.readouterr().out) == []
