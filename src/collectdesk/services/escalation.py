"""Moving accounts up the escalation ladder (and back to reminder once paid), with one log entry
per move."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from collectdesk.domain.escalation import render_next_step
from collectdesk.domain.stages import FIRST_STAGE, HIGHEST_AUTOMATIC, REFERRED
from collectdesk.services.context import AppContext
from collectdesk.store.activity import log_for_accounts, log_many
from collectdesk.store.database import roomy_page_cache
from collectdesk.store.escalation_query import (
    EntryTexts,
    apply_stage_changes,
    move_kinds,
    stage_entries_select,
    stage_moves,
    take_write_lock,
    unreferred_at_agency,
)

# What each escalation entry says (built in SQL for every move at once; store.escalation_query).
_ESCALATED = (
    "Escalated {before} → {after} ({days_past_due} days past due, {failed_attempts} "
    "failed attempts in a row). Tell the customer: {wording}"
)
_PAID = "Back to reminder from {before}: the account is fully paid."


def refresh_escalations(ctx: AppContext, *, as_of: date | None = None) -> int:
    """Bring every account to the stage its days past due and failed attempts call for.

    Set-based: the accounts that change are found in SQL, logged there with one ``escalation``
    entry each, from where it was to where it is now, however many stages it jumped, and moved in
    one UPDATE. Only the next-step wording is worded here, once per kind of move. Returns how many
    accounts changed stage.
    """
    day = as_of or ctx.clock.today()
    rules = ctx.settings.escalation
    now = ctx.clock.now()
    with ctx.db.session() as session, roomy_page_cache(session.connection()) as connection:
        take_write_lock(connection)
        restored = _restore_unreferred(ctx, session, rules.agency_days)
        with stage_moves(connection, day, rules) as moves:
            kinds = session.execute(move_kinds(moves)).all()
            if not kinds:
                return restored
            final_demand_by = day + timedelta(days=rules.final_demand_days)
            wordings = {
                (after, sales_rep, bool(ready)): _next_step(
                    after, sales_rep or None, rules.agency_days, final_demand_by if ready else None
                )
                for after, sales_rep, ready in kinds
            }
            moved = 0
            for part in _parts(wordings):
                entries = stage_entries_select(moves, EntryTexts(_ESCALATED, _PAID, part), day)
                moved += log_for_accounts(session, at=now, kind="escalation", user_id=ctx.user.id, entries=entries)
            apply_stage_changes(connection, moves, day, rules, now)
    return restored + moved


# Kinds of move per statement: four parameters each stay within what SQLite binds in one.
_KINDS_PER_STATEMENT = 5_000


def _parts(wordings: dict[tuple[str, str, bool], str]) -> list[dict[tuple[str, str, bool], str]]:
    items = list(wordings.items())
    return [dict(items[i : i + _KINDS_PER_STATEMENT]) for i in range(0, len(items), _KINDS_PER_STATEMENT)]


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
