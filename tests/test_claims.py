"""Claiming an account by starting a call: one winner per race, the others told who and since when,
the warnings handed back with the call, the override logged with it, and a desk whose quiet
connection was dropped still able to claim."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from collectdesk.domain.clock import Clock
from collectdesk.domain.errors import InputError
from collectdesk.services.calls import (
    AccountOnCall,
    CallOutcome,
    StartedCall,
    close_call,
    start_call,
)
from collectdesk.services.context import AppContext, open_context
from collectdesk.services.users import add_user
from collectdesk.settings import Settings
from collectdesk.store import database
from collectdesk.store.models import Activity, Call
from conftest import PG_URL, login_url, open_as
from ledger_fixtures import NOW, add_contact, add_customer, add_invoice

DESKS = [f"cdt_desk{n}" for n in range(8)]


def _password(name: str) -> str:
    return str(make_url(login_url(name)).password)


@pytest.fixture
def owner(team_url: str, frozen_clock: Clock) -> Iterator[AppContext]:
    """The team database's owner, who loads the accounts."""
    ctx = open_context(db_url=team_url, settings=Settings(), clock=frozen_clock)
    yield ctx
    ctx.close()


@pytest.fixture
def desks(owner: AppContext, frozen_clock: Clock) -> Iterator[list[AppContext]]:
    """Eight collectors of one team, each logged in as themselves at a desk of their own."""
    for name in DESKS:
        add_user(owner, name, "collector", _password(name))
    people = [open_as(name, frozen_clock) for name in DESKS]
    yield people
    for ctx in people:
        ctx.close()


def _race(desks: list[AppContext], customer_id: int) -> dict[int, StartedCall | AccountOnCall]:
    """Every desk presses c on the account in the same instant: what each was answered."""
    barrier = threading.Barrier(len(desks))
    results: dict[int, StartedCall | AccountOnCall] = {}

    def press_c(index: int) -> None:
        barrier.wait()
        try:
            results[index] = start_call(desks[index], customer_id)
        except AccountOnCall as refused:
            results[index] = refused

    threads = [threading.Thread(target=press_c, args=(index,)) for index in range(len(desks))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_eight_desks_pressing_c_at_once_get_one_winner_and_the_rest_are_told_who(
    owner: AppContext, desks: list[AppContext]
) -> None:
    acme = add_customer(owner, name="Acme Corp")
    for _ in range(3):  # the same race again once the winner has closed the call
        results = _race(desks, acme)
        won = [(index, r) for index, r in results.items() if isinstance(r, StartedCall)]
        refused = [r for r in results.values() if isinstance(r, AccountOnCall)]
        assert len(won) == 1 and len(refused) == len(desks) - 1
        winner, call = won[0]
        assert {r.holder for r in refused} == {DESKS[winner]}
        assert {r.since for r in refused} == {call.started_at}
        with desks[0].db.session() as session:
            stored = session.get(Call, call.id)
            assert stored is not None and stored.user_id == desks[winner].user.id and stored.ended_at is None
        close_call(desks[winner], call.id, CallOutcome("NOANSWER"))


def test_the_override_goes_in_with_the_claim_in_the_collectors_name(owner: AppContext, desks: list[AppContext]) -> None:
    ann = desks[0]
    barred = add_customer(owner, name="Barred Ltd", do_not_call=True)
    call = start_call(ann, barred, override_reason="they asked us to call back today")
    with ann.db.session() as session:
        entries = session.scalars(select(Activity).where(Activity.customer_id == barred)).all()
    assert [(e.kind, e.call_id, e.user_id) for e in entries] == [("override", call.id, ann.user.id)]
    assert "Barred Ltd is marked do-not-call" in entries[0].summary
    assert entries[0].details == {
        "blocks": ["Barred Ltd is marked do-not-call"],
        "reason": "they asked us to call back today",
    }


def test_the_started_call_brings_the_warnings_the_desk_shows(ctx: AppContext) -> None:
    acme = add_customer(ctx, name="Acme Corp", on_hold=True, hold_reason="awaiting a credit note")
    add_invoice(ctx, acme, 10_000)
    with ctx.db.session() as session:
        session.add(
            Call(
                customer_id=acme,
                user_id=ctx.user.id,
                started_at=NOW - timedelta(days=1),
                ended_at=NOW - timedelta(days=1, minutes=-2),
                result_code="NOANSWER",
                right_party=False,
                notes="",
            )
        )
    call = start_call(ctx, acme)
    assert any("every 3 days" in w for w in call.warnings)
    assert "the account is on hold (awaiting a credit note)" in call.warnings


def test_a_contact_of_another_account_is_refused_and_nothing_is_written(ctx: AppContext) -> None:
    acme = add_customer(ctx, name="Acme Corp")
    other = add_contact(ctx, add_customer(ctx, name="Other Inc"))
    with pytest.raises(InputError, match=f"contact {other} is not a contact of Acme Corp"):
        start_call(ctx, acme, contact_id=other)
    with pytest.raises(InputError, match="there is no account with id 999999"):
        start_call(ctx, 999_999)
    with ctx.db.session() as session:
        assert session.scalars(select(Call)).all() == []


def test_a_desk_whose_quiet_connection_was_dropped_still_claims(
    owner: AppContext, desks: list[AppContext], monkeypatch: pytest.MonkeyPatch
) -> None:
    ann = desks[0]
    acme = add_customer(owner, name="Acme Corp")
    close_call(ann, start_call(ann, acme).id, CallOutcome("NOANSWER"))
    assert PG_URL
    libpq = make_url(PG_URL).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(libpq, autocommit=True) as admin:
        dropped = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE usename = %s", (DESKS[0],)
        ).fetchone()
    assert dropped is not None and dropped[0] >= 1
    monkeypatch.setattr(database, "QUIET_SECONDS", 0.0)  # as if the desk had been left for a while
    assert start_call(ann, acme).user_id == ann.user.id
