"""``collectdesk calls {open,release}``: who is on which account, and releasing a call left open."""

from __future__ import annotations

import argparse

from collectdesk.cli.common import context_from_args, write_rows
from collectdesk.services.claims import open_calls, release_call


def run(args: argparse.Namespace) -> int:
    """List open calls, or release the one on an account (supervisors)."""
    ctx = context_from_args(args)
    try:
        if args.action == "release":
            call = release_call(ctx, args.ref)
            print(
                f"released {call.user}'s call with {call.customer_name} ({call.ref}): closed as abandoned, notes kept"
            )
        else:
            rows = [(c.ref, c.customer_name, c.user, f"{c.started_at:%Y-%m-%d %H:%M} UTC") for c in open_calls(ctx)]
            write_rows(["ref", "account", "on the call", "since"], rows, "table")
    finally:
        ctx.close()
    return 0
