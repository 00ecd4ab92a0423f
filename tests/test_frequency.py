"""Call-frequency guard rails: US Regulation F, Massachusetts, Australia, business courtesy."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from collectdesk.domain.frequency import PastCall, check_frequency, earliest_follow_up

NOW = datetime(2026, 11, 23, 15, 0, tzinfo=UTC)


def attempts(n: int, *, every_hours: int = 12) -> list[PastCall]:
    return [PastCall(NOW - timedelta(hours=every_hours * (i + 1)), False, "NOANSWER") for i in range(n)]


def test_us_consumer_seven_calls_in_seven_days() -> None:
    assert check_frequency("consumer", "US", None, attempts(6), NOW).blocks == []
    blocks = check_frequency("consumer", "US", None, attempts(7), NOW).blocks
    assert blocks and "limit for a US consumer is 7" in blocks[0]
    old = attempts(7, every_hours=25)  # the 7th is more than 7 days ago
    assert check_frequency("consumer", "US", None, old, NOW).blocks == []


def test_us_consumer_none_within_seven_days_after_a_conversation() -> None:
    talk = [PastCall(NOW - timedelta(days=6, hours=23), True, "NOPROMISE")]
    blocks = check_frequency("consumer", "US", None, talk, NOW).blocks
    assert blocks and "within 7 days after a conversation" in blocks[0]
    later = [PastCall(NOW - timedelta(days=7, minutes=1), True, "NOPROMISE")]
    assert check_frequency("consumer", "US", None, later, NOW).blocks == []


def test_callback_asked_for_is_not_blocked_by_the_conversation_rule() -> None:
    talk = [PastCall(NOW - timedelta(days=1), True, "CALLBACK")]
    assert check_frequency("consumer", "US", None, talk, NOW).blocks == []


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


def test_follow_up_after_a_us_conversation_waits_seven_days() -> None:
    today = date(2026, 11, 23)
    assert earliest_follow_up("consumer", "US", True, "PTP", today) == date(2026, 11, 30)
    assert earliest_follow_up("consumer", "US", False, "NOANSWER", today) is None
    assert earliest_follow_up("business", "US", True, "PTP", today) is None
