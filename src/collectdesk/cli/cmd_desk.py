"""``collectdesk`` / ``collectdesk desk``: open the collector's desk."""

from __future__ import annotations

import argparse
import sys
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collectdesk.services.context import AppContext
    from collectdesk.tui.opening import Opening

DEFAULT_PAGE_SIZE = 200  # Settings.page_size's default


def _upkeep_then_refresh(ctx: AppContext, app: Any) -> None:
    """Judge promises and escalate without delaying the first paint; reload the list if it changed."""
    from collectdesk.services.upkeep import bring_up_to_date

    message: str | None = None
    try:
        changed = bring_up_to_date(ctx).changed
    except Exception as exc:  # the desk still works on yesterday's judgements; say why
        changed, message = False, f"Could not bring promises and stages up to date: {exc}"
    for _ in range(100):  # the app may still be starting; give it up to 5 s
        if app.is_running:
            break
        time.sleep(0.05)
    if not app.is_running:
        return
    if message:
        app.call_from_thread(app.notify, message, severity="error")
    elif changed:
        app.call_from_thread(app.refresh_worklist)


def _start_upkeep(ctx: AppContext, app: Any) -> threading.Thread:
    upkeep = threading.Thread(target=_upkeep_then_refresh, args=(ctx, app), daemon=True)
    upkeep.start()
    return upkeep


def _opening(args: argparse.Namespace, after_open: Callable[[AppContext, Any], object]) -> Opening | None:
    """Today's first rows through plain SQL, when the last upkeep left a recipe that still holds
    (one SQLite file, nothing changed since): the desk paints them before the rest is imported."""
    from collectdesk.config_fingerprint import NotSimple, simple_int
    from collectdesk.services.plain_worklist import plain_worklist

    try:
        page_size = simple_int("page_size") or DEFAULT_PAGE_SIZE
    except NotSimple:
        return None
    plain = plain_worklist(args.db, args.user, limit=page_size)
    if plain is None or not plain.rows:
        return None
    from collectdesk.tui.opening import Opening

    def open_context() -> AppContext:
        from collectdesk.cli.common import context_from_args

        return context_from_args(args)

    return Opening(plain.rows, plain.user, plain.now, open_context, after_open=after_open)


def _run_opening(opening: Opening, upkeep: list[threading.Thread]) -> int:
    from collectdesk.tui.app import DeskApp

    app = DeskApp(None, opening=opening)
    try:
        app.run()
        for thread in upkeep:
            thread.join(timeout=10)
    finally:
        if app.is_open:
            app.ctx.close()
    if app.opening_error:
        print(f"error: {app.opening_error}", file=sys.stderr)
        return 1
    return 0


def run_desk(args: argparse.Namespace) -> int:
    """Open the context the options ask for and run the desk until the collector quits."""
    upkeep: list[threading.Thread] = []  # started by the desk once it has opened behind its frame
    opening = _opening(args, after_open=lambda ctx, app: upkeep.append(_start_upkeep(ctx, app)))
    if opening is not None:
        return _run_opening(opening, upkeep)
    from collectdesk.cli.common import context_from_args
    from collectdesk.tui.loading import start_first_page

    ctx = context_from_args(args)
    try:
        first_page = start_first_page(ctx)  # reads today's list while Textual is imported and starts
        from collectdesk.tui.app import DeskApp

        app = DeskApp(ctx, first_page=first_page)
        upkeep.append(_start_upkeep(ctx, app))
        app.run()
        for thread in upkeep:
            thread.join(timeout=10)
    finally:
        ctx.close()
    return 0
