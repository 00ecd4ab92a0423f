"""A team on one PostgreSQL database: logins are identities, the database enforces the roles."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from collectdesk.cli.main import main
from collectdesk.domain.clock import Clock
from collectdesk.domain.errors import InputError
from collectdesk.services.access import NotAllowed
from collectdesk.services.assignment import add_cover, assign
from collectdesk.services.calls import (
    AccountOnCall,
    CallOutcome,
    StartedCall,
    close_call,
    save_call_notes,
    start_call,
)
from collectdesk.services.claims import release_call
from collectdesk.services.context import AppContext, open_context
from collectdesk.services.export import export_rows
from collectdesk.services.importing import import_csv, writing
from collectdesk.services.users import add_user, disable_user, set_role
from collectdesk.services.worklist import build_worklist, rank_todays_list
from collectdesk.settings import Settings
from collectdesk.store.account_facts import stale_facts
from collectdesk.store.database import DatabaseError
from collectdesk.store.invoice_totals import stale_totals
from collectdesk.store.models import Activity, Call, Customer, Invoice
from conftest import login_url, open_as
from importing_helpers import write
from ledger_fixtures import add_customer, add_invoice

SUPER, ANN, BOB = "cdt_sue", "cdt_ann", "cdt_bob"


def _password(name: str) -> str:
    url = make_url(login_url(name))
    assert url.password
    return str(url.password)


@pytest.fixture
def owner(team_url: str, frozen_clock: Clock) -> Iterator[AppContext]:
    """The database owner, who ran team init (a supervisor)."""
    ctx = open_context(db_url=team_url, settings=Settings(), clock=frozen_clock)
    yield ctx
    ctx.close()


@pytest.fixture
def team(owner: AppContext, frozen_clock: Clock) -> Iterator[dict[str, AppContext]]:
    """A supervisor (added by the owner) and two collectors (added by the supervisor), logged in."""
    add_user(owner, SUPER, "supervisor", _password(SUPER))
    sue = open_as(SUPER, frozen_clock)
    for name in (ANN, BOB):
        add_user(sue, name, "collector", _password(name))
    people = {"sue": sue, "ann": open_as(ANN, frozen_clock), "bob": open_as(BOB, frozen_clock)}
    yield people
    for ctx in people.values():
        ctx.close()


def test_the_login_is_the_user_and_roles_come_from_the_database(team: dict[str, AppContext]) -> None:
    assert (team["ann"].user.name, team["ann"].user.role, team["ann"].team) == (ANN, "collector", True)
    assert (team["sue"].user.name, team["sue"].user.role) == (SUPER, "supervisor")


def test_user_naming_someone_else_is_refused(team: dict[str, AppContext], frozen_clock: Clock) -> None:
    with pytest.raises(InputError, match=rf"--user {BOB}: .*you are who you log in as \({ANN}\)"):
        open_context(db_url=login_url(ANN), user_name=BOB, settings=Settings(), clock=frozen_clock)


def test_a_collector_cannot_add_a_supervisor_and_is_told_who_can(team: dict[str, AppContext]) -> None:
    with pytest.raises(NotAllowed) as refused:
        add_user(team["ann"], "cdt_tom", "supervisor", "a-long-password")
    message = str(refused.value)
    assert "refused by the database" in message and "permission denied" in message
    assert SUPER in message
    with pytest.raises(NotAllowed):
        set_role(team["ann"], ANN, "supervisor")
    assert team["ann"].user.role == "collector"
    again = open_as(ANN, team["ann"].clock)
    assert again.user.role == "collector"
    again.close()


def test_set_role_and_disable_change_the_login_itself(team: dict[str, AppContext], frozen_clock: Clock) -> None:
    set_role(team["sue"], BOB, "supervisor")
    promoted = open_as(BOB, frozen_clock)
    assert promoted.user.role == "supervisor"
    promoted.close()
    disable_user(team["sue"], BOB)
    with pytest.raises(DatabaseError, match=r"not permitted to log in"):
        open_as(BOB, frozen_clock)


def test_cli_users_add_reads_the_password_and_a_collector_is_refused(
    team: dict[str, AppContext], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("tom-first-password\n"))
    assert main(["--db", login_url(ANN), "users", "add", "cdt_tom", "--role", "supervisor", "--password-stdin"]) == 1
    err = capsys.readouterr().err
    assert "permission denied" in err and SUPER in err
    monkeypatch.setattr("sys.stdin", io.StringIO("tom-first-password\n"))
    assert main(["--db", login_url(SUPER), "users", "add", "cdt_tom", "--password-stdin"]) == 0
    assert "added cdt_tom as collector" in capsys.readouterr().out
    url = make_url(login_url("cdt_tom")).set(password="tom-first-password").render_as_string(False)
    tom = open_context(db_url=url, settings=Settings(), clock=team["ann"].clock)
    assert tom.user.role == "collector"
    tom.close()


def _raw(name: str) -> psycopg.Connection[tuple[object, ...]]:
    url = make_url(login_url(name))
    return psycopg.connect(
        host=url.host, port=url.port, dbname=url.database, user=url.username, password=url.password, autocommit=True
    )


def test_plain_sql_as_a_collector_is_refused(team: dict[str, AppContext]) -> None:
    sue, ann, bob = team["sue"], team["ann"], team["bob"]
    acme = add_customer(sue, name="Acme Corp")
    add_invoice(sue, acme, 50_000)
    bobs_call = start_call(bob, acme)
    close_call(
        bob,
        bobs_call.id,
        CallOutcome("PTP", payment_asked=True, promise=_promise(bob, 10_000)),
    )
    with _raw(ANN) as conn:
        denied = [
            "INSERT INTO users (name, role, created_at, active) VALUES ('cdt_x', 'supervisor', now(), true)",
            f"UPDATE users SET role = 'supervisor' WHERE name = '{ANN}'",
            "SELECT collectdesk_add_user('cdt_x', 'supervisor', NULL, now()::timestamp)",
            "DELETE FROM activity",
            "UPDATE activity SET summary = 'nothing happened'",
            f"UPDATE customers SET collector_id = {ann.user.id}",
            f"UPDATE customers SET stage = 'agency' WHERE id = {acme}",
            "UPDATE promises SET amount = 1",
            "INSERT INTO payments (customer_id, amount, currency, received_on, import_key, created_at) "
            f"VALUES ({acme}, 100, 'USD', '2026-11-23', 'k', now())",
            "DELETE FROM customers",
            f"INSERT INTO covers (absent_id, substitute_id, from_on, to_on, created_at) "
            f"VALUES ({bob.user.id}, {ann.user.id}, '2026-11-23', '2026-11-30', now())",
            "TRUNCATE activity",
        ]
        for statement in denied:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)
        # Someone else's call: row-level security leaves it out of reach.
        assert conn.execute("UPDATE calls SET notes = 'mine now'").rowcount == 0
        # Who-columns come from the login, whatever the client sends.
        row = conn.execute(
            "INSERT INTO calls (customer_id, user_id, started_at, ended_at, notes, talk_seconds) "
            f"VALUES ({acme}, {bob.user.id}, now(), now(), 'pretending to be bob', 0) RETURNING user_id"
        ).fetchone()
        assert row == (ann.user.id,)
        row = conn.execute(
            "INSERT INTO activity (at, kind, summary, user_id) VALUES (now(), 'note', 'x', "
            f"{bob.user.id}) RETURNING user_id"
        ).fetchone()
        assert row == (ann.user.id,)
    # Not even a supervisor rewrites the log.
    with _raw(SUPER) as conn, pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute("DELETE FROM activity")
    with sue.db.session() as session:
        assert session.get(Call, bobs_call.id).notes == ""  # type: ignore[union-attr]
        assert session.get(Customer, acme).collector_id is None  # type: ignore[union-attr]


def _promise(ctx: AppContext, amount: int):  # type: ignore[no-untyped-def]
    from collectdesk.services.calls import PromiseInput

    return PromiseInput(amount=amount, promised_on=ctx.clock.today() + timedelta(days=3))


def test_one_open_call_per_account_names_who_is_on_it(team: dict[str, AppContext]) -> None:
    sue, ann, bob = team["sue"], team["ann"], team["bob"]
    acme = add_customer(sue, name="Acme Corp")
    call = start_call(ann, acme)
    with pytest.raises(AccountOnCall, match=rf"{ANN} is already on a call with Acme Corp \(since 15:00 UTC"):
        start_call(bob, acme)
    save_call_notes(ann, call.id, "spoke to the clerk")
    # A crashed desk keeps its call: a supervisor releases it, notes kept, logged.
    released = release_call(sue, _ref(sue, acme))
    assert released.user == ANN
    with sue.db.session() as session:
        stored = session.get(Call, call.id)
        assert stored is not None and stored.result_code == "ABANDONED" and stored.notes == "spoke to the clerk"
        kinds = session.scalars(select(Activity.kind).where(Activity.customer_id == acme)).all()
        assert "call_released" in kinds
    assert start_call(bob, acme).user_id == bob.user.id
    with pytest.raises(NotAllowed):
        release_call(ann, _ref(sue, acme))


def _ref(ctx: AppContext, customer_id: int) -> str:
    with ctx.db.session() as session:
        customer = session.get(Customer, customer_id)
        assert customer is not None
        return customer.ref


def test_two_desks_pressing_c_in_the_same_instant_get_one_winner(team: dict[str, AppContext]) -> None:
    acme = add_customer(team["sue"], name="Acme Corp")
    barrier = threading.Barrier(2)
    results: dict[str, object] = {}

    def press_c(who: str) -> None:
        barrier.wait()
        try:
            results[who] = start_call(team[who], acme)
        except AccountOnCall as exc:
            results[who] = exc

    threads = [threading.Thread(target=press_c, args=(who,)) for who in ("ann", "bob")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    refusals = [r for r in results.values() if isinstance(r, AccountOnCall)]
    assert len(refusals) == 1 and len(results) == 2
    winner = next(r for r in results.values() if isinstance(r, StartedCall))
    assert refusals[0].holder == (ANN if winner.user_id == team["ann"].user.id else BOB)


def test_the_list_shows_mine_then_the_pool_and_marks_calls(team: dict[str, AppContext], frozen_clock: Clock) -> None:
    sue, ann, bob = team["sue"], team["ann"], team["bob"]
    ids = {}
    for ref, balance in [("POOL-BIG", 900_000), ("ANN-1", 10_000), ("BOB-1", 500_000), ("ANN-2", 20_000)]:
        ids[ref] = add_customer(sue, ref=ref, name=ref)
        add_invoice(sue, ids[ref], balance)
    assign(sue, ["ANN-1", "ANN-2"], ANN)
    assign(sue, ["BOB-1"], BOB)
    only_mine = Settings.model_validate({"team": {"list": "mine"}})
    mine = open_as(ANN, frozen_clock, settings=only_mine)
    for _ in ("scored live", "read from the stored ranking"):
        assert [r.ref for r in build_worklist(ann)] == ["ANN-2", "ANN-1", "POOL-BIG"]
        assert [r.ref for r in build_worklist(mine)] == ["ANN-2", "ANN-1"]
        assert [r.ref for r in build_worklist(sue)] == ["POOL-BIG", "BOB-1", "ANN-2", "ANN-1"]
        assert [r.ref for r in build_worklist(sue, collector=BOB)] == ["BOB-1"]
        rank_todays_list(sue)
    mine.close()
    with pytest.raises(InputError):
        build_worklist(ann, collector=BOB)
    # A colleague on a call, and one who closed a call within the hour, mark the row.
    call = start_call(bob, ids["POOL-BIG"])
    row = build_worklist(ann)[-1]
    assert (row.ref, row.on_call_by, row.on_call_since) == ("POOL-BIG", BOB, frozen_clock.now())
    close_call(bob, call.id, CallOutcome("NOANSWER", next_action_on=frozen_clock.today()))
    row = next(r for r in build_worklist(ann) if r.ref == "POOL-BIG")
    assert (row.on_call_by, row.closed_by) == (None, BOB)
    # Cover: ann works bob's accounts for a week, then they are bob's alone again.
    add_cover(sue, BOB, ANN, frozen_clock.today(), frozen_clock.today() + timedelta(days=6))
    assert "BOB-1" in [r.ref for r in build_worklist(ann)]
    assert "BOB-1" not in [r.ref for r in build_worklist(ann, as_of=frozen_clock.today() + timedelta(days=7))]
    with pytest.raises(psycopg.errors.InsufficientPrivilege), _raw(ANN) as conn:
        conn.execute(f"UPDATE customers SET collector_id = NULL WHERE id = {ids['ANN-1']}")
    with pytest.raises(NotAllowed):
        assign(ann, ["BOB-1"], ANN)
    with sue.db.session() as session:
        logged = session.scalars(select(Activity.summary).where(Activity.kind == "assignment")).all()
    assert len(logged) == 3 and all("by cdt_sue" in s for s in logged)


def test_exports_follow_the_roles(team: dict[str, AppContext], frozen_clock: Clock) -> None:
    sue, ann, bob = team["sue"], team["ann"], team["bob"]
    for who in (ann, bob):
        customer = add_customer(sue)
        call = start_call(who, customer)
        close_call(who, call.id, CallOutcome("NOANSWER", next_action_on=frozen_clock.today() + timedelta(days=1)))
    assert len(list(export_rows(ann, "calls"))) == 1
    assert len(list(export_rows(sue, "calls"))) == 2
    users = {row[3] for row in export_rows(ann, "activity")}
    assert users == {ANN}


def test_team_init_needs_the_owner_and_runs_again(team: dict[str, AppContext], team_url: str) -> None:
    from collectdesk.services.team import init_team

    assert init_team(team_url, now=None).already
    with pytest.raises(InputError, match="team init must be run by the database's owner"):
        init_team(login_url(SUPER))
    assert date(2026, 11, 23) == team["sue"].clock.today()


def test_a_collectors_desk_runs_the_upkeep_and_notes_when_it_found_nothing(
    team: dict[str, AppContext], frozen_clock: Clock
) -> None:
    from collectdesk.services.upkeep import bring_up_to_date

    sue, ann = team["sue"], team["ann"]
    customer = add_customer(sue, name="Acme Corp")
    add_invoice(sue, customer, 50_000)
    bring_up_to_date(ann)  # the day's first desk is a collector's: it judges, escalates and ranks
    assert not bring_up_to_date(ann).skipped  # a pass that finds the ranking current notes it is idle…
    assert bring_up_to_date(ann).skipped  # …so the next desk's upkeep is one small query


def test_a_collector_finding_the_schema_behind_is_told_who_can_upgrade_it(
    team: dict[str, AppContext], owner: AppContext, frozen_clock: Clock
) -> None:
    from sqlalchemy import text

    from collectdesk.store.migrate import SCHEMA_HEAD

    with owner.db.engine.begin() as connection:  # as after installing a newer collectdesk
        connection.execute(text("UPDATE alembic_version SET version_num = '0010'"))
    try:
        with pytest.raises(
            DatabaseError, match=rf"at revision 0010 and this collectdesk needs {SCHEMA_HEAD}.*team init"
        ):
            open_as(ANN, frozen_clock)
    finally:
        with owner.db.engine.begin() as connection:
            connection.execute(text("UPDATE alembic_version SET version_num = :head"), {"head": SCHEMA_HEAD})


def test_a_customers_currency_reaches_every_collectors_calls(team: dict[str, AppContext]) -> None:
    sue, ann, bob = team["sue"], team["ann"], team["bob"]
    acme = add_customer(sue, name="Acme Corp")
    close_call(bob, start_call(bob, acme).id, CallOutcome("NOANSWER"))
    # Ann's desk changes the account; row-level security hides Bob's call from her, not from the books.
    with ann.db.session() as session:
        session.execute(Customer.__table__.update().where(Customer.id == acme).values(currency="CAD"))
    with sue.db.session() as session:
        assert session.scalars(select(Call.currency).where(Call.customer_id == acme)).all() == ["CAD"]


def test_a_supervisors_large_import_is_written_with_the_triggers_on(
    team: dict[str, AppContext], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Only the owner may set the triggers aside for a bulk load; a supervisor's large file keeps them.
    monkeypatch.setattr(writing, "BULK_ROWS", 5)
    sue = team["sue"]
    customers = "ref,name,country,currency\n" + "".join(f"T{i},Team {i} Ltd,US,USD\n" for i in range(4))
    invoices = "customer_ref,number,issue_date,due_date,amount\n" + "".join(
        f"T{i % 4},TI-{i},2026-09-01,2026-10-01,{100 + i}.00\n" for i in range(20)
    )
    payments = "customer_ref,amount,received_on,invoice_number\n" + "".join(
        f"T{i % 4},50.00,2026-11-0{1 + i % 9},TI-{i}\n" for i in range(12)
    )
    import_csv(sue, "customers", write(tmp_path, "customers.csv", customers))
    assert import_csv(sue, "invoices", write(tmp_path, "invoices.csv", invoices)).added == 20
    assert import_csv(sue, "payments", write(tmp_path, "payments.csv", payments)).added == 12
    with sue.db.session() as session:
        assert stale_facts(session) == [] and stale_totals(session) == []
        assert (
            session.scalar(select(func.sum(Customer.open_balance)))
            == sum(100_00 + i * 100 for i in range(20)) - 12 * 50_00
        )


def test_a_collectors_import_is_refused_with_who_can(team: dict[str, AppContext], tmp_path: Path) -> None:
    sue, ann = team["sue"], team["ann"]
    import_csv(sue, "customers", write(tmp_path, "customers.csv", "ref,name,country,currency\nT1,Team 1 Ltd,US,USD\n"))
    invoices = write(
        tmp_path,
        "invoices.csv",
        "customer_ref,number,issue_date,due_date,amount\nT1,TI-1,2026-09-01,2026-10-01,100.00\n",
    )
    with pytest.raises(NotAllowed, match=f"importing invoices is for supervisors, and {ANN} is a collector"):
        import_csv(ann, "invoices", invoices)
    with sue.db.session() as session:
        assert session.scalar(select(func.count()).select_from(Invoice)) == 0
