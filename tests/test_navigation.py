"""Moving between screens: escape goes back one step from every screen and never quits; no key
sequence typed into any screen raises; the supervisor view's keys have ids and show in help."""

from __future__ import annotations

import html
import random
import re
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Static

from collectdesk.domain.clock import Clock
from collectdesk.services.context import AppContext, open_context
from collectdesk.settings import Settings
from collectdesk.tui.app import DeskApp
from collectdesk.tui.dialogs import ContactPicker, QuitDialog
from collectdesk.tui.forms import FollowUpForm
from collectdesk.tui.help import HelpScreen
from collectdesk.tui.outcome import OutcomeDialog
from collectdesk.tui.search import SearchScreen
from collectdesk.tui.supervisor import CustomRangeDialog, SupervisorApp, SupervisorScreen
from desk_data import build_portfolio

SIZE = (120, 40)


def _open(sqlite_url: str, clock: Clock, settings: Settings | None = None) -> AppContext:
    ctx = open_context(
        db_url=sqlite_url, user_name="tester", settings=settings or Settings(), clock=clock, default_role="supervisor"
    )
    build_portfolio(ctx)
    return ctx


@pytest.fixture
def desk_ctx(sqlite_url: str, frozen_clock: Clock, tmp_path: Path) -> Iterator[AppContext]:
    """A supervisor on the desk's small portfolio; exports go to a folder of the test's own."""
    ctx = _open(sqlite_url, frozen_clock, Settings(export_dir=tmp_path / "exports"))
    yield ctx
    ctx.close()


def _app(ctx: AppContext) -> DeskApp:
    return DeskApp(ctx, cursor_blink=False, notes_delay=0.1, refresh_seconds=0)


async def wait_for(pilot: Pilot[None], condition: Callable[[], object], timeout: float = 5.0) -> None:
    """Let workers run until ``condition()`` holds."""
    waited = 0.0
    while not condition():
        if waited >= timeout:
            raise AssertionError(f"did not get there in time; on {pilot.app.screen!r}")
        await pilot.pause(0.05)
        waited += 0.05


async def ready(pilot: Pilot[None], app: DeskApp) -> None:
    await wait_for(pilot, lambda: app.desk.list_loaded and app.desk.detail is not None)


def screen_lines(svg: str) -> str:
    """The text of a screenshot, line by line."""
    lines: dict[float, list[str]] = {}
    for found in re.finditer(r'<text[^>]*y="([\d.]+)"[^>]*>(.*?)</text>', svg):
        lines.setdefault(float(found.group(1)), []).append(html.unescape(found.group(2)).replace("\xa0", " "))
    return "\n".join("".join(lines[y]) for y in sorted(lines))


def running(app: DeskApp | SupervisorApp) -> bool:
    return app.is_running and app.return_code is None


async def supervisor_ready(pilot: Pilot[None]) -> None:
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, SupervisorScreen) and pilot.app.screen.tally)


# Each way into a screen from the desk, and the screen escape must land on from there.
async def to_supervisor(pilot: Pilot[None], app: DeskApp) -> type[Screen[object]]:
    await pilot.press("s")
    await supervisor_ready(pilot)
    return type(app.desk)


async def to_search(pilot: Pilot[None], app: DeskApp) -> type[Screen[object]]:
    await pilot.press("slash")
    await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
    return type(app.desk)


async def to_help(pilot: Pilot[None], app: DeskApp) -> type[Screen[object]]:
    await pilot.press("question_mark")
    await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
    return type(app.desk)


async def to_help_over_supervisor(pilot: Pilot[None], app: DeskApp) -> type[Screen[object]]:
    await to_supervisor(pilot, app)
    await pilot.press("question_mark")
    await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
    return SupervisorScreen


async def to_custom_period(pilot: Pilot[None], app: DeskApp) -> type[Screen[object]]:
    await to_supervisor(pilot, app)
    await pilot.press("c")
    await wait_for(pilot, lambda: isinstance(app.screen, CustomRangeDialog))
    return SupervisorScreen


async def to_contact_picker(pilot: Pilot[None], app: DeskApp) -> type[Screen[object]]:
    await pilot.press("c")
    await wait_for(pilot, lambda: isinstance(app.screen, ContactPicker))
    return type(app.desk)


async def to_outcome(pilot: Pilot[None], app: DeskApp) -> type[Screen[object]]:
    await to_contact_picker(pilot, app)
    await pilot.press("enter")
    await wait_for(pilot, lambda: app.desk.call is not None)
    await pilot.press("escape", "e")
    await wait_for(pilot, lambda: isinstance(app.screen, OutcomeDialog))
    return type(app.desk)


async def to_promise_form(pilot: Pilot[None], app: DeskApp) -> type[Screen[object]]:
    await to_outcome(pilot, app)
    await pilot.press("y", "1")
    await wait_for(pilot, lambda: isinstance(app.screen, FollowUpForm))
    return OutcomeDialog


