"""Reading an import file: decoding (UTF-8, BOM or not), the header row and the data rows."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from collectdesk.services.importing.report import ImportFailed, RowError

_DELIMITERS = ",;\t"


@dataclass(frozen=True)
class RawTable:
    """The header cells and every non-blank data row with the file line it starts on."""

    file: str
    headings: list[str]
    rows: list[tuple[int, list[str]]]


def decode(data: bytes, file: str) -> str:
    """The text of the file: UTF-8 (a BOM is fine); anything else is rejected, saying where."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        byte = data[exc.start : exc.start + 1].hex()
        raise ImportFailed(
            file,
            [
                RowError(
                    file,
                    line,
                    None,
                    f"the file is not UTF-8 (byte 0x{byte} at character {column}); it looks like another "
                    "encoding such as Latin-1 or Windows-1252: save or export it as CSV UTF-8 and "
                    "try again",
                )
            ],
        ) from None


def _dialect(header_line: str) -> str:
    # Spreadsheets in many locales export with ';' (or tabs); the header shows which one is used.
    counts = {delimiter: header_line.count(delimiter) for delimiter in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def read_table(path: Path, file: str | None = None) -> RawTable:
    """Read and split the file; raises :class:`ImportFailed` for unreadable or empty files."""
    file = file or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        message = f"cannot read the file: {exc.strerror}"
        raise ImportFailed(file, [RowError(file, None, None, message)]) from None
    text = decode(data, file)
    if not text.strip():
        message = "the file is empty: a header row and data rows are needed"
        raise ImportFailed(file, [RowError(file, None, None, message)])
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_dialect(first_line))
    headings: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    next_line = 1
    try:
        for cells in reader:
            start, next_line = next_line, reader.line_num + 1
            if not any(cell.strip() for cell in cells):
                continue
            if headings is None:
                headings = [cell.strip() for cell in cells]
            else:
                rows.append((start, cells))
    except csv.Error as exc:
        raise ImportFailed(file, [RowError(file, reader.line_num, None, f"not valid CSV: {exc}")]) from None
    assert headings is not None  # the text is not blank, so some row had a cell
    return RawTable(file=file, headings=headings, rows=rows)
