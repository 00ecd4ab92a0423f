"""Benchmark: a team's PostgreSQL database at portfolio size, each figure against a baseline of the same run.

* worklist LIMIT 200 as the supervisor reads it (upkeep's stored ranking) and scored live,
  against the raw SQL statement doing the same ranking (``bench_worklist``, spelled for
  PostgreSQL; target ≤ 1.5× raw); a collector's own list, informational;
* account switch: reading one account's panel as the desk does on ↓ (``read_account``), against
  the same reads as plain SQL statements on one connection (target ≤ 100 ms, the desk's move
  target);
* tally: month to date by collector (target ≤ 300 ms), against plain SQL for its core figures
  (the period's promises and calls by collector and currency, open receivables aged);
* claim round-trip: 8 desks, each a process logged in as its own collector and open already,
  pressing ``c`` at the same instant on accounts drawn from the same few (``bench/pg_claims.py``):
  ``start_call`` (all the desk's ``c`` runs) won or lost, against the bare claim (one prepared
  ``INSERT … ON CONFLICT DO NOTHING``, and who holds the account when refused) pressed by the same
  logins in turns with it (target p95 ≤ 50 ms). The desks share this machine's cores with the
  server, as a team's would not: the bare claim's figure is what that sharing costs.

Runs only when given a PostgreSQL URL (``--pg-url`` or ``COLLECTDESK_BENCH_PG_URL``) naming a
database of its own: ``bench/pg_portfolio.py`` loads the portfolio there once and reuses it.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import timedelta
from typing import Any

from bench.bench_worklist import RUNS, raw_parameters, raw_worklist_sql
from bench.pg_claims import BARE, CLAIM_NOW, DESK, Claim, run_desks
from bench.pg_portfolio import DESKS, ensure_pg_portfolio, login_url
from bench.portfolio import PORTFOLIO_NOW, PORTFOLIO_TODAY, BenchResult
from collectdesk.domain.clock import Clock
from collectdesk.services.calls import call_blocks
from collectdesk.services.context import AppContext, open_context
from collectdesk.services.tally import compute_tally
from collectdesk.services.worklist import WorklistRow, build_worklist, rank_todays_list
from collectdesk.settings import Settings
from collectdesk.store.worklist_query import worklist_select
from collectdesk.tui.loading import read_account

POSTGRESQL = True  # run with the PostgreSQL URL and the portfolio size, not the SQLite portfolio
WORKLIST_RATIO = 1.5
SWITCH_TARGET = 0.100
TALLY_TARGET = 0.300
CLAIM_P95_TARGET = 0.050
SWITCHES = 20
CLAIM_ACCOUNTS = 24  # three per desk: every desk races the others for the same ones
CLAIM_PRESSES = 30  # per desk and per way of claiming


def _context(url: str) -> AppContext:
    """A context logged in as ``url``'s login, the clock pinned to the portfolio's day."""
    clock = Clock(today_override=PORTFOLIO_TODAY, frozen_at=PORTFOLIO_NOW)
    return open_context(db_url=url, settings=Settings(), clock=clock)


def _raw_cursor(ctx: AppContext) -> tuple[Any, Any]:
    raw = ctx.db.engine.raw_connection()
    return raw, raw.cursor()


def _worklist(ctx: AppContext, collector: AppContext) -> list[BenchResult]:
    """The supervisor's list (stored ranking, then scored live) and a collector's, against raw SQL."""
    sql, params = raw_worklist_sql("postgresql"), raw_parameters(ctx.settings, 200)
    raw, cursor = _raw_cursor(ctx)

    def raw_worklist() -> list[Any]:
        cursor.execute(sql, params)
        rows = list(cursor.fetchall())
        raw.commit()
        return rows

    def live_worklist() -> list[Any]:
        from collectdesk.services.worklist import score_params

        statement, values = worklist_select(score_params(ctx, None), limit=200, ranked=False)
        with ctx.db.engine.connect() as connection:
            return list(connection.execute(statement, values).all())

    try:
        ours = [r.customer_id for r in build_worklist(ctx, limit=200)]
        live = [r.customer_id for r in live_worklist()]
        theirs = [row[0] for row in raw_worklist()]
        if not ours == live == theirs:
            raise AssertionError("build_worklist, the live query and the raw statement disagree on PostgreSQL")
        wall, live_wall, mine_wall, raw_wall = interleaved_medians(
            [
                lambda: build_worklist(ctx, limit=200),
                live_worklist,
                lambda: build_worklist(collector, limit=200),
                raw_worklist,
            ]
        )
    finally:
        raw.close()
    target = f"≤ {WORKLIST_RATIO}× raw"
    return [
        BenchResult(
            "PostgreSQL: worklist LIMIT 200, supervisor (stored ranking)",
            wall,
            "raw SQL",
            raw_wall,
            target,
            wall <= WORKLIST_RATIO * raw_wall,
        ),
        BenchResult(
            "PostgreSQL: worklist LIMIT 200, no stored ranking (scored live)",
            live_wall,
            "raw SQL",
            raw_wall,
            target,
            live_wall <= WORKLIST_RATIO * raw_wall,
        ),
        BenchResult(
            "PostgreSQL: worklist LIMIT 200, a collector's (own accounts first)",
            mine_wall,
            "raw SQL, whole list",
            raw_wall,
            "(informational)",
        ),
    ]


# One account's panel by hand: the reads account_detail makes, as plain statements.
_PANEL = (
    "SELECT c.*, u.name FROM customers c LEFT JOIN users u ON u.id = c.collector_id WHERE c.id = %(id)s",
    "SELECT * FROM contacts WHERE customer_id = %(id)s ORDER BY id",
    "SELECT * FROM invoices WHERE customer_id = %(id)s AND status IN ('open', 'disputed', 'referred') "
    "AND open_amount > 0 ORDER BY due_date, number",
    "SELECT id FROM calls WHERE customer_id = %(id)s AND ended_at IS NULL ORDER BY started_at DESC LIMIT 1",
    "SELECT * FROM activity WHERE customer_id = %(id)s AND kind NOT IN ('call', 'promise', 'payment') "
    "ORDER BY at DESC, id DESC LIMIT 50",
    "SELECT k.*, t.name, u.name FROM calls k LEFT JOIN contacts t ON t.id = k.contact_id "
    "JOIN users u ON u.id = k.user_id WHERE k.customer_id = %(id)s ORDER BY k.started_at DESC, k.id DESC LIMIT 50",
    "SELECT * FROM promises WHERE customer_id = %(id)s ORDER BY created_at DESC, id DESC LIMIT 50",
    "SELECT * FROM payments WHERE customer_id = %(id)s ORDER BY received_on DESC, id DESC LIMIT 50",
    "SELECT p.customer_id, i.number, p.until, p.reason FROM pauses p LEFT JOIN invoices i ON i.id = p.invoice_id "
    "WHERE p.until > %(today)s AND p.customer_id = %(id)s ORDER BY p.until DESC",
)


def interleaved_medians(actions: list[Callable[[], object]], runs: int = RUNS) -> list[float]:
    """Median seconds of each action, run in turns (one warm turn first): on a shared machine a
    busy moment then slows each of them alike instead of whichever was being timed."""
    for action in actions:
        action()
    timings: list[list[float]] = [[] for _ in actions]
    for _ in range(runs):
        for action, kept in zip(actions, timings, strict=True):
            started = time.perf_counter()
            action()
            kept.append(time.perf_counter() - started)
    return [statistics.median(kept) for kept in timings]


def _account_switch(ctx: AppContext, rows: list[WorklistRow]) -> list[BenchResult]:
    """Reading the panel of each of the next accounts down the list, against the same reads by hand."""
    targets = rows[1 : SWITCHES + 1]
    raw, cursor = _raw_cursor(ctx)

    def by_hand(customer_id: int) -> None:
        for statement in _PANEL:
            cursor.execute(statement, {"id": customer_id, "today": PORTFOLIO_TODAY})
            cursor.fetchall()
        raw.commit()

    try:

        def in_turns(row: WorklistRow) -> list[float]:
            """The desk's read of this account and the reads by hand, in turns."""
            return interleaved_medians(
                [lambda: read_account(ctx, row.customer_id, row), lambda: by_hand(row.customer_id)], 3
            )

        pairs = [in_turns(row) for row in targets]
        ours = statistics.median(pair[0] for pair in pairs)
        theirs = statistics.median(pair[1] for pair in pairs)
    finally:
        raw.close()
    return [
        BenchResult(
            f"PostgreSQL: account switch, one account's panel (median over {SWITCHES} accounts of 3 each)",
            ours,
            f"the same {len(_PANEL)} reads as plain SQL",
            theirs,
            f"≤ {SWITCH_TARGET * 1000:.0f} ms",
            ours <= SWITCH_TARGET,
        )
    ]


