"""The escalation stages, defined once: their order, which one means referred, and which one the
calendar and failed attempts can reach on their own."""

from __future__ import annotations

STAGES = ("reminder", "follow_up", "sales_rep", "management", "legal", "agency")
FIRST_STAGE = "reminder"
# Only a supervisor's decision puts an account here (services/agency.py): it has been referred.
REFERRED = "agency"
# Days past due and failed attempts move an account at most this far on their own.
HIGHEST_AUTOMATIC = "legal"


def stage_index(stage: str) -> int:
    """The stage's position on the ladder (reminder is 0, agency is 5)."""
    if stage not in STAGES:
        raise ValueError(f"unknown escalation stage {stage!r}")
    return STAGES.index(stage)
