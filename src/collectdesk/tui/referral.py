"""The supervisor's "ready for referral" table: one key refers the selected account to a collection
agency, after a confirmation with a reason."""

from __future__ import annotations

from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import DataTable, Input, Label, Static

from collectdesk.domain.errors import InputError
from collectdesk.services.agency import ReferralResult, ready_accounts, refer_account
from collectdesk.services.context import AppContext
from collectdesk.services.tally_text import money
from collectdesk.services.worklist import WorklistRow

REFER_KEY = "a"
_MIN_REASON = 3


class ReferralDialog(ModalScreen[str | None]):
    """Confirm a referral: what is referred, and why (the reason goes to the activity log)."""

    DEFAULT_CSS = """
    ReferralDialog { align: center middle; background: $background 60%; }
    ReferralDialog #referral-dialog {
        width: 84; height: auto; padding: 1 2; border: thick $error; background: $surface;
    }
    ReferralDialog .referral-title { text-style: bold; margin-bottom: 1; }
    ReferralDialog #referral-error { color: $error; }
    ReferralDialog .referral-help { color: $text-muted; margin-top: 1; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Don't refer", id="referral.cancel")]

    def __init__(self, account: WorklistRow) -> None:
        super().__init__()
        self.account = account

    def compose(self) -> ComposeResult:
        """The account, what referring does, and the reason field."""
        a = self.account
        with Vertical(id="referral-dialog"):
            yield Static(f"Refer {a.name} ({a.ref}) to a collection agency?", classes="referral-title")
            yield Static(
                f"{money(a.open_balance, a.currency)} open, the oldest invoice {a.oldest_days_past_due} days past due. "
                "Its open invoices are marked referred and the account leaves the call list "
                "(collectdesk agency recall brings it back)."
            )
            yield Static("Why (this goes to the activity log):")
            yield Input(placeholder="reason for the referral", id="referral-reason")
            yield Static("", id="referral-error")
            yield Static("enter: refer · escape: don't refer", classes="referral-help")

    def on_mount(self) -> None:
        """Focus the reason."""
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        reason = " ".join(event.value.split())
        if len(reason) < _MIN_REASON:
            self.query_one("#referral-error", Static).update("type the reason for the referral")
            return
        self.dismiss(reason)

    def action_cancel(self) -> None:
        """Do not refer."""
        self.dismiss(None)


class ReferralPanel(Vertical):
    """Accounts ready for agency referral, toughest first; ``a`` refers the selected one."""

    DEFAULT_CSS = """
    ReferralPanel { height: auto; }
    ReferralPanel DataTable { height: auto; max-height: 12; margin: 0 1; }
    ReferralPanel DataTable:focus { border-left: thick $accent; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(REFER_KEY, "refer", "Refer", id="supervisor.refer"),
    ]

    class Referred(Message):
        """An account was referred (the figures around it changed)."""

        def __init__(self, result: ReferralResult) -> None:
            super().__init__()
            self.result = result

    class _Loaded(Message):
        def __init__(self, rows: list[WorklistRow]) -> None:
            super().__init__()
            self.rows = rows

    class _Failed(Message):
        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(self, ctx: AppContext, *, limit: int = 50, id: str | None = "referral-panel") -> None:
        super().__init__(id=id)
        self.ctx = ctx
        self.limit = limit
        self.rows: list[WorklistRow] = []

    def compose(self) -> ComposeResult:
        """The title and the table."""
        yield Label(f"Ready for agency referral · select one and press {REFER_KEY} to refer it", classes="section")
        table: DataTable[str] = DataTable(id="referral", cursor_type="row", zebra_stripes=True)
        table.add_columns("Customer", "Name", "Stage", "Open", "Days past due", "Score")
        yield table

    def on_mount(self) -> None:
        """Load the accounts."""
        self.reload()

    def reload(self) -> None:
        """Read the ready accounts again in the background."""
        self._load()

    @work(thread=True, exclusive=True, group="referral", exit_on_error=False, description="ready for referral")
    def _load(self) -> None:
        try:
            rows = ready_accounts(self.ctx, limit=self.limit)
        except Exception as exc:  # shown on screen; the next reload tries again
            self.post_message(self._Failed(f"Could not read the accounts ready for referral: {exc}"))
            return
        self.post_message(self._Loaded(rows))

    @on(_Loaded)
    def _show(self, message: _Loaded) -> None:
        self.rows = message.rows
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        for row in self.rows:
            table.add_row(
                row.ref,
                row.name,
                row.stage.replace("_", " "),
                money(row.open_balance, row.currency),
                str(row.oldest_days_past_due),
                f"{row.score:.0f}",
                key=row.ref,
            )
        if self.rows:
            table.move_cursor(row=min(cursor, len(self.rows) - 1))

    @on(_Failed)
    def _failed(self, message: _Failed) -> None:
        self.notify(message.error, severity="error")

    def action_refer(self) -> None:
        """Ask for a confirmation and a reason, then refer the selected account."""
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row >= len(self.rows):
            self.notify("No account is ready for referral.", severity="warning")
            return
        account = self.rows[table.cursor_row]

        def confirmed(reason: str | None) -> None:
            if reason is not None:
                self._refer(account.ref, reason)

        self.app.push_screen(ReferralDialog(account), confirmed)

    @work(thread=True, group="referral-write", exit_on_error=False, description="refer an account")
    def _refer(self, ref: str, reason: str) -> None:
        try:
            result = refer_account(self.ctx, ref, reason=reason)
        except InputError as exc:
            self.post_message(self._Failed(f"Not referred: {exc}"))
            return
        self.post_message(self.Referred(result))

    @on(Referred)
    def _referred(self, message: Referred) -> None:
        self.notify(message.result.describe("Referred to a collection agency:"), title="Referral")
        self.reload()
