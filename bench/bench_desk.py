"""Benchmark: the desk's start-up to a painted call list, and moving between accounts.

Start-up is measured two ways, each against a bare Textual app with the same widgets and 200 static
rows (target ≤ 1.5× the bare app):

* warm, headless in this process (``run_test``): from opening the context to the call list and the
  top account painted on a refreshed screen; imports are already paid for on both sides;
* cold, as a person sees it: ``collectdesk`` itself and the bare app each launched on a
  pseudo-terminal of 120×40, from launch until their first and twentieth rows are on the screen
  (``bench/terminal.py``), interleaved, on the settled copy of the portfolio (its upkeep has
  nothing left to do, as on any start after the day's first).

Moving: from the cursor moving down (the ↓ key's action; Pilot's own key press adds ~60 ms of test
machinery) to the history widget showing the new account on a refreshed screen (median of 20;
target ≤ 100 ms).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App, ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Footer, Static, TextArea

from collectdesk.store.models import User

if TYPE_CHECKING:
    from bench.portfolio import BenchResult
    from collectdesk.services.context import AppContext
    from collectdesk.tui.app import DeskApp

TODAY = date(2026, 11, 23)
SIZE = (120, 40)
STARTS = 5
COLD_STARTS = 3
MOVES = 20
START_RATIO = 1.5
MOVE_TARGET = 0.100
COLUMNS = ("#", "Customer", "Overdue", "DPD", "Brk", "Last", "Stage", "Local", "Score")


class BareDesk(App[None]):
    """The desk's widgets with 200 static rows and no database: what Textual alone costs."""

    def __init__(self) -> None:
        super().__init__()
        self.painted = False

    def compose(self) -> ComposeResult:
        """Top bar, table, side panel, notes, footer — like the desk."""
        yield Static("collectdesk")
        with Horizontal():
            with Vertical():
                yield DataTable(id="worklist", cursor_type="row", zebra_stripes=True)
                yield Static("status")
            with Vertical():
                yield Static("header")
                yield Static("invoices")
                yield Static("why")
                with VerticalScroll():
                    yield Static("history")
                yield TextArea()
        yield Footer()

    def on_mount(self) -> None:
        """Two hundred rows."""
        table = self.query_one(DataTable)
        for label in COLUMNS:
            table.add_column(label, key=label)
        for rank in range(1, 201):
            table.add_row(str(rank), f"Customer {rank}", "$12,500", "83", "1", "20d", "mgmt", "10:00", "209")
        self.painted = True


async def _until(condition: Callable[[], object], pilot: Any, *, seconds: float = 60) -> None:
    """Wait for ``condition``; a desk that never gets there fails the benchmark instead of hanging it."""
    deadline = time.perf_counter() + seconds
    while not condition():
        if time.perf_counter() > deadline:
            raise TimeoutError(f"the desk did not get there within {seconds:.0f} s")
        await pilot.pause(0.002)


async def _refreshed(app: App[Any], pilot: Any) -> None:
    """Wait for the next screen refresh: what was put on screen has been painted."""
    done: list[bool] = []
    app.call_after_refresh(lambda: done.append(True))
    await _until(lambda: done, pilot)


async def _bare_start() -> float:
    started = time.perf_counter()
    app = BareDesk()
    async with app.run_test(size=SIZE) as pilot:
        await _until(lambda: app.painted, pilot)
        await _refreshed(app, pilot)
        return time.perf_counter() - started


def _context(url: str) -> AppContext:
    from collectdesk.domain.clock import Clock
    from collectdesk.services.context import open_context
    from collectdesk.settings import Settings

    clock = Clock(today_override=TODAY, frozen_at=datetime(2026, 11, 23, 15, tzinfo=UTC))
    # A collector of the portfolio's: every account is assigned, so a newcomer's list would be empty.
    return open_context(db_url=url, user_name="collector1", settings=Settings(), clock=clock)


async def _painted(app: DeskApp, pilot: Any) -> None:
    await _until(lambda: app.desk.list_loaded and app.desk.detail is not None, pilot)
    await _refreshed(app, pilot)


