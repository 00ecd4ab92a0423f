"""The supervisor screen: promise tally per collector, activity, receivables health, broken promises
to chase and the kept/broken trend, recomputed in a worker thread and exportable table by table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from textual import events, on, work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Sparkline, Static

from collectdesk.domain.dates import DateInputError, parse_date_shortcut
from collectdesk.domain.errors import InputError
from collectdesk.resources import styles_dir
from collectdesk.services.access import refusal
from collectdesk.services.context import AppContext
from collectdesk.services.export_files import export_folder, write_csv_file
from collectdesk.services.periods import Period, period_for
from collectdesk.services.tally import ALL, Tally, compute_tally
from collectdesk.services.tally_report import major
from collectdesk.services.tally_text import NONE, activity_texts, days_text, duration, money, number, percent
from collectdesk.tui.commands import DeskCommands
from collectdesk.tui.referral import ReferralPanel
from collectdesk.tui.stack import SteadyScreenStack
from collectdesk.tui.util import NARROW_BELOW, fit_footer

STYLES = str(styles_dir() / "supervisor.tcss")
Column = tuple[str, str]  # (label, key)
Row = tuple[Sequence[Any], Sequence[Any]]  # (what is shown, what is exported)


class CustomRangeDialog(ModalScreen[Period | None]):
    """Asks for a custom period: two dates (ISO or shortcuts such as ``+7`` or ``eom``)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel", id="range.cancel")]

    def __init__(self, today: date, current: Period) -> None:
        super().__init__()
        self.today = today
        self.current = current

    def compose(self) -> ComposeResult:
        """The two date fields and a line for what is wrong with them."""
        with Vertical(id="range-dialog"):
            yield Label("Custom period — enter applies, escape cancels")
            yield Input(self.current.date_from.isoformat(), placeholder="from (YYYY-MM-DD)", id="range-from")
            yield Input(self.current.date_to.isoformat(), placeholder="to (YYYY-MM-DD)", id="range-to")
            yield Static("", id="range-error")

    @on(Input.Submitted)
    def _apply(self) -> None:
        try:
            start = parse_date_shortcut(self.query_one("#range-from", Input).value, self.today)
            end = parse_date_shortcut(self.query_one("#range-to", Input).value, self.today)
            period = period_for("custom", self.today, date_from=start, date_to=end)
        except (DateInputError, InputError) as exc:
            self.query_one("#range-error", Static).update(str(exc))
            return
        self.dismiss(period)

    def action_cancel(self) -> None:
        """Close without changing the period."""
        self.dismiss(None)


