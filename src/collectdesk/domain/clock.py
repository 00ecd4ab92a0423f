"""What "today" and "now" are, honouring ``COLLECTDESK_TODAY`` and frozen clocks in tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time


@dataclass
class Clock:
    """A source of the current date and time; ``today`` or ``frozen_at`` pin it."""

    today_override: date | None = None
    frozen_at: datetime | None = None
    _system: Callable[[], datetime] = field(default=lambda: datetime.now(UTC), repr=False)

    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        if self.frozen_at is not None:
            return self.frozen_at.astimezone(UTC)
        real = self._system()
        if self.today_override is not None:
            return datetime.combine(self.today_override, real.time().replace(tzinfo=None), UTC)
        return real

    def today(self) -> date:
        """Today's date (UTC-based unless pinned)."""
        if self.today_override is not None:
            return self.today_override
        return self.now().date()


def start_of_day(day: date) -> datetime:
    """Midnight UTC at the start of ``day``."""
    return datetime.combine(day, time(0, 0), UTC)
