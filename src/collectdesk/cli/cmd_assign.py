"""``collectdesk assign``: give accounts to a collector, or let a substitute cover an absent one."""

from __future__ import annotations

import argparse

from collectdesk.cli.common import context_from_args
from collectdesk.domain.dates import parse_iso_date
from collectdesk.domain.errors import InputError
from collectdesk.services.assignment import AccountFilter, add_cover, assign, matching_refs


def run(args: argparse.Namespace) -> int:
    """``assign REF…|--of/--stage/--country/--min-balance --to NAME|--pool``, or
    ``assign --cover ABSENT [--by NAME] --from D --to D``."""
    ctx = context_from_args(args)
    try:
        if args.cover:
            if args.refs or args.pool:
                raise InputError("--cover covers all of a collector's accounts: give no REF and no --pool")
            if not args.date_from or not args.to:
                raise InputError("--cover needs --from DATE and --to DATE (the first and last day)")
            substitute = args.by or ctx.user.name
            cover = add_cover(ctx, args.cover, substitute, parse_iso_date(args.date_from), parse_iso_date(args.to))
            print(f"{substitute} covers {args.cover}'s accounts from {cover.from_on} to {cover.to_on}")
            return 0
        if args.pool == bool(args.to):
            raise InputError("say where the accounts go: --to NAME, or --pool")
        if args.by or args.date_from:
            raise InputError("--by and --from belong with --cover")
        match = AccountFilter(args.of, args.stage, args.country, args.min_balance)
        refs = args.refs
        if not match.empty:
            if refs:
                raise InputError("give account refs or a filter (--of, --stage, --country, --min-balance), not both")
            refs = matching_refs(ctx, match)
            if not refs:
                print("no account matches: nothing was assigned")
                return 0
        done = assign(ctx, refs, None if args.pool else args.to)
        if done.moved:
            print(f"assigned to {done.to}: {', '.join(done.moved)}")
        if done.unchanged:
            print(f"already with {done.to}: {', '.join(done.unchanged)}")
    finally:
        ctx.close()
    return 0
