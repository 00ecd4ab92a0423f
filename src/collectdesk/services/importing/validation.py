"""Turning raw rows into validated models, collecting every error with its line and column."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from collectdesk.services.importing.headers import ColumnMap
from collectdesk.services.importing.reading import RawTable
from collectdesk.services.importing.report import ImportFailed, RowError
from collectdesk.services.importing.rows import RowCheck, RowContext

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")
Progress = Callable[[str, int, int], None]

PROGRESS_EVERY = 2000


def _message(error: dict[str, object]) -> str:
    message = str(error.get("msg", "is not valid"))
    return message.removeprefix("Value error, ")


def validate_rows(
    model: type[M],
    table: RawTable,
    columns: ColumnMap,
    context: RowContext,
    progress: Progress | None = None,
) -> tuple[list[tuple[int, M]], list[RowError]]:
    """Validate every row; returns the good rows (with their line) and every error found."""
    good: list[tuple[int, M]] = []
    errors: list[RowError] = []
    positions = list(columns.positions.items())
    total = len(table.rows)
    for index, (line, cells) in enumerate(table.rows):
        if progress is not None and index % PROGRESS_EVERY == 0:
            progress("checking", index, total)
        data = {column: cells[position] if position < len(cells) else "" for column, position in positions}
        try:
            good.append((line, model.model_validate(data, context=context)))
        except ValidationError as exc:
            for error in exc.errors(include_url=False):
                column = str(error["loc"][0]) if error["loc"] else None
                errors.append(
                    RowError(table.file, line, columns.headings.get(column or "", column), _message(dict(error)))
                )
    if progress is not None:
        progress("checking", total, total)
    return good, errors


def check_rows(
    make_check: Callable[[Mapping[str, int], RowContext], RowCheck],
    table: RawTable,
    columns: ColumnMap,
    context: RowContext,
    progress: Progress | None = None,
) -> tuple[list[tuple[int, T]], list[RowError]]:
    """Check every row with a plain row check (see ``rows.invoice_check``); the good rows and every
    error. The table's rows are used up: each file row is let go once checked."""
    check = make_check(columns.positions, context)
    good: list[tuple[int, T]] = []
    errors: list[RowError] = []
    file, headings = table.file, columns.headings
    pending = table.rows
    total = len(pending)
    pending.reverse()
    index = 0
    while pending:
        line, cells = pending.pop()
        if progress is not None and index % PROGRESS_EVERY == 0:
            progress("checking", index, total)
        index += 1
        row, problems = check(cells)
        if row is not None:
            good.append((line, row))
        for column, message in problems:
            errors.append(RowError(file, line, headings.get(column, column), message))
    if progress is not None:
        progress("checking", total, total)
    return good, errors


def find_duplicates(
    rows: Sequence[tuple[int, T]],
    key: Callable[[T], Hashable],
    file: str,
    column: str,
    described_as: str,
) -> list[RowError]:
    """An error for every row whose key already appeared on an earlier line of the same file."""
    first_seen: dict[Hashable, int] = {}
    errors = []
    for line, row in rows:
        row_key = key(row)
        if row_key in first_seen:
            errors.append(
                RowError(file, line, column, f"duplicate of line {first_seen[row_key]} (same {described_as})")
            )
        else:
            first_seen[row_key] = line
    return errors


def chunks(items: Sequence[T], size: int = 2000) -> Iterator[Sequence[T]]:
    """Slices of ``items`` small enough for an ``IN (...)`` list on every backend."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def refuse_if_any(file: str, errors: list[RowError]) -> None:
    """Refuse the whole file, listing every bad row in file order, when any row is bad."""
    if errors:
        raise ImportFailed(file, sorted(errors, key=lambda e: e.line or 0))
