"""Daily upkeep: judge promises that fell due and move accounts up the escalation ladder."""

from __future__ import annotations

from dataclasses import dataclass

from collectdesk.services.context import AppContext
from collectdesk.services.escalation import refresh_escalations
from collectdesk.services.promises import EvaluationReport, evaluate_promises


@dataclass(frozen=True)
class UpkeepReport:
    """What one upkeep run changed."""

    promises: EvaluationReport
    stage_changes: int

    @property
    def changed(self) -> bool:
        """Whether anything a collector would see has changed."""
        return bool(self.promises.changed or self.promises.paid_updated or self.stage_changes)


def bring_up_to_date(ctx: AppContext) -> UpkeepReport:
    """Judge promises, then escalate, as of today (idempotent: a second run changes nothing)."""
    promises = evaluate_promises(ctx)
    # Escalation reads broken promises and balances, so it runs after promises are judged.
    return UpkeepReport(promises, refresh_escalations(ctx))
