"""A UTF-8 CSV file read as a stream of rows, for imports too large to hold as text and cell lists."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from collectdesk.services.importing.sources import ENCODING_NAMES, XLSX_MAGIC, delimiter_of, detect_encoding

_HEAD = 65536
_BLOCK = 1 << 20


class NotPlain(Exception):
    """The file needs the whole-file reader (another encoding, a workbook, unreadable text, …)."""


class PlainFile:
    """An open CSV file in UTF-8 (a BOM is fine): its encoding's name, delimiter and rows."""

    def __init__(self, path: Path) -> None:
        try:
            with path.open("rb") as handle:
                head = handle.read(_HEAD)
        except OSError:
            raise NotPlain from None
        if not head.strip() or head.startswith(XLSX_MAGIC):
            raise NotPlain
        encoding = detect_encoding(head)
        if encoding not in ("utf-8", "utf-8-sig"):
            raise NotPlain
        self.encoding = ENCODING_NAMES[encoding]
        self.path = path
        self._codec = encoding
        self._handle: TextIO = path.open(encoding=encoding, newline="")
        try:
            text = self._handle.read(_HEAD)
        except UnicodeDecodeError:
            self.close()
            raise NotPlain from None
        self._handle.seek(0)
        sample = [line for line in text.lstrip("\ufeff").splitlines()[:40] if line.strip()]
        self.delimiter = delimiter_of(sample)

    def lines(self) -> int:
        """How many lines the file has (an upper bound on its rows, for progress)."""
        count = 0
        last = b"\n"
        with self.path.open("rb") as handle:
            while block := handle.read(_BLOCK):
                count += block.count(b"\n")
                last = block[-1:]
        return count + (last != b"\n")

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """Every non-blank row with the line it starts on; :class:`NotPlain` for text that is not
        UTF-8 or not valid CSV (the whole-file reader then says where)."""
        reader = csv.reader(self._handle, delimiter=self.delimiter)
        next_line = 1
        first = True
        try:
            for cells in reader:
                start, next_line = next_line, reader.line_num + 1
                if first and cells and self._codec == "utf-8":
                    cells[0] = cells[0].lstrip("\ufeff")
                first = False
                if (cells and cells[0].strip()) or any(cell.strip() for cell in cells):
                    yield start, cells
        except (csv.Error, UnicodeDecodeError):
            raise NotPlain from None

    def close(self) -> None:
        """Close the file."""
        self._handle.close()
