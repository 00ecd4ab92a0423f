"""``collectdesk supervisor``: the supervisor view; collectors are told how to get access."""

from __future__ import annotations

import argparse

from collectdesk.cli.common import context_from_args
from collectdesk.services.access import require_supervisor


def run(args: argparse.Namespace) -> int:
    """Open the supervisor screen, or refuse (exit 1) a user who is not a supervisor."""
    ctx = context_from_args(args)
    try:
        require_supervisor(ctx, "the supervisor view")
        from collectdesk.tui.supervisor import SupervisorApp

        SupervisorApp(ctx).run()
    finally:
        ctx.close()
    return 0
