"""The recipe of the quick page read (``store/plain_page.py``), worked out with SQLAlchemy."""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlalchemy.dialects import sqlite

from collectdesk.store.plain_page import VARYING, sqlite_value
from collectdesk.store.worklist_query import ScoreParams, worklist_select


def page_recipe(
    params: ScoreParams, *, config: str, rules: str, labels: Mapping[str, str], readers: str = "everyone"
) -> str:
    """JSON: the ranked page's statement compiled for SQLite and its day-long parameter values, and
    whose list it is (``readers``: "everyone", or "supervisors" when collectors have lists of their own)."""
    statement, values = worklist_select(params, limit=1, ranked=True)
    compiled = statement.compile(dialect=sqlite.dialect(paramstyle="named"))
    bound = compiled.construct_params(values)
    fixed = {name: sqlite_value(value) for name, value in bound.items() if name not in VARYING}
    # Labels as pairs: the score components keep their display order through sorted JSON.
    pairs = [[key, label] for key, label in labels.items()]
    recipe = {
        "config": config,
        "rules": rules,
        "labels": pairs,
        "sql": str(compiled),
        "values": fixed,
        "readers": readers,
    }
    return json.dumps(recipe, sort_keys=True)
