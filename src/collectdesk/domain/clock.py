"""What "today" and "now" are for the person at the desk, honouring ``COLLECTDESK_TODAY`` and
frozen clocks in tests.

Instants are kept in UTC (the database stores UTC); dates — today, the day a call was made, the
start of a day — are the collector's own, in ``zone`` (the ``timezone`` setting, else the
machine's local time zone).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def local_zone() -> tzinfo:
    """The machine's local time zone: ``TZ`` when it names an IANA zone, else the offset the
    operating system reports now."""
    name = os.environ.get("TZ", "").removeprefix(":")
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return datetime.now().astimezone().tzinfo or UTC


def zone_named(name: str | None) -> tzinfo:
    """The IANA time zone ``name`` (``Pacific/Auckland``), or the machine's when ``name`` is empty."""
    if not name:
        return local_zone()
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as Europe/London)") from exc


@dataclass
class Clock:
    """A source of the current date and time; ``today_override`` or ``frozen_at`` pin it."""

    today_override: date | None = None
    frozen_at: datetime | None = None
    _system: Callable[[], datetime] = field(default=lambda: datetime.now(UTC), repr=False)
    zone: tzinfo | None = None

    @property
    def tz(self) -> tzinfo:
        """The zone the collector's dates are in (the machine's when none was set)."""
        return self.zone if self.zone is not None else local_zone()

    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        if self.frozen_at is not None:
            return self.frozen_at.astimezone(UTC)
        real = self._system()
        if self.today_override is not None:
            local = real.astimezone(self.tz).time().replace(tzinfo=None)
            return datetime.combine(self.today_override, local, self.tz).astimezone(UTC)
        return real

    def local_now(self) -> datetime:
        """The current instant in the collector's zone (for the header clock)."""
        return self.now().astimezone(self.tz)

    def today(self) -> date:
        """The collector's date today (pinned by ``today_override``)."""
        if self.today_override is not None:
            return self.today_override
        return self.local_now().date()

    def local_date(self, instant: datetime) -> date:
        """The collector's date at an instant (naive instants are taken as UTC)."""
        aware = instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)
        return aware.astimezone(self.tz).date()

    def local_time(self, instant: datetime) -> datetime:
        """An instant in the collector's zone (for history times)."""
        aware = instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)
        return aware.astimezone(self.tz)

    def day_start(self, day: date) -> datetime:
        """The instant the collector's ``day`` begins (local midnight), in UTC."""
        return datetime.combine(day, time(0, 0), self.tz).astimezone(UTC)


def start_of_day(day: date) -> datetime:
    """Midnight UTC at the start of ``day`` (for dates that are UTC days, such as stored ones)."""
    return datetime.combine(day, time(0, 0), UTC)


def desk_clock(today: date | None, timezone: str | None) -> Clock:
    """The clock a desk runs on: ``today`` pinned if given, dates in ``timezone`` (else the machine's)."""
    return Clock(today_override=today, zone=zone_named(timezone) if timezone else None)
