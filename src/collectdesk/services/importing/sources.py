"""Opening an import file as rows of text cells: CSV in any common encoding, or an .xlsx sheet."""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from collectdesk.services.importing.report import ImportFailed, RowError

_DELIMITERS = ",;\t"
XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Sheet:
    """Every non-blank row of a file (with the line or sheet row it starts on) and how it was read."""

    file: str
    encoding: str
    rows: list[tuple[int, list[str]]]


def _fail(file: str, message: str, line: int | None = None) -> ImportFailed:
    return ImportFailed(file, [RowError(file, line, None, message)])


def detect_encoding(data: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (by its BOM, or by zero bytes) or else Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    head = data[:4096]
    if head and head.count(0) * 4 >= len(head):
        # Text in UTF-16 without a BOM: every other byte of ASCII is zero.
        return "utf-16-le" if head[1:2] == b"\x00" else "utf-16-be"
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A cut at the very end of a large read is not a reason to give up on UTF-8.
        if exc.start < len(data) - 4:
            return "cp1252"
    return "utf-8"


ENCODING_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with BOM",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16 LE",
    "utf-16-be": "UTF-16 BE",
    "cp1252": "Windows-1252",
}


def decode(data: bytes, file: str, encoding: str | None = None) -> tuple[str, str]:
    """The text of the file and the name of the encoding used (``encoding`` forces one)."""
    chosen = encoding or detect_encoding(data)
    try:
        codec = codecs.lookup(chosen).name
    except LookupError:
        raise _fail(file, f"{chosen!r} is not an encoding this importer knows (try utf-8 or cp1252)") from None
    try:
        text = data.decode(chosen)
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start : exc.start + 1].hex()
        message = f"the file is not {chosen} (byte 0x{byte}); leave --encoding out to have it detected"
        raise _fail(file, message, line) from None
    return text.lstrip("\ufeff"), ENCODING_NAMES.get(chosen, ENCODING_NAMES.get(codec, chosen))


def delimiter_of(lines: list[str]) -> str:
    """The delimiter the sample lines use: comma, semicolon or tab."""
    # Spreadsheets in many locales export with ';' (or tabs); the widest line shows which one is used.
    best, most = ",", 0
    for delimiter in _DELIMITERS:
        count = max((line.count(delimiter) for line in lines), default=0)
        if count > most:
            best, most = delimiter, count
    return best


def read_csv_text(text: str, file: str, encoding: str) -> Sheet:
    """Split CSV text into rows (blank rows dropped), remembering the line each starts on."""
    sample = [line for line in text[:65536].splitlines()[:40] if line.strip()]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(sample))
    rows: list[tuple[int, list[str]]] = []
    next_line = 1
    try:
        for cells in reader:
            start, next_line = next_line, reader.line_num + 1
            if (cells and cells[0].strip()) or any(cell.strip() for cell in cells):
                rows.append((start, cells))
    except csv.Error as exc:
        raise _fail(file, f"not valid CSV: {exc}", reader.line_num) from None
    return Sheet(file, encoding, rows)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(round(value, 10))
    return str(value)


def read_xlsx(path: Path, file: str, sheet: str | None) -> Sheet:
    """Rows of one worksheet (the first, or ``sheet`` by name), streamed in read-only mode."""
    import openpyxl  # only .xlsx imports pay for loading it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise _fail(file, f"cannot read the workbook: {exc}") from None
    try:
        if sheet is None:
            worksheet = book.worksheets[0]
        elif sheet in book.sheetnames:
            worksheet = book[sheet]
        else:
            raise _fail(file, f"the workbook has no sheet {sheet!r} (it has {', '.join(book.sheetnames)})")
        rows: list[tuple[int, list[str]]] = []
        for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
            cells = [_cell_text(value) for value in values]
            if (cells and cells[0].strip()) or any(cell.strip() for cell in cells):
                rows.append((number, cells))
    finally:
        book.close()
    return Sheet(file, f"Excel workbook, sheet {worksheet.title!r}", rows)


def read_source(path: Path, file: str, *, encoding: str | None = None, sheet: str | None = None) -> Sheet:
    """Read a CSV or .xlsx file; raises :class:`ImportFailed` for unreadable or empty files."""
    try:
        with path.open("rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise _fail(file, f"cannot read the file: {exc.strerror}") from None
    if magic == XLSX_MAGIC:
        result = read_xlsx(path, file, sheet)
    else:
        if sheet is not None:
            raise _fail(file, "--sheet is only for .xlsx workbooks; this file is text")
        text, name = decode(path.read_bytes(), file, encoding)
        result = read_csv_text(text, file, name)
    if not result.rows:
        raise _fail(file, "the file is empty: a header row and data rows are needed")
    return result
