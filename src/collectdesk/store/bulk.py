"""Writing many rows at once: on SQLite through the driver's ``executemany``, its indexes set aside."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

from sqlalchemy import Connection, Table, bindparam, func, insert, select, update

# Below this many rows the plain Core path is as quick and nothing is worth special handling.
DRIVER_ROWS = 2_000
_BATCH = 50_000


def _processors(connection: Connection, table: Table, columns: Sequence[str]) -> list[Callable[[Any], Any] | None]:
    """What SQLAlchemy would do to each value on the way in (dates and times to text, JSON to text)."""
    dialect = connection.dialect
    return [table.c[name].type.dialect_impl(dialect).bind_processor(dialect) for name in columns]


def _processed(
    rows: Iterable[Sequence[Any]], processors: list[Callable[[Any], Any] | None]
) -> Iterator[tuple[Any, ...]]:
    steps = [(index, step) for index, step in enumerate(processors) if step is not None]
    if not steps:
        yield from (tuple(row) for row in rows)
        return
    # The same object in row after row (one instant for a whole batch) is converted once.
    last: dict[int, tuple[Any, Any]] = {}
    for row in rows:
        values = list(row)
        for index, step in steps:
            value = values[index]
            if value is None:
                continue
            seen = last.get(index)
            if seen is not None and seen[0] is value:
                values[index] = seen[1]
            else:
                values[index] = converted = step(value)
                last[index] = (value, converted)
        yield tuple(values)


def _driver_executemany(connection: Connection, sql: str, rows: Iterable[tuple[Any, ...]]) -> None:
    # The session's own DBAPI connection, so the rows are part of its open transaction; SQLAlchemy's
    # per-row parameter handling was as costly as SQLite's own work on large loads.
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.executemany(sql, rows)
    finally:
        cursor.close()


def insert_rows(
    connection: Connection,
    table: Table,
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    count: int | None = None,
) -> None:
    """``INSERT`` each row (values in the order of ``columns``), in the caller's transaction.

    ``rows`` may be a generator (``count`` then says how many it yields), so that a large load
    need not be built as a list first.
    """
    if count is None:
        rows = rows if isinstance(rows, Sequence) else list(rows)
        count = len(rows)
    if not count:
        return
    if connection.dialect.name != "sqlite" or count < DRIVER_ROWS:
        statement = insert(table)
        source = iter(rows)
        while part := list(islice(source, _BATCH)):
            connection.execute(statement, [dict(zip(columns, row, strict=True)) for row in part])
        return
    quoted = ", ".join(connection.dialect.identifier_preparer.quote(name) for name in columns)
    marks = ", ".join("?" for _ in columns)
    sql = f"INSERT INTO {connection.dialect.identifier_preparer.format_table(table)} ({quoted}) VALUES ({marks})"
    _driver_executemany(connection, sql, _processed(rows, _processors(connection, table, columns)))


def update_rows(connection: Connection, table: Table, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """``UPDATE … SET columns WHERE id = ?`` for each row: its values in the order of ``columns``, then its id."""
    if not rows:
        return
    if connection.dialect.name != "sqlite" or len(rows) < DRIVER_ROWS:
        statement = (
            update(table)
            .where(table.c.id == bindparam("_id"))
            .values({column: bindparam(f"_{column}") for column in columns})
        )
        keys = [f"_{column}" for column in columns] + ["_id"]
        for start in range(0, len(rows), _BATCH):
            part = rows[start : start + _BATCH]
            connection.execute(statement, [dict(zip(keys, row, strict=True)) for row in part])
        return
    preparer = connection.dialect.identifier_preparer
    assignments = ", ".join(f"{preparer.quote(name)} = ?" for name in columns)
    sql = f"UPDATE {preparer.format_table(table)} SET {assignments} WHERE id = ?"
    _driver_executemany(connection, sql, _processed(rows, [*_processors(connection, table, columns), None]))


def update_from(connection: Connection, table: Table, stage: Table, key: str, columns: Sequence[str]) -> None:
    """Set ``columns`` of the rows of ``table`` whose id is a ``key`` of ``stage`` to the staged values.

    On SQLite the rows are visited in id order, so each page of the table is read and written once;
    as a join, SQLite walks the table along its smallest index instead, which at a million invoices
    ordered by day jumps all over the file (1 s against 3.4 s for half of them). PostgreSQL joins.
    """
    if connection.dialect.name != "sqlite":
        values = {name: stage.c[name] for name in columns}
        connection.execute(update(table).values(values).where(table.c.id == stage.c[key]))
        return
    names = ", ".join(columns)
    connection.exec_driver_sql(
        f"UPDATE {table.name} SET ({names}) = (SELECT {names} FROM {stage.name} s WHERE s.{key} = {table.name}.id) "
        f"WHERE id IN (SELECT {key} FROM {stage.name})"
    )


def row_count(connection: Connection, table: Table) -> int:
    """How many rows ``table`` holds."""
    return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


@contextmanager
def indexes_set_aside(
    connection: Connection, table: Table, *, when: bool, columns: Sequence[str] | None = None
) -> Iterator[None]:
    """On SQLite and ``when``: drop the table's non-unique indexes (only those on or filtered by
    ``columns``, when the load only changes those), then build them again afterwards.

    For a load the size of the table or more, building an index once from all its rows is far
    cheaper than keeping it up to date row by row. Both happen in the caller's transaction, so a
    failed or killed load gets its indexes back with the rollback. Unique indexes stay: they
    guard the data.
    """
    if not when or connection.dialect.name != "sqlite":
        yield
        return
    found = connection.exec_driver_sql(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
        (table.name,),
    ).all()
    plain = [(name, sql) for name, sql in found if not sql.lstrip().upper().startswith("CREATE UNIQUE")]
    if columns is not None:
        # An UPDATE leaves alone the indexes that neither hold nor filter on a column it changes.
        named = re.compile(r"\b(?:" + "|".join(map(re.escape, columns)) + r")\b")
        plain = [(name, sql) for name, sql in plain if named.search(sql.split("(", 1)[1] if "(" in sql else sql)]
    preparer = connection.dialect.identifier_preparer
    for name, _ in plain:
        connection.exec_driver_sql(f"DROP INDEX {preparer.quote(name)}")
    yield
    for _, sql in plain:
        connection.exec_driver_sql(sql)
