"""``collectdesk import`` at scale, through the command line as a user runs it: a 1M-invoice CSV,
553k payments applied and promises judged, and an unchanged re-import; each against a plain
``sqlite3`` ``executemany`` of the same rows measured in the same run, with the peak RSS of the import.

Sizes: ``BENCH_IMPORT_INVOICES`` (default 1,000,000; payments are 55.3 % of it, customers 10 %).
"""

from __future__ import annotations

import csv
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.bench_import_data import TODAY, write_files
from bench.portfolio import BenchResult

INVOICES = int(os.environ.get("BENCH_IMPORT_INVOICES", "1000000"))
RSS_LIMIT_MB = 250
TARGETS = {"invoices": 50_000, "payments": 30_000, "unchanged": 150_000}


def _peak_mb(pid: int) -> float | None:
    """The process's peak resident memory so far (``VmHWM``), or ``None`` once it has gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in status.splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return None


def _import(db: Path, kind: str, path: Path) -> tuple[float, float]:
    """Run ``collectdesk import KIND FILE`` in its own process: (seconds, peak RSS in MB).

    The peak is the import's own, read from ``/proc`` while it runs: the child's ``ru_maxrss``
    starts from this (much larger) benchmark process's size at the fork and would report that.
    """
    env = {**os.environ, "COLLECTDESK_TODAY": TODAY.isoformat()}
    command = [sys.executable, "-m", "collectdesk", "--db", f"sqlite:///{db}", "import", kind, str(path)]
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0.0
    while process.poll() is None:
        peak = max(peak, _peak_mb(process.pid) or 0.0)
        time.sleep(0.01)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(f"collectdesk import {kind} {path} failed")
    return seconds, peak


def _baseline(path: Path, directory: Path) -> float:
    """The floor: read the same CSV and ``executemany`` its rows into a plain table, one transaction."""
    db = directory / f"baseline-{path.stem}.db"
    started = time.perf_counter()
    connection = sqlite3.connect(db)
    with path.open(newline="") as handle:
        reader = csv.reader(handle)
        heading = next(reader)
        columns = ", ".join(f"c{i}" for i in range(len(heading)))
        connection.execute(f"CREATE TABLE plain ({columns})")
        marks = ", ".join("?" for _ in heading)
        connection.executemany(f"INSERT INTO plain VALUES ({marks})", reader)
    connection.commit()
    connection.close()
    return time.perf_counter() - started


def _result(name: str, rows: int, seconds: float, baseline: float, rss: float | None, target_rate: int) -> BenchResult:
    rate = rows / seconds
    memory = f", peak {rss:,.0f} MB" if rss is not None else ""
    passed = rate >= target_rate and (rss is None or rss <= RSS_LIMIT_MB)
    target = f"≥ {target_rate:,} rows/s" + (f", ≤ {RSS_LIMIT_MB} MB" if rss is not None else "")
    return BenchResult(
        f"{name}: {rows:,} rows at {rate:,.0f} rows/s{memory} (baseline {rows / baseline:,.0f} rows/s)",
        seconds,
        "sqlite3 executemany",
        baseline,
        target,
        passed,
    )


def run(url: str) -> list[BenchResult]:
    """Generate the files, import them through the CLI into a fresh SQLite file, compare with the baseline."""
    del url  # the import starts from an empty database, not the shared portfolio
    payments = int(INVOICES * 0.553)
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        directory = Path(tmp)
        files = write_files(directory, max(1, INVOICES // 10), INVOICES, payments)
        db = directory / "import.db"
        _import(db, "customers", files["customers"])
        invoices, invoices_rss = _import(db, "invoices", files["invoices"])
        invoices_floor = _baseline(files["invoices"], directory)
        unchanged, _ = _import(db, "invoices", files["invoices"])
        paid, paid_rss = _import(db, "payments", files["payments"])
        paid_floor = _baseline(files["payments"], directory)
    return [
        _result("import invoices", INVOICES, invoices, invoices_floor, invoices_rss, TARGETS["invoices"]),
        _result("re-import unchanged invoices", INVOICES, unchanged, invoices_floor, None, TARGETS["unchanged"]),
        _result(
            "import payments (applied, promises judged)", payments, paid, paid_floor, paid_rss, TARGETS["payments"]
        ),
    ]
