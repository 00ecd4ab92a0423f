"""Keys typed faster than screens close must not close the wrong screen."""

from __future__ import annotations

from textual import events
from textual._context import active_message_pump
from textual.app import App
from textual.await_complete import AwaitComplete
from textual.dom import DOMNode
from textual.screen import Screen


def _asked_by_a_screen_that_left(app: App[None]) -> bool:
    """Whether the code running now belongs to a screen no longer on the stack (or to a widget
    already taken out of its screen)."""
    node: DOMNode | None = active_message_pump.get(None)  # type: ignore[assignment]
    if node is None or node is app or not isinstance(node, DOMNode):
        return False
    while node is not None and not isinstance(node, Screen):
        node = node.parent
    return node is None or node not in app.screen_stack


class SteadyScreenStack(App[None]):
    """An app whose screens close only themselves and that ignores keys once it is closing.

    A terminal delivers a fast typist's keys all at once; Textual hands each to the screen in front
    at that moment, so a dialog that closed on the first key can still be handling the second. Its
    second ``dismiss`` would pop whatever screen is in front by then — the desk itself, or the next
    dialog. A pop asked for by a screen no longer on the stack is therefore ignored. Keys typed just
    after ``q`` reach the app while its screens are being taken down; they are dropped.
    """

    async def on_event(self, event: events.Event) -> None:
        """Drop keys that arrive while the app closes; handle everything else as usual."""
        if isinstance(event, events.Key) and self._closing_down():
            return
        await super().on_event(event)

    def _closing_down(self) -> bool:
        try:
            return bool(self._exit) or not self._screen_stack
        except KeyError:  # the screen stacks are already gone
            return True

    def pop_screen(self) -> AwaitComplete:
        """Pop the screen in front, unless a screen that has already left asks."""
        if _asked_by_a_screen_that_left(self):
            done: AwaitComplete = AwaitComplete.nothing()  # type: ignore[no-untyped-call]
            return done
        return super().pop_screen()
