"""The quick read of today's list (plain ``sqlite3``, no upkeep) gives exactly what the usual path
gives, and steps aside as soon as anything it relied on changed."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from account_factory import TODAY, add_customer, add_invoice, add_promise
from collectdesk.cli.main import main
from collectdesk.services import plain_worklist as quick
from collectdesk.services.context import AppContext, open_context
from collectdesk.services.worklist import build_worklist


@pytest.fixture
def listed(sqlite_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Two accounts on today's list of a SQLite database; the program's today is the fixtures'."""
    monkeypatch.setenv("COLLECTDESK_TODAY", TODAY.isoformat())
    ctx = open_context(db_url=sqlite_url, user_name="tester")
    try:
        big = add_customer(ctx, "BIG", name="Big Co")
        add_invoice(ctx, big, days_past_due=45, amount=1_234_56)
        small = add_customer(ctx, "SMALL", name="Small Co")
        add_invoice(ctx, small, days_past_due=3, amount=5_000)
        add_promise(ctx, small, promised_on=TODAY - timedelta(days=30), status="broken")
    finally:
        ctx.close()
    yield sqlite_url


def _settle(url: str, capsys: pytest.CaptureFixture[str]) -> quick.PlainWorklist:
    """Run the command until its upkeep has nothing left to do and the quick read answers."""
    for _ in range(4):
        page = quick.plain_worklist(url, "tester", limit=200)
        if page is not None:
            return page
        assert main(["--db", url, "--user", "tester", "worklist"]) == 0
        capsys.readouterr()
    raise AssertionError("the quick read never answered")


def _context(url: str) -> AppContext:
    return open_context(db_url=url, user_name="tester")


def test_quick_read_gives_what_the_usual_path_gives(
    listed: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    page = _settle(listed, capsys)
    ctx = _context(listed)
    try:
        usual = build_worklist(ctx, limit=200)
    finally:
        ctx.close()
    assert [r.ref for r in usual] == ["BIG", "SMALL"]
    assert page.rows == usual
    for fmt in ("table", "csv", "json"):
        assert main(["--db", listed, "--user", "tester", "worklist", "--format", fmt]) == 0
        quick_out = capsys.readouterr().out
        with monkeypatch.context() as patch:
            patch.setattr(quick, "plain_worklist", lambda *_, **__: None)
            assert main(["--db", listed, "--user", "tester", "worklist", "--format", fmt]) == 0
        assert capsys.readouterr().out == quick_out, fmt


def test_quick_read_steps_aside_when_anything_changed(
    listed: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _settle(listed, capsys)
    ctx = _context(listed)
    try:
        add_invoice(ctx, add_customer(ctx, "NEW"), days_past_due=10)
    finally:
        ctx.close()
    assert quick.plain_worklist(listed, "tester", limit=200) is None  # an account changed
    assert [r.ref for r in _settle(listed, capsys).rows][-1] == "NEW"
    assert quick.plain_worklist(listed, "someone-new", limit=200) is None  # the usual path adds them
    with monkeypatch.context() as patch:
        patch.setenv("COLLECTDESK_SCORING__PER_BROKEN_PROMISE", "41")
        assert quick.plain_worklist(listed, "tester", limit=200) is None  # other settings
    with monkeypatch.context() as patch:
        patch.setenv("COLLECTDESK_TODAY", (TODAY + timedelta(days=1)).isoformat())
        assert quick.plain_worklist(listed, "tester", limit=200) is None  # another day
    assert quick.plain_worklist(listed, "tester", limit=200) is not None


def test_quick_command_imports_neither_the_database_stack_nor_pydantic(
    listed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _settle(listed, capsys)
    probe = (
        "import sys\n"
        "from collectdesk.cli.main import main\n"
        f"code = main(['--db', {listed!r}, '--user', 'tester', 'worklist'])\n"
        "print(code, sorted(m for m in ('sqlalchemy', 'pydantic', 'alembic') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, env=dict(os.environ)
    )
    assert "BIG" in result.stdout and result.stdout.splitlines()[-1] == "0 []"


def test_desk_first_page_comes_through_the_recipe_for_an_open_context(
    listed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _settle(listed, capsys)
    ctx = _context(listed)
    try:
        first = quick.plain_first_page(ctx, limit=200)
        assert first is not None and first == build_worklist(ctx, limit=200)
        add_invoice(ctx, add_customer(ctx, "LATER"), days_past_due=10)
        assert quick.plain_first_page(ctx, limit=200) is None  # the desk reads it the usual way
    finally:
        ctx.close()


def test_the_page_size_is_read_without_validating_the_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from collectdesk.config_fingerprint import NotSimple, simple_int

    config = tmp_path / "config.toml"
    assert simple_int("page_size", config) is None  # no file: the default applies
    config.write_text("page_size = 50\n", encoding="utf-8")
    assert simple_int("page_size", config) == 50
    config.write_text('page_size = "fifty"\n', encoding="utf-8")
    with pytest.raises(NotSimple):  # only the settings' own validation can say what is wrong
        simple_int("page_size", config)
    monkeypatch.setenv("COLLECTDESK_PAGE_SIZE", "80")
    assert simple_int("page_size", config) == 80  # the environment wins over the file
    monkeypatch.setenv("COLLECTDESK_PAGE_SIZE", "eighty")
    with pytest.raises(NotSimple):
        simple_int("page_size", config)


def test_with_collectors_of_their_own_each_quick_read_is_that_persons_list(
    listed: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from collectdesk.services.assignment import add_cover, assign

    ctx = _context(listed)  # tester, the database's first user, is its supervisor
    try:
        for name in ("carol", "dave"):  # collectors, list "mine then pool"
            open_context(db_url=listed, user_name=name).close()
        assign(ctx, ["SMALL"], "carol")
    finally:
        ctx.close()
    page = _settle(listed, capsys)  # the supervisor's list is everyone's
    ctx, carol = _context(listed), open_context(db_url=listed, user_name="carol")
    try:
        assert page.rows == build_worklist(ctx, limit=200)
        carols = quick.plain_worklist(listed, "carol", limit=200)
        assert carols is not None and carols.rows == build_worklist(carol, limit=200)
        assert [r.ref for r in carols.rows] == ["SMALL", "BIG"]  # her own first, then the pool
    finally:
        ctx.close()
        carol.close()
    assert main(["--db", listed, "--user", "carol", "worklist", "--format", "csv"]) == 0
    assert [line.split(",")[1] for line in capsys.readouterr().out.splitlines()[1:]] == ["SMALL", "BIG"]
    assert main(["--db", listed, "--user", "tester", "worklist", "--collector", "carol", "--format", "csv"]) == 0
    assert [line.split(",")[1] for line in capsys.readouterr().out.splitlines()[1:]] == ["SMALL"]  # hers alone
    ctx = _context(listed)
    try:  # dave covers carol today: her accounts are his too, which only the usual path knows
        add_cover(ctx, "carol", "dave", TODAY, TODAY)
    finally:
        ctx.close()
    assert quick.plain_worklist(listed, "dave", limit=200) is None
    assert main(["--db", listed, "--user", "dave", "worklist", "--format", "csv"]) == 0
    assert [line.split(",")[1] for line in capsys.readouterr().out.splitlines()[1:]] == ["SMALL", "BIG"]
