"""Global command-line behaviour: version, help, usage errors, users, secrets, config errors."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import keyring
import pytest

from collectdesk import __version__
from collectdesk.cli.main import main
from collectdesk.store.secrets import get_secret


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert __version__ in capsys.readouterr().out


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("import", "worklist", "tally", "export", "demo", "supervisor"):
        assert command in out


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["worklist", "--as-of", "23/11/2026"])
    assert exit_info.value.code == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_python_dash_m_runs() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "collectdesk", "--version"],
        capture_output=True,
        text=True,
        check=False,
        cwd=Path(__file__).parents[1],
        env={"PYTHONPATH": str(Path(__file__).parents[1] / "src"), "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("collectdesk ")


def test_users_add_and_change_role(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", sqlite_url, "users", "add", "alice", "--role", "supervisor"]) == 0
    assert main(["--db", sqlite_url, "users", "add", "alice", "--role", "collector"]) == 0
    assert main(["--db", sqlite_url, "users", "list"]) == 0
    out = capsys.readouterr().out
    assert "added alice as supervisor" in out and "updated alice as collector" in out
    assert "alice  collector" in out


def test_secret_goes_to_the_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("s3cret\n"))
    assert main(["secrets", "set", "db-password"]) == 0
    assert keyring.get_password("collectdesk", "db-password") == "s3cret"
    assert get_secret("db-password") == "s3cret"


def test_no_keyring_explains_the_environment_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from keyring.backends.fail import Keyring as FailKeyring

    keyring.set_keyring(FailKeyring())
    monkeypatch.setattr(sys, "stdin", io.StringIO("s3cret\n"))
    assert main(["secrets", "set", "db-password"]) == 1
    assert "COLLECTDESK_DB_PASSWORD" in capsys.readouterr().err
    monkeypatch.setenv("COLLECTDESK_DB_PASSWORD", "from-env")
    assert get_secret("db-password") == "from-env"


def test_bad_config_value_names_file_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("[promises]\ngrace_days = -2\n", encoding="utf-8")
    monkeypatch.setenv("COLLECTDESK_CONFIG", str(config))
    assert main(["users", "list"]) == 1
    err = capsys.readouterr().err
    assert str(config) in err and "promises.grace_days" in err


def test_environment_overrides_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from collectdesk.settings import load_settings

    config = tmp_path / "config.toml"
    config.write_text("[promises]\ngrace_days = 5\nhorizon_days = 30\n", encoding="utf-8")
    monkeypatch.setenv("COLLECTDESK_PROMISES__GRACE_DAYS", "7")
    settings = load_settings(config)
    assert settings.promises.grace_days == 7
    assert settings.promises.horizon_days == 30


def test_password_is_never_in_the_database_url_text(monkeypatch: pytest.MonkeyPatch) -> None:
    from collectdesk.store.database import resolve_url

    monkeypatch.setenv("COLLECTDESK_DB_PASSWORD", "hunter2")
    url = resolve_url("postgresql://bob@db.example/collect")
    assert url.password == "hunter2"
    assert url.drivername == "postgresql+psycopg"
    assert "hunter2" not in str(url)
