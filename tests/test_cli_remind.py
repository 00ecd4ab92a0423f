"""``collectdesk remind``, ``pause``, ``opt-out`` and ``digest`` as a user runs them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from collectdesk.cli.main import main
from collectdesk.domain.clock import Clock
from collectdesk.settings import Settings
from collectdesk.store.models import Activity, Message
from mail_server import SmtpServer
from reminder_fixtures import open_as, uk_account


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture
def configured(
    sqlite_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, smtp: SmtpServer, frozen_clock: Clock
) -> str:
    """A database with two overdue UK accounts, and a config file pointing at the local SMTP server."""
    config = tmp_path / "config.toml"
    config.write_text(
        f'[mail]\nhost = "127.0.0.1"\nport = {smtp.port}\nsecurity = "none"\nsender = "ar@example.test"\n'
        f'[reminders]\noutbox = "{tmp_path / "outbox"}"\n',
        encoding="utf-8",
    )
    monkeypatch.setenv("COLLECTDESK_CONFIG", str(config))
    monkeypatch.setenv("COLLECTDESK_TODAY", "2026-11-23")
    ctx = open_as(sqlite_url, Settings(), frozen_clock, "boss")
    uk_account(ctx, "UK1")
    uk_account(ctx, "UK2")
    ctx.close()
    return sqlite_url


def _count(url: str, table: type[Message] | type[Activity]) -> int:
    ctx = open_as(url, Settings(), Clock())
    try:
        with ctx.db.session() as session:
            return int(session.scalar(select(func.count()).select_from(table)) or 0)
    finally:
        ctx.close()


def test_remind_lists_who_gets_what_and_why_and_writes_nothing(
    configured: str, capsys: pytest.CaptureFixture[str], smtp: SmtpServer
) -> None:
    before = _count(configured, Activity)
    assert main(["--db", configured, "--user", "boss", "remind"]) == 0
    out = capsys.readouterr().out
    assert "Reminders due on 2026-11-23: 2 (nothing is sent without --send)" in out
    assert "UK1" in out and "hamish@uk1.example" in out and "8 days past due (step +7" in out
    assert smtp.inbox.messages == [] and _count(configured, Message) == 0 and _count(configured, Activity) == before


def test_send_delivers_then_a_second_run_sends_nothing(
    configured: str, capsys: pytest.CaptureFixture[str], smtp: SmtpServer
) -> None:
    assert main(["--db", configured, "--user", "boss", "remind", "--send"]) == 0
    out = capsys.readouterr().out
    assert f"via SMTP 127.0.0.1:{smtp.port} (none)" in out and "2 sent, 0 failed" in out
    assert sorted(m["To"] for m in smtp.inbox.messages) == ["hamish@uk1.example", "hamish@uk2.example"]
    assert main(["--db", configured, "--user", "boss", "remind", "--send"]) == 0
    assert "0 sent, 0 failed" in capsys.readouterr().out
    assert len(smtp.inbox.messages) == 2


def test_a_collector_may_preview_but_not_send(configured: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", configured, "--user", "boss", "users", "add", "cara", "--role", "collector"]) == 0
    assert main(["--db", configured, "--user", "cara", "remind", "--send"]) == 1
    assert "sending reminders is for supervisors" in capsys.readouterr().err


def test_pause_from_the_command_line(configured: str, capsys: pytest.CaptureFixture[str], smtp: SmtpServer) -> None:
    args = ["--db", configured, "--user", "boss", "pause", "UK1", "--until", "2026-12-01", "--reason", "on holiday"]
    assert main(args) == 0
    assert "reminders to UK1 paused until 2026-12-01" in capsys.readouterr().out
    assert main(["--db", configured, "--user", "boss", "remind"]) == 0
    out = capsys.readouterr().out
    assert "Reminders due on 2026-11-23: 1" in out and "paused until 2026-12-01: on holiday" in out
    bad = ["--db", configured, "pause", "UK1", "--until", "2026-11-01", "--reason", "x"]
    assert main(bad) == 1 and "--until must be after today" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:
        main(["--db", configured, "pause", "UK1", "--until", "2026-12-01"])
    assert usage.value.code == 2


def test_opt_out_from_the_command_line(configured: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", configured, "opt-out", "UK2", "--reason", "asked"]) == 0
    assert "UK2 is opted out of email" in capsys.readouterr().out
    assert main(["--db", configured, "--user", "boss", "remind"]) == 0
    assert "opted out of email" in capsys.readouterr().out


def test_digest_with_no_calls_says_so(configured: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", configured, "--user", "boss", "digest", "--date", "2026-11-20"]) == 0
    assert "No calls were closed on 2026-11-20." in capsys.readouterr().out
