"""``collectdesk export {calls,promises,activity}``: stream a table to CSV or JSON on stdout."""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, TextIO

from collectdesk.cli.common import context_from_args
from collectdesk.services.export import ExportValue, export_columns, export_rows


def run(args: argparse.Namespace) -> int:
    """Write every row of the chosen table to stdout."""
    ctx = context_from_args(args)
    try:
        write_export(export_columns(args.what), export_rows(ctx, args.what), args.format, sys.stdout)
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader (e.g. `| head`) stopped early: that is fine, not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        ctx.close()
    return 0


def _cell(value: ExportValue) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True, default=str)
    return str(value)


def _json(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def write_export(columns: Sequence[str], rows: Iterable[Sequence[ExportValue]], fmt: str, out: TextIO) -> None:
    """Write rows as they come: CSV with a header row, or a JSON list of objects."""
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(value) for value in row])
        return
    out.write("[")
    separator = "\n  "
    for row in rows:
        out.write(separator)
        json.dump({name: _json(value) for name, value in zip(columns, row, strict=True)}, out, default=str)
        separator = ",\n  "
    out.write("]\n" if separator == "\n  " else "\n]\n")
