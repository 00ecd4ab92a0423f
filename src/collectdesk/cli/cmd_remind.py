"""``collectdesk remind``: show the reminders due (and why), or send them with ``--send``."""

from __future__ import annotations

import argparse

from collectdesk.cli.common import context_from_args, optional_date, write_rows
from collectdesk.services.access import require_supervisor
from collectdesk.services.message_templates import label
from collectdesk.services.reminder_plan import plan_reminders
from collectdesk.services.reminders import RunReport, previews, release_message, send_reminders
from collectdesk.services.upkeep import bring_up_to_date

_OUTCOMES = {
    "sent": "emailed",
    "written": "written to the outbox",
    "letter": "letter only (no email address)",
    "claimed": "skipped: already sent by another run",
    "failed": "FAILED (will be tried again next run)",
}


def _show_plan(args: argparse.Namespace) -> int:
    ctx = context_from_args(args)
    try:
        plan = plan_reminders(ctx, as_of=optional_date(args.as_of))
        items = previews(ctx, plan)
        print(f"Reminders due on {plan.day.isoformat()}: {len(items)} (nothing is sent without --send)")
        if items:
            rows = [
                [i.planned.ref, i.planned.name, label(i.template), i.recipient or "(letter)", i.planned.reason]
                for i in items
            ]
            write_rows(["ref", "name", "message", "to", "why"], rows, "table")
        if plan.skipped:
            print(f"\nDue but held back: {len(plan.skipped)}")
            write_rows(["ref", "name", "why not"], [[s.ref, s.name, s.reason] for s in plan.skipped], "table")
    finally:
        ctx.close()
    return 0


def _print_report(report: RunReport) -> None:
    print(f"Reminders for {report.day.isoformat()} via {report.via}:")
    if report.results:
        rows = [[r.ref, label(r.template), r.recipient or "", _OUTCOMES[r.outcome], r.detail] for r in report.results]
        write_rows(["ref", "message", "to", "result", "detail"], rows, "table")
    sent = report.count("sent") + report.count("written") + report.count("letter")
    print(f"{sent} sent, {report.count('failed')} failed, {report.count('claimed')} already sent elsewhere.")
    if report.count("written") or report.count("letter") or sent:
        print(f"Files (.eml and PDF letters) are in {report.outbox}")
    for message_id, ref, subject in report.unconfirmed:
        print(
            f"Unconfirmed: message {message_id} to {ref} (“{subject}”) was being sent when a run stopped. "
            f"Check whether it arrived; if not, `collectdesk remind --release {message_id}` lets the next run send it."
        )


def run(args: argparse.Namespace) -> int:
    """Preview the day's reminders, send them, or release an interrupted one."""
    if not args.send and args.release is None:
        return _show_plan(args)
    ctx = context_from_args(args)
    try:
        require_supervisor(ctx, "sending reminders")
        if args.release is not None:
            release_message(ctx, args.release)
            print(f"message {args.release} released: the next `collectdesk remind --send` sends it again")
            return 0
        as_of = optional_date(args.as_of)
        if as_of is None or as_of == ctx.clock.today():
            bring_up_to_date(ctx)  # promises judged and stages moved before the schedule is applied
        report = send_reminders(ctx, as_of=as_of)
        _print_report(report)
        return 1 if report.count("failed") else 0
    finally:
        ctx.close()
