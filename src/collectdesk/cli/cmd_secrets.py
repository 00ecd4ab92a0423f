"""``collectdesk secrets``: put passwords in the OS keyring, never in files."""

from __future__ import annotations

import argparse
import getpass
import sys

from collectdesk.store.secrets import delete_secret, set_secret


def run(args: argparse.Namespace) -> int:
    """Store or delete a secret in the keyring."""
    if args.action == "set":
        value = getpass.getpass(f"{args.name}: ") if sys.stdin.isatty() else sys.stdin.readline()
        value = value.rstrip("\n")
        if not value:
            print("collectdesk: nothing stored: the secret was empty", file=sys.stderr)
            return 1
        set_secret(args.name, value)
        print(f"stored {args.name} in the OS keyring")
    else:
        print(f"deleted {args.name}" if delete_secret(args.name) else f"{args.name} was not stored")
    return 0
