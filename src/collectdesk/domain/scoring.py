"""The toughness score as data: each component's points formula and its meaning for people.

Every component is linear in some *units* of the account (days past due, overdue thousands,
broken promises, …) and optionally capped: ``points = min(units × per_unit, cap)``. The database
computes the units and applies exactly these numbers (see ``store/worklist_query.py``); this module
is the single place that turns configured weights into them and explains them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from collectdesk.domain.money import minor_digits

if TYPE_CHECKING:  # only read here: importing the settings is not needed to score
    from collectdesk.settings import ScoringWeights

# Currencies whose minor unit is not the cent; every other currency has 2 decimals.
UNUSUAL_MINOR_UNIT_CURRENCIES = (
    "JPY",
    "KRW",
    "ISK",
    "CLP",
    "VND",
    "BHD",
    "KWD",
    "OMR",
    "JOD",
    "TND",
)


@dataclass(frozen=True)
class ScoreComponent:
    """One part of the score: ``points = min(units × per_unit, cap)``; ``cap`` None = uncapped."""

    key: str
    label: str
    description: str
    per_unit: float
    cap: float | None = None

    def points(self, units: float) -> float:
        """The points these units earn (the same arithmetic the SQL performs)."""
        raw = units * self.per_unit
        return raw if self.cap is None or raw < self.cap else self.cap


def components(weights: ScoringWeights) -> tuple[ScoreComponent, ...]:
    """The score's components, in display order, with the configured weights applied."""
    w = weights
    return (
        ScoreComponent(
            "dpd",
            "dpd",
            f"{w.per_day_past_due:g} per day the oldest open invoice is past due (at most {w.max_days_counted} days)",
            w.per_day_past_due,
            w.max_days_counted * w.per_day_past_due,
        ),
        ScoreComponent(
            "balance",
            "bal",
            f"{w.per_thousand_overdue:g} per 1,000 overdue in the account's currency "
            f"(at most {w.max_overdue_points:g} points)",
            w.per_thousand_overdue,
            w.max_overdue_points,
        ),
        ScoreComponent(
            "broken",
            "broken",
            f"{w.per_broken_promise:g} per promise broken in the last {w.broken_promise_window_days} days",
            w.per_broken_promise,
        ),
        ScoreComponent(
            "attempts",
            "attempts",
            f"{w.per_failed_attempt:g} per failed attempt in a row (at most {w.max_failed_attempts_counted})",
            w.per_failed_attempt,
            w.max_failed_attempts_counted * w.per_failed_attempt,
        ),
        ScoreComponent("stage", "stage", f"{w.per_stage:g} per escalation stage above reminder", w.per_stage),
        ScoreComponent(
            "referral",
            "referral",
            f"{w.ready_for_referral_bonus:g} when the account is ready for agency referral",
            w.ready_for_referral_bonus,
        ),
        ScoreComponent(
            "late",
            "late",
            f"{w.per_late_payment:g} per invoice paid after its due date (at most {w.max_late_payments_counted})",
            w.per_late_payment,
            w.max_late_payments_counted * w.per_late_payment,
        ),
        ScoreComponent(
            "promise_due", "promise", f"{w.promise_due_bonus:g} when a promise fell due unpaid", w.promise_due_bonus
        ),
        ScoreComponent(
            "callback", "callback", f"{w.callback_due_bonus:g} when a callback is due", w.callback_due_bonus
        ),
    )


def minor_units_per_major(currency: str) -> int:
    """How many minor units make one major unit of the currency (100 for USD, 1 for JPY)."""
    return int(10 ** minor_digits(currency))


def balance_units(overdue_minor: int, currency: str) -> float:
    """The balance component's units: thousands of major units overdue (``overdue × w / 1000``)."""
    return overdue_minor / (1000.0 * minor_units_per_major(currency))


def total(breakdown: Mapping[str, float]) -> float:
    """The score: the sum of a breakdown's points, added in display order as the database does."""
    result = 0.0
    for points in breakdown.values():
        result += points
    return result


def explain(breakdown: Mapping[str, float]) -> str:
    """A compact human summary of the non-zero points: ``dpd 45 + bal 12 + broken 40``."""
    parts = [
        f"{label} {points:.0f}" if points == round(points) else f"{label} {points:.1f}"
        for label, points in breakdown.items()
        if points
    ]
    return " + ".join(parts) if parts else "0"


def describe(weights: ScoringWeights) -> list[str]:
    """One line per component saying how it earns points, for help screens and the README."""
    return [f"{c.label}: {c.description}" for c in components(weights)]
