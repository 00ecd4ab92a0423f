"""``collectdesk opt-out``: an account that refuses email gets no reminders (``--undo`` allows them again)."""

from __future__ import annotations

import argparse

from collectdesk.cli.common import context_from_args
from collectdesk.services.pauses import set_email_opt_out


def run(args: argparse.Namespace) -> int:
    """Record or lift the opt-out."""
    ctx = context_from_args(args)
    try:
        changed = set_email_opt_out(ctx, args.ref, opted_out=not args.undo, reason=args.reason)
        state = "may be emailed again" if args.undo else "is opted out of email"
        print(f"{args.ref} {state}" + ("" if changed else " (no change)"))
    finally:
        ctx.close()
    return 0
