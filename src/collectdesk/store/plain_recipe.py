"""The recipe of the quick page read (``store/plain_page.py``), worked out with SQLAlchemy."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy.dialects import sqlite

from collectdesk.store.plain_page import OWN_ID, VARYING, sqlite_value
from collectdesk.store.worklist_query import ScoreParams, worklist_select

# A collector's own list names the collectors counted as "mine"; the recipe holds the common case,
# the collector alone (one id, filled in at the read), and steps aside for someone covering.
_MINE = "mine_ids"


def _statement(params: ScoreParams, scope: str) -> dict[str, Any]:
    """The ranked page's statement for ``scope`` compiled for SQLite, and its day-long values."""
    mine_ids = (0,) if scope != "all" else ()
    statement, values = worklist_select(params, limit=1, ranked=True, scope=scope, mine_ids=mine_ids)
    compiled = statement.compile(dialect=sqlite.dialect(paramstyle="named"))
    expanded = compiled.construct_expanded_state(compiled.construct_params(values))
    fixed = {
        name: sqlite_value(value)
        for name, value in expanded.parameters.items()
        if name not in VARYING and not name.startswith(_MINE)
    }
    recipe: dict[str, Any] = {"sql": expanded.statement, "values": fixed}
    own = [name for name in expanded.parameters if name.startswith(_MINE)]
    if scope != "all":
        (recipe[OWN_ID],) = own  # the one name the single id was written under
    return recipe


def page_recipe(params: ScoreParams, *, config: str, rules: str, labels: Mapping[str, str], scope: str = "all") -> str:
    """JSON: the ranked page's statement compiled for SQLite and its day-long parameter values;
    with ``scope`` other than "all" (``[team] list``), also a collector's own list."""
    # Labels as pairs: the score components keep their display order through sorted JSON.
    pairs = [[key, label] for key, label in labels.items()]
    recipe: dict[str, Any] = {"config": config, "rules": rules, "labels": pairs, **_statement(params, "all")}
    recipe["readers"] = "everyone" if scope == "all" else "supervisors"
    if scope != "all":
        recipe["own_list"] = _statement(params, scope)
    return json.dumps(recipe, sort_keys=True)
