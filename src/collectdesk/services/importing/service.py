"""The import use case: read, map headings, validate, write in one transaction, log, report."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from collectdesk.domain.errors import InputError
from collectdesk.services.access import refused_by_database
from collectdesk.services.context import AppContext
from collectdesk.services.importing.contacts import import_contacts
from collectdesk.services.importing.customers import import_customers
from collectdesk.services.importing.headers import ColumnMap
from collectdesk.services.importing.invoices import import_invoices
from collectdesk.services.importing.invoices_stream import import_invoices_stream
from collectdesk.services.importing.naming import resolve_customers
from collectdesk.services.importing.payments import import_payments
from collectdesk.services.importing.payments_stream import import_payments_stream
from collectdesk.services.importing.plainfile import NotPlain
from collectdesk.services.importing.reading import RawTable
from collectdesk.services.importing.report import ImportFailed, ImportReport, RowError, merged_errors
from collectdesk.services.importing.shaping import Options, Shaped, shape
from collectdesk.services.importing.sources import read_source
from collectdesk.services.importing.streaming import RowStream
from collectdesk.services.importing.unchanged import file_digest, mark, unchanged_report
from collectdesk.services.importing.validation import Progress
from collectdesk.services.importing.writing import bulk_loading, in_transaction
from collectdesk.store.activity import log_activity
from collectdesk.store.database import foreign_keys_unchecked, roomy_page_cache, unmapped
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
StreamImporter = Callable[[Session, AppContext, RowStream, ImportReport, Progress | None], None]
STREAMED: dict[str, StreamImporter] = {"invoices": import_invoices_stream, "payments": import_payments_stream}
_BULK_BY_WRITES = {"invoices", "aging", "payments"}
# The page cache a large import works in instead of the memory map: the unique indexes it adds to
# (a payment's import key, an allocation's payment and invoice) fit, so their pages are read once.
IMPORT_CACHE_MIB = 32


class _DryRunDone(Exception):
    """Raised inside the transaction of a dry run so that nothing can be committed."""


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
    every bad row. ``label`` is how the file is named in messages (default: the path as given). On a
    team database, a login the database refuses the writes to is told so (:class:`NotAllowed`)."""
    with refused_by_database(ctx, f"importing {kind}"):
        return _import_file(ctx, kind, path, dry_run, progress, label, options)


def _import_file(
    ctx: AppContext,
    kind: str,
    path: Path | str,
    dry_run: bool,
    progress: Progress | None,
    label: str | None,
    options: Options | None,
) -> ImportReport:
    """:func:`import_csv` itself."""
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
    if kind in STREAMED:
        try:
            report = _import_streamed(ctx, kind, path, file, options, dry_run, progress, digest)
        except NotPlain:
            pass  # the whole-file path below reads it
        else:
            return _judge_promises(ctx, report)
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
    report.notes += _ignored_note(shaped.columns.ignored)
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
            quick = bool(shaped.errors) or kind in _BULK_BY_WRITES or not bulk_loading(session, len(table.rows))
            with contextlib.nullcontext() if quick else bulk_load(in_transaction(session)):
                if table.rows:
                    try:
                        IMPORTERS[kind](session, ctx, table, columns, report, progress)
                    except ImportFailed as failed:
                        raise ImportFailed(file, merged_errors(shaped.errors, failed.errors)) from None
            if shaped.errors:
                raise ImportFailed(file, merged_errors(shaped.errors, []))
            if dry_run:
                raise _DryRunDone
            _log(session, ctx, kind, path, report, mark(session, kind, digest, options, report))
    except _DryRunDone:
        return report
    return _judge_promises(ctx, report)


def _judge_promises(ctx: AppContext, report: ImportReport) -> ImportReport:
    """After payments: judge open promises now, not at the next start (payments can keep them)."""
    if report.kind == "payments" and not report.dry_run:
        from collectdesk.services.promises import evaluate_promises

        evaluated = evaluate_promises(ctx)
        if evaluated.changed:
            report.notes.append(
                f"promises judged: {evaluated.kept} kept, {evaluated.partially_kept} partially kept, "
                f"{evaluated.broken} broken"
            )
    return report


def _ignored_note(ignored: list[str]) -> list[str]:
    if not ignored:
        return []
    shown = ignored[:12]
    more = f" and {len(ignored) - 12} more" if len(ignored) > 12 else ""
    return ["ignored columns: " + ", ".join(shown) + more]


def _import_streamed(
    ctx: AppContext,
    kind: str,
    path: Path,
    file: str,
    options: Options,
    dry_run: bool,
    progress: Progress | None,
    digest: str | None,
) -> ImportReport:
    """Import a large plain file as it is read (see ``streaming``); :class:`NotPlain` when it is not one."""
    report = ImportReport(kind=kind, file=file, rows=0, dry_run=dry_run)
    try:
        with (
            ctx.db.session() as session,
            # Every customer, invoice and payment a large file refers to is read or written here.
            foreign_keys_unchecked(session.connection()),
            unmapped(session.connection()),
            roomy_page_cache(session.connection(), IMPORT_CACHE_MIB),
        ):
            stream = RowStream(session, kind, path, file, options, ctx.clock.today() if kind == "payments" else None)
            try:
                report.encoding = stream.plain.encoding
                report.profile = stream.layout.profile.title
                report.detected = stream.layout.detected
                STREAMED[kind](session, ctx, stream, report, progress)
            finally:
                stream.close()
            if not stream.source_rows:
                message = "the file has a header row but no data rows; there is nothing to import"
                raise ImportFailed(file, [RowError(file, None, None, message)])
            report.rows = stream.source_rows
            report.warnings = stream.shaper.warnings
            report.notes = [*stream.shaper.notes, *_ignored_note(stream.columns.ignored), *report.notes]
            if dry_run:
                raise _DryRunDone
            _log(session, ctx, kind, path, report, mark(session, kind, digest, options, report))
    except _DryRunDone:
        pass
    return report
