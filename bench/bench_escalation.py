"""Escalation refresh over the whole portfolio, on a copy so the cached portfolio stays as it is."""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path

from bench.bench_worklist import bench_context
from bench.portfolio import BenchResult
from collectdesk.services.escalation import refresh_escalations

TARGET_SECONDS = 10.0


def run(url: str) -> list[BenchResult]:
    """First refresh (many accounts move, each step logged) and a second one (nothing moves)."""
    source = Path(url.removeprefix("sqlite:///"))
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / source.name
        shutil.copyfile(source, copy)
        ctx = bench_context(f"sqlite:///{copy}")
        try:
            started = time.perf_counter()
            changed = refresh_escalations(ctx)
            first = time.perf_counter() - started
            started = time.perf_counter()
            again = refresh_escalations(ctx)
            second = time.perf_counter() - started
        finally:
            ctx.close()
    return [
        BenchResult(
            f"escalation refresh, first ({changed:,} accounts moved)",
            first,
            target=f"≤ {TARGET_SECONDS:.0f} s",
            passed=first <= TARGET_SECONDS,
        ),
        BenchResult(
            f"escalation refresh, again ({again} moved)", second, target="≤ 1 s", passed=second <= 1.0 and again == 0
        ),
    ]
