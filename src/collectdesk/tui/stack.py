"""Keys typed faster than screens close must not close the wrong screen."""

from __future__ import annotations

from textual import events
from textual._context import active_message_pump
from textual.app import App
from textual.await_complete import AwaitComplete
from textual.dom import DOMNode
from textual.screen import Screen
from textual.widgets import Checkbox, Input


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
        """Drop keys that arrive while the app closes; move between form fields at once; handle
        everything else as usual."""
        if isinstance(event, events.Key):
            if self._closing_down():
                return
            if self._moved_between_fields(event.key):
                return
        await super().on_event(event)

    def _moved_between_fields(self, key: str) -> bool:
        """Tab out of a form field, done here rather than by the field's own binding.

        The app hands each key to the widget focused when the key arrives; a field's Tab binding
        runs later, from the field's own queue, so keys typed in the same instant after Tab would
        reach the field being left. Moving the focus before the next key is handed on sends them
        to the next field, as typed.
        """
        if key not in ("tab", "shift+tab") or not isinstance(self.focused, Input | Checkbox):
            return False
        if key == "tab":
            self.screen.focus_next()
        else:
            self.screen.focus_previous()
        return True

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
