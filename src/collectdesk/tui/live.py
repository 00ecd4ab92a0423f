"""Keeping a screen's list live: a thread worker waits on the database's change feed and asks
the screen to reload in place whenever a colleague (or another desk) commits something."""

from __future__ import annotations

from collections.abc import Callable

from textual.dom import DOMNode
from textual.worker import get_current_worker

from collectdesk.services.context import AppContext

WAIT_SECONDS = 1.0  # how long one wait lasts before the worker checks whether it was cancelled


def start_live_updates(node: DOMNode, ctx: AppContext, reload: Callable[[], None]) -> None:
    """Call ``reload`` on the app's thread after every committed change, until ``node`` goes."""
    node.run_worker(
        lambda: _watch(node, ctx, reload),
        thread=True,
        exclusive=True,
        group="live",
        exit_on_error=False,
        description="watching for colleagues' changes",
    )


RETRY_SECONDS = 5.0  # after the feed's connection fails (the periodic reload still runs meanwhile)


def _watch(node: DOMNode, ctx: AppContext, reload: Callable[[], None]) -> None:
    import time

    from collectdesk.services.live import change_feed

    worker = get_current_worker()
    while not worker.is_cancelled:
        try:
            feed = change_feed(ctx.db)
        except Exception:
            time.sleep(RETRY_SECONDS)
            continue
        try:
            while not worker.is_cancelled:
                if feed.wait(WAIT_SECONDS) and not worker.is_cancelled:
                    node.app.call_from_thread(reload)
        except Exception:
            time.sleep(RETRY_SECONDS)
        finally:
            feed.close()
