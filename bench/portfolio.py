"""Large generated portfolios for benchmarks, loaded through Core bulk inserts and cached on disk.

Two shapes of the same size (100k customers by default; ``customers`` scales every table):

* ``monthly``: ~1M invoices a month apart, 300k calls and 100k promises, no payments recorded;
* ``payments``: the same customers invoiced weekly, so most of the ~1M invoices fall in the last
  few months, and every settled invoice paid by a recorded payment (~550k payments and
  allocations, most of them recent: what a busy ledger imported from accounting looks like).

Files are cached as ``bench/.data/portfolio-<N>[-<shape>]-r<rev>-g<version>.db``, keyed by the
size, the shape, the schema revision and this generator's version.
"""

from __future__ import annotations

import math
import os
import random
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if (ROOT / "src" / "collectdesk").is_dir() and str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))  # measure this checkout, not an installed copy

from sqlalchemy import Connection, insert  # noqa: E402

from collectdesk.store.database import Database  # noqa: E402
from collectdesk.store.derived import bulk_load  # noqa: E402
from collectdesk.store.migrate import SCHEMA_HEAD  # noqa: E402
from collectdesk.store.models import (  # noqa: E402
    Call,
    Customer,
    Invoice,
    Payment,
    PaymentAllocation,
    Promise,
    User,
)

DATA_DIR = Path(__file__).resolve().parent / ".data"
GENERATOR_VERSION = 4
PORTFOLIO_TODAY = date(2026, 11, 23)
PORTFOLIO_NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
DEFAULT_CUSTOMERS = 100_000
INVOICES_PER_CUSTOMER = 10
CALLS_PER_CUSTOMER = 3
PROMISES_PER_CUSTOMER = 1
COLLECTORS = 20
CHUNK = 50_000
MONTHLY, PAYMENTS = "monthly", "payments"
SHAPES = (MONTHLY, PAYMENTS)
# Days between a customer's invoices in each shape.
_INVOICE_INTERVAL = {MONTHLY: 30, PAYMENTS: 7}

_COUNTRIES = [
    ("US", "USD", 60),
    ("GB", "GBP", 15),
    ("AU", "AUD", 10),
    ("NZ", "NZD", 5),
    ("DE", "EUR", 8),
    ("JP", "JPY", 2),
]
_STAGES = ["reminder", "follow_up", "sales_rep", "management", "legal"]
_RESULTS = ["PTP", "PAID", "DISPUTE", "NOPROMISE", "CALLBACK", "MESSAGE", "NOANSWER", "GATEKEEPER", "WRONGNUMBER"]


@dataclass(frozen=True)
class BenchResult:
    """One measurement and what it is compared against (``target`` says what passing means)."""

    name: str
    seconds: float
    baseline_name: str | None = None
    baseline_seconds: float | None = None
    target: str = ""
    passed: bool | None = None
    cpu_seconds: float | None = None  # user + sys: steadier than wall time on a busy machine
    baseline_cpu_seconds: float | None = None

    @property
    def ratio(self) -> float | None:
        """Measured time over baseline time, when there is a baseline."""
        if not self.baseline_seconds:
            return None
        return self.seconds / self.baseline_seconds

    @property
    def cpu_ratio(self) -> float | None:
        """Measured CPU time over the baseline's CPU time, when both are known."""
        if not self.baseline_cpu_seconds or self.cpu_seconds is None:
            return None
        return self.cpu_seconds / self.baseline_cpu_seconds


def portfolio_path(customers: int = DEFAULT_CUSTOMERS, shape: str = MONTHLY) -> Path:
    """Where the cached portfolio of this size and shape lives."""
    named = "" if shape == MONTHLY else f"-{shape}"
    return DATA_DIR / f"portfolio-{customers}{named}-r{SCHEMA_HEAD}-g{GENERATOR_VERSION}.db"


def ensure_portfolio(customers: int = DEFAULT_CUSTOMERS, shape: str = MONTHLY) -> str:
    """The SQLite URL of a generated portfolio of this size and shape, generating it the first time."""
    path = portfolio_path(customers, shape)
    if not path.exists() and not _migrate_older(path):
        generate(path, customers, shape=shape)
    return f"sqlite:///{path}"


def portfolio_cached(customers: int = DEFAULT_CUSTOMERS, shape: str = MONTHLY) -> bool:
    """Whether a portfolio of this size and shape is cached (maybe for an older schema)."""
    path = portfolio_path(customers, shape)
    prefix, suffix = path.name.split(f"-r{SCHEMA_HEAD}-")
    return path.exists() or any(path.parent.glob(f"{prefix}-r*-{suffix}"))