def _tally(ctx: AppContext) -> list[BenchResult]:
    """The supervisor's tally, month to date by collector, against plain SQL for its core figures."""
    start = PORTFOLIO_TODAY.replace(day=1)
    span = {
        "start": ctx.clock.day_start(start).replace(tzinfo=None),
        "stop": ctx.clock.day_start(PORTFOLIO_TODAY + timedelta(days=1)).replace(tzinfo=None),
        "today": PORTFOLIO_TODAY,
    }
    core = (
        "SELECT taken_by_id, currency, status, count(*), sum(amount), sum(paid_amount) FROM promises "
        "WHERE created_at >= %(start)s AND created_at < %(stop)s GROUP BY taken_by_id, currency, status",
        "SELECT user_id, currency, count(*), sum(CASE WHEN right_party THEN 1 ELSE 0 END), "
        "sum(CASE WHEN result_code = 'PTP' THEN 1 ELSE 0 END), coalesce(sum(talk_seconds), 0) "
        "FROM calls WHERE started_at >= %(start)s AND started_at < %(stop)s GROUP BY user_id, currency",
        "SELECT currency, sum(CASE WHEN due_date >= %(today)s THEN open_amount ELSE 0 END), "
        "sum(CASE WHEN %(today)s - due_date BETWEEN 1 AND 30 THEN open_amount ELSE 0 END), "
        "sum(CASE WHEN %(today)s - due_date BETWEEN 31 AND 60 THEN open_amount ELSE 0 END), "
        "sum(CASE WHEN %(today)s - due_date BETWEEN 61 AND 90 THEN open_amount ELSE 0 END), "
        "sum(CASE WHEN %(today)s - due_date > 90 THEN open_amount ELSE 0 END), sum(open_amount) "
        "FROM invoices WHERE status = 'open' AND open_amount > 0 GROUP BY currency",
    )
    raw, cursor = _raw_cursor(ctx)

    def by_hand() -> None:
        for statement in core:
            cursor.execute(statement, span)
            cursor.fetchall()
        raw.commit()

    try:
        wall, baseline = interleaved_medians(
            [lambda: compute_tally(ctx, date_from=start, date_to=PORTFOLIO_TODAY, by_collector=True), by_hand], 7
        )
    finally:
        raw.close()
    return [
        BenchResult(
            "PostgreSQL: tally month to date, by collector",
            wall,
            "plain SQL: promises, calls by collector, open AR aged",
            baseline,
            f"≤ {TALLY_TARGET * 1000:.0f} ms",
            wall <= TALLY_TARGET,
        )
    ]


