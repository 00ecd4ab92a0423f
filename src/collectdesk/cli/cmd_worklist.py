"""``collectdesk worklist``: today's call list in order, with scores and what made them."""

from __future__ import annotations

import argparse
from decimal import Decimal
from typing import Any

from collectdesk.cli.common import context_from_args, optional_date, write_rows
from collectdesk.domain.money import format_amount, to_major
from collectdesk.domain.scoring import explain
from collectdesk.services.worklist_rows import WorklistRow

TABLE_HEADERS = [
    "rank",
    "ref",
    "name",
    "overdue",
    "dpd",
    "broken",
    "attempts",
    "stage",
    "next action",
    "reason",
    "score",
    "breakdown",
]
DATA_HEADERS = [
    "rank",
    "ref",
    "name",
    "currency",
    "overdue",
    "open_balance",
    "oldest_days_past_due",
    "broken_promises",
    "failed_attempts",
    "stage",
    "next_action_on",
    "reason",
    "score",
]


def _next_action(row: WorklistRow) -> str:
    if row.next_action_at is not None:
        return row.next_action_at.strftime("%Y-%m-%d %H:%M UTC")
    return row.next_action_on.isoformat() if row.next_action_on else "now"


def table_row(row: WorklistRow) -> list[Any]:
    """One row as the text table shows it: formatted money and a compact breakdown."""
    return [
        row.rank,
        row.ref,
        row.name,
        format_amount(row.overdue, row.currency),
        row.oldest_days_past_due,
        row.broken_promises,
        row.failed_attempts,
        row.stage,
        _next_action(row),
        row.reason,
        f"{row.score:.1f}",
        explain(row.breakdown),
    ]


def data_row(row: WorklistRow) -> list[Any]:
    """One row for CSV/JSON: plain decimals in major units and one column per score component."""
    return [
        row.rank,
        row.ref,
        row.name,
        row.currency,
        Decimal(to_major(row.overdue, row.currency)),
        Decimal(to_major(row.open_balance, row.currency)),
        row.oldest_days_past_due,
        row.broken_promises,
        row.failed_attempts,
        row.stage,
        row.next_action_on.isoformat() if row.next_action_on else None,
        row.reason,
        round(row.score, 2),
        *[round(points, 2) for points in row.breakdown.values()],
    ]


def _write(rows: list[WorklistRow], component_keys: list[str], fmt: str) -> None:
    if fmt == "table":
        write_rows(TABLE_HEADERS, [table_row(r) for r in rows], "table")
    else:
        point_headers = [f"points_{key}" for key in component_keys]
        write_rows(DATA_HEADERS + point_headers, [data_row(r) for r in rows], fmt)


def run(args: argparse.Namespace) -> int:
    """Print the worklist as a table, CSV or JSON."""
    as_of = optional_date(args.as_of)
    if as_of is None and args.collector is None and args.limit >= 1:
        from collectdesk.services.plain_worklist import plain_worklist

        # Today's list when nothing changed since the last upkeep: no upkeep to run, one read.
        plain = plain_worklist(args.db, args.user, limit=args.limit)
        if plain is not None:
            _write(plain.rows, plain.component_keys, args.format)
            return 0
    from collectdesk.domain.scoring import components
    from collectdesk.services.upkeep import bring_up_to_date
    from collectdesk.services.worklist import build_worklist

    ctx = context_from_args(args, create=False)
    try:
        if as_of is None or as_of == ctx.clock.today():
            bring_up_to_date(ctx)  # promises judged and stages moved before today's list is built
        rows = build_worklist(ctx, as_of=as_of, limit=args.limit, collector=args.collector)
        _write(rows, [c.key for c in components(ctx.settings.scoring)], args.format)
    finally:
        ctx.close()
    return 0
