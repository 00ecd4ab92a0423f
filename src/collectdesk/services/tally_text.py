"""How tally figures read on screen and in the text table; "—" wherever a figure has no value."""

from __future__ import annotations

from typing import TYPE_CHECKING

from collectdesk.domain.money import format_amount

if TYPE_CHECKING:
    from collectdesk.services.tally import ActivityFigures

NONE = "—"


def percent(value: float | None) -> str:
    """A fraction as a percentage with one decimal: ``0.4`` → ``40.0%``."""
    return NONE if value is None else f"{value * 100:.1f}%"


def days_text(value: float | None) -> str:
    """A number of days with one decimal."""
    return NONE if value is None else f"{value:.1f} d"


def number(value: float | None, places: int = 1) -> str:
    """A plain number with ``places`` decimals."""
    return NONE if value is None else f"{value:.{places}f}"


def money(minor: int | None, currency: str) -> str:
    """An amount for people: ``$1,234.56``."""
    return NONE if minor is None else format_amount(minor, currency)


def duration(seconds: int) -> str:
    """Talk time: ``1h 05m 10s``, ``4m 30s``, ``0s``."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h {minutes:02d}m {secs:02d}s"
    return f"{minutes}m {secs:02d}s" if minutes else f"{secs}s"


def activity_texts(a: ActivityFigures, currency: str) -> tuple[str | int, ...]:
    """A collector's call figures as the tally's table cells, from the contact rate on."""
    return (
        percent(a.rpc_rate),
        a.ptp_calls,
        percent(a.ptp_rate),
        duration(a.talk_seconds),
        money(a.promised_amount, currency),
        money(a.collected_amount, currency),
        money(a.collected_per_hour, currency),
    )
