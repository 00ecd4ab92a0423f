"""Text built in SQL from the same templates Python formats: a ``str.format`` template as a
concatenation, and a JSON object of named values, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Mapping
from string import Formatter
from typing import Any

from sqlalchemy import String, cast, literal
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ColumnElement, FunctionElement
from sqlalchemy.types import JSON


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