async def to_quit_dialog(pilot: Pilot[None], app: DeskApp) -> type[Screen[object]]:
    await to_outcome(pilot, app)
    await pilot.press("escape")
    await wait_for(pilot, lambda: app.screen is app.desk)
    await pilot.press("q")
    await wait_for(pilot, lambda: isinstance(app.screen, QuitDialog))
    return type(app.desk)


ROUTES: dict[str, Callable[[Pilot[None], DeskApp], Awaitable[type[Screen[object]]]]] = {
    "supervisor": to_supervisor,
    "search": to_search,
    "help": to_help,
    "help over the supervisor view": to_help_over_supervisor,
    "custom period": to_custom_period,
    "contact picker": to_contact_picker,
    "outcome": to_outcome,
    "promise form": to_promise_form,
    "quit dialog": to_quit_dialog,
}


@pytest.mark.parametrize("route", list(ROUTES))
async def test_escape_goes_back_one_step_and_never_quits(desk_ctx: AppContext, route: str) -> None:
    app = _app(desk_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        back_to = await ROUTES[route](pilot, app)
        here = app.screen
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is not here)
        assert isinstance(app.screen, back_to) and running(app)
        while app.screen is not app.desk:  # escape all the way back: the desk stays
            await pilot.press("escape")
            await pilot.pause(0.05)
        await pilot.press("escape", "escape")
        await pilot.pause(0.1)
        assert app.screen is app.desk and running(app)


