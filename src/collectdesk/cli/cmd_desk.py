"""``collectdesk`` / ``collectdesk desk``: open the collector's desk."""

from __future__ import annotations

import argparse

from collectdesk.cli.common import context_from_args


def run_desk(args: argparse.Namespace) -> int:
    """Open the context the options ask for and run the desk until the collector quits."""
    from collectdesk.tui.loading import start_first_page

    ctx = context_from_args(args)
    try:
        first_page = start_first_page(ctx)  # reads today's list while Textual is imported and starts
        from collectdesk.tui.app import DeskApp

        app = DeskApp(ctx, first_page=first_page)
        app.run()
    finally:
        ctx.close()
    return 0
