"""Call-frequency guard rails: US Regulation F, Massachusetts, Australia, business courtesy.

The US tests follow 12 CFR 1006.14(b)(2) as written: a call is presumed to harass when placed
"(i) more than seven times within seven consecutive days; or (ii) within a period of seven
consecutive days after having had a telephone conversation with the person ... The date of the
telephone conversation is the first day of the seven-consecutive-day period" — calendar days, in
the debtor's local dates.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from collectdesk.domain.frequency import PastCall, check_frequency, earliest_follow_up

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)
NEW_YORK = ZoneInfo("America/New_York")


def attempts(n: int, *, every_hours: int = 12) -> list[PastCall]:
    return [PastCall(NOW - timedelta(hours=every_hours * (i + 1)), False, "NOANSWER") for i in range(n)]


def ny(day: int, hour: int, minute: int = 0) -> datetime:
    """An instant in New York in November 2026."""
    return datetime(2026, 11, day, hour, minute, tzinfo=NEW_YORK)


def us_blocks(calls: list[PastCall], now: datetime) -> list[str]:
    return check_frequency("consumer", "US", "NY", calls, now, ["America/New_York"]).blocks


def test_seven_calls_in_seven_consecutive_days_are_allowed_an_eighth_is_not() -> None:
    # One unanswered call a day, 17–23 November (New York): seven consecutive days.
    week = [PastCall(ny(day, 10), False, "NOANSWER") for day in range(17, 23)]
    assert us_blocks(week, ny(23, 10)) == []  # the seventh call of the period
    blocks = us_blocks([*week, PastCall(ny(23, 10), False, "NOANSWER")], ny(23, 18))
    assert blocks == ["7 calls in the last 7 days: the limit for a US consumer is 7"]


def test_the_seven_days_are_calendar_days_not_hours() -> None:
    # Seven calls on 16 November in the evening; on the 23rd (day 8) a morning call is allowed,
    # even before the hour of the earlier calls.
    burst = [PastCall(ny(16, 20, minute), False, "NOANSWER") for minute in range(7)]
    assert us_blocks(burst, ny(22, 23, 59)) != []  # 22nd is day 7
    assert us_blocks(burst, ny(23, 8, 0)) == []


def test_no_call_in_the_seven_days_beginning_on_the_day_of_a_conversation() -> None:
    talk = [PastCall(ny(16, 11), True, "NOPROMISE")]
    assert us_blocks(talk, ny(16, 15)) != []  # day 1, later that day
    blocks = us_blocks(talk, ny(22, 20))  # day 7, evening
    assert blocks and "spoke with the debtor on 2026-11-16" in blocks[0]
    assert "calls allowed from 2026-11-23" in blocks[0]
    assert us_blocks(talk, ny(23, 8)) == []  # day 8, first thing: before the hour of the conversation


def test_a_late_evening_conversation_is_dated_by_the_debtors_calendar() -> None:
    # 22:30 on 16 November in New York is already 17 November in UTC.
    talk = [PastCall(ny(16, 22, 30), True, "NOPROMISE")]
    assert us_blocks(talk, ny(23, 9)) == []  # the 23rd is day 8 in New York
    assert earliest_follow_up("consumer", "US", True, "NOPROMISE", date(2026, 11, 16)) == date(2026, 11, 23)


def test_every_conversation_counts_not_only_the_latest() -> None:
    # A NOPROMISE conversation, then a callback asked for: the callback does not lift the period.
    calls = [PastCall(ny(18, 10), True, "NOPROMISE"), PastCall(ny(19, 10), True, "CALLBACK")]
    blocks = us_blocks(calls, ny(20, 10))
    assert blocks and "spoke with the debtor on 2026-11-18" in blocks[0]


def test_the_latest_conversation_sets_the_end_of_the_period() -> None:
    calls = [PastCall(ny(14, 10), True, "NOPROMISE"), PastCall(ny(18, 10), True, "PTP")]
    assert "calls allowed from 2026-11-25" in us_blocks(calls, ny(21, 10))[0]


def test_a_callback_asked_for_is_not_blocked_by_the_conversation_rule() -> None:
    talk = [PastCall(NOW - timedelta(days=1), True, "CALLBACK")]
    assert check_frequency("consumer", "US", None, talk, NOW).blocks == []


def test_unknown_zone_counts_utc_dates() -> None:
    talk = [PastCall(datetime(2026, 11, 16, 23, 0, tzinfo=UTC), True, "NOPROMISE")]
    assert check_frequency("consumer", "US", None, talk, datetime(2026, 11, 22, 23, 59, tzinfo=UTC)).blocks
    assert check_frequency("consumer", "US", None, talk, datetime(2026, 11, 23, 0, 1, tzinfo=UTC)).blocks == []


def test_several_possible_zones_apply_the_strictest() -> None:
    # 16 Nov 22:30 New York is 17 Nov in London: the later date keeps the block one day longer.
    talk = [PastCall(ny(16, 22, 30), True, "NOPROMISE")]
    both = check_frequency("consumer", "US", None, talk, ny(23, 9), ["America/New_York", "Europe/London"])
    assert both.blocks and "calls allowed from 2026-11-24" in both.blocks[0]


def test_massachusetts_two_in_seven_days() -> None:
    assert check_frequency("consumer", "US", "MA", attempts(1), NOW).blocks == []
    blocks = check_frequency("consumer", "US", "MA", attempts(2), NOW).blocks
    assert any("Massachusetts is 2" in b for b in blocks)


def test_australia_three_a_week_ten_a_month() -> None:
    assert check_frequency("consumer", "AU", None, attempts(2), NOW).blocks == []
    assert "3 a week" in check_frequency("consumer", "AU", None, attempts(3), NOW).blocks[0]
    month = attempts(10, every_hours=70)  # 2 or 3 a week, 10 in 30 days
    blocks = check_frequency("consumer", "AU", None, month, NOW).blocks
    assert any("10 a month" in b for b in blocks)


def test_business_called_within_three_days_warns_only() -> None:
    result = check_frequency("business", "US", None, attempts(1, every_hours=48), NOW)
    assert result.blocks == [] and "every 3 days" in result.warnings[0]
    assert check_frequency("business", "US", None, attempts(1, every_hours=80), NOW).warnings == []
    assert check_frequency("business", "US", None, attempts(20), NOW).blocks == []


def test_other_countries_have_no_consumer_limit() -> None:
    assert check_frequency("consumer", "GB", None, attempts(10), NOW).blocks == []


def test_follow_up_after_a_us_conversation_is_day_eight() -> None:
    spoke_on = date(2026, 11, 23)
    assert earliest_follow_up("consumer", "US", True, "PTP", spoke_on) == date(2026, 11, 30)
    assert earliest_follow_up("consumer", "US", False, "NOANSWER", spoke_on) is None
    assert earliest_follow_up("business", "US", True, "PTP", spoke_on) is None
    assert earliest_follow_up("consumer", "US", True, "CALLBACK", spoke_on) is None
