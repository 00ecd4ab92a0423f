"""``python -m bench [--customers N] [--only NAME] [--pg-url URL]``: run every ``bench/bench_*.py``, print a table.

Each module exposes ``run(url) -> list[BenchResult]``; the portfolio is generated (and cached)
first, and its generation time is reported when it had to be built. A module with
``POSTGRESQL = True`` runs as ``run(pg_url, customers)`` instead, on the PostgreSQL database
``--pg-url`` (or ``COLLECTDESK_BENCH_PG_URL``) names, and is skipped, with one line saying so,
when none is given.
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from bench.bench_worklist import rank_as_upkeep
from bench.portfolio import DEFAULT_CUSTOMERS, BenchResult, ensure_portfolio, portfolio_cached


def discover() -> list[str]:
    """Names of the benchmark modules, ``bench_*`` in this package, sorted."""
    here = Path(__file__).resolve().parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))


def _ms(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds * 1000:,.1f} ms"


def print_table(results: Sequence[BenchResult]) -> None:
    """The results as a text table: measurement, time, baseline, ratio, CPU times, target, PASS/MISS."""
    headers = ["measurement", "time", "baseline", "ratio", "cpu (baseline)", "cpu ratio", "target", "result"]
    rows = [
        [
            r.name,
            _ms(r.seconds),
            f"{r.baseline_name}: {_ms(r.baseline_seconds)}" if r.baseline_name else "",
            f"{r.ratio:.2f}×" if r.ratio is not None else "",
            _ms(r.cpu_seconds) + (f" ({_ms(r.baseline_cpu_seconds)})" if r.baseline_cpu_seconds else ""),
            f"{r.cpu_ratio:.2f}×" if r.cpu_ratio is not None else "",
            r.target,
            "" if r.passed is None else ("PASS" if r.passed else "MISS"),
        ]
        for r in results
    ]
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *rows, strict=False)]
    for index, row in enumerate([headers, *rows]):
        print("  ".join(str(cell).ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if index == 0:
            print("  ".join("-" * w for w in widths))


def _sqlite_portfolio(customers: int, results: list[BenchResult]) -> str:
    """The SQLite portfolio's URL, generated (and its generation timed) the first time."""
    fresh = not portfolio_cached(customers)
    started = time.perf_counter()
    cpu = time.process_time()
    url = ensure_portfolio(customers)
    rank_as_upkeep(url)
    if fresh:
        results.append(
            BenchResult(
                f"generate portfolio ({customers:,} customers)",
                time.perf_counter() - started,
                "cpu time",
                time.process_time() - cpu,
                "≤ 120 s at 100k",
                time.perf_counter() - started <= 120 * customers / DEFAULT_CUSTOMERS,
            )
        )
    return url


def main(argv: Sequence[str] | None = None) -> int:
    """Generate or reuse the portfolio, run the benchmarks, print the table; 1 if any missed."""
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--customers", type=int, default=DEFAULT_CUSTOMERS)
    parser.add_argument("--only", help="run only bench_<ONLY>")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("COLLECTDESK_BENCH_PG_URL"),
        help="a PostgreSQL database of the benchmarks' own, for bench_postgresql "
        "(default: COLLECTDESK_BENCH_PG_URL; without one those are skipped)",
    )
    args = parser.parse_args(argv)
    results: list[BenchResult] = []
    url: str | None = None
    for name in discover():
        if args.only and name != f"bench_{args.only}":
            continue
        module = importlib.import_module(f"bench.{name}")
        if getattr(module, "POSTGRESQL", False):
            if not args.pg_url:
                print(
                    f"skipping {name}: no PostgreSQL URL (give --pg-url or COLLECTDESK_BENCH_PG_URL)", file=sys.stderr
                )
                continue
            print(f"running {name} …", file=sys.stderr)
            results.extend(module.run(args.pg_url, args.customers))
            continue
        if url is None:
            url = _sqlite_portfolio(args.customers, results)
        print(f"running {name} …", file=sys.stderr)
        results.extend(module.run(url))
    print_table(results)
    return 0 if all(r.passed is not False for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
