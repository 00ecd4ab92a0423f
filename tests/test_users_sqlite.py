"""One person on SQLite: the first user owns the file, later users are collectors, and only a
supervisor adds users, assigns accounts or releases a call."""

from __future__ import annotations

import pytest

from collectdesk.cli.main import main
from collectdesk.domain.clock import Clock
from collectdesk.services.access import NotAllowed
from collectdesk.services.assignment import assign
from collectdesk.services.calls import AccountOnCall, start_call
from collectdesk.services.claims import release_call
from collectdesk.services.context import open_context
from collectdesk.services.users import add_user, disable_user, list_users
from collectdesk.settings import Settings
from ledger_fixtures import add_customer


def test_first_user_is_the_supervisor_and_later_ones_are_collectors(sqlite_url: str, frozen_clock: Clock) -> None:
    owner = open_context(db_url=sqlite_url, user_name="olga", settings=Settings(), clock=frozen_clock)
    later = open_context(db_url=sqlite_url, user_name="pete", settings=Settings(), clock=frozen_clock)
    assert (owner.user.role, later.user.role, owner.team) == ("supervisor", "collector", False)
    with pytest.raises(NotAllowed, match="adding users is for supervisors, and pete is a collector"):
        add_user(later, "pete", "supervisor")
    assert {u.name: u.role for u in list_users(owner)} == {"olga": "supervisor", "pete": "collector"}
    add_user(owner, "quinn", "collector")
    disable_user(owner, "quinn")
    assert [u.active for u in list_users(owner) if u.name == "quinn"] == [False]
    owner.close()
    later.close()


def test_claims_and_assignment_on_sqlite(sqlite_url: str, frozen_clock: Clock) -> None:
    owner = open_context(db_url=sqlite_url, user_name="olga", settings=Settings(), clock=frozen_clock)
    pete = open_context(db_url=sqlite_url, user_name="pete", settings=Settings(), clock=frozen_clock)
    acme = add_customer(owner, ref="ACME", name="Acme Corp")
    start_call(owner, acme)
    with pytest.raises(AccountOnCall, match="olga is already on a call with Acme Corp"):
        start_call(pete, acme)
    with pytest.raises(NotAllowed):
        release_call(pete, "ACME")
    with pytest.raises(NotAllowed):
        assign(pete, ["ACME"], "pete")
    assert release_call(owner, "ACME").user == "olga"
    assert start_call(pete, acme).user_id == pete.user.id
    assert assign(owner, ["ACME"], "pete").moved == ["ACME"]
    owner.close()
    pete.close()


def test_cli_users_and_assign(sqlite_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", sqlite_url, "--user", "olga", "users", "add", "pete"]) == 0
    assert "added pete as collector" in capsys.readouterr().out
    assert main(["--db", sqlite_url, "--user", "pete", "users", "add", "tom", "--role", "supervisor"]) == 1
    assert "pete is a collector" in capsys.readouterr().err
    assert main(["--db", sqlite_url, "--user", "olga", "users", "set-role", "pete", "supervisor"]) == 0
    assert "pete is now a supervisor" in capsys.readouterr().out
    assert main(["--db", sqlite_url, "--user", "olga", "assign", "NOPE", "--to", "pete"]) == 1
    assert "no account with ref NOPE" in capsys.readouterr().err
    assert main(["--db", sqlite_url, "--user", "olga", "assign", "--cover", "pete", "--from", "2026-11-23"]) == 1
    assert "--cover needs --from DATE and --to DATE" in capsys.readouterr().err
    cover = ["assign", "--cover", "pete", "--from", "2026-11-23", "--to", "2026-11-27"]
    assert main(["--db", sqlite_url, "--user", "olga", *cover]) == 0
    assert "olga covers pete's accounts from 2026-11-23 to 2026-11-27" in capsys.readouterr().out
    assert main(["--db", sqlite_url, "--user", "olga", "users", "list"]) == 0
    assert "pete  supervisor  yes" in capsys.readouterr().out


def test_assign_all_matching_a_filter(sqlite_url: str, frozen_clock: Clock, capsys: pytest.CaptureFixture[str]) -> None:
    owner = open_context(db_url=sqlite_url, user_name="olga", settings=Settings(), clock=frozen_clock)
    add_user(owner, "pete", "collector")
    add_customer(owner, ref="GB-BIG", country="GB", currency="GBP", open_balance=500_000)
    add_customer(owner, ref="GB-SMALL", country="GB", currency="GBP", open_balance=1_000)
    add_customer(owner, ref="US-BIG", country="US", open_balance=900_000)
    owner.close()
    args = ["--db", sqlite_url, "--user", "olga", "assign", "--country", "gb", "--min-balance", "1000", "--to", "pete"]
    assert main(args) == 0
    assert "assigned to pete: GB-BIG" in capsys.readouterr().out
    assert main(["--db", sqlite_url, "--user", "olga", "assign", "--of", "pete", "--pool"]) == 0
    assert "assigned to the unassigned pool: GB-BIG" in capsys.readouterr().out
    assert main(["--db", sqlite_url, "--user", "olga", "assign", "US-BIG", "--stage", "legal", "--to", "pete"]) == 1
    assert "not both" in capsys.readouterr().err
