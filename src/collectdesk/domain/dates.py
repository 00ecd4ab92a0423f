"""Date arithmetic and the shortcuts a collector types: ``+7``, ``fri``, ``eom``, ``2026-12-01``."""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

_WEEKDAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_OFFSET = re.compile(r"^\+(\d{1,3})([dwm]?)$")


class DateInputError(ValueError):
    """A typed date cannot be understood."""


def parse_iso_date(text: str) -> date:
    """Parse a strict ISO ``YYYY-MM-DD`` date."""
    try:
        if len(text.strip()) != 10:
            raise ValueError
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise DateInputError(f"{text.strip()!r} is not a date (use YYYY-MM-DD)") from exc


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's last day."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def end_of_month(day: date) -> date:
    """The last day of the month ``day`` is in."""
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def parse_date_shortcut(text: str, today: date) -> date:
    """Parse an ISO date or a shortcut: ``today``, ``tom``, ``+7``, ``+2w``, ``+1m``, ``fri``, ``eom``."""
    word = text.strip().lower()
    if not word:
        raise DateInputError("a date is required")
    if word in ("today", "tod", "t"):
        return today
    if word in ("tomorrow", "tom"):
        return today + timedelta(days=1)
    if word == "eom":
        return end_of_month(today)
    if match := _OFFSET.match(word):
        count, unit = int(match.group(1)), match.group(2) or "d"
        if unit == "m":
            return add_months(today, count)
        return today + timedelta(days=count * (7 if unit == "w" else 1))
    for index, name in enumerate(_WEEKDAYS):
        if len(word) >= 3 and name.startswith(word[:3]) and calendar.day_name[index].lower().startswith(word):
            ahead = (index - today.weekday()) % 7 or 7
            return today + timedelta(days=ahead)
    try:
        return parse_iso_date(word)
    except DateInputError:
        raise DateInputError(f"{text.strip()!r} is not a date (YYYY-MM-DD, +7, +2w, +1m, fri, eom, tom)") from None


def next_business_day(day: date) -> date:
    """``day`` itself on a weekday, else the following Monday."""
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def add_business_aware(day: date, days: int, *, skip_weekends: bool) -> date:
    """``day`` plus ``days`` calendar days, moved off a weekend when asked."""
    result = day + timedelta(days=days)
    return next_business_day(result) if skip_weekends else result
