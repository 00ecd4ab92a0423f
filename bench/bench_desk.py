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


async def _until(condition: Callable[[], object], pilot: Any) -> None:
    while not condition():
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
    return open_context(db_url=url, user_name="bench-collector", settings=Settings(), clock=clock)


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


def _cold_starts(url: str) -> tuple[tuple[float, float], tuple[float, float]]:
    """Median (wall, CPU) seconds from launching each program on a terminal to its rows on screen:
    ``collectdesk`` on the settled portfolio and the bare app, interleaved."""
    from bench.bench_cli import collectdesk_command, process_env
    from bench.bench_worklist import bench_context
    from bench.terminal import time_until_shown
    from collectdesk.domain.clock import Clock
    from collectdesk.services.worklist import build_worklist

    # The rows as the desk will show them: the portfolio's day at this time of day, each name as
    # far as its column shows it ("Customer 4711 Inc" as "Customer 4711 ").
    ctx = bench_context(url)
    try:
        ctx.clock = Clock(today_override=TODAY)
        names = [" ".join(row.name.split()[:2]) + " " for row in build_worklist(ctx, limit=20)]
    finally:
        ctx.close()
    root = str(Path(__file__).resolve().parents[1])
    with tempfile.TemporaryDirectory() as folder:
        env = {**process_env(folder), "PYTHONPATH": root}
        desk = [*collectdesk_command(), "--db", url, "--user", "collector1"]
        bare = [sys.executable, "-m", "bench.bench_desk", "--child", "terminal"]
        # The first and the twentieth row: the list is on screen, not only its first line.
        wanted = {"desk": [names[0], names[-1]], "bare": ["Customer 1 ", "Customer 20 "]}
        commands = {"desk": desk, "bare": bare}
        samples: dict[str, list[tuple[float, float]]] = {"desk": [], "bare": []}
        for run in range(COLD_STARTS + 1):
            for kind in ("bare", "desk"):
                shown = time_until_shown(commands[kind], wanted[kind], env=env, size=SIZE)
                if run:  # the first round warms the page cache for both
                    samples[kind].append((shown.seconds, shown.cpu))

    def medians(kind: str) -> tuple[float, float]:
        return statistics.median(s[0] for s in samples[kind]), statistics.median(s[1] for s in samples[kind])

    return medians("desk"), medians("bare")


def run(url: str) -> list[BenchResult]:
    """Start-up (warm and cold) against bare Textual, and the time to show another account's history."""
    from bench.portfolio import BenchResult
    from bench.settled import settled_url

    desk, marked, bare, moves = asyncio.run(_measure(url))
    (cold_desk, cold_desk_cpu), (cold_bare, cold_bare_cpu) = _cold_starts(settled_url(url))
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
