"""The escalation ladder: which stage an account belongs on, and what the collector says next.

reminder → follow_up → sales_rep → management → legal → agency. Days past due of the oldest open
invoice set a floor (``settings.escalation``; agency by 90 days by default); every
``failed_attempts_per_stage`` failed attempts in a row move one more step up, as far as legal
(only days send an account to an agency). An account never moves down, except that a fully
paid account goes back to reminder.
"""

from __future__ import annotations

from collections.abc import Iterator

from collectdesk.settings import EscalationRules

LADDER = ("reminder", "follow_up", "sales_rep", "management", "legal", "agency")
# Failed attempts alone move an account at most this far.
HIGHEST_BY_ATTEMPTS = "legal"

_WORDING = {
    "reminder": "If we can't settle this today, we'll follow up with you again in a few days.",
    "follow_up": "If the balance stays open, your account manager {sales_rep} will be in touch about it.",
    "sales_rep": "Your account manager {sales_rep} will be in touch about the overdue balance; if "
    "it stays unpaid, our management team will review your account.",
    "management": "Our management team is reviewing your account; if the balance stays unpaid it "
    "will be passed to our legal department.",
    "legal": "Your account is with our legal department and a formal letter will follow; "
    "balances unpaid at {agency_days} days past due are referred to a collection agency.",
    "agency": "Your account has been referred to a collection agency, who will contact you about the balance.",
}


def stage_index(stage: str) -> int:
    """The stage's position on the ladder (reminder is 0)."""
    if stage not in LADDER:
        raise ValueError(f"unknown escalation stage {stage!r}")
    return LADDER.index(stage)


def day_thresholds(rules: EscalationRules) -> list[tuple[str, int]]:
    """Each stage above reminder with the days past due that reach it, highest first."""
    return [
        ("agency", rules.agency_days),
        ("legal", rules.legal_days),
        ("management", rules.management_days),
        ("sales_rep", rules.sales_rep_days),
        ("follow_up", rules.follow_up_days),
    ]


def stage_by_days(days_past_due: int, rules: EscalationRules) -> str:
    """The lowest stage an account this many days past due belongs on."""
    if days_past_due <= 0:
        return "reminder"
    for stage, days in day_thresholds(rules):
        if days_past_due >= days:
            return stage
    return "reminder"


def steps_by_attempts(failed_attempts: int, rules: EscalationRules) -> int:
    """How many steps above reminder failed attempts in a row justify (capped at legal)."""
    return min(failed_attempts // rules.failed_attempts_per_stage, stage_index(HIGHEST_BY_ATTEMPTS))


def target_stage(
    current: str, *, days_past_due: int, failed_attempts: int, fully_paid: bool, rules: EscalationRules
) -> str:
    """Where an account belongs now: up to what days or attempts call for, never down unless
    it is fully paid (then back to reminder)."""
    if fully_paid:
        return "reminder"
    if days_past_due <= 0:
        return current
    index = max(
        stage_index(current),
        stage_index(stage_by_days(days_past_due, rules)),
        steps_by_attempts(failed_attempts, rules),
    )
    return LADDER[index]


def steps(current: str, target: str) -> Iterator[tuple[str, str]]:
    """The single steps from ``current`` to ``target`` (one, straight down, when going back)."""
    start, end = stage_index(current), stage_index(target)
    if end < start:
        yield current, target
        return
    for index in range(start, end):
        yield LADDER[index], LADDER[index + 1]


def next_step_wording(stage: str) -> str:
    """What the collector tells the customer comes next, as a template (``{sales_rep}``,
    ``{agency_days}``); fill it with :func:`render_next_step`."""
    stage_index(stage)
    return _WORDING[stage]


def render_next_step(stage: str, *, sales_rep: str | None, agency_days: int) -> str:
    """The next-step wording with the account's sales rep and the agency threshold filled in."""
    text = next_step_wording(stage).format(sales_rep=sales_rep or "", agency_days=agency_days)
    return " ".join(text.split())
