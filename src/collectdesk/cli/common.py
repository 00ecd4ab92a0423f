"""Helpers every command shares: opening the context and writing tables, CSV and JSON."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections.abc import Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, TextIO

from collectdesk.domain.dates import parse_iso_date

if TYPE_CHECKING:  # opening a context imports the database stack: only when a command needs it
    from collectdesk.services.context import AppContext

HOW_TO_CREATE = (
    "`collectdesk import customers FILE.csv` creates it, or pass --db URL (COLLECTDESK_DB) "
    "for an existing one; `collectdesk demo` builds a demo database to try"
)


def context_from_args(args: argparse.Namespace, *, default_role: str = "collector", create: bool = True) -> AppContext:
    """Open the application context the global options ask for.

    ``create=False``: a command that only reads says there is no database yet (and how to make
    one) instead of creating an empty one.
    """
    from collectdesk.services.context import open_context
    from collectdesk.store.database import DatabaseError, NoDatabaseError

    try:
        return open_context(db_url=args.db, user_name=args.user, default_role=default_role, create=create)
    except NoDatabaseError as exc:
        raise DatabaseError(f"{exc}: {HOW_TO_CREATE}") from exc


def optional_date(text: str | None) -> date | None:
    """An ISO date argument, or ``None`` when it was not given."""
    return parse_iso_date(text) if text else None


def write_rows(headers: Sequence[str], rows: Sequence[Sequence[Any]], fmt: str, out: TextIO | None = None) -> None:
    """Write rows as an aligned text table, CSV or a JSON list of objects."""
    out = out or sys.stdout
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows(rows)
    elif fmt == "json":
        json.dump([dict(zip(headers, row, strict=True)) for row in rows], out, indent=2, default=str)
        out.write("\n")
    else:
        cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in r] for r in rows]
        widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
        for index, row in enumerate(cells):
            out.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")
            if index == 0:
                out.write("  ".join("-" * w for w in widths) + "\n")
