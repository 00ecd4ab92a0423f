"""The help screen: every key, generated from the bindings in force (so it is always true)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from rich.table import Table
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

# Keys the footer abbreviates, spelled out in the help.
_SPELLED = {
    "escape": "escape",
    "enter": "enter",
    "space": "space",
    "tab": "tab",
    "pageup": "page up",
    "pagedown": "page down",
    "home": "home",
    "end": "end",
}


@dataclass(frozen=True)
class KeyHelp:
    """One line of the help: where, which keys, what they do."""

    section: str
    keys: str
    description: str
    binding_id: str = ""  # what ``[keys]`` in the configuration remaps it by ("" = not remappable there)


def describe_bindings(
    app: App[Any],
    section: str,
    bindings: Iterable[BindingType],
    keymap: Mapping[str, str],
    *,
    actions: set[str] | None = None,
) -> list[KeyHelp]:
    """The keys of ``bindings`` as the keymap remaps them, one line per action."""
    merged: dict[str, tuple[list[str], str, str]] = {}
    for binding in Binding.make_bindings(bindings):
        if binding.system or (actions is not None and binding.action not in actions):
            continue
        name = binding.id or binding.action
        keys = keymap[binding.id].split(",") if binding.id and binding.id in keymap else [binding.key]
        shown, _, _ = merged.setdefault(name, ([], binding.description or binding.action, binding.id or ""))
        for key in keys:
            key = key.strip()
            label = _SPELLED.get(key) or app.get_key_display(Binding(key, binding.action))
            if label not in shown:
                shown.append(label)
    return [KeyHelp(section, " / ".join(keys), description, bid) for keys, description, bid in merged.values()]


def supervisor_help(app: App[Any], keymap: Mapping[str, str], app_bindings: Iterable[BindingType]) -> list[KeyHelp]:
    """Every key of the supervisor view and its custom-period dialog, as the keymap has them."""
    from collectdesk.tui.referral import ReferralDialog, ReferralPanel
    from collectdesk.tui.supervisor import CustomRangeDialog, SupervisorScreen

    lines = describe_bindings(app, "Supervisor view", [*SupervisorScreen.BINDINGS, *app_bindings], keymap)
    lines += describe_bindings(app, "Ready for referral table", ReferralPanel.BINDINGS, keymap)
    lines += describe_bindings(app, "Referral dialog", ReferralDialog.BINDINGS, keymap)
    lines += describe_bindings(app, "Custom period dialog", CustomRangeDialog.BINDINGS, keymap)
    lines += describe_bindings(app, "This help", HelpScreen.BINDINGS, keymap)
    return lines


def current_first(lines: Sequence[KeyHelp], section: str) -> list[KeyHelp]:
    """The lines of ``section`` (the screen help was opened from) first, the others after in their order."""
    return [line for line in lines if line.section == section] + [line for line in lines if line.section != section]


class HelpScreen(ModalScreen[None]):
    """A table of every key; any of escape, q or ? closes it."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q,question_mark", "close", "Close", id="help.close")]

    def __init__(self, lines: Sequence[KeyHelp]) -> None:
        super().__init__()
        self.lines = list(lines)

    def compose(self) -> ComposeResult:
        """The table, scrollable."""
        table = Table(box=None, show_header=True, padding=(0, 2), expand=False, header_style="dim")
        table.add_column("key", style="bold cyan", no_wrap=True)
        table.add_column("does")
        table.add_column(Text("id for [keys]"), style="dim", no_wrap=True)
        section = None
        for line in self.lines:
            if line.section != section:
                section = line.section
                table.add_row("", Text(section, style="bold underline"), "")
            table.add_row(Text(line.keys), Text(line.description), Text(line.binding_id or "—"))
        with VerticalScroll(id="help-dialog", classes="dialog"):
            yield Static("Keys", classes="dialog-title")
            yield Static(
                'Remap a key in config.toml by its id: [keys] "desk.call" = "f5"; '
                'result codes by code: [result_keys] NOANSWER = "0".',
                classes="dialog-help",
                markup=False,
            )
            yield Static(table, id="help-table")
            yield Static("escape: close", classes="dialog-help")

    def on_mount(self) -> None:
        """Focus the list so ↑/↓ scroll it."""
        self.query_one("#help-dialog", VerticalScroll).focus()

    def action_close(self) -> None:
        """Back to where you were."""
        self.dismiss(None)