async def test_escape_on_the_desk_and_the_notes_pane_stays(desk_ctx: AppContext) -> None:
    app = _app(desk_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await pilot.press("n")
        await pilot.pause(0.1)
        await pilot.press("escape", "escape", "escape")
        await pilot.pause(0.1)
        assert app.screen is app.desk and running(app)


async def test_escape_on_the_standalone_supervisor_view_stays_and_q_quits(desk_ctx: AppContext) -> None:
    app = SupervisorApp(desk_ctx, refresh_seconds=3600)
    async with app.run_test(size=SIZE) as pilot:
        await supervisor_ready(pilot)
        await pilot.press("escape", "escape")
        await pilot.pause(0.1)
        assert isinstance(app.screen, SupervisorScreen) and running(app)
        assert any("q quits" in str(n.message) for n in app._notifications)
        await pilot.press("q")
        await wait_for(pilot, lambda: app.return_code is not None)


async def test_keys_reaching_the_supervisor_view_after_it_closed_do_nothing(desk_ctx: AppContext) -> None:
    # Keys typed fast (``q``, ``s``, ``t``) can reach the view while it is being taken down.
    app = _app(desk_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await to_supervisor(pilot, app)
        view = app.screen
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.desk)
        await pilot.pause(0.1)
        for action in ("period('today')", "period('week')", "custom_period", "reload", "export_table"):
            await view.run_action(action)
        await pilot.pause(0.1)
        assert app.screen is app.desk and running(app)


# Keys a person might type anywhere (with the character each one types); `q` and ctrl+q/ctrl+c quit on
# purpose, so they are left out.
FUZZ_KEYS: list[tuple[str, str | None]] = [
    *[(c, c) for c in "abcdefghijklmnoprstuvwxyz0123456789"],
    *[("escape", None)] * 6,
    *[("enter", "\r")] * 4,
    ("tab", "\t"),
    ("shift+tab", None),
    ("up", None),
    ("down", None),
    ("left", None),
    ("right", None),
    ("home", None),
    ("end", None),
    ("pageup", None),
    ("pagedown", None),
    ("space", " "),
    ("backspace", None),
    ("slash", "/"),
    ("question_mark", "?"),
    ("minus", "-"),
    ("plus", "+"),
    ("full_stop", "."),
    ("comma", ","),
]


def type_fast(app: DeskApp, keys: list[tuple[str, str | None]]) -> None:
    """Send keys the way a fast typist's terminal does: all at once, nothing waits for the screen."""
    driver = app._driver
    assert driver is not None
    for key, char in keys:
        event = events.Key(key, char)
        event.set_sender(app)
        driver.send_message(event)


@pytest.mark.parametrize("start", ["desk", "supervisor", "search", "help", "outcome", "promise form"])
async def test_random_keys_in_every_screen_never_raise_or_quit(desk_ctx: AppContext, start: str) -> None:
    rng = random.Random(f"collectdesk-{start}")
    app = _app(desk_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        if start != "desk":
            await ROUTES[start](pilot, app)
        seen: list[str] = []
        for _ in range(15):  # bursts of ten keys, then a moment for the workers
            type_fast(app, rng.choices(FUZZ_KEYS, k=10))
            await pilot.pause(0.03)
            seen.append(type(app.screen).__name__)
            assert running(app), f"the app stopped; screens seen: {seen}"
        await app.workers.wait_for_complete()
        await pilot.pause(0.05)
        assert running(app)
    # run_test re-raises anything raised inside the app; getting here means nothing was.
    assert app._exception is None


async def test_help_over_the_supervisor_view_lists_its_keys_with_their_ids(desk_ctx: AppContext) -> None:
    app = _app(desk_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await to_help_over_supervisor(pilot, app)
        lines = app.screen.lines  # type: ignore[attr-defined]
        assert lines[0].section == "Supervisor view"  # the screen help was opened from comes first
        shown = {(line.section, line.keys, line.description, line.binding_id) for line in lines}
        for expected in [
            ("Supervisor view", "t", "Today", "supervisor.today"),
            ("Supervisor view", "w", "Week", "supervisor.week"),
            ("Supervisor view", "m", "Month", "supervisor.month"),
            ("Supervisor view", "c", "Range…", "supervisor.custom"),
            ("Supervisor view", "g", "Assign", "supervisor.assign"),
            ("Supervisor view", "x", "Export", "supervisor.export"),
            ("Supervisor view", "r", "Refresh", "supervisor.refresh"),
            ("Supervisor view", "escape", "Back", "supervisor.back"),
            ("Custom period dialog", "escape", "Cancel", "range.cancel"),
            ("Desk", "c", "Call", "desk.call"),
            ("Outcome dialog", "1", "PTP: promise to pay", "[result_keys] PTP"),
        ]:
            assert expected in shown
        screen_text = screen_lines(app.export_screenshot())
        assert "supervisor.today" in screen_text and "id for [keys]" in screen_text


async def test_supervisor_keys_are_remapped_by_settings(sqlite_url: str, frozen_clock: Clock, tmp_path: Path) -> None:
    settings = Settings(keys={"supervisor.today": "f2", "supervisor.back": "f3"}, export_dir=tmp_path)
    ctx = _open(sqlite_url, frozen_clock, settings)
    app = _app(ctx)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot, app)
            await to_supervisor(pilot, app)
            view = app.screen
            assert isinstance(view, SupervisorScreen)
            await pilot.press("t")
            await pilot.pause(0.2)
            assert view.period.name == "month"  # t no longer switches
            await pilot.press("f2")
            await wait_for(pilot, lambda: view.period.name == "today")
            lines = {(line.section, line.description): line.keys for line in app.help_lines()}
            assert lines["Supervisor view", "Today"] == "f2" and lines["Supervisor view", "Back"] == "f3"
            await pilot.press("escape")
            await pilot.pause(0.1)
            assert app.screen is view  # escape is no longer bound to back here
            await pilot.press("f3")
            await wait_for(pilot, lambda: app.screen is app.desk)
    finally:
        ctx.close()


async def test_x_writes_to_the_export_folder_and_the_path_stays_on_screen(
    desk_ctx: AppContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = tmp_path / "started-here"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    app = _app(desk_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        await to_supervisor(pilot, app)
        folder = tmp_path / "exports"
        line = app.screen.query_one("#export-path", Static)
        assert str(folder) in str(line.render())  # where exports go is said before the first one
        app.screen.query_one("#promises", DataTable).focus()
        await pilot.press("x")
        await pilot.pause(0.1)
        (path,) = folder.glob("collectdesk-promises-*.csv")
        assert not list(elsewhere.iterdir())  # nothing in the directory the program was started in
        app.clear_notifications()  # the passing notice is gone; the line stays
        await pilot.pause(0.05)
        assert str(path) in str(line.render())


def test_the_default_export_folder_is_under_the_data_directory(tmp_path: Path) -> None:
    from collectdesk.services.export_files import export_folder

    assert export_folder(Settings()) == tmp_path / "data" / "exports"
    assert export_folder(Settings(export_dir=tmp_path / "mine")) == tmp_path / "mine"


@pytest.mark.parametrize("where", ["promises dialog", "promise form"])
async def test_escape_while_a_lookup_is_still_running_leaves_the_screen_below_alone(
    desk_ctx: AppContext, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow database: the collector leaves before the open promises arrive; the late answer is dropped."""
    import threading

    import collectdesk.tui.forms.promise as promise_form
    import collectdesk.tui.promises_dialog as promises_dialog

    module = promises_dialog if where == "promises dialog" else promise_form
    real = module.open_promises
    released = threading.Event()
    asked = threading.Event()
    answered = threading.Event()

    def slow_open_promises(*args: object, **kwargs: object) -> object:
        asked.set()
        released.wait(5)
        try:
            return real(*args, **kwargs)  # type: ignore[arg-type]
        finally:
            answered.set()

    monkeypatch.setattr(module, "open_promises", slow_open_promises)
    app = _app(desk_ctx)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot, app)
        if where == "promises dialog":
            await pilot.press("o")
            back_on: type[Screen[object]] = type(app.desk)
        else:
            back_on = await to_promise_form(pilot, app)
        await wait_for(pilot, asked.is_set)
        await pilot.press("escape")
        await wait_for(pilot, lambda: type(app.screen) is back_on)
        below = app.screen
        released.set()
        await wait_for(pilot, answered.is_set)
        await pilot.pause(0.2)  # the worker resumes on the event loop with the late answer
        assert app.screen is below  # the late answer neither raised nor closed the screen below
        assert running(app)
    assert app._exception is None
