"""Daily upkeep: judge promises that fell due, move accounts up the escalation ladder, and rank
today's list ahead of time; with nothing to do, one small query."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from collectdesk.services.context import AppContext
from collectdesk.services.escalation import refresh_escalations
from collectdesk.services.promises import EvaluationReport, evaluate_promises
from collectdesk.services.worklist import rank_todays_list, score_params
from collectdesk.store.upkeep_state import look, record_idle
from collectdesk.store.worklist_cache import RankingPass

# The settings upkeep applies: a change to any of them means the next upkeep runs in full.
_RULES = {"promises", "cadence", "escalation", "scoring", "receivables"}


@dataclass(frozen=True)
class UpkeepReport:
    """What one upkeep run changed (``skipped``: nothing had changed since the last idle run)."""

    promises: EvaluationReport
    stage_changes: int
    ranking: RankingPass
    skipped: bool = False

    @property
    def changed(self) -> bool:
        """Whether anything a collector would see has changed."""
        return bool(self.promises.changed or self.promises.paid_updated or self.stage_changes)


def _rules(ctx: AppContext) -> str:
    rules = ctx.settings.model_dump_json(include=_RULES)
    return f"{ctx.clock.today().isoformat()}:{hashlib.sha1(rules.encode()).hexdigest()[:16]}"


def bring_up_to_date(ctx: AppContext) -> UpkeepReport:
    """Judge promises, escalate, then rank today's list, as of today (idempotent: a second run
    changes nothing a collector sees)."""
    rules = _rules(ctx)
    with ctx.db.engine.connect() as connection:
        seen = look(connection, rules)
    if seen.idle_since_last:
        if ctx.config is not None and seen.recipe_config != ctx.config:  # another configuration's
            with ctx.db.engine.begin() as connection:
                record_idle(connection, seen, seen.ranked, _recipe(ctx, rules))
        idle = EvaluationReport(ctx.clock.today(), 0)
        return UpkeepReport(idle, 0, RankingPass("current", 0, seen.ranked), skipped=True)
    promises = evaluate_promises(ctx)
    # Escalation reads broken promises and balances, so it runs after promises are judged; the
    # ranking reads both, so it comes last.
    stage_changes = _escalate(ctx)
    ranking = rank_todays_list(ctx)
    report = UpkeepReport(promises, stage_changes, ranking)
    # Nothing marked at the ranking and nothing written here: whatever changes next leaves a mark.
    if ranking.action == "current" and not report.changed:
        with ctx.db.engine.begin() as connection:
            record_idle(connection, seen, ranking.ranked, _recipe(ctx, rules))
    return report


def _recipe(ctx: AppContext, rules: str) -> str | None:
    """What a quick read of today's page needs, when this process's configuration is known."""
    if ctx.config is None or not ctx.db.is_sqlite:
        return None
    from collectdesk.domain.scoring import components
    from collectdesk.store.plain_recipe import page_recipe

    labels = {c.key: c.label for c in components(ctx.settings.scoring)}
    scope = ctx.settings.team.list
    return page_recipe(score_params(ctx, None), config=ctx.config, rules=rules, labels=labels, scope=scope)


def _escalate(ctx: AppContext) -> int:
    """Move accounts up the ladder; on a team database a collector's desk leaves the moves only a
    supervisor may make (referral to an agency) to a supervisor's desk, and refuses nothing."""
    if not ctx.team or ctx.user.role == "supervisor":
        return refresh_escalations(ctx)
    from sqlalchemy.exc import DBAPIError

    from collectdesk.services.access import DENIED_SQLSTATE, database_error_state

    try:
        return refresh_escalations(ctx)
    except DBAPIError as exc:
        if database_error_state(exc) != DENIED_SQLSTATE:
            raise
        return 0
