"""The claim round-trip under concurrent desks: one process per desk, each logged in as itself.

Each desk is open already (logged in, statements compiled and prepared by a few untimed presses)
when the desks press ``c`` together: before every press all of them wait for each other, then each
claims an account drawn from the same few, so every claim races seven others. Presses alternate
between the two ways of claiming, so both meet the same load on this shared machine:

* the desk's way: what the desk's ``c`` key runs once the account is on the screen (``start_call``,
  which also hands back the warnings the desk shows);
* the bare way, the floor a claim can reach from this machine: raw psycopg on one open connection,
  one prepared ``INSERT … ON CONFLICT DO NOTHING RETURNING`` in autocommit and, when it is refused,
  one prepared SELECT of who is on the account and since when.

Only the claim is timed (wall and this process's CPU), won or lost; a won call is then closed
(bare: one UPDATE; the desk: notes saved and ``close_call``) before the next press.
"""

from __future__ import annotations

import multiprocessing
import random
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import psycopg
from sqlalchemy.engine import make_url

from bench.portfolio import PORTFOLIO_NOW, PORTFOLIO_TODAY

BARE, DESK = "bare", "desk"
WARM = 5  # presses of each kind before the kept ones
# The desks press c two hours before the other measurements' "now": the calls they leave behind
# (kept, as the activity log is append-only) do not pile up among the calls "closed within the
# hour" that the worklist marks, run after run.
CLAIM_NOW = PORTFOLIO_NOW - timedelta(hours=2)

_BARE_CLAIM = (
    "INSERT INTO calls (customer_id, user_id, started_at, notes) VALUES (%s, %s, %s, '') "
    "ON CONFLICT DO NOTHING RETURNING id"
)
_BARE_HOLDER = (
    "SELECT u.name, c.started_at FROM calls c JOIN users u ON u.id = c.user_id "
    "WHERE c.customer_id = %s AND c.ended_at IS NULL"
)


@dataclass(frozen=True)
class Claim:
    """One claim attempt: how it was made, its wall and CPU seconds, whether this desk won the account."""

    kind: str
    seconds: float
    cpu_seconds: float
    won: bool


def _libpq(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _bare_claim(conn: psycopg.Connection[Any], user_id: int, customer_id: int) -> int | None:
    """Claim ``customer_id`` with plain SQL: the call id when this desk won it."""
    row = conn.execute(_BARE_CLAIM, (customer_id, user_id, CLAIM_NOW.replace(tzinfo=None)), prepare=True).fetchone()
    if row is None:
        conn.execute(_BARE_HOLDER, (customer_id,), prepare=True).fetchone()  # who is on it, since when
        return None
    return int(row[0])


def desk(url: str, accounts: list[int], presses: int, seed: int, barrier: Any, results: Any) -> None:
    """One desk's process: ``presses`` claims of each kind, in turns, each pressed with every other
    desk at once; the first ``WARM`` of each are not kept (statements compiled and prepared, caches
    filled, as on a desk that has been open a while)."""
    from collectdesk.domain.clock import Clock
    from collectdesk.services.calls import (
        AccountOnCall,
        CallOutcome,
        close_call,
        save_call_notes,
        start_call,
        unfinished_call,
    )
    from collectdesk.services.context import open_context
    from collectdesk.settings import Settings

    rng = random.Random(seed)
    ctx = open_context(
        db_url=url, settings=Settings(), clock=Clock(today_override=PORTFOLIO_TODAY, frozen_at=CLAIM_NOW)
    )
    claims: list[Claim] = []
    try:
        left = unfinished_call(ctx)  # by a run that was stopped half-way
        if left is not None:
            close_call(ctx, left.id, CallOutcome("NOANSWER"))
        with psycopg.connect(_libpq(url), autocommit=True) as conn:
            for press in range(-WARM, presses):
                barrier.wait()
                started, cpu = time.perf_counter(), time.process_time()
                call_id = _bare_claim(conn, ctx.user.id, rng.choice(accounts))
                if press >= 0:
                    claims.append(
                        Claim(BARE, time.perf_counter() - started, time.process_time() - cpu, call_id is not None)
                    )
                if call_id is not None:
                    conn.execute(
                        "UPDATE calls SET ended_at = started_at, result_code = 'NOANSWER' WHERE id = %s", (call_id,)
                    )
                barrier.wait()
                started, cpu = time.perf_counter(), time.process_time()
                try:
                    call = start_call(ctx, rng.choice(accounts))  # all the desk's c runs, warnings included
                except AccountOnCall:
                    if press >= 0:
                        claims.append(Claim(DESK, time.perf_counter() - started, time.process_time() - cpu, False))
                    continue
                if press >= 0:
                    claims.append(Claim(DESK, time.perf_counter() - started, time.process_time() - cpu, True))
                save_call_notes(ctx, call.id, "bench claim")
                close_call(ctx, call.id, CallOutcome("NOANSWER"))
    except BaseException:
        barrier.abort()  # the other desks stop waiting for this one
        raise
    finally:
        ctx.close()
        results.put(claims)


def run_desks(urls: list[str], accounts: list[int], presses: int) -> list[Claim]:
    """Start one process per URL (each a login of its own), let them press, gather every claim."""
    spawn = multiprocessing.get_context("spawn")
    barrier = spawn.Barrier(len(urls), timeout=600)
    results = spawn.Queue()
    processes = [
        spawn.Process(target=desk, args=(url, accounts, presses, index, barrier, results))
        for index, url in enumerate(urls)
    ]
    for process in processes:
        process.start()
    claims: list[Claim] = []
    for _ in processes:
        claims.extend(results.get(timeout=900))
    for process in processes:
        process.join()
        if process.exitcode != 0:
            raise RuntimeError(f"a desk process failed (exit code {process.exitcode})")
    return claims
