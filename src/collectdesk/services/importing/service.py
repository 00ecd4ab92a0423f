"""The import use case: read, map headings, validate, write in one transaction, log, report."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from collectdesk.domain.errors import InputError
from collectdesk.services.context import AppContext
from collectdesk.services.importing.contacts import import_contacts
from collectdesk.services.importing.customers import import_customers
from collectdesk.services.importing.headers import ColumnMap, map_headings
from collectdesk.services.importing.invoices import import_invoices
from collectdesk.services.importing.payments import import_payments
from collectdesk.services.importing.reading import RawTable, read_table
from collectdesk.services.importing.report import ImportFailed, ImportReport, RowError
from collectdesk.services.importing.validation import Progress
from collectdesk.store.activity import log_activity

Importer = Callable[[Session, AppContext, RawTable, ColumnMap, ImportReport, Progress | None], None]

IMPORTERS: dict[str, Importer] = {
    "customers": import_customers,
    "contacts": import_contacts,
    "invoices": import_invoices,
    "payments": import_payments,
}
KINDS = tuple(IMPORTERS)


class _DryRunDone(Exception):
    """Raised inside the transaction of a dry run so that nothing can be committed."""


def import_csv(
    ctx: AppContext,
    kind: str,
    path: Path | str,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    label: str | None = None,
) -> ImportReport:
    """Import one CSV file of ``kind``, all or nothing; raises :class:`ImportFailed` listing every
    bad row. ``label`` is how the file is named in messages (default: the path as given)."""
    if kind not in IMPORTERS:
        raise InputError(f"cannot import {kind!r}: choose one of {', '.join(KINDS)}")
    path = Path(path)
    file = label or str(path)
    table = read_table(path, file)
    columns, errors = map_headings(kind, table.headings, file)
    if errors:
        raise ImportFailed(file, errors)
    if not table.rows:
        message = "the file has a header row but no data rows; there is nothing to import"
        raise ImportFailed(file, [RowError(file, None, None, message)])
    report = ImportReport(kind=kind, file=file, rows=len(table.rows), dry_run=dry_run)
    if columns.ignored:
        report.notes.append("ignored columns: " + ", ".join(columns.ignored))
    try:
        with ctx.db.session() as session:
            IMPORTERS[kind](session, ctx, table, columns, report, progress)
            if dry_run:
                raise _DryRunDone
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
                },
            )
    except _DryRunDone:
        return report
    if kind == "payments":
        # Payments can keep or partly keep open promises: judge them now, not at the next start.
        from collectdesk.services.promises import evaluate_promises

        evaluated = evaluate_promises(ctx)
        if evaluated.changed:
            report.notes.append(
                f"promises judged: {evaluated.kept} kept, {evaluated.partially_kept} partially kept, "
                f"{evaluated.broken} broken"
            )
    return report
