"""Worklist (LIMIT 200) through ``build_worklist`` against the same query as one raw SQL string.

``build_worklist`` reads the ranking upkeep stores ahead of time; the raw statement scores every
candidate, as ``build_worklist`` itself does when no ranking is stored (timed too). The ranking
pass is timed as upkeep runs it: on a new day (everything) and after a busy day's changes.
"""

from __future__ import annotations

import re
import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bench.portfolio import PORTFOLIO_NOW, PORTFOLIO_TODAY, BenchResult
from collectdesk.domain.clock import Clock
from collectdesk.services.context import AppContext
from collectdesk.services.worklist import build_worklist, rank_todays_list, score_params
from collectdesk.settings import Settings, TeamRules
from collectdesk.store.database import Database
from collectdesk.store.models import User
from collectdesk.store.worklist_cache import forget_ranking
from collectdesk.store.worklist_query import worklist_select

RUNS = 9
TARGET_SECONDS = 0.100
TARGET_RATIO = 1.5
CHANGED_ACCOUNTS = 500  # a busy day: every collector's calls, payments and promises

# The same ranking, written by hand: score every chaseable account with work due from the
# customers' facts, keep the page, then join the page to what is displayed.
_OVERDUE = """CASE WHEN c.oldest_open_due IS NULL OR c.oldest_open_due >= :as_of THEN 0
  WHEN c.newest_open_due < :as_of THEN c.open_balance
  WHEN c.prior_open_due < :as_of THEN c.open_balance - c.newest_open_amount
  ELSE (SELECT coalesce(sum(i.open_amount), 0) FROM invoices i WHERE i.customer_id = c.id
        AND i.status = 'open' AND i.open_amount > 0 AND i.due_date < :as_of) END"""
_DPD = """CASE WHEN c.oldest_open_due IS NOT NULL AND c.oldest_open_due < :as_of
  THEN CAST(julianday(:as_of) - julianday(c.oldest_open_due) AS INTEGER) ELSE 0 END"""
_BROKEN = """CASE WHEN c.last_broken_on >= :since OR c.earliest_open_promise_on < :as_of
  THEN (SELECT count(*) FROM promises p WHERE p.customer_id = c.id
        AND p.status IN ('open', 'broken') AND p.broken_on < :as_of AND p.broken_on >= :since)
  ELSE 0 END"""
_PROMISE_DUE = "(c.earliest_open_promise_on IS NOT NULL AND c.earliest_open_promise_on < :as_of)"
_DAY_DUE = "(c.next_action_on IS NULL OR c.next_action_on <= :as_of)"
_CALLBACK = f"(c.next_action_at IS NOT NULL AND c.next_action_at < :now AND {_DAY_DUE})"
_ACTION_DUE = f"((c.next_action_at IS NULL AND {_DAY_DUE}) OR {_CALLBACK})"
_CHASEABLE = (
    "c.on_hold = false AND c.do_not_call = false AND c.cease_contact = false "
    "AND c.lawyer_represented = false AND c.stage != 'agency'"
)
_WORK = (
    f"{_ACTION_DUE} AND ((c.oldest_open_due IS NOT NULL AND c.oldest_open_due < :as_of) "
    f"OR {_PROMISE_DUE} OR {_CALLBACK})"
)
_STAGE = (
    "CASE c.stage WHEN 'follow_up' THEN 1 WHEN 'sales_rep' THEN 2 WHEN 'management' THEN 3 "
    "WHEN 'legal' THEN 4 WHEN 'agency' THEN 5 ELSE 0 END"
)
_DIVISOR = (
    "CASE WHEN c.currency IN ('JPY', 'KRW', 'ISK', 'CLP', 'VND') THEN 1000.0 "
    "WHEN c.currency IN ('BHD', 'KWD', 'OMR', 'JOD', 'TND') THEN 1000000.0 "
    "ELSE 100000.0 END"
)
_SCORE = f"""min(({_DPD}) * :w_dpd, :cap_dpd)
  + min(({_OVERDUE}) * :w_balance / {_DIVISOR}, :cap_balance)
  + ({_BROKEN}) * :w_broken + min(c.failed_attempts * :w_attempts, :cap_attempts)
  + ({_STAGE}) * :w_stage + min(c.late_payments * :w_late, :cap_late)
  + (CASE WHEN {_PROMISE_DUE} THEN 1 ELSE 0 END) * :w_promise
  + (CASE WHEN {_CALLBACK} THEN 1 ELSE 0 END) * :w_callback"""
