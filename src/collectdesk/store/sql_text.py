"""Text built in SQL from the same templates Python formats: a ``str.format`` template as a
concatenation, amounts as :func:`format_amount` writes them, and JSON objects and arrays of
named values, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from string import Formatter
from typing import Any

from sqlalchemy import String, case, cast, literal, literal_column
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement, FunctionElement
from sqlalchemy.types import JSON

from collectdesk.domain.money import amount_style


def text_literal(text: str) -> ColumnElement[str]:
    """A bound string typed as text in the SQL itself (PostgreSQL cannot type a bare parameter
    inside ``||`` or ``json_build_object``)."""
    return cast(literal(text, String()), String())


def formatted(template: str, fields: Mapping[str, ColumnElement[Any]]) -> ColumnElement[str]:
    """``template.format(**fields)`` as an SQL expression: its literal text between the fields,
    each field's value as text. Only plain ``{name}`` fields (no conversions or format specs)."""
    parts: list[ColumnElement[Any]] = []
    for text, name, spec, conversion in Formatter().parse(template):
        if text:
            parts.append(text_literal(text))
        if name is None:
            continue
        if spec or conversion or name not in fields:
            raise ValueError(f"{template!r}: field {name!r} cannot be built in SQL")
        parts.append(cast(fields[name], String()))
    if not parts:
        return text_literal("")
    expression = parts[0]
    for part in parts[1:]:
        expression = expression.concat(part)
    return expression


class json_object_of(FunctionElement[Any]):
    """A JSON object of ``(key, value)`` pairs, keys in the order given (``json_object`` on SQLite,
    ``json_build_object`` on PostgreSQL)."""

    type = JSON()
    inherit_cache = True
    name = "json_object_of"

    def __init__(self, *pairs: tuple[str, Any]) -> None:
        super().__init__(*[item for key, value in pairs for item in (text_literal(key), value)])


@compiles(json_object_of, "sqlite")
def _json_object_sqlite(element: json_object_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_object({', '.join(compiler.process(c, **kw) for c in element.clauses)})"


@compiles(json_object_of)
def _json_object_default(element: json_object_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_build_object({', '.join(compiler.process(c, **kw) for c in element.clauses)})"


class json_array_of(FunctionElement[Any]):
    """A JSON array of the values given (``json_array`` on SQLite, ``json_build_array`` on PostgreSQL)."""

    type = JSON()
    inherit_cache = True
    name = "json_array_of"


@compiles(json_array_of, "sqlite")
def _json_array_sqlite(element: json_array_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_array({', '.join(compiler.process(c, **kw) for c in element.clauses)})"


@compiles(json_array_of)
def _json_array_default(element: json_array_of, compiler: SQLCompiler, **kw: Any) -> str:
    return f"json_build_array({', '.join(compiler.process(c, **kw) for c in element.clauses)})"


class grouped_digits(FunctionElement[str]):
    """A whole number (0 or more) with a comma between each three digits, as ``f"{n:,}"`` writes it."""

    type = String()
    inherit_cache = True
    name = "grouped_digits"


@compiles(grouped_digits, "sqlite")
def _grouped_sqlite(element: grouped_digits, compiler: SQLCompiler, **kw: Any) -> str:
    return f"printf('%,d', {compiler.process(next(iter(element.clauses)), **kw)})"


@compiles(grouped_digits)
def _grouped_default(element: grouped_digits, compiler: SQLCompiler, **kw: Any) -> str:
    # A comma in the pattern is a plain comma whatever the locale (``G`` would follow it).
    return f"to_char({compiler.process(next(iter(element.clauses)), **kw)}, 'FM999,999,999,999,999,990')"


class zero_padded(FunctionElement[str]):
    """A whole number (0 or more) written with at least ``width`` digits, zeros in front."""

    type = String()
    inherit_cache = False
    name = "zero_padded"

    def __init__(self, value: ColumnElement[Any], width: int) -> None:
        super().__init__(value)
        self.width = width


@compiles(zero_padded, "sqlite")
def _zero_padded_sqlite(element: zero_padded, compiler: SQLCompiler, **kw: Any) -> str:
    return f"printf('%0{element.width}d', {compiler.process(next(iter(element.clauses)), **kw)})"


@compiles(zero_padded)
def _zero_padded_default(element: zero_padded, compiler: SQLCompiler, **kw: Any) -> str:
    value = compiler.process(next(iter(element.clauses)), **kw)
    return f"lpad(CAST({value} AS TEXT), {element.width}, '0')"


def amount_text(
    minor: ColumnElement[int], currency: ColumnElement[str], currencies: Iterable[str]
) -> ColumnElement[str]:
    """``format_amount(minor, currency)`` as an SQL expression, for amounts of 0 or more in any of
    ``currencies`` (NULL for another)."""
    whens: dict[Any, ColumnElement[str]] = {}
    for code in sorted(set(currencies)):
        digits, prefix, suffix = amount_style(code)
        scale = 10**digits
        text: ColumnElement[str] = grouped_digits(minor // scale if digits else minor)
        if digits:
            text = text.concat(text_literal(".")).concat(zero_padded(minor % scale, digits))
        whens[literal_column("'" + code.replace("'", "''") + "'")] = (
            text_literal(prefix).concat(text).concat(text_literal(suffix))
        )
    return case(whens, value=currency)
