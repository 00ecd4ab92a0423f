"""``collectdesk`` / ``collectdesk desk``: open the collector's desk."""

from __future__ import annotations

import argparse
import threading
import time
from typing import Any

from collectdesk.cli.common import context_from_args
from collectdesk.services.context import AppContext
from collectdesk.services.upkeep import bring_up_to_date


def _upkeep_then_refresh(ctx: AppContext, app: Any) -> None:
    """Judge promises and escalate without delaying the first paint; reload the list if it changed."""
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


def run_desk(args: argparse.Namespace) -> int:
    """Open the context the options ask for and run the desk until the collector quits."""
    from collectdesk.tui.loading import start_first_page

    ctx = context_from_args(args)
    try:
        first_page = start_first_page(ctx)  # reads today's list while Textual is imported and starts
        from collectdesk.tui.app import DeskApp

        app = DeskApp(ctx, first_page=first_page)
        upkeep = threading.Thread(target=_upkeep_then_refresh, args=(ctx, app), daemon=True)
        upkeep.start()
        app.run()
        upkeep.join(timeout=10)
    finally:
        ctx.close()
    return 0
