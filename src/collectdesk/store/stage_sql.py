"""The stage ladder in SQL, built from ``domain/stages.py``: a stage's position and back."""

from __future__ import annotations

from typing import Any

from sqlalchemy import case, literal_column
from sqlalchemy.sql.expression import ColumnElement

from collectdesk.domain.stages import STAGES


def stage_literal(stage: str) -> ColumnElement[Any]:
    """A stage name as an SQL literal (literals keep partial indexes usable on SQLite)."""
    return literal_column(f"'{stage}'")


def stage_number(stage: ColumnElement[Any]) -> ColumnElement[Any]:
    """The position of a stage column on the ladder (reminder 0 … agency 5)."""
    return case(*[(stage == stage_literal(s), i) for i, s in enumerate(STAGES)], else_=0)


def stage_named(index: ColumnElement[Any], otherwise: ColumnElement[Any]) -> ColumnElement[Any]:
    """The stage at a ladder position (``otherwise`` for a position off the ladder)."""
    # ``CASE index WHEN 0 …``: the position is worked out once, not once per stage compared.
    return case({literal_column(str(i)): stage_literal(s) for i, s in enumerate(STAGES)}, value=index, else_=otherwise)
