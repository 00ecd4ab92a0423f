"""Command palette (ctrl+p) entries for the main actions of the screen in front."""

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

# (title, help, action run on the supervisor screen)
SUPERVISOR_COMMANDS = [
    ("Today", "the tally of today", "screen.period('today')"),
    ("This week", "the tally of this week", "screen.period('week')"),
    ("This month", "the tally of this month", "screen.period('month')"),
    ("Custom period", "the tally between two dates", "screen.custom_period"),
    ("Export the focused table", "write it as CSV to the export folder", "screen.export_table"),
    ("Refresh the tally", "recompute it now", "screen.reload"),
    ("Back", "back to where the supervisor view was opened from", "screen.leave"),
    ("Keys", "every key of the supervisor view", "app.help"),
    ("Quit", "leave collectdesk", "app.quit"),
]


class DeskCommands(Provider):
    """The actions of the screen the palette was opened over, searchable by name."""

    def _commands(self) -> list[tuple[str, str, str]]:
        from collectdesk.tui.supervisor import SupervisorScreen

        return SUPERVISOR_COMMANDS if isinstance(self.screen, SupervisorScreen) else DESK_COMMANDS

    async def discover(self) -> Hits:
        """All commands, for an empty query."""
        for title, help_text, action in self._commands():
            yield DiscoveryHit(title, partial(self.app.run_action, action), help=help_text)

    async def search(self, query: str) -> Hits:
        """Commands whose title matches what was typed."""
        matcher = self.matcher(query)
        for title, help_text, action in self._commands():
            score = matcher.match(title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(title),
                    partial(self.app.run_action, action),
                    help=help_text,
                )
