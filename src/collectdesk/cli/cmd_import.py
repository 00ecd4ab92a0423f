"""``collectdesk import KIND FILE.csv [--dry-run]``: load an accounting export, all or nothing."""

from __future__ import annotations

import argparse
import sys
from typing import TextIO

from collectdesk.cli.common import context_from_args
from collectdesk.services.importing import ImportFailed, import_csv


class ProgressLine:
    """A percentage on one terminal line, rewritten in place; silent unless stderr is a terminal."""

    MIN_ROWS = 5000

    def __init__(self, label: str, out: TextIO | None = None) -> None:
        self.out = out or sys.stderr
        self.label = label
        self.enabled = self.out.isatty()
        self.shown = -1
        self.dirty = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Show ``stage`` at ``done`` of ``total`` rows (only for large files, only on change)."""
        if not self.enabled or total < self.MIN_ROWS:
            return
        percent = done * 100 // total
        if percent != self.shown:
            self.shown = percent
            self.out.write(f"\r{stage} {self.label}: {percent:3d}%")
            self.out.flush()
            self.dirty = True

    def clear(self) -> None:
        """Remove the progress line before the summary is printed."""
        if self.dirty:
            self.out.write("\r\033[K")
            self.out.flush()
            self.dirty = False


def run(args: argparse.Namespace) -> int:
    """Import the file; print the summary, or every bad row and exit 1."""
    ctx = context_from_args(args)
    progress = ProgressLine(args.file)
    try:
        report = import_csv(ctx, args.kind, args.file, dry_run=args.dry_run, progress=progress)
    except ImportFailed as failure:
        progress.clear()
        for error in failure.errors:
            print(error, file=sys.stderr)
        print(f"collectdesk: {failure.conclusion}", file=sys.stderr)
        return 1
    finally:
        ctx.close()
    progress.clear()
    for note in report.notes:
        print(f"note: {note}")
    print(report.summary())
    return 0
