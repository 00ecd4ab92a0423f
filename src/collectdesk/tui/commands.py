"""Command palette (ctrl+p) entries for the desk's main actions."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

# (title, help, action run on the desk screen)
DESK_COMMANDS = [
    ("Start a call", "call the selected account", "screen.start_call"),
    ("End the call", "record the outcome of the open call", "screen.end_call"),
    ("Search accounts", "any account by name, ref, invoice number or phone", "screen.search"),
    ("Notes", "write in the notes pane", "screen.notes"),
    ("Send a reminder", "preview and send the account's next reminder, or another message", "screen.reminder"),
    ("Pause reminders", "hold back the account's reminders until a date", "screen.pause_reminders"),
    ("Refresh the call list", "reload today's list", "screen.refresh"),
    ("Supervisor view", "promise tally and portfolio (supervisors)", "screen.supervisor"),
    ("Keys", "every key of the desk", "app.help"),
    ("Quit", "leave the desk", "app.quit"),
]


class DeskCommands(Provider):
    """The desk's actions, searchable by name."""

    async def discover(self) -> Hits:
        """All commands, for an empty query."""
        for title, help_text, action in DESK_COMMANDS:
            yield DiscoveryHit(title, partial(self.app.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        """Commands whose title matches what was typed."""
        matcher = self.matcher(query)
        for title, help_text, action in DESK_COMMANDS:
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(self.app.run_action, action),
                    help=help_text,
                )
