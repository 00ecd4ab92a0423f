"""``collectdesk agency {refer,recall} REF [--reason TEXT]`` and ``collectdesk agency placements``."""

from __future__ import annotations

import argparse
import sys

from collectdesk.cli.common import context_from_args, write_rows


def run(args: argparse.Namespace) -> int:
    """Refer or recall one account (supervisors), or write the placement file to stdout."""
    from collectdesk.services.agency import PLACEMENT_COLUMNS, placements, recall_account, refer_account

    ctx = context_from_args(args)
    try:
        if args.action == "placements":
            write_rows(PLACEMENT_COLUMNS, placements(ctx), args.format)
            return 0
        if args.action == "refer":
            result = refer_account(ctx, args.ref, reason=args.reason)
            print(result.describe("Referred to a collection agency:"))
        else:
            result = recall_account(ctx, args.ref, reason=args.reason)
            print(result.describe("Recalled from the agency:") + f" Back on the list at {result.stage}.")
        sys.stdout.flush()
        return 0
    finally:
        ctx.close()
