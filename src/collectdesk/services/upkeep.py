"""Daily upkeep: judge promises that fell due, move accounts up the escalation ladder, and rank
today's list ahead of time."""

from __future__ import annotations

from dataclasses import dataclass

from collectdesk.services.context import AppContext
from collectdesk.services.escalation import refresh_escalations
from collectdesk.services.promises import EvaluationReport, evaluate_promises
from collectdesk.services.worklist import rank_todays_list
from collectdesk.store.worklist_cache import RankingPass


@dataclass(frozen=True)
class UpkeepReport:
    """What one upkeep run changed."""

    promises: EvaluationReport
    stage_changes: int
    ranking: RankingPass

    @property
    def changed(self) -> bool:
        """Whether anything a collector would see has changed."""
        return bool(self.promises.changed or self.promises.paid_updated or self.stage_changes)


def bring_up_to_date(ctx: AppContext) -> UpkeepReport:
    """Judge promises, escalate, then rank today's list, as of today (idempotent: a second run
    changes nothing a collector sees)."""
    promises = evaluate_promises(ctx)
    # Escalation reads broken promises and balances, so it runs after promises are judged; the
    # ranking reads both, so it comes last.
    stage_changes = _escalate(ctx)
    return UpkeepReport(promises, stage_changes, rank_todays_list(ctx))


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
