"""Benchmark: the supervisor tally (month to date, per collector) over the generated portfolio."""

from __future__ import annotations

import statistics
import time
from datetime import UTC, date, datetime

from bench.portfolio import BenchResult
from collectdesk.domain.clock import Clock
from collectdesk.services.context import open_context
from collectdesk.services.receivables import Dates, compute_receivables
from collectdesk.services.tally import compute_tally
from collectdesk.settings import Settings

TODAY = date(2026, 11, 23)
TARGET_SECONDS = 0.200
RUNS = 5


def _median_seconds(action: object, runs: int = RUNS) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        action()  # type: ignore[operator]
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def run(url: str) -> list[BenchResult]:
    """Time the whole tally and its receivables part (median of five warm runs)."""
    clock = Clock(today_override=TODAY, frozen_at=datetime(2026, 11, 23, 15, tzinfo=UTC))
    ctx = open_context(
        db_url=url, user_name="bench-supervisor", settings=Settings(), clock=clock, default_role="supervisor"
    )
    try:
        start = TODAY.replace(day=1)
        compute_tally(ctx, date_from=start, date_to=TODAY, by_collector=True)  # warm the cache
        whole = _median_seconds(lambda: compute_tally(ctx, date_from=start, date_to=TODAY, by_collector=True))
        with ctx.db.session() as session:
            rules = ctx.settings.receivables
            health = _median_seconds(
                lambda: compute_receivables(
                    session, Dates(TODAY, start, TODAY), rules.aging_edges, rules.collected_within_30_goal
                )
            )
    finally:
        ctx.close()
    return [
        BenchResult(
            "tally: month to date, by collector",
            whole,
            target=f"≤ {TARGET_SECONDS * 1000:.0f} ms on SQLite",
            passed=whole <= TARGET_SECONDS,
        ),
        BenchResult("tally: receivables health only", health, target="part of the above"),
    ]
