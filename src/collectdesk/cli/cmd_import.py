"""``collectdesk import KIND FILE``: load an accounting export (CSV or .xlsx), all or nothing;
``collectdesk import inspect FILE`` shows what the importer makes of a file."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from typing import TextIO

from collectdesk.cli.common import context_from_args
from collectdesk.domain.errors import InputError
from collectdesk.services.importing import ImportFailed, import_csv
from collectdesk.services.importing.mapping import load_mapping
from collectdesk.services.importing.shaping import Options
from collectdesk.services.importing.values import check_date_format

_BAR = 24
WARNINGS_SHOWN = 20


def _clock(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.5))
    return f"{seconds // 60}:{seconds % 60:02d}" if seconds < 3600 else f"{seconds // 3600}h{seconds % 3600 // 60:02d}"


class ProgressLine:
    """Rows done, rows/s and time left, once an import has run for a second: a bar rewritten in
    place on a terminal, otherwise a plain line every few seconds."""

    AFTER = 1.0
    PLAIN_EVERY = 5.0
    TTY_EVERY = 0.1

    def __init__(self, label: str, out: TextIO | None = None, now: Callable[[], float] = time.monotonic) -> None:
        self.out = out or sys.stderr
        self.label = label
        self.tty = self.out.isatty()
        self.now = now
        self.started = now()
        self.stage_started: dict[str, tuple[float, int]] = {}
        self.last_shown = 0.0
        self.dirty = False

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Report ``done`` of ``total`` rows in ``stage`` (shown only when the import is not quick);
        a stage with no rows to count (``total`` 0) is named once, as the step now under way."""
        now = self.now()
        fresh = stage not in self.stage_started
        began, first = self.stage_started.setdefault(stage, (now, done))
        if now - self.started < self.AFTER:
            return
        if total <= 0:
            if fresh:
                self._show(f"{stage} {self.label}…")
            return
        every = self.TTY_EVERY if self.tty else self.PLAIN_EVERY
        if now - self.last_shown < every and done < total:
            return
        self.last_shown = now
        elapsed = max(now - began, 1e-6)
        rate = (done - first) / elapsed
        left = (total - done) / rate if rate > 0 else 0.0
        figures = f"{done:,}/{total:,} rows  {rate:,.0f} rows/s  {_clock(left)} left"
        filled = _BAR * done // total
        bar = "█" * filled + "░" * (_BAR - filled)
        self._show(f"{stage} {self.label} {bar} {figures}", f"{stage} {self.label}: {figures}")

    def _show(self, on_terminal: str, plain: str | None = None) -> None:
        if self.tty:
            self.out.write(f"\r\033[K{on_terminal}")
            self.dirty = True
        else:
            self.out.write(f"{plain or on_terminal}\n")
        self.out.flush()

    def clear(self) -> None:
        """Remove the progress bar before the summary is printed."""
        if self.dirty:
            self.out.write("\r\033[K")
            self.out.flush()
            self.dirty = False


def _options(args: argparse.Namespace) -> Options:
    date_format = None
    if args.date_format:
        try:
            date_format = check_date_format(args.date_format)
        except ValueError as exc:
            raise InputError(f"--date-format: {exc}") from None
    base = Options(
        source=args.source,
        date_format=date_format,
        strict=args.strict,
        encoding=args.encoding,
        sheet=args.sheet,
    )
    return load_mapping(args.mapping, base) if args.mapping else base


def run(args: argparse.Namespace) -> int:
    """Import the file; print how it was read, its warnings and the summary, or every bad row and exit 1."""
    if args.kind == "inspect":
        from collectdesk.services.importing.inspect import inspect_file

        print(inspect_file(args.file, _options(args), args.inspect_as))
        return 0
    options = _options(args)
    ctx = context_from_args(args)
    progress = ProgressLine(args.file)
    try:
        report = import_csv(
            ctx,
            args.kind,
            args.file,
            dry_run=args.dry_run,
            progress=progress,
            options=options,
        )
    except ImportFailed as failure:
        progress.clear()
        for error in failure.errors:
            print(error, file=sys.stderr)
        print(f"collectdesk: {failure.conclusion}", file=sys.stderr)
        return 1
    finally:
        ctx.close()
    progress.clear()
    print(report.source())
    for note in report.notes:
        print(f"note: {note}")
    for warning in report.warnings[:WARNINGS_SHOWN]:
        print(f"warning: {warning}")
    if len(report.warnings) > WARNINGS_SHOWN:
        print(
            f"warning: … and {len(report.warnings) - WARNINGS_SHOWN} more (the file is imported without those values)"
        )
    figures = report.figures()
    if figures:
        print(figures)
    print(report.summary())
    return 0
