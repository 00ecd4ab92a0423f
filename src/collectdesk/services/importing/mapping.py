"""A mapping file (TOML) for a layout no profile knows: which column feeds each field, and how to read it."""

from __future__ import annotations

import tomllib
from dataclasses import replace
from pathlib import Path

from collectdesk.domain.errors import InputError
from collectdesk.services.importing.profiles import EXTRA_FIELDS, SOURCES
from collectdesk.services.importing.shaping import Options
from collectdesk.services.importing.values import check_date_format

_KEYS = {"columns", "date_format", "skip_rows", "encoding", "sheet", "from"}


def known_fields() -> set[str]:
    """Every field a mapping may name, over all kinds."""
    from collectdesk.services.importing.headers import ALIASES

    fields = {name for aliases in ALIASES.values() for name in aliases}
    fields |= {name for extra in EXTRA_FIELDS.values() for name in extra}
    return fields


def load_mapping(path: str | Path, base: Options) -> Options:
    """The options a mapping file sets on top of ``base`` (the command line wins where both say)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read the mapping file: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{path}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise InputError(f"{path}: unknown settings {', '.join(unknown)} (known: {', '.join(sorted(_KEYS))})")
    columns = data.get("columns", {})
    if not isinstance(columns, dict) or not all(isinstance(v, str) for v in columns.values()):
        raise InputError(f'{path}: [columns] must map field names to headings, e.g. number = "Doc No"')
    bad = sorted(set(columns) - known_fields())
    if bad:
        raise InputError(f"{path}: unknown fields in [columns]: {', '.join(bad)}")
    source = data.get("from")
    if source is not None and source not in SOURCES:
        raise InputError(f"{path}: from = {source!r} is not one of {', '.join(SOURCES)}")
    date_format = data.get("date_format")
    if date_format is not None:
        try:
            date_format = check_date_format(str(date_format))
        except ValueError as exc:
            raise InputError(f"{path}: date_format: {exc}") from None
    skip_rows = data.get("skip_rows", 0)
    if not isinstance(skip_rows, int) or skip_rows < 0:
        raise InputError(f"{path}: skip_rows must be a whole number of rows")
    return replace(
        base,
        source=base.source or source,
        date_format=base.date_format or date_format,
        encoding=base.encoding or data.get("encoding"),
        sheet=base.sheet or data.get("sheet"),
        skip_rows=skip_rows,
        columns=dict(columns),
    )
