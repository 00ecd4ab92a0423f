"""The calling window across time zones: several zones per number, AU weekends, DST, unknown."""

from __future__ import annotations

from datetime import UTC, datetime, time

from collectdesk.domain.calling_window import UNKNOWN_REASON, candidate_zones, window_status
from collectdesk.settings import Settings

S = Settings()


def test_zones_from_every_number() -> None:
    assert candidate_zones(["+12125550100"], "US", None) == ["America/New_York"]
    assert candidate_zones(["+12125550100", "+13105550100"], "US", None) == ["America/Los_Angeles", "America/New_York"]
    alaska = candidate_zones(["+19075550100"], "US", None)
    assert alaska == ["America/Adak", "America/Anchorage"]


def test_override_wins_and_unknown_is_empty() -> None:
    assert candidate_zones(["+12125550100"], "US", "America/Chicago") == ["America/Chicago"]
    assert candidate_zones([None, ""], "US", None) == []  # the US spans several zones
    assert candidate_zones([], "GB", None) == ["Europe/London"]  # one clock across the country
    assert candidate_zones([], "DE", None) == ["Europe/Berlin"]
    assert candidate_zones(["+18005550100"], "US", None) == []  # toll-free: no place


def test_national_numbers_use_the_country() -> None:
    assert candidate_zones(["(212) 555-0100"], "US", None) == ["America/New_York"]


def test_callable_only_inside_the_window_in_every_zone() -> None:
    window = S.window_for("US")
    zones = ["America/Los_Angeles", "America/New_York"]
    # 15:00 UTC Monday = 10:00 New York, 07:00 Los Angeles: too early in LA
    status = window_status(zones, datetime(2026, 11, 23, 15, 0, tzinfo=UTC), window)
    assert not status.callable
    assert "07:00 in America/Los_Angeles" in status.reason
    assert status.local_times["America/New_York"].hour == 10
    status = window_status(zones, datetime(2026, 11, 23, 17, 0, tzinfo=UTC), window)
    assert status.callable  # 12:00 and 09:00


def test_alaska_number_spanning_two_zones() -> None:
    zones = candidate_zones(["+19075550100"], "US", None)
    # 17:30 UTC = 08:30 Anchorage (AKST) but 07:30 Adak (HST): not yet in Adak
    assert not window_status(zones, datetime(2026, 11, 23, 17, 30, tzinfo=UTC), S.window_for("US")).callable
    assert window_status(zones, datetime(2026, 11, 23, 18, 30, tzinfo=UTC), S.window_for("US")).callable


def test_au_weekend_starts_later() -> None:
    window = S.window_for("AU")
    assert window.weekday_start == time(7, 30) and window.weekend_start == time(9, 0)
    sydney = ["Australia/Sydney"]
    # Saturday 2026-11-28 08:00 in Sydney (AEDT, UTC+11) = Friday 21:00 UTC
    assert not window_status(sydney, datetime(2026, 11, 27, 21, 0, tzinfo=UTC), window).callable
    # Monday 07:45 Sydney = Sunday 20:45 UTC
    assert window_status(sydney, datetime(2026, 11, 29, 20, 45, tzinfo=UTC), window).callable


def test_dst_changes_the_local_hour() -> None:
    window = S.window_for("US")
    ny = ["America/New_York"]
    # 12:30 UTC is 08:30 in summer (EDT) but 07:30 in winter (EST)
    assert window_status(ny, datetime(2026, 7, 1, 12, 30, tzinfo=UTC), window).callable
    assert not window_status(ny, datetime(2026, 12, 1, 12, 30, tzinfo=UTC), window).callable


def test_unknown_zone_is_marked_not_blocked() -> None:
    status = window_status([], datetime(2026, 11, 23, 3, 0, tzinfo=UTC), S.window_for("US"))
    assert status.callable and status.unknown and status.reason == UNKNOWN_REASON
