"""Where the data is in a sheet: the heading row below any title rows, and which rows are not data."""

from __future__ import annotations

import re
from dataclasses import dataclass

from collectdesk.services.importing.headers import normalise_heading
from collectdesk.services.importing.profiles import PROFILES, heading_table
from collectdesk.services.importing.report import RowError
from collectdesk.services.importing.sources import Sheet

_LOOK_FOR_HEADING = 30
TOTAL_ROW = re.compile(r"^(?:grand\s+)?total\b", re.IGNORECASE)


def heading_kind(kind: str) -> str:
    """The kind whose headings a kind of file uses (an aging report is a list of invoices)."""
    return "invoices" if kind == "aging" else kind


def _known_headings(kind: str) -> set[str]:
    known: set[str] = set()
    for profile in PROFILES.values():
        known.update(heading_table(heading_kind(kind), profile))
        for signature in profile.signatures:
            known.update(signature)
    return known


def find_heading_row(sheet: Sheet, kind: str) -> int:
    """Index (into ``sheet.rows``) of the heading row: the early row naming the most known columns."""
    known = _known_headings(kind)
    best_index, best_score = 0, 1
    for index, (_, cells) in enumerate(sheet.rows[:_LOOK_FOR_HEADING]):
        score = len({key for key in map(normalise_heading, cells) if key in known})
        if score > best_score:
            best_index, best_score = index, score
    if best_score > 1:
        return best_index
    # No known headings: the first row as wide as the widest early row (title rows have one cell or two).
    early = sheet.rows[:_LOOK_FOR_HEADING]
    widths = [sum(1 for cell in cells if cell.strip()) for _, cells in early]
    widest = max(widths, default=0)
    return next((index for index, width in enumerate(widths) if width == widest), 0)


@dataclass(frozen=True)
class Columns:
    """Which column feeds each field, the heading it was read from, and what nobody reads."""

    positions: dict[str, int]
    headings: dict[str, str]
    ignored: list[str]
    notes: list[str]
    errors: list[RowError]


def map_columns(
    headings: list[str], table: dict[str, tuple[str, int]], file: str, line: int, *, known_layout: bool
) -> Columns:
    """Match headings to fields (best-ranked heading wins). A repeated heading the importer reads is
    refused, unless the file's layout is known to repeat it (then the first is read)."""
    chosen: dict[str, tuple[int, int]] = {}
    seen: dict[str, int] = {}
    notes: list[str] = []
    errors: list[RowError] = []
    for position, heading in enumerate(headings):
        key = normalise_heading(heading)
        if not key:
            continue
        if key in seen:
            if key in table and not known_layout:
                message = f"the column appears twice (columns {seen[key] + 1} and {position + 1})"
                errors.append(RowError(file, line, heading.strip(), message))
                continue
            notes.append(
                f"{file}: the heading {heading.strip()!r} appears twice (columns {seen[key] + 1} and "
                f"{position + 1}); the first is read"
            )
            continue
        seen[key] = position
        if key in table:
            field, rank = table[key]
            if field not in chosen or rank < chosen[field][0]:
                chosen[field] = (rank, position)
    positions = {field: position for field, (_, position) in chosen.items()}
    used = set(positions.values())
    ignored = [h.strip() for i, h in enumerate(headings) if i not in used and h.strip()]
    return Columns(positions, {f: headings[p].strip() for f, p in positions.items()}, ignored, notes, errors)


def is_data_row(cells: list[str], width: int) -> tuple[bool, str | None]:
    """(is it a data row, the group it opens); group, subtotal, ``TOTAL`` and footer rows are not."""
    first = cells[0].strip() if len(cells) > 1 else ""
    if first and cells[1].strip():
        # The usual row of a large export: two cells filled, so neither blank nor a group heading.
        return (False, None) if TOTAL_ROW.match(first) else (True, None)
    filled = [cell.strip() for cell in cells if cell.strip()]
    if not filled:
        return False, None
    if TOTAL_ROW.match(filled[0]):
        return False, None
    if len(filled) == 1 and width >= 3:
        return False, filled[0]
    return True, None
