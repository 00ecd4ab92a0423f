"""Re-importing a file that changed nothing: known by the file's digest and a checksum of what is stored."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from collectdesk.services.importing.report import ImportReport
from collectdesk.services.importing.shaping import Options
from collectdesk.store.import_fingerprint import invoices_fingerprint
from collectdesk.store.models import Activity

# Only invoices: they depend on nothing but the file, the options and what the checksum covers.
KINDS = {"invoices"}
_LOOKED_AT = 20


def file_digest(path: Path) -> str | None:
    """The SHA-256 of the file's bytes, or ``None`` when it cannot be read (the import says why)."""
    try:
        with path.open("rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    except OSError:
        return None


def mark(session: Session, kind: str, digest: str | None, options: Options, report: ImportReport) -> dict[str, Any]:
    """What to keep in the import's log entry so that the same file next time is known unchanged:
    nothing when the next import of it could say something else (customers created, values left out
    as warnings, rows updated)."""
    if kind not in KINDS or digest is None or report.warnings or report.created_customers or report.updated:
        return {}
    fingerprint = invoices_fingerprint(session.connection())
    if fingerprint is None:
        return {}
    return {
        "reimport": {
            "sha256": digest,
            "options": repr(options),
            "fingerprint": fingerprint,
            "totals": report.totals,
            "encoding": report.encoding,
            "profile": report.profile,
            "detected": report.detected,
        }
    }


def unchanged_report(
    session: Session, kind: str, file: str, digest: str | None, options: Options
) -> tuple[ImportReport, dict[str, Any]] | None:
    """The report of importing this file again, when the last import of ``kind`` was this very file
    with the same options and nothing it compares against has changed since; else ``None``."""
    if kind not in KINDS or digest is None:
        return None
    recent = session.execute(
        select(Activity.details).where(Activity.kind == "import").order_by(Activity.id.desc()).limit(_LOOKED_AT)
    ).scalars()
    entry = next((d for d in recent if isinstance(d, dict) and d.get("kind") == kind), None)
    known = entry.get("reimport") if entry else None
    if not isinstance(known, dict) or known.get("sha256") != digest or known.get("options") != repr(options):
        return None
    if invoices_fingerprint(session.connection()) != known.get("fingerprint"):
        return None
    assert entry is not None
    report = ImportReport(kind=kind, file=file, rows=int(entry["rows"]))
    report.unchanged = int(entry["added"]) + int(entry["updated"]) + int(entry["unchanged"])
    report.notes = list(entry.get("notes", []))
    report.totals = {str(currency): int(total) for currency, total in known["totals"].items()}
    report.encoding, report.profile, report.detected = known["encoding"], known["profile"], bool(known["detected"])
    return report, {"reimport": known}
