"""Moving accounts up the escalation ladder (and back to reminder once paid), with one log entry
per move."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from collectdesk.domain.escalation import ready_for_referral, render_next_step
from collectdesk.domain.stages import FIRST_STAGE, HIGHEST_AUTOMATIC, REFERRED
from collectdesk.services.context import AppContext
from collectdesk.store.activity import log_for_accounts, log_many
from collectdesk.store.database import roomy_page_cache
from collectdesk.store.escalation_query import (
    apply_stage_changes,
    stage_changes_select,
    take_write_lock,
    unreferred_at_agency,
)


def refresh_escalations(ctx: AppContext, *, as_of: date | None = None) -> int:
    """Bring every account to the stage its days past due and failed attempts call for.

    Set-based: one query finds the accounts that change, they are moved in one pass, and one bulk
    insert logs one ``escalation`` entry per account moved, from where it was to where it is now,
    however many stages it jumped. Returns how many accounts changed stage.
    """
    day = as_of or ctx.clock.today()
    rules = ctx.settings.escalation
    now = ctx.clock.now()
    with ctx.db.session() as session, roomy_page_cache(session.connection()) as connection:
        take_write_lock(connection)
        restored = _restore_unreferred(ctx, session, rules.agency_days)
        changes = session.execute(stage_changes_select(day, rules)).all()
        if not changes:
            return restored
        apply_stage_changes(connection, [(change.id, change.target) for change in changes], day, rules, now)
        final_demand_by = day + timedelta(days=rules.final_demand_days)
        as_of_text = day.isoformat()
        told: dict[tuple[str, str | None, bool], str] = {}  # the next step, worded once per kind of move
        entries: list[tuple[int, str, dict[str, Any]]] = []
        for customer_id, before, after, days_past_due, failed_attempts, sales_rep in changes:
            ready = ready_for_referral(after, days_past_due, rules)
            key = (after, sales_rep, ready)
            wording = told.get(key)
            if wording is None:
                wording = told[key] = _next_step(
                    after, sales_rep, rules.agency_days, final_demand_by if ready else None
                )
            details = {
                "from": before,
                "to": after,
                "as_of": as_of_text,
                "days_past_due": days_past_due,
                "failed_attempts": failed_attempts,
            }
            entries.append((customer_id, _summary(before, after, days_past_due, failed_attempts, wording), details))
        log_for_accounts(session, at=now, kind="escalation", user_id=ctx.user.id, entries=entries)
    return restored + len(changes)


def _restore_unreferred(ctx: AppContext, session: Session, agency_days: int) -> int:
    """Put back on the list the accounts the calendar once moved to the agency stage without
    anyone referring them (databases from before referral was a decision)."""
    now = ctx.clock.now()
    found, back = unreferred_at_agency(now)
    accounts = sorted(session.execute(found).all(), key=lambda account: int(account.id))
    if not accounts:
        return 0
    session.execute(back)
    wording = render_next_step(HIGHEST_AUTOMATIC, sales_rep=None, agency_days=agency_days)
    log_many(
        session,
        [
            {
                "at": now,
                "kind": "escalation",
                "customer_id": account.id,
                "user_id": ctx.user.id,
                "summary": f"Back to {HIGHEST_AUTOMATIC} from agency: nobody referred the account, so it is back "
                f"on the list. Tell the customer: {wording}",
                "details": {"from": REFERRED, "to": HIGHEST_AUTOMATIC, "reason": "not referred"},
            }
            for account in accounts
        ],
    )
    return len(accounts)


def _next_step(after: str, sales_rep: str | None, agency_days: int, final_demand_by: date | None) -> str:
    if after == FIRST_STAGE:
        return ""  # a paid account is told nothing more
    return render_next_step(after, sales_rep=sales_rep, agency_days=agency_days, final_demand_by=final_demand_by)


def _summary(before: str, after: str, days_past_due: int, failed_attempts: int, wording: str) -> str:
    if after == FIRST_STAGE:
        return f"Back to reminder from {before}: the account is fully paid."
    return (
        f"Escalated {before} → {after} ({days_past_due} days past due, {failed_attempts} "
        f"failed attempts in a row). Tell the customer: {wording}"
    )
