"""The supervisor screen: promise tally per collector, activity, receivables health, broken promises
to chase and the kept/broken trend, recomputed in a worker thread and exportable table by table."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from textual import on, work
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
from collectdesk.services.periods import Period, period_for
from collectdesk.services.tally import Tally, compute_tally
from collectdesk.services.tally_report import csv_cell, major
from collectdesk.services.tally_text import NONE, days_text, duration, money, number, percent
from collectdesk.settings import data_dir
from collectdesk.tui.referral import ReferralPanel

STYLES = str(styles_dir() / "supervisor.tcss")
Column = tuple[str, str]  # (label, key)
Row = tuple[Sequence[Any], Sequence[Any]]  # (what is shown, what is exported)


class CustomRangeDialog(ModalScreen[Period | None]):
    """Asks for a custom period: two dates (ISO or shortcuts such as ``+7`` or ``eom``)."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

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
        Binding("t", "period('today')", "Today"),
        Binding("w", "period('week')", "Week"),
        Binding("m", "period('month')", "Month"),
        Binding("c", "custom_period", "Custom…"),
        Binding("x", "export_table", "Export table"),
        Binding("r", "reload", "Refresh"),
        Binding("escape", "leave", "Back"),
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
        self.export_dir = export_dir
        self.period = period_for("month", ctx.clock.today())
        self.tally: Tally | None = None
        self.refused = refusal(ctx, "The supervisor view")
        self._exports: dict[str, tuple[list[str], list[Sequence[Any]]]] = {}

    def compose(self) -> ComposeResult:
        """The refusal for collectors; otherwise every panel, empty until the first tally."""
        yield Header()
        if self.refused:
            yield Static(self.refused, id="refusal")
            yield Footer()
            return
        yield Static("Computing…", id="status")
        with VerticalScroll(id="panels"):
            yield Label("Promises made in the period · kept rate = kept ÷ matured", classes="section")
            yield DataTable(id="promises", cursor_type="row", zebra_stripes=True)
            yield Label("Activity · RPC rate = right-party ÷ calls · PTP rate = PTP ÷ right-party", classes="section")
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
        yield Footer()

    def on_mount(self) -> None:
        """Compute the first tally and schedule the refreshes."""
        if self.refused:
            return
        self.action_reload()
        self.set_interval(self.refresh_seconds, self.action_reload)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """A refused user gets no period or export keys."""
        return not self.refused or action == "leave"

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
        """Go back to where the screen was opened from (or quit when it is the only screen)."""
        if len(self.app.screen_stack) > 2:
            self.app.pop_screen()
        else:
            self.app.exit()

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
        self.notify(f"Could not compute the tally: {message.error}", severity="error")

    def on_supervisor_screen_tally_ready(self, message: TallyReady) -> None:
        """Show a new tally in every panel."""
        tally = self.tally = message.tally
        self._show_status(
            f"{self.period.label} · as of {tally.as_of.isoformat()} · amounts in {tally.currency}"
            f" · updated {self.ctx.clock.local_now():%H:%M:%S %Z}"
        )
        self._fill_promises(tally)
        self._fill_activity(tally)
        self._fill_health(tally)
        self._fill_lists(tally)
        self.query_one("#trend-kept", Sparkline).data = [float(p.kept) for p in tally.trend]
        self.query_one("#trend-broken", Sparkline).data = [float(p.broken) for p in tally.trend]

    def _show_status(self, text: str) -> None:
        self.query_one("#status", Static).update(text)

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
        cur = tally.currency
        columns = [
            ("Collector", "collector"),
            ("Made", "made"),
            (f"Amount {cur}", "made_amount"),
            ("Kept", "kept"),
            ("Partial", "partially_kept"),
            ("Broken", "broken"),
            ("Open", "open"),
            ("Cancelled", "cancelled"),
            ("Matured", "matured"),
            ("Kept rate", "kept_rate"),
            (f"Collected {cur}", "collected"),
        ]
        rows: list[Row] = [
            (
                (
                    p.collector,
                    p.made,
                    money(p.made_amount, cur),
                    p.kept,
                    p.partially_kept,
                    p.broken,
                    p.open,
                    p.cancelled,
                    p.matured,
                    percent(p.kept_rate),
                    money(p.collected, cur),
                ),
                (
                    p.collector,
                    p.made,
                    major(p.made_amount, cur),
                    p.kept,
                    p.partially_kept,
                    p.broken,
                    p.open,
                    p.cancelled,
                    p.matured,
                    p.kept_rate,
                    major(p.collected, cur),
                ),
            )
            for p in (tally.promises, *tally.promises_by_collector)
        ]
        self._fill("promises", columns, rows)

    def _fill_activity(self, tally: Tally) -> None:
        cur = tally.currency
        columns = [
            ("Collector", "collector"),
            ("Calls", "calls"),
            ("RPC", "right_party"),
            ("RPC rate", "rpc_rate"),
            ("PTP", "ptp_calls"),
            ("PTP rate", "ptp_rate"),
            ("Talk time", "talk_seconds"),
            (f"Promised {cur}", "promised"),
            (f"Collected {cur}", "collected"),
            ("Per talk hour", "collected_per_hour"),
        ]
        rows: list[Row] = [
            (
                (
                    a.collector,
                    a.calls,
                    a.right_party,
                    percent(a.rpc_rate),
                    a.ptp_calls,
                    percent(a.ptp_rate),
                    duration(a.talk_seconds),
                    money(a.promised_amount, cur),
                    money(a.collected_amount, cur),
                    money(a.collected_per_hour, cur),
                ),
                (
                    a.collector,
                    a.calls,
                    a.right_party,
                    a.rpc_rate,
                    a.ptp_calls,
                    a.ptp_rate,
                    a.talk_seconds,
                    major(a.promised_amount, cur),
                    major(a.collected_amount, cur),
                    major(a.collected_per_hour, cur),
                ),
            )
            for a in (tally.activity, *tally.activity_by_collector)
        ]
        self._fill("activity", columns, rows)

    def _fill_health(self, tally: Tally) -> None:
        r, cur = tally.receivables, tally.currency
        self.query_one("#aging-title", Label).update(f"Aging as of {tally.as_of.isoformat()}")
        total = r.total_ar
        aging: list[Row] = [
            (
                (b.label, money(b.amount, cur), percent(b.amount / total if total else None)),
                (b.label, major(b.amount, cur), b.amount / total if total else None),
            )
            for b in r.buckets
        ]
        aging.append((("total", money(total, cur), ""), ("total", major(total, cur), None)))
        self._fill("aging", [("Bucket", "bucket"), ("Amount", "amount"), ("Share", "share")], aging)
        verdict = "" if r.meets_goal is None else (" ✓" if r.meets_goal else " ✗")
        measures: list[tuple[str, str, Any]] = [
            ("DSO", days_text(r.dso), r.dso),
            ("Best possible DSO", days_text(r.best_possible_dso), r.best_possible_dso),
            ("Avg days delinquent", days_text(r.average_days_delinquent), r.average_days_delinquent),
            ("CEI", NONE if r.cei is None else number(r.cei), r.cei),
            (
                f"Paid ≤30 d of due (goal {percent(r.within_30_goal)})",
                percent(r.within_30_share) + verdict,
                r.within_30_share,
            ),
            ("Credit sales", money(r.credit_sales, cur), major(r.credit_sales, cur)),
            ("Ready for agency", str(tally.agency_ready_count), tally.agency_ready_count),
            *[(f"Stage: {stage}", str(count), count) for stage, count in tally.accounts_per_stage.items()],
            *[
                (f"AR in {o.currency} (apart)", money(o.total_ar, o.currency), major(o.total_ar, o.currency))
                for o in tally.other_currencies
            ],
        ]
        self._fill(
            "health",
            [("Measure", "measure"), ("Value", "value")],
            [((label, shown), (label, raw)) for label, shown, raw in measures],
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

    def action_export_table(self) -> None:
        """Write the focused table to a CSV file and say where it went."""
        focused = self.focused
        if not isinstance(focused, DataTable) or focused.id not in self._exports:
            self.notify("Move to a table (tab) first, then press x to export it.", severity="warning")
            return
        headers, rows = self._exports[focused.id]
        stamp = self.tally.as_of.isoformat() if self.tally else self.ctx.clock.today().isoformat()
        name = f"collectdesk-{focused.id}-{self.period.date_from}-{self.period.date_to}-{stamp}.csv"
        try:
            path = self._write_csv(name, headers, rows)
        except OSError as exc:
            self.notify(f"Could not export: {exc}", severity="error")
            return
        self.notify(f"Exported {len(rows)} rows to {path}", title="Export")

    def _write_csv(self, name: str, headers: list[str], rows: list[Sequence[Any]]) -> Path:
        # The current directory first; the data directory when it is not writable.
        for folder in [self.export_dir] if self.export_dir else [Path.cwd(), data_dir()]:
            path = folder / name
            try:
                folder.mkdir(parents=True, exist_ok=True)
                with path.open("w", newline="", encoding="utf-8") as handle:
                    writer = csv.writer(handle, lineterminator="\n")
                    writer.writerow(headers)
                    writer.writerows([csv_cell(value) for value in row] for row in rows)
                return path
            except OSError:
                if self.export_dir or folder == data_dir():
                    raise
        raise OSError("no writable folder")  # pragma: no cover - the loop always returns or raises


class SupervisorApp(App[None]):
    """``collectdesk supervisor``: the supervisor screen on its own."""

    TITLE = "collectdesk — supervisor"
    BINDINGS: ClassVar[list[BindingType]] = [Binding("q", "quit", "Quit")]

    def __init__(self, ctx: AppContext, *, refresh_seconds: float = 60.0, export_dir: Path | None = None) -> None:
        super().__init__()
        self.ctx = ctx
        self.refresh_seconds = refresh_seconds
        self.export_dir = export_dir

    def on_mount(self) -> None:
        """Open the supervisor screen."""
        self.push_screen(SupervisorScreen(self.ctx, refresh_seconds=self.refresh_seconds, export_dir=self.export_dir))
