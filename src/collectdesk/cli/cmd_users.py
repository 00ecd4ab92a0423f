"""``collectdesk users``: add users and set their roles."""

from __future__ import annotations

import argparse

from collectdesk.cli.common import context_from_args, write_rows
from collectdesk.services.users import list_users, set_user_role


def run(args: argparse.Namespace) -> int:
    """Add a user / change a role, or list users."""
    ctx = context_from_args(args)
    try:
        if args.action == "add":
            user, created = set_user_role(ctx, args.name, args.role)
            print(f"{'added' if created else 'updated'} {user.name} as {user.role}")
        else:
            write_rows(["name", "role"], [(u.name, u.role) for u in list_users(ctx)], "table")
    finally:
        ctx.close()
    return 0
