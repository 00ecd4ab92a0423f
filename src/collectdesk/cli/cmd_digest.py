"""``collectdesk digest``: the day's call summaries for each sales rep / owner, printed or sent."""

from __future__ import annotations

import argparse

from collectdesk.cli.common import context_from_args, optional_date
from collectdesk.services.access import require_supervisor
from collectdesk.services.digest import build_digests, latest_call_day, send_digests


def run(args: argparse.Namespace) -> int:
    """Print the digests, or email them (``--send``, to ``--to`` or each owner's address)."""
    ctx = context_from_args(args)
    try:
        require_supervisor(ctx, "the owner's digest")
        day = optional_date(args.date) or ctx.clock.today()
        digests = build_digests(ctx, day)
        if not digests:
            latest = latest_call_day(ctx, day)
            hint = (
                f" The latest day with calls is {latest.isoformat()} (--date {latest.isoformat()})." if latest else ""
            )
            print(f"No calls were closed on {day.isoformat()}.{hint}")
            return 0
        if not args.send:
            print("\n".join(d.text() for d in digests), end="")
            return 0
        for delivery in send_digests(ctx, digests, to=args.to):
            print(f"{delivery.owner}: {delivery.where}")
    finally:
        ctx.close()
    return 0