def sibling_url(url: str, shape: str) -> str:
    """The portfolio of the same size as the one at ``url``, in another shape (generated if need be)."""
    customers = int(Path(url.removeprefix("sqlite:///")).name.split("-")[1])
    return ensure_portfolio(customers, shape)


def _migrate_older(path: Path) -> bool:
    """Bring a cached portfolio of an older schema revision (same size, shape and generator) up to
    this one, as a user's database would be, instead of generating it again."""
    prefix, suffix = path.name.split(f"-r{SCHEMA_HEAD}-")
    older = sorted(path.parent.glob(f"{prefix}-r*-{suffix}"))
    if not older:
        return False
    older[-1].replace(path)
    Database.open(f"sqlite:///{path}").close()
    return True


def _weighted(rng: random.Random, choices: Sequence[tuple[Any, ...]]) -> tuple[Any, ...]:
    return rng.choices(choices, weights=[c[-1] for c in choices])[0]


def _chunks(rows: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class _Profile:
    """How a generated customer pays: 0 on time, 1 late, 2 delinquent."""

    kind: int
    terms: int
    currency: str


def _customers(rng: random.Random, n: int, profiles: list[_Profile]) -> Iterator[dict[str, Any]]:
    today = PORTFOLIO_TODAY
    for i in range(1, n + 1):
        country, currency, _ = _weighted(rng, _COUNTRIES)
        behaviour = rng.choices([0, 1, 2], weights=[50, 30, 20])[0]
        terms = rng.choices([14, 30, 60], weights=[20, 65, 15])[0]
        profiles.append(_Profile(behaviour, terms, currency))
        roll = rng.random()
        next_on = None if roll < 0.35 else today + timedelta(days=rng.randint(-20, 15))
        callback = None
        if roll > 0.97:
            next_on = today
            callback = PORTFOLIO_NOW + timedelta(minutes=rng.randint(-300, 300))
        failed = rng.randint(0, 8) if behaviour == 2 else rng.randint(0, 2)
        stage = _STAGES[min(rng.randint(0, 4), 4)] if behaviour == 2 else "reminder"
        contact = PORTFOLIO_NOW - timedelta(days=rng.randint(1, 120), minutes=rng.randint(0, 600))
        yield {
            "id": i,
            "ref": f"C{i:07d}",
            "name": f"Customer {i} {rng.choice(['Ltd', 'Inc', 'LLC'])}",
            "kind": "consumer" if rng.random() < 0.1 else "business",
            "country": country,
            "region": None,
            "currency": currency,
            "terms_days": terms,
            "phone": f"+1555{i:07d}",
            "email": f"ap{i}@example.com",
            "timezone": None,
            "collector_id": rng.randint(1, COLLECTORS),
            "sales_rep": f"Rep {rng.randint(1, 50)}",
            "stage": stage,
            "on_hold": rng.random() < 0.02,
            "hold_reason": None,
            "do_not_call": rng.random() < 0.01,
            "cease_contact": rng.random() < 0.003,
            "lawyer_represented": rng.random() < 0.002,
            "next_action_on": next_on,
            "next_action_at": callback,
            "next_action": None,
            "failed_attempts": failed,
            "last_attempt_at": contact,
            "last_contact_at": contact,
            "created_at": PORTFOLIO_NOW - timedelta(days=800),
            "updated_at": PORTFOLIO_NOW - timedelta(days=1),
        }


@dataclass(frozen=True)
class _Settled:
    """What a payment needs to know about the invoice it settles."""

    invoice_id: int
    customer_id: int
    currency: str
    number: str
    amount: int
    received_on: date


def _invoices(
    rng: random.Random,
    profiles: list[_Profile],
    total: int,
    interval: int = 30,
    settled: list[_Settled] | None = None,
) -> Iterator[dict[str, Any]]:
    """Invoices ``interval`` days apart per customer; paid and part-paid ones go into ``settled``."""
    today = PORTFOLIO_TODAY
    per_customer = total / len(profiles)
    log_low, log_high = math.log(50), math.log(25_000)
    invoice_id = 0
    for customer_id, profile in enumerate(profiles, start=1):
        count = max(1, round(rng.uniform(0.2, 1.8) * per_customer))
        latest_issue = today - timedelta(days=rng.randint(0, 35))
        scale = 1 if profile.currency == "JPY" else 100
        for k in range(count):
            invoice_id += 1
            issue = latest_issue - timedelta(days=interval * k + rng.randint(0, 5))
            due = issue + timedelta(days=profile.terms)
            amount = int(math.exp(rng.uniform(log_low, log_high))) * scale
            delay = (rng.randint(-10, 3), rng.randint(3, 45), rng.randint(20, 220))[profile.kind]
            paid_on: date | None = max(issue, due + timedelta(days=delay))
            never = rng.random() < (0.25 if profile.kind == 2 else 0.01)
            status, open_amount = "paid", 0
            if never or (paid_on is not None and paid_on > today):
                paid_on, status = None, "open"
                open_amount = amount if rng.random() > 0.1 else amount // 2
                if rng.random() < 0.01:
                    status = "disputed"
            recent = (today - issue).days <= 6
            confirmed = (
                None
                if recent and rng.random() < 0.6
                else datetime.combine(issue, datetime.min.time(), UTC) + timedelta(days=2)
            )
            number = f"INV-{invoice_id:08d}"
            if settled is not None and open_amount < amount:
                received = paid_on or min(today, due) - timedelta(days=invoice_id % 7)
                settled.append(
                    _Settled(invoice_id, customer_id, profile.currency, number, amount - open_amount, received)
                )
            yield {
                "id": invoice_id,
                "customer_id": customer_id,
                "number": number,
                "issue_date": issue,
                "due_date": due,
                "amount": amount,
                "currency": profile.currency,
                "open_amount": open_amount,
                "status": status,
                "paid_on": paid_on,
                "dispute_reason": "price" if status == "disputed" else None,
                "receipt_confirmed_at": confirmed,
                "created_at": datetime.combine(issue, datetime.min.time(), UTC),
            }


def _calls(rng: random.Random, customers: int, total: int) -> Iterator[dict[str, Any]]:
    for call_id in range(1, total + 1):
        started = PORTFOLIO_NOW - timedelta(days=rng.randint(0, 180), seconds=rng.randint(0, 36_000))
        code = rng.choice(_RESULTS)
        yield {
            "id": call_id,
            "customer_id": rng.randint(1, customers),
            "contact_id": None,
            "user_id": rng.randint(1, COLLECTORS),
            "phone": None,
            "started_at": started,
            "ended_at": started + timedelta(seconds=rng.randint(20, 600)),
            "result_code": code,
            "right_party": code in _RESULTS[:5],
            "payment_asked": code in _RESULTS[:4],
            "no_promise_reason": None,
            "callback_at": None,
            "spoke_with": None,
            "dispute_reason": None,
            "paid_claim": None,
            "next_action_on": None,
            "next_action": None,
            "override_reason": None,
            "notes": "",
        }


def _promises(
    rng: random.Random, customers: int, calls: int, total: int, profiles: list[_Profile]
) -> Iterator[dict[str, Any]]:
    today = PORTFOLIO_TODAY
    for promise_id in range(1, total + 1):
        customer_id = rng.randint(1, customers)
        promised = today + timedelta(days=rng.randint(-180, 21))
        broken_on = promised + timedelta(days=3)
        scale = 1 if profiles[customer_id - 1].currency == "JPY" else 100
        amount = rng.randint(50, 20_000) * scale
        status, paid, resolved = "open", 0, None
        if broken_on < today:
            status = rng.choices(["kept", "broken", "partially_kept", "cancelled"], weights=[55, 30, 10, 5])[0]
            paid = {"kept": amount, "partially_kept": amount // 2}.get(status, 0)
            resolved = broken_on
        yield {
            "id": promise_id,
            "customer_id": customer_id,
            "call_id": rng.randint(1, calls) if calls else None,
            "taken_by_id": rng.randint(1, COLLECTORS),
            "amount": amount,
            "currency": profiles[customer_id - 1].currency,
            "promised_on": promised,
            "broken_on": broken_on,
            "method": rng.choice(["ach", "card", "check", None]),
            "status": status,
            "paid_amount": paid,
            "resolved_on": resolved,
            "plan_id": None,
            "instalment": None,
            "created_at": datetime.combine(promised, datetime.min.time(), UTC) - timedelta(days=7),
        }


def _payments(settled: list[_Settled]) -> Iterator[dict[str, Any]]:
    """One payment per settled invoice, received the day it was settled."""
    for payment_id, item in enumerate(settled, start=1):
        yield {
            "id": payment_id,
            "customer_id": item.customer_id,
            "amount": item.amount,
            "currency": item.currency,
            "received_on": item.received_on,
            "method": "ach",
            "reference": f"PAY-{payment_id:08d}",
            "invoice_number": item.number,
            "import_key": f"PAY-{payment_id:08d}",
            "created_at": datetime.combine(item.received_on, datetime.min.time(), UTC),
        }


def _allocations(settled: list[_Settled]) -> Iterator[dict[str, Any]]:
    """Each payment applied in full to the invoice it settles."""
    for payment_id, item in enumerate(settled, start=1):
        yield {"id": payment_id, "payment_id": payment_id, "invoice_id": item.invoice_id, "amount": item.amount}


def load_portfolio(
    conn: Connection, customers: int = DEFAULT_CUSTOMERS, *, seed: int = 20261123, shape: str = MONTHLY
) -> dict[str, float]:
    """Insert the generated portfolio through ``conn`` (any dialect, in its transaction), without
    per-row triggers and with everything derived rebuilt after; returns seconds spent per table."""
    if shape not in SHAPES:
        raise ValueError(f"unknown portfolio shape {shape!r}: one of {', '.join(SHAPES)}")
    rng = random.Random(seed)
    timings: dict[str, float] = {}
    profiles: list[_Profile] = []
    settled: list[_Settled] | None = [] if shape == PAYMENTS else None
    calls = customers * CALLS_PER_CUSTOMER
    tables: list[tuple[str, Any, Iterator[dict[str, Any]]]] = [
        (
            "users",
            User,
            iter(
                [
                    {"id": i, "name": f"collector{i}", "role": "collector", "created_at": PORTFOLIO_NOW}
                    for i in range(1, COLLECTORS + 1)
                ]
            ),
        ),
        ("customers", Customer, _customers(rng, customers, profiles)),
        (
            "invoices",
            Invoice,
            _invoices(rng, profiles, customers * INVOICES_PER_CUSTOMER, _INVOICE_INTERVAL[shape], settled),
        ),
        ("calls", Call, _calls(rng, customers, calls)),
        ("promises", Promise, _promises(rng, customers, calls, customers * PROMISES_PER_CUSTOMER, profiles)),
    ]
    if settled is not None:  # filled while the invoices are generated, read after them
        tables += [
            ("payments", Payment, _payments(settled)),
            ("allocations", PaymentAllocation, _allocations(settled)),
        ]
    with bulk_load(conn):
        for name, model, rows in tables:
            started = time.perf_counter()
            for batch in _chunks(rows):
                conn.execute(insert(model), batch)
            timings[name] = time.perf_counter() - started
        started = time.perf_counter()
    timings["account facts"] = time.perf_counter() - started
    return timings


def generate(
    path: Path, customers: int = DEFAULT_CUSTOMERS, *, seed: int = 20261123, shape: str = MONTHLY
) -> dict[str, float]:
    """Build the portfolio file at ``path`` (atomically) and return seconds spent per table."""
    if shape not in SHAPES:
        raise ValueError(f"unknown portfolio shape {shape!r}: one of {', '.join(SHAPES)}")
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    for leftover in (partial, Path(f"{partial}-wal"), Path(f"{partial}-shm")):
        leftover.unlink(missing_ok=True)
    db = Database.open(f"sqlite:///{partial}")
    with db.engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA synchronous=OFF")
        timings = load_portfolio(conn, customers, seed=seed, shape=shape)
    started = time.perf_counter()
    with db.engine.begin() as conn:
        conn.exec_driver_sql("ANALYZE")
    timings["analyze"] = time.perf_counter() - started
    db.close()
    os.replace(partial, path)
    return timings


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bench.portfolio [--customers N] [--shape S]``: regenerate a portfolio, report timings."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m bench.portfolio")
    parser.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS)
    parser.add_argument("--shape", choices=SHAPES, default=MONTHLY)
    args = parser.parse_args(argv)
    path = portfolio_path(args.customers, args.shape)
    path.unlink(missing_ok=True)
    path.with_name(f"{path.stem}-settled.db").unlink(missing_ok=True)  # bench/settled.py's copy of it
    started = time.perf_counter()
    timings = generate(path, args.customers, shape=args.shape)
    for name, seconds in timings.items():
        print(f"{name:<10} {seconds:8.2f} s")
    print(f"{'total':<10} {time.perf_counter() - started:8.2f} s  → {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
