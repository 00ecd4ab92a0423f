"""Small helpers the desk's screens share."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar

from textual.screen import Screen
from textual.widgets import Footer, Input, TextArea

P = ParamSpec("P")
T = TypeVar("T")

NARROW_BELOW = 110  # columns: narrower than this, screens fold their layout and the footer is compact


def settle_cursors(screen: Screen[Any]) -> None:
    """Apply the app's cursor-blink choice (tests and snapshots turn blinking off)."""
    blink = bool(getattr(screen.app, "cursor_blink", True))
    for field in screen.query(Input):
        field.cursor_blink = blink
    for area in screen.query(TextArea):
        area.cursor_blink = blink


def still_shown(screen: Screen[Any]) -> bool:
    """Whether the screen is still on the stack: a worker that finishes after escape must not touch it."""
    return screen in screen.app.screen_stack


async def in_thread(screen: Screen[Any], call: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run a blocking call off the event loop for a screen's worker; when the screen was closed
    meanwhile, the worker is cancelled rather than carrying on with a screen that is gone."""
    try:
        result = await asyncio.to_thread(call, *args, **kwargs)
    except Exception:
        if not still_shown(screen):
            raise asyncio.CancelledError from None
        raise
    if not still_shown(screen):
        raise asyncio.CancelledError
    return result


def fit_footer(screen: Screen[Any], narrow: bool) -> None:
    """A compact footer without the palette hint on a narrow terminal, so every key stays on screen."""
    footer = screen.query_one(Footer)
    footer.compact = narrow
    footer.show_command_palette = not narrow  # ctrl+p still works, and ? lists it


async def keys_settled(screen: Screen[Any], *, limit: float = 0.5) -> None:
    """Wait until the keys already handed to the screen's widgets, and the changes they posted,
    have been handled (at most ``limit`` seconds).

    A priority key such as enter runs at once, while the keys typed just before it may still wait
    in a field's queue: a fast typist's "+2⏎" would otherwise close the call without the "+2".
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while loop.time() < deadline:
        # Textual keeps each widget's pending messages in its queue; no public call tells this.
        if all(node._message_queue.empty() for node in screen.walk_children(with_self=True)):
            return
        await asyncio.sleep(0.001)
