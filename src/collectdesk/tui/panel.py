"""What the side panel says about an account: header, invoices, why it is here, history."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

from rich.text import Text

from collectdesk.domain.clock import Clock
from collectdesk.domain.money import format_amount
from collectdesk.services.accounts import AccountDetail


def colleague_text(detail: AccountDetail, me: str, clock: Clock) -> Text:
    """A colleague on a call with the account now (who, since when), or one who closed a call on it
    within the hour; empty when neither, or when it is this collector's own call."""
    now = clock.now()
    if detail.on_call and detail.on_call.user != me:
        mark = detail.on_call
        return Text(
            f"☎ {mark.user} is on a call with them since {clock.local_time(mark.at):%H:%M} "
            f"({_minutes(now - mark.at)}): pick another account\n",
            style="bold black on yellow",
        )
    if detail.recently_closed and detail.recently_closed.user != me:
        mark = detail.recently_closed
        result = f", {mark.result_code}" if mark.result_code else ""
        return Text(
            f"✓ {mark.user} closed a call with them at {clock.local_time(mark.at):%H:%M} "
            f"({_minutes(now - mark.at)} ago{result})\n",
            style="bold cyan",
        )
    return Text()


def _minutes(span: timedelta) -> str:
    minutes = max(0, int(span.total_seconds() // 60))
    return "under a minute" if minutes == 0 else f"{minutes} min"


def header_text(detail: AccountDetail, *, me: str = "", clock: Clock | None = None) -> Text:
    """Name, terms, people, stage and the next step to tell them, contacts, balances, blocks; with a
    clock, first a colleague's call on the account."""
    text = Text()
    text.append(detail.name, style="bold")
    text.append(f"  {detail.ref} · {detail.kind} · {detail.country} · {detail.currency}\n", style="dim")
    if clock is not None:
        text.append_text(colleague_text(detail, me, clock))
    text.append(
        f"Terms {detail.terms_days}d · collector {detail.collector or '—'} · sales rep {detail.sales_rep or '—'}\n"
    )
    if detail.address:
        text.append(f"✉ {detail.address}\n", style="dim")
    text.append("Stage ", style="dim")
    text.append(detail.stage.replace("_", " "), style="bold")
    if detail.ready_for_referral:
        text.append(" · ready for agency referral", style="bold red")
    text.append(f" — tell them: {detail.next_step}\n", style="italic")
    if not detail.contacts:
        text.append("☎ no phone number on file\n", style="yellow")
    for person in detail.contacts:
        role = f" ({person.role})" if person.role else ""
        style = "dim strike" if person.wrong_number or person.do_not_call else ""
        text.append(f"☎ {person.name}{role}  {person.phone_display}  ", style=style)
        if person.callable_now is False:
            text.append(f"{person.local_time} ✗ not now", style="red")
        else:
            text.append(person.local_time, style="green")
        if person.wrong_number:
            text.append("  wrong number", style="red")
        elif person.do_not_call:
            text.append("  do not call", style="red")
        text.append("\n")
    text.append(f"Open {format_amount(detail.open_balance, detail.currency)}", style="bold")
    text.append(f" · overdue {format_amount(detail.overdue, detail.currency)}")
    if detail.next_action_on:
        text.append(f" · next {detail.next_action_on.isoformat()}")
        if detail.next_action:
            text.append(f" ({detail.next_action})", style="dim")
    for block in detail.blocks:
        text.append(f"\n⚠ {block}", style="bold red")
    for pause in detail.reminder_pauses:
        what = f"invoice {pause.invoice_number}" if pause.invoice_number else "reminders"
        text.append(f"\n⏸ {what} paused until {pause.until.isoformat()}: {pause.reason}", style="yellow")
    return text


def invoices_text(detail: AccountDetail) -> Text:
    """Open invoices, oldest due first, with days past due."""
    text = Text()
    if not detail.invoices:
        return Text("No open invoices", style="dim")
    if detail.statutory is not None:
        claim = detail.statutory
        law = "UK late payment 1998" if claim.regime == "UK" else "EU late payment"
        text.append(
            f"§ {law}: {format_amount(claim.interest, detail.currency)} interest + "
            f"{format_amount(claim.compensation, claim.compensation_currency)} compensation\n",
            style="bold cyan",
        )
    for inv in detail.invoices:
        late = f"{inv.days_past_due:>3}d" if inv.days_past_due else "  current"
        style = "red" if inv.days_past_due > 60 else ("yellow" if inv.days_past_due else "")
        text.append(f"{inv.number:<12} due {inv.due_date.isoformat()} ", style="")
        text.append(late, style=style)
        text.append(f" {format_amount(inv.open_amount, detail.currency):>12}")
        if inv.status == "disputed":
            text.append(" disputed", style="magenta")
        elif inv.status == "agency":
            text.append(" referred", style="magenta")
        statutory = _statutory_line(detail, inv.number)
        if statutory:
            text.append(statutory, style="cyan")
        text.append("\n")
    text.rstrip()
    return text


_POINT_NAMES = {
    "dpd": "days past due",
    "bal": "overdue balance",
    "broken": "broken promises",
    "attempts": "failed attempts",
    "stage": "stage",
    "late": "late payments",
    "promise": "promise fell due",
    "callback": "callback due",
}


def why_text(breakdown: Mapping[str, float] | None, score: float | None) -> Text:
    """The points that put the account where it is on the list."""
    if not breakdown:
        return Text("Why here: not on today's list", style="dim")
    text = Text("Why here: ", style="bold")
    parts = [f"{_POINT_NAMES.get(label, label)} +{points:.0f}" for label, points in breakdown.items() if points]
    text.append(" · ".join(parts) or "no points")
    if score is not None:
        text.append(f" = {score:.0f}", style="bold")
    return text


def history_text(detail: AccountDetail) -> Text:
    """The timeline, newest first."""
    if not detail.history:
        return Text("No history yet", style="dim")
    colours = {
        "call": "cyan",
        "promise": "green",
        "payment": "bold green",
        "note": "yellow",
        "promise_broken": "red",
        "escalation": "magenta",
        "dispute": "magenta",
    }
    text = Text()
    for entry in detail.history:
        text.append(entry.at.strftime("%Y-%m-%d %H:%M "), style="dim")
        text.append(f"{entry.kind.replace('_', ' '):<9} ", style=colours.get(entry.kind, ""))
        text.append(entry.summary + "\n")
    text.rstrip()
    return text


def call_banner(name: str, contact: str | None, elapsed: str, end_key: str) -> Text:
    """The top bar while a call is open."""
    who = f" — {contact}" if contact else ""
    return Text.assemble(
        ("● ON CALL ", "bold red"),
        (elapsed, "bold"),
        f"  {name}{who}",
        (f"   {end_key}: end the call", "dim"),
    )


def _statutory_line(detail: AccountDetail, number: str) -> str:
    """One late invoice's statutory interest to date and fixed compensation, e.g. `` §£171.74+£70``."""
    claim = detail.statutory
    line = next((line for line in claim.invoices if line.number == number), None) if claim else None
    if claim is None or line is None:
        return ""
    compensation = format_amount(line.compensation, claim.compensation_currency).removesuffix(".00")
    return f" §{format_amount(line.interest, detail.currency)}+{compensation}"