def _claimable(ctx: AppContext, rows: list[WorklistRow]) -> list[int]:
    """Business accounts near the top of the list that nothing blocks calling when the desks press."""
    at_claim = replace(ctx, clock=Clock(today_override=PORTFOLIO_TODAY, frozen_at=CLAIM_NOW))
    found = [r.customer_id for r in rows if r.kind == "business" and not call_blocks(at_claim, r.customer_id)]
    if len(found) < CLAIM_ACCOUNTS:
        raise AssertionError(f"only {len(found)} accounts near the top of the list can be called now")
    return found[:CLAIM_ACCOUNTS]


def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[-1]


def _claims(url: str, accounts: list[int]) -> list[BenchResult]:
    """The claim round-trip with every desk racing at once, against bare claims pressed in turns
    with it; and one desk alone (what a claim costs when the desks do not share this machine's cores)."""
    claims = run_desks([login_url(url, n) for n in range(1, DESKS + 1)], accounts, CLAIM_PRESSES)
    alone = run_desks([login_url(url, 1)], accounts, CLAIM_PRESSES)

    def seconds(of: list[Claim], kind: str, won: bool | None = None) -> list[float]:
        return [c.seconds for c in of if c.kind == kind and won in (None, c.won)]

    ours = [c for c in claims if c.kind == DESK]
    lost = sum(1 for c in ours if not c.won)
    bare_lost = sum(1 for c in claims if c.kind == BARE and not c.won)
    results = [
        BenchResult(
            f"PostgreSQL: claim round-trip, {DESKS} desks pressing c at once, p95 ({len(ours)} claims, {lost} lost)",
            _p95(seconds(claims, DESK)),
            f"bare claim, same desks in turns, p95 ({bare_lost} lost)",
            _p95(seconds(claims, BARE)),
            f"p95 ≤ {CLAIM_P95_TARGET * 1000:.0f} ms",
            _p95(seconds(claims, DESK)) <= CLAIM_P95_TARGET,
        ),
        BenchResult(
            "PostgreSQL: claim round-trip, median (cpu: the desk's own, median)",
            statistics.median(seconds(claims, DESK)),
            "bare claim, median",
            statistics.median(seconds(claims, BARE)),
            "(informational)",
            cpu_seconds=statistics.median(c.cpu_seconds for c in ours),
            baseline_cpu_seconds=statistics.median(c.cpu_seconds for c in claims if c.kind == BARE),
        ),
    ]
    if lost and bare_lost:
        results.append(
            BenchResult(
                "PostgreSQL: claim round-trip, lost claims only, median",
                statistics.median(seconds(claims, DESK, won=False)),
                "bare claim lost, median",
                statistics.median(seconds(claims, BARE, won=False)),
                "(informational)",
            )
        )
    results.append(
        BenchResult(
            "PostgreSQL: claim round-trip, one desk alone, p95",
            _p95(seconds(alone, DESK)),
            "bare claim, alone, p95",
            _p95(seconds(alone, BARE)),
            "(informational)",
        )
    )
    return results


def run(url: str, customers: int) -> list[BenchResult]:
    """Load (or reuse) the portfolio in the database at ``url`` and time everything above."""
    results: list[BenchResult] = []
    loaded = ensure_pg_portfolio(url, customers)
    if loaded is not None:
        results.append(
            BenchResult(f"PostgreSQL: load portfolio ({customers:,} customers), team init", loaded, target="(once)")
        )
    ctx = _context(url)
    collector = _context(login_url(url, 1))
    try:
        rank_todays_list(ctx)  # as the day's first upkeep would
        rows = build_worklist(ctx, limit=200)
        results += _worklist(ctx, collector)
        results += _account_switch(ctx, rows)
        results += _tally(ctx)
        accounts = _claimable(ctx, rows)
    finally:
        collector.close()
        ctx.close()
    results += _claims(url, accounts)
    return results
