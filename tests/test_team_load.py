"""Proof under load: collectors in separate processes racing for the top of one list.

On PostgreSQL each process logs in as its own collector (password authentication); on SQLite
four processes share one file. Each collector makes COLLECTDESK_LOAD_CALLS calls (default 200,
the issue's full size on both databases).
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, insert, select

from collectdesk.domain.clock import Clock
from collectdesk.services.context import AppContext, open_context
from collectdesk.services.tally import compute_tally
from collectdesk.services.upkeep import bring_up_to_date
from collectdesk.services.users import add_user
from collectdesk.settings import Settings
from collectdesk.store.models import Call, Customer, Invoice, Promise
from conftest import login_url
from ledger_fixtures import NOW
from team_load_worker import work

pytestmark = pytest.mark.load
ACCOUNTS = 2_000
CALLS = int(os.environ.get("COLLECTDESK_LOAD_CALLS", "200"))


def _portfolio(ctx: AppContext, accounts: int) -> None:
    customers = [
        {
            "ref": f"L{i:05d}",
            "name": f"Load {i} Ltd",
            "kind": "business",
            "country": "US",
            "currency": "USD",
            "phone": "+12125550100",
            "created_at": NOW,
            "updated_at": NOW,
        }
        for i in range(accounts)
    ]
    with ctx.db.session() as session:
        ids = session.scalars(insert(Customer).returning(Customer.id), customers).all()
        session.execute(
            insert(Invoice),
            [
                {
                    "customer_id": cid,
                    "number": f"INV-{cid}",
                    "issue_date": date(2026, 8, 1),
                    "due_date": date(2026, 9, 1) + timedelta(days=i % 60),
                    "amount": 50_000 + 7 * i,
                    "currency": "USD",
                    "open_amount": 50_000 + 7 * i,
                    "status": "open",
                    "created_at": NOW,
                }
                for i, cid in enumerate(ids)
            ],
        )
    bring_up_to_date(ctx)  # today's ranking stored, as the first desk of the day does


def _run(jobs: list[tuple[str, str | None, int, int]]) -> list[dict[str, Any]]:
    with ProcessPoolExecutor(len(jobs), mp_context=multiprocessing.get_context("spawn")) as pool:
        return list(pool.map(work, *zip(*jobs, strict=True)))


def _check(ctx: AppContext, results: list[dict[str, Any]], calls: int) -> None:
    """Nothing lost, never two open calls on an account, each collector's tally is what they did."""
    assert all(r["locked"] == [] for r in results), [r["locked"][:3] for r in results]
    assert all(r["doubled"] == 0 for r in results)
    assert all(len(r["done"]) == calls for r in results)
    assert sum(r["lost_races"] for r in results) > 0  # they really raced
    tally = compute_tally(ctx, date_from=ctx.clock.today(), date_to=ctx.clock.today(), by_collector=True)
    activity = {a.collector: a for a in tally.activity_by_collector}
    promises = {p.collector: p for p in tally.promises_by_collector}
    with ctx.db.session() as session:
        stored = {c.id: c for c in session.scalars(select(Call))}
        open_calls = session.scalar(select(func.count()).select_from(Call).where(Call.ended_at.is_(None)))
        promise_calls = set(session.scalars(select(Promise.call_id)))
    assert open_calls == 0
    for result in results:
        for call in result["done"]:
            row = stored[call["call_id"]]
            assert row.notes == call["notes"] and row.ended_at is not None
            assert (row.id in promise_calls) == call["promise"]
        made = sum(1 for c in result["done"] if c["promise"])
        assert activity[result["user"]].calls == calls
        assert activity[result["user"]].ptp_calls == made
        assert promises[result["user"]].made == made
    assert len(stored) == calls * len(results)


def test_eight_collectors_on_postgresql(team_url: str, frozen_clock: Clock) -> None:
    owner = open_context(db_url=team_url, settings=Settings(), clock=frozen_clock)
    names = [f"cdt_load{i}" for i in range(8)]
    for name in names:
        add_user(owner, name, "collector", str(login_url(name).split(":")[2].split("@")[0]))
    _portfolio(owner, ACCOUNTS)
    results = _run([(login_url(name), None, CALLS, i) for i, name in enumerate(names)])
    _check(owner, results, CALLS)
    owner.close()


def test_four_processes_on_one_sqlite_file(sqlite_url: str, frozen_clock: Clock) -> None:
    owner = open_context(db_url=sqlite_url, user_name="olga", settings=Settings(), clock=frozen_clock)
    names = [f"desk{i}" for i in range(4)]
    for name in names:
        add_user(owner, name, "collector")
    calls = CALLS
    _portfolio(owner, calls * len(names) + 200)
    results = _run([(sqlite_url, name, calls, i) for i, name in enumerate(names)])
    _check(owner, results, calls)
    owner.close()
