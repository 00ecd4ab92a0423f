"""``collectdesk demo``: build (or reuse) the demo database from ``sample_data/``, open the desk."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable

from collectdesk.resources import sample_data_dir
from collectdesk.services.context import os_user
from collectdesk.services.demo import ensure_demo
from collectdesk.settings import data_dir, load_settings


def run(args: argparse.Namespace) -> int:
    """Make sure the demo database exists for today, then open the desk on it (unless --no-open)."""
    settings = load_settings()
    user_name = args.user or settings.user or os_user()
    build = ensure_demo(
        data_dir(),
        sample_data_dir(),
        user_name=user_name,
        settings=settings,
        rebuild=args.rebuild,
        say=lambda text: print(text, file=sys.stderr),
    )
    if build.built:
        customers = build.reports[0].added if build.reports else 0
        print(
            f"demo database built in {build.seconds:.1f}s: {customers} customers, "
            f"{sum(r.added for r in build.reports if r.kind == 'invoices')} invoices, "
            f"{build.calls} calls, {build.promises} promises → {build.path}",
            file=sys.stderr,
        )
    if args.no_open:
        print(build.path)
        return 0
    # The desk (and Textual with it) is loaded only when it is about to open.
    desk = importlib.import_module("collectdesk.cli.cmd_desk")
    run_desk: Callable[[argparse.Namespace], int] = desk.run_desk
    args.db = build.url
    args.user = user_name
    return run_desk(args)
