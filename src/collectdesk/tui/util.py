"""Small helpers the desk's screens share."""

from __future__ import annotations

from typing import Any

from textual.screen import Screen
from textual.widgets import Input, TextArea


def settle_cursors(screen: Screen[Any]) -> None:
    """Apply the app's cursor-blink choice (tests and snapshots turn blinking off)."""
    blink = bool(getattr(screen.app, "cursor_blink", True))
    for field in screen.query(Input):
        field.cursor_blink = blink
    for area in screen.query(TextArea):
        area.cursor_blink = blink
