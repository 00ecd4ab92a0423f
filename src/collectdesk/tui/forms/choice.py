"""A one-line choice between a few options that shows only the chosen one as chosen."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget


class Choice(Widget, can_focus=True):
    """``◉ monthly  ○ weekly``: space or ←/→ moves the choice."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("space,right", "step(1)", "Next choice", show=False, id="choice.next"),
        Binding("left", "step(-1)", "Previous choice", show=False, id="choice.previous"),
    ]
    DEFAULT_CSS = """
    Choice { height: 1; width: auto; padding: 0 1; margin-top: 1; }
    Choice:focus { background: $block-cursor-blurred-background; }
    """

    value: reactive[str] = reactive("")

    class Changed(Message):
        """The choice moved."""

        def __init__(self, choice: Choice, value: str) -> None:
            super().__init__()
            self.choice = choice
            self.value = value

        @property
        def control(self) -> Choice:
            """The choice that changed."""
            return self.choice

    def __init__(self, options: list[tuple[str, str]], value: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.options = options
        self.set_reactive(Choice.value, value)

    def render(self) -> Text:
        """Every option, the chosen one filled and bold."""
        text = Text()
        for index, (value, label) in enumerate(self.options):
            chosen = value == self.value
            if index:
                text.append("   ")
            text.append(f"{'◉' if chosen else '○'} {label}", style="bold" if chosen else "dim")
        return text

    def action_step(self, step: int) -> None:
        """Move to the next (or previous) option."""
        values = [value for value, _ in self.options]
        position = values.index(self.value) if self.value in values else 0
        self.value = values[(position + step) % len(values)]
        self.post_message(self.Changed(self, self.value))
