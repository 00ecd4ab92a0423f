"""Where exported files go (a documented folder, never the current directory) and writing one as CSV."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from collectdesk.services.tally_report import csv_cell
from collectdesk.settings import Settings, data_dir


def export_folder(settings: Settings) -> Path:
    """The folder exports are written to: ``export_dir`` from the settings, else ``exports/`` in the data dir."""
    return settings.export_dir or data_dir() / "exports"


def write_csv_file(folder: Path, name: str, headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> Path:
    """Write ``rows`` under ``headers`` to ``folder/name`` (the folder is created); returns the file's path.

    Raises :class:`OSError` when the folder cannot be created or written."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(headers)
        writer.writerows([csv_cell(value) for value in row] for row in rows)
    return path.resolve()
