"""The escalation ladder: which stage an account belongs on, and what the collector says next.

reminder → follow_up → sales_rep → management → legal, then agency. Days past due of the oldest
open invoice set a floor (``settings.escalation``); every ``failed_attempts_per_stage`` failed
attempts in a row move one more step up. Neither goes past legal: at ``agency_days`` an account is
*ready for referral* and stays on the list with the final demand until a supervisor refers it
(``services/agency.py``). An account never moves down, except that a fully paid account goes back
to reminder; a referred account stays where the supervisor put it.
"""

from __future__ import annotations

from datetime import date

from collectdesk.domain.stages import FIRST_STAGE, HIGHEST_AUTOMATIC, REFERRED, STAGES, stage_index
from collectdesk.settings import EscalationRules

# The ladder is the stage list; kept under this name for readers of the escalation rule.
LADDER = STAGES

_WORDING = {
    "reminder": "If we can't settle this today, we'll follow up with you again in a few days.",
    "follow_up": "If the balance stays open, your account manager {sales_rep} will be in touch about it.",
    "sales_rep": "Your account manager {sales_rep} will be in touch about the overdue balance; if "
    "it stays unpaid, our management team will review your account.",
    "management": "Our management team is reviewing your account; if the balance stays unpaid it "
    "will be passed to our legal department.",
    "legal": "Your account is with our legal department and a formal letter will follow; "
    "a balance still unpaid at {agency_days} days past due may be referred to a collection agency.",
    "agency": "Your account has been referred to a collection agency, who will contact you about the balance.",
}
_FINAL_DEMAND = "This is our final demand: unless it is paid by {pay_by}, we will refer it to a collection agency."


def day_thresholds(rules: EscalationRules) -> list[tuple[str, int]]:
    """Each stage the calendar can reach above reminder, with the days past due that reach it,
    highest first."""
    return [
        ("legal", rules.legal_days),
        ("management", rules.management_days),
        ("sales_rep", rules.sales_rep_days),
        ("follow_up", rules.follow_up_days),
    ]


def stage_by_days(days_past_due: int, rules: EscalationRules) -> str:
    """The lowest stage an account this many days past due belongs on (at most legal)."""
    if days_past_due <= 0:
        return FIRST_STAGE
    for stage, days in day_thresholds(rules):
        if days_past_due >= days:
            return stage
    return FIRST_STAGE


def steps_by_attempts(failed_attempts: int, rules: EscalationRules) -> int:
    """How many steps above reminder failed attempts in a row justify (capped at legal)."""
    return min(failed_attempts // rules.failed_attempts_per_stage, stage_index(HIGHEST_AUTOMATIC))


def target_stage(
    current: str, *, days_past_due: int, failed_attempts: int, fully_paid: bool, rules: EscalationRules
) -> str:
    """Where an account belongs now: up to what days or attempts call for, never down unless it is
    fully paid (then back to reminder), never into or out of a referral."""
    if current == REFERRED:
        return current
    if fully_paid:
        return FIRST_STAGE
    if days_past_due <= 0:
        return current
    index = max(
        stage_index(current),
        stage_index(stage_by_days(days_past_due, rules)),
        steps_by_attempts(failed_attempts, rules),
    )
    return STAGES[index]


def ready_for_referral(stage: str, days_past_due: int, rules: EscalationRules) -> bool:
    """Whether the account is due a supervisor's referral decision: ``agency_days`` past due and
    not referred yet."""
    return stage != REFERRED and days_past_due > 0 and days_past_due >= rules.agency_days


def next_step_wording(stage: str) -> str:
    """What the collector tells the customer comes next, as a template (``{sales_rep}``,
    ``{agency_days}``); fill it with :func:`render_next_step`."""
    stage_index(stage)
    return _WORDING[stage]


def render_next_step(
    stage: str, *, sales_rep: str | None, agency_days: int, final_demand_by: date | None = None
) -> str:
    """The next-step wording with the sales rep and the agency threshold filled in; with
    ``final_demand_by`` (an account ready for referral) the final demand naming that date."""
    if final_demand_by is not None and stage != REFERRED:
        text = _FINAL_DEMAND.format(pay_by=f"{final_demand_by:%A} {final_demand_by.day} {final_demand_by:%B %Y}")
    else:
        text = next_step_wording(stage).format(sales_rep=sales_rep or "", agency_days=agency_days)
    return " ".join(text.split())
