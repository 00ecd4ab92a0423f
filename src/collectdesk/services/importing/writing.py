"""The last step every importer shares: count what changes, then bulk insert and update (unless a dry run)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import insert, update
from sqlalchemy.orm import Session

from collectdesk.services.importing.report import ImportReport
from collectdesk.store.models import Base


def write_changes(
    session: Session,
    report: ImportReport,
    model: type[Base],
    inserts: list[dict[str, Any]],
    updates: list[dict[str, Any]],
) -> None:
    """Record the counts on the report and write new and changed rows through Core, in bulk."""
    report.added, report.updated = len(inserts), len(updates)
    if report.dry_run:
        return
    if inserts:
        session.execute(insert(model), inserts)
    if updates:
        session.execute(update(model), updates)
