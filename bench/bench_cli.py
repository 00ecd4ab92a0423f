"""Benchmark: ``collectdesk worklist --limit 200`` as a whole process against a plain ``sqlite3``
process running the ranking query, and an upkeep with nothing to do.

Both processes are launched the same way and timed from launch to exit, interleaved, on the
settled copy of the portfolio (``bench/settled.py``); CPU time (user + sys) is the children's.
"""

from __future__ import annotations

import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.bench_worklist import RAW_WORKLIST, bench_context, raw_parameters
from bench.portfolio import PORTFOLIO_TODAY, BenchResult
from bench.settled import settled_url
from collectdesk.services.context import AppContext
from collectdesk.services.escalation import refresh_escalations
from collectdesk.services.promises import evaluate_promises
from collectdesk.services.upkeep import bring_up_to_date
from collectdesk.services.worklist import rank_todays_list
from collectdesk.settings import Settings

RUNS = 9
RATIO = 1.5
UPKEEP_TARGET = 0.020


def _literal(value: Any) -> str:
    return str(value) if isinstance(value, int | float) else "'" + str(value).replace("'", "''") + "'"


def raw_script(limit: int = 200) -> str:
    """The ranking query with its parameters written in, as the ``sqlite3`` shell runs it."""
    values = raw_parameters(Settings(), limit)
    return re.sub(r":(\w+)", lambda m: _literal(values[m.group(1)]), RAW_WORKLIST) + ";\n"


def _timed(command: Sequence[str], stdin: str | None, env: dict[str, str]) -> tuple[float, float]:
    """Wall and CPU seconds of one process, launch to exit."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, input=stdin, text=True, stdout=subprocess.DEVNULL, check=True, env=env)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def collectdesk_command() -> list[str]:
    """How a user starts collectdesk: the installed script beside this interpreter."""
    script = Path(sys.executable).with_name("collectdesk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "collectdesk"]


def process_env(folder: str) -> dict[str, str]:
    """An environment with the portfolio's day and no user configuration."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COLLECTDESK_")}
    return {
        **env,
        "COLLECTDESK_TODAY": PORTFOLIO_TODAY.isoformat(),
        "COLLECTDESK_CONFIG_DIR": str(Path(folder) / "config"),
        "COLLECTDESK_DATA_DIR": str(Path(folder) / "data"),
    }


def _worklist_processes(url: str) -> tuple[tuple[float, float], tuple[float, float]]:
    path = url.removeprefix("sqlite:///")
    if shutil.which("sqlite3") is None:
        raise RuntimeError("the sqlite3 shell is needed for the worklist baseline")
    script = raw_script()
    with tempfile.TemporaryDirectory() as folder:
        env = process_env(folder)
        ours = [*collectdesk_command(), "--db", url, "--user", "collector1", "worklist", "--limit", "200"]
        theirs = ["sqlite3", "-readonly", path]
        for _ in range(2):  # warm the page cache for both
            _timed(ours, None, env)
            _timed(theirs, script, env)
        mine: list[tuple[float, float]] = []
        baseline: list[tuple[float, float]] = []
        for _ in range(RUNS):
            mine.append(_timed(ours, None, env))
            baseline.append(_timed(theirs, script, env))
    return _medians(mine), _medians(baseline)


def _medians(samples: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples)


def _full_upkeep(ctx: AppContext) -> None:
    """Every step of upkeep, as it runs when it cannot tell that nothing changed."""
    evaluate_promises(ctx)
    refresh_escalations(ctx)
    rank_todays_list(ctx)


def _idle_upkeep(url: str) -> tuple[float, float, bool, float]:
    ctx = bench_context(url)
    try:
        started = time.perf_counter()
        _full_upkeep(ctx)
        full = time.perf_counter() - started
        skipped = bring_up_to_date(ctx).skipped
        wall, cpu = [], []
        for _ in range(RUNS * 2):
            started, started_cpu = time.perf_counter(), time.process_time()
            skipped = bring_up_to_date(ctx).skipped and skipped
            wall.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
    finally:
        ctx.close()
    return statistics.median(wall), statistics.median(cpu), skipped, full


def run(url: str) -> list[BenchResult]:
    """The worklist process against the sqlite3 process, and an idle upkeep."""
    settled = settled_url(url)
    upkeep, upkeep_cpu, skipped, full = _idle_upkeep(settled)
    (wall, cpu), (raw_wall, raw_cpu) = _worklist_processes(settled)
    return [
        BenchResult(
            "`collectdesk worklist --limit 200`, whole process",
            wall,
            "sqlite3 process, ranking query",
            raw_wall,
            f"≤ {RATIO}× the sqlite3 process",
            wall <= RATIO * raw_wall,
            cpu_seconds=cpu,
            baseline_cpu_seconds=raw_cpu,
        ),
        BenchResult(
            "upkeep with nothing to do" + ("" if skipped else " (NOT skipped)"),
            upkeep,
            target=f"≤ {UPKEEP_TARGET * 1000:.0f} ms",
            passed=skipped and upkeep <= UPKEEP_TARGET,
            cpu_seconds=upkeep_cpu,
        ),
        BenchResult("upkeep steps in full, nothing to do (what the skip saves)", full, target="(informational)"),
    ]