_RANKING = f"SELECT c.id AS customer_id, %s AS tier, {_SCORE} AS score"
RAW_WORKLIST = f"""
WITH receipt AS (
  SELECT DISTINCT r.customer_id FROM invoices r JOIN customers c ON c.id = r.customer_id
  WHERE r.issue_date > :receipt_from AND r.issue_date <= :as_of
    AND r.receipt_confirmed_at IS NULL AND r.status = 'open' AND r.open_amount > 0
    AND (c.late_payments > 0 OR NOT EXISTS (SELECT 1 FROM invoices e
         WHERE e.customer_id = r.customer_id AND e.issue_date < r.issue_date))),
page AS (
  SELECT * FROM (
    {_RANKING % 0} FROM customers c WHERE {_CHASEABLE} AND {_WORK}
    UNION ALL
    {_RANKING % 1} FROM receipt JOIN customers c ON c.id = receipt.customer_id
    WHERE {_CHASEABLE} AND {_ACTION_DUE} AND NOT ({_WORK}))
  ORDER BY tier, score DESC, customer_id LIMIT :limit)
SELECT page.*, {_OVERDUE} AS overdue, {_DPD} AS dpd, {_BROKEN} AS broken,
       c.ref, c.name, c.kind, c.country, c.currency, c.stage,
       c.failed_attempts, c.next_action_on, c.next_action_at, c.last_contact_at, c.sales_rep,
       c.open_balance, c.late_payments
FROM page JOIN customers c ON c.id = page.customer_id
ORDER BY tier, score DESC, customer_id
"""


# Where PostgreSQL spells the same statement differently (``raw_worklist_sql``).
_POSTGRESQL_SPELLING = (
    ("CAST(julianday(:as_of) - julianday(c.oldest_open_due) AS INTEGER)", "(CAST(:as_of AS date) - c.oldest_open_due)"),
    ("min(", "least("),
    (f"NOT ({_WORK}))\n  ORDER BY", f"NOT ({_WORK})) AS candidates\n  ORDER BY"),
)


def raw_worklist_sql(dialect: str) -> str:
    """The raw statement for ``sqlite`` (``:name`` parameters) or ``postgresql`` (``%(name)s``)."""
    if dialect == "sqlite":
        return RAW_WORKLIST
    sql = RAW_WORKLIST
    for sqlite_text, postgresql_text in _POSTGRESQL_SPELLING:
        if sqlite_text not in sql:
            raise AssertionError(f"the raw statement no longer contains {sqlite_text!r}")
        sql = sql.replace(sqlite_text, postgresql_text)
    return re.sub(r"(?<![:\w]):(\w+)", r"%(\1)s", sql)


def raw_parameters(settings: Settings, limit: int) -> dict[str, Any]:
    """The raw statement's parameters, from the same settings ``build_worklist`` uses."""
    w = settings.scoring
    return {
        "as_of": PORTFOLIO_TODAY.isoformat(),
        "since": (PORTFOLIO_TODAY - timedelta(days=w.broken_promise_window_days)).isoformat(),
        "receipt_from": (PORTFOLIO_TODAY - timedelta(days=settings.receivables.receipt_confirmation_days)).isoformat(),
        "now": PORTFOLIO_NOW.replace(tzinfo=None).isoformat(sep=" "),
        "w_dpd": w.per_day_past_due,
        "cap_dpd": w.per_day_past_due * w.max_days_counted,
        "w_balance": w.per_thousand_overdue,
        "cap_balance": w.max_overdue_points,
        "w_broken": w.per_broken_promise,
        "w_attempts": w.per_failed_attempt,
        "cap_attempts": w.per_failed_attempt * w.max_failed_attempts_counted,
        "w_stage": w.per_stage,
        "w_late": w.per_late_payment,
        "cap_late": w.per_late_payment * w.max_late_payments_counted,
        "w_promise": w.promise_due_bonus,
        "w_callback": w.callback_due_bonus,
        "limit": limit,
    }


def median_seconds(action: Callable[[], object], runs: int = RUNS) -> tuple[float, float]:
    """Median wall and median CPU seconds of ``action`` over ``runs`` warm runs."""
    action()  # warm: caches, compiled statement, pages in memory
    wall, cpu = [], []
    for _ in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        action()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall), statistics.median(cpu)


