"""``collectdesk`` / ``collectdesk desk``: open the collector's desk."""

from __future__ import annotations

import argparse

from collectdesk.cli.common import context_from_args


def run_desk(args: argparse.Namespace) -> int:
    """Open the context the options ask for and run the desk until the collector quits."""
    from collectdesk.tui.app import DeskApp

    ctx = context_from_args(args)
    try:
        DeskApp(ctx).run()
    finally:
        ctx.close()
    return 0
