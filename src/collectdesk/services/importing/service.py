"""The import use case: read, map headings, validate, write in one transaction, log, report."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from collectdesk.domain.errors import InputError
from collectdesk.services.context import AppContext
from collectdesk.services.importing.contacts import import_contacts
from collectdesk.services.importing.customers import import_customers
from collectdesk.services.importing.headers import ColumnMap
from collectdesk.services.importing.invoices import import_invoices
from collectdesk.services.importing.naming import resolve_customers
from collectdesk.services.importing.payments import import_payments
from collectdesk.services.importing.reading import RawTable
from collectdesk.services.importing.report import ImportFailed, ImportReport, RowError
from collectdesk.services.importing.shaping import Options, Shaped, shape
from collectdesk.services.importing.sources import read_source
from collectdesk.services.importing.unchanged import file_digest, mark, unchanged_report
from collectdesk.services.importing.validation import Progress
from collectdesk.services.importing.writing import BULK_ROWS, in_transaction
from collectdesk.store.activity import log_activity
from collectdesk.store.derived import bulk_load

Importer = Callable[[Session, AppContext, RawTable, ColumnMap, ImportReport, Progress | None], None]

IMPORTERS: dict[str, Importer] = {
    "customers": import_customers,
    "contacts": import_contacts,
    "invoices": import_invoices,
    "payments": import_payments,
    "aging": import_invoices,
}
KINDS = tuple(IMPORTERS)
_BULK_BY_WRITES = {"invoices", "aging", "payments"}


class _DryRunDone(Exception):
    """Raised inside the transaction of a dry run so that nothing can be committed."""


def _merged(reading: list[RowError], checking: list[RowError]) -> list[RowError]:
    """Every problem once, in file order: the reader's word on a cell stands over the row check's."""
    said = {(error.line, error.column) for error in reading}
    rest = [error for error in checking if (error.line, error.column) not in said]
    return sorted([*reading, *rest], key=lambda e: e.line or 0)


def _log(session: Session, ctx: AppContext, kind: str, path: Path, report: ImportReport, extra: dict[str, Any]) -> None:
    """The import's entry on the timeline."""
    log_activity(
        session,
        at=ctx.clock.now(),
        kind="import",
        user_id=ctx.user.id,
        summary=f"Imported {kind} from {path.name}: {report.added} added, "
        f"{report.updated} updated, {report.unchanged} unchanged",
        details={
            "kind": kind,
            "file": path.name,
            "rows": report.rows,
            "added": report.added,
            "updated": report.updated,
            "unchanged": report.unchanged,
            "notes": report.notes,
            **extra,
        },
    )


def read_and_shape(kind: str, path: Path, file: str, options: Options) -> Shaped:
    """Read the file and shape its rows for ``kind``; refuses the file on any error found so far."""
    sheet = read_source(path, file, encoding=options.encoding, sheet=options.sheet)
    shaped = shape(sheet, kind, options)
    if shaped.header_errors:
        raise ImportFailed(file, shaped.header_errors)
    shaped.encoding = sheet.encoding
    return shaped


def import_csv(
    ctx: AppContext,
    kind: str,
    path: Path | str,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    label: str | None = None,
    options: Options | None = None,
) -> ImportReport:
    """Import one CSV or .xlsx file of ``kind``, all or nothing; raises :class:`ImportFailed` listing
    every bad row. ``label`` is how the file is named in messages (default: the path as given)."""
    if kind not in IMPORTERS:
        raise InputError(f"cannot import {kind!r}: choose one of {', '.join(KINDS)}")
    path = Path(path)
    file = label or str(path)
    options = options or Options()
    digest = None if dry_run else file_digest(path)
    if digest is not None:
        with ctx.db.session() as session:
            known = unchanged_report(session, kind, file, digest, options)
            if known is not None:
                # The same file as last time and nothing it compares against has changed: every row
                # is unchanged, so nothing is read row by row and nothing but the log entry is written.
                _log(session, ctx, kind, path, known[0], known[1])
                return known[0]
    shaped = read_and_shape(kind, path, file, options)
    if not shaped.table.rows and not shaped.source_rows:
        message = "the file has a header row but no data rows; there is nothing to import"
        raise ImportFailed(file, [RowError(file, None, None, message)])
    report = ImportReport(kind=kind, file=file, rows=shaped.source_rows, dry_run=dry_run)
    report.encoding = shaped.encoding
    report.profile = shaped.profile.title
    report.detected = shaped.detected
    report.warnings = shaped.warnings
    report.notes += shaped.notes
    if shaped.columns.ignored:
        shown = shaped.columns.ignored[:12]
        more = f" and {len(shaped.columns.ignored) - 12} more" if len(shaped.columns.ignored) > 12 else ""
        report.notes.append("ignored columns: " + ", ".join(shown) + more)
    try:
        with ctx.db.session() as session:
            table, columns, resolved = resolve_customers(session, ctx, kind, shaped.table, shaped.columns, create=True)
            if resolved.created:
                verb = "would create" if dry_run else "created"
                report.notes.append(
                    f"{verb} {resolved.created} customer{'s' if resolved.created > 1 else ''} named only by name "
                    "(each with a generated ref)"
                )
            if resolved.linked:
                report.notes.append(f"{resolved.linked} rows linked to existing customers by name or email")
            if resolved.due_from_terms:
                report.notes.append(f"{resolved.due_from_terms} due dates worked out from payment terms")
            report.created_customers = resolved.created
            # Large files are written without per-row triggers; what they keep is rebuilt set-based after.
            # Invoices and payments decide that by how many rows they really write.
            quick = len(table.rows) < BULK_ROWS or bool(shaped.errors) or kind in _BULK_BY_WRITES
            with contextlib.nullcontext() if quick else bulk_load(in_transaction(session)):
                if table.rows:
                    try:
                        IMPORTERS[kind](session, ctx, table, columns, report, progress)
                    except ImportFailed as failed:
                        raise ImportFailed(file, _merged(shaped.errors, failed.errors)) from None
            if shaped.errors:
                raise ImportFailed(file, _merged(shaped.errors, []))
            if dry_run:
                raise _DryRunDone
            _log(session, ctx, kind, path, report, mark(session, kind, digest, options, report))
    except _DryRunDone:
        return report
    if kind == "payments" and not dry_run:
        # Payments can keep or partly keep open promises: judge them now, not at the next start.
        from collectdesk.services.promises import evaluate_promises

        evaluated = evaluate_promises(ctx)
        if evaluated.changed:
            report.notes.append(
                f"promises judged: {evaluated.kept} kept, {evaluated.partially_kept} partially kept, "
                f"{evaluated.broken} broken"
            )
    return report