def bench_context(url: str) -> AppContext:
    """A context on the portfolio, with the clock pinned to the portfolio's today."""
    db = Database.open(url)
    return AppContext(
        settings=Settings(),
        db=db,
        clock=Clock(today_override=PORTFOLIO_TODAY, frozen_at=PORTFOLIO_NOW),
        user=User(id=1, name="collector1", role="collector"),
    )


def rank_as_upkeep(url: str) -> None:
    """Store the portfolio day's ranking, as the day's first upkeep would (the desk reads it)."""
    ctx = bench_context(url)
    try:
        rank_todays_list(ctx)
    finally:
        ctx.close()


def _live_worklist(ctx: AppContext, limit: int) -> list[Any]:
    """The list with every candidate scored live (what a read does when no ranking is stored)."""
    statement, values = worklist_select(score_params(ctx, None), limit=limit, ranked=False)
    with ctx.db.engine.connect() as connection:
        return list(connection.execute(statement, values).all())


def _time_ranking_passes(ctx: AppContext) -> tuple[float, float]:
    """Seconds for a new day's pass (everything) and for a pass after ``CHANGED_ACCOUNTS`` changes."""
    with ctx.db.engine.begin() as connection:
        forget_ranking(connection)
    started = time.perf_counter()
    rank_todays_list(ctx)
    rebuild = time.perf_counter() - started
    with ctx.db.engine.begin() as connection:  # the changes mark accounts; the data stays as it is
        connection.exec_driver_sql(
            f"INSERT INTO worklist_dirty (customer_id) SELECT id FROM customers ORDER BY id LIMIT {CHANGED_ACCOUNTS}"
        )
    started = time.perf_counter()
    rank_todays_list(ctx)
    return rebuild, time.perf_counter() - started


def run(url: str) -> list[BenchResult]:
    """Time the worklist both ways and check they return the same accounts in the same order."""
    ctx = bench_context(url)
    # The whole chaseable list, as the raw statement ranks it (a collector's own list is a part of it).
    ctx.settings = Settings(team=TeamRules(list="all"))
    try:
        rebuild, rescore = _time_ranking_passes(ctx)
        params = raw_parameters(ctx.settings, 200)
        raw = ctx.db.engine.raw_connection()
        cursor = raw.cursor()

        def raw_worklist() -> list[Any]:
            return list(cursor.execute(RAW_WORKLIST, params).fetchall())

        ours = [r.customer_id for r in build_worklist(ctx, limit=200)]
        live = [r.customer_id for r in _live_worklist(ctx, 200)]
        theirs = [row[0] for row in raw_worklist()]
        if not ours == live == theirs:
            raise AssertionError("build_worklist, the live query and the raw statement disagree")
        wall, cpu = median_seconds(lambda: build_worklist(ctx, limit=200))
        live_wall, _ = median_seconds(lambda: _live_worklist(ctx, 200))
        raw_wall, raw_cpu = median_seconds(raw_worklist)
        raw.close()
    finally:
        ctx.close()
    target = f"≤ {TARGET_SECONDS * 1000:.0f} ms, ≤ {TARGET_RATIO}× raw"
    return [
        BenchResult(
            "worklist LIMIT 200 (build_worklist, wall)",
            wall,
            "raw SQL",
            raw_wall,
            target,
            wall <= TARGET_SECONDS and wall <= TARGET_RATIO * raw_wall,
        ),
        BenchResult(
            "worklist LIMIT 200 (build_worklist, cpu)",
            cpu,
            "raw SQL cpu",
            raw_cpu,
            target,
            cpu <= TARGET_SECONDS and cpu <= TARGET_RATIO * raw_cpu,
        ),
        BenchResult(
            "worklist LIMIT 200, no stored ranking (scored live)",
            live_wall,
            "raw SQL",
            raw_wall,
            f"≤ {TARGET_RATIO}× raw",
            live_wall <= TARGET_RATIO * raw_wall,
        ),
        BenchResult("ranking pass: new day (every account)", rebuild, target="upkeep, off the first paint"),
        BenchResult(f"ranking pass: {CHANGED_ACCOUNTS} accounts changed", rescore, target="upkeep"),
    ]
