"""The supervisor's assignment dialog: give the selected account, typed refs, or every account
matching a filter to a collector (or back to the pool), after seeing how many it moves."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from collectdesk.domain.errors import InputError
from collectdesk.services.assignment import AccountFilter, Assignment, assign, matching_refs, user_id_named
from collectdesk.services.context import AppContext
from collectdesk.tui.util import still_shown

POOL = "pool"
_SHOWN_REFS = 6
_FIELDS = ("assign-refs", "assign-of", "assign-stage", "assign-country", "assign-balance", "assign-to")


@dataclass(frozen=True)
class _Plan:
    """What enter would do: these accounts to this collector (``None``: the pool)."""

    refs: list[str]
    to: str | None
    asked: tuple[str, ...]  # the fields as they were when the plan was made


class AssignDialog(ModalScreen[str | None]):
    """Which accounts and to whom; the first enter says how many would move, the second moves
    them. Dismisses with what was done (``None``: nothing)."""

    DEFAULT_CSS = """
    AssignDialog { align: center middle; background: $background 60%; }
    AssignDialog #assign-dialog {
        width: 96; height: auto; padding: 1 2; border: thick $accent; background: $surface;
    }
    AssignDialog .assign-title { text-style: bold; margin-bottom: 1; }
    AssignDialog .assign-filters { height: auto; }
    AssignDialog .assign-filters Input { width: 1fr; }
    AssignDialog #assign-error { color: $error; }
    AssignDialog #assign-plan { text-style: bold; margin-top: 1; }
    AssignDialog .assign-help { color: $text-muted; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="assign.cancel")]

    def __init__(self, ctx: AppContext, *, selected: str | None, collectors: list[str]) -> None:
        super().__init__()
        self.ctx = ctx
        self.selected = selected
        self.collectors = collectors
        self.plan: _Plan | None = None
        self._busy = False

    def compose(self) -> ComposeResult:
        """The accounts (typed, or a filter), the collector, and what enter will do."""
        with Vertical(id="assign-dialog"):
            yield Static("Assign accounts to a collector", classes="assign-title")
            yield Static("Accounts (refs, separated by commas or spaces):")
            yield Input(value=self.selected or "", placeholder="e.g. C001, C007", id="assign-refs")
            yield Static("…or, with no refs above, every account that is:")
            with Horizontal(classes="assign-filters"):
                yield Input(placeholder="now with: name, pool", id="assign-of")
                yield Input(placeholder="at stage", id="assign-stage")
                yield Input(placeholder="in country: GB…", id="assign-country")
                yield Input(placeholder="owing at least", id="assign-balance")
            yield Static("Assign to:")
            yield Input(placeholder="a collector's name, or pool (unassigned)", id="assign-to")
            yield Static("", id="assign-error")
            yield Static("", id="assign-plan")
            people = ", ".join(self.collectors) or "none yet"
            yield Static(
                f"Collectors: {people} · enter: see what moves · enter again: assign · escape: cancel",
                classes="assign-help",
            )

    def on_mount(self) -> None:
        """Start where the supervisor has something to type: whom to, when an account is selected."""
        self.query_one("#assign-to" if self.selected else "#assign-refs", Input).focus()

    def _values(self) -> tuple[str, ...]:
        return tuple(" ".join(self.query_one(f"#{field}", Input).value.split()) for field in _FIELDS)

    @on(Input.Changed)
    def _changed(self) -> None:
        if self.plan is not None and self.plan.asked != self._values():
            self.plan = None
            self.query_one("#assign-plan", Static).update("")

    @on(Input.Submitted)
    def _submitted(self) -> None:
        if self._busy:
            return
        values = self._values()
        if self.plan is not None and self.plan.asked == values:
            self._begin()
            self._assign(self.plan)
            return
        refs_text, of, stage, country, balance, to = values
        if not to:
            self._error("say whom to assign them to: a collector's name, or pool")
            return
        match = AccountFilter(
            collector=of or None, stage=stage or None, country=country or None, min_balance=balance or None
        )
        refs = [ref for ref in re.split(r"[,\s]+", refs_text) if ref]
        if not refs and match.empty:
            self._error("type the accounts' refs, or fill in at least one of the conditions")
            return
        self._begin()
        self._make_plan(refs, match, None if to.lower() == POOL else to, values)

    def _begin(self) -> None:
        self._busy = True
        self._error("")
        self.query_one("#assign-plan", Static).update("Working…")

    @work(thread=True, exclusive=True, group="assign", exit_on_error=False)
    def _make_plan(self, refs: list[str], match: AccountFilter, to: str | None, asked: tuple[str, ...]) -> None:
        try:
            if to is not None:
                user_id_named(self.ctx, to)  # a name that is nobody is said now, not after the second enter
            wanted = refs or matching_refs(self.ctx, match)
        except InputError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        except Exception as exc:  # a database problem: said in the dialog, nothing changed
            self.app.call_from_thread(self._failed, f"could not read the accounts: {exc}")
            return
        self.app.call_from_thread(self._planned, _Plan(wanted, to, asked))

    @work(thread=True, exclusive=True, group="assign", exit_on_error=False)
    def _assign(self, plan: _Plan) -> None:
        try:
            done = assign(self.ctx, plan.refs, plan.to)
        except InputError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        except Exception as exc:  # a database problem: the change is all or nothing
            self.app.call_from_thread(self._failed, f"nothing was assigned: {exc}")
            return
        self.app.call_from_thread(self._assigned, done)

    def _planned(self, plan: _Plan) -> None:
        self._busy = False
        if not still_shown(self):
            return
        if not plan.refs:
            self.query_one("#assign-plan", Static).update("")
            self._error("no account matches: change the conditions")
            return
        self.plan = plan
        shown = ", ".join(plan.refs[:_SHOWN_REFS]) + (" …" if len(plan.refs) > _SHOWN_REFS else "")
        whom = plan.to or "the unassigned pool"
        count = f"{len(plan.refs)} account" + ("s" if len(plan.refs) != 1 else "")
        self.query_one("#assign-plan", Static).update(f"Assign {count} ({shown}) to {whom}? enter: assign")

    def _failed(self, error: str) -> None:
        self._busy = False
        if not still_shown(self):
            return
        self.plan = None
        self.query_one("#assign-plan", Static).update("")
        self._error(error)

    def _assigned(self, done: Assignment) -> None:
        self._busy = False
        if not still_shown(self):
            return
        moved = f"{len(done.moved)} account" + ("s" if len(done.moved) != 1 else "") + f" assigned to {done.to}"
        kept = f"; {len(done.unchanged)} already were" if done.unchanged else ""
        self.dismiss(moved + kept)

    def _error(self, text: str) -> None:
        self.query_one("#assign-error", Static).update(text)

    def action_cancel(self) -> None:
        """Close without assigning (a change on its way finishes first)."""
        if self._busy:
            return
        self.dismiss(None)
