"""The call list's columns and how one worklist row is shown in them (light: the desk's opening
frame paints these before the database layers are imported)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from rich.text import Text

from collectdesk.domain.money import format_amount

if TYPE_CHECKING:
    from collectdesk.services.accounts import CallableNow
    from collectdesk.services.worklist_rows import WorklistRow

COLUMNS = (
    ("#", "rank"),
    ("Customer", "customer"),
    ("Overdue", "overdue"),
    ("DPD", "dpd"),
    ("Brk", "broken"),
    ("Last", "last"),
    ("Stage", "stage"),
    ("Local", "local"),
    ("Score", "score"),
)
LOCAL_WIDTH = 7
CONFIRM_RECEIPT = "confirm_receipt"  # the worklist's reason for a call that confirms an invoice arrived
STAGE_SHORT = {
    "reminder": "remind",
    "follow_up": "follow",
    "sales_rep": "rep",
    "management": "mgmt",
    "legal": "legal",
    "agency": "agency",
}


def last_contact(at: datetime | None, now: datetime) -> str:
    """Days since the last contact, compactly."""
    if at is None:
        return "—"
    days = (now.date() - at.date()).days
    return "today" if days <= 0 else f"{days}d"


def local_cell(status: CallableNow | None) -> Text:
    """The account's local time, marked ✗ outside calling hours (``…`` until it is known)."""
    if status is None:
        return Text("…", style="dim")
    # Several possible zones: the earliest time and a "+" (the panel lists them all).
    shown = status.local_time.split("/")[0] + ("+" if "/" in status.local_time else "")
    return Text(shown) if status.callable else Text(f"{shown}✗", style="red")


def name_cell(row: WorklistRow, me: str) -> str | Text:
    """The name, marked when a colleague is on a call with the account (☎) or closed one within
    the hour (✓); pressing ``c`` on a marked account names who is on it."""
    if row.on_call_by and row.on_call_by != me:
        return Text(f"☎ {row.name[:12]}", style="bold")
    if row.closed_by and row.closed_by != me:
        return Text(f"✓ {row.name[:12]}", style="dim")
    return row.name[:14]


def list_cells(row: WorklistRow, status: CallableNow | None, now: datetime, me: str) -> list[str | Text]:
    """One row's cells, in the order of :data:`COLUMNS`."""
    if row.reason == CONFIRM_RECEIPT:
        # Nothing is overdue yet: the call is to check the new invoice arrived.
        overdue, days = Text("confirm", style="cyan", justify="right"), Text("new", style="cyan", justify="right")
    else:
        amount = format_amount(row.overdue, row.currency).split(".")[0]
        overdue, days = Text(amount, justify="right"), Text(str(row.oldest_days_past_due), justify="right")
    return [
        Text(str(row.rank), justify="right"),
        name_cell(row, me),
        overdue,
        days,
        Text(str(row.broken_promises or ""), justify="right"),
        last_contact(row.last_contact_at, now),
        STAGE_SHORT.get(row.stage, row.stage),
        local_cell(status),
        Text(f"{row.score:.0f}", justify="right"),
    ]