async def _desk_start(url: str) -> tuple[float, float]:
    """Seconds to the list and the top account painted, and to the local-time marks painted."""
    from collectdesk.tui.app import DeskApp

    started = time.perf_counter()
    ctx = _context(url)
    try:
        app = DeskApp(ctx, cursor_blink=False, refresh_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            await _painted(app, pilot)
            painted = time.perf_counter() - started
            await _until(lambda: app.desk.marks, pilot)
            await _refreshed(app, pilot)
            return painted, time.perf_counter() - started
    finally:
        ctx.close()


def _history_id(app: DeskApp) -> object:
    return app.desk.detail.customer_id if app.desk.detail is not None else None


async def _moves(url: str) -> list[float]:
    from collectdesk.tui.app import DeskApp

    ctx = _context(url)
    timings: list[float] = []
    try:
        app = DeskApp(ctx, cursor_blink=False, refresh_seconds=0)
        async with app.run_test(size=SIZE) as pilot:
            await _painted(app, pilot)
            await _until(lambda: app.desk.marks, pilot)
            table = app.desk.query_one("#worklist", DataTable)
            table.focus()
            for _ in range(MOVES):
                await pilot.pause(0.05)
                started = time.perf_counter()
                table.action_cursor_down()
                row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
                wanted = int(str(row_key.value))
                await _until(lambda wanted=wanted: _history_id(app) == wanted, pilot)  # type: ignore[misc]
                await _refreshed(app, pilot)
                timings.append(time.perf_counter() - started)
    finally:
        ctx.close()
    return timings


async def _measure(url: str) -> tuple[float, float, float, list[float]]:
    await _bare_start()  # warm imports and Textual's own caches for both
    await _desk_start(url)
    bare: list[float] = []
    desk: list[tuple[float, float]] = []
    for _ in range(STARTS):
        bare.append(await _bare_start())
        desk.append(await _desk_start(url))
    painted = statistics.median(d[0] for d in desk)
    marked = statistics.median(d[1] for d in desk)
    return painted, marked, statistics.median(bare), await _moves(url)


SUPERVISOR = "supervisor1"  # added to the settled copy: a supervisor's list is everyone's


def _with_supervisor(url: str) -> int:
    """The id of the settled copy's supervisor, added the first time (the portfolio has collectors only)."""
    import sqlite3

    with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
        connection.execute(
            "INSERT INTO users (name, role, active, created_at) SELECT ?, 'supervisor', 1, ? "
            "WHERE NOT EXISTS (SELECT 1 FROM users WHERE name = ?)",
            (SUPERVISOR, "2026-11-23 08:00:00.000000", SUPERVISOR),
        )
        (user_id,) = connection.execute("SELECT id FROM users WHERE name = ?", (SUPERVISOR,)).fetchone()
    return int(user_id)


def _first_names(url: str, user: User) -> list[str]:
    """The first and twentieth names of the user's list as its column shows them ("Customer 4711 ")."""
    from bench.bench_worklist import bench_context
    from collectdesk.domain.clock import Clock
    from collectdesk.services.worklist import build_worklist

    ctx = bench_context(url)
    try:
        ctx.clock = Clock(today_override=TODAY)  # the portfolio's day at this time of day
        ctx.user = user
        names = [" ".join(row.name.split()[:2]) + " " for row in build_worklist(ctx, limit=20)]
    finally:
        ctx.close()
    return [names[0], names[-1]]


def _cold_starts(url: str) -> dict[str, tuple[float, float]]:
    """Median (wall, CPU) seconds from launching each program on a terminal to its rows on screen:
    ``collectdesk`` as a collector and as a supervisor on the settled portfolio, and the bare app,
    interleaved."""
    import subprocess

    from bench.bench_cli import collectdesk_command, process_env
    from bench.terminal import time_until_shown

    supervisor_id = _with_supervisor(url)
    wanted = {
        "desk": _first_names(url, User(id=1, name="collector1", role="collector")),
        "supervisor": _first_names(url, User(id=supervisor_id, name=SUPERVISOR, role="supervisor")),
        "bare": ["Customer 1 ", "Customer 20 "],
    }
    root = str(Path(__file__).resolve().parents[1])
    with tempfile.TemporaryDirectory() as folder:
        env = {**process_env(folder), "PYTHONPATH": root}
        commands = {
            "desk": [*collectdesk_command(), "--db", url, "--user", "collector1"],
            "supervisor": [*collectdesk_command(), "--db", url, "--user", SUPERVISOR],
            "bare": [sys.executable, "-m", "bench.bench_desk", "--child", "terminal"],
        }
        # As on any start after the day's first: this configuration's upkeep has run to the end.
        worklist = [*commands["supervisor"], "worklist", "--limit", "1"]
        for _ in range(2):
            subprocess.run(worklist, env=env, check=True, capture_output=True)
        samples: dict[str, list[tuple[float, float]]] = {kind: [] for kind in commands}
        for run in range(COLD_STARTS + 1):
            for kind in ("bare", "desk", "supervisor"):
                shown = time_until_shown(commands[kind], wanted[kind], env=env, size=SIZE)
                if run:  # the first round warms the page cache for every program
                    samples[kind].append((shown.seconds, shown.cpu))
    return {
        kind: (statistics.median(s[0] for s in runs), statistics.median(s[1] for s in runs))
        for kind, runs in samples.items()
    }


def run(url: str) -> list[BenchResult]:
    """Start-up (warm and cold) against bare Textual, and the time to show another account's history."""
    from bench.portfolio import BenchResult
    from bench.settled import settled_url

    desk, marked, bare, moves = asyncio.run(_measure(url))
    cold = _cold_starts(settled_url(url))
    (cold_desk, cold_desk_cpu), (cold_bare, cold_bare_cpu) = cold["desk"], cold["bare"]
    cold_supervisor, cold_supervisor_cpu = cold["supervisor"]
    move = statistics.median(moves)
    baseline = "bare Textual, same widgets, 200 static rows"
    target = f"≤ {START_RATIO}× the bare app"
    return [
        BenchResult(
            "desk start-up to painted call list (warm, in-process)",
            desk,
            baseline,
            bare,
            target,
            passed=desk <= START_RATIO * bare,
        ),
        BenchResult(
            "desk start-up until the local-time marks are in (warm)", marked, baseline, bare, "(informational)"
        ),
        BenchResult(
            "desk start-up, cold process on a terminal: launch to rows on screen",
            cold_desk,
            "bare app, cold, on a terminal",
            cold_bare,
            target,
            passed=cold_desk <= START_RATIO * cold_bare,
            cpu_seconds=cold_desk_cpu,
            baseline_cpu_seconds=cold_bare_cpu,
        ),
        BenchResult(
            "the same, a supervisor (opening frame: rows before the database layers are imported)",
            cold_supervisor,
            "bare app, cold, on a terminal",
            cold_bare,
            target,
            passed=cold_supervisor <= START_RATIO * cold_bare,
            cpu_seconds=cold_supervisor_cpu,
            baseline_cpu_seconds=cold_bare_cpu,
        ),
        BenchResult(
            f"desk: next account's history painted (median of {MOVES})",
            move,
            target=f"≤ {MOVE_TARGET * 1000:.0f} ms",
            passed=move <= MOVE_TARGET,
        ),
    ]


def main(argv: list[str]) -> int:
    """``python -m bench.bench_desk [URL]`` prints the results; ``--child terminal`` runs the bare
    app on the terminal it was started on (the cold-start baseline)."""
    if argv[:2] == ["--child", "terminal"]:
        BareDesk().run()
        return 0
    from bench.bench_worklist import rank_as_upkeep
    from bench.portfolio import ensure_portfolio

    url = argv[0] if argv else ensure_portfolio()
    rank_as_upkeep(url)
    for result in run(url):
        print(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
