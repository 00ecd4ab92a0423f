"""Moving accounts up the escalation ladder (and back to reminder once paid), with one log entry
per move."""

from __future__ import annotations

from datetime import date
from typing import Any

from collectdesk.domain.escalation import render_next_step
from collectdesk.domain.stages import FIRST_STAGE
from collectdesk.services.context import AppContext
from collectdesk.store.activity import log_many
from collectdesk.store.escalation_query import apply_stage_changes, stage_changes_select


def refresh_escalations(ctx: AppContext, *, as_of: date | None = None) -> int:
    """Bring every account to the stage its days past due and failed attempts call for.

    Set-based: one query finds the accounts that change, one UPDATE moves them, and one bulk
    insert logs one ``escalation`` entry per account moved, from where it was to where it is now,
    however many stages it jumped. Returns how many accounts changed stage.
    """
    day = as_of or ctx.clock.today()
    rules = ctx.settings.escalation
    now = ctx.clock.now()
    with ctx.db.session() as session:
        changes = session.execute(stage_changes_select(day, rules)).all()
        if not changes:
            return 0
        session.execute(apply_stage_changes(day, rules, now))
        entries: list[dict[str, Any]] = [
            {
                "at": now,
                "kind": "escalation",
                "customer_id": change.id,
                "user_id": ctx.user.id,
                "summary": escalation_summary(
                    change.stage,
                    change.target,
                    days_past_due=change.days_past_due,
                    failed_attempts=change.failed_attempts,
                    sales_rep=change.sales_rep,
                    agency_days=rules.agency_days,
                ),
                "details": {
                    "from": change.stage,
                    "to": change.target,
                    "as_of": day.isoformat(),
                    "days_past_due": change.days_past_due,
                    "failed_attempts": change.failed_attempts,
                },
            }
            for change in changes
        ]
        log_many(session, entries)
    return len(changes)


def escalation_summary(
    before: str, after: str, *, days_past_due: int, failed_attempts: int, sales_rep: str | None, agency_days: int
) -> str:
    """The log line for one move: from where to where, why, and the one next step to tell."""
    if after == FIRST_STAGE:
        return f"Back to reminder from {before}: the account is fully paid."
    wording = render_next_step(after, sales_rep=sales_rep, agency_days=agency_days)
    return (
        f"Escalated {before} → {after} ({days_past_due} days past due, {failed_attempts} "
        f"failed attempts in a row). Tell the customer: {wording}"
    )
