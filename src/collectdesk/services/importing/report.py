"""What an import found and did: row errors, the failure that carries them, and the summary."""

from __future__ import annotations

from dataclasses import dataclass, field

from collectdesk.domain.errors import InputError


@dataclass(frozen=True)
class RowError:
    """One problem in the file: its line (header = 1), the column as headed, and the message."""

    file: str
    line: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(str(self.line))
        if self.column:
            where.append(self.column)
        return f"{':'.join(where)}: {self.message}"


class ImportFailed(InputError):
    """The file was rejected and nothing was written; ``errors`` lists every problem found."""

    def __init__(self, file: str, errors: list[RowError]) -> None:
        self.file = file
        self.errors = errors
        super().__init__("\n".join([*map(str, errors), self.conclusion]))

    @property
    def bad_rows(self) -> int:
        """How many distinct lines had problems."""
        return len({error.line for error in self.errors if error.line is not None})

    @property
    def conclusion(self) -> str:
        """The last line under the error list."""
        rows = self.bad_rows
        counted = f"{rows} bad row{'s' if rows != 1 else ''}" if rows else "the file cannot be read"
        return f"{self.file}: {counted}; nothing was imported"


@dataclass
class ImportReport:
    """The outcome of an import (or of a dry run): counts and notes worth telling the user."""

    kind: str
    file: str
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)
    encoding: str = "UTF-8"
    profile: str = "generic CSV"
    detected: bool = False
    created_customers: int = 0
    # Sum of the amounts written, by currency (minor units), so the report can be checked against the file.
    totals: dict[str, int] = field(default_factory=dict)

    def source(self) -> str:
        """How the file was read: its layout and its encoding."""
        how = "recognised from the headings as" if self.detected else "read as"
        return f"{self.file}: {how} {self.profile} export; encoding {self.encoding}"

    def figures(self) -> str | None:
        """The file's amounts in all (by currency) and its warnings, to check against the source."""
        from collectdesk.domain.money import format_amount

        parts = []
        if self.totals:
            parts.append("total " + ", ".join(format_amount(v, c) for c, v in sorted(self.totals.items())))
        if self.warnings:
            parts.append(f"{len(self.warnings)} warning{'s' if len(self.warnings) > 1 else ''}")
        return f"{self.file}: " + "; ".join(parts) if parts else None

    def summary(self) -> str:
        """The one-line summary shown at the end of an import."""
        counts = f"{self.added} added, {self.updated} updated, {self.unchanged} unchanged"
        tail = " (dry run: nothing was written)" if self.dry_run else ""
        return f"{self.file}: {self.rows} rows: {counts}{tail}"


def merged_errors(reading: list[RowError], checking: list[RowError]) -> list[RowError]:
    """Every problem once, in file order: the reader's word on a cell stands over the row check's."""
    said = {(error.line, error.column) for error in reading}
    rest = [error for error in checking if (error.line, error.column) not in said]
    return sorted([*reading, *rest], key=lambda e: e.line or 0)
