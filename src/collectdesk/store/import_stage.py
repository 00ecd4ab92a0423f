"""Temporary tables an import stages its checked rows in, so that de-duplicating, comparing with what
is stored and writing them happen set-wise in SQL instead of over Python objects for every row.

They live in the import's transaction: a refused, failed or killed import leaves nothing behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import BigInteger, Column, Connection, Date, DateTime, Integer, MetaData, Table, Text

_META = MetaData()
_TYPES: dict[str, Any] = {"int": BigInteger, "text": Text, "date": Date, "moment": DateTime}


def stage_table(name: str, columns: Sequence[tuple[str, str]], key: str | None = "line") -> Table:
    """A temporary table ``name``: ``key`` (by default the file line; ``None``: no key) and ``columns``
    as (name, kind), kind one of ``int``, ``text``, ``date`` and ``moment`` (a stored instant)."""
    if name in _META.tables:
        return _META.tables[name]
    keys = [] if key is None else [Column(key, Integer, primary_key=True, autoincrement=False)]
    return Table(
        name,
        _META,
        *keys,
        *(Column(column, _TYPES[kind]) for column, kind in columns),
        prefixes=["TEMPORARY"],
    )


def create_stage(connection: Connection, table: Table) -> None:
    """Create the (empty) stage table on this connection."""
    drop_stage(connection, table)
    table.create(connection)


def drop_stage(connection: Connection, table: Table) -> None:
    """Remove the stage table if this connection has one."""
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS {table.name}")


def dates_as_text(connection: Connection) -> bool:
    """Whether staged dates are given as ISO text (SQLite) rather than ``date`` objects."""
    return connection.dialect.name == "sqlite"


def load_stage(connection: Connection, table: Table, rows: Sequence[Sequence[Any]]) -> None:
    """Add ``rows`` (values in the table's column order, dates as :func:`dates_as_text` says)."""
    if not rows:
        return
    names = [column.name for column in table.columns]
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        if connection.dialect.name == "sqlite":
            marks = ", ".join("?" for _ in names)
            cursor.executemany(f"INSERT INTO {table.name} ({', '.join(names)}) VALUES ({marks})", rows)
            return
        with cursor.copy(f"COPY {table.name} ({', '.join(names)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()


def driver_executemany(connection: Connection, sql: str, rows: Sequence[Sequence[Any]]) -> None:
    """Run ``sql`` (``?`` placeholders) once per row through the driver, in the caller's transaction;
    values must be as the driver takes them (see :func:`dates_as_text`)."""
    if not rows:
        return
    if connection.dialect.name != "sqlite":
        sql = sql.replace("?", "%s")
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()
