"""A copy of a portfolio on which the day's upkeep has run to the end, cached beside it.

Whole-process benchmarks run what a collector runs (``collectdesk worklist``, the desk), and
those run upkeep: on the portfolio itself its first pass would move tens of thousands of accounts
and change what the other benchmarks measure. The copy has had its promises judged, its stages
moved and its list ranked for the portfolio's day, so a later upkeep there has nothing to do.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from bench.bench_worklist import bench_context
from collectdesk.services.upkeep import bring_up_to_date


def settled_url(url: str) -> str:
    """The SQLite URL of the settled copy of the portfolio at ``url`` (made the first time)."""
    source = Path(url.removeprefix("sqlite:///"))
    settled = source.with_name(f"{source.stem}-settled.db")
    if not settled.exists():
        partial = settled.with_suffix(".partial")
        shutil.copyfile(source, partial)
        ctx = bench_context(f"sqlite:///{partial}")
        try:
            for _ in range(3):  # a pass that changed things, one that finds nothing, one skipped
                if bring_up_to_date(ctx).skipped:
                    break
        finally:
            ctx.close()
        partial.replace(settled)
    return f"sqlite:///{settled}"
