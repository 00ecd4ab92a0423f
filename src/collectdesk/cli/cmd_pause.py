"""``collectdesk pause``: hold back reminders to an account (or one invoice) until a date."""

from __future__ import annotations

import argparse

from collectdesk.cli.common import context_from_args
from collectdesk.domain.dates import parse_iso_date
from collectdesk.services.pauses import pause_reminders


def run(args: argparse.Namespace) -> int:
    """Record the pause and say when it lifts."""
    ctx = context_from_args(args)
    try:
        pause = pause_reminders(
            ctx, args.ref, until=parse_iso_date(args.until), reason=args.reason, invoice_number=args.invoice
        )
        what = f"invoice {pause.invoice_number} of {args.ref}" if pause.invoice_number else args.ref
        print(f"reminders to {what} paused until {pause.until.isoformat()} (they resume that day): {pause.reason}")
    finally:
        ctx.close()
    return 0
