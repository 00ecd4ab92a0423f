"""Small helpers the desk's screens share."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Footer, Input, TextArea

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


def fit_footer(screen: Screen[Any], narrow: bool) -> None:
    """A compact footer without the palette hint on a narrow terminal, so every key stays on screen."""
    footer = screen.query_one(Footer)
    footer.compact = narrow
    footer.show_command_palette = not narrow  # ctrl+p still works, and ? lists it
