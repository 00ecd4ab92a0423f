"""Portable reporting SQL (SQLite and PostgreSQL): days added to dates, seconds between instants."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Date, Float
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import FunctionElement


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
