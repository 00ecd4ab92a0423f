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
    stage_changes = refresh_escalations(ctx)
    return UpkeepReport(promises, stage_changes, rank_todays_list(ctx))
