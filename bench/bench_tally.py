"""Benchmark: the supervisor tally (month to date, per collector) on each shape of portfolio.

The shapes differ where the tally's cost lies: a monthly ledger with no recorded payments, and a
weekly one whose ~600k payments mostly fell in the last few months (``bench/portfolio.py``).
Each portfolio's ranking is stored first, as the day's first upkeep would. The baseline is plain
``sqlite3`` (default settings) running the two aggregates at the tally's core on the same file:
the period's promises and its calls, each per collector and currency.
"""

from __future__ import annotations

import sqlite3
import statistics
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bench.bench_worklist import rank_as_upkeep
from bench.portfolio import SHAPES, BenchResult, sibling_url
from collectdesk.domain.clock import Clock
from collectdesk.services.context import open_context
from collectdesk.services.receivables import Dates, compute_receivables
from collectdesk.services.tally import compute_tally
from collectdesk.settings import Settings

TODAY = date(2026, 11, 23)
TARGET_SECONDS = 0.200
RUNS = 7


def _median_seconds(action: Callable[[], object], runs: int = RUNS) -> tuple[float, float]:
    """Median wall and CPU seconds of ``action`` (warm)."""
    action()
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        action()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall), statistics.median(cpu)


# What the tally groups promises and calls by, as plain SQL (the same period, stored as naive UTC).
_PLAIN_PROMISES = (
    "SELECT taken_by_id, currency, status, count(*), sum(amount), sum(paid_amount) FROM promises "
    "WHERE created_at >= ? AND created_at < ? GROUP BY taken_by_id, currency, status"
)
_PLAIN_CALLS = (
    "SELECT user_id, currency, count(*), sum(right_party), sum(result_code = 'PTP'), sum(talk_seconds) "
    "FROM calls WHERE started_at >= ? AND started_at < ? GROUP BY user_id, currency"
)


def _stored(instant: datetime) -> str:
    return instant.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")


def _plain_sql(url: str, span: tuple[datetime, datetime]) -> tuple[float, float]:
    """Median wall and CPU seconds of plain sqlite3 running the promise and call aggregates."""
    path = Path(url.removeprefix("sqlite:///"))
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    period = (_stored(span[0]), _stored(span[1]))
    try:
        return _median_seconds(
            lambda: (
                connection.execute(_PLAIN_PROMISES, period).fetchall(),
                connection.execute(_PLAIN_CALLS, period).fetchall(),
            )
        )
    finally:
        connection.close()


def _shape(url: str, shape: str) -> list[BenchResult]:
    rank_as_upkeep(url)
    clock = Clock(today_override=TODAY, frozen_at=datetime(2026, 11, 23, 15, tzinfo=UTC))
    ctx = open_context(
        db_url=url, user_name="bench-supervisor", settings=Settings(), clock=clock, default_role="supervisor"
    )
    try:
        start = TODAY.replace(day=1)
        whole, whole_cpu = _median_seconds(
            lambda: compute_tally(ctx, date_from=start, date_to=TODAY, by_collector=True)
        )
        with ctx.db.session() as session:
            rules = ctx.settings.receivables
            health, health_cpu = _median_seconds(
                lambda: compute_receivables(
                    session, Dates(TODAY, start, TODAY), rules.aging_edges, rules.collected_within_30_goal
                )
            )
        span = (clock.day_start(start), clock.day_start(TODAY + timedelta(days=1)))
    finally:
        ctx.close()
    plain, plain_cpu = _plain_sql(url, span)
    target = f"≤ {TARGET_SECONDS * 1000:.0f} ms on SQLite"
    return [
        BenchResult(
            f"tally ({shape}): month to date, by collector",
            whole,
            "plain sqlite3: promises and calls per collector and currency",
            plain,
            target=target,
            passed=whole <= TARGET_SECONDS,
            cpu_seconds=whole_cpu,
            baseline_cpu_seconds=plain_cpu,
        ),
        BenchResult(
            f"tally ({shape}): receivables health only", health, target="part of the above", cpu_seconds=health_cpu
        ),
    ]


def run(url: str) -> list[BenchResult]:
    """Time the whole tally and its receivables part on every shape (median of warm runs)."""
    return [result for shape in SHAPES for result in _shape(sibling_url(url, shape), shape)]
