"""Promise evaluation over the generated portfolio (100k promises), daily and all at once.

The cached portfolio is copied first (evaluation writes) and payments are added around the
promised dates (in full, in part, late or never; half of them applied to an invoice). Measured:

* the daily run: every open promise judged against the payments, as of the portfolio's day;
* the same run again (idempotent: nothing changes);
* a week later, when that week's promises fall due and are judged;
* all at once: every promise reset to open and judged in one run (e.g. right after loading a
  history), against the naive way — a payments query and an UPDATE per promise — timed on a
  sample and scaled to the same count.
"""

from __future__ import annotations

import random
import shutil
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import make_url

from bench import portfolio
from bench.portfolio import BenchResult
from collectdesk.domain.clock import Clock
from collectdesk.services.context import AppContext, open_context
from collectdesk.services.promises import EvaluationReport, evaluate_promises
from collectdesk.settings import Settings
from collectdesk.store.models import Invoice, Payment, PaymentAllocation, Promise

TARGET_SECONDS_PER_100K = 2.0
NAIVE_SAMPLE = 2_000
TODAY: date = getattr(portfolio, "PORTFOLIO_TODAY", date(2026, 11, 23))
WEEK_LATER = TODAY + timedelta(days=7)


def _working_copy(url: str, into: Path) -> str | None:
    """A copy of the SQLite portfolio to write to; None for other databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    target = into / "promises.db"
    shutil.copyfile(parsed.database, target)
    return f"sqlite:///{target}"


def _add_payments(ctx: AppContext, seed: int = 7) -> int:
    """Add payments around the promised dates; returns the number of promises."""
    rng = random.Random(seed)
    now = datetime.combine(TODAY, datetime.min.time(), UTC)
    with ctx.db.session() as session:
        promises = session.execute(
            select(Promise.customer_id, Promise.amount, Promise.currency, Promise.promised_on)
        ).all()
        first_invoice = dict(
            session.execute(select(Invoice.customer_id, func.min(Invoice.id)).group_by(Invoice.customer_id)).all()
        )
        next_id = (session.scalar(select(func.max(Payment.id))) or 0) + 1
        payments: list[dict[str, Any]] = []
        allocations: list[dict[str, Any]] = []
        for customer_id, amount, currency, promised_on in promises:
            roll = rng.random()
            if roll < 0.25:
                continue  # nothing paid
            share = 1.0 if roll < 0.7 else 0.5
            day = promised_on + timedelta(days=rng.randint(-5, 2 if roll < 0.9 else 10))
            paid = max(1, int(amount * share))
            payments.append(
                {
                    "id": next_id,
                    "customer_id": customer_id,
                    "amount": paid,
                    "currency": currency,
                    "received_on": day,
                    "method": "ach",
                    "reference": None,
                    "invoice_number": None,
                    "import_key": f"bench-{next_id}",
                    "created_at": now,
                }
            )
            if rng.random() < 0.5 and customer_id in first_invoice:
                allocations.append({"payment_id": next_id, "invoice_id": first_invoice[customer_id], "amount": paid})
            next_id += 1
        for start in range(0, len(payments), 50_000):
            session.execute(insert(Payment), payments[start : start + 50_000])
        for start in range(0, len(allocations), 50_000):
            session.execute(insert(PaymentAllocation), allocations[start : start + 50_000])
        return len(promises)


def _reopen_all(ctx: AppContext) -> None:
    with ctx.db.session() as session:
        session.execute(update(Promise).values(status="open", paid_amount=0, resolved_on=None))


def _naive_seconds(ctx: AppContext, limit: int, as_of: date) -> float:
    """One payments query and one UPDATE per promise (what batching avoids), rolled back."""
    started = time.perf_counter()
    with ctx.db.sessions() as session:
        rows = session.execute(
            select(Promise.id, Promise.customer_id, Promise.amount, Promise.created_at, Promise.broken_on)
            .order_by(Promise.id)
            .limit(limit)
        ).all()
        for pid, customer_id, amount, created_at, broken_on in rows:
            paid = (
                session.scalar(
                    select(func.coalesce(func.sum(Payment.amount), 0)).where(
                        Payment.customer_id == customer_id,
                        Payment.received_on >= created_at.date(),
                        Payment.received_on <= min(broken_on, as_of),
                    )
                )
                or 0
            )
            status = (
                "kept" if paid >= amount else "open" if as_of <= broken_on else "partially_kept" if paid else "broken"
            )
            session.execute(
                update(Promise).where(Promise.id == pid).values(status=status, paid_amount=min(paid, amount))
            )
        session.rollback()
    return time.perf_counter() - started


def _timed(ctx: AppContext, as_of: date) -> tuple[float, EvaluationReport]:
    started = time.perf_counter()
    report = evaluate_promises(ctx, as_of=as_of)
    return time.perf_counter() - started, report


def _judged(report: EvaluationReport) -> str:
    return (
        f"{report.evaluated:,} open judged, {report.kept:,} kept, "
        f"{report.partially_kept:,} partly, {report.broken:,} broken"
    )


def run(url: str) -> list[BenchResult]:
    """Measure promise evaluation on a copy of the portfolio at ``url`` (SQLite only)."""
    with tempfile.TemporaryDirectory(prefix="bench-promises-") as tmp:
        copy = _working_copy(url, Path(tmp))
        if copy is None:
            return []
        now = datetime.combine(TODAY, datetime.min.time(), UTC) + timedelta(hours=15)
        ctx = open_context(
            db_url=copy, user_name="bench", settings=Settings(), clock=Clock(today_override=TODAY, frozen_at=now)
        )
        try:
            count = _add_payments(ctx)
            target = TARGET_SECONDS_PER_100K * count / 100_000
            daily, daily_report = _timed(ctx, TODAY)
            again, again_report = _timed(ctx, TODAY)
            week, week_report = _timed(ctx, WEEK_LATER)
            _reopen_all(ctx)
            naive = _naive_seconds(ctx, NAIVE_SAMPLE, WEEK_LATER) * count / min(count, NAIVE_SAMPLE)
            backfill, backfill_report = _timed(ctx, WEEK_LATER)
        finally:
            ctx.close()
    ledger = f"{count:,} promises"
    return [
        BenchResult(
            f"promises: daily evaluation over {ledger} ({_judged(daily_report)})",
            daily,
            None,
            None,
            f"≤ {target:.2f} s",
            daily <= target,
        ),
        BenchResult(
            f"promises: same day again ({again_report.changed} changed)",
            again,
            None,
            None,
            f"≤ {target:.2f} s, nothing changed",
            again <= target and again_report.changed == 0,
        ),
        BenchResult(
            f"promises: a week later ({_judged(week_report)})", week, None, None, f"≤ {target:.2f} s", week <= target
        ),
        BenchResult(
            f"promises: all at once ({_judged(backfill_report)}, each logged)",
            backfill,
            f"naive per-promise queries (scaled from {NAIVE_SAMPLE:,})",
            naive,
            "faster than naive (one-off: every promise written and logged)",
            backfill < naive,
        ),
    ]
