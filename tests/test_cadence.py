"""The follow-up cadence: next action dates after each result."""

from __future__ import annotations

from datetime import date

import pytest

from collectdesk.domain.cadence import next_action_on, next_action_text
from collectdesk.settings import CadenceRules

MONDAY = date(2026, 11, 23)
RULES = CadenceRules()


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("NOANSWER", date(2026, 11, 26)),  # +3
        ("MESSAGE", date(2026, 11, 26)),
        ("NOPROMISE", date(2026, 11, 25)),  # +2
        ("PAID", date(2026, 11, 26)),  # check date +3
        ("DISPUTE", date(2026, 11, 30)),  # +7
    ],
)
def test_days_after_each_result(code: str, expected: date) -> None:
    assert next_action_on(code, today=MONDAY, rules=RULES) == expected


def test_weekends_are_skipped_when_configured() -> None:
    thursday = date(2026, 11, 26)
    assert next_action_on("NOANSWER", today=thursday, rules=RULES) == date(2026, 11, 30)
    no_skip = CadenceRules(skip_weekends=False)
    assert next_action_on("NOANSWER", today=thursday, rules=no_skip) == date(2026, 11, 29)


def test_promise_followed_up_the_day_after_it_falls_due() -> None:
    assert next_action_on("PTP", today=MONDAY, rules=RULES, promised_on=date(2026, 12, 1)) == date(2026, 12, 2)
    # due on Friday: the follow-up moves from Saturday to Monday
    assert next_action_on("PTP", today=MONDAY, rules=RULES, promised_on=date(2026, 12, 4)) == date(2026, 12, 7)


def test_callback_on_the_day_asked_even_a_weekend() -> None:
    assert next_action_on("CALLBACK", today=MONDAY, rules=RULES, callback_on=date(2026, 11, 28)) == date(2026, 11, 28)


def test_not_before_pushes_the_date_out() -> None:
    assert next_action_on(
        "PTP", today=MONDAY, rules=RULES, promised_on=date(2026, 11, 24), not_before=date(2026, 11, 30)
    ) == date(2026, 11, 30)


def test_next_action_wording() -> None:
    assert next_action_text("PTP", promised_on=date(2026, 12, 1), amount_text="$500.00") == (
        "Check payment of $500.00 promised for 2026-12-01"
    )
    assert next_action_text("NOANSWER") == "Retry the call"