class SupervisorScreen(Screen[None]):
    """The supervisor view of one period; refreshes itself every ``refresh_seconds``."""

    CSS_PATH = STYLES
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("t", "period('today')", "Today", id="supervisor.today"),
        Binding("w", "period('week')", "Week", id="supervisor.week"),
        Binding("m", "period('month')", "Month", id="supervisor.month"),
        Binding("c", "custom_period", "Range…", id="supervisor.custom"),
        Binding("x", "export_table", "Export", id="supervisor.export"),
        Binding("g", "assign", "Assign", id="supervisor.assign"),
        # The view refreshes itself every minute: r stays (and is listed in ?) but leaves the footer room.
        Binding("r", "reload", "Refresh", show=False, id="supervisor.refresh"),
        Binding("escape", "leave", "Back", id="supervisor.back"),
    ]

    class TallyReady(Message):
        """A freshly computed tally."""

        def __init__(self, tally: Tally) -> None:
            super().__init__()
            self.tally = tally

    class TallyFailed(Message):
        """Computing the tally went wrong."""

        def __init__(self, error: str) -> None:
            super().__init__()
            self.error = error

    def __init__(self, ctx: AppContext, *, refresh_seconds: float = 60.0, export_dir: Path | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.refresh_seconds = refresh_seconds
        self.export_dir = export_dir or export_folder(ctx.settings)
        self.period = period_for("month", ctx.clock.today())
        self.tally: Tally | None = None
        self.refused = refusal(ctx, "The supervisor view")
        self._exports: dict[str, tuple[list[str], list[Sequence[Any]]]] = {}
        # Built in compose; every key and message checks it is still on screen (see _showing).
        self._status = Static("Computing…", id="status")
        self._export_line = Static(f"x exports the focused table to {self.export_dir}", id="export-path")

    def compose(self) -> ComposeResult:
        """The refusal for collectors; otherwise every panel, empty until the first tally."""
        yield Header()
        if self.refused:
            yield Static(self.refused, id="refusal")
            yield Footer()
            return
        yield self._status
        with VerticalScroll(id="panels"):
            yield Label(
                "Promises made in the period, per currency · Made counts a plan once, Dated each instalment;"
                " the outcomes are of dated promises · kept rate = kept of matured ÷ matured",
                classes="section",
            )
            yield DataTable(id="promises", cursor_type="row", zebra_stripes=True)
            yield Label(
                "Activity: every call first, then by the currency of the accounts called · "
                "RPC rate = right-party ÷ calls · PTP rate = PTP ÷ right-party",
                classes="section",
            )
            yield DataTable(id="activity", cursor_type="row", zebra_stripes=True)
            with Horizontal(id="health-row"):
                with Vertical(classes="half"):
                    yield Label("Aging", classes="section", id="aging-title")
                    yield DataTable(id="aging", cursor_type="row")
                with Vertical(classes="half"):
                    yield Label("Receivables health", classes="section")
                    yield DataTable(id="health", cursor_type="row")
            with Horizontal(id="trend-row"):
                yield Label("Kept  ", classes="trend-label")
                yield Sparkline([], id="trend-kept")
                yield Label("Broken", classes="trend-label")
                yield Sparkline([], id="trend-broken")
            yield Label("Broken promises to chase", classes="section")
            yield DataTable(id="broken", cursor_type="row", zebra_stripes=True)
            yield Label("Toughest accounts", classes="section", id="toughest-title")
            yield DataTable(id="toughest", cursor_type="row", zebra_stripes=True)
            yield ReferralPanel(self.ctx)
        yield self._export_line
        yield Footer()

    def on_mount(self) -> None:
        """Compute the first tally and schedule the refreshes."""
        if self.refused:
            return
        self.action_reload()
        self.set_interval(self.refresh_seconds, self.action_reload)
        self.refresh_bindings()

    def on_resize(self, event: events.Resize) -> None:
        """A compact footer on a narrow terminal, so every key stays on screen."""
        fit_footer(self, event.size.width < NARROW_BELOW)

    def _showing(self) -> bool:
        """Whether the panels are on screen: not yet while the screen is being built, no longer while the
        program closes (keys typed after ``q`` and a tally finishing late arrive then)."""
        return self._status.is_mounted and self._status.is_attached and not self._closing

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A refused user gets no period or export keys; nothing runs while the panels are not on screen."""
        if action == "leave":
            return True
        return not self.refused and self._showing()

    def action_reload(self) -> None:
        """Recompute the tally for the current period in the background."""
        self._compute(self.period)
        if not self.refused and self.is_mounted:
            self.query_one(ReferralPanel).reload()

    def action_period(self, name: str) -> None:
        """Switch to today, this week or this month."""
        self.period = period_for(name, self.ctx.clock.today())
        self._show_status("Computing…")
        self.action_reload()

    def action_custom_period(self) -> None:
        """Ask for a custom date range."""

        def chosen(period: Period | None) -> None:
            if period is not None:
                self.period = period
                self._show_status("Computing…")
                self.action_reload()

        self.app.push_screen(CustomRangeDialog(self.ctx.clock.today(), self.period), chosen)

    def action_leave(self) -> None:
        """Go back to where the screen was opened from; never quit (``q`` does that)."""
        if self.app.screen is not self:
            return
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()
        else:
            self.notify("This is the first screen: q quits.", timeout=3)

    @work(thread=True, exclusive=True, group="tally")
    def _compute(self, period: Period) -> None:
        try:
            tally = compute_tally(self.ctx, date_from=period.date_from, date_to=period.date_to, by_collector=True)
        except Exception as exc:  # reported on screen; the next refresh tries again
            self.post_message(self.TallyFailed(str(exc) or type(exc).__name__))
            return
        self.post_message(self.TallyReady(tally))

    def on_referral_panel_referred(self) -> None:
        """A referral changes the figures: recompute them."""
        self._compute(self.period)

    def on_supervisor_screen_tally_failed(self, message: TallyFailed) -> None:
        """Say what went wrong; keep showing the last figures."""
        if not self._showing():
            return
        self.notify(f"Could not compute the tally: {message.error}", severity="error")

    def on_supervisor_screen_tally_ready(self, message: TallyReady) -> None:
        """Show a new tally in every panel (unless the screen is closing)."""
        if not self._showing():
            return
        tally = self.tally = message.tally
        self._show_status(
            f"{self.period.label} · as of {tally.as_of.isoformat()}"
            " · amounts in each account's own currency, never converted"
            f" · updated {self.ctx.clock.local_now():%H:%M:%S %Z}"
        )
        self._fill_promises(tally)
        self._fill_activity(tally)
        self._fill_health(tally)
        self._fill_lists(tally)
        self.query_one("#trend-kept", Sparkline).data = [float(p.kept) for p in tally.trend]
        self.query_one("#trend-broken", Sparkline).data = [float(p.broken) for p in tally.trend]

    def _show_status(self, text: str) -> None:
        self._status.update(text)

    def _fill(self, table_id: str, columns: Sequence[Column], rows: Sequence[Row]) -> None:
        table = self.query_one(f"#{table_id}", DataTable)
        cursor = table.cursor_row
        table.clear(columns=True)
        for label, key in columns:
            table.add_column(label, key=key)
        for shown, _ in rows:
            table.add_row(*shown)
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1))
        self._exports[table_id] = ([key for _, key in columns], [raw for _, raw in rows])

    def _fill_promises(self, tally: Tally) -> None:
        columns = [
            ("Collector", "collector"),
            ("Currency", "currency"),
            ("Made", "made"),
            ("Dated", "dated"),
            ("Amount", "made_amount"),
            ("Kept", "kept"),
            ("Partial", "partially_kept"),
            ("Broken", "broken"),
            ("Open", "open"),
            ("Cancelled", "cancelled"),
            ("Matured", "matured"),
            ("Kept of matured", "matured_kept"),
            ("Kept rate", "kept_rate"),
            ("Collected", "collected"),
        ]
        rows: list[Row] = []
        for section in tally.by_currency:
            cur = section.currency
            for p in (section.promises, *section.promises_by_collector):
                counts = (p.made, p.dated, p.kept, p.partially_kept, p.broken, p.open, p.cancelled)
                rows.append(
                    (
                        (
                            p.collector,
                            cur,
                            *counts[:2],
                            money(p.made_amount, cur),
                            *counts[2:],
                            p.matured,
                            p.matured_kept,
                            percent(p.kept_rate),
                            money(p.collected, cur),
                        ),
                        (
                            p.collector,
                            cur,
                            *counts[:2],
                            major(p.made_amount, cur),
                            *counts[2:],
                            p.matured,
                            p.matured_kept,
                            p.kept_rate,
                            major(p.collected, cur),
                        ),
                    )
                )
        self._fill("promises", columns, rows)

    def _fill_activity(self, tally: Tally) -> None:
        columns = [
            ("Collector", "collector"),
            ("Currency", "currency"),
            ("Calls", "calls"),
            ("RPC", "right_party"),
            ("RPC rate", "rpc_rate"),
            ("PTP", "ptp_calls"),
            ("PTP rate", "ptp_rate"),
            ("Talk time", "talk_seconds"),
            ("Promised", "promised"),
            ("Collected", "collected"),
            ("Per talk hour", "collected_per_hour"),
        ]
        rows: list[Row] = []
        if len(tally.by_currency) > 1:  # calls add up across currencies; money does not
            a = tally.activity
            shown = (a.calls, a.right_party, percent(a.rpc_rate), a.ptp_calls, percent(a.ptp_rate))
            rows.append(
                (
                    (ALL, "all", *shown, duration(a.talk_seconds), NONE, NONE, NONE),
                    (
                        ALL,
                        "all",
                        *(a.calls, a.right_party, a.rpc_rate, a.ptp_calls, a.ptp_rate, a.talk_seconds),
                        *[None] * 3,
                    ),
                )
            )
        for section in tally.by_currency:
            cur = section.currency
            for a in (section.activity, *section.activity_by_collector):
                counts = (a.calls, a.right_party)
                rows.append(
                    (
                        (
                            a.collector,
                            cur,
                            *counts,
                            *activity_texts(a, cur),
                        ),
                        (
                            a.collector,
                            cur,
                            *counts,
                            a.rpc_rate,
                            a.ptp_calls,
                            a.ptp_rate,
                            a.talk_seconds,
                            major(a.promised_amount, cur),
                            major(a.collected_amount, cur),
                            major(a.collected_per_hour, cur),
                        ),
                    )
                )
        self._fill("activity", columns, rows)

    def _fill_health(self, tally: Tally) -> None:
        sections = tally.by_currency
        codes = [section.currency for section in sections]
        self.query_one("#aging-title", Label).update(f"Aging as of {tally.as_of.isoformat()}")
        aging_columns: list[Column] = [("Bucket", "bucket")]
        for code in codes:
            aging_columns += [(code, f"amount_{code}"), (f"{code} share", f"share_{code}")]
        labels = [b.label for b in sections[0].receivables.buckets] if sections else []
        aging: list[Row] = []
        for index, label in enumerate([*labels, "total"]):
            shown: list[Any] = [label]
            raw: list[Any] = [label]
            for section in sections:
                r, cur = section.receivables, section.currency
                amount = r.total_ar if label == "total" else r.buckets[index].amount
                share = None if label == "total" or not r.total_ar else amount / r.total_ar
                shown += [money(amount, cur), "" if label == "total" else percent(share)]
                raw += [major(amount, cur), share]
            aging.append((shown, raw))
        self._fill("aging", aging_columns, aging)
        measures: list[tuple[str, list[tuple[str, Any]]]] = [
            ("DSO", [(days_text(s.receivables.dso), s.receivables.dso) for s in sections]),
            (
                "Best possible DSO",
                [(days_text(s.receivables.best_possible_dso), s.receivables.best_possible_dso) for s in sections],
            ),
            (
                "Avg days delinquent",
                [
                    (days_text(s.receivables.average_days_delinquent), s.receivables.average_days_delinquent)
                    for s in sections
                ],
            ),
            (
                "CEI",
                [
                    (NONE if s.receivables.cei is None else number(s.receivables.cei), s.receivables.cei)
                    for s in sections
                ],
            ),
            (
                f"Paid ≤30 d of due (goal {percent(self.ctx.settings.receivables.collected_within_30_goal)})",
                [
                    (
                        percent(s.receivables.within_30_share) + _verdict(s.receivables.meets_goal),
                        s.receivables.within_30_share,
                    )
                    for s in sections
                ],
            ),
            (
                "Credit sales",
                [
                    (money(s.receivables.credit_sales, s.currency), major(s.receivables.credit_sales, s.currency))
                    for s in sections
                ],
            ),
        ]
        # Counts of accounts are of every currency together: they fill the first column only.
        blanks = [("", None)] * max(len(sections) - 1, 0)
        measures += [
            ("Ready for agency (all currencies)", [(str(tally.agency_ready_count), tally.agency_ready_count), *blanks])
        ]
        measures += [
            (f"Stage: {stage} (accounts)", [(str(count), count), *blanks])
            for stage, count in tally.accounts_per_stage.items()
        ]
        self._fill(
            "health",
            [("Measure", "measure"), *[(code, f"value_{code}") for code in codes]],
            [((label, *[v[0] for v in values]), (label, *[v[1] for v in values])) for label, values in measures],
        )

    def _fill_lists(self, tally: Tally) -> None:
        broken: list[Row] = [
            (
                (
                    b.customer_ref,
                    b.customer_name,
                    money(b.amount, b.currency),
                    money(b.unpaid, b.currency),
                    b.promised_on.isoformat(),
                    b.taken_by,
                ),
                (
                    b.customer_ref,
                    b.customer_name,
                    major(b.amount, b.currency),
                    major(b.unpaid, b.currency),
                    b.promised_on.isoformat(),
                    b.taken_by,
                ),
            )
            for b in tally.broken_to_chase
        ]
        self._fill(
            "broken",
            [
                ("Customer", "customer_ref"),
                ("Name", "customer_name"),
                ("Amount", "amount"),
                ("Unpaid", "unpaid"),
                ("Promised on", "promised_on"),
                ("Taken by", "taken_by"),
            ],
            broken,
        )
        self.query_one("#toughest-title", Label).update(f"Toughest accounts · ranked by {tally.toughest_source}")
        toughest: list[Row] = [
            (
                (a.ref, a.name, a.stage, money(a.overdue, a.currency), a.days_past_due),
                (a.ref, a.name, a.stage, major(a.overdue, a.currency), a.days_past_due),
            )
            for a in tally.toughest
        ]
        self._fill(
            "toughest",
            [
                ("Customer", "ref"),
                ("Name", "name"),
                ("Stage", "stage"),
                ("Overdue", "overdue"),
                ("Days past due", "days_past_due"),
            ],
            toughest,
        )

    # The account lists (broken promises, toughest, ready for referral) show the account's ref first.
    _ACCOUNT_TABLES = ("broken", "toughest", "referral")

    def _selected_ref(self) -> str | None:
        focused = self.focused
        if not isinstance(focused, DataTable) or focused.id not in self._ACCOUNT_TABLES or not focused.row_count:
            return None
        return str(focused.get_row_at(focused.cursor_row)[0])

    def action_assign(self) -> None:
        """Assign the selected account, typed refs, or every account matching a filter to a collector."""
        from collectdesk.services.users import list_users
        from collectdesk.tui.assign_dialog import AssignDialog

        collectors = [user.name for user in list_users(self.ctx) if user.active and user.role == "collector"]

        def done(result: str | None) -> None:
            if result is not None:
                self.notify(result, title="Assigned", timeout=6)
                self.action_reload()

        self.app.push_screen(AssignDialog(self.ctx, selected=self._selected_ref(), collectors=collectors), done)

    def action_export_table(self) -> None:
        """Write the focused table to a CSV file in the export folder; the path stays on screen."""
        focused = self.focused
        if not isinstance(focused, DataTable) or focused.id not in self._exports:
            self.notify("Move to a table (tab) first, then press x to export it.", severity="warning")
            return
        headers, rows = self._exports[focused.id]
        stamp = self.tally.as_of.isoformat() if self.tally else self.ctx.clock.today().isoformat()
        name = f"collectdesk-{focused.id}-{self.period.date_from}-{self.period.date_to}-{stamp}.csv"
        try:
            path = write_csv_file(self.export_dir, name, headers, rows)
        except OSError as exc:
            self._export_line.update(f"Could not export to {self.export_dir}: {exc}")
            self.notify(f"Could not export: {exc}", severity="error")
            return
        self._export_line.update(f"Exported {len(rows)} rows of {focused.id} to {path}")
        self.notify(f"Exported {len(rows)} rows to {path}", title="Export")


def _verdict(meets_goal: bool | None) -> str:
    return "" if meets_goal is None else (" ✓" if meets_goal else " ✗")


class SupervisorApp(SteadyScreenStack):
    """``collectdesk supervisor``: the supervisor screen on its own."""

    TITLE = "collectdesk — supervisor"
    COMMANDS = App.COMMANDS | {DeskCommands}
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("question_mark", "help", "Keys", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]

    def __init__(self, ctx: AppContext, *, refresh_seconds: float = 60.0, export_dir: Path | None = None) -> None:
        # The screen is the default one, which Textual does not load a CSS_PATH for: the app does.
        super().__init__(css_path=[STYLES])
        self.ctx = ctx
        self.refresh_seconds = refresh_seconds
        self.export_dir = export_dir
        self.supervisor = SupervisorScreen(ctx, refresh_seconds=refresh_seconds, export_dir=export_dir)

    def get_default_screen(self) -> Screen[None]:
        """The supervisor screen is the first screen: escape on it stays (``q`` quits)."""
        return self.supervisor

    def on_mount(self) -> None:
        """Apply the key remapping from the settings."""
        self.set_keymap(dict(self.ctx.settings.keys))

    def action_help(self) -> None:
        """Show every key of the supervisor view, with the ids to remap them by."""
        from collectdesk.tui.help import HelpScreen, supervisor_help

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(supervisor_help(self, dict(self.ctx.settings.keys), self.BINDINGS)))
