"""``collectdesk team init``: set up a team on one PostgreSQL database (its owner, once)."""

from __future__ import annotations

import argparse

from collectdesk.settings import data_dir, load_settings
from collectdesk.store.database import default_url


def run(args: argparse.Namespace) -> int:
    """Install the team's roles and rights, and say what to do next."""
    from collectdesk.services.team import init_team

    url = args.db or load_settings().db or default_url(data_dir())
    setup = init_team(url)
    verb = "brought up to date" if setup.already else "set up"
    print(
        f"team database {verb}: group roles collectdesk_collector and collectdesk_supervisor; "
        f"{setup.owner} is a supervisor.\n"
        "Next: add the team, each with their own login, e.g.\n"
        "  collectdesk users add maria --role supervisor\n"
        "  collectdesk users add tom --role collector"
    )
    return 0
