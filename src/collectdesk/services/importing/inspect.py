"""``collectdesk import inspect FILE``: what the importer recognises in a file, sample rows, and a
mapping file to start from — nothing is written."""

from __future__ import annotations

from pathlib import Path

from collectdesk.services.importing.layout import find_heading_row, heading_kind
from collectdesk.services.importing.profiles import heading_table
from collectdesk.services.importing.report import ImportFailed
from collectdesk.services.importing.shaping import Options, shape
from collectdesk.services.importing.sources import Sheet, read_source

_KINDS = ("customers", "contacts", "invoices", "payments")
_SAMPLES = 5


def guess_kind(sheet: Sheet) -> str:
    """The kind of file whose headings the sheet carries most of (invoices on a tie)."""
    from collectdesk.services.importing.headers import normalise_heading
    from collectdesk.services.importing.profiles import PROFILES, detect_profile

    scores: dict[str, int] = {}
    for kind in _KINDS:
        _, headings = sheet.rows[find_heading_row(sheet, kind)]
        keys = {normalise_heading(h) for h in headings}
        table = heading_table(kind, detect_profile(headings) or PROFILES["generic"])
        fields = {table[key][0] for key in keys if key in table}
        # Invoices carry a due date or terms; a list of dated amounts against invoice numbers without
        # either is a list of payments.
        scores[kind] = len(fields) - (kind == "invoices" and not fields & {"due_date", "terms_days"})
        scores[kind] += 2 * (kind in ("invoices", "payments") and bool(fields & {"number", "invoice_number"}))
    return max(_KINDS, key=lambda kind: (scores[kind], kind == "invoices"))


def inspect_file(path: str | Path, options: Options, kind: str | None = None) -> str:
    """A readable account of the file, ending with a mapping file (TOML) to start from."""
    path = Path(path)
    file = str(path)
    sheet = read_source(path, file, encoding=options.encoding, sheet=options.sheet)
    kind = kind or guess_kind(sheet)
    out: list[str] = [f"{file}: {len(sheet.rows)} non-blank rows; encoding {sheet.encoding}"]
    try:
        shaped = shape(Sheet(sheet.file, sheet.encoding, list(sheet.rows)), kind, options)
    except ImportFailed as failed:  # pragma: no cover - shaping reports problems, it does not raise
        return "\n".join([*out, *map(str, failed.errors)])
    how = "recognised from the headings as" if shaped.detected else "read as"
    out.append(f"read as {kind}; {how} {shaped.profile.title} export")
    out.append("")
    out.append("recognised columns:")
    _, heading_row = sheet.rows[find_heading_row(sheet, kind) if not options.columns else options.skip_rows]
    present = {cell.strip() for cell in heading_row}
    for field, heading in shaped.columns.headings.items():
        if heading in present:
            out.append(f"  {heading!r:40} → {field}")
    if shaped.columns.ignored:
        out.append("not recognised (ignored): " + ", ".join(repr(h) for h in shaped.columns.ignored))
    out.extend(f"note: {note}" for note in shaped.notes)
    for problem in [*shaped.header_errors, *shaped.errors][:10]:
        out.append(f"problem: {problem}")
    for warning in shaped.warnings[:10]:
        out.append(f"warning: {warning}")
    out.append("")
    out.append(f"first {min(_SAMPLES, len(shaped.table.rows))} of {len(shaped.table.rows)} rows as they would be read:")
    for line, cells in shaped.table.rows[:_SAMPLES]:
        shown = ", ".join(f"{h}={c!r}" for h, c in zip(shaped.table.headings, cells, strict=True) if c)
        out.append(f"  line {line}: {shown}")
    out.append("")
    out.append("# mapping.toml to start from: edit, then `collectdesk import KIND FILE --map mapping.toml`")
    out.append(f'from = "{shaped.profile.name}"')
    if shaped.profile.date_order or options.date_format:
        out.append(f'date_format = "{options.date_format or shaped.profile.date_order}"')
    if not sheet.encoding.startswith("Excel"):
        out.append(f'encoding = "{_codec(sheet.encoding)}"')
    skip = find_heading_row(sheet, kind)
    if skip:
        out.append(f"skip_rows = {skip}")
    out.append("[columns]")
    for field, heading in shaped.columns.headings.items():
        if heading in present:
            out.append(f"{field} = {_quoted(heading)}")
    all_fields = set(heading_table(heading_kind(kind), shaped.profile).values())
    missing = sorted({field for field, _ in all_fields} - set(shaped.columns.headings))
    for field in missing:
        out.append(f'# {field} = ""')
    return "\n".join(out)


def _codec(name: str) -> str:
    return {"UTF-8": "utf-8", "UTF-8 with BOM": "utf-8-sig", "Windows-1252": "cp1252"}.get(name, name.lower())


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
