"""The selected account beside the list: header, open invoices, why it is here, and its history."""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.containers import ScrollableContainer, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from collectdesk.services.accounts import AccountDetail
from collectdesk.services.context import AppContext
from collectdesk.services.worklist import WorklistRow
from collectdesk.tui.loading import AccountRead, read_account
from collectdesk.tui.panel import header_text, history_text, invoices_text, why_text
from collectdesk.tui.work_failures import ReportsWorkFailures


class _ReadDone(Message):
    """The panel's read finished (``read`` is None when it failed; the failure is reported apart)."""

    def __init__(self, customer_id: int, read: AccountRead | None) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.read = read


class AccountPanel(ReportsWorkFailures, ScrollableContainer, can_focus=False):
    """One account at a time; during quick moves only the latest selection is read.

    Beside the list only its history scrolls; on a narrow terminal the whole panel does (``narrow``).
    """

    class Painted(Message):
        """The panel now shows ``detail``."""

        def __init__(self, detail: AccountDetail) -> None:
            super().__init__()
            self.detail = detail

    def __init__(self, ctx: AppContext, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.ctx = ctx
        self.shown_id: int | None = None  # the account asked for (painted once its read lands)
        self.detail: AccountDetail | None = None  # the account painted
        self._rows: dict[int, WorklistRow] = {}
        self._in_flight = False
        self._again = False

    def compose(self) -> ComposeResult:
        """Header, invoices, the points, and the scrollable history."""
        yield Static(id="account-header")
        yield Static(id="open-invoices")
        yield Static(id="why-here")
        with VerticalScroll(id="history-pane"):
            yield Static(id="history")

    def show(self, customer_id: int, row: WorklistRow | None, read: AccountRead | None = None) -> None:
        """Show an account (``row``: its line on today's list; ``read``: its detail when already read)."""
        self.shown_id = customer_id
        if row is not None:
            self._rows[customer_id] = row
        if read is not None and read.customer_id == customer_id:
            self._paint(read)
            return
        self._request()

    @property
    def shown_row(self) -> WorklistRow | None:
        """The shown account's line on today's list, as the panel was last given it."""
        return self._rows.get(self.shown_id) if self.shown_id is not None else None

    def reload(self) -> None:
        """Read the shown account again (something was written to it)."""
        self._request()

    def set_narrow(self, narrow: bool) -> None:
        """On a narrow terminal the panel scrolls as a whole (nothing in it is cut off)."""
        self.can_focus = narrow
        self.set_class(narrow, "narrow")

    def focus_history(self) -> None:
        """Move into the history (on a narrow terminal, the whole panel), to scroll it."""
        if self.can_focus:
            self.focus()
        else:
            self.query_one("#history-pane", VerticalScroll).focus()

    def _request(self) -> None:
        if self.shown_id is None:
            return
        if self._in_flight:
            # One read at a time: when it lands, the latest selection is read next.
            self._again = True
            return
        self._in_flight = True
        self._read(self.shown_id, self._rows.get(self.shown_id))

    @work(thread=True, group="account", exit_on_error=False, description="loading the account")
    def _read(self, customer_id: int, row: WorklistRow | None) -> None:
        read: AccountRead | None = None
        try:
            read = read_account(self.ctx, customer_id, row)
        finally:  # a failed read still lets the next one go
            self.post_message(_ReadDone(customer_id, read))

    @on(_ReadDone)
    def _read_done(self, message: _ReadDone) -> None:
        message.stop()
        self._in_flight = False
        again, self._again = self._again, False
        if message.customer_id != self.shown_id:
            self._request()  # the collector has moved on
            return
        if message.read is not None:
            self._paint(message.read)
        if again:
            self._request()

    def _paint(self, read: AccountRead) -> None:
        detail = read.detail
        self.detail = detail
        self.query_one("#account-header", Static).update(
            header_text(detail, me=self.ctx.user.name, clock=self.ctx.clock)
        )
        self.query_one("#open-invoices", Static).update(invoices_text(detail))
        self.query_one("#why-here", Static).update(why_text(read.breakdown, read.score))
        self.query_one("#history", Static).update(history_text(detail))
        self.query_one("#history-pane", VerticalScroll).scroll_home(animate=False)
        self.scroll_home(animate=False)
        self.post_message(self.Painted(detail))
