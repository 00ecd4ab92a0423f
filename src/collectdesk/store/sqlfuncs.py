"""Dialect-aware SQL helpers for day arithmetic that works the same on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Integer
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement, FunctionElement


class days_between(FunctionElement[int]):
    """Whole days from ``earlier`` to ``later`` (negative when ``later`` is before), as an integer.

    SQLite keeps dates as ``YYYY-MM-DD`` text, so it goes through ``julianday``; PostgreSQL
    subtracts dates directly. NULL in, NULL out.
    """

    type = Integer()
    inherit_cache = True
    name = "days_between"

    def __init__(self, later: ColumnElement[Any] | Any, earlier: ColumnElement[Any] | Any) -> None:
        super().__init__(later, earlier)


@compiles(days_between, "sqlite")
def _days_between_sqlite(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (f"CAST(julianday({compiler.process(later, **kw)}) - "
            f"julianday({compiler.process(earlier, **kw)}) AS INTEGER)")


@compiles(days_between)
def _days_between_default(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


class least_of(FunctionElement[Any]):
    """The smaller of two values (NULL-free inputs), portable where ``LEAST``/``MIN`` differ."""

    inherit_cache = True
    name = "least_of"

    def __init__(self, first: ColumnElement[Any] | Any, second: ColumnElement[Any] | Any) -> None:
        super().__init__(first, second)
        self.type = next(iter(self.clauses)).type


@compiles(least_of)
def _least_of(element: least_of, compiler: SQLCompiler, **kw: Any) -> str:
    first, second = (compiler.process(c, **kw) for c in element.clauses)
    return f"(CASE WHEN {first} < {second} THEN {first} ELSE {second} END)"
