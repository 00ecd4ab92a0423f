"""``collectdesk users``: add users, change roles, disable them, list them."""

from __future__ import annotations

import argparse
import getpass
import sys

from collectdesk.cli.common import context_from_args, write_rows
from collectdesk.domain.errors import InputError
from collectdesk.services.users import add_user, disable_user, list_users, set_role


def _first_password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    if not sys.stdin.isatty():
        raise InputError("give the first password with --password-stdin, or run this in a terminal")
    first = getpass.getpass(f"first password for {args.name}: ")
    if getpass.getpass("again: ") != first:
        raise InputError("the two passwords differ: nothing was changed")
    return first


def run(args: argparse.Namespace) -> int:
    """Add a user / change a role / disable a user, or list users."""
    ctx = context_from_args(args)
    try:
        if args.action == "add":
            password = None
            if ctx.team and (args.password_stdin or not _exists(ctx, args.name)):
                password = _first_password(args)
            user, created = add_user(ctx, args.name, args.role, password)
            login = " (a login on this database)" if ctx.team else ""
            print(f"{'added' if created else 'updated'} {user.name} as {user.role}{login}")
        elif args.action == "set-role":
            user = set_role(ctx, args.name, args.role)
            print(f"{user.name} is now a {user.role}")
        elif args.action == "disable":
            user = disable_user(ctx, args.name)
            print(f"disabled {user.name}: they can no longer log in; their history stays")
        else:
            rows = [(u.name, u.role, "yes" if u.active else "disabled") for u in list_users(ctx)]
            write_rows(["name", "role", "active"], rows, "table")
    finally:
        ctx.close()
    return 0


def _exists(ctx: object, name: str) -> bool:
    from collectdesk.services.context import AppContext

    assert isinstance(ctx, AppContext)
    return any(u.name == name for u in list_users(ctx))
