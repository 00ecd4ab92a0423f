"""Dialect-aware SQL helpers: day and time arithmetic that works the same on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, Float, Integer
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
    return f"CAST(julianday({compiler.process(later, **kw)}) - julianday({compiler.process(earlier, **kw)}) AS INTEGER)"


@compiles(days_between)
def _days_between_default(element: days_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return f"({compiler.process(later, **kw)} - {compiler.process(earlier, **kw)})"


class least_of(FunctionElement[Any]):
    """The smaller of two non-NULL values, each evaluated once (``min`` / ``LEAST``)."""

    inherit_cache = True
    name = "least_of"

    def __init__(self, first: ColumnElement[Any] | Any, second: ColumnElement[Any] | Any) -> None:
        super().__init__(first, second)
        self.type = next(iter(self.clauses)).type


@compiles(least_of, "sqlite")
def _least_of_sqlite(element: least_of, compiler: SQLCompiler, **kw: Any) -> str:
    first, second = (compiler.process(c, **kw) for c in element.clauses)
    return f"min({first}, {second})"


@compiles(least_of)
def _least_of(element: least_of, compiler: SQLCompiler, **kw: Any) -> str:
    first, second = (compiler.process(c, **kw) for c in element.clauses)
    return f"LEAST({first}, {second})"


class greatest_of(FunctionElement[Any]):
    """The largest of several non-NULL values (``max`` on SQLite, ``GREATEST`` on PostgreSQL)."""

    inherit_cache = True
    name = "greatest_of"

    def __init__(self, *values: ColumnElement[Any] | Any) -> None:
        super().__init__(*values)
        self.type = next(iter(self.clauses)).type


@compiles(greatest_of, "sqlite")
def _greatest_of_sqlite(element: greatest_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"max({', '.join(compiler.process(c, **kw) for c in element.clauses)})"


@compiles(greatest_of)
def _greatest_of(element: greatest_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"GREATEST({', '.join(compiler.process(c, **kw) for c in element.clauses)})"


class date_plus_days(FunctionElement[Any]):
    """``day`` plus a whole number of days, as a date (SQLite keeps dates as ISO text)."""

    type = Date()
    inherit_cache = True
    name = "date_plus_days"

    def __init__(self, day: Any, days: int) -> None:
        super().__init__(day)
        self.days = int(days)


@compiles(date_plus_days, "sqlite")
def _date_plus_days_sqlite(element: date_plus_days, compiler: SQLCompiler, **kw: Any) -> str:
    (day,) = list(element.clauses)
    return f"date({compiler.process(day, **kw)}, '{element.days:+d} days')"


@compiles(date_plus_days)
def _date_plus_days_default(element: date_plus_days, compiler: SQLCompiler, **kw: Any) -> str:
    (day,) = list(element.clauses)
    return f"({compiler.process(day, **kw)} + {element.days:d})"


class seconds_between(FunctionElement[float]):
    """Seconds from ``earlier`` to ``later`` (two timestamp columns); NULL when either is NULL."""

    type = Float()
    inherit_cache = True
    name = "seconds_between"

    def __init__(self, later: Any, earlier: Any) -> None:
        super().__init__(later, earlier)


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({later}) - julianday({earlier})) * 86400.0)"


@compiles(seconds_between)
def _seconds_between_default(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"CAST(EXTRACT(EPOCH FROM ({later} - {earlier})) AS DOUBLE PRECISION)"
